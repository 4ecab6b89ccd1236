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
from openbook.regex import for_polars


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


# UK ledgers write a negative amount in several ways: a hyphen or a typographic
# minus before the number (U+2212, or an en dash from a word processor), a
# trailing minus (SAP and Oracle exports: "612.50-"), "CR" for a credit
# ("612.50 CR"; "DR", a debit, is positive), or brackets. Each is read. Two at
# once ("-612.50 CR", "(-612.50)"), or separators that could mean two things
# ("1.234,56", "1,5", "1,23,456", "1.234.567") are not read: the cell is an
# error for the person to fix, never a guess.
MINUS_SIGNS = "\u2212\u2013\u2012\u2010\u2011\ufe63\uff0d"  # minus, en dash, figure dash, hyphens, small and full-width minus
CURRENCY = r"(?:£|GBP)"
AMOUNT = (r"(?i)^(?P<open>\()?\s*(?P<lead>[+-])?\s*" + CURRENCY + r"?\s*(?P<lead2>[+-])?\s*"
          r"(?P<digits>[0-9](?:[0-9.,' ]*[0-9.])?|\.[0-9]+)(?P<exp>[eE][+-]?[0-9]+)?\s*" + CURRENCY + r"?\s*"
          r"(?P<trail>-)?\s*(?P<crdr>CR|DR)?\s*(?P<close>\))?$")
BARE = r"^(?P<lead>[+-])?(?P<digits>[0-9](?:[0-9.,' ]*[0-9.])?|\.[0-9]+)(?P<exp>[eE][+-]?[0-9]+)?$"
# Excel holds 15 significant digits: digits past them are the noise of binary
# floating point (465171.0800000001 for 465171.08), never what the ledger meant.
EXCEL_DIGITS = 15


def _digits_pattern(group_char: str | None) -> str:
    """Whole digits, one decimal point, and (with a group character) groups
    of exactly three: "1,234,567.89" but never "1,5" or "1.234,56"."""
    plain = r"[0-9]+(\.[0-9]*)?|\.[0-9]+"
    if not group_char:
        return f"^({plain})$"
    g = "".join(c if c.isalnum() else f"[{c}]" if c not in "]\\^-" else "\\" + c for c in group_char)
    return f"^([0-9]{{1,3}}({g}[0-9]{{3}})+(\\.[0-9]*)?|{plain})$"


def _minus(text: pl.Expr) -> pl.Expr:
    return text.str.replace_all(f"[{MINUS_SIGNS}]", "-")


def read_amount(text: pl.Expr, group_char: str | None, bare: bool) -> tuple[pl.Expr, pl.Expr]:
    """(plain number text, ok): the sign conventions above, currency marks
    and group characters removed; ok is false where the meaning is not certain."""
    parts = _minus(text).str.extract_groups(BARE if bare else AMOUNT)
    digits = parts.struct.field("digits")
    field = parts.struct.field
    neg = [field("lead") == "-"] if bare else [
        field("lead") == "-", field("lead2") == "-", field("trail") == "-",
        field("crdr").str.to_uppercase() == "CR", field("open").is_not_null() & field("close").is_not_null()]
    plus = [field("lead") == "+"] if bare else [
        field("lead") == "+", field("lead2") == "+", field("crdr").str.to_uppercase() == "DR"]
    negatives = pl.sum_horizontal([e.fill_null(False).cast(pl.Int8) for e in neg])
    pluses = pl.sum_horizontal([e.fill_null(False).cast(pl.Int8) for e in plus])
    ok = digits.is_not_null() & digits.str.contains(_digits_pattern(group_char)) & (negatives + pluses <= 1)
    if not bare:
        ok = ok & (field("open").is_null() == field("close").is_null())
        ok = ok & ~(field("lead").is_not_null() & field("lead2").is_not_null())
    number = digits.str.replace_all(group_char, "", literal=True) if group_char else digits
    number = pl.concat_str([pl.when(negatives == 1).then(pl.lit("-")).otherwise(pl.lit("")), number,
                            field("exp").fill_null("")])
    return number, ok.fill_null(False)


def parse_number(text: pl.Expr, group_char: str | None = ",", bare: bool = False) -> tuple[pl.Expr, pl.Expr]:
    t, ok = read_amount(text, group_char, bare)
    value = t.cast(pl.Float64, strict=False)
    ok = ok & value.is_finite().fill_null(False)
    # float noise past Excel's 15 significant digits is rounded away; the
    # decimal as written is kept otherwise ("1234.50" stays "1234.50")
    significant = t.str.replace_all(r"[^0-9]", "").str.strip_chars_start("0").str.len_chars()
    noisy = t.str.contains(r"\.") & ~t.str.contains(r"[eE]") & (significant > EXCEL_DIGITS)
    normalised = pl.when(noisy).then(value.round_sig_figs(EXCEL_DIGITS).cast(pl.String)).otherwise(t)
    return normalised, ok


def parse_integer(text: pl.Expr, group_char: str | None = None, bare: bool = True) -> tuple[pl.Expr, pl.Expr]:
    t, ok = read_amount(text, group_char, bare)
    t = t.str.replace(r"\.0*$", "")  # 1234.0 from a spreadsheet
    ok = ok & t.str.contains(r"^-?\d{1,18}$")
    return t, ok


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


# Fast paths: the spellings most cells of a column use, read with cheap
# string operations. ``fast_parse`` returns (mask, normalised, ok); where the
# mask is true the result is exactly what ``parse`` gives, and the engine runs
# ``parse`` only on the other cells of a batch (a handful, usually), because
# polars evaluates every branch of a when/then over the whole column. The
# spellings are those of clean files (2025-01-31, 1234.56) and of UK ledger
# exports (31/01/2025, 31-Jan-2025, £1,234.56, (1,234.56)): on a ledger the
# full parsers cost 5-7 times the rest of the check (bench/NOTES.md).
# [0-9], never \d: polars' \d takes every Unicode digit, parse only ASCII ones.
FAST_MIDNIGHT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} 00:00:00$"
FAST_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
FAST_UK_DATE = r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$"
FAST_MONTH_DATE = r"^[0-9]{2}-[A-Za-z]{3}-[0-9]{4}$"
MONTHS = {m: f"{i:02d}" for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
FAST_NUMBER_BYTES = EXCEL_DIGITS  # at most 15 digits: no float noise to round


def _fast_number(group_char: str | None, bare: bool) -> tuple[str, str | None]:
    """(a plain or £ amount, a bracketed credit or None) as patterns."""
    decimals = r"(?:\.[0-9]{1,10})?"
    if bare:   # plain digits only: a bare number's normalised form is its text
        return f"^-?[0-9]+{decimals}$", None
    digits = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)" if group_char == "," else "[0-9]+"
    return f"^-?£?{digits}{decimals}$", rf"^\(£?{digits}{decimals}\)$"


def fast_parse(field: dict, text: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr] | None:
    ftype = field.get("type", "string")
    if ftype == "date":
        # a zero-padded ISO date is its own normalised form; 2025-02-30 is not a date.
        # Spreadsheet date cells arrive as midnight datetimes ("2025-04-30 00:00:00").
        uk, month = text.str.contains(FAST_UK_DATE), text.str.contains(FAST_MONTH_DATE)
        mask = text.str.contains(FAST_DATE) | text.str.contains(FAST_MIDNIGHT) | uk | month
        day = (pl.when(uk).then(pl.concat_str([text.str.slice(6, 4), text.str.slice(3, 2), text.str.slice(0, 2)],
                                              separator="-"))
               .when(month).then(pl.concat_str([text.str.slice(7, 4), text.str.slice(3, 3).str.to_lowercase()
                                                .replace_strict(MONTHS, default=None), text.str.slice(0, 2)],
                                               separator="-"))
               .otherwise(text.str.head(10)))
        return mask, day, day.str.to_date("%Y-%m-%d", strict=False).is_not_null()
    group = field.get("groupChar")
    if ftype == "number" and group in (None, "", ",", " ", "'"):
        amount, credit = _fast_number(group, field.get("bareNumber", True))
        plain = text.str.contains(amount)
        if credit is None:
            return plain & (text.str.len_bytes() <= FAST_NUMBER_BYTES), text, pl.lit(True)
        bracketed = text.str.contains(credit)
        # "£" and group commas go; a bracketed amount is a credit
        number = text.str.replace_all(r"[£,()]", "")
        number = pl.when(bracketed).then(pl.concat_str([pl.lit("-"), number])).otherwise(number)
        return (plain | bracketed) & (number.str.len_bytes() <= FAST_NUMBER_BYTES), number, pl.lit(True)
    return None


def is_redaction(text: pl.Expr) -> pl.Expr:
    return text.str.contains(for_polars(REDACTION_PATTERN))
