"""cp1252 and UTF-16 files are read as UTF-8 a block at a time, with the
per-line choice between UTF-8 and cp1252 kept exactly."""
from __future__ import annotations

import random

import polars as pl
import pytest

import openbook.read.delimited as delimited
from openbook.read.delimited import _decode, _Transcoded, read_csv


def _per_line(data: bytes) -> str:
    """The rule, written plainly: each line is UTF-8 if it can be, else cp1252."""
    out = []
    for line in data.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
    return "".join(out)


LINES = [b"Body,Amount,Purpose\r\n", b"Anytown,\xa3500.00,Caf\xe9 supplies\r\n",
         "Anytown,£12.50,Café réunion\r\n".encode("utf-8"),
         b"Anytown,\xa31.00,mixed \xc3\xa9 and \xa3\r\n", b"plain ascii line\n", b"\x81\x8d undefined bytes\n",
         "Łódź ’quotes’\n".encode("utf-8"), b"old Mac\r\xa35\r" + "caf\u00e9\r".encode("utf-8"),
         b"no line end at all"]


@pytest.mark.parametrize("seed", range(20))
def test_the_fast_path_and_the_blocks_agree_with_the_per_line_rule(seed, tmp_path, monkeypatch):
    rng = random.Random(seed)
    lines = [rng.choice(LINES[:-1]) for _ in range(rng.randint(1, 60))]
    if seed % 2:   # some files are pure cp1252 (the fast path), others mix both
        lines = [ln for ln in lines if len(ln.decode("utf-8", "surrogateescape")) == len(ln)] or [LINES[1]]
    data = b"".join(lines) + (LINES[-1] if seed % 3 == 0 else b"")
    assert _decode(data, "cp1252") == _per_line(data)
    path = tmp_path / "ledger.csv"
    path.write_bytes(data)
    monkeypatch.setattr(delimited, "BATCH_BYTES", rng.randint(1, 90))   # many small blocks
    stream = _Transcoded(path, "cp1252")
    assert stream.read() == _per_line(data).encode("utf-8")
    stream.seek(7)
    assert stream.read() == _per_line(data).encode("utf-8")[7:]
    stream.seek(3)   # a second seek reads the file again
    assert stream.read() == _per_line(data).encode("utf-8")[3:]
    stream.close()


def test_a_large_cp1252_file_reads_the_same_cells_block_by_block(tmp_path, monkeypatch):
    rows = [b"Date,Supplier,Amount,Purpose"] + [
        b"31/01/2025,Caf\xe9 %d,\xa3%d.50,\"Line %d, with \xa3 and a quote \"\"x\"\"\"" % (i, i, i)
        for i in range(3000)]
    path = tmp_path / "ledger.csv"
    path.write_bytes(b"\r\n".join(rows) + b"\r\n")
    whole = read_csv(path)
    expected = [f for f in whole.batches(0)]
    monkeypatch.setattr(delimited, "BATCH_BYTES", 4096)
    blocks = list(read_csv(path).batches(0))
    assert len(blocks) > 10
    got = pl.concat(blocks)
    assert got.equals(pl.concat(expected))
    assert got.height == 3000 and got.row(0) == ("31/01/2025", "Café 0", "£0.50", 'Line 0, with £ and a quote "x"')


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_export_reads_as_text(encoding, tmp_path):
    """Excel's "Unicode Text" and some ledger exports: UTF-16 with a BOM."""
    text = "Date,Supplier,Amount\r\n31/01/2025,Café Ltd,£1.50\r\n01/02/2025,Łódź plc,\"£2,000.00\"\r\n"
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeff".encode(encoding) + text.encode(encoding))
    raw = read_csv(path)
    assert raw.encoding == "utf-16" and raw.head[0] == ["Date", "Supplier", "Amount"]
    got = pl.concat(list(raw.batches(0)))
    assert got.rows() == [("31/01/2025", "Café Ltd", "£1.50"), ("01/02/2025", "Łódź plc", "£2,000.00")]
