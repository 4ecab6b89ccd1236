"""A Table Schema prepared for matching headers and checking values.

Built once per schema: its fields by name, and every header spelling that
names a field (the field's name, its title and its ``x-aliases``).
"""
from __future__ import annotations

import functools
import dataclasses
import re
from dataclasses import dataclass

from openbook.standard import schemas as standard


@functools.lru_cache(maxsize=65536)
def normalise_header(text: str) -> str:
    """'Benificiary Name ' -> 'benificiaryname': case, spaces and punctuation ignored."""
    return re.sub(r"[^0-9a-z£]", "", str(text).lower())


def normalise_name(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(text).lower())


# Quote marks a spreadsheet or an export leaves around a value ('Eliminated', "R").
STRAY_QUOTES = " \t'\"`\u2018\u2019\u201c\u201d"


def variant_key(text: str) -> str:
    """How a code is compared when it is written unambiguously but not exactly:
    case, stray quotes and runs of spaces ignored."""
    return re.sub(r"\s+", " ", str(text).strip(STRAY_QUOTES).casefold())


def code_variants(field: dict) -> dict[str, str]:
    """Every unambiguous way of writing one of a field's codes -> the code:
    the code itself in any case or quoting, and its label from the code list
    ("employees" for "Employees"). A key two codes share is left out."""
    allowed = [str(v) for v in field.get("constraints", {}).get("enum", [])]
    spellings = [(c, c) for c in allowed]
    if field.get("x-codelist"):
        spellings += [(row["label"], row["code"]) for row in standard.codelist(field["x-codelist"])]
    out: dict[str, str] = {}
    clash: set[str] = set()
    for text, code in spellings:
        key = variant_key(text)
        if key in out and out[key] != code:
            clash.add(key)
        out.setdefault(key, code)
    return {k: v for k, v in out.items() if k not in clash}


@dataclass
class Plan:
    """A Table Schema prepared for matching and checking."""
    name: str
    schema: dict
    fields: dict[str, dict]
    aliases: dict[str, str]          # normalised header -> field name
    sheet_names: set[str]
    variants: dict[str, dict[str, str]] = None   # field -> {variant key -> the code as the standard writes it}

    @classmethod
    def build(cls, name: str) -> "Plan":
        schema = standard.load(name)
        fields = {f["name"]: f for f in schema["fields"]}
        aliases: dict[str, str] = {}
        for f in schema["fields"]:
            for alias in [f["name"], f.get("title", "")] + list(f.get("x-aliases", [])):
                if alias:
                    aliases.setdefault(normalise_header(alias), f["name"])
        sheet_names = {normalise_name(n) for n in [name, schema.get("title", "")] + schema.get("x-sheet-names", [])}
        variants = {n: code_variants(f) for n, f in fields.items() if "enum" in f.get("constraints", {})}
        return cls(name, schema, fields, aliases, sheet_names, {n: v for n, v in variants.items() if v})

    def score(self, row: list[str]) -> int:
        return len(self.matched(row))

    def matched(self, row: list[str]) -> set[str]:
        """The fields a header row names (by name, title or alias)."""
        return {self.aliases[h] for h in (normalise_header(c) for c in row) if h in self.aliases}

    @property
    def required(self) -> list[str]:
        return [n for n, f in self.fields.items() if f.get("constraints", {}).get("required")]

    def evidence(self, row: list[str]) -> "Evidence":
        """How strongly a header row says it is this table: the share of the
        required columns it names, then how many of the file's headings are ours."""
        found = self.matched(row)
        required = self.required
        named = [c for c in row if str(c).strip()]
        share = len(found & set(required)) / len(required) if required else 0.0
        ours = len(found) / len(named) if named else 0.0
        return Evidence(self.name, share, ours, len(found),
                        [n for n in required if n not in found], 0, len(required))

    def shaped(self, ev: "Evidence", head: list[list[str]], index: int) -> "Evidence":
        """The evidence with the values counted: required fields not named whose
        shape (a date, an amount) an unnamed column's first values have."""
        want = [n for n in ev.missing if self.fields[n].get("type") in ("date", "datetime", "number")]
        if not want:
            return ev
        header = head[index]
        free = [j for j, h in enumerate(header) if str(h).strip() and normalise_header(h) not in self.aliases]
        sample = head[index + 1:index + 31]
        shapes = [value_shape([r[j] for r in sample if j < len(r)]) for j in free]
        n = 0
        for name in want:
            hit = next((k for k, sh in enumerate(shapes) if shape_fits(self.fields[name], sh)), None)
            if hit is not None:
                shapes[hit] = None
                n += 1
        return dataclasses.replace(ev, shaped=n) if n else ev


# The shapes of values that say what a column is when its heading does not.
DATE_SHAPES = [(r"\d{1,2}/\d{1,2}/\d{4}", "DD/MM/YYYY"), (r"\d{1,2}-\d{1,2}-\d{4}", "DD-MM-YYYY"),
               (r"\d{1,2}-[A-Za-z]{3}-\d{4}", "DD-Mon-YYYY"), (r"\d{4}-\d{2}-\d{2}( 00:00:00)?", "YYYY-MM-DD"),
               (r"\d{1,2}/\d{1,2}/\d{2}", "DD/MM/YY")]
AMOUNT = r"[-(]?\s*£?\s*-?[0-9][0-9,]*(\.[0-9]+)?\)?"


def value_shape(values: list[str]) -> str | None:
    """'date:<format>' or 'amount' (pence shown) when every sample value has that shape."""
    values = [str(v).strip() for v in values if v is not None and str(v).strip()]
    if len(values) < 3:
        return None
    for pattern, name in DATE_SHAPES:
        if all(re.fullmatch(pattern, v) for v in values):
            return f"date:{name}"
    if all(re.fullmatch(AMOUNT, v) for v in values) and any("." in v for v in values):
        return "amount"
    return None


def shape_fits(field: dict, shape: str | None) -> bool:
    return bool(shape) and ((field.get("type") in ("date", "datetime") and shape.startswith("date:"))
                            or (field.get("type") == "number" and shape == "amount"))


@dataclass(frozen=True)
class Evidence:
    """What a header row shows of one table."""
    table: str
    required_share: float     # required columns named / required columns
    header_share: float       # headings that name one of the table's fields / headings
    matched: int              # fields named
    missing: list[str]        # required fields not named
    shaped: int = 0           # of those, how many an unnamed column's values fit (dates, amounts)
    required: int = 0         # how many required fields the table has

    @property
    def score(self) -> float:
        """Three parts required columns (a column whose values fit counts half), one part headings."""
        share = self.required_share + (0.5 * self.shaped / self.required if self.required else 0.0)
        return round(0.75 * share + 0.25 * self.header_share, 4)

    def recognised(self, named: bool = False) -> bool:
        """Above the stated threshold (RECOGNISE_AT, MIN_MATCHED), or a sheet named
        after the table with two of its columns."""
        if named:
            return self.matched >= 2 or (self.matched >= 1 and self.required_share > 0)
        return self.score >= RECOGNISE_AT and self.matched + self.shaped >= MIN_MATCHED


# A header row is recognised as a table when its evidence score (three parts
# required columns named, one part headings that are the table's) reaches
# this, with at least MIN_MATCHED columns named. A file's name or sheet name
# that is the table's lowers the bar to two columns.
RECOGNISE_AT = 0.4
MIN_MATCHED = 3


_PLANS: dict[str, Plan] = {}


def plan(name: str) -> Plan:
    if name not in _PLANS:
        _PLANS[name] = Plan.build(name)
    return _PLANS[name]
