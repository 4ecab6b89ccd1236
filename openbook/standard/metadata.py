"""Who is publishing what: settings from an About sheet, openbook.yaml or the command line."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from openbook.errors import OpenbookError, printable

# Names a person may give each setting, in an About sheet or openbook.yaml.
METADATA_KEYS = {
    "org_name": ["organisation name", "organisation", "organization name", "body name", "supplier name",
                 "org name", "publisher"],
    "org_uri": ["organisation uri", "organisation url", "organization uri", "org uri",
                "contracting authority uri", "authority uri"],
    "period": ["period", "reporting period", "financial year", "fiscal year"],
    "population": ["population", "population served"],
    "licence": ["licence", "license"],
    "contact": ["contact email", "contact", "email"],
    "description": ["description"],
    "version": ["version", "dataset version"],
}


@dataclass
class Metadata:
    org_name: str | None = None
    org_uri: str | None = None
    period: str | None = None
    population: int | None = None
    licence: str | None = None
    contact: str | None = None
    description: str | None = None
    version: str | None = None

    def update(self, values: dict) -> None:
        for key, value in values.items():
            if value not in (None, "") and hasattr(self, key):
                if key == "org_uri":
                    value = check_web_address(value, "the organisation URI")
                elif isinstance(value, str) and key != "description" and printable(value) != value:
                    # a name with a zero-width space, a bidi override or a terminal
                    # escape would be published, listed and compared as it is
                    what = "organisation name" if key == "org_name" else key
                    raise OpenbookError(f"the {what} \"{printable(value)}\" holds control or invisible "
                                        "characters (shown here as \\u200b, \\x1b...). Type it again.")
                setattr(self, key, value)


def is_web_address(text) -> bool:
    """An http(s) address with a host, no credentials, no spaces or control
    characters: what may become a link on a published page. ``javascript:``,
    ``data:``, ``file:`` and the like never may (OWASP: allow-list schemes)."""
    from urllib.parse import urlsplit
    text = str(text)
    if not re.fullmatch(r"(?i)https?://[!-~]+", text) or re.search(r'["<>`\\{}|^]', text):
        return False
    try:
        parts = urlsplit(text)
        return bool(parts.hostname) and parts.username is None and "." in parts.hostname and parts.port != 0
    except ValueError:   # a bad port, brackets
        return False


def check_web_address(value, what: str, where: str | None = None) -> str:
    """The value, stripped, if it is a web address; else a one-line OpenbookError."""
    text = str(value).strip()
    if is_web_address(text):
        return text
    shown = text if len(text) <= 80 else text[:79] + "…"
    raise OpenbookError(f"{where + ': ' if where else ''}{what} {shown!r} is not a web address: only http:// and "
                        "https:// addresses are accepted. Give your organisation's address, such as "
                        "https://anytown.gov.uk (--org-uri, the About sheet or openbook.yaml).")


def slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")


def _norm_key(text) -> str:
    return re.sub(r"[^a-z ]", "", str(text).lower()).strip()


def _lookup(pairs: dict[str, str]) -> dict:
    out = {}
    for attr, names in METADATA_KEYS.items():
        for key, value in pairs.items():
            if _norm_key(key) in names and value not in (None, ""):
                out[attr] = str(value).strip()
                break
    return out


def about_rows(rows: list[list]) -> dict:
    """Settings from the rows of an "About" sheet: a name, and its value in the next cell."""
    pairs = {}
    for row in rows:
        # the value is the cell right of the name; anything further right is a note
        for i, cell in enumerate(row[:-1]):
            if cell not in (None, ""):
                pairs.setdefault(str(cell), row[i + 1])
                break
    found = _lookup(pairs)
    if "org_uri" in found:
        found["org_uri"] = check_web_address(found["org_uri"], "the Organisation URI", "About sheet")
    return found


def yaml_settings(folder: Path) -> dict:
    path = folder / "openbook.yaml"
    if not path.is_file():
        return {}
    import yaml
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise OpenbookError(f"{path}{where}: not valid YAML. Use lines such as 'org_name: Anytown Borough Council'.") from None
    if not isinstance(data, dict):
        raise OpenbookError(f"{path}: expected settings such as 'org_name: Anytown Borough Council'.")
    direct = {k: v for k, v in data.items() if k in METADATA_KEYS}
    found = {**_lookup({str(k): v for k, v in data.items()}), **direct}
    if found.get("org_uri") not in (None, ""):
        found["org_uri"] = check_web_address(found["org_uri"], "org_uri", str(path))
    return found


def is_about(sheet_name: str | None) -> bool:
    return bool(sheet_name) and sheet_name.strip().lower() == "about"
