"""Security checks: what a spreadsheet would run when the published file is opened."""
from __future__ import annotations

import polars as pl

from openbook.check.registry import register
from openbook.check.text import candidates, looks_like_formula, short



@register("formula-injection", "error", "security",
          "Text that a spreadsheet would run as a formula when the published file is opened "
          "(it starts with =, +, -, @, a tab or a carriage return and is not a number).",
          fix="Remove the leading character (or the formula) from the cell. If the text must start "
              "that way, put an apostrophe before it in Excel so it is stored as text, then export again.")
def formula_injection(frame: pl.DataFrame, info):
    found = candidates(frame, info).filter(looks_like_formula(pl.col("value")))
    return found.with_columns(pl.format(
        '"{}" starts with a character that makes spreadsheets run it as a formula. Remove the leading '
        'character, or put an apostrophe before it in Excel.', short(pl.col("value"), 40)).alias("message"))

