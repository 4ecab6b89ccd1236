"""CSV, TSV and other delimited text: encoding, delimiter, and blocks of whole records."""
from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import re
from pathlib import Path
from typing import Iterator

import polars as pl

from openbook.errors import OpenbookError
from openbook.read.raw import BATCH_BYTES, BOMS, HEAD_ROWS, RawTable, first_line, read_ahead

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
            if encoding in ("utf-8", "utf-8-sig"):
                # Blocks of whole records, each parsed on its own: memory stays at
                # one block. scan_csv().collect_batches() reads ahead of a slow
                # consumer without bound (1.6 GiB held on a 3M-row file).
                source = open(path, "rb")
            else:
                source = _Transcoded(path, encoding)
            with source:
                start = _records_end(source, header_index + 1, delimiter, path)
                source.seek(start)
                read[0] = start
                # the next block is read, decoded and cut while polars parses and checks this one
                blocks = read_ahead(lambda: _record_blocks(source, BATCH_BYTES, delimiter, path))
                with contextlib.closing(blocks):
                    for block, safe in blocks:
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


# Bytes that start a multi-byte UTF-8 sequence (L) and bytes that continue one (C).
_UTF8_MARKS = bytes(76 if 0xC2 <= b <= 0xF4 else 67 if 0x80 <= b <= 0xBF else 46 for b in range(256))
_NOT_LEAD = bytes(b for b in range(256) if not 0xC2 <= b <= 0xF4)
_LINE_END = re.compile(rb"\r\n|\r|\n")


def _decode(data: bytes, encoding: str) -> str:
    """Text of a CSV. A cp1252 file is decoded line by line: a line that is
    valid UTF-8 is read as UTF-8, so a file that mixes both (rows pasted
    from two systems) reads correctly."""
    if encoding != "cp1252":
        return data.decode(encoding, errors="replace")
    # A line can be valid UTF-8 with bytes above 127 only if a lead byte is
    # followed by a continuation byte somewhere in it. The usual ledger export
    # has none (its £ is byte A3 alone), and then the whole block is cp1252,
    # decoded in one call; otherwise only the lines with such a pair are tried
    # as UTF-8 (splitlines' line ends: \r\n, \r or \n).
    if not data.translate(None, _NOT_LEAD):      # no lead byte at all: the quickest test
        return data.decode("cp1252", errors="replace")
    marks = data.translate(_UTF8_MARKS)
    at = marks.find(b"LC")
    out, pos = [], 0
    while at >= 0:
        start = max(data.rfind(b"\n", pos, at), data.rfind(b"\r", pos, at), pos - 1) + 1
        found = _LINE_END.search(data, at)
        end = found.end() if found else len(data)
        out.append(data[pos:start].decode("cp1252", errors="replace"))
        line = data[start:end]
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
        pos = end
        at = marks.find(b"LC", end)
    out.append(data[pos:].decode("cp1252", errors="replace"))
    return "".join(out)


class _Transcoded(io.RawIOBase):
    """A cp1252 or UTF-16 file read as UTF-8 (polars reads only UTF-8), a
    block of whole lines at a time: memory stays at one block, whatever the
    size of the file."""

    def __init__(self, path: Path, encoding: str):
        self.path, self.encoding = path, encoding
        self._open()

    def _open(self) -> None:
        self._file = open(self.path, "rb")
        self._out, self._carry, self._first = b"", b"", True
        self._given, self._keep = [], True   # what read() returned, until the first seek

    def _more(self) -> bool:
        if self.encoding == "utf-16":   # small exports: converted whole, as one block
            if not self._first:
                return False
            data, self._carry = self._file.read(), b""
        else:
            chunk = self._file.read(BATCH_BYTES)
            if not chunk and not self._carry:
                return False
            data = self._carry + chunk
            # a line is decoded whole (the cp1252/UTF-8 choice is per line)
            end = data.rfind(b"\n") + 1 if chunk else len(data)
            data, self._carry = (data[:end], data[end:]) if end else (b"", data)
            if len(self._carry) > MAX_RECORD_BYTES:
                raise _too_long(self.path, self._carry)
        text = _decode(data, self.encoding)
        if self._first:
            text, self._first = strip_bom(text), False
        self._out += text.encode("utf-8")
        return True

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._out) < size) and self._more():
            pass
        if size < 0:
            size = len(self._out)
        got, self._out = self._out[:size], self._out[size:]
        if self._keep:
            self._given.append(got)
        return got

    def seek(self, offset: int, whence: int = 0) -> int:
        """Only from the start (the reader skips the header lines, then seeks
        back to just after them): what was read is given again, not decoded again."""
        given = b"".join(self._given)
        if self._keep and offset <= len(given):
            self._out = given[offset:] + self._out
        else:
            self._file.close()
            self._open()
            self.read(offset)
        self._given, self._keep = [], False
        return offset

    def close(self) -> None:
        self._file.close()
        super().close()


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
    end = _structural_end(data, delimiter)
    if end is not None:
        return end, True
    safe, general, _ = _scanners(delimiter)
    safe_end = safe.match(data).end()
    end = general.match(data, safe_end).end()
    return (safe_end, True) if end == safe_end else (end, False)


def _structural_end(data: bytes, delimiter: str) -> int | None:
    """The end of the last whole record when every quote in data is
    structural (it opens a field, closes one, or is doubled inside one), or
    None when that does not hold, and the regular expressions decide.

    The usual file: its quotes split it into text outside fields and text
    inside them, alternately. Splitting is one C call, and a few byte
    comparisons per quoted field check the boundaries: twice as fast as the
    scan, which reads every byte in Python's regex engine."""
    parts = data.split(b'"')
    d = delimiter.encode()
    starts, ends = (d, b"\n", b"\r" + d, b"\r\n"), (d, b"\n")
    if parts[0] and not parts[0].endswith(ends):       # a quote inside unquoted text
        return None
    # between a closing and the next opening quote: nothing (a doubled quote
    # inside a field), or a field's end ... a field's start
    if any(p and not (p.startswith(starts) and p.endswith(ends)) for p in parts[2:-1:2]):
        return None
    last = parts[-1]
    if len(parts) % 2 and last and not last.startswith(starts):   # text after a closing quote
        return None
    # the last line end outside quotes (inside a quoted field it is part of the field)
    stop = len(data)
    for i in range(len(parts) - 1, -1, -1):
        start = stop - len(parts[i])
        if i % 2 == 0 and b"\n" in parts[i]:
            return start + parts[i].rfind(b"\n") + 1
        stop = start - 1
    return 0


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
