"""CSV, TSV and other delimited text: encoding, delimiter, and blocks of whole records."""
from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from pathlib import Path
from typing import Iterator

import polars as pl

from openbook.errors import OpenbookError
from openbook.read.raw import BATCH_BYTES, BOMS, HEAD_ROWS, RawTable, first_line

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
        raise OpenbookError(f"{path}: the CSV could not be read ({first_line(exc)}); no spreadsheet cell holds "
                            "more than 32,767 characters. Check the file and export it again.") from None
    if head and head[0]:
        head[0][0] = strip_bom(head[0][0])
    widest = max((len(r) for r in head), default=0)
    if widest > MAX_COLUMNS:
        raise OpenbookError(f"{path}: a line holds {widest:,} fields, more than the {MAX_COLUMNS:,} columns a "
                            f"spreadsheet has. Check the delimiter ('{delimiter}') and export the file again.")

    polars_encoding = {"utf-8": "utf8", "utf-8-sig": "utf8", "cp1252": "windows-1252", "utf-16": "utf-16"}[encoding]

    read = [0]   # bytes read so far, for progress (RawTable.extent): counted, as a stream may not tell()

    def batches(header_index: int) -> Iterator[pl.DataFrame]:
        # Excel shows one row per CSV record, so record numbers are row numbers;
        # polars keeps blank lines as null rows, which keeps them aligned.
        # rows longer than the header (Newcastle) keep their extra fields, so
        # the engine can see that an unnamed column holds data
        width = max(len(r) for r in head[header_index:])
        options = dict(has_header=False, separator=delimiter,
                       infer_schema=False, truncate_ragged_lines=True, quote_char='"', raise_if_empty=False,
                       schema={f"c{i}": pl.String for i in range(width)}, missing_columns="insert",
                       extra_columns="ignore")
        try:
            if polars_encoding == "utf8":
                # Blocks of whole records, each parsed on its own: memory stays at
                # one block. scan_csv().collect_batches() reads ahead of a slow
                # consumer without bound (1.6 GiB held on a 3M-row file).
                source = open(path, "rb")
            else:  # polars reads only UTF-8: cp1252 and UTF-16 files (small ledger exports) are converted whole
                source = io.BytesIO(_transcode(path, encoding))
            with source:
                start = _records_end(source, header_index + 1, delimiter, path)
                source.seek(start)
                read[0] = start
                for block, safe in _record_blocks(source, BATCH_BYTES, delimiter, path):
                    read[0] += len(block)
                    if not safe:
                        block = _requote(block, delimiter, path)
                    yield pl.read_csv(io.BytesIO(block), **options)
        except pl.exceptions.NoDataError:
            return
        except (pl.exceptions.ComputeError, pl.exceptions.SchemaError) as exc:
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise OpenbookError(f"{path}: the CSV could not be read ({first}). "
                                "Check that it is a plain comma-separated file and export it again.") from None

    return RawTable(path=str(path), sheet=None, name=path.stem, head=head, head_first_row=1,
                    col_offset=0, batches=_bounded(batches, path), encoding=encoding, delimiter=delimiter,
                    extent=_extent(read, path, encoding))


# No spreadsheet cell holds more than 32,767 characters (at most 128 KB of
# UTF-8); a CSV field far longer is broken or hostile, and checking it would
# take memory many times its size.
MAX_CELL_BYTES = 1024 * 1024


def _extent(read: list[int], path: Path, encoding: str):
    """(bytes read, file size) for progress. A cp1252 file's bytes are counted
    after conversion to UTF-8 (a £ is one byte more): near enough, and never
    past the end. UTF-16 halves in conversion: no estimate (rows only)."""
    if encoding == "utf-16":
        return None
    size = path.stat().st_size
    return lambda: (min(read[0], size), size)


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


# Where records end. A quote opens a quoted field only at the start of a field
# (as Excel and Python's csv read it): in `6" pipe` the inch mark is text.
# Inside a quoted field "" is a quote and a line break is part of the field.
# The scan is one regular expression over each block, possessive so it never
# backtracks: time linear in the file's size, whatever the quotes.
#
# polars counts quotes to find where its threads' chunks start, so it misreads
# a quote inside an unquoted field; a record holding one is written again as
# Python's csv module reads it (quoted, the quote doubled) before polars reads it.
MAX_RECORD_BYTES = 16 * 1024 * 1024
MAX_COLUMNS = 16_384  # Excel's last column, XFD


@functools.lru_cache(maxsize=8)
def _scanners(delimiter: str) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    d = re.escape(delimiter.encode())
    quoted = rb'"(?:[^"]++|"")*+"'
    # structural quotes only: a quoted field ends at a delimiter or the line's end
    safe_field = rb"(?:" + quoted + rb"\r?|[^" + d + rb'"\n]*+)'
    safe = re.compile(rb"(?:" + safe_field + rb"(?:" + d + safe_field + rb")*+\n)*+")
    # as a spreadsheet reads it: text after a closing quote, quotes inside unquoted text
    field = rb"(?:" + quoted + rb"[^" + d + rb"\n]*+|[^" + d + rb'\n"][^' + d + rb"\n]*+|)"
    record = rb"(?:" + field + rb"(?:" + d + field + rb")*+\n)"
    return safe, re.compile(record + rb"*+"), re.compile(record)


def _whole_records(data: bytes, delimiter: str) -> tuple[int, bool]:
    """(end of the last whole record in data, whether polars may parse data[:end])."""
    if b'"' not in data:
        return data.rfind(b"\n") + 1, True
    safe, general, _ = _scanners(delimiter)
    safe_end = safe.match(data).end()
    end = general.match(data, safe_end).end()
    return (safe_end, True) if end == safe_end else (end, False)


def _too_long(path: Path, data: bytes = b"") -> OpenbookError:
    if b"\r" in data and b"\n" not in data:
        return OpenbookError(f"{path}: the lines end with a carriage return only (old Mac text), so the file "
                             f"reads as one line of more than {MAX_RECORD_BYTES // 1024 // 1024} MB. Save it again "
                             "as CSV from Excel (Windows or Unix line endings).")
    return OpenbookError(f"{path}: a line holds more than {MAX_RECORD_BYTES // 1024 // 1024} MB of text; no "
                         "spreadsheet cell holds more than 32,767 characters, nor a row more than 16,384 cells. "
                         "Check the file (a quote that never closes?) and export it again.")


def _records_end(f, records: int, delimiter: str, path: Path) -> int:
    """The byte offset just after the first ``records`` CSV records (blank
    lines included, as csv.reader and Excel count them)."""
    _, _, record = _scanners(delimiter)
    data, pos = f.read(1024 * 1024), 0
    for _ in range(records):
        while True:
            m = record.match(data, pos)
            if m and (m.end() < len(data) or data.endswith(b"\n")):
                pos = m.end()
                break
            more = f.read(1024 * 1024)
            if not more:
                return len(data)
            data += more
            if len(data) - pos > MAX_RECORD_BYTES:
                raise _too_long(path, data)
    return pos


def _record_blocks(f, size: int, delimiter: str, path: Path) -> Iterator[tuple[bytes, bool]]:
    """The rest of the file in blocks of about ``size`` bytes, each ending at
    the end of a record; with each, whether polars may parse it (no quote
    inside an unquoted field). A record longer than MAX_RECORD_BYTES is refused."""
    carry = b""
    while True:
        chunk = f.read(size)
        data = carry + chunk if carry else chunk
        if not chunk:
            if data:
                whole = data if data.endswith(b"\n") else data + b"\n"
                end, safe = _whole_records(whole, delimiter)
                yield whole, safe or end < len(whole)  # a quote never closed: polars says so
            return
        end, safe = _whole_records(data, delimiter)
        if end == 0:             # no whole record yet: read on
            if len(data) > MAX_RECORD_BYTES:
                raise _too_long(path, data)
            carry = data
            continue
        carry = data[end:]
        yield data[:end], safe


def _requote(block: bytes, delimiter: str, path: Path) -> bytes:
    """The block with each record that has a quote inside an unquoted field
    written again as Python's csv module reads it (quoted, quotes doubled),
    so that polars reads the values a spreadsheet shows. Records without one
    are kept byte for byte."""
    safe, _, record = _scanners(delimiter)
    out, pos, end = [], 0, len(block)
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(max(limit, MAX_CELL_BYTES + 1))
        while pos < end:
            stop = safe.match(block, pos).end()
            out.append(block[pos:stop])
            m = record.match(block, stop)
            if stop >= end or not m or m.end() == stop:
                out.append(block[stop:])
                break
            text = block[stop:m.end()].decode("utf-8", errors="surrogateescape")
            buf = io.StringIO()
            writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
            writer.writerows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
            out.append(buf.getvalue().encode("utf-8", errors="surrogateescape"))
            pos = m.end()
    except csv.Error as exc:
        raise OpenbookError(f"{path}: the CSV could not be read ({first_line(exc)}); no spreadsheet cell holds "
                            "more than 32,767 characters. Check the file and export it again.") from None
    finally:
        csv.field_size_limit(limit)
    return b"".join(out)


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
