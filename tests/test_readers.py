"""Readers keep coordinates true: every problem is reported at the cell a
spreadsheet user sees, whatever surrounds the table.

Workbooks are built with openpyxl (a title block, blank leading columns,
hidden columns, merged cells, trailing formatted-but-empty rows and
columns); CSVs are written byte by byte (CRLF, quoted line breaks, trailing
empty columns, a padded " Amount " header, semicolons, blank lines).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import openbook
from openbook.errors import OpenbookError
from openbook.read.raw import column_letter
from openbook.read.tables import read_tables

openpyxl = pytest.importorskip("openpyxl")

URI = "https://anytown.gov.uk"
HEADER = ["Organisation URI", "Organisation name", "Payment date", "Department", "Supplier name",
          "Purpose", "Amount"]


def good_row(i: int) -> list:
    return [URI, "Anytown Council", dt.date(2025, 4, 1 + i % 28), "Highways", f"Supplier {i}",
            "Road repairs", 500 + i]


def found(report, codes=("type-error", "constraint-error", "blank-row", "blank-label", "extra-label",
                         "duplicate-label")) -> set[tuple]:
    """(code, field, cell-or-row) of every problem with one of these codes."""
    out = set()
    for p in report.iter_problems():
        if p.code in codes:
            out.add((p.code, p.field, p.cell or p.row))
    return out


def test_column_letter():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == \
        ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


# ------------------------------------------------------------------- XLSX

def _sheet(path: Path, build) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Spend"
    build(ws)
    wb.save(path)
    return path


def test_xlsx_title_block_leading_columns_hidden_merged_trailing(tmp_path):
    """Header on row 4 starting at column C, a merged title above it, a hidden
    column, a blank row in the middle, formatted empty rows and columns after
    the data. Every problem must name the cell Excel shows."""
    from openpyxl.styles import PatternFill
    fill = PatternFill("solid", fgColor="FFFF00")

    def build(ws):
        ws["C1"] = "Anytown Council: spending over £500"
        ws.merge_cells("C1:I1")
        ws["C2"] = "Period: April 2025"
        header = HEADER[:4] + ["Notes"] + HEADER[4:]        # Notes is not a schema column: extra-label
        for j, text in enumerate(header):
            ws.cell(row=4, column=3 + j, value=text)       # C4..J4
        ws.column_dimensions["F"].hidden = True            # Department: hidden, still checked
        rows = [good_row(i) for i in range(8)]
        for r in rows:
            r.insert(4, "")
        rows[1][2] = "31/02/2025"        # E6: not a date
        rows[2][5] = None                # H7: blank supplier name (required)
        rows[3] = [None] * 8             # row 8: blank, with data after it
        rows[5][7] = "lots"              # J10: not a number
        rows[6][3] = None                # F11: blank department, in the hidden column
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                if v is not None and v != "":
                    ws.cell(row=5 + i, column=3 + j, value=v)
        # formatting only, no values: after the data, to the right and below
        for ref in ("L4", "M20", "C30", "Z40"):
            ws[ref].fill = fill
        ws["E7"].number_format = "dd/mm/yyyy"

    path = _sheet(tmp_path / "spend.xlsx", build)
    report = openbook.validate([path])
    assert [(t.name, t.schema, t.header_row, t.rows) for t in report.tables] == [("Spend", "spend", 4, 7)]
    assert found(report) == {
        ("extra-label", None, "G4"),
        ("type-error", "PaymentDate", "E6"),
        ("constraint-error", "BeneficiaryName", "H7"),
        ("blank-row", None, 8),
        ("type-error", "Amount", "J10"),
        ("constraint-error", "OrganisationalUnit", "F11"),
    }


def test_xlsx_merged_header_cell_and_blank_label(tmp_path):
    """A header cell merged over two columns leaves the second without a name:
    a blank-label warning only if that column holds data."""
    def build(ws):
        for j, text in enumerate(HEADER):
            ws.cell(row=1, column=1 + j, value=text)
        ws.cell(row=1, column=8, value="Cost centre")
        ws.merge_cells("H1:I1")
        ws.cell(row=1, column=10, value="Reference")
        ws.merge_cells("J1:K1")
        for i in range(5):
            for j, v in enumerate(good_row(i)):
                ws.cell(row=2 + i, column=1 + j, value=v)
            ws.cell(row=2 + i, column=8, value="CC1")
            ws.cell(row=2 + i, column=9, value="sub")   # data under the merged part: blank-label
            ws.cell(row=2 + i, column=10, value="R1")   # K stays empty: no warning
        ws.cell(row=4, column=7, value="n/a")            # G4: not a number

    report = openbook.validate([_sheet(tmp_path / "merged.xlsx", build)])
    assert found(report) == {
        ("extra-label", None, "H1"), ("extra-label", None, "J1"),
        ("blank-label", None, "I1"),
        ("type-error", "Amount", "G4"),
    }


def test_xlsx_leading_blank_rows_and_columns_only(tmp_path):
    """No title: the used range starts at D3 because rows 1-2 and columns A-C are empty."""
    def build(ws):
        for j, text in enumerate(HEADER):
            ws.cell(row=3, column=4 + j, value=text)
        for i in range(3):
            for j, v in enumerate(good_row(i)):
                ws.cell(row=4 + i, column=4 + j, value=v)
        ws.cell(row=6, column=8, value="REDACTED")     # H6: supplier redacted, valid
        ws.cell(row=5, column=10, value=-12.5)         # J5: credit note, valid
        ws.cell(row=6, column=6, value="2025-13-01")   # F6: not a date
        ws["B2"].number_format = "0.00"                # formatting before the table moves nothing

    report = openbook.validate([_sheet(tmp_path / "spend.xlsx", build)])
    assert report.tables[0].header_row == 3
    assert found(report) == {("type-error", "PaymentDate", "F6")}
    assert report.redactions == 1


def test_xlsx_two_sheets_keep_their_own_coordinates(tmp_path):
    wb = openpyxl.Workbook()
    a = wb.active
    a.title = "Notes"
    a["A1"] = "Read me first"
    b = wb.create_sheet("Spend")
    b["A1"] = "Spend"
    for j, text in enumerate(HEADER):
        b.cell(row=3, column=2 + j, value=text)
    for i in range(4):
        for j, v in enumerate(good_row(i)):
            b.cell(row=4 + i, column=2 + j, value=v)
    b.cell(row=7, column=8, value="abc")
    path = tmp_path / "book.xlsx"
    wb.save(path)
    report = openbook.validate([path])
    assert [t.sheet for t in report.tables] == ["Spend"]
    assert found(report) == {("type-error", "Amount", "H7")}
    assert [p.location for p in report.iter_problems() if p.code == "type-error"] == ["Spend!H7"]


# -------------------------------------------------------------------- CSV

CSV_HEADER = ",".join(HEADER)


def _row(i: int, **change) -> list[str]:
    r = [URI, "Anytown Council", f"2025-04-{1 + i % 28:02d}", "Highways", f"Supplier {i}", "Road repairs",
         f"{500 + i}.00"]
    for k, v in change.items():
        r[int(k[1:])] = v
    return r


def _write(path: Path, lines: list[str], eol: str = "\n", encoding: str = "utf-8") -> Path:
    path.write_bytes(eol.join(lines).encode(encoding) + eol.encode())
    return path


def test_csv_crlf(tmp_path):
    lines = [CSV_HEADER] + [",".join(_row(i)) for i in range(5)]
    lines[3] = ",".join(_row(2, c6="abc"))          # row 4
    report = openbook.validate([_write(tmp_path / "spend.csv", lines, "\r\n")])
    assert found(report) == {("type-error", "Amount", "G4")}
    # CR is not part of the last value
    assert [p.value for p in report.iter_problems() if p.code == "type-error"] == ["abc"]


def test_csv_quoted_newlines_count_records_not_lines(tmp_path):
    """Excel shows one row per record, so a quoted line break does not move
    the rows after it."""
    lines = [CSV_HEADER]
    for i in range(6):
        r = _row(i)
        if i == 1:
            r[5] = '"Road\nrepairs, phase 2"'           # row 3 spans two lines
        if i == 3:
            r[2] = "soon"                             # row 5
        lines.append(",".join(r))
    report = openbook.validate([_write(tmp_path / "spend.csv", lines, "\r\n")])
    assert found(report) == {("type-error", "PaymentDate", "C5")}
    assert report.rows == 6


def test_csv_quoted_newline_in_title_block(tmp_path):
    lines = ['"Anytown Council\nspend"', "", CSV_HEADER] + [",".join(_row(i)) for i in range(3)]
    lines[4] = ",".join(_row(1, c4=""))               # record 5: blank supplier
    report = openbook.validate([_write(tmp_path / "spend.csv", lines)])
    assert report.tables[0].header_row == 3
    assert found(report) == {("constraint-error", "BeneficiaryName", "E5")}


def test_csv_trailing_empty_columns(tmp_path):
    """Leeds: empty trailing header cells and empty trailing fields on every row."""
    pad = "," * 17
    lines = [CSV_HEADER + pad] + [",".join(_row(i)) + pad for i in range(4)]
    lines[2] = ",".join(_row(1, c6="")) + pad         # row 3: blank amount
    report = openbook.validate([_write(tmp_path / "spend.csv", lines, "\r\n")])
    assert found(report) == {("constraint-error", "Amount", "G3")}


def test_csv_rows_longer_than_header(tmp_path):
    """Newcastle: one unnamed extra field on every row. It holds data, so it is
    a blank-label warning at the header cell H1 (not silently dropped), and
    nothing shifts. Trailing empty fields on some rows only are not."""
    lines = [CSV_HEADER] + [",".join(_row(i)) + ",#N/A" for i in range(4)]
    lines[4] = ",".join(_row(3, c2="2025/04/31")) + ",#N/A"
    lines[1] += ",,"
    report = openbook.validate([_write(tmp_path / "spend.csv", lines)])
    assert found(report) == {("blank-label", None, "H1"), ("type-error", "PaymentDate", "C5")}
    assert report.rows == 4


def test_csv_padded_header_and_values(tmp_path):
    """Devon 2026: ' Amount ' header and ' 1,061.43 ' values."""
    header = CSV_HEADER.replace("Amount", " Amount ")
    lines = [header] + [",".join(_row(i, c6=f'" {1000 + i:,}.43 "')) for i in range(4)]
    lines[2] = ",".join(_row(1, c6='" 1,0x1.43 "'))
    report = openbook.validate([_write(tmp_path / "spend.csv", lines, "\r\n")])
    assert report.tables[0].schema == "spend"
    assert found(report) == {("type-error", "Amount", "G3")}
    assert [p.value for p in report.iter_problems() if p.code == "type-error"] == ["1,0x1.43"]


def test_csv_semicolon_delimiter(tmp_path):
    lines = [";".join(HEADER)] + [";".join(_row(i, c6=f"{500 + i},50")) for i in range(5)]
    lines[5] = ";".join(_row(4, c3="", c6="12,00"))   # row 6: blank department
    raw = read_tables(_write(tmp_path / "spend.csv", lines))[0]
    assert raw.delimiter == ";"
    report = openbook.validate([tmp_path / "spend.csv"])
    assert ("constraint-error", "OrganisationalUnit", "D6") in found(report)
    assert report.rows == 5


def test_csv_blank_lines_in_the_middle(tmp_path):
    lines = [CSV_HEADER, ",".join(_row(0)), "", ",".join(_row(1)), "", "",
             ",".join(_row(2, c6="x")), ",".join(_row(3)), "", ""]
    report = openbook.validate([_write(tmp_path / "spend.csv", lines, "\r\n")])
    # the two empty lines after the last row are lines of the file too (the labels of real files count
    # them: tests/realdata), so they are said, and left out of a package like the others
    assert found(report) == {("blank-row", None, 3), ("blank-row", None, 5), ("blank-row", None, 6),
                             ("type-error", "Amount", "G7"), ("blank-row", None, 9), ("blank-row", None, 10)}
    assert report.rows == 4


def test_csv_blank_lines_before_header(tmp_path):
    lines = ["", "", CSV_HEADER] + [",".join(_row(i)) for i in range(3)]
    lines[5] = ",".join(_row(2, c6="x"))
    report = openbook.validate([_write(tmp_path / "spend.csv", lines)])
    assert report.tables[0].header_row == 3
    assert found(report) == {("type-error", "Amount", "G6")}


def test_csv_cp1252_pound_sign(tmp_path):
    lines = [CSV_HEADER] + [",".join(_row(i)) for i in range(3)]
    lines[2] = ",".join(_row(1, c5="Parts £50 each", c6="£1,250.00"))
    path = _write(tmp_path / "spend.csv", lines, "\r\n", encoding="cp1252")
    raw = read_tables(path)[0]
    assert raw.encoding == "cp1252"
    data = next(raw.batches(0))
    assert data["c5"][1] == "Parts £50 each"
    assert openbook.validate([path]).valid


def test_csv_bom_and_double_encoded_bom(tmp_path):
    lines = [CSV_HEADER] + [",".join(_row(i)) for i in range(2)]
    for name, prefix in (("bom.csv", b"\xef\xbb\xbf"), ("double.csv", "\ufeff".encode("utf-8").decode("cp1252")
                                                          .encode("utf-8"))):
        path = tmp_path / name
        path.write_bytes(prefix + ("\n".join(lines) + "\n").encode())
        raw = read_tables(path)[0]
        assert raw.head[0][0] == "Organisation URI", name
        report = openbook.validate([path], schema="spend")
        assert report.valid, name
        assert not found(report, ("extra-label", "missing-label"))


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"\n\r\n  \n", "blank"),
    (b"PK\x03\x04rest", "Excel"),
])
def test_csv_unreadable_is_a_clear_error(tmp_path, content, words):
    path = tmp_path / "spend.csv"
    path.write_bytes(content)
    with pytest.raises(OpenbookError) as exc:
        openbook.validate([path])
    assert words in str(exc.value)
    assert str(path) in str(exc.value)


def test_csv_blocks_split_only_between_records(tmp_path, monkeypatch):
    """Large CSVs are read in blocks of whole records. With tiny blocks, a
    quoted line break, quotes, blank lines and errors land on block edges,
    and every problem keeps its cell."""
    import openbook.read.delimited as readers
    lines = ["Anytown spend, 2025", CSV_HEADER]
    expected = set()
    for i in range(300):
        r = _row(i)
        if i % 7 == 0:
            r[5] = '"Road ""A"" repairs,\nphase 2"'
        if i % 11 == 3:
            r[6] = "TBC"
            expected.add(("type-error", "Amount", f"G{i + 3}"))
        lines.append(",".join(r))
        if i % 50 == 49 and i < 299:
            lines.append("")
    path = _write(tmp_path / "spend.csv", lines, "\r\n")
    # blank lines shift the rows after them: recompute the cells from the records
    import csv as csvmod
    records = list(csvmod.reader(open(path, newline="", encoding="utf-8")))
    expected = {("type-error", "Amount", f"G{n + 1}") for n, r in enumerate(records) if len(r) > 6 and r[6] == "TBC"}
    blanks = {("blank-row", None, n + 1) for n, r in enumerate(records) if not r}
    whole = found(openbook.validate([path]))
    assert whole == expected | blanks and len(expected) > 20 and len(blanks) == 5
    for size in (97, 256, 1000):
        monkeypatch.setattr(readers, "BATCH_BYTES", size)
        report = openbook.validate([path])
        assert found(report) == whole, size
        assert report.rows == 300


def test_a_folder_checked_in_parallel_reports_what_a_serial_run_does(tmp_path):
    """Many files: one process per core, the same report; one submission split
    over files (Spend here, Functions there) is still checked as one."""
    import shutil

    import openbook
    src = Path(__file__).resolve().parent.parent / "examples" / "anytown-spend-2025-04.csv"
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(6):
        shutil.copy(src, folder / f"spend-{i}.csv")
    bad = (folder / "spend-3.csv").read_bytes().replace(b"01/04/2025", b"31/04/2025", 1)
    (folder / "spend-3.csv").write_bytes(bad)
    serial = openbook.validate(folder, workers=1)
    parallel = openbook.validate(folder, workers=2)
    assert parallel.to_dict() == serial.to_dict()
    assert [p.path for p in parallel.problems() if p.code == "type-error"] == [str(folder / "spend-3.csv")]

    (folder / "functions.csv").write_text(
        "OrganisationURI,FunctionID,Label\nhttps://www.anytown.gov.uk/,F-NONE,Nothing\n", encoding="utf-8")
    split = openbook.validate(folder, workers=2)
    assert split.to_dict() == openbook.validate(folder, workers=1).to_dict()
    assert any(p.code == "foreign-key" for p in split.problems(limit=100000))


# ------------------------------------------------------------------ amounts (issue 14, case 1)

def _amounts(texts: list[str], group_char=",", bare=False) -> list[tuple]:
    import polars as pl
    from openbook.read import values
    normal, ok = values.parse_number(pl.col("t"), group_char, bare)
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(normal.alias("n"), ok.alias("ok"))
    return [(n if o else None) for n, o in zip(frame["n"], frame["ok"])]


@pytest.mark.parametrize("text, value", [
    ("\u2212612.50", "-612.50"),      # a typographic minus sign
    ("\u2013612.50", "-612.50"),      # an en dash, as a word processor turns a hyphen
    ("612.50-", "-612.50"),           # a trailing minus (SAP, Oracle)
    ("612.50 CR", "-612.50"),         # a credit
    ("612.50cr", "-612.50"),
    ("\u00a3 1,234.56 CR", "-1234.56"),
    ("612.50 DR", "612.50"),          # a debit is a payment
    ("(612.50)", "-612.50"),          # brackets
    ("(\u00a3612.50)", "-612.50"),
    ("\u00a3-612.50", "-612.50"),
    ("-\u00a3612.50", "-612.50"),
    ("GBP 100", "100"),
    ("100.00 GBP", "100.00"),
    ("\u00a31,234.56", "1234.56"),
    ("1234.50", "1234.50"),           # the decimal as written
    ("465171.0800000001", "465171.08"),   # float noise past 15 significant digits
    ("7956.420000000001", "7956.42"),
    ("0.30000000000000004", "0.3"),
])
def test_every_uk_sign_convention_is_read(text, value):
    assert _amounts([text]) == [value]


@pytest.mark.parametrize("text", [
    "1.234,56",        # European: a thousand, or one and a bit?
    "1,5",             # a decimal comma, or a mistyped group?
    "1,23,456",        # groups that are not of three
    "1.234.567",       # two decimal points
    "-612.50 CR",      # two minus signs: which did the ledger mean?
    "(-612.50)",
    "612.50- CR",
    "+612.50 CR",
    "(612.50",         # a bracket that never closes
    "612.50 EUR",      # another currency: not pounds
    "$612.50",
    "12 months",
    "1 234.56",        # a space as a group character, not this field's
])
def test_an_amount_whose_meaning_is_not_certain_is_an_error(text):
    assert _amounts([text]) == [None]


def test_refunds_are_packaged_as_negative_amounts(tmp_path):
    """Case 1 of issue 14, end to end: each way a ledger writes a refund is
    packaged as a negative amount; an ambiguous amount is an error, not a guess."""
    import csv as csvmod
    texts = ["\u2212612.50", "\u2013612.50", "612.50-", "612.50 CR", "(612.50)", "465171.0800000001"]
    lines = [CSV_HEADER] + [",".join(_row(i, c6=t)) for i, t in enumerate(texts)]
    path = _write(tmp_path / "spend.csv", lines)
    result = openbook.package([path], out_dir=tmp_path / "out", org_name="Anytown Council", org_uri=URI,
                              period="2025-04", allow_invalid=True)
    with open(result.path / "data" / "spend.csv", newline="", encoding="utf-8") as f:
        amounts = [r["Amount"] for r in csvmod.DictReader(f)]
    assert amounts == ["-612.50"] * 5 + ["465171.08"]

    bad = _write(tmp_path / "eu.csv", [CSV_HEADER, ",".join(_row(0, c6='"1.234,56"'))])
    report = openbook.validate([bad])
    assert ("type-error", "Amount", "G2") in found(report)


def test_the_quote_split_agrees_with_the_record_scan():
    """delimited._structural_end, where it answers, finds the end the regular
    expressions find, and answers only where they call the block safe."""
    import random

    import openbook.read.delimited as delimited
    rng = random.Random(7)
    pieces = ['"', '""', ",", "\n", "\r\n", "\r", "a", "6", " ", '"x,y"', '"multi\nline"', ";", "\t"]
    answered = 0
    for _ in range(20000):
        delimiter = rng.choice([",", ";", "\t"])
        data = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))).encode()
        if b'"' not in data:
            continue
        got = delimited._structural_end(data, delimiter)
        safe, general, _ = delimited._scanners(delimiter)
        safe_end = safe.match(data).end()
        end = general.match(data, safe_end).end()
        if got is not None:
            answered += 1
            assert (got, True) == (safe_end, end == safe_end), (data, delimiter)
    assert answered > 2000


def test_reading_ahead_gives_every_block_in_order_raises_errors_and_stops_with_its_reader():
    """read/raw.read_ahead: the next block is made in a thread while this one is checked."""
    import threading

    from openbook.errors import OpenbookError
    from openbook.read.raw import read_ahead
    made = []

    def blocks():
        for i in range(6):
            made.append(i)
            yield i
    assert list(read_ahead(blocks)) == list(range(6))

    def broken():
        yield "a"
        raise OpenbookError("spend.csv: a field is 2,000,000 bytes long")
    it = read_ahead(broken)
    assert next(it) == "a"
    with pytest.raises(OpenbookError, match="2,000,000 bytes"):
        next(it)

    made.clear()
    it = read_ahead(blocks)
    next(it)
    it.close()    # the caller stops early: the thread stops too, a block or two ahead at most
    assert not [t for t in threading.enumerate() if t.name == "openbook-read-ahead"]
    assert len(made) <= 3
