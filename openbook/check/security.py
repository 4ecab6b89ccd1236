"""Security checks: what a spreadsheet would run when the published file is opened, and
characters that cannot be seen but change what text means."""
from __future__ import annotations

import re

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



# Characters that show as nothing, or reorder what is around them: zero-width
# space, non-joiner and joiner, left-to-right and right-to-left marks and the
# Arabic letter mark, bidi embeddings, overrides and isolates (the "Trojan
# Source" characters, CVE-2021-42574), word joiner and invisible operators, a
# BOM inside text, the soft hyphen. Unicode: TR9 (bidi), TR36 (security).
INVISIBLE = "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
INVISIBLE_NAMES = {
    "\u00ad": "soft hyphen", "\u061c": "Arabic letter mark", "\u180e": "Mongolian vowel separator",
    "\u200b": "zero-width space", "\u200c": "zero-width non-joiner", "\u200d": "zero-width joiner",
    "\u200e": "left-to-right mark", "\u200f": "right-to-left mark", "\u2060": "word joiner",
    "\ufeff": "zero-width no-break space (BOM)",
}
EACH_CELL_UP_TO = 20   # more cells than this in one column: one problem for the column


def _invisible_name(ch: str) -> str:
    if ch in INVISIBLE_NAMES:
        return INVISIBLE_NAMES[ch]
    if "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
        return "bidirectional control"
    return "invisible character"


def _describe(value: str) -> str:
    m = re.search(INVISIBLE, value)
    before = value[:m.start()][-20:]
    where = f'after "{before}"' if before else "at the start"
    return f"U+{ord(m.group(0)):04X}, {_invisible_name(m.group(0))}, {where}"


def _invisible_report(info):
    """Once the table ends: each cell, or one problem for a column where they flood."""
    rows = []
    for name, (count, cells) in sorted(info.state.get("found", {}).items()):
        if count <= EACH_CELL_UP_TO:
            for row, value in cells:
                rows.append((row, name, value, f"contains an invisible character ({_describe(value)}). It hides "
                             "a difference: two names that look the same will not match. Retype the value."))
        else:
            row, value = cells[0]
            rows.append((info.header_row, name, value,
                         f"{count:,} cells of this column contain invisible characters (the first on row {row}: "
                         f"{_describe(value)}). They hide differences: names that look the same will not match. "
                         "Find and replace them in the whole column, or retype the values."))
    if not rows:
        return None
    return pl.DataFrame(rows, schema={"row": pl.Int64, "field": pl.String, "value": pl.String,
                                      "message": pl.String}, orient="row")


@register("invisible-character", "warning", "security",
          "A zero-width or bidirectional control character in a text value (zero-width space, joiners, "
          "left-to-right and right-to-left marks, bidi overrides and isolates, a stray BOM). They cannot be "
          "seen, so two names that look the same differ, and right-to-left overrides can make text read "
          "differently from what it holds. Reported per cell, or once for a column where there are many.",
          finish=_invisible_report,
          fix="Retype the value, or remove the characters with find and replace (Excel's CLEAN does not remove "
              "them; SUBSTITUTE(A2, UNICHAR(8203), \"\") does, one character at a time).")
def invisible_character(frame: pl.DataFrame, info):
    """Per batch: the cells holding one, kept per column up to the first
    EACH_CELL_UP_TO + 1 (the rest are counted), reported when the table ends."""
    names = [n for n in info.fields if n in info.present and n in frame.columns and frame.schema[n] == pl.String]
    if not names or not frame.height:
        return None
    hits = frame.select([pl.col(n).str.contains(INVISIBLE).fill_null(False).alias(n) for n in names])
    found = info.state.setdefault("found", {})
    for n, k in zip(hits.columns, hits.sum().row(0)):
        if not k:
            continue
        count, cells = found.get(n, (0, []))
        if len(cells) <= EACH_CELL_UP_TO:
            sub = frame.filter(hits[n]).head(EACH_CELL_UP_TO + 1 - len(cells))
            cells = cells + list(zip(sub["__row"].to_list(), sub[n].to_list()))
        found[n] = (count + k, cells)
    return None
