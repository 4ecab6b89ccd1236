"""Property tests (hypothesis) on the readers and the value parsers.

Whatever the bytes, reading a CSV or an XLSX and validating it either works or
raises OpenbookError: any other exception is a crash. The value parsers never
raise on any text, accept every real date in dd/mm/yyyy and ISO form, reject
impossible dates, and read back "£{:,.2f}"-formatted amounts exactly.

Bounded: each test has a fixed number of examples and no per-example deadline
flakiness (deadline=None, with max_examples small); the module takes about
30-60 s.
"""
from __future__ import annotations

import calendar
import datetime as dt
import io
import itertools
import os
import sys
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from openbook.read import values
from openbook.errors import OpenbookError
from openbook.read.tables import read_tables
from openbook.check.validate import validate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bad_inputs import generate as G  # noqa: E402

# OPENBOOK_FUZZ_EXAMPLES=2000 runs a longer, randomised search (not in CI).
_LONG = int(os.environ.get("OPENBOOK_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=_LONG or 60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=not _LONG)
FAST = settings(max_examples=_LONG or 300, deadline=None, derandomize=not _LONG)


def read_all(path: Path) -> None:
    """Read every table of a file, every batch, then validate it: OpenbookError is fine."""
    try:
        for table in read_tables(path):
            if table.batches is not None and table.head:
                for _ in table.batches(0):
                    pass
        validate(str(path))
    except OpenbookError as exc:
        assert str(exc) and "\n" not in str(exc).strip()


# One folder for the whole module, removed at its end (hypothesis runs each test
# many times, so pytest's per-test tmp_path does not fit).
_WORK = tempfile.TemporaryDirectory(prefix="openbook-fuzz-")
_COUNT = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def _clean_up_work_folder():
    yield
    _WORK.cleanup()


def write(data: bytes, suffix: str) -> Path:
    """A fresh file (its own folder, so a folder walk never meets an earlier case)."""
    folder = Path(_WORK.name) / str(next(_COUNT))
    folder.mkdir()
    path = folder / f"fuzz{suffix}"
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ CSV

cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
csv_like = st.lists(st.lists(st.one_of(cell_text, st.sampled_from(["£1,234.56", "31/01/2025", "", '"', "\r\n",
                                                                     "=SUM(A1)", "\ufeff", "\x00", ";", "\t"])),
                             min_size=0, max_size=8), min_size=0, max_size=12)


@FUZZ
@given(rows=csv_like, encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
       sep=st.sampled_from([",", ";", "\t", "|"]), header=st.booleans())
def test_csv_reader_never_crashes_on_text(rows, encoding, sep, header):
    lines = ([sep.join(G.HEADER)] if header else []) + [sep.join(r) for r in rows]
    data = "\r\n".join(lines).encode(encoding, errors="replace")
    read_all(write(data, ".csv"))


@FUZZ
@given(data=st.binary(max_size=2048))
def test_csv_reader_never_crashes_on_bytes(data):
    read_all(write(data, ".csv"))


@FUZZ
@given(cut=st.integers(min_value=0, max_value=400), flips=st.lists(st.integers(0, 10_000), max_size=4))
def test_csv_reader_never_crashes_on_damaged_spend_file(cut, flips):
    data = bytearray(G.spend_csv(rows=G.ROWS * 5))
    data = data[: len(data) - cut] if cut < len(data) else data
    for f in flips:
        if data:
            data[f % len(data)] = (data[f % len(data)] + 1 + f) % 256
    read_all(write(bytes(data), ".csv"))


# ------------------------------------------------------------------ XLSX

@pytest.fixture(scope="module")
def real_xlsx() -> bytes:
    import xlsxwriter
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet("Spend")
    for r, row in enumerate([G.HEADER] + G.ROWS * 3):
        ws.write_row(r, 0, row)
    ws.write_formula(1, 7, "=1+1", None, 2)
    wb.close()
    return buf.getvalue()


@FUZZ
@given(cells=st.lists(st.lists(st.one_of(cell_text, st.integers(-10**12, 10**12),
                                         st.floats(allow_nan=False, allow_infinity=False)),
                               max_size=8), max_size=10), header=st.booleans(), title_rows=st.integers(0, 3))
def test_xlsx_reader_never_crashes_on_any_grid(cells, header, title_rows):
    rows = [["Title"]] * title_rows + ([G.HEADER] if header else []) + cells
    rows = [[("" if isinstance(v, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in v) else v) for v in r]
            for r in rows]
    read_all(write(G.spend_xlsx(rows=rows[1:] if rows else [], header=rows[0] if rows else []), ".xlsx"))


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=6),
       cut=st.one_of(st.none(), st.integers(0, 10**6)))
def test_xlsx_reader_never_crashes_on_damaged_bytes(real_xlsx, flips, cut):
    data = bytearray(real_xlsx)
    for pos, delta in flips:
        data[pos % len(data)] ^= delta
    if cut is not None:
        data = data[: cut % len(data)]
    read_all(write(bytes(data), ".xlsx"))


@FUZZ
@given(part=st.sampled_from(["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml",
                             "xl/sharedStrings.xml", "xl/styles.xml", "[Content_Types].xml"]),
       junk=st.binary(max_size=300), keep=st.integers(0, 2000))
def test_xlsx_reader_never_crashes_on_damaged_parts(real_xlsx, part, junk, keep):
    """Valid zip, one XML part replaced by a cut-off prefix plus junk."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(real_xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                data = data[:keep] + junk
            dst.writestr(info.filename, data)
    read_all(write(out.getvalue(), ".xlsx"))


# ------------------------------------------------------------------ values

def parse(fn, texts, **kw):
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    normalised, ok = fn(pl.col("t"), **kw)
    out = frame.select(normalised.alias("n"), ok.alias("ok"))
    return out["n"].to_list(), out["ok"].to_list()


any_text = st.text(max_size=40)


@FAST
@given(texts=st.lists(any_text, min_size=1, max_size=20))
def test_parsers_never_raise(texts):
    for fn, kw in [(values.parse_date, {}), (values.parse_datetime, {}), (values.parse_number, {}),
                   (values.parse_number, {"group_char": None, "bare": True}), (values.parse_integer, {}),
                   (values.parse_boolean, {"true_values": None, "false_values": None}), (values.parse_year, {})]:
        normalised, ok = parse(fn, texts, **kw)
        assert len(ok) == len(texts)
        assert all(o in (True, False, None) for o in ok)


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31))


@FAST
@given(days=st.lists(dates, min_size=1, max_size=20))
def test_parse_date_reads_every_real_date_uk_and_iso(days):
    texts = [d.strftime("%d/%m/%Y") for d in days] + [d.isoformat() for d in days] + \
            [f"{d.day}/{d.month}/{d.year}" for d in days]
    normalised, ok = parse(values.parse_date, texts)
    assert all(ok), [t for t, o in zip(texts, ok) if not o]
    assert normalised == [d.isoformat() for d in days] * 3


@FAST
@given(year=st.integers(1900, 2199), month=st.integers(1, 12), extra=st.integers(1, 5))
def test_parse_date_rejects_impossible_dates(year, month, extra):
    last = calendar.monthrange(year, month)[1]
    day = last + extra
    assume(day <= 35)
    texts = [f"{day:02d}/{month:02d}/{year}", f"{year}-{month:02d}-{day:02d}",
             f"15/{12 + extra:02d}/{year}", f"{year}-{12 + extra:02d}-15", f"00/{month:02d}/{year}"]
    normalised, ok = parse(values.parse_date, texts)
    assert not any(ok), list(zip(texts, ok))


@FAST
@given(amounts=st.lists(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"),
                                    places=2, allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_parse_number_round_trips_pound_formatted_amounts(amounts):
    texts = ["£{:,.2f}".format(a) for a in amounts]
    normalised, ok = parse(values.parse_number, texts, group_char=",", bare=False)
    assert all(ok), [t for t, o in zip(texts, ok) if not o]
    assert [Decimal(n) for n in normalised] == amounts


# ------------------------------------------------------------------ CSV records (issue 14, case 3)

field_text = st.text(alphabet=st.sampled_from(list('ab 6"\n,\'')), max_size=12)


@FUZZ
@given(rows=st.lists(st.lists(field_text, min_size=3, max_size=3), min_size=1, max_size=25),
       quote_all=st.booleans(), block=st.sampled_from([7, 31, 97, 1 << 20]), last_newline=st.booleans())
def test_csv_blocks_read_what_a_spreadsheet_reads(rows, quote_all, block, last_newline):
    """Fields with quotes anywhere: written quoted where they must be (or
    always), or left bare when they hold a quote but no comma or line break,
    as ledgers write an inch mark. Read in blocks of any size, every row is
    what Python's csv module (and a spreadsheet) reads from the whole file."""
    import csv as csvmod

    import openbook.read.delimited as delimited

    def cell(v: str) -> str:
        if quote_all or "," in v or "\n" in v or v.startswith('"'):
            return '"' + v.replace('"', '""') + '"'
        return v    # a bare quote inside: 6" pipe
    text = "h1,h2,h3\n" + "".join(",".join(cell(v) for v in r) + "\n" for r in rows)
    if not last_newline and not text.endswith('"\n'):
        text = text[:-1]
    expected = [r + [""] * (3 - len(r)) for r in csvmod.reader(io.StringIO(text, newline=""))][1:]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        path.write_bytes(text.encode())
        old = delimited.BATCH_BYTES
        delimited.BATCH_BYTES = block
        try:
            table = read_tables(path)[0]
            got = [["" if v is None else v for v in row][:3] for frame in table.batches(0) for row in frame.rows()]
        finally:
            delimited.BATCH_BYTES = old
    assert got == [["" if v is None else v for v in r][:3] for r in expected]
