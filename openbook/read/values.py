"""Polars expressions that read values the way UK finance data holds them.

Each ``parse_*`` function takes an expression over stripped, non-missing text
and returns ``(normalised, ok)``: the normalised text (ISO dates, plain
numbers) that packaging writes, and a boolean that is false where the value
cannot be read as that type. Everything is vectorised: no Python per cell.
"""
from __future__ import annotations

import datetime as dt

import polars as pl

from openbook.standard.markers import REDACTION_PATTERN


# Date shapes we accept (after spaces become dashes), each with the strftime
# format that reads it. Shapes are checked first so that polars' lenient
# parser cannot accept something a person would not call a date
# (" +2024-01-05", or "5-Jan-24" read as the year 24).
DATE_SHAPES = [
    (r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d"),
    (r"^\d{1,2}/\d{1,2}/\d{4}$", "%d/%m/%Y"),
    (r"^\d{1,2}/\d{1,2}/\d{2}$", "%d/%m/%y"),
    (r"^\d{1,2}-[A-Za-z]{3}-\d{4}$", "%d-%b-%Y"),
    (r"^\d{1,2}-[A-Za-z]{3}-\d{2}$", "%d-%b-%y"),
    (r"^\d{1,2}\.\d{1,2}\.\d{4}$", "%d.%m.%Y"),
]
MIDNIGHT = r"[ T]00:00(:00(\.0+)?)?$"
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL = r"^\d{5}(\.0+)?$"  # 10000..99999: 1927..2173 as Excel serials

TRUE_VALUES = ["true", "yes", "y", "1"]
FALSE_VALUES = ["false", "no", "n", "0"]


def strip(expr: pl.Expr) -> pl.Expr:
    # NBSP and other Unicode spaces are common in ledger exports. With no
    # argument polars strips every Unicode White_Space character (space, tab,
    # CR, LF, NBSP, U+2007, U+202F and the rest), faster than a character set.
    return expr.str.strip_chars()


def parse_date(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    t = text.str.replace(MIDNIGHT, "").str.replace_all(" ", "-")
    candidates = [pl.when(t.str.contains(shape)).then(t.str.to_date(fmt, strict=False))
                  for shape, fmt in DATE_SHAPES]
    serial = (pl.when(t.str.contains(SERIAL))
              .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=t.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False))))
    parsed = pl.coalesce(candidates + [serial])
    return parsed.dt.to_string("%Y-%m-%d"), parsed.is_not_null()


def parse_datetime(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    t = text.str.replace("T", " ").str.replace(r"Z$", "")
    parsed = pl.coalesce([
        t.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False),
        t.str.to_datetime("%Y-%m-%d %H:%M", strict=False),
        t.str.to_datetime("%d/%m/%Y %H:%M:%S", strict=False),
        t.str.to_datetime("%d/%m/%Y %H:%M", strict=False),
    ])
    return parsed.dt.to_string("%Y-%m-%dT%H:%M:%S"), parsed.is_not_null()


def clean_number(text: pl.Expr, group_char: str | None, bare: bool) -> pl.Expr:
    t = text
    if not bare:
        # "£1,234.56", "(1,234.56)" as accounting negatives, "1234.56 GBP"
        t = t.str.replace(r"^\((.*)\)$", "-$1")
        t = t.str.replace_all(r"^[^\d+\-.]+|[^\d.]+$", "")
        t = t.str.replace(r"^-[^\d.]+", "-")
        t = t.str.replace(r"^([+-]?)[£$€]", "$1")
    if group_char:
        t = t.str.replace_all(group_char, "", literal=True)
    return t


def parse_number(text: pl.Expr, group_char: str | None = ",", bare: bool = False) -> tuple[pl.Expr, pl.Expr]:
    t = clean_number(text, group_char, bare)
    ok = t.str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    value = t.cast(pl.Float64, strict=False)
    # Excel's float noise (7956.420000000001) is written back at 10 places
    noisy = t.str.contains(r"\.\d{11,}")
    normalised = (pl.when(noisy).then(value.round(10).cast(pl.String)).otherwise(t.str.replace(r"^\+", "")))
    return normalised, ok & value.is_finite()


def parse_integer(text: pl.Expr, group_char: str | None = None, bare: bool = True) -> tuple[pl.Expr, pl.Expr]:
    t = clean_number(text, group_char, bare)
    t = t.str.replace(r"\.0+$", "")  # 1234.0 from a spreadsheet
    ok = t.str.contains(r"^[+-]?\d{1,18}$")
    return t.str.replace(r"^\+", ""), ok


def parse_boolean(text: pl.Expr, true_values: list[str] | None, false_values: list[str] | None) -> tuple[pl.Expr, pl.Expr]:
    trues = [v.lower() for v in (true_values or TRUE_VALUES)]
    falses = [v.lower() for v in (false_values or FALSE_VALUES)]
    low = text.str.to_lowercase()
    normalised = pl.when(low.is_in(trues)).then(pl.lit("true")).when(low.is_in(falses)).then(pl.lit("false"))
    return normalised, normalised.is_not_null()


def parse_year(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    t = text.str.replace(r"\.0+$", "")
    return t, t.str.contains(r"^\d{4}$")


STRING_FORMATS = {
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "uri": r"^[A-Za-z][A-Za-z0-9+.\-]*://\S+$",
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
}


def parse(field: dict, text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Normalised text and a validity flag for one field of a Table Schema."""
    ftype = field.get("type", "string")
    fmt = field.get("format", "default")
    if ftype == "date":
        return parse_date(text)
    if ftype == "datetime":
        return parse_datetime(text)
    if ftype == "number":
        return parse_number(text, field.get("groupChar"), field.get("bareNumber", True))
    if ftype == "integer":
        return parse_integer(text, field.get("groupChar"), field.get("bareNumber", True))
    if ftype == "boolean":
        return parse_boolean(text, field.get("trueValues"), field.get("falseValues"))
    if ftype == "year":
        return parse_year(text)
    if ftype == "string" and fmt in STRING_FORMATS:
        return text, text.str.contains(STRING_FORMATS[fmt])
    return text, pl.lit(True)


# Fast paths: the spelling most cells of a column use, read with one cheap
# test. ``fast_parse`` returns (mask, normalised, ok); where the mask is true
# the result is exactly what ``parse`` gives, and the engine runs ``parse``
# only on the other cells of a batch (a handful, usually), because polars
# evaluates every branch of a when/then over the whole column.
FAST_MIDNIGHT = r"^\d{4}-\d{2}-\d{2} 00:00:00$"
FAST_DATE = r"^\d{4}-\d{2}-\d{2}$"
FAST_NUMBER = r"^-?\d{1,15}(\.\d{1,10})?$"


def fast_parse(field: dict, text: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr] | None:
    ftype = field.get("type", "string")
    if ftype == "date":
        # a zero-padded ISO date is its own normalised form; 2025-02-30 is not a date.
        # Spreadsheet date cells arrive as midnight datetimes ("2025-04-30 00:00:00").
        day = text.str.head(10)
        mask = text.str.contains(FAST_DATE) | text.str.contains(FAST_MIDNIGHT)
        return mask, day, day.str.to_date("%Y-%m-%d", strict=False).is_not_null()
    if ftype == "number" and field.get("groupChar") in (None, "", ",", " ", "'"):
        return text.str.contains(FAST_NUMBER), text, pl.lit(True)
    return None


def is_redaction(text: pl.Expr) -> pl.Expr:
    return text.str.contains(REDACTION_PATTERN)
