"""Write a copy of a submission with every problem marked where it is.

``annotate(report, out_path)`` writes, for each source file of the report, an
.xlsx workbook in which:

- every failing cell is filled red (errors) or amber (warnings) and carries an
  Excel comment (author "openbook") with its message(s);
- a problem with a whole row (a blank row, a repeated line, a missing column
  on the header row) tints that row's used cells lightly (pink or pale
  yellow) and puts the comment on the row's first used cell; a repeated key
  (primary-key) also fills, and comments, the cell of the key's most specific
  column (FunctionID rather than OrganisationURI);
- a first sheet, "openbook problems", lists every problem (severity,
  location, field, value, message) with a link to its cell, under a frozen
  header row with filters.

The original file is never opened for writing: an .xlsx/.xlsm is read from
its bytes, and the result is written to a temporary file then moved onto
``out_path``. A CSV (or legacy .xls/.ods) becomes an .xlsx built from its rows,
one sheet named after the file, so cell references match the report's.

One source file: written to ``out_path`` as given. Several source files: one
workbook each, named ``<out stem>-<source stem>.xlsx`` next to ``out_path``.
Macros in an .xlsm are not kept (the copy is an .xlsx).
"""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from pathlib import Path

from openbook.errors import OpenbookError
from openbook.files import save_workbook, save_workbook_parts
from openbook.check.result import Problem, Report

PROBLEMS_SHEET = "openbook problems"
AUTHOR = "openbook"
# Fills readable with black text (contrast well over 4.5:1).
ERROR_FILL = "FF8A80"      # red
WARNING_FILL = "FFC83D"    # amber
ERROR_ROW_FILL = "FDE0DC"  # light red tint for whole-row errors
WARNING_ROW_FILL = "FFF1C7"  # light amber tint for whole-row warnings
MAX_SHEET_ROWS = 1_048_576
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def annotate(report: Report, out_path: str | Path) -> list[Path]:
    """Write annotated copies of the report's source files; returns the paths written."""
    out = Path(out_path)
    if out.suffix.lower() != ".xlsx":
        raise OpenbookError(f"{out}: the annotated copy is an Excel workbook; give it a name ending .xlsx.")
    sources = _sources(report)
    if not sources:
        raise OpenbookError(f"{out}: there is no source file to annotate (no table was read from a file).")
    inputs = {Path(s).resolve() for s in sources}
    targets = {}
    for src in sources:
        target = out if len(sources) == 1 else out.with_name(f"{out.stem}-{_safe_stem(Path(src).stem)}.xlsx")
        if target.resolve() in inputs:
            raise OpenbookError(f"{target}: this is one of the files being checked; openbook never "
                                "overwrites an original. Choose another name for --annotate.")
        targets[src] = target
    # problems with no file of their own (a missing sheet) go on every problems sheet
    general = [p for p in report.iter_problems(reveal=True) if p.path not in targets]
    by_source: dict[str, list[Problem]] = defaultdict(list)
    for p in report.iter_problems(reveal=True):
        if p.path in targets:
            by_source[p.path].append(p)
    tables = {(t.path, t.sheet, t.name): t for t in report.tables}
    written = []
    for src, target in targets.items():
        _write_copy(Path(src), target, by_source.get(src, []), general, tables)
        written.append(target)
    return written


def _write_copy(src: Path, target: Path, problems: list[Problem], general: list[Problem], tables: dict,
                splice: bool = True) -> None:
    """One annotated copy. A workbook whose sheets can be spliced (report/splice.py)
    passes only its marked rows through openpyxl; any other file passes whole."""
    from openbook.report.splice import NotSpliced, Original
    suffix = src.suffix.lower()
    try:
        if splice and suffix in (".xlsx", ".xlsm"):
            original = Original.open(src)
            if original is not None:
                return _write_spliced(src, target, original, problems, general, tables)
        elif splice and suffix in (".csv", ".tsv", ".txt"):
            original, title = _csv_original(src)
            if original is not None:
                return _write_spliced(src, target, original, problems, general, tables, csv_sheet=title)
    except NotSpliced:
        pass      # nothing was written: the slow way below
    wb, sheet_of = _load(src)
    anchors = _mark(wb, sheet_of, problems, tables)
    _problems_sheet(wb, sheet_of, problems + general, src.name, anchors)
    _save(wb, target)


def _write_spliced(src: Path, target: Path, original, problems: list[Problem], general: list[Problem],
                   tables: dict, csv_sheet: str | None = None) -> None:
    # an annotated copy annotated again: its old problems sheet is dropped, never spliced into the new one
    original.sheets.pop(PROBLEMS_SHEET, None)
    keep = _rows_to_keep(src, problems, tables, csv_sheet)
    wb, sheet_of = _open_xlsx(src, original.stripped(keep))
    if csv_sheet is not None:       # a CSV's one sheet holds every problem, as on the slow path
        sheet_of = lambda p: wb[csv_sheet]  # noqa: E731
    anchors = _mark(wb, sheet_of, problems, tables, original.bounds)
    _problems_sheet(wb, sheet_of, problems + general, src.name, anchors)
    marked = io.BytesIO()
    wb.save(marked)
    save_workbook_parts(original.spliced(marked.getvalue(), keep), target, "annotated workbook")


def _rows_to_keep(src: Path, problems: list[Problem], tables: dict, csv_sheet: str | None = None
                  ) -> dict[str, set[int]]:
    """Sheet name -> the rows openpyxl must see: each problem's row, and each
    table's header row (where a repeated key's column is found). A CSV's
    problems and tables are all on its one sheet, ``csv_sheet``."""
    keep: dict[str, set[int]] = defaultdict(set)
    for p in problems:
        sheet = csv_sheet or p.sheet
        if sheet is None:
            continue
        if p.cell:
            digits = p.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            if digits.isdigit():
                keep[sheet].add(int(digits))
        if p.row:
            keep[sheet].add(p.row)
    for t in tables.values():
        if t.path == str(src) and t.header_row and (csv_sheet or t.sheet):
            keep[csv_sheet or t.sheet].add(t.header_row)
    return keep


def _csv_original(path: Path):
    """The CSV as the workbook the slow path writes (``_fill_rows``: one sheet, every
    value inline text, empty cells left out), for the splice; (None, None) when a
    value holds a character no workbook can (the slow path then says so)."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter
    from openbook.report.splice import Original
    rows = _csv_rows(path)
    if ILLEGAL_CHARACTERS_RE.search("\n".join("\n".join(record) for record in rows)):
        return None, None
    wb = openpyxl.Workbook()
    title = wb.active.title = _sheet_title(path.stem)
    skeleton = io.BytesIO()
    wb.save(skeleton)
    letters = [get_column_letter(c) for c in range(1, max((len(r) for r in rows), default=0) + 1)]
    out = []
    for r, record in enumerate(rows, 1):
        cells = [f'<c r="{letters[c]}{r}" t="inlineStr"><is>{_text_element(v)}</is></c>'
                 for c, v in enumerate(record) if v]
        if cells:
            out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return Original.written(path, skeleton.getvalue(), "".join(out).encode("utf-8")), title


def _text_element(value: str) -> str:
    """<t> as openpyxl writes it: &, < and > escaped, and xml:space="preserve" when
    the text has spaces at either end (openpyxl.xml.functions.whitespace)."""
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    stripped = value.strip()
    return f'<t xml:space="preserve">{text}</t>' if stripped and stripped != value else f"<t>{text}</t>"


def _sources(report: Report) -> list[str]:
    seen: list[str] = []
    for t in report.tables + report.skipped:
        if t.path not in seen and Path(t.path).is_file():
            seen.append(t.path)
    return seen


def _safe_stem(stem: str) -> str:
    return re.sub(r"[^\w.-]+", "-", stem).strip("-") or "file"


def _sheet_title(stem: str) -> str:
    title = _BAD_SHEET_CHARS.sub("_", stem).strip("'")[:31]
    if not title or title.lower() == PROBLEMS_SHEET:
        title = "Data"
    return title


# ------------------------------------------------------------------ loading

def _load(path: Path):
    """An openpyxl workbook holding a copy of ``path``, and a function giving the
    sheet of a problem."""
    import openpyxl
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        # the original is only read, never opened for writing
        return _open_xlsx(path, io.BytesIO(path.read_bytes()))
    if suffix in (".csv", ".tsv", ".txt"):
        rows = _csv_rows(path)
    else:
        return _load_calamine(path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _sheet_title(path.stem)
    _fill_rows(ws, rows)
    return wb, lambda p: ws


def _open_xlsx(path: Path, data: io.BytesIO):
    import openpyxl
    try:
        wb = openpyxl.load_workbook(data, rich_text=False)
    except Exception as exc:
        raise OpenbookError(f"{path}: the workbook could not be opened to annotate it ({first_line(exc)}). "
                            "Open it in Excel and save it again as .xlsx.") from None
    if PROBLEMS_SHEET in wb.sheetnames:  # annotating an annotated copy: start afresh
        del wb[PROBLEMS_SHEET]
    return wb, lambda p: wb[p.sheet] if p.sheet in wb.sheetnames else None


def _csv_rows(path: Path) -> list[list[str]]:
    """The CSV's records, read as openbook.read reads them (encoding, delimiter)."""
    from openbook.read.delimited import detect_encoding, sniff_delimiter, strip_bom
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        text = f.read()
    delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text[: 256 * 1024])
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if rows and rows[0]:
        rows[0][0] = strip_bom(rows[0][0])
    return rows


def _fill_rows(ws, rows) -> None:
    for r, record in enumerate(rows, 1):
        for c, value in enumerate(record, 1):
            if value is None or value == "":
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: "=SUM(..)" in a CSV is not a formula here


def _load_calamine(path: Path):
    import openpyxl
    import python_calamine
    from openbook.read.sheets import cell_text
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise OpenbookError(f"{path}: the workbook could not be read ({first_line(exc)}). "
                            "Save it as .xlsx.") from None
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in book.sheet_names:
        ws = wb.create_sheet(_sheet_title(name))
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        _fill_rows(ws, [[cell_text(v) for v in row] for row in rows])
    titles = {name: _sheet_title(name) for name in book.sheet_names}
    return wb, lambda p: wb[titles[p.sheet]] if p.sheet in titles else None


# ------------------------------------------------------------------ marking

def _mark(wb, sheet_of, problems: list[Problem], tables: dict, bounds_of=None) -> dict[int, str]:
    """Fill and comment the failing cells; returns id(problem) -> the cell that carries it.
    ``bounds_of(title)`` gives the columns of the sheet's rows that openpyxl was not given
    (report/splice.py), so that a tinted row spans the whole sheet as before."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    fills = {k: PatternFill(fill_type="solid", start_color=v, end_color=v) for k, v in
             {"error": ERROR_FILL, "warning": WARNING_FILL,
              "error-row": ERROR_ROW_FILL, "warning-row": WARNING_ROW_FILL}.items()}
    cell_notes: dict[tuple[str, str], list[Problem]] = defaultdict(list)   # (sheet, cell) -> problems
    row_notes: dict[tuple[str, int], list[Problem]] = defaultdict(list)    # (sheet, row) -> problems
    anchors: dict[int, str] = {}
    sheets = {}
    for p in problems:
        ws = sheet_of(p)
        if ws is None:
            continue
        sheets[ws.title] = ws
        if p.cell:
            cell_notes[(ws.title, p.cell)].append(p)
        elif p.row:
            row_notes[(ws.title, p.row)].append(p)
    bounds = {title: (ws.min_column or 1, max(ws.max_column or 1, ws.min_column or 1))
              for title, ws in sheets.items()}
    for title in bounds:
        more = bounds_of(title) if bounds_of else None
        if more:
            bounds[title] = (min(bounds[title][0], more[0]), max(bounds[title][1], more[1]))
    key_columns: dict[tuple, int | None] = {}

    # whole rows first, lightly, so that a cell's own fill wins
    comments: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for (title, row), ps in row_notes.items():
        ws = sheets[title]
        severity = "error" if any(p.severity == "error" for p in ps) else "warning"
        first, last = bounds[title]
        used = [c for c in range(first, last + 1) if ws.cell(row=row, column=c).value not in (None, "")]
        for c in range(first, last + 1):
            ws.cell(row=row, column=c).fill = fills[f"{severity}-row"]
        default = ws.cell(row=row, column=used[0] if used else first).coordinate
        for p in ps:
            anchor = default
            if p.code == "primary-key":
                # a repeated key: mark its most specific column (FunctionID, CostLineID)
                t = tables.get((p.path, p.sheet, p.table))
                key = (title, t.name if t else None)
                if key not in key_columns:
                    key_columns[key] = _key_column(ws, t)
                col = key_columns[key]
                if col is not None:
                    anchor = ws.cell(row=row, column=col).coordinate
                    cell_notes[(title, anchor)].append(p)
                    anchors[id(p)] = anchor
                    continue
            comments[(title, anchor)].append(p)
            anchors[id(p)] = anchor
    for (title, ref), ps in cell_notes.items():
        ws = sheets[title]
        severity = "error" if any(p.severity == "error" for p in ps) else "warning"
        ws[ref].fill = fills[severity]
        comments[(title, ref)].extend(ps)
        for p in ps:
            anchors[id(p)] = ref
    for (title, ref), ps in comments.items():
        cell = sheets[title][ref]
        lines = [f"{p.severity.capitalize()} ({p.code}): {p.message}" for p in ps]
        text = "\n".join(lines)
        if cell.comment is not None and cell.comment.text and cell.comment.author != AUTHOR:
            text = f"{cell.comment.text}\n\n{AUTHOR}:\n{text}"
        width = 320
        chars_per_line = 45
        height = min(600, 20 + 15 * sum(1 + len(line) // chars_per_line for line in text.splitlines()))
        cell.comment = Comment(text, AUTHOR, width=width, height=height)
    return anchors


def _key_column(ws, table) -> int | None:
    """The sheet column of the last primary-key field of ``table`` (the most specific
    part of the key: FunctionID rather than OrganisationURI), from its header row."""
    if table is None or not table.schema or not table.header_row:
        return None
    try:
        from openbook.standard.plan import normalise_header, plan
        p = plan(table.schema)
    except Exception:
        return None
    keys = p.schema.get("primaryKey") or []
    if isinstance(keys, str):
        keys = [keys]
    found = {}
    for cell in ws[table.header_row]:
        if cell.value not in (None, ""):
            name = p.aliases.get(normalise_header(cell.value))
            if name and name not in found:
                found[name] = cell.column
    for name in reversed(keys):
        if name in found:
            return found[name]
    return None


def _quote_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _problems_sheet(wb, sheet_of, problems: list[Problem], source: str, anchors: dict[int, str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    ws = wb.create_sheet(PROBLEMS_SHEET, 0)
    headers = ["Severity", "Location", "Sheet", "Cell", "Row", "Field", "Value", "Code", "Message"]
    ws.append(headers)
    bold = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill(fill_type="solid", start_color="1D4F91", end_color="1D4F91")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = head_fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    link_font = Font(color="1D4F91", underline="single")
    sev_fill = {"error": PatternFill(fill_type="solid", start_color=ERROR_FILL, end_color=ERROR_FILL),
                "warning": PatternFill(fill_type="solid", start_color=WARNING_FILL, end_color=WARNING_FILL)}
    limit = MAX_SHEET_ROWS - 2
    for i, p in enumerate(problems):
        if i >= limit:
            ws.append([None, f"... and {len(problems) - limit} more problems: see the JSON report "
                             "(openbook validate --format json)."])
            break
        target = sheet_of(p)
        ref = anchors.get(id(p)) or p.cell or "A1"
        row = [p.severity, p.location, target.title if target is not None else (p.sheet or ""),
               p.cell or "", p.row, p.field or "", p.value if p.value is not None else "", p.code, p.message]
        ws.append(row)
        r = ws.max_row
        for c in (2, 3, 6, 7, 9):  # text from the data stays text, never a formula
            if isinstance(ws.cell(row=r, column=c).value, str):
                ws.cell(row=r, column=c).data_type = "s"
        ws.cell(row=r, column=1).fill = sev_fill.get(p.severity, sev_fill["warning"])
        if target is not None:
            loc = ws.cell(row=r, column=2)
            # an in-workbook link ("Place in this document"), as Excel writes one
            loc.hyperlink = Hyperlink(ref=loc.coordinate, location=f"{_quote_sheet(target.title)}!{ref}",
                                      tooltip=f"Go to {p.location}")
            loc.font = link_font
    if not problems:
        ws.append(["", f"No problems found in {source}."])
    widths = [10, 22, 18, 7, 7, 24, 28, 18, 90]
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(ws.max_row, 2)}"
    # open on the problems sheet, with only it selected
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0


def _save(wb, target: Path) -> None:
    save_workbook(wb, target, "annotated workbook")


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


