"""total-row: a total or subtotal line inside the data.

Spreadsheets exported for publication often end with a grand total (an amount
and nothing else) or carry subtotals ("Total", "Sub-total" in a text column).
Such a line is not a payment: counted as one, it doubles the published spend.
It is reported once, as a total (the runner then drops the empty-cell errors
on that line, see ``replaces_row``), and ``openbook package`` leaves it out
(openbook/datapackage/write.py, through :func:`total_rows`).
"""
from __future__ import annotations

import polars as pl

from openbook.check.registry import register
from openbook.regex import for_polars

# The columns that say who was paid, when and what for: a payment has at least one.
IDENTITY = ("PaymentDate", "BeneficiaryName", "BeneficiaryID", "TransactionNumber", "Purpose",
            "OrganisationalUnit", "ExpenditureCategory")
# A cell that is only a total label: "Total", "Grand total", "Sub-total", "Total for April", "April total".
TOTAL_LABEL = for_polars(r"(?i)^\s*(?:(?:grand|sub|overall|month(?:ly)?|page|running)[\s-]*)?totals?\b(?:\s*(?:for|of)\b.*|\s*:.*)?$|^\s*\S+\s+totals?\s*:?\s*$")
LABEL_FIELDS = ("BeneficiaryName", "Purpose", "OrganisationalUnit", "TransactionNumber", "OrganisationLabel",
                "ExpenditureCategory")


def total_rows(frame: pl.DataFrame, present) -> pl.Series:
    """True for the lines of a spend batch that are totals or subtotals."""
    if "Amount" not in frame.columns or not frame.height:
        return pl.Series([False] * frame.height)
    amount = pl.col("Amount").cast(pl.Float64, strict=False).is_not_null()
    ids = [n for n in IDENTITY if n in present and n in frame.columns]
    empty = pl.all_horizontal([pl.col(n).is_null() | (pl.col(n).str.strip_chars() == "") for n in ids]) \
        if ids else pl.lit(False)
    labels = [n for n in LABEL_FIELDS if n in present and n in frame.columns]
    labelled = pl.any_horizontal([pl.col(n).str.contains(TOTAL_LABEL).fill_null(False) for n in labels]) \
        if labels else pl.lit(False)
    no_date = pl.col("PaymentDate").is_null() if "PaymentDate" in frame.columns else pl.lit(True)
    return frame.select(((amount & empty) | (amount & labelled & no_date)).fill_null(False).alias("t"))["t"]


@register("total-row", "warning", "accuracy",
          "A total or subtotal line among the payments: an amount with nothing to say who was paid, when or "
          "what for (no date, beneficiary, reference or purpose), or a line labelled \"Total\", \"Grand total\" "
          "or \"Sub-total\" with no payment date. Counted as a payment it doubles the spend. It is reported once, "
          "as a total (not as empty-cell errors), and `openbook package` leaves it out.",
          schemas=("spend",), replaces_row=True,
          fix="Delete the total line from the published file: readers add up the lines themselves. The package "
              "written by `openbook package` already leaves it out.")
def total_row(frame: pl.DataFrame, info):
    amounts = frame["Amount"].cast(pl.Float64, strict=False) if "Amount" in frame.columns else None
    mask = total_rows(frame, info.present)
    if amounts is None:
        return None
    above = info.state.get("sum", 0.0)
    lines = info.state.get("lines", 0)
    if not mask.any():
        info.state["sum"] = above + float(amounts.fill_null(0).sum())
        info.state["lines"] = lines + frame.height
        return None
    values = amounts.fill_null(0) * (~mask).cast(pl.Float64)   # the payments, totals as 0
    before = values.cum_sum() + above                            # sum of the payments up to each line
    payments = (~mask).cast(pl.Int64).cum_sum() + lines          # how many payments up to each line
    rows = []
    for i in mask.arg_true().to_list():
        value = amounts[i]
        if value is not None and payments[i] and abs(value - before[i]) <= 0.015:
            why = f"its amount equals the sum of the {payments[i]:,} lines above it"
        else:
            why = "it has an amount but nothing to say who was paid, when or what for"
        rows.append((int(frame["__row"][i]), frame["Amount"][i], why))
    kept = amounts.filter(~mask)
    info.state["sum"] = above + float(kept.fill_null(0).sum())
    info.state["lines"] = lines + kept.len()
    found = pl.DataFrame(rows, schema={"row": pl.Int64, "value": pl.String, "why": pl.String}, orient="row")
    return found.select("row", pl.lit("Amount").alias("field"), "value", pl.format(
        "This line looks like a total, not a payment: {}. Counted as a payment it would double the spend. "
        "Delete it from the published file (openbook package leaves it out).", pl.col("why")).alias("message"))
