"""Excel .xlsx/.xlsm workbooks: the container checked and every part bounded before
anything is inflated, then each sheet read by calamine with absolute coordinates."""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import Iterator

from openbook.errors import OpenbookError
from openbook.read.grid import MAX_ROWS, SheetGrid
from openbook.read.raw import HEAD_ROWS, RawTable, first_line, frame_table

# The largest XLSX part we are willing to inflate: a real 1M-row sheet is well
# under this, a zip bomb is far over it.
MAX_XLSX_UNCOMPRESSED = 2 * 1024**3


def _check_xlsx_container(path: Path) -> zipfile.ZipFile:
    with open(path, "rb") as f:
        magic = f.read(8)
    if magic[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise OpenbookError(f"{path}: the workbook is password-protected or in the old Excel format. "
                            "Remove the password (File > Info > Protect Workbook) and save it as .xlsx.")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise OpenbookError(f"{path}: this is not a readable .xlsx workbook (it may be damaged or "
                            "only partly downloaded). Open it in Excel and save it again as .xlsx.") from None
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        zf.close()
        raise OpenbookError(f"{path}: this zip file is not an Excel workbook. Save it from Excel as .xlsx.")
    total = sum(i.file_size for i in zf.infolist())
    if total > MAX_XLSX_UNCOMPRESSED:
        zf.close()
        raise OpenbookError(f"{path}: the workbook would expand to {total / 1024**3:.1f} GB, far more than "
                            "any real submission. openbook will not open it; check where it came from.")
    return zf


_REF_RE = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")


# More sheets than any submission has; each is scanned and loaded in turn
# (50,000 sheets took over a minute).
MAX_SHEETS = 1_000


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name inside the zip, from the workbook's relationships.

    Names are matched without their namespace, so a Strict Open XML workbook
    (purl.oclc.org namespaces) is read like a transitional one."""
    import xml.etree.ElementTree as ET
    try:
        wb = ET.fromstring(_read_member(zf, "xl/workbook.xml", 50 * 1024 * 1024))
        rels = ET.fromstring(_read_member(zf, "xl/_rels/workbook.xml.rels", 50 * 1024 * 1024))
    except (KeyError, ET.ParseError, zipfile.BadZipFile, EOFError, __import__("zlib").error) as exc:
        raise OpenbookError(f"{zf.filename}: the workbook could not be read (its list of sheets is missing or "
                            f"damaged: {first_line(exc)}). Open it in Excel and save it again as .xlsx.") from None
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    sheets = [e for e in wb.iter() if _local(e.tag) == "sheet"]
    if len(sheets) > MAX_SHEETS:
        raise OpenbookError(f"{zf.filename}: the workbook has {len(sheets):,} sheets, more than the {MAX_SHEETS:,} "
                            "openbook reads from one workbook. Split it into several workbooks, or check where it "
                            "came from.")
    parts = {}
    for sheet in sheets:
        rid = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
        parts[sheet.get("name")] = targets.get(rid, "")
    return parts


def _read_member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with zf.open(name) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise OpenbookError(f"{zf.filename}: the part {name} is too large to be a real workbook.")
    _check_prolog(zf.filename, data)
    return data


_ENTITY_MESSAGE = ("the workbook contains XML entity declarations, which Excel never writes. "
                   "openbook will not open it; check where it came from.")


def _check_prolog(label, data: bytes) -> None:
    """Refuse a part whose XML declares a DOCTYPE (entities: billion laughs,
    external files). The prolog is walked past comments and processing
    instructions, so a DOCTYPE hidden after a long comment is found too."""
    pos, end = 0, len(data)
    while True:
        while pos < end and data[pos:pos + 1] in b" \t\r\n\xef\xbb\xbf":
            pos += 1
        if data.startswith(b"<?", pos):
            marker = b"?>"
        elif data.startswith(b"<!--", pos):
            marker = b"-->"
        else:
            break
        close = data.find(marker, pos)
        if close < 0:  # a prolog longer than the first chunk: no workbook has one
            raise OpenbookError(f"{label}: {_ENTITY_MESSAGE}")
        pos = close + len(marker)
    if data.startswith(b"<!DOCTYPE", pos) or b"<!ENTITY" in data[:4096]:
        raise OpenbookError(f"{label}: {_ENTITY_MESSAGE}")


# Nothing Excel writes has a text run this long between two tags: a cell holds
# at most 32,767 characters. A longer run is a zip bomb of padding or a broken
# file, and fastexcel would hold all of it in memory.
MAX_TEXT_RUN = 1024 * 1024
SCAN_CHUNK = 1024 * 1024
# Cells per sheet: fastexcel holds every cell in memory (about 40 bytes each)
# and reads about 2 million a second, so this bounds a sheet at roughly
# 1 GiB and 10 s; a 10-million-cell workbook is far beyond any submission.
# OPENBOOK_MAX_CELLS raises it for a machine that can take more.
DEFAULT_MAX_CELLS = 10_000_000


def max_cells() -> int:
    raw = os.environ.get("OPENBOOK_MAX_CELLS", "")
    return int(raw) if raw.isdigit() else DEFAULT_MAX_CELLS
_F_NO_VALUE = re.compile(rb'<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*'
                         rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')


def _inflate(path: Path, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes in chunks of at most SCAN_CHUNK, inflated from the raw
    stream so that a part larger than the size the zip declares (a lying zip
    bomb, which fastexcel would inflate in full) is caught after one chunk."""
    import struct
    import zlib
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        header = f.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        f.seek(info.header_offset + 30 + name_len + extra_len)
        left = info.compress_size
        if info.compress_type == zipfile.ZIP_STORED:
            while left > 0:
                chunk = f.read(min(SCAN_CHUNK, left))
                if not chunk:
                    raise zipfile.BadZipFile("truncated")
                left -= len(chunk)
                yield chunk
            return
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise zipfile.BadZipFile(f"compression method {info.compress_type}")
        d = zlib.decompressobj(-15)
        produced = 0
        pending = b""
        while True:
            if not pending:
                if left <= 0:
                    break
                pending = f.read(min(256 * 1024, left))
                if not pending:
                    raise zipfile.BadZipFile("truncated")
                left -= len(pending)
            out = d.decompress(pending, SCAN_CHUNK)
            pending = d.unconsumed_tail
            produced += len(out)
            if produced > info.file_size:
                raise _Oversized()
            if out:
                yield out
            if d.eof:
                break
        if produced != info.file_size:
            raise zipfile.BadZipFile("size differs from the zip directory")


class _Oversized(Exception):
    pass


def _scan_part(path: Path, info: zipfile.ZipInfo, formulas: bool, grid: SheetGrid | None = None) -> str | None:
    """Read one XML part once before fastexcel does: refuse a DOCTYPE, a part
    larger than declared, a text run no spreadsheet has, a declared size no
    part of this size could hold, or XML cut short. A sheet's cells are
    placed on ``grid`` as they pass. Returns the reference of the first
    formula cell with no saved value (when ``formulas``), else None."""
    first = True
    run = 0              # bytes since the last '<'
    carry = b""          # the end of the previous chunk after its last </c>
    found = None
    tail = b""
    limit = max_cells()
    try:
        for chunk in _inflate(path, info):
            if first:
                _check_prolog(path, chunk)
                _check_declared_counts(path, info, chunk)
                first = False
            lt = chunk.find(b"<")
            if lt < 0:
                run += len(chunk)
            else:
                run += lt
                if run <= MAX_TEXT_RUN:
                    run = len(chunk) - chunk.rfind(b"<") - 1
            if run > MAX_TEXT_RUN:
                raise OpenbookError(f"{path}: the part {info.filename} holds a run of more than "
                                    f"{MAX_TEXT_RUN // 1024 // 1024} MB of text between two tags; no spreadsheet "
                                    "has one (a cell holds at most 32,767 characters). openbook will not open it; "
                                    "check where it came from.")
            if formulas and found is None and (carry or b"<f" in chunk or b":f" in chunk):
                data = carry + chunk
                cut = data.rfind(b"</c>")
                m = _F_NO_VALUE.search(data, 0, cut + 4 if cut >= 0 else 0)
                if m:
                    ref = _REF_RE.search(m.group(1))
                    found = (ref.group(1) + ref.group(2)).decode() if ref else "?"
                carry = data[cut + 4:] if cut >= 0 else data
                if len(carry) > 4 * SCAN_CHUNK:
                    carry = b""
            if grid is not None:
                grid.feed(chunk)
                _check_grid(path, info, grid, limit)
            tail = (tail + chunk[-64:])[-64:]
        if grid is not None:
            grid.feed(b"", final=True)
            _check_grid(path, info, grid, limit)
    except _Oversized:
        raise OpenbookError(f"{path}: the part {info.filename} inflates to more than the {info.file_size:,} bytes "
                            "the zip says it holds: a damaged or hostile file. openbook will not open it; "
                            "check where it came from.") from None
    except (zipfile.BadZipFile, OSError, EOFError, __import__("zlib").error) as exc:
        raise OpenbookError(f"{path}: the workbook could not be read (the part {info.filename} is damaged: "
                            f"{first_line(exc)}). Open it in Excel and save it again as .xlsx.") from None
    if tail.rstrip() and not tail.rstrip().endswith(b">"):
        raise OpenbookError(f"{path}: the workbook could not be read (the part {info.filename} is cut short). "
                            "Open it in Excel and save it again as .xlsx.")
    return found


def _check_grid(path: Path, info: zipfile.ZipInfo, grid: SheetGrid, limit: int) -> None:
    """Cells counted however they are written, rows, and the rectangle calamine
    allocates (one value far from the rest would make it vast)."""
    where = f"{path}: the sheet in {info.filename}"
    if grid.off_grid():
        raise OpenbookError(f"{where} refers to a cell beyond XFD1048576, the last cell Excel has: a damaged or "
                            "hostile file. Open it in Excel and save it again as .xlsx, or check where it came from.")
    if grid.cells > limit:
        raise OpenbookError(f"{where} holds more than {limit:,} cells, more than openbook reads from one sheet. "
                            "Split it into several sheets or files (or save it as CSV), or set OPENBOOK_MAX_CELLS "
                            "on a larger machine.")
    if grid.too_many_rows():
        raise OpenbookError(f"{where} holds more than the {MAX_ROWS:,} rows Excel allows: a damaged or hostile file. "
                            "Open it in Excel and save it again as .xlsx, or check where it came from.")


def _check_area(path: Path, name: str, grid: SheetGrid, limit: int) -> None:
    if grid.area() > limit:
        raise OpenbookError(f"{path}, sheet '{name}': its values spread over {grid.max_row - grid.min_row + 1:,} "
                            f"rows and {grid.max_col - grid.min_col + 1:,} columns, more than the {limit:,} cells openbook reads from one "
                            "sheet (a stray value far below or right of the table?). Delete the empty rows and "
                            "columns past the data, or set OPENBOOK_MAX_CELLS on a larger machine.")


# Counts a part declares of the items it holds. The shared strings' "count"
# is not one: it counts the cells that use them, and may be far larger.
_DECLARED = re.compile(rb"<(?:[\w.-]+:)?(sst|cellXfs|cellStyleXfs|numFmts|fonts|fills|borders|dxfs|cellStyles)\b([^>]*)>")
_COUNT_ATTR = re.compile(rb'(?:\s|^)(count|uniqueCount)\s*=\s*["\']\s*(\d+)')


def _check_declared_counts(path: Path, info: zipfile.ZipInfo, first: bytes) -> None:
    """A part that declares how many items it holds (the shared strings'
    uniqueCount, the styles' counts) cannot hold more than one per few bytes
    of itself. calamine reserves memory for the declared number before
    reading: uniqueCount="2000000000" in a 1.8 KB file aborted the process."""
    room = info.file_size // 4 + 16
    for m in _DECLARED.finditer(first, 0, 64 * 1024):
        for attr, count in _COUNT_ATTR.findall(m.group(2)):
            if (m.group(1) != b"sst" or attr == b"uniqueCount") and int(count) > room:
                what = "shared strings" if m.group(1) == b"sst" else m.group(1).decode() + " entries"
                raise OpenbookError(f"{path}: the part {info.filename} says it holds {int(count):,} {what}, "
                                    f"more than {info.file_size:,} bytes can hold: a "
                                    "damaged or hostile file. Open it in Excel and save it again, or check where it "
                                    "came from.")


def read_xlsx(path: Path) -> list[RawTable]:
    import fastexcel
    import polars as pl
    zf = _check_xlsx_container(path)
    with zf:
        parts = _sheet_parts(zf)
        infos = {i.filename: i for i in zf.infolist()}
        grids: dict[str, SheetGrid] = {}
        for name, part in parts.items():
            if part not in infos:
                raise OpenbookError(f"{path}: the workbook could not be read (sheet '{name}' is listed but its "
                                    f"data, {part or 'a part'}, is missing). Open it in Excel and save it again as .xlsx.")
            grid = grids.get(part)
            if grid is None:
                grid = grids[part] = SheetGrid(max_cells())
                ref = _scan_part(path, infos[part], formulas=True, grid=grid)
            else:   # several sheets naming one part: scanned once
                ref = None
            if grid.area() > max_cells() and not grid.values_only:
                # references reach far: place only the cells that hold values (calamine skips the rest)
                exact = SheetGrid(max_cells(), values_only=True)
                _scan_part(path, infos[part], formulas=False, grid=exact)
                exact.head = grid.head
                grids[part] = grid = exact
            _check_area(path, name, grid, max_cells())
            if ref:
                raise OpenbookError(f"{path}, sheet '{name}': cell {ref} has a formula with no saved value (the file "
                                    "was written by a program, not saved by Excel), so its value cannot be read. "
                                    "Open it in Excel or LibreOffice, save it, and try again.")
        for other in ("xl/sharedStrings.xml", "xl/styles.xml"):
            if other in infos:
                _scan_part(path, infos[other], formulas=False)
        origins = {name: _origin(grids[part]) for name, part in parts.items()}
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types
        raise OpenbookError(f"{path}: the workbook could not be read ({first_line(exc)}). "
                            "Open it in Excel and save it again as .xlsx.") from None
    tables = []
    for name in reader.sheet_names:
        origin = origins.get(name)
        try:
            frame = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
        except Exception as exc:
            if origin is None:   # no value in the XML: an empty sheet, which calamine may refuse
                tables.append(RawTable(path=str(path), sheet=name, name=name, head=[], head_first_row=1, col_offset=0))
                continue
            raise OpenbookError(f"{path}, sheet '{name}': the sheet could not be read ({first_line(exc)}). "
                                "Open it in Excel and save it again as .xlsx.") from None
        if origin is None:
            if frame.height and frame.select(pl.any_horizontal(pl.all().is_not_null()).any()).item():
                # never a sheet with data reported as empty: if its cells cannot be placed, say so
                raise OpenbookError(f"{path}, sheet '{name}': openbook could not tell where the sheet's cells are, "
                                    "so it cannot report them at their cells. Open it in Excel and save it again "
                                    "as .xlsx.")
            tables.append(RawTable(path=str(path), sheet=name, name=name, head=[], head_first_row=1, col_offset=0))
            continue
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        head = [["" if v is None else str(v) for v in row] for row in frame.head(HEAD_ROWS).rows()]
        first_row, xml_rows = origin
        col_offset = _align_columns(head, first_row, xml_rows)
        tables.append(frame_table(str(path), name, frame, head, first_row, col_offset))
    return tables


def _origin(grid: SheetGrid) -> tuple[int, dict[int, list[int]]] | None:
    """The first row holding a value, and the used columns of the first rows."""
    first = grid.first_row
    return None if first is None else (first, grid.head)


def _align_columns(head: list[list[str]], first_row: int, xml_rows: dict[int, list[int]]) -> int:
    """Absolute column of the frame's column 0, by matching a row's used cells."""
    for i, row in enumerate(head):
        used = [j for j, v in enumerate(row) if v != ""]
        cols = sorted(xml_rows.get(first_row + i, []))
        if used and cols:
            return cols[0] - used[0]
    return 0
