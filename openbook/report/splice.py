"""The annotated copy of a large workbook without passing every cell through openpyxl.

openpyxl reads and writes about 50,000 cells a second, so a 150,000-row sheet took
a minute each way. Only the rows that hold a problem (and each table's header row)
are changed, so only they need openpyxl:

1. ``Original.open`` splits each sheet's XML into its rows (bytes, untouched) and
   checks that the sheet is plain enough to be spliced: every row and cell says
   where it is, there are no shared formulas (a formula written once for many
   rows, which openpyxl rewrites), and nothing in ``sheetData`` but rows.
2. ``stripped`` is a copy of the workbook holding only the rows to keep; openpyxl
   loads it and marks it as before (fills, comments, the problems sheet).
3. ``spliced`` puts the original rows back, verbatim, around the marked ones.
   They keep their meaning because openpyxl writes the styles it read in the
   order it read them (a cell's ``s="3"`` is still the same style; new fills are
   added after), and the original shared-strings table is added to the copy
   (openpyxl writes its own cells' text inline, so a ``t="s"`` cell of an
   original row still finds its text).

A workbook that is not plain enough (``Original.open`` returns None) is annotated
the slow way, through openpyxl whole. The result is the same workbook: every cell
and style of the original, the problem cells marked.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_CELL_COLUMN = re.compile(rb'<c\b[^>]*?\sr="([A-Z]+)\d+"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>')
_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", re.S)
SST_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
SST_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_PART = "xl/sharedStrings.xml"


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _letters(index: int) -> str:
    s = ""
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


@dataclass
class Sheet:
    part: str
    head: bytes                                  # the XML before <sheetData>
    tail: bytes                                  # the XML after </sheetData>
    rows: list[tuple[int, bytes]]                # (row number, the row's XML), in order
    min_col: int = 0                             # 1-based bounds of the cells, as openpyxl's min_column
    max_col: int = 0


@dataclass
class Original:
    path: Path
    parts: dict[str, bytes]                      # every part of the zip, inflated
    sheets: dict[str, Sheet] = field(default_factory=dict)   # sheet name -> its rows
    sst: bytes | None = None

    @classmethod
    def open(cls, path: Path) -> "Original | None":
        """The workbook's parts and its sheets' rows, or None when a sheet cannot be spliced."""
        from openbook.read.xlsx import _sheet_parts
        try:
            with zipfile.ZipFile(path) as zf:
                names = _sheet_parts(zf)
                parts = {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}
        except Exception:     # openpyxl's own error, on the slow path, names the problem
            return None
        if len(set(names.values())) != len(names):
            return None
        book = cls(path, parts)
        for name, part in names.items():
            if part not in parts:
                return None
            sheet = _split(part, parts[part])
            if sheet is False:
                return None
            if sheet is not None:
                book.sheets[name] = sheet
        book.sst = _shared_strings(parts)
        return book

    def bounds(self, name: str) -> tuple[int, int] | None:
        sheet = self.sheets.get(name)
        return (sheet.min_col, sheet.max_col) if sheet and sheet.max_col else None

    def stripped(self, keep: dict[str, set[int]]) -> io.BytesIO:
        """The workbook with only the rows in ``keep`` (sheet name -> row numbers)."""
        parts = dict(self.parts)
        for name, sheet in self.sheets.items():
            rows = keep.get(name, set())
            parts[sheet.part] = _join(sheet, [xml for n, xml in sheet.rows if n in rows])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
            for name, data in parts.items():
                zf.writestr(name, data)
        out.seek(0)
        return out

    def spliced(self, marked: bytes, keep: dict[str, set[int]]) -> list[tuple[str, bytes]]:
        """The parts of the annotated copy: openpyxl's (``marked``, a saved copy of
        ``stripped``), with each sheet's other rows put back from the original."""
        from openbook.read.xlsx import _sheet_parts
        with zipfile.ZipFile(io.BytesIO(marked)) as zf:
            names = _sheet_parts(zf)
            parts = [(info.filename, zf.read(info)) for info in zf.infolist() if not info.is_dir()]
        by_part = {part: name for name, part in names.items() if name in self.sheets}
        out = []
        for part, data in parts:
            name = by_part.get(part)
            if name is not None:
                data = _merge(self.sheets[name], data, keep.get(name, set()))
            elif self.sst is not None and part == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/{SST_PART}" ContentType="{SST_CONTENT}"/>'
                                    "</Types>".encode())
            elif self.sst is not None and part == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdOpenbookStrings" Type="{SST_TYPE}" '
                                    f'Target="/{SST_PART}"/></Relationships>'.encode())
            out.append((part, data))
            if part == "xl/styles.xml" and self.sst is not None:
                out.append((SST_PART, self.sst))
        if self.sst is not None and SST_PART not in {p for p, _ in out}:
            out.append((SST_PART, self.sst))
        return out


def _shared_strings(parts: dict[str, bytes]) -> bytes | None:
    """The original shared-strings part, found through the workbook's relationships."""
    rels = parts.get("xl/_rels/workbook.xml.rels", b"")
    for m in re.finditer(rb"<Relationship\b[^>]*>", rels):
        if SST_TYPE.encode() in m.group(0):
            target = re.search(rb'Target="([^"]+)"', m.group(0))
            if target:
                t = target.group(1).decode()
                name = t.lstrip("/") if t.startswith("/") else "xl/" + t
                return parts.get(name)
    return None


def _split(part: str, data: bytes) -> Sheet | None | bool:
    """The sheet's rows; None for a part with no cells (a chart sheet), False when
    the sheet is not plain enough to splice."""
    m = _SHEET_DATA.search(data)
    if m is None:
        return None
    body = m.group(1) or b""
    if b't="shared"' in body or b"<sheetData" in body:
        return False
    rows: list[tuple[int, bytes]] = []
    pos, end = 0, len(body)
    min_col, max_col = 0, 0
    while True:
        start = body.find(b"<row", pos)
        if start < 0:
            if body[pos:].strip():
                return False
            break
        if body[pos:start].strip() or body[start + 4:start + 5] not in (b" ", b">", b"/"):
            return False
        close = body.find(b">", start)
        if close < 0:
            return False
        number = _ROW_NUMBER.search(body, start, close)
        if number is None:
            return False
        if body[close - 1:close] == b"/":
            stop = close + 1
        else:
            stop = body.find(b"</row>", close)
            if stop < 0:
                return False
            stop += 6
            first = _CELL_COLUMN.search(body, close + 1, stop)
            last_at = max(body.rfind(b"<c ", close, stop), body.rfind(b"<c>", close, stop))
            last = _CELL_COLUMN.match(body, last_at) if last_at >= 0 else None
            if first and last:
                lo, hi = _column(first.group(1)), _column(last.group(1))
                min_col = lo if not min_col else min(min_col, lo)
                max_col = max(max_col, hi)
        rows.append((int(number.group(1)), body[start:stop]))
        pos = stop
    # every cell says where it is (a cell without a reference is placed after the one before)
    if body.count(b"<c") != body.count(b' r="') - len(rows):
        return False
    if any(a[0] >= b[0] for a, b in zip(rows, rows[1:])):
        return False
    return Sheet(part, data[:m.start()], data[m.end():], rows, min_col, max_col)


def _join(sheet: Sheet, rows: list[bytes]) -> bytes:
    body = b"".join(rows)
    return sheet.head + (b"<sheetData>" + body + b"</sheetData>" if body else b"<sheetData/>") + sheet.tail


def _merge(sheet: Sheet, marked: bytes, keep: set[int]) -> bytes:
    """openpyxl's sheet with the original rows back: a kept row as openpyxl wrote
    it (marked), any other original row verbatim, and a row openpyxl added (a
    cell that holds only a comment or a link) where the original has none."""
    m = _SHEET_DATA.search(marked)
    written = _split("", marked) if m else None
    if not written:
        raise ValueError("openpyxl's sheet could not be split")   # cannot happen: it writes plain rows
    rows = dict(sheet.rows)
    for n, xml in written.rows:
        if n in keep or n not in rows:
            rows[n] = xml
    merged = [rows[n] for n in sorted(rows)]
    body = b"".join(merged)
    head, tail = marked[:m.start()], marked[m.end():]
    head = _DIMENSION.sub(lambda d: _dimension(d, sheet, written), head, count=1)
    return head + (b"<sheetData>" + body + b"</sheetData>" if body else b"<sheetData/>") + tail


def _dimension(d: re.Match, sheet: Sheet, written: Sheet) -> bytes:
    """The used range of the whole sheet: openpyxl's (the kept rows) and the original rows'."""
    cols = [c for c in (sheet.min_col, sheet.max_col, written.min_col, written.max_col) if c]
    rows = [n for n, _ in sheet.rows[:1] + sheet.rows[-1:] + written.rows[:1] + written.rows[-1:]]
    if not cols or not rows:
        return d.group(0)
    return f'<dimension ref="{_letters(min(cols))}{min(rows)}:{_letters(max(cols))}{max(rows)}"/>'.encode()
