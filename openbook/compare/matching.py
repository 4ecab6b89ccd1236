"""Matching across bodies: names, numbers, and the keys that say two functions are the same."""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
import math
import re
import unicodedata

from openbook.compare.method import STOP_WORDS, TRUE_WORDS
from openbook.compare.model import Body


# Zero-width and bidirectional-control characters: invisible, so two names that
# look the same may differ only by them (a copy-paste artefact or a spoof).
INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                       "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")


def strip_invisible(text) -> str:
    return INVISIBLE.sub("", str(text or ""))


@lru_cache(maxsize=1 << 16)  # spend repeats the same few thousand names over millions of lines
def normalise_name(text) -> str:
    """'Civica UK Ltd.' -> 'civica'; 'Smith & Sons Limited' -> 'smith and sons'.

    Zero-width and bidi-control characters are removed first and the text is
    NFKC-normalised, so 'Kes\u200btrel' and 'Kestrel' are one name.
    """
    s = unicodedata.normalize("NFKC", strip_invisible(text)).lower().replace("&", " and ")
    s = re.sub(r"[^\w\s]|_", " ", s)
    return " ".join(w for w in s.split() if w not in STOP_WORDS)


@lru_cache(maxsize=1 << 16)  # as normalise_name: the same numbers recur in every body's spend
def registration_number(text) -> str:
    """A Companies House / charity number as one key: upper case, no spaces or punctuation;
    an all-digit number is zero-padded to 8 ('1234567' and '01234567' are one company). Text with
    fewer than 4 digits ('N/A', 'none', 'REDACTED') is no number."""
    s = re.sub(r"[^0-9A-Za-z]", "", strip_invisible(text)).upper()
    if sum(c.isdigit() for c in s) < 4 or set(s) <= {"0"}:  # 'N/A', 'None', 'REDACTED', '0': no number
        return ""
    return s.zfill(8) if s.isdigit() and len(s) < 8 else s


# What a packaged number cell may hold instead of a number (spend.py reads the same in polars).
NOT_A_NUMBER = ("", "-", "N/A", "N/D", "n/a")


def number(text) -> float | None:
    """A packaged number ('1234.5'), tolerating '£1,234.50' and '(12.00)'."""
    if text is None:
        return None
    s = str(text).strip().replace("£", "").replace(",", "").replace(" ", "")
    if s in NOT_A_NUMBER:
        return None
    neg = s.startswith("(") and s.endswith(")")
    s = s.strip("()")
    try:
        value = float(s)
    except ValueError:
        return None
    return -value if neg else value


def truthy(text) -> bool:
    return str(text or "").strip().lower() in TRUE_WORDS


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default, Excel PERCENTILE.INC)."""
    s = sorted(values)
    if not s:
        raise ValueError("no values")
    h = (len(s) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (h - lo) * (s[hi] - s[lo])


def _uri_id(uri: str) -> str:
    s = str(uri).strip().lower().rstrip("/")
    m = re.search(r"/(\d+)$", s)
    if m:
        return m.group(1)
    return re.sub(r"^https?://", "", s)


def function_key(row: dict) -> tuple[str, ...] | None:
    """The code a function is first matched on across bodies (see MATCH_RULE)."""
    if (v := (row.get("LGSLServiceURI") or "").strip()):
        return ("lgsl", _uri_id(v))
    if (v := (row.get("ESDFunctionURI") or "").strip()):
        return ("esd", _uri_id(v))
    if (v := (row.get("COFOGCode") or "").strip()):
        if re.match(r"^\d(\.|$)", v):
            v = "0" + v
        return ("cofog", v)
    return None


KEY_LABELS = {"lgsl": "LGSL service", "esd": "esd function", "cofog": "COFOG"}


def _label_key(text) -> str:
    return " ".join(re.sub(r"[^\w\s]|_", " ", str(text or "").lower()).split())


def _cofog(row: dict) -> str:
    v = (row.get("COFOGCode") or "").strip()
    return "0" + v if re.match(r"^\d(\.|$)", v) else v


# How functions sharing a code are told apart, in this order (see MATCH_RULE).
REFINERS = [("level", lambda row: (row.get("Level") or "").strip().lower()),
            ("COFOG", _cofog),
            ("label", lambda row: _label_key(row.get("Label")))]


def key_text(key: tuple) -> str:
    text = f"{KEY_LABELS[key[0]]} {key[1]}"
    extra = [f"{name} {value}" for (name, _), value in zip(REFINERS, key[2:]) if value]
    return text + (f" ({', '.join(extra)})" if extra else "")


def key_id(key: tuple) -> str:
    return ":".join(key[:2]) + "".join(f"|{v}" for v in key[2:])


def assign_keys(bodies: list["Body"]) -> dict[str, dict[str, tuple]]:
    """body slug -> FunctionID -> the key it is matched on.

    Start from the code (LGSL, else esd, else COFOG). Where any body has two or
    more functions with the same key (the processes of one LGSL service, or
    sub-functions under one esd function), every function with that key, in
    every body, is told apart by its level, then its COFOG code, then its label.
    """
    rows = {b.slug: [(r, (r.get("FunctionID") or "").strip()) for r in b.tables.get("functions") or []]
            for b in bodies}
    keys: dict[str, dict[str, tuple]] = {slug: {} for slug in rows}
    for slug, items in rows.items():
        for row, fid in items:
            key = function_key(row)
            if key is not None:
                keys[slug][fid] = key
    for _, refine in REFINERS:
        clashing = set()
        for slug, mapping in keys.items():
            counts = Counter(mapping.values())
            clashing |= {k for k, n in counts.items() if n > 1}
        if not clashing:
            break
        for slug, items in rows.items():
            for row, fid in items:
                key = keys[slug].get(fid)
                if key in clashing:
                    keys[slug][fid] = key + (refine(row),)
    return keys


def fiscal_year(period: str | None) -> str | None:
    m = re.fullmatch(r"(\d{4})[-/](\d{2})", str(period or ""))
    return f"{m.group(1)}/{m.group(2)}" if m else None
