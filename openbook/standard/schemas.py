"""The bundled open-book standard: table schemas, code lists and profiles.

The standard lives in ``schemas/`` in a checkout and installs as the data
package ``openbook.standard``; :func:`standard_dir` finds either. Everything
here is read-only: :func:`load` and :func:`profile` return fresh copies, so
callers may change what they get back.

``python -m openbook.standard.schemas > docs/schemas.md`` regenerates the reference
documentation.
"""
from __future__ import annotations

import copy
import csv
import functools
import json
from pathlib import Path

from openbook.errors import OpenbookError

STANDARD_VERSION = "1.0.0"

# Stable order: the catalogue first, then what hangs off it.
_NAMES = [
    "functions",
    "costs",
    "roles-senior",
    "roles-junior",
    "organisation-chart",
    "senior-salaries",
    "senior-salary-bands",
    "systems",
    "spend",
    "outcomes",
    "supplier-costs",
]
_PROFILES = ["council", "supplier"]


def standard_dir() -> Path:
    """The directory holding the standard (installed package or checkout)."""
    installed = Path(__file__).parent / "data"   # setup.cfg installs schemas/ here
    if installed.is_dir():
        return installed
    return Path(__file__).parent.parent.parent / "schemas"


def names() -> list[str]:
    """Names of the bundled table schemas, in a stable order."""
    return list(_NAMES)


def profile_names() -> list[str]:
    """Names of the bundled submission profiles."""
    return list(_PROFILES)


def codelist_names() -> list[str]:
    """Names of the bundled code lists (files in ``codelists/``)."""
    return sorted(p.stem for p in (standard_dir() / "codelists").glob("*.csv"))


def _unknown(kind: str, name: str, valid: list[str]) -> OpenbookError:
    return OpenbookError(
        f"Unknown {kind} {name!r}. Valid {kind}s: {', '.join(valid)}."
    )


def _read_json(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:  # a broken installation, not user input
        raise OpenbookError(
            f"{path}: cannot read the bundled standard ({exc}). Reinstall openbook."
        ) from exc


@functools.lru_cache(maxsize=None)
def _codelist(name: str) -> tuple[tuple[str, str], ...]:
    path = standard_dir() / "codelists" / f"{name}.csv"
    if not path.is_file():
        raise _unknown("code list", name, codelist_names())
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple((row["code"], row["label"]) for row in csv.DictReader(fh))


def codelist(name: str) -> list[dict]:
    """The entries of a code list as ``[{"code": ..., "label": ...}, ...]``."""
    return [{"code": c, "label": lbl} for c, lbl in _codelist(name)]


@functools.lru_cache(maxsize=None)
def _load(name: str) -> dict:
    if name not in _NAMES:
        raise _unknown("schema", name, _NAMES)
    descriptor = _read_json(standard_dir() / f"{name}.json")
    for field in descriptor.get("fields", []):
        if "x-codelist" in field:
            constraints = field.setdefault("constraints", {})
            constraints["enum"] = [c for c, _ in _codelist(field["x-codelist"])]
    return descriptor


def load(name: str) -> dict:
    """The table schema descriptor ``name``, with code lists copied into
    ``constraints.enum``. A fresh copy on every call."""
    return copy.deepcopy(_load(name))


@functools.lru_cache(maxsize=None)
def _profile(name: str) -> dict:
    if name not in _PROFILES:
        raise _unknown("profile", name, _PROFILES)
    return _read_json(standard_dir() / "profiles" / f"{name}.json")


def profile(name: str) -> dict:
    """The submission profile ``name`` (resources and foreign keys)."""
    return copy.deepcopy(_profile(name))


# ---------------------------------------------------------------- rendering


def _constraint_text(field: dict, markdown: bool = False) -> str:
    """A short readable summary of a field's constraints (not ``required``).
    With ``markdown``, patterns are set in code spans."""
    parts = []
    cons = field.get("constraints", {})
    if field.get("format", "default") != "default":
        parts.append(f"format {field['format']}")
    if "x-codelist" in field:
        parts.append(f"code list {field['x-codelist']}")
    elif "enum" in cons:
        parts.append("one of " + ", ".join(str(v) for v in cons["enum"]))
    if "pattern" in cons:
        pattern = f"`{cons['pattern']}`" if markdown else cons["pattern"]
        parts.append(f"pattern {pattern}")
    for key, word in (("minimum", "min"), ("maximum", "max"),
                      ("minLength", "min length"), ("maxLength", "max length")):
        if key in cons:
            parts.append(f"{word} {cons[key]}")
    if cons.get("unique"):
        parts.append("unique")
    if "missingValues" in field:
        shown = [v for v in field["missingValues"] if v]
        if shown:
            parts.append("missing: " + ", ".join(shown))
    if field.get("x-redactable"):
        parts.append("redactable")
    return "; ".join(parts)


def field_table(name: str) -> list[dict]:
    """One row per field of schema ``name`` for a readable table: keys
    ``field``, ``type``, ``required``, ``constraints``, ``example``, ``title``."""
    rows = []
    for field in load(name)["fields"]:
        rows.append({
            "field": field["name"],
            "type": field.get("type", "string"),
            "required": "yes" if field.get("constraints", {}).get("required") else "no",
            "constraints": _constraint_text(field),
            "example": field.get("example", ""),
            "title": field.get("title", ""),
        })
    return rows


def _md(text) -> str:
    """Escape a value for a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text) -> str:
    return f"`{text}`" if text != "" else ""


def markdown(name: str) -> str:
    """Markdown documentation of one table schema."""
    d = load(name)
    out = [f"## {d['title']} (`{d['name']}`)", "", d["description"], ""]
    out.append(f"- Version: {d['version']}")
    out.append("- Sheet or file names recognised: "
               + ", ".join(f"\"{s}\"" for s in d.get("x-sheet-names", [])))
    if d.get("primaryKey"):
        out.append("- Primary key: " + ", ".join(f"`{k}`" for k in d["primaryKey"]))
    else:
        out.append("- Primary key: none")
    out.append("")
    out.append("| Field | Title | Type | Required | Constraints | Example | Also accepted as | Description |")
    out.append("|---|---|---|---|---|---|---|---|")
    for f in d["fields"]:
        req = "yes" if f.get("constraints", {}).get("required") else "no"
        aliases = ", ".join(f.get("x-aliases", []))
        out.append("| " + " | ".join([
            f"`{_md(f['name'])}`",
            _md(f.get("title", "")),
            _md(f.get("type", "string")),
            req,
            _md(_constraint_text(f, markdown=True)),
            _md(_code(f.get("example", ""))),
            _md(aliases),
            _md(f.get("description", "")),
        ]) + " |")
    out.append("")
    return "\n".join(out)


def _profile_markdown(name: str) -> str:
    p = profile(name)
    out = [f"### {p['title']} (`{p['name']}`)", "", p.get("description", ""), ""]
    out.append("| Resource | Sheet title | Required |")
    out.append("|---|---|---|")
    for r in p["resources"]:
        out.append(f"| `{r['name']}` | {_md(r.get('title', ''))} | "
                   f"{'yes' if r.get('required') else 'no'} |")
    out.append("")
    if p.get("foreignKeys"):
        out.append("Foreign keys (checked when both resources are present):")
        out.append("")
        for fk in p["foreignKeys"]:
            ref = fk["reference"]
            out.append(
                f"- `{fk['resource']}` [{', '.join(fk['fields'])}] → "
                f"`{ref['resource']}` [{', '.join(ref['fields'])}]"
            )
        out.append("")
    return "\n".join(out)


def _codelist_markdown(name: str) -> str:
    users = [f"`{s}.{f['name']}`" for s in _NAMES for f in _load(s)["fields"]
             if f.get("x-codelist") == name]
    out = [f"### `{name}`", ""]
    out.append("Used by: " + (", ".join(users) if users else "no field (reference list)"))
    out.append("")
    rows = codelist(name)
    if len(rows) > LONG_CODELIST:   # a reference list (forenames): its size, sources and first codes
        sources = sorted({r["label"].split(" (")[0] for r in rows})
        out.append(f"{len(rows):,} codes. Sources (each code's label names its own): " + "; ".join(sources) + ".")
        out.append("")
        rows = rows[:10]
    out.append("| Code | Label |")
    out.append("|---|---|")
    for row in rows:
        out.append(f"| `{_md(row['code'])}` | {_md(row['label'])} |")
    out.append("")
    return "\n".join(out)


LONG_CODELIST = 200


def docs_markdown() -> str:
    """The whole reference document, docs/schemas.md."""
    out = [
        f"# The open-book standard, version {STANDARD_VERSION}",
        "",
        "<!-- Generated by `python -m openbook.standard.schemas > docs/schemas.md`. Do not edit by hand. -->",
        "",
        "The standard is a set of Frictionless Table Schemas, one per table (sheet) of a",
        "submission, plus code lists and two submission profiles. Column names follow the",
        "UK standards where one exists (LGA spend schema, data.gov.uk organogram templates);",
        "the \"Also accepted as\" column lists real-world header variants that openbook maps",
        "to the standard name (matching ignores case, spaces and punctuation).",
        "",
        "Conventions:",
        "",
        "- Amounts are numbers in pounds; \"£1,234.56\" is accepted. Credit notes are negative.",
        "- Dates are written YYYY-MM-DD; UK dates (31/01/2025, 31-Jan-2025) are also read.",
        "- Financial years are written YYYY/YY, e.g. 2025/26.",
        "- Every table carries `OrganisationURI` so tables from many bodies can be combined.",
        "- A blank cell is a missing value. \"Redactable\" fields may hold a redaction marker",
        "  (\"REDACTED\", \"Redacted Personal Data\", ...) instead of the value.",
        "- Yes/no fields accept yes, no, true, false, y, n, 1 and 0.",
        "",
        "Tables: " + ", ".join(f"`{n}`" for n in _NAMES) + ".",
        "",
    ]
    for n in _NAMES:
        out.append(markdown(n))
    out.append("## Profiles")
    out.append("")
    out.append("A profile says which tables make up a submission and how they refer to "
               "each other.")
    out.append("")
    for p in _PROFILES:
        out.append(_profile_markdown(p))
    out.append("## Code lists")
    out.append("")
    out.append("Code lists are CSV files (`code,label`) in `schemas/codelists/`; a field's")
    out.append("value must be one of the codes.")
    out.append("")
    for c in codelist_names():
        out.append(_codelist_markdown(c))
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.stdout.reconfigure(encoding="utf-8")
    sys.stdout.write(docs_markdown())
