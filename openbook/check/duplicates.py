"""duplicate-line: a line identical to another in every column of the file.

Two lines are duplicates only if they agree in *every* column of the source
file, including the columns outside the standard (a sequence number, an
internal reference, a cost centre): lines that differ anywhere may well be
separate payments. Even an exact repeat can be genuine (two identical care
invoices on one day), so the advice is to check the ledger, never to delete.

Spend lines that agree in date, beneficiary, amount and purpose but differ
elsewhere get one note for the whole file, never one warning each.

Cost: per batch, one 64-bit fingerprint of each whole line as written (every
column, trimmed) and, for spend, one of date, beneficiary, amount and purpose.
Exact repeats are found from the fingerprints alone. Only when lines share
date, beneficiary, amount and purpose but not their fingerprint is the file
read a second time, keeping just those lines, to say which columns differ.
"""
from __future__ import annotations

import polars as pl

from openbook.check.registry import register
from openbook.read.values import strip

NEAR_KEY = ("PaymentDate", "BeneficiaryName", "Amount", "Purpose")
SCHEMAS = ("spend", "roles-senior", "roles-junior")


def _hash(names: list[str]) -> pl.Expr:
    return pl.reduce(lambda a, b: a ^ b, [pl.col(n).hash(seed=i + 1) for i, n in enumerate(names)])


def _cell(name: str) -> pl.Expr:
    return strip(pl.col(name).cast(pl.String)).fill_null("")


def _line_hash(cells: list[str]) -> pl.Expr:
    """One fingerprint of a whole line (columns c<j>, trimmed, empty cells
    null). Each column is hashed with its own seed and an empty cell adds
    nothing, so a line from a batch that lacks trailing empty columns gets
    the same fingerprint."""
    return pl.reduce(lambda a, b: a ^ b, [
        pl.when(pl.col(c).is_null()).then(pl.lit(0, dtype=pl.UInt64)).otherwise(pl.col(c).hash(seed=int(c[1:]) + 1))
        for c in cells])


def _raw_lines(info, rows: pl.Series) -> pl.DataFrame:
    """The lines of ``rows`` as written in the file: every column, trimmed."""
    raw, m = info._raw, info._match
    keep = rows.implode()
    parts, offset = [], raw.head_first_row + m.header_index + 1
    for batch in raw.batches(m.header_index):
        n = batch.height
        batch = batch.with_columns(pl.int_range(offset, offset + n, dtype=pl.Int64).alias("__row"))
        offset += n
        batch = batch.filter(pl.col("__row").is_in(keep))
        if batch.height:
            parts.append(batch)
    if not parts:
        return pl.DataFrame(schema={"__row": pl.Int64})
    frame = pl.concat(parts, how="diagonal")
    return frame.with_columns(_cell(c) for c in frame.columns if c != "__row")


def _header(info) -> dict[str, str]:
    """Raw column (c<j>) -> the column's name as the file gives it."""
    m = info._match
    head = info._raw.head[m.header_index] if m is not None else []
    return {f"c{j}": (text.strip() or f"column {j + 1}") for j, text in enumerate(head)}


def _report(info):
    parts = info.state.get("hashes")
    if not parts:
        return None
    h = pl.concat(parts)
    out = []
    exact = h.filter(pl.col("full").is_duplicated()).sort("row") \
        .with_columns(pl.col("row").first().over("full").alias("of"))
    copies = exact.filter(pl.col("row") != pl.col("of"))
    if copies.height:
        out.append(copies.select("row", pl.lit(None, dtype=pl.String).alias("field"),
                                 pl.lit(None, dtype=pl.String).alias("value"), pl.format(
            "This line is identical to row {} in every column of the file. Repeated identical lines can be "
            "genuine (two care or per-client payments of the same amount on one day), so check the ledger "
            "before removing either; if both are real, publish what tells them apart (a transaction or "
            "invoice number).", pl.col("of")).alias("message")))
    note = _near_note(h, info)
    if note is not None:
        out.append(note)
    return pl.concat(out) if out else None


def _near_note(h: pl.DataFrame, info) -> pl.DataFrame | None:
    """One note for the lines equal in date, beneficiary, amount and purpose but not identical."""
    near = h.filter(pl.col("k").is_not_null() & pl.col("k").is_duplicated())
    # groups with more than one distinct line: those lines differ somewhere else
    near = near.filter(pl.col("full").n_unique().over("k") > 1)
    if not near.height:
        return None
    # which columns differ: only these lines are read again
    near = _raw_lines(info, near["row"]).join(near, left_on="__row", right_on="row")
    names = _header(info)
    cells = [c for c in near.columns if c.startswith("c") and c[1:].isdigit()]
    differ = near.group_by("k").agg([(pl.col(c).n_unique() > 1).alias(c) for c in cells])
    counts = differ.select(pl.col(c).sum() for c in cells).row(0)
    ranked = sorted(((n, names.get(c, c)) for c, n in zip(cells, counts) if n), reverse=True)[:3]
    what = ", ".join(f'"{name}"' for _, name in ranked) or "other columns"
    groups = near["k"].n_unique()
    return pl.DataFrame({"row": [None], "field": [None], "value": [f"{near.height:,} lines"], "message": [
        f"{near.height:,} lines in {groups:,} groups share their payment date, beneficiary, amount and purpose "
        f"but differ in other columns (mostly {what}). They are most likely separate payments: nothing to "
        "change, unless the ledger shows one was entered twice."]},
        schema={"row": pl.Int64, "field": pl.String, "value": pl.String, "message": pl.String})


@register("duplicate-line", "warning", "accuracy",
          "A line identical to an earlier line in every column of the file, including columns outside the "
          "standard (a sequence number, an internal reference). Spend lines that share date, beneficiary, "
          "amount and purpose but differ elsewhere get one note for the whole file, not a warning each.",
          schemas=SCHEMAS, finish=_report,
          fix="Check the ledger: repeated identical lines can be genuine (several identical care or per-client "
              "payments). Remove a line only if the ledger shows it was entered once; if both are real, publish "
              "what tells them apart (the transaction number or invoice reference).")
def duplicate_line(frame: pl.DataFrame, info):
    """Per batch: a fingerprint of each whole line (and of the near-duplicate key)."""
    lines = info.lines
    if lines is None or not frame.height:
        return None
    cells = [c for c in lines.columns if c.startswith("c") and c[1:].isdigit()]
    if not cells:
        return None
    key = [n for n in NEAR_KEY if n in info.present and n in frame.columns]
    near = _hash(key) if info.schema == "spend" and len(key) >= 3 else pl.lit(None, dtype=pl.UInt64)
    full = lines.select(_line_hash(cells).alias("full"), pl.col("__row").alias("row"))
    keys = frame.select(near.alias("k"), pl.col("__row").alias("row"))
    # the frame holds the batch's lines less the blank ones, in the same order
    info.state.setdefault("hashes", []).append(keys.join(full, on="row", how="left", maintain_order="left"))
    return None
