"""Personal data masked in what a report shows.

A report is what gets emailed round, printed and attached to tickets, so it
must not repeat the personal data it warns about. Every problem of a
data-protection check (registry category "data protection"), and every other
problem at a cell one of them flagged, is shown masked: ``j•••@e•••.com``,
``•• •• •• 56 C``, ``Mr J••• S•••``. The cell reference says where to look;
the user's own annotated copy (report/annotate.py) keeps the value.

``shown_rows`` is the one place this happens: check/result.py builds the
problems a report shows through it, so text, JSON and HTML are masked alike.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator

import polars as pl

from openbook.check.privacy import EMAIL, IBAN, NI, PHONE
from openbook.check.registry import data_protection_codes

DOTS = "•••"
DOT = "•"

_EMAIL = re.compile(EMAIL)
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+'-")
_NI = re.compile(NI)
_IBAN = re.compile(IBAN)
_PHONE = re.compile(PHONE)
# Sort codes, account numbers and any other run of six or more digits
# (spaced or dashed in pairs or fours): in a flagged cell, these are bank
# details or the exact number the check is about.
_DIGITS = re.compile(r"(?<!\d)\d{2}(?:[-\s]?\d{2}){2,}(?!\d)|(?<!\d)\d{6,}(?!\d)")
_QUOTED = re.compile(r'"([^"\n]{2,})"')
_TITLES = {"mr", "mrs", "miss", "ms", "mx", "dr", "prof", "rev", "sir", "dame", "lady", "lord"}


def mask_email(address: str) -> str:
    """``john.smith@example.gov.uk`` -> ``j•••@e•••.gov.uk``: the first letters and
    the public ending (labels of three letters or fewer) are kept."""
    local, _, domain = address.rpartition("@")
    labels = domain.split(".")
    keep = []
    while len(labels) > 1 and len(labels[-1]) <= 3 and len(keep) < 2:
        keep.insert(0, labels.pop())
    if not keep and len(labels) > 1:
        keep.insert(0, labels.pop())
    return f"{local[:1]}{DOTS}@{labels[0][:1]}{DOTS}" + "".join("." + k for k in keep)


def mask_number(text: str, keep: int = 2) -> str:
    """Every letter and digit but the last ``keep`` digits (and a letter after
    them, as an NI number's suffix) replaced by a dot; spacing kept:
    ``AB 12 34 56 C`` -> ``•• •• •• 56 C``, ``12-34-56`` -> ``••-••-56``."""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    kept = set(digits[-keep:]) if keep else set()
    last = digits[-1] if digits else -1
    tail = {i for i in range(last + 1, len(text)) if text[i].isalpha()} if digits else set()
    return "".join(ch if (i in kept or i in tail or not ch.isalnum()) else DOT for i, ch in enumerate(text))


def mask_words(text: str) -> str:
    """A name or other text: each word to its first letter and dots (titles
    kept), numbers as :func:`mask_number`: ``Mr John Smith`` -> ``Mr J••• S•••``."""
    def word(m: re.Match) -> str:
        w = m.group(0)
        if any(ch.isdigit() for ch in w):
            return mask_number(w)
        if w.lower().rstrip(".") in _TITLES or len(w) == 1:
            return w
        return w[0] + DOTS
    return re.sub(r"[^\W_]+(?:['’.-][^\W_]+)*\.?", word, text)


def _pieces(text: str, numbers: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, masked) of each piece of personal data found in ``text``."""
    found: list[tuple[int, int, str]] = []

    def add(start: int, end: int, masked: str) -> None:
        if not any(s < end and start < e for s, e, _ in found):
            found.append((start, end, masked))

    at = text.find("@")
    while at > 0:   # each @, then the address around it: far cheaper than scanning every position
        start = at
        while start > 0 and text[start - 1] in _LOCAL_CHARS:
            start -= 1
        m = _EMAIL.match(text, start)
        if m and m.end() > at:
            add(m.start(), m.end(), mask_email(m.group(0)))
        at = text.find("@", at + 1)
    if not numbers or sum(map(str.isdigit, text)) < 6:   # every number below has six digits or more
        return sorted(found)
    for m in _IBAN.finditer(text):
        add(m.start(), m.end(), mask_number(m.group(0)))
    for m in _NI.finditer(text):
        add(m.start(), m.end(), mask_number(m.group(0)))
    for m in _PHONE.finditer(text):
        add(m.start(1), m.end(1), mask_number(m.group(1)))
    for m in _DIGITS.finditer(text):
        add(m.start(), m.end(), mask_number(m.group(0)))
    return sorted(found)


def _apply(text: str, pieces: Iterable[tuple[int, int, str]]) -> str:
    out, at = [], 0
    for start, end, masked in pieces:
        out.append(text[at:start])
        out.append(masked)
        at = end
    out.append(text[at:])
    return "".join(out)


def _mask(value: str) -> tuple[str, list[tuple[str, str]]]:
    """The value masked, and (as written, as masked) for each piece of it."""
    pieces = _pieces(value)
    if not pieces:
        return mask_words(value), []
    return _apply(value, pieces), [(value[s:e], m) for s, e, m in pieces]


def mask_value(value: str | None) -> str | None:
    """A flagged cell's value as a report shows it: the personal data in it
    masked (an email, NI number, phone, bank or long number), or, when none is
    recognised (a name), every word masked."""
    if value is None or value == "":
        return value
    return _mask(value)[0]


def mask_message(message: str | None, value: str | None) -> str | None:
    """A message about a flagged cell, with the value, any piece of it (the
    email or number a check extracted), or any part of it the message quotes
    (a name cut short), masked the way :func:`mask_value` masks them. Numbers
    that are not from the value are left, so "(here 120000)" still says what
    to write."""
    if not message or not value:
        return message
    return _message(message, value, *_mask(value))


def _message(message: str, value: str, masked: str, pieces: list[tuple[str, str]]) -> str:
    if len(value) >= 2:
        message = message.replace(value, masked)
    for raw, hidden in pieces:
        message = message.replace(raw, hidden)

    def quoted(m: re.Match) -> str:
        inner = m.group(1)
        part = inner[:-1] if inner.endswith("…") else inner
        if part and part in value and DOT not in part:
            return f'"{mask_value(part)}{inner[len(part):]}"'
        return m.group(0)
    message = _QUOTED.sub(quoted, message)
    # a piece the message cut short ("ann.other@example.or…"): the message's own
    # emails, and its numbers when the value held some (bare numbers are left)
    numbers = any("@" not in hidden for _, hidden in pieces)
    if "@" in message or numbers:
        found = [p for p in _pieces(message, numbers) if not message[p[0]:p[1]].isdigit()]
        message = _apply(message, found)
    return message


def shown_rows(problems: pl.DataFrame, flagged_by: pl.DataFrame | None = None) -> Iterator[dict]:
    """The rows of a problems frame (as dicts, in its order) with personal data
    masked: each problem of a data-protection check, and each problem at a cell
    one of them flagged in ``flagged_by`` (the whole table's problems; by
    default ``problems``). The message of a check is its ``detail``; schema
    messages are written later from the masked value."""
    codes = set(data_protection_codes())
    flagged_by = problems if flagged_by is None else flagged_by
    dp = flagged_by.filter(pl.col("code").is_in(list(codes))) if flagged_by.height else flagged_by
    cells = set(zip(dp["row"].to_list(), dp["col"].to_list())) if dp.height else set()
    for r in problems.iter_rows(named=True):
        if r["code"] in codes or (cells and (r["row"], r["col"]) in cells):
            value = r["value"]
            if value:
                masked, pieces = _mask(value)
                r["value"] = masked
                if r["detail"]:
                    r["detail"] = _message(r["detail"], value, masked, pieces)
        yield r


def masked_frame(problems: pl.DataFrame, flagged_by: pl.DataFrame | None = None) -> pl.DataFrame:
    """``problems`` with the same rows masked as ``shown_rows`` masks them. Only the
    flagged rows go through Python, so a million ordinary problems cost nothing here."""
    if not problems.height:
        return problems
    codes = list(data_protection_codes())
    flagged_by = problems if flagged_by is None else flagged_by
    dp = flagged_by.filter(pl.col("code").is_in(codes)).select("row", "col").unique()
    frame = problems.with_row_index("_at")
    hit = frame.filter(pl.col("code").is_in(codes)
                       | pl.struct("row", "col").is_in(dp.to_struct().implode()) if dp.height
                       else pl.col("code").is_in(codes))
    if not hit.height:
        return problems
    masked = pl.DataFrame(list(shown_rows(hit.drop("_at"), flagged_by)), schema=problems.schema)
    masked = masked.with_columns(hit["_at"])
    rest = frame.filter(~pl.col("_at").is_in(hit["_at"].implode()))
    return pl.concat([rest, masked.select(frame.columns)]).sort("_at").drop("_at")
