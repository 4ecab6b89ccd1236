"""A Table Schema prepared for matching headers and checking values.

Built once per schema: its fields by name, and every header spelling that
names a field (the field's name, its title and its ``x-aliases``).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from openbook.standard import schemas as standard


@functools.lru_cache(maxsize=65536)
def normalise_header(text: str) -> str:
    """'Benificiary Name ' -> 'benificiaryname': case, spaces and punctuation ignored."""
    return re.sub(r"[^0-9a-z£]", "", str(text).lower())


def normalise_name(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(text).lower())


@dataclass
class Plan:
    """A Table Schema prepared for matching and checking."""
    name: str
    schema: dict
    fields: dict[str, dict]
    aliases: dict[str, str]          # normalised header -> field name
    sheet_names: set[str]

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
        return cls(name, schema, fields, aliases, sheet_names)

    def score(self, row: list[str]) -> int:
        return len({self.aliases[h] for h in (normalise_header(c) for c in row) if h in self.aliases})


_PLANS: dict[str, Plan] = {}


def plan(name: str) -> Plan:
    if name not in _PLANS:
        _PLANS[name] = Plan.build(name)
    return _PLANS[name]
