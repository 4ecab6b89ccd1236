"""Shared scanning of text cells for the cell-level checks.

Regular expressions cost about the same per cell however simple they are, so
the checks that look inside text (formula injection, emails, NI numbers,
phone numbers, bank details) do not each scan every column. One pass per
batch runs a single cheap pre-filter over each column (in parallel, in
polars) and keeps the few cells that could match anything; each check then
runs its exact pattern on those cells only.
"""
from __future__ import annotations

import polars as pl

# Fields where people type prose or names: where phone numbers, NI numbers
# and bank details turn up. Identifier, code and amount columns are not
# scanned for those (an 11-digit invoice number is not a phone number).
FREE_TEXT = {
    "spend": ("BeneficiaryName", "Purpose", "GrantPurpose"),
    "roles-senior": ("Name", "Job Title", "Job/Team Function", "Notes"),
    "roles-junior": ("Generic Job Title", "Unit"),
    "functions": ("Label", "Description", "StatutoryBasis", "OwningUnit"),
    "systems": ("SystemName", "Purpose", "UsedByUnits"),
    "costs": ("Description", "Notes"),
    "supplier-costs": ("Deliverable", "GradeRole", "CostDriver"),
    "outcomes": ("IndicatorLabel",),
}

TYPED = {"number", "integer", "date", "datetime", "boolean", "year"}

FORMULA_START = r"^[=+\-@\t\r]"
NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def looks_like_formula(text: pl.Expr) -> pl.Expr:
    """Text a spreadsheet would run as a formula: it starts with =, +, -, @, a
    tab or a CR and is not a number. The check reports it; packaging neutralises it."""
    return text.str.contains(FORMULA_START) & ~text.str.contains(NUMBER)
# Anything a phone, NI or bank number needs: six digits, maybe spaced in pairs.
PII_PREFILTER = r"@|\d{2}[\s-]?\d{2}[\s-]?\d{2}"

EMPTY = pl.DataFrame(schema={"row": pl.Int64, "field": pl.String, "value": pl.String})


def is_email_field(name: str, spec: dict) -> bool:
    """An email column: named so, of format email, or a post's published contact
    details (x-contact in the standard: an organisation chart's ContactDetails)."""
    return "mail" in name.lower() or spec.get("format") == "email" or bool(spec.get("x-contact"))


def free_text(schema: str) -> tuple[str, ...]:
    return FREE_TEXT.get(schema, ())


def distinct(frame: pl.DataFrame, name: str, info) -> pl.Series:
    """The distinct non-null values of a column in this batch, shared by the checks."""
    cache = info.cache.setdefault("distinct", {})
    if name not in cache:
        cache[name] = frame[name].drop_nulls().unique()
    return cache[name]


def repetitive(frame: pl.DataFrame, name: str, info) -> bool:
    """Whether a column repeats its values enough that testing each distinct
    value once is cheaper than testing every cell (judged once per table, on
    a sample of its first batch)."""
    cache = info.table_cache.setdefault("repetitive", {})
    if name not in cache:
        sample = frame[name].head(2000).drop_nulls()
        cache[name] = sample.len() == 0 or sample.n_unique() <= sample.len() // 5
    return cache[name]


def formula_prefilter(name: str) -> pl.Expr:
    """A cheap superset of the cells that start like a formula: comparing a
    string with a one-character string only reads its first byte. True where
    the first byte is below "0" (tab, CR, +, - and other punctuation) or
    between ":" and "@" (=, @ among them)."""
    c = pl.col(name)
    return (c < "0") | ((c >= ":") & (c < "A"))


def candidates(frame: pl.DataFrame, info) -> pl.DataFrame:
    """Long frame (row, field, value) of the cells any text check could flag,
    computed once per batch and shared through ``info.cache``.

    Every text column: cells whose first byte could start a formula (a byte
    comparison). Columns that may not hold emails: cells with an @ (a byte
    search). Free-text columns: cells with an @ or six digits, tested once
    per distinct value when the column repeats (names, purposes). All in one
    parallel polars select; each check then applies its exact pattern."""
    if "text-scan" in info.cache:
        return info.cache["text-scan"]
    names = [n for n in info.fields if n in info.present and n in frame.columns
             and frame.schema[n] == pl.String]
    found = EMPTY
    if names and frame.height:
        exprs = []
        for n in names:
            spec = info.fields[n]
            e = formula_prefilter(n)
            if n in free_text(info.schema):
                if repetitive(frame, n, info):
                    values = distinct(frame, n, info)
                    hits = values.filter(values.str.contains(PII_PREFILTER))
                    if hits.len():
                        e = e | pl.col(n).is_in(hits.implode())
                else:
                    e = e | pl.col(n).str.contains(PII_PREFILTER)
            elif (spec.get("type", "string") not in TYPED and spec.get("format") != "uri"
                  and not is_email_field(n, spec)):
                e = e | pl.col(n).str.contains("@", literal=True)
            exprs.append(e.fill_null(False).alias(n))
        masks = frame.select(exprs)
        hit = [n for n, k in zip(masks.columns, masks.sum().row(0)) if k]
        parts = [frame.filter(masks[n]).select(pl.col("__row").alias("row"), pl.lit(n).alias("field"),
                                               pl.col(n).alias("value")) for n in hit]
        if parts:
            found = pl.concat(parts)
    info.cache["text-scan"] = found
    return found


def in_fields(fields) -> pl.Expr:
    return pl.col("field").is_in(list(fields))


def short(expr: pl.Expr, n: int = 60) -> pl.Expr:
    """A value cut to n characters for a message."""
    return pl.when(expr.str.len_chars() > n).then(expr.str.slice(0, n - 1) + "…").otherwise(expr)
