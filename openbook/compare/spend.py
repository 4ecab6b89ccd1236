"""Each body's spend, wherever it is read from: a package's CSV file or the catalogue's Parquet copy.

Spend is the one table that grows with the years (a council publishes
thousands of lines a month), and compare needs little of it: per body and
supplier spelling, the total paid and the number of payments (overlaps.py),
and the lines of a council whose supplier's open-book costs are reconciled
(reconcile.py). So spend is never held as rows: polars reads only those
columns and adds them up, from CSV files one at a time, or from every
Parquet file of a catalogue in one lazy scan (publish/columnar.py's layout).

Both ways give the same figures. Amounts are added up exactly, as whole
millionths of a pound, so the order the lines were read in never changes a
total (an amount finer than that, which no ledger holds, makes its group's
total a floating-point sum).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from openbook.compare.matching import NOT_A_NUMBER
from openbook.datapackage.contract import Item, Package

SPEND = "spend"
NAME, REG, AMOUNT = "BeneficiaryName", "BeneficiaryRegistrationNumber", "Amount"
# what reconcile.py reads of a council's spend lines
LINE_COLUMNS = (NAME, REG, AMOUNT, "PaymentDate", "EffectiveDate", "ContractReference")
UNITS = 1_000_000  # amounts are added up in millionths of a pound (see _groups)


@dataclass
class SpendFile:
    """One file of a body's spend: a package's CSV (``item``), its Parquet copy
    (``parquet``), or lines already in memory (``rows``, dicts of text)."""
    pkg: Package | None = None
    item: Item | None = None
    parquet: Path | None = None
    rows: list[dict] | None = None


@dataclass(slots=True)  # one per body and supplier spelling: hundreds of thousands in a big catalogue
class SupplierGroup:
    """The spend lines of one body that give one supplier spelling and registration number."""
    name: str  # BeneficiaryName as published ('' when blank)
    registration: str  # BeneficiaryRegistrationNumber as published
    amount: float  # the total of the lines with an amount
    payments: int  # the lines with an amount


def files_of(pkg: Package, parquet: Path | None) -> list[SpendFile]:
    if parquet is not None:
        return [SpendFile(pkg, parquet=parquet)]
    return [SpendFile(pkg, item=item) for item in pkg.resource_items(SPEND)]


def _amount(dtype):
    """The amount as matching.number reads it: '£1,234.50' and '(12.00)' too; typed columns as they are."""
    import polars as pl
    if dtype is not None and dtype.is_numeric():
        return pl.col(AMOUNT).cast(pl.Float64)
    s = (pl.col(AMOUNT).cast(pl.String).str.strip_chars().str.replace_all("£", "", literal=True)
         .str.replace_all(",", "", literal=True).str.replace_all(" ", "", literal=True))
    value = s.str.strip_chars("()").cast(pl.Float64, strict=False)
    value = pl.when(s.str.starts_with("(") & s.str.ends_with(")")).then(-value).otherwise(value)
    return pl.when(s.is_null() | s.is_in(NOT_A_NUMBER)).then(None).otherwise(value)


def _text(name: str, schema: dict):
    import polars as pl
    if name not in schema:
        return pl.lit("", dtype=pl.String).alias(name)
    return pl.col(name).cast(pl.String).fill_null("").alias(name)


def _prepared(frame, schema: dict, file_no):
    """name, registration, amount (Float64, null when none) and the file's number, in line order."""
    import polars as pl
    amount = _amount(schema.get(AMOUNT)) if AMOUNT in schema else pl.lit(None, dtype=pl.Float64)
    return frame.select(_text(NAME, schema), _text(REG, schema), amount.alias(AMOUNT), file_no)


def _groups(frame):
    """Per file, name and registration: the total and payments, with the first line that has an
    amount (so the groups can be taken in the order a reader of the lines would meet them).
    Totals are exact: each amount as a whole number of millionths of a pound (any published
    amount is one), added as integers, so no order of reading changes them. Only a group with
    an amount finer than that is added in floating point. Every aggregation streams."""
    import polars as pl
    has = pl.col(AMOUNT).is_not_null()
    units = (pl.col(AMOUNT) * UNITS).round(0).cast(pl.Int64, strict=False)
    frame = frame.with_row_index("_line").with_columns(
        units=units, exact=(units.cast(pl.Float64) / UNITS == pl.col(AMOUNT)) | ~has,
        first=pl.when(has).then(pl.col("_line")))
    return (frame.group_by("_file", NAME, REG)
            .agg(payments=has.sum(), exact=pl.col("exact").all(), units=pl.col("units").sum(),
                 floats=pl.col(AMOUNT).sum(), first=pl.col("first").min(), any_line=pl.col("_line").min())
            .with_columns(amount=pl.when(pl.col("exact")).then(pl.col("units").cast(pl.Float64) / UNITS)
                          .otherwise(pl.col("floats")))
            .select("_file", NAME, REG, "amount", "payments", "first", "any_line"))


def supplier_groups(bodies) -> dict[str, list[SupplierGroup]]:
    """body slug -> its supplier groups: those with payments in the order their first payment is
    read (file by file, as merge_bodies lists them), then those without any."""
    import polars as pl
    files: list[tuple[str, SpendFile]] = [(b.slug, f) for b in bodies for f in b.spend]
    parts = []
    by_schema: dict[tuple, tuple[dict, list[tuple[int, Path]]]] = {}
    for number, (_, f) in enumerate(files):
        if f.parquet is not None:
            schema = {c: t for c, t in pl.read_parquet_schema(f.parquet).items() if c in (NAME, REG, AMOUNT)}
            signature = tuple(sorted((c, str(t)) for c, t in schema.items()))
            by_schema.setdefault(signature, (schema, []))[1].append((number, f.parquet))
        else:
            frame = _read_csv(f, (NAME, REG, AMOUNT)) if f.rows is None else \
                pl.DataFrame([{c: r.get(c) for c in (NAME, REG, AMOUNT)} for r in f.rows],
                             schema={c: pl.String for c in (NAME, REG, AMOUNT)})
            file_no = pl.lit(number, dtype=pl.Int64).alias("_file")
            parts.append(_groups(_prepared(frame.lazy(), dict(frame.schema), file_no)).collect())
    for schema, numbered in by_schema.values():
        # one lazy scan of every file whose columns have the same types: only the three
        # columns are read, and only the groups leave polars
        numbers = {str(path): n for n, path in numbered}
        scan = pl.scan_parquet([str(p) for _, p in numbered], hive_partitioning=True, try_parse_hive_dates=False,
                               glob=False, include_file_paths="_path", missing_columns="insert",
                               extra_columns="ignore")
        # the streaming engine reads the files in batches: the lines are never all in memory at once
        groups = _groups(_prepared(scan, schema, pl.col("_path").alias("_file"))).collect(engine="streaming")
        parts.append(groups.with_columns(pl.col("_file").replace_strict(numbers, return_dtype=pl.Int64)))
    out: dict[str, list[SupplierGroup]] = {b.slug: [] for b in bodies}
    if not parts:
        return out
    table = pl.concat(parts).sort("_file", pl.col("first").is_null(), "first", "any_line")
    for file_no, name, reg, amount, payments, _, _ in table.iter_rows():
        out[files[file_no][0]].append(SupplierGroup(name, reg, amount, payments))
    return out


def _read_csv(f: SpendFile, columns: tuple[str, ...]):
    import polars as pl
    data = f.pkg.read_checked(f.item)
    header = pl.read_csv(io.BytesIO(data), n_rows=0, infer_schema=False).columns
    wanted = [c for c in columns if c in header]
    return pl.read_csv(io.BytesIO(data), columns=wanted or header[:1], infer_schema=False, encoding="utf8") \
        .select(wanted)


def spend_lines(body) -> list[dict]:
    """The spend lines of one body, as text (LINE_COLUMNS): what reconcile.py reads."""
    import datetime as dt

    import polars as pl
    rows: list[dict] = []
    read: set[int] = set()
    for f in body.spend:
        if f.rows is not None:
            rows.extend(f.rows)
            continue
        if f.item is not None:
            if id(f.pkg) not in read:  # every spend file of that package at once
                read.add(id(f.pkg))
                rows.extend(f.pkg.rows(SPEND, columns=LINE_COLUMNS))
            continue
        schema = pl.read_parquet_schema(f.parquet)
        frame = pl.read_parquet(f.parquet, columns=[c for c in LINE_COLUMNS if c in schema], hive_partitioning=False)
        for row in frame.iter_rows(named=True):
            rows.append({k: "" if v is None else v.isoformat() if isinstance(v, dt.date)
                         else ("true" if v else "false") if isinstance(v, bool) else str(v)
                         for k, v in row.items()})
    return rows
