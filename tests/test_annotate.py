"""--annotate: a marked-up copy of the workbook (never the original)."""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import openbook
from openbook.report.annotate import (ERROR_FILL, ERROR_ROW_FILL, PROBLEMS_SHEET, WARNING_FILL, WARNING_ROW_FILL,
                               annotate)
from openbook.cli import cli
from openbook.errors import OpenbookError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "anytown-with-errors.xlsx"
URI = "https://anytown.gov.uk"


def make_workbook_with_errors(path: Path) -> Path:
    """Cell, row and header problems; errors and warnings; a title block above the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Functions"
    ws.append(["OrganisationURI", "FunctionID", "Label", "Level", "Remarks"])   # E1: extra-label (warning)
    ws.append([URI, "F-1", "Home care", "service", ""])
    ws.append([URI, "F-2", None, "service", ""])            # C3: required value missing
    ws.append([URI, "F-1", "Duplicate", "badlevel", ""])    # row 4: primary key; D4: not on the list
    ws.append([None, None, None, None, None])               # row 5: blank row (warning)
    ws.append([URI, "F-3", "Libraries", "service", ""])
    ws["B2"].comment = openpyxl.comments.Comment("Checked by Sam", "Sam")
    costs = wb.create_sheet("Cost's 2025")                  # an apostrophe in the sheet name
    costs["A1"] = "Anytown Borough Council: costs"          # title block: the header is on row 3
    costs.append([])
    costs.append(["OrganisationURI", "FiscalYear", "FunctionID", "SubjectiveGroup", "CostLineID", "Actual"])
    costs.append([URI, "2025/26", "F-1", "employees", "C1", 100])
    costs.append([URI, "2025", "F-9", "employees", "C2", "abc"])   # B5 pattern, C5 foreign key, F5 type
    wb.save(path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fills(wb) -> dict[tuple[str, str], str]:
    out = {}
    for ws in wb.worksheets:
        if ws.title == PROBLEMS_SHEET:
            continue
        for row in ws.iter_rows():
            for c in row:
                if c.fill is not None and c.fill.fill_type == "solid":
                    out[(ws.title, c.coordinate)] = c.fill.start_color.rgb[-6:]
    return out


def comments(wb) -> dict[tuple[str, str], str]:
    return {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets if ws.title != PROBLEMS_SHEET
            for row in ws.iter_rows() for c in row if c.comment is not None}


def expected_marks(report):
    cells, rows = {}, {}
    for p in report.iter_problems(reveal=True):
        if p.cell:
            cells.setdefault((p.sheet, p.cell), set()).add(p.severity)
        elif p.row:
            rows.setdefault((p.sheet, p.row), set()).add(p.severity)
    return cells, rows


def row_of(ref: str) -> int:
    return int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def check_annotated(report, out: Path) -> None:
    """Strong fills and comments at exactly the failing cells, light tints on failing rows,
    and a problems sheet linking to each problem."""
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == PROBLEMS_SHEET
    cells, rows = expected_marks(report)
    found = fills(wb)
    strong = {k: v for k, v in found.items() if v in (ERROR_FILL, WARNING_FILL)}
    light = {k: v for k, v in found.items() if v in (ERROR_ROW_FILL, WARNING_ROW_FILL)}
    # strong fills: the failing cells, plus the key cell of each repeated (primary-key) row
    key_rows = {(p.sheet, p.row) for p in report.iter_problems(reveal=True) if p.code == "primary-key"}
    assert set(cells) <= set(strong)
    assert all((s, row_of(ref)) in key_rows for s, ref in set(strong) - set(cells))
    assert {(s, row_of(ref)) for s, ref in set(strong) - set(cells)} == key_rows
    for key, severities in cells.items():
        assert strong[key] == (ERROR_FILL if "error" in severities else WARNING_FILL), key
    # every whole-row problem tints its row, and only those rows are tinted
    light_rows = {(sheet, row_of(ref)) for sheet, ref in light}
    assert light_rows <= set(rows)
    for key in rows:
        assert key in light_rows or any((s, row_of(ref)) == key for s, ref in strong), key
    notes = comments(wb)
    for p in report.iter_problems(reveal=True):
        if p.cell:
            assert p.message in notes[(p.sheet, p.cell)]
        elif p.row:
            assert any((s, row_of(ref)) == (p.sheet, p.row) and p.message in text
                       for (s, ref), text in notes.items()), p.location
    # openbook's comments are only where the problems are
    for ws in wb.worksheets[1:]:
        for row in ws.iter_rows():
            for c in row:
                if c.comment is not None and "openbook" in (c.comment.author or ""):
                    assert (ws.title, c.coordinate) in cells or (ws.title, c.row) in rows, c.coordinate
    return wb

    problems = wb[PROBLEMS_SHEET]
    assert problems.freeze_panes == "A2"
    assert problems.auto_filter.ref and problems.auto_filter.ref.startswith("A1:")
    header = [c.value for c in problems[1]]
    assert header[:2] == ["Severity", "Location"] and "Message" in header and "Value" in header
    listed = list(problems.iter_rows(min_row=2))
    assert len(listed) == report.errors + report.warnings
    for row, p in zip(listed, report.iter_problems(reveal=True)):
        assert row[0].value == p.severity
        assert row[1].value == p.location
        link = row[1].hyperlink
        assert link is not None
        quoted = "'" + p.sheet.replace("'", "''") + "'"
        sheet, _, ref = link.location.partition("!")
        assert sheet == quoted
        if p.cell:
            assert ref == p.cell
        elif p.row:  # a whole row: the link goes to the cell that carries its comment
            assert row_of(ref) == p.row and p.message in wb[p.sheet][ref].comment.text
        else:        # the whole table
            assert ref == "A1"
    return wb


def test_annotated_copy_marks_exactly_the_failing_cells(tmp_path):
    src = make_workbook_with_errors(tmp_path / "anytown.xlsx")
    before = sha256(src)
    report = openbook.validate(src)
    out = tmp_path / "marked.xlsx"
    assert annotate(report, out) == [out]
    assert sha256(src) == before
    check_annotated(report, out)
    wb = openpyxl.load_workbook(out)
    f = fills(wb)
    assert f[("Functions", "C3")] == ERROR_FILL
    assert f[("Functions", "D4")] == ERROR_FILL
    assert f[("Functions", "E1")] == WARNING_FILL
    assert f[("Functions", "A4")] == ERROR_ROW_FILL       # the duplicate row, lightly,
    assert f[("Functions", "B4")] == ERROR_FILL           # its FunctionID strongly, with the comment
    assert "primary-key" in wb["Functions"]["B4"].comment.text
    assert f[("Functions", "A5")] == WARNING_ROW_FILL     # the blank row, lightly
    assert f[("Cost's 2025", "F5")] == ERROR_FILL
    assert ("Cost's 2025", "F4") not in f
    notes = comments(wb)
    assert "Checked by Sam" in notes[("Functions", "B2")]  # the workbook's own comments are kept
    assert wb["Functions"]["C3"].comment.author == "openbook"
    # the data is untouched
    assert wb["Cost's 2025"]["A1"].value == "Anytown Borough Council: costs"
    assert wb["Cost's 2025"]["F4"].value == 100


def test_the_documented_example(tmp_path):
    """Every planted problem of examples/anytown-with-errors.xlsx (examples/expected-errors.json)
    is marked at its documented cell, and nothing is marked that the report does not list."""
    if not EXAMPLE.is_file():
        pytest.skip("examples/anytown-with-errors.xlsx is not there yet")
    expected = json.loads((EXAMPLE.parent / "expected-errors.json").read_text(encoding="utf-8"))["problems"]
    before = sha256(EXAMPLE)
    report = openbook.validate(EXAMPLE)
    out = tmp_path / "anytown-marked.xlsx"
    annotate(report, out)
    assert sha256(EXAMPLE) == before
    wb = check_annotated(report, out)
    found = fills(wb)
    notes = comments(wb)
    missing = []
    for e in expected:
        key = (e["sheet"], e["cell"])
        if found.get(key) in (ERROR_FILL, WARNING_FILL) and key in notes:
            continue           # the documented cell itself
        row_marked = found.get(key) in (ERROR_ROW_FILL, WARNING_ROW_FILL) and any(
            (s, row_of(ref)) == (e["sheet"], e["row"]) for s, ref in notes)
        if not row_marked:     # a whole-row problem marks the row
            missing.append(f"{e['sheet']}!{e['cell']} ({e['code']})")
    assert missing == [], "documented problems not marked: " + ", ".join(missing)


def test_cli_annotate(tmp_path):
    src = make_workbook_with_errors(tmp_path / "anytown.xlsx")
    before = sha256(src)
    out = tmp_path / "out" / "marked.xlsx"
    result = CliRunner().invoke(cli, ["validate", str(src), "--annotate", str(out)])
    assert result.exit_code == 1, result.output
    assert sha256(src) == before
    check_annotated(openbook.validate(src), out)
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_refuses_to_overwrite_the_original(tmp_path):
    src = make_workbook_with_errors(tmp_path / "anytown.xlsx")
    before = sha256(src)
    report = openbook.validate(src)
    with pytest.raises(OpenbookError, match="never overwrites"):
        annotate(report, src)
    with pytest.raises(OpenbookError, match="never overwrites"):
        annotate(report, tmp_path / "." / "anytown.xlsx")
    assert sha256(src) == before
    result = CliRunner().invoke(cli, ["validate", str(src), "--annotate", str(src)])
    assert result.exit_code == 2
    assert "never overwrites" in result.output and "Traceback" not in result.output
    assert sha256(src) == before
    with pytest.raises(OpenbookError, match=".xlsx"):
        annotate(report, tmp_path / "marked.csv")


def test_csv_becomes_an_annotated_workbook(tmp_path):
    src = tmp_path / "spend-2025-04.csv"
    # cp1252, semicolons, a £ sign, a leading zero, a formula-looking value
    lines = [
        "OrganisationURI;OrganisationLabel;PaymentDate;OrganisationalUnit;BeneficiaryName;Purpose;Amount;BeneficiaryID",
        f"{URI};Anytown;28/03/2025;Finance;Acme Ltd;Catering;£1,501.12;01234",
        f"{URI};Anytown;31/02/2025;Finance;Acme Ltd;Catering;12.50;2",
        f"{URI};Anytown;01/03/2025;Finance;=HYPERLINK(\"http://x\");Catering;lots;3",
    ]
    src.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    before = sha256(src)
    report = openbook.validate(src)
    assert report.errors
    out = tmp_path / "spend-marked.xlsx"
    annotate(report, out)
    assert sha256(src) == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [PROBLEMS_SHEET, "spend-2025-04"]
    ws = wb["spend-2025-04"]
    assert ws["G2"].value == "£1,501.12"
    assert ws["H2"].value == "01234"
    assert ws["E4"].data_type == "s" and ws["E4"].value.startswith("=HYPERLINK")
    locations = {p.cell for p in report.iter_problems(reveal=True) if p.cell}
    assert "C3" in locations and "G4" in locations
    f = fills(wb)
    for cell in locations:
        assert ("spend-2025-04", cell) in f
    links = {row[1].hyperlink.location for row in wb[PROBLEMS_SHEET].iter_rows(min_row=2)}
    assert "'spend-2025-04'!C3" in links
    # a value that looks like a formula stays text on the problems sheet too
    for row in wb[PROBLEMS_SHEET].iter_rows(min_row=2):
        if isinstance(row[6].value, str) and row[6].value.startswith("="):
            assert row[6].data_type == "s"


def test_several_files_get_one_workbook_each(tmp_path):
    (tmp_path / "in").mkdir()
    make_workbook_with_errors(tmp_path / "in" / "a.xlsx")
    b = tmp_path / "in" / "b.csv"
    b.write_text("OrganisationURI,FunctionID,Label\nhttps://b.gov.uk,F-1,\n", encoding="utf-8")
    report = openbook.validate(tmp_path / "in")
    out = tmp_path / "marked.xlsx"
    written = annotate(report, out)
    assert written == [tmp_path / "marked-a.xlsx", tmp_path / "marked-b.xlsx"]
    assert not out.exists()
    assert openpyxl.load_workbook(written[1]).sheetnames == [PROBLEMS_SHEET, "b"]
    assert openpyxl.load_workbook(written[0]).sheetnames == [PROBLEMS_SHEET, "Functions", "Cost's 2025"]


def test_a_clean_file_gets_an_empty_problems_sheet(tmp_path):
    src = tmp_path / "good.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Functions"
    wb.active.append(["OrganisationURI", "FunctionID", "Label"])
    wb.active.append([URI, "F-1", "Home care"])
    wb.save(src)
    out = tmp_path / "marked.xlsx"
    annotate(openbook.validate(src), out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [PROBLEMS_SHEET, "Functions"]
    assert "No problems" in wb[PROBLEMS_SHEET]["B2"].value
    assert fills(wb) == {}


def test_the_marked_up_copy_is_byte_identical_under_source_date_epoch(tmp_path, monkeypatch):
    """Issue 19: identical runs give identical workbooks when SOURCE_DATE_EPOCH is set
    (openpyxl stamps the time of saving into the file otherwise)."""
    import time
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")
    src = make_workbook_with_errors(tmp_path / "anytown.xlsx")
    report = openbook.validate(src)
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    annotate(report, first)
    time.sleep(1.1)   # a second later: a clock in the file would differ
    annotate(report, second)
    assert first.read_bytes() == second.read_bytes()
    assert b"2025-11-28T00:00:00Z" in zipfile.ZipFile(first).read("docProps/core.xml")


def _snapshot(path: Path) -> dict:
    """Every cell that holds a value, a style, a comment or a link, as openpyxl reads it back."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": tuple(wb.sheetnames)}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style and c.comment is None:
                    continue
                out[(ws.title, c.coordinate)] = (
                    c.value, c.number_format, c.fill.fill_type, c.fill.start_color.rgb, c.font.b, c.font.i,
                    c.comment.text if c.comment else None, c.hyperlink.location if c.hyperlink else None)
        out[(ws.title, "sheet")] = (ws.freeze_panes, ws.auto_filter.ref, ws.dimensions, ws.sheet_view.tabSelected,
                                    tuple(str(r) for r in ws.merged_cells.ranges))
    return out


def _both_ways(src: Path, tmp_path: Path):
    """The annotated copy spliced (report/splice.py) and passed whole through openpyxl."""
    from openbook.report.annotate import _write_copy
    report = openbook.validate([src])
    tables = {(t.path, t.sheet, t.name): t for t in report.tables}
    problems = [p for p in report.iter_problems(reveal=True) if p.path == str(src)]
    assert problems
    spliced, whole = tmp_path / "spliced.xlsx", tmp_path / "whole.xlsx"
    _write_copy(src, spliced, problems, [], tables, splice=True)
    _write_copy(src, whole, problems, [], tables, splice=False)
    return report, spliced, whole


def make_workbook_with_shared_strings(path: Path) -> Path:
    """As Excel writes text: a shared-strings table (openpyxl writes text inline), with a
    rich-text cell, real dates and numbers, another author's comment, and problems
    between many valid rows."""
    import datetime as dt
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Functions")
    bold, money = wb.add_format({"bold": True}), wb.add_format({"num_format": "£#,##0.00"})
    ws.write_row(0, 0, ["OrganisationURI", "FunctionID", "Label", "Level", "Remarks"], bold)
    for r in range(1, 300):
        label = None if r == 120 else f"Service {r % 7}"                  # C121: required value missing
        ws.write_row(r, 0, [URI, "F-5" if r == 200 else f"F-{r}", label, "bad" if r == 250 else "service"])
        if r % 50 == 0:
            ws.write_datetime(r, 4, dt.datetime(2025, 4, r % 28 + 1), wb.add_format({"num_format": "dd/mm/yyyy"}))
        elif r % 30 == 0:
            ws.write_number(r, 4, r * 1.5, money)
    ws.write_rich_string(10, 2, "Home ", bold, "care")                  # rich text in an untouched row
    ws.write_comment("B3", "Checked by Sam", {"author": "Sam"})
    wb.close()
    return path


def annotated_again(tmp_path: Path) -> Path:
    """An annotated copy (its own problems sheet, the shared strings put back) with one
    problem then put right (C121 filled in), as the source: its old problems sheet lists
    one problem more than the new one will."""
    import re
    src = make_workbook_with_shared_strings(tmp_path / "first.xlsx")
    first = annotate(openbook.validate([src]), tmp_path / "annotated.xlsx")[0]
    with zipfile.ZipFile(first) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    name = "xl/worksheets/sheet2.xml"
    def fill(m):
        style = re.search(rb's="\d+"', m.group(1))
        return b'<c r="C121" ' + (style.group(0) if style else b"") + b' t="inlineStr"><is><t>Fixed</t></is></c>'
    fixed, n = re.subn(rb'<c r="C121"([^>]*?)(?:/>|>.*?</c>)', fill, parts[name], count=1)
    assert n == 1
    parts[name] = fixed
    again = tmp_path / "again.xlsx"
    with zipfile.ZipFile(again, "w") as zf:
        for part, data in parts.items():
            zf.writestr(part, data)
    return again


def make_awkward_csv(path: Path) -> Path:
    """A CSV whose values test how its sheet is written: spaces at either end, only
    spaces, &, < and >, a quoted line break, a formula, £ in cp1252, empty cells,
    a blank line, a repeated line, and problems between valid rows."""
    lines = ["OrganisationURI;OrganisationLabel;PaymentDate;OrganisationalUnit;BeneficiaryName;Purpose;Amount;"
             "BeneficiaryID;Notes"]
    for i in range(60):
        lines.append(f"{URI};Anytown;{i % 28 + 1:02d}/03/2025;Finance;Supplier {i} Ltd;Catering;£{1000 + i:,}.12;"
                     f"{i:05d};")
    lines[5] = f"{URI};Anytown;31/02/2025;Finance; Acme & Sons <Ltd> ;Catering;12.50;2;   "
    lines[9] = f'{URI};Anytown;01/03/2025;Finance;=HYPERLINK("http://x");"two\r\nlines";lots;3;x'
    lines[20] = ""
    lines[30] = lines[31]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


@pytest.mark.parametrize("source", ["made", "example", "shared-strings", "annotated-again", "csv"])
def test_the_spliced_copy_equals_the_copy_made_whole_by_openpyxl(tmp_path, source):
    """Issue 18: a large workbook's unmarked rows are copied as they are, not through
    openpyxl; the copy holds exactly what the whole-openpyxl copy holds."""
    from openbook.report.splice import Original
    src = {"made": lambda: make_workbook_with_errors(tmp_path / "in.xlsx"), "example": lambda: EXAMPLE,
           "shared-strings": lambda: make_workbook_with_shared_strings(tmp_path / "in.xlsx"),
           "annotated-again": lambda: annotated_again(tmp_path),
           "csv": lambda: make_awkward_csv(tmp_path / "spend.csv")}[source]()
    if source == "csv":
        from openbook.report.annotate import _csv_original
        assert _csv_original(src)[0] is not None    # the splice is the path taken
    else:
        assert Original.open(src) is not None

    report, spliced, whole = _both_ways(src, tmp_path)
    assert _snapshot(spliced) == _snapshot(whole)
    if source not in ("annotated-again", "csv"):   # again: the first copy's marks stay, on both paths;
        check_annotated(report, spliced)             # a CSV's problems name no sheet
    assert len(list(openpyxl.load_workbook(spliced)[PROBLEMS_SHEET].iter_rows())) == 1 + len(report.problems(limit=None))
    if source == "csv":
        return
    # a second reader (calamine, as openbook reads) finds every original value in the copy
    import python_calamine
    before = python_calamine.CalamineWorkbook.from_path(str(src))
    after = python_calamine.CalamineWorkbook.from_path(str(spliced))
    for name in [n for n in before.sheet_names if n != PROBLEMS_SHEET]:
        assert after.get_sheet_by_name(name).to_python() == before.get_sheet_by_name(name).to_python(), name


def test_a_workbook_with_shared_formulas_is_annotated_whole(tmp_path):
    """A shared formula (one formula written for many rows) cannot be spliced:
    openpyxl rewrites it in the rows it is given. Such a sheet passes whole."""
    from openbook.report.splice import Original
    src = make_workbook_with_errors(tmp_path / "in.xlsx")
    with zipfile.ZipFile(src) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    # the Remarks column of rows 2-3 as a shared formula, as Excel writes a filled-down formula
    sheet = sheet.replace(b'<c r="E2"', b'<c r="E2"><f t="shared" ref="E2:E3" si="0">LEN(C2)</f><v>9</v></c><c r="X2"', 1)
    parts["xl/worksheets/sheet1.xml"] = sheet
    shared = tmp_path / "shared.xlsx"
    with zipfile.ZipFile(shared, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert Original.open(shared) is None
    report = openbook.validate([shared])
    out = tmp_path / "out.xlsx"
    annotate(report, out)
    check_annotated(report, out)


def test_the_spliced_copy_keeps_every_original_row_byte_for_byte(tmp_path):
    """The rows with no problem are the original's XML, and the original's shared strings
    come with them."""
    src = make_workbook_with_errors(tmp_path / "in.xlsx")
    report = openbook.validate([src])
    out = annotate(report, tmp_path / "out.xlsx")[0]
    with zipfile.ZipFile(src) as zf:
        original = zf.read("xl/worksheets/sheet1.xml")
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        copy = zf.read("xl/worksheets/sheet2.xml")      # sheet1 is now the problems sheet
    row6 = original[original.index(b'<row r="6"'):]
    row6 = row6[:row6.index(b"</row>") + 6]
    assert row6 in copy                                  # F-3: no problem on row 6
    assert b'<row r="3"' in copy and original[original.index(b'<row r="3"'):][:200] not in copy
    assert "xl/sharedStrings.xml" in names or b't="s"' not in copy
