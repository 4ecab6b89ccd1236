"""Read CSV and spreadsheet files into string columns with real coordinates.

Every reader returns a ``RawTable``: the header cells as found, the absolute
position of the header row and of every column, and the data as batches of
polars string columns. Nothing is parsed here beyond text: the engine decides
what a value means. Coordinates are what a spreadsheet user sees, so a title
block, blank leading columns or blank rows never shift a reported cell.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import polars as pl

from openbook.errors import OpenbookError

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
LEGACY_SUFFIXES = {".xls", ".ods"}
SUPPORTED = CSV_SUFFIXES | WORKBOOK_SUFFIXES | LEGACY_SUFFIXES

HEAD_ROWS = 30          # how far down to look for a header row
BATCH_ROWS = 1_000_000  # rows per batch: bounds memory on very large CSVs
BATCH_BYTES = 16 * 1024 * 1024  # bytes of CSV text per batch: bounds memory (bench/NOTES.md)
BOMS = ("\ufeff", "\u00ef\u00bb\u00bf")  # a BOM, and a BOM decoded twice (Manchester)

# The largest XLSX part we are willing to inflate: a real 1M-row sheet is well
# under this, a zip bomb is far over it.
MAX_XLSX_UNCOMPRESSED = 2 * 1024**3


@dataclass
class RawTable:
    path: str                  # the file as the user named it
    sheet: str | None          # sheet name, None for CSV
    name: str                  # sheet name or file stem
    head: list[list[str]]      # the first rows, as text, from the first used row
    head_first_row: int        # absolute 1-based row of head[0]
    col_offset: int            # absolute 0-based column of head column 0
    batches: Callable[[int], Iterator[pl.DataFrame]] | None = None
    """Given the head index of the header row, yields the data rows after it
    as string columns named c0..cN (head column positions)."""
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    """0-based column index to a spreadsheet letter: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def expand_paths(paths: list[str]) -> list[Path]:
    """Files to read: files as given, folders expanded to their supported files."""
    files: list[Path] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file()
                           and f.suffix.lower() in SUPPORTED and not f.name.startswith(("~$", ".")))
            if not found:
                raise OpenbookError(f"{given}: the folder holds no .xlsx, .xlsm or .csv files. "
                                    "Point openbook at a folder of submissions, or at one file.")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise OpenbookError(f"{given}: no such file or folder. Check the path and try again.")
    return files


def read_tables(path: Path) -> list[RawTable]:
    """Every table in one file: each sheet of a workbook, or the one CSV table."""
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise OpenbookError(f"{path}: the file is empty (0 bytes). Export it again from the source system.")
    if suffix in CSV_SUFFIXES:
        return [read_csv(path)]
    if suffix in WORKBOOK_SUFFIXES:
        return read_xlsx(path)
    if suffix in LEGACY_SUFFIXES:
        return read_calamine(path)
    raise OpenbookError(f"{path}: openbook reads .xlsx, .xlsm, .xls, .ods and .csv files, not "
                        f"'{suffix or 'no extension'}'. Save the file as .xlsx or .csv.")


# --------------------------------------------------------------------- CSV

def detect_encoding(path: Path) -> str:
    """utf-8 (with or without BOM) or cp1252, checked over the whole file in chunks.

    UK ledger exports are often cp1252 (the £ sign as byte A3); a single such
    byte anywhere means the file is not UTF-8.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        start = f.read(3)
        if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"  # Excel's "Unicode Text" and some ledger exports
        if start == codecs.BOM_UTF8:
            encoding = "utf-8-sig"
        else:
            encoding = "utf-8"
            f.seek(0)
        try:
            while chunk := f.read(16 * 1024 * 1024):
                # most ledger exports are plain ASCII: isascii() is far cheaper than decoding
                if not (chunk.isascii() and not decoder.getstate()[0]):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return encoding


def _looks_binary(sample: bytes) -> bool:
    if sample[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return False
    if b"\x00" in sample[:8192]:
        return True
    if sample[:4] == b"PK\x03\x04" or sample[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return True
    return False


def read_csv(path: Path) -> RawTable:
    with open(path, "rb") as f:
        sample = f.read(256 * 1024)
    if _looks_binary(sample):
        kind = "an Excel workbook" if sample[:2] == b"PK" or sample[:4] == b"\xd0\xcf\x11\xe0" else "binary data"
        raise OpenbookError(f"{path}: this is {kind}, not a CSV text file. "
                            "Give it the right extension (.xlsx) or export it again as CSV.")
    encoding = detect_encoding(path)
    text = _decode(sample, encoding)
    if len(sample) == 256 * 1024:  # the last line may be cut in half
        text = text[: text.rfind("\n") + 1] or text
    if not text.strip():
        raise OpenbookError(f"{path}: the file holds no data, only blank lines. Export it again from the source system.")
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    else:
        delimiter = sniff_delimiter(text)
    head: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            head.append(record)
            if len(head) >= HEAD_ROWS:
                break
    except csv.Error as exc:  # a field longer than csv's limit (128 KB) in the first rows
        raise OpenbookError(f"{path}: the CSV could not be read ({_first_line(exc)}); no spreadsheet cell holds "
                            "more than 32,767 characters. Check the file and export it again.") from None
    if head and head[0]:
        head[0][0] = strip_bom(head[0][0])

    polars_encoding = {"utf-8": "utf8", "utf-8-sig": "utf8", "cp1252": "windows-1252", "utf-16": "utf-16"}[encoding]

    def batches(header_index: int) -> Iterator[pl.DataFrame]:
        # Excel shows one row per CSV record, so record numbers are row numbers;
        # polars keeps blank lines as null rows, which keeps them aligned.
        # rows longer than the header (Newcastle) keep their extra fields, so
        # the engine can see that an unnamed column holds data
        width = max(len(r) for r in head[header_index:])
        options = dict(has_header=False, separator=delimiter, skip_rows=header_index + 1,
                       infer_schema=False, truncate_ragged_lines=True, quote_char='"', raise_if_empty=False,
                       schema={f"c{i}": pl.String for i in range(width)}, missing_columns="insert",
                       extra_columns="ignore")
        try:
            if polars_encoding == "utf8":
                # Blocks of whole records, each parsed on its own: memory stays at
                # one block. scan_csv().collect_batches() reads ahead of a slow
                # consumer without bound (1.6 GiB held on a 3M-row file).
                start = _records_end(path, header_index + 1)
                for block in _record_blocks(path, start, BATCH_BYTES):
                    yield pl.read_csv(io.BytesIO(block), **{**options, "skip_rows": 0})
            else:  # polars scans only UTF-8; cp1252 files are small ledger exports
                frame = pl.read_csv(io.BytesIO(_transcode(path, encoding)), **options)
                for start in range(0, frame.height, BATCH_ROWS):
                    yield frame.slice(start, BATCH_ROWS)
        except pl.exceptions.NoDataError:
            return
        except (pl.exceptions.ComputeError, pl.exceptions.SchemaError) as exc:
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise OpenbookError(f"{path}: the CSV could not be read ({first}). "
                                "Check that it is a plain comma-separated file and export it again.") from None

    return RawTable(path=str(path), sheet=None, name=path.stem, head=head, head_first_row=1,
                    col_offset=0, batches=_bounded(batches, path), encoding=encoding, delimiter=delimiter)


# No spreadsheet cell holds more than 32,767 characters (at most 128 KB of
# UTF-8); a CSV field far longer is broken or hostile, and checking it would
# take memory many times its size.
MAX_CELL_BYTES = 1024 * 1024


def _bounded(batches, path: Path):
    def checked(header_index: int) -> Iterator[pl.DataFrame]:
        for frame in batches(header_index):
            if frame.width and frame.height:
                longest = frame.select(pl.all().str.len_bytes().max()).max_horizontal().item()
                if longest is not None and longest > MAX_CELL_BYTES:
                    raise OpenbookError(f"{path}: a field is {longest:,} bytes long; no spreadsheet cell holds more "
                                        "than 32,767 characters. Check the file (a quote that never closes?) "
                                        "and export it again.")
            yield frame
    return checked


def _decode(data: bytes, encoding: str) -> str:
    """Text of a CSV. A cp1252 file is decoded line by line: a line that is
    valid UTF-8 is read as UTF-8, so a file that mixes both (rows pasted
    from two systems) reads correctly."""
    if encoding != "cp1252":
        return data.decode(encoding, errors="replace")
    out = []
    for line in data.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
    return "".join(out)


def _transcode(path: Path, encoding: str) -> bytes:
    """The whole file as UTF-8 (cp1252 and UTF-16 files are small exports)."""
    return strip_bom(_decode(path.read_bytes(), encoding)).encode("utf-8")


def _records_end(path: Path, records: int) -> int:
    """The byte offset just after the first ``records`` CSV records (blank
    lines included, as csv.reader and Excel count them)."""
    with open(path, "rb") as f:
        data = f.read(1024 * 1024)
        pos, quotes, seen = 0, 0, 0
        while seen < records:
            nl = data.find(b"\n", pos)
            if nl < 0:
                more = f.read(1024 * 1024)
                if not more:
                    return len(data)
                data += more
                continue
            quotes += data.count(b'"', pos, nl)
            pos = nl + 1
            if quotes % 2 == 0:
                seen += 1
        return pos


def _record_blocks(path: Path, start: int, size: int) -> Iterator[bytes]:
    """The file from byte ``start`` in blocks of about ``size`` bytes, each
    ending at the end of a CSV record: a newline with an even number of quote
    characters before it in the block (a quoted field may hold a line break)."""
    carry = b""
    with open(path, "rb") as f:
        f.seek(start)
        while True:
            chunk = f.read(size)
            data = carry + chunk if carry else chunk
            if not chunk:
                if data:
                    yield data
                return
            cut = data.rfind(b"\n")
            while cut >= 0 and data.count(b'"', 0, cut) % 2:
                cut = data.rfind(b"\n", 0, cut)
            if cut < 0:          # no whole record yet: read on
                carry = data
                continue
            carry = data[cut + 1:]
            yield data[:cut + 1]


def sniff_delimiter(text: str) -> str:
    lines = [l for l in text.splitlines()[:HEAD_ROWS] if l.strip()]
    best, best_score = ",", 0
    for candidate in (",", ";", "\t", "|"):
        counts = [l.count(candidate) for l in lines]
        # the delimiter appears often, and the same number of times on most lines
        score = max(counts) + (counts.count(max(counts)) if max(counts) else 0) if counts else 0
        if score > best_score:
            best, best_score = candidate, score
    return best


def strip_bom(text: str) -> str:
    for bom in BOMS:
        if text.startswith(bom):
            return text[len(bom):]
    return text


# ------------------------------------------------------------------- XLSX

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


_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_REF_RE = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name inside the zip, from the workbook's relationships."""
    import xml.etree.ElementTree as ET
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        wb = ET.fromstring(_read_member(zf, "xl/workbook.xml", 50 * 1024 * 1024))
        rels = ET.fromstring(_read_member(zf, "xl/_rels/workbook.xml.rels", 50 * 1024 * 1024))
    except (KeyError, ET.ParseError, zipfile.BadZipFile, EOFError, __import__("zlib").error) as exc:
        raise OpenbookError(f"{zf.filename}: the workbook could not be read (its list of sheets is missing or "
                            f"damaged: {_first_line(exc)}). Open it in Excel and save it again as .xlsx.") from None
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    parts = {}
    for sheet in wb.iter(f"{ns_main}sheet"):
        parts[sheet.get("name")] = targets.get(sheet.get(f"{ns_rel}id"), "")
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


def _scan_part(path: Path, info: zipfile.ZipInfo, formulas: bool) -> str | None:
    """Read one XML part once before fastexcel does: refuse a DOCTYPE, a part
    larger than declared, a text run no spreadsheet has, or XML cut short.
    Returns the reference of the first formula cell with no saved value
    (when ``formulas``), else None."""
    first = True
    run = 0              # bytes since the last '<'
    carry = b""          # the end of the previous chunk after its last </c>
    found = None
    tail = b""
    cells, limit = 0, max_cells()
    try:
        for chunk in _inflate(path, info):
            if first:
                _check_prolog(path, chunk)
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
            if formulas:
                cells += chunk.count(b"<c ") + chunk.count(b":c ")
                if cells > limit:
                    raise OpenbookError(f"{path}: the sheet in {info.filename} holds more than {limit:,} cells, "
                                        "more than openbook reads from one sheet. Split it into several sheets or "
                                        "files (or save it as CSV), or set OPENBOOK_MAX_CELLS on a larger machine.")
            tail = (tail + chunk)[-64:]
    except _Oversized:
        raise OpenbookError(f"{path}: the part {info.filename} inflates to more than the {info.file_size:,} bytes "
                            "the zip says it holds: a damaged or hostile file. openbook will not open it; "
                            "check where it came from.") from None
    except (zipfile.BadZipFile, OSError, EOFError, __import__("zlib").error) as exc:
        raise OpenbookError(f"{path}: the workbook could not be read (the part {info.filename} is damaged: "
                            f"{_first_line(exc)}). Open it in Excel and save it again as .xlsx.") from None
    if tail.rstrip() and not tail.rstrip().endswith(b">"):
        raise OpenbookError(f"{path}: the workbook could not be read (the part {info.filename} is cut short). "
                            "Open it in Excel and save it again as .xlsx.")
    return found


def _used_origin(zf: zipfile.ZipFile, part: str) -> tuple[int, dict[int, list[int]]] | None:
    """The first used row, and the used columns of the first rows, from the sheet XML.

    fastexcel returns the used range without saying where it starts; this reads
    only the start of the sheet's XML to find it, so cell references stay true.
    """
    rows: dict[int, list[int]] = {}
    with zf.open(part) as f:
        data = f.read(4 * 1024 * 1024)
    if b"<!ENTITY" in data[:4096]:
        raise OpenbookError(f"{zf.filename}: the workbook contains XML entity declarations, which Excel "
                            "never writes. openbook will not open it; check where it came from.")
    for m in _CELL_RE.finditer(data):
        attrs, selfclosing = m.group(1), m.group(2)
        ref = _REF_RE.search(attrs)
        # a self-closing or empty cell is formatting only: it holds no value
        if selfclosing or not ref or data.startswith(b"</", m.end()):
            continue
        col = _col_index(ref.group(1).decode())
        row = int(ref.group(2))
        rows.setdefault(row, []).append(col)
        if len(rows) > HEAD_ROWS + 5:
            break
    if not rows:
        return None
    first = min(rows)
    return first, rows


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def read_xlsx(path: Path) -> list[RawTable]:
    import fastexcel
    zf = _check_xlsx_container(path)
    with zf:
        parts = _sheet_parts(zf)
        infos = {i.filename: i for i in zf.infolist()}
        for name, part in parts.items():
            if part not in infos:
                raise OpenbookError(f"{path}: the workbook could not be read (sheet '{name}' is listed but its "
                                    f"data, {part or 'a part'}, is missing). Open it in Excel and save it again as .xlsx.")
            ref = _scan_part(path, infos[part], formulas=True)
            if ref:
                raise OpenbookError(f"{path}, sheet '{name}': cell {ref} has a formula with no saved value (the file "
                                    "was written by a program, not saved by Excel), so its value cannot be read. "
                                    "Open it in Excel or LibreOffice, save it, and try again.")
        for other in ("xl/sharedStrings.xml", "xl/styles.xml"):
            if other in infos:
                _scan_part(path, infos[other], formulas=False)
        try:
            origins = {name: _used_origin(zf, part) for name, part in parts.items()}
        except (zipfile.BadZipFile, EOFError, __import__("zlib").error) as exc:
            raise OpenbookError(f"{path}: the workbook could not be read ({_first_line(exc)}). "
                                "Open it in Excel and save it again as .xlsx.") from None
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types
        raise OpenbookError(f"{path}: the workbook could not be read ({_first_line(exc)}). "
                            "Open it in Excel and save it again as .xlsx.") from None
    tables = []
    for name in reader.sheet_names:
        origin = origins.get(name)
        if origin is None:
            tables.append(RawTable(path=str(path), sheet=name, name=name, head=[], head_first_row=1, col_offset=0))
            continue
        try:
            frame = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
        except Exception as exc:
            raise OpenbookError(f"{path}, sheet '{name}': the sheet could not be read ({_first_line(exc)}). "
                                "Open it in Excel and save it again as .xlsx.") from None
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        head = [["" if v is None else str(v) for v in row] for row in frame.head(HEAD_ROWS).rows()]
        first_row, xml_rows = origin
        col_offset = _align_columns(head, first_row, xml_rows)
        tables.append(_frame_table(str(path), name, frame, head, first_row, col_offset))
    return tables


def _align_columns(head: list[list[str]], first_row: int, xml_rows: dict[int, list[int]]) -> int:
    """Absolute column of the frame's column 0, by matching a row's used cells."""
    for i, row in enumerate(head):
        used = [j for j, v in enumerate(row) if v != ""]
        cols = sorted(xml_rows.get(first_row + i, []))
        if used and cols:
            return cols[0] - used[0]
    return 0


def _frame_table(path: str, sheet: str, frame: pl.DataFrame, head: list[list[str]],
                 first_row: int, col_offset: int) -> RawTable:
    def batches(header_index: int) -> Iterator[pl.DataFrame]:
        yield frame.slice(header_index + 1)
    return RawTable(path=path, sheet=sheet, name=sheet, head=head, head_first_row=first_row,
                    col_offset=col_offset, batches=batches)


def read_calamine(path: Path) -> list[RawTable]:
    """Legacy .xls and .ods, through calamine, with absolute coordinates."""
    import python_calamine
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise OpenbookError(f"{path}: the workbook could not be read ({_first_line(exc)}). "
                            "Open it in Excel or LibreOffice and save it as .xlsx.") from None
    tables = []
    for name in book.sheet_names:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise OpenbookError(f"{path}, sheet '{name}': the sheet could not be read ({_first_line(exc)}). "
                                "Save it as .xlsx.") from None
        text_rows = [[_cell_text(v) for v in row] for row in rows]
        width = max((len(r) for r in text_rows), default=0)
        if not width:
            tables.append(RawTable(path=str(path), sheet=name, name=name, head=[], head_first_row=1, col_offset=0))
            continue
        columns = {f"c{j}": [r[j] if j < len(r) else None for r in text_rows] for j in range(width)}
        frame = pl.DataFrame(columns, schema={f"c{j}": pl.String for j in range(width)})
        frame = frame.with_columns(pl.all().replace("", None))
        head = [[v or "" for v in r] for r in text_rows[:HEAD_ROWS]]
        tables.append(_frame_table(str(path), name, frame, head, 1, 0))
    return tables


def _cell_text(value) -> str:
    import datetime as dt
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(round(value, 10))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0][:160] if text else type(exc).__name__)
