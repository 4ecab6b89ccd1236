"""The catalogue as columnar tables: every published table also as Parquet.

    <root>/_parquet/table=spend/organisation=anytown-borough-council/period=2025-26/<dataset>.parquet

Beside the Data Packages (which stay the record), the latest version of each
dataset's tables is written in a Hive-partitioned layout that the engines a
catalogue maintainer already has read as they are: DuckDB
(``read_parquet('…/_parquet/table=spend/**/*.parquet', hive_partitioning=true)``),
Athena/Trino, Spark, polars (``openbook query``). Values are typed from each
table's schema (numbers, dates, true/false), so sums and date ranges work
without casting. One file per dataset and table: a new version of a dataset
replaces its file, and two datasets of one body and period never collide.
"""
from __future__ import annotations

import io
import re

from openbook.datapackage.contract import Item, Package

ROOT = "_parquet"
# Each file's Parquet key-value metadata names the dataset, version and CSV files
# it was made from (their sha256), so a reader can tell it is the copy of the
# latest/ it stands beside: a publish that stopped between the two leaves them apart.
SOURCE_KEY = "openbook:source"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _part(value: object) -> str:
    """A partition value that is safe as a folder name and readable."""
    text = _SAFE.sub("-", str(value or "unknown")).strip("-.")
    return text or "unknown"


def _typed(frame, schema: dict):
    """Columns typed as the table schema says, read by the same parser validation
    uses (read/values.py: "£1,234.56", "31/01/2025"). A column with any value that
    does not read as its type stays text, so nothing published is lost."""
    import polars as pl

    from openbook.read.values import fast_parse, parse
    kinds = {"number": pl.Float64, "integer": pl.Int64, "date": pl.Date, "boolean": pl.Boolean}
    todo = [(f.get("name"), f.get("type"), f) for f in schema.get("fields") or []
            if f.get("name") in frame.columns and f.get("type") in kinds]
    if not todo:
        return frame
    # A packaged table's values are mostly in their normalised form already (ISO dates, plain
    # numbers): where the fast parser validation uses (read/values.fast_parse) reads every value
    # of a column, that is the column's result; the full parser, whose plan costs far more than
    # a small table's rows, runs only for the other columns. Every column in one select.
    fast = {}
    for i, (name, _, field) in enumerate(todo):
        text = pl.col(name).str.strip_chars()
        if (got := fast_parse(field, text)) is not None:
            mask, normalised, ok = got
            fast[i] = [(mask | text.is_null() | (text == "")).all().alias(f"all{i}"),
                       normalised.alias(f"v{i}"), (~mask | ok).alias(f"ok{i}")]
    quick = frame.select([e for exprs in fast.values() for e in exprs]) if fast else None
    covered = {i for i in fast if quick[f"all{i}"][0]}
    exprs = []
    for i, (name, _, field) in enumerate(todo):
        if i in covered:
            continue
        text = pl.col(name).str.strip_chars()
        normalised, ok = parse(field, text)
        exprs += [normalised.alias(f"v{i}"), (ok | text.is_null() | (text == "")).alias(f"ok{i}")]
    checked = frame.select(exprs) if exprs else pl.DataFrame()
    if covered:
        checked = checked.hstack([quick[f"{k}{i}"] for i in sorted(covered) for k in ("v", "ok")]) \
            if exprs else quick.select([f"{k}{i}" for i in sorted(covered) for k in ("v", "ok")])
    for i, (name, kind, _) in enumerate(todo):
        if not checked[f"ok{i}"].all():
            continue
        values = checked[f"v{i}"]
        if kind == "date":
            values = values.str.to_date("%Y-%m-%d", strict=False)
        elif kind == "boolean":
            values = values.str.to_lowercase() == "true"   # parse() writes true / false
        else:
            values = values.cast(kinds[kind], strict=False)
        frame = frame.with_columns(values.alias(name))
    return frame


def key(pkg: Package, resource: str) -> str:
    return (f"{ROOT}/table={_part(resource)}/organisation={_part(pkg.org_slug)}/"
            f"period={_part(pkg.openbook.get('period'))}/{_part(pkg.name)}.parquet")


def items(pkg: Package) -> list[Item]:
    """The Parquet files of a package's tables (in memory), ready to publish."""
    import polars as pl
    out = []
    for name in pkg.resource_names():
        resource = next(i.resource for i in pkg.items if i.resource is not None and i.resource.get("name") == name)
        parts = [i for i in pkg.items if i.resource is not None and i.resource.get("name") == name]
        frames = [pl.read_csv(io.BytesIO(i.read()), infer_schema=False, encoding="utf8") for i in parts]
        frame = pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]
        frame = _typed(frame, resource.get("schema") or {})
        buf = io.BytesIO()
        frame.write_parquet(buf, compression="zstd", statistics=True,
                            metadata={SOURCE_KEY: source_text(pkg, name)})
        out.append(Item.from_bytes(key(pkg, name), buf.getvalue()))
    return out


def source_text(pkg: Package, resource: str) -> str:
    """What a table's Parquet file records of where it came from (SOURCE_KEY)."""
    import json
    return json.dumps({"dataset": pkg.name, "version": pkg.version,
                       "sha256": [i.sha256 for i in pkg.items
                                  if i.resource is not None and i.resource.get("name") == resource]},
                      sort_keys=True)
