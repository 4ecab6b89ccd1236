"""Spend checks: what the Transparency Code expects of published spending lines.

These run on every batch of what can be a multi-million-row file, so each is
a handful of polars expressions: no Python per row.
"""
from __future__ import annotations

import datetime as dt
import re

import polars as pl

from openbook.standard.markers import REDACTION_PATTERN
from openbook.check.registry import register
from openbook.check.text import short
from openbook.regex import for_polars

SPEND = ("spend",)
THRESHOLD = 500
CARD_VALUES = ["yes", "y", "true", "gpc", "ccc", "card", "purchase card", "procurement card"]
CARD_TABLE = re.compile(r"card|gpc|\bpcard|p-card", re.I)  # a sheet or file of card payments


def _amount(name: str = "Amount") -> pl.Expr:
    return pl.col(name).cast(pl.Float64, strict=False)


def _abs_amount(frame: pl.DataFrame, info) -> pl.Series:
    """|Amount| as numbers, computed once per batch for the checks that need it."""
    if "abs-amount" not in info.cache:
        info.cache["abs-amount"] = frame["Amount"].cast(pl.Float64, strict=False).abs()
    return info.cache["abs-amount"]


@register("below-threshold", "warning", "accuracy",
          f"A spend line under the £{THRESHOLD} publication threshold (by absolute value, so credit notes "
          "count by their size). Card (GPC) transactions are exempt: all of them are published.",
          schemas=SPEND,
          fix="Check that the line belongs in this file. If you publish below £500 on purpose, this warning "
              "can be turned off with --skip-check below-threshold. Mark card payments in Card transaction "
              "(Yes or GPC).")
def below_threshold(frame: pl.DataFrame, info):
    if "Amount" not in info.present or CARD_TABLE.search(info.table):
        return None
    low = pl.lit(_abs_amount(frame, info)) < THRESHOLD
    if "CardTransaction" in info.present:
        low = low & ~pl.col("CardTransaction").str.to_lowercase().is_in(CARD_VALUES).fill_null(False)
    hit = frame.filter(low.fill_null(False))
    return hit.select(pl.col("__row").alias("row"), pl.lit("Amount").alias("field"), pl.col("Amount").alias("value"),
                      pl.format("£{} is below the £{} publication threshold. Check that the line belongs in "
                                "this file (card payments: mark Card transaction as Yes).",
                                pl.col("Amount"), pl.lit(THRESHOLD)).alias("message"))


ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _dates_outside(frame: pl.DataFrame, start: dt.date | None, end: dt.date | None) -> pl.DataFrame:
    """Rows whose PaymentDate is before start or after end. The engine writes
    valid dates as ISO text, which sorts as dates do, so this compares text
    (reading a few bytes a cell) and checks the shape of the few it keeps;
    a value that is not an ISO date is a type error already."""
    d = pl.col("PaymentDate")
    outside = pl.lit(False)
    if start is not None:
        outside = outside | (d < start.isoformat())
    if end is not None:
        outside = outside | (d > end.isoformat())
    hit = frame.filter(outside.fill_null(False) & (d.str.len_bytes() == 10))
    return hit.filter(d.str.contains(ISO_DATE)) if hit.height else hit


@register("future-date", "warning", "accuracy",
          "A payment date more than one day after today: a payment cannot have been made yet.",
          schemas=SPEND,
          fix="Correct the date (a common cause is a day and month swapped, or the wrong year).")
def future_date(frame: pl.DataFrame, info):
    if "PaymentDate" not in info.present:
        return None
    hit = _dates_outside(frame, None, info.today + dt.timedelta(days=1))
    return hit.select(pl.col("__row").alias("row"), pl.lit("PaymentDate").alias("field"),
                      pl.col("PaymentDate").alias("value"),
                      pl.format("{} is in the future (today is {}). Correct the date: a day and month swapped "
                                "or the wrong year are common causes.", pl.col("PaymentDate"),
                                pl.lit(info.today.isoformat())).alias("message"))


@register("date-outside-period", "warning", "accuracy",
          "A payment date outside the period the submission covers (the financial year or month it states; "
          "checked only when the period is known).",
          schemas=SPEND,
          fix="Move the line to the file for its own period, or correct the date.")
def date_outside_period(frame: pl.DataFrame, info):
    if info.period is None or "PaymentDate" not in info.present:
        return None
    p = info.period
    hit = _dates_outside(frame, p.start, p.end)
    return hit.select(pl.col("__row").alias("row"), pl.lit("PaymentDate").alias("field"),
                      pl.col("PaymentDate").alias("value"),
                      pl.format("{} is outside the period this data covers, {}. Move the line to the file for "
                                "its period, or correct the date.", pl.col("PaymentDate"),
                                pl.lit(p.describe())).alias("message"))


@register("vat-exceeds-amount", "warning", "accuracy",
          "Irrecoverable VAT larger than the amount of the line (by absolute value): VAT is a fraction of "
          "the amount, so one of the two is wrong.",
          schemas=SPEND,
          fix="Check the two columns: a common cause is the gross amount typed in the VAT column.")
def vat_exceeds_amount(frame: pl.DataFrame, info):
    if "IrrecoverableVATAmount" not in info.present or "Amount" not in info.present:
        return None
    vat = frame["IrrecoverableVATAmount"]
    amount = _abs_amount(frame, info)
    largest = vat.drop_nulls().unique().cast(pl.Float64, strict=False).abs().max() if vat.head(2000).n_unique() < 400 \
        else None
    if largest is not None and (amount.min() is not None and largest <= amount.min()):
        return None    # the usual case: no VAT larger than the smallest amount
    hit = frame.filter((_amount("IrrecoverableVATAmount").abs() > pl.lit(amount)).fill_null(False))
    return hit.select(pl.col("__row").alias("row"), pl.lit("IrrecoverableVATAmount").alias("field"),
                      pl.col("IrrecoverableVATAmount").alias("value"),
                      pl.format("Irrecoverable VAT of £{} is more than the amount of the line, £{}. Check both "
                                "columns.", pl.col("IrrecoverableVATAmount"), pl.col("Amount")).alias("message"))


@register("redaction-share", "warning", "completeness",
          "The share of spend lines whose beneficiary is redacted, reported as one figure per table so "
          "that a reader can judge how much is hidden (shown whenever any beneficiary is redacted).",
          schemas=SPEND, table=True, columns=("BeneficiaryName",),
          fix="Nothing to fix if every redaction is needed. Redact only individuals and sole traders "
              "(and commercially confidential lines); a high share usually means companies were redacted too.")
def redaction_share(frame: pl.DataFrame, info):
    if "BeneficiaryName" not in info.present or not frame.height:
        return None
    total = frame.height
    counts = frame["BeneficiaryName"].drop_nulls().value_counts()   # names repeat: test each once
    redacted = int(counts.filter(pl.col("BeneficiaryName").str.contains(for_polars(REDACTION_PATTERN)))["count"].sum())
    if not redacted:
        return None
    share = 100 * redacted / total
    return pl.DataFrame({"row": [None], "field": ["BeneficiaryName"], "value": [f"{share:.1f}%"], "message": [
        f"{redacted:,} of {total:,} spend lines ({share:.1f}%) have a redacted beneficiary."]},
        schema={"row": pl.Int64, "field": pl.String, "value": pl.String, "message": pl.String})
