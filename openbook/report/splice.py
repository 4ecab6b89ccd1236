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

A CSV's copy is spliced the same way (``Original.written``): annotate.py writes its
sheet XML as openpyxl would, and openpyxl sees only the problem rows.

A workbook that is not plain enough (``Original.open`` returns None) is annotated
the slow way, through openpyxl whole. The result is the same workbook: every cell
and style of the original, the problem cells marked.
"""
from __future__ import annotations

import bisect
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


class NotSpliced(Exception):
    """openpyxl wrote a sheet this module cannot read back (it writes plain rows, so
    this is not expected): the copy is then made the slow way."""


@dataclass
class Sheet:
    part: str
    head: bytes                                  # the XML before <sheetData>
    tail: bytes                                  # the XML after </sheetData>
    body: bytes                                  # the rows, as they are
    numbers: list[int]                           # each row's number, ascending
    starts: list[int]                            # where each row starts in body (it ends where the next starts)
    _bounds: tuple[int, int] | None = None

    def end(self, i: int) -> int:
        return self.starts[i + 1] if i + 1 < len(self.starts) else len(self.body)

    def index(self, number: int) -> int | None:
        i = bisect.bisect_left(self.numbers, number)
        return i if i < len(self.numbers) and self.numbers[i] == number else None

    def rows(self, numbers) -> list[tuple[int, bytes]]:
        """(number, XML) of those of ``numbers`` the sheet has, in order."""
        found = sorted(i for i in map(self.index, numbers) if i is not None)
        return [(self.numbers[i], self.body[self.starts[i]:self.end(i)]) for i in found]

    def bounds(self) -> tuple[int, int]:
        """The first and last column (1-based) any cell reaches, as openpyxl's
        min_column and max_column; (0, 0) with no cells. Found when first asked:
        only a sheet with a whole-row problem needs it."""
        if self._bounds is None:
            lo = hi = 0
            body = self.body
            for i, start in enumerate(self.starts):
                end = self.end(i)
                first = _CELL_COLUMN.search(body, start, end)
                if first is None:
                    continue
                last = _CELL_COLUMN.match(body, max(body.rfind(b"<c ", start, end), body.rfind(b"<c>", start, end)), end)
                a, b = _column(first.group(1)), _column((last or first).group(1))
                lo, hi = (a if not lo else min(lo, a)), max(hi, b)
            self._bounds = (lo, hi)
        return self._bounds


@dataclass
class Original:
    path: Path
    parts: dict[str, bytes]                      # every part of the zip, inflated
    sheets: dict[str, Sheet] = field(default_factory=dict)   # sheet name -> its rows
    sst: bytes | None = None
    sst_part: str = ""

    @classmethod
    def open(cls, path: Path) -> "Original | None":
        """The workbook's parts and its sheets' rows, or None when a sheet cannot be spliced."""
        from openbook.read.xlsx import MAX_XLSX_UNCOMPRESSED
        try:
            with zipfile.ZipFile(path) as zf:
                if sum(info.file_size for info in zf.infolist()) > MAX_XLSX_UNCOMPRESSED:
                    return None   # never inflated here; the slow path refuses it as before
                parts = {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}
            return cls._from_parts(path, parts)
        except Exception:     # openpyxl's own error, on the slow path, names the problem
            return None

    @classmethod
    def written(cls, path: Path, skeleton: bytes, rows: bytes) -> "Original":
        """A workbook openpyxl saved with one empty sheet (``skeleton``), given the
        sheet's rows: a CSV as the slow path would write it."""
        with zipfile.ZipFile(io.BytesIO(skeleton)) as zf:
            parts = {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}
        part = "xl/worksheets/sheet1.xml"
        parts[part], n = _SHEET_DATA.subn(lambda m: b"<sheetData>" + rows + b"</sheetData>", parts[part], count=1)
        book = cls._from_parts(path, parts) if n == 1 else None
        if book is None or not book.sheets:
            raise NotSpliced("the sheet written for the CSV could not be split")
        return book

    @classmethod
    def _from_parts(cls, path: Path, parts: dict[str, bytes]) -> "Original | None":
        from openbook.read.xlsx import _sheet_parts
        listing = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        with zipfile.ZipFile(_zip({k: parts[k] for k in listing if k in parts})) as zf:
            names = _sheet_parts(zf)
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
        book.sst_part = _shared_strings(parts)
        book.sst = parts.get(book.sst_part)
        return book

    def bounds(self, name: str) -> tuple[int, int] | None:
        sheet = self.sheets.get(name)
        return sheet.bounds() if sheet and sheet.bounds()[1] else None

    def stripped(self, keep: dict[str, set[int]]) -> io.BytesIO:
        """The workbook with only the rows in ``keep`` (sheet name -> row numbers),
        and only the shared strings those rows use (openpyxl reads about 20,000 a
        second: a 150,000-row sheet has hundreds of thousands)."""
        parts = dict(self.parts)
        kept = {name: [xml for _, xml in sheet.rows(keep.get(name, ()))] for name, sheet in self.sheets.items()}
        strings = _string_items(self.sst) if self.sst is not None else None
        if strings is not None and self.sst_part in parts:
            used: dict[int, int] = {}       # original index -> index in the stripped table
            for name, rows in kept.items():
                kept[name] = [_SHARED_CELL.sub(lambda m: _renumber(m, used, len(strings)), xml) for xml in rows]
            items = [b""] * len(used)
            for old, new in used.items():
                items[new] = strings[old]
            parts[self.sst_part] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                    + f'count="{len(items)}" uniqueCount="{len(items)}">'.encode()
                                    + b"".join(items) + b"</sst>")
        for name, sheet in self.sheets.items():
            parts[sheet.part] = _join(sheet, kept[name])
        return _zip(parts)

    def spliced(self, marked: bytes, keep: dict[str, set[int]]) -> list[tuple[str, bytes]]:
        """The parts of the annotated copy: openpyxl's (``marked``, a saved copy of
        ``stripped``), with each sheet's other rows put back from the original."""
        from openbook.read.xlsx import _sheet_parts
        with zipfile.ZipFile(io.BytesIO(marked)) as zf:
            names = _sheet_parts(zf)
            parts = [(info.filename, zf.read(info)) for info in zf.infolist() if not info.is_dir()]
        by_part = {part: name for name, part in names.items() if name in self.sheets}
        sst = self.sst if self.sst is not None and SST_PART not in {p for p, _ in parts} else None
        out = []
        for part, data in parts:
            name = by_part.get(part)
            if name is not None:
                data = _merge(self.sheets[name], data, keep.get(name, set()))
            elif sst is not None and part == "[Content_Types].xml" and SST_CONTENT.encode() not in data:
                data = data.replace(b"</Types>", f'<Override PartName="/{SST_PART}" ContentType="{SST_CONTENT}"/>'
                                    "</Types>".encode())
            elif sst is not None and part == "xl/_rels/workbook.xml.rels" and SST_TYPE.encode() not in data:
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdOpenbookStrings" Type="{SST_TYPE}" '
                                    f'Target="/{SST_PART}"/></Relationships>'.encode())
            out.append((part, data))
            if part == "xl/styles.xml" and sst is not None:
                out.append((SST_PART, sst))
        if sst is not None and SST_PART not in {p for p, _ in out}:
            out.append((SST_PART, sst))
        return out


def _zip(parts: dict[str, bytes]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    out.seek(0)
    return out


def _shared_strings(parts: dict[str, bytes]) -> str:
    """The name of the original shared-strings part, found through the workbook's relationships."""
    rels = parts.get("xl/_rels/workbook.xml.rels", b"")
    for m in re.finditer(rb"<Relationship\b[^>]*>", rels):
        if SST_TYPE.encode() in m.group(0):
            target = re.search(rb'Target="([^"]+)"', m.group(0))
            if target:
                t = target.group(1).decode()
                return t.lstrip("/") if t.startswith("/") else "xl/" + t
    return ""


_SHARED_CELL = re.compile(rb'(<c\b[^>]*?\bt="s"[^>]*>\s*<v>)\s*(\d+)\s*(</v>)')
_STRING_ITEM = re.compile(rb"<si\b[^>]*?(?:/>|>.*?</si>)", re.S)


def _string_items(sst: bytes) -> list[bytes] | None:
    """The table's items, or None when it is not written plainly (a namespace prefix):
    then openpyxl is given the whole table."""
    items = _STRING_ITEM.findall(sst)
    return items if b":si" not in sst and sst.count(b"<si") == len(items) else None


def _renumber(m: re.Match, used: dict[int, int], count: int) -> bytes:
    """A shared-string cell pointed at its text's place in the stripped table."""
    old = int(m.group(2))
    if old >= count:             # no such string: still none, so openpyxl refuses it as before
        return m.group(1) + b"4294967295" + m.group(3)
    new = used.setdefault(old, len(used))
    return m.group(1) + str(new).encode() + m.group(3)


_ROW_TAG = re.compile(rb'<row\b[^>]*?\sr="(\d+)"[^>]*?(/?)>')


def _split(part: str, data: bytes) -> Sheet | None | bool:
    """The sheet's rows; None for a part with no cells (a chart sheet), False when
    the sheet is not plain enough to splice."""
    m = _SHEET_DATA.search(data)
    if m is None:
        return None
    body = m.group(1) or b""
    if b't="shared"' in body or b"<sheetData" in body:
        return False
    tags = [(t.start(), int(t.group(1)), t.group(2)) for t in _ROW_TAG.finditer(body)]
    # every row says where it is, and holds only cells that do (a row or cell without
    # a reference is placed after the one before it)
    if len(tags) != body.count(b"<row") or body.count(b"</row>") != sum(1 for t in tags if not t[2]):
        return False
    if body.count(b"<c") != body.count(b' r="') - len(tags):
        return False
    if (body[:tags[0][0]] if tags else body).strip():
        return False
    numbers = [n for _, n, _ in tags]
    if any(a >= b for a, b in zip(numbers, numbers[1:])):
        return False
    return Sheet(part, data[:m.start()], data[m.end():], body, numbers, [s for s, _, _ in tags])


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
        raise NotSpliced("openpyxl's sheet could not be split")
    pieces, pos = [], 0
    for n, xml in written.rows(written.numbers):
        i = bisect.bisect_left(sheet.numbers, n)
        if i < len(sheet.numbers) and sheet.numbers[i] == n:
            if n not in keep:
                continue          # a cell openpyxl made for a comment or link: the original row stands
            pieces += [sheet.body[pos:sheet.starts[i]], xml]
            pos = sheet.end(i)
        else:
            at = sheet.starts[i] if i < len(sheet.starts) else len(sheet.body)
            pieces += [sheet.body[pos:at], xml]
            pos = at
    pieces.append(sheet.body[pos:])
    body = b"".join(pieces)
    head, tail = marked[:m.start()], marked[m.end():]
    head = _DIMENSION.sub(lambda d: _dimension(d, sheet, written), head, count=1)
    return head + (b"<sheetData>" + body + b"</sheetData>" if body.strip() else b"<sheetData/>") + tail


def _dimension(d: re.Match, sheet: Sheet, written: Sheet) -> bytes:
    """The used range of the whole sheet: openpyxl's (the kept rows) and the original rows'."""
    cols = [c for c in sheet.bounds() + written.bounds() if c]
    rows = sheet.numbers[:1] + sheet.numbers[-1:] + written.numbers[:1] + written.numbers[-1:]
    if not cols or not rows:
        return d.group(0)
    return f'<dimension ref="{_letters(min(cols))}{min(rows)}:{_letters(max(cols))}{max(rows)}"/>'.encode()
