"""Excel templates generated from the schemas (``openbook init``).

``write_template(out_path, profile="council")`` writes a workbook that a
finance officer can fill in and that ``openbook validate`` accepts as it is:

- "About", first: what the workbook is, the standard and its version, the
  submission details the packager reads (Organisation name, Organisation URI,
  Period, Population, Licence) and what each sheet holds;
- one sheet per resource of the profile, titled as the profile titles it
  ("Functions", "Roles (senior)", ...), with a frozen, styled header row of
  the standard field names and sensible column widths;
- on every data column: an input message (the field's description, whether it
  is required, an example), a dropdown where the field has an enum or a code
  list, and a date, number or text format;
- "Lists", hidden: the long dropdown lists (code lists with their labels).
"""
from __future__ import annotations

import re
from pathlib import Path

from openbook.standard import schemas
from openbook.errors import OpenbookError
from openbook.standard.metadata import is_web_address
from openbook.files import save_workbook

ABOUT_SHEET = "About"
LISTS_SHEET = "Lists"
LAST_ROW = 1_048_576          # validations and formats cover the whole column
INLINE_LIST_MAX = 6           # enums with more values go on the Lists sheet
LICENCE = "OGL-UK-3.0"
HEADER_FILL = "1D4F91"        # white bold text on this blue: contrast 8.6:1
REQUIRED_FILL = "0B0C0C"      # required columns: white on near-black

# Keys the packager reads from the About sheet, in this order.
ABOUT_KEYS = ["Organisation name", "Organisation URI", "Period", "Population", "Licence"]

FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "integer": "#,##0",
    "year": "0",
    "string": "@",             # text: IDs such as 01234567 keep their leading zero
}


def write_template(out_path: str | Path, profile: str = "council", org: str | None = None,
                   org_uri: str | None = None, force: bool = False) -> Path:
    """Write a template workbook for ``profile`` to ``out_path``; returns the path."""
    out = Path(out_path)
    if out.suffix.lower() != ".xlsx":
        raise OpenbookError(f"{out}: a template is an Excel workbook; give it a name ending .xlsx.")
    if profile not in schemas.profile_names():
        raise OpenbookError(f"--profile {profile}: no such profile. Use one of: "
                            f"{', '.join(schemas.profile_names())}.")
    if org_uri is not None and not is_web_address(org_uri.strip()):
        raise OpenbookError(f"--org-uri {org_uri}: not a web address. Give your organisation's URI, "
                            "such as https://anytown.gov.uk.")
    if out.exists() and not force:
        raise OpenbookError(f"{out}: the file already exists and may hold your data. Choose another "
                            "name, or delete the file first (or use --force to replace it).")
    if out.is_dir():
        raise OpenbookError(f"{out}: this is a folder. Give the name of the workbook to write.")
    wb = build_template(profile, org=org, org_uri=org_uri)
    save_workbook(wb, out, "template")
    return out


def build_template(profile: str = "council", org: str | None = None, org_uri: str | None = None):
    """The template as an openpyxl Workbook (not saved)."""
    import openpyxl
    prof = schemas.profile(profile)
    wb = openpyxl.Workbook()
    about = wb.active
    about.title = ABOUT_SHEET
    lists = _Lists(wb)
    sheets = []
    for res in prof["resources"]:
        schema = schemas.load(res["name"])
        title = _sheet_title(res.get("title") or schema.get("title") or res["name"])
        ws = wb.create_sheet(title)
        _data_sheet(ws, schema, lists)
        sheets.append((title, res, schema))
    _about_sheet(about, prof, sheets, org, org_uri)
    lists.finish()
    wb.active = 0
    return wb


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31]


# ------------------------------------------------------------ data sheets

def _field_format(field: dict) -> str:
    ftype = field.get("type", "string")
    if ftype == "number":
        title = (field.get("title") or "") + field["name"]
        return "#,##0.00" if "£" in title or "cost" in title.lower() or "amount" in title.lower() else "General"
    return FORMATS.get(ftype, "General")


def _width(field: dict) -> float:
    longest = max(len(field["name"]), min(len(str(field.get("example", ""))), 40))
    return float(max(10, min(45, longest + 3)))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _prompt(field: dict) -> tuple[str, str]:
    """(title ≤ 32 characters, message ≤ 255 characters) for Excel's input message."""
    cons = field.get("constraints", {})
    title = _shorten(field.get("title") or field["name"], 32)
    tail = []
    if cons.get("required"):
        tail.append("Required.")
    example = field.get("example")
    if example not in (None, ""):
        tail.append(f"Example: {example}")
    tail_text = " ".join(tail)
    room = 255 - len(tail_text) - 1
    body = _shorten(field.get("description", ""), max(room, 40))
    prompt = f"{body} {tail_text}".strip()
    return title, _shorten(prompt, 255)


class _Lists:
    """The hidden sheet holding long dropdown lists, two columns each (code, label)."""

    def __init__(self, wb):
        self.wb = wb
        self.ws = None
        self.next_col = 1
        self.ranges: dict[tuple, str] = {}

    def range_for(self, heading: str, codes: list[str], labels: list[str] | None) -> str:
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
        key = (tuple(codes), tuple(labels or ()))
        if key in self.ranges:
            return self.ranges[key]
        if self.ws is None:
            self.ws = self.wb.create_sheet(LISTS_SHEET)
        col = self.next_col
        self.next_col += 3 if labels else 2
        letter = get_column_letter(col)
        head = self.ws.cell(row=1, column=col, value=f"{heading}: codes")
        head.font = Font(bold=True)
        for i, code in enumerate(codes, 2):
            c = self.ws.cell(row=i, column=col, value=str(code))
            c.data_type = "s"
            c.number_format = "@"
        self.ws.column_dimensions[letter].width = max(12, min(40, max(len(str(c)) for c in codes) + 2))
        if labels:
            label_letter = get_column_letter(col + 1)
            self.ws.cell(row=1, column=col + 1, value=f"{heading}: labels").font = Font(bold=True)
            for i, label in enumerate(labels, 2):
                self.ws.cell(row=i, column=col + 1, value=label).data_type = "s"
            self.ws.column_dimensions[label_letter].width = 50
        ref = f"{LISTS_SHEET}!${letter}$2:${letter}${len(codes) + 1}"
        self.ranges[key] = ref
        return ref

    def finish(self):
        if self.ws is not None:
            self.ws.sheet_state = "hidden"
            # last, out of the way of the data sheets
            self.wb.move_sheet(self.ws, offset=len(self.wb.worksheets) - 1 - self.wb.index(self.ws))


def _data_sheet(ws, schema: dict, lists: _Lists) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True, color="FFFFFF")
    fills = {True: PatternFill(fill_type="solid", start_color=REQUIRED_FILL, end_color=REQUIRED_FILL),
             False: PatternFill(fill_type="solid", start_color=HEADER_FILL, end_color=HEADER_FILL)}
    for j, field in enumerate(schema["fields"], 1):
        letter = get_column_letter(j)
        cons = field.get("constraints", {})
        cell = ws.cell(row=1, column=j, value=field["name"])
        cell.data_type = "s"
        cell.font = bold
        cell.fill = fills[bool(cons.get("required"))]
        cell.alignment = Alignment(vertical="center", wrap_text=False)
        dim = ws.column_dimensions[letter]
        dim.width = _width(field)
        dim.number_format = _field_format(field)

        title, prompt = _prompt(field)
        rng = f"{letter}2:{letter}{LAST_ROW}"
        enum = cons.get("enum")
        ftype = field.get("type", "string")
        if ftype == "boolean" and not enum:
            enum = ["Yes", "No"]
        if enum:
            labels = None
            if field.get("x-codelist"):
                labels = [e["label"] for e in schemas.codelist(field["x-codelist"])]
            inline = ",".join(str(v) for v in enum)
            if (len(enum) <= INLINE_LIST_MAX and len(inline) < 250 and not labels
                    and not any("," in str(v) or '"' in str(v) for v in enum)):
                formula = f'"{inline}"'
            else:
                formula = lists.range_for(f"{schema['name']} {field['name']}", [str(v) for v in enum], labels)
            dv = DataValidation(type="list", formula1=formula, allow_blank=True,
                                errorStyle="warning" if field.get("x-redactable") else "stop",
                                errorTitle="Not on the list",
                                error=_shorten(f"{field.get('title') or field['name']} must be one of the values "
                                               "in the dropdown list. Choose one from the list.", 255))
        else:
            dv = DataValidation(allow_blank=True)
        dv.showInputMessage = True
        dv.promptTitle = title
        dv.prompt = prompt
        dv.showErrorMessage = bool(enum)
        dv.add(rng)
        ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 20
    ws.sheet_view.zoomScale = 100


# ------------------------------------------------------------ About sheet

def _about_sheet(ws, prof: dict, sheets: list[tuple[str, dict, dict]], org, org_uri) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    key_fill = PatternFill(fill_type="solid", start_color="F3F2F1", end_color="F3F2F1")
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 90

    def line(row: int, text: str, font=None) -> None:
        c = ws.cell(row=row, column=1, value=text)
        c.data_type = "s"
        if font:
            c.font = font

    line(1, f"Open-book data template: {prof.get('title', prof['name'])}", Font(bold=True, size=16))
    line(2, f"Standard: the open-book standard, version {schemas.STANDARD_VERSION} "
            f"({prof['name']} profile, version {prof.get('version', schemas.STANDARD_VERSION)}).")
    line(3, "Fill in the details below, then one sheet per table. Check the workbook with "
            "openbook validate <this file> before you publish it.")

    row = 5
    line(row, "About this submission", Font(bold=True, size=13))
    row += 1
    values = {"Organisation name": org or "", "Organisation URI": (org_uri or "").strip(),
              "Period": "", "Population": "", "Licence": LICENCE}
    hints = {"Organisation name": "Your organisation's full name, e.g. Anytown Borough Council.",
             "Organisation URI": "Your organisation's web address or identifier, e.g. https://anytown.gov.uk. "
                                 "Use the same value in every OrganisationURI cell.",
             "Period": "The financial year the data covers, e.g. 2025-26.",
             "Population": "The number of residents you serve (a whole number), e.g. 98000.",
             "Licence": "The licence the data is published under. OGL-UK-3.0 is the Open Government Licence."}
    for key in ABOUT_KEYS:
        k = ws.cell(row=row, column=1, value=key)
        k.font = bold
        k.fill = key_fill
        v = ws.cell(row=row, column=2, value=values[key] or None)
        v.number_format = "@" if key != "Population" else "#,##0"
        h = ws.cell(row=row, column=4, value=hints[key])
        h.alignment = wrap
        row += 1

    row += 1
    line(row, "The sheets", Font(bold=True, size=13))
    row += 1
    for j, head in enumerate(["Sheet", "What it holds", "Required", "Notes"], 1):
        c = ws.cell(row=row, column=j, value=head)
        c.font = bold
        c.fill = key_fill
    row += 1
    for title, res, schema in sheets:
        required = [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")]
        ws.cell(row=row, column=1, value=title).data_type = "s"
        ws.cell(row=row, column=2, value=schema.get("description", "")).alignment = wrap
        ws.cell(row=row, column=3, value="yes" if res.get("required") else "no")
        ws.cell(row=row, column=4, value=f"{len(schema['fields'])} columns; must be filled in: "
                                         f"{', '.join(required)}.").alignment = wrap
        row += 1

    row += 1
    line(row, "How to fill it in", Font(bold=True, size=13))
    row += 1
    notes = [
        "Row 1 of each sheet holds the standard column names: do not change or move them. Dark headings "
        "are required columns; blue ones are optional and may be left empty.",
        "Click a cell to see what its column holds and an example. Where a cell has a dropdown, choose "
        "from the list.",
        "Dates: type them as you normally would (31/01/2025); they are shown as 2025-01-31.",
        "Amounts are in pounds. Credit notes are negative. Financial years are written 2025/26.",
        "Delete any sheet you do not publish, except the required ones. Do not add blank rows between rows "
        "of data.",
        "The full standard is in docs/schemas.md of openbook, and `openbook schemas show <table>` prints "
        "one table's columns.",
    ]
    for note in notes:
        c = ws.cell(row=row, column=1, value="•")
        c.alignment = Alignment(horizontal="right", vertical="top")
        n = ws.cell(row=row, column=2, value=note)
        n.alignment = wrap
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        row += 1


