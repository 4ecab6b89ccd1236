"""The built-in checks. Each is one small function; see openbook/checks/__init__.py."""
from __future__ import annotations

import polars as pl

from . import register

TEXT_SCHEMAS = ()  # formula injection applies to every table


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if not c.startswith("__") and frame.schema[c] == pl.String]


def _cells(frame: pl.DataFrame, mask_of) -> pl.DataFrame:
    """Long frame (row, field, value) of every text cell where mask_of(col) holds."""
    parts = []
    for c in _text_columns(frame):
        hit = frame.filter(mask_of(pl.col(c)).fill_null(False))
        if hit.height:
            parts.append(hit.select(pl.col("__row").alias("row"), pl.lit(c).alias("field"),
                                    pl.col(c).alias("value")))
    return pl.concat(parts) if parts else pl.DataFrame(schema={"row": pl.Int64, "field": pl.String, "value": pl.String})


FORMULA = r"^[=+\-@\t\r]"
NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


@register("formula-injection", "error", "security",
          "Text that a spreadsheet would run as a formula when the published file is opened "
          "(it starts with =, +, -, @, a tab or a carriage return and is not a number).")
def formula_injection(frame: pl.DataFrame):
    found = _cells(frame, lambda c: c.str.contains(FORMULA) & ~c.str.contains(NUMBER))
    return found.with_columns(pl.format(
        '"{}" starts with a character that makes spreadsheets run it as a formula. Remove the leading '
        'character, or put an apostrophe before it in Excel.', pl.col("value").str.slice(0, 40)).alias("message"))
