"""Peer groups: the type of each body and its population band (method.PEER_RULE).

Nothing here is guessed from outside the data: a body's type comes from a
register the user gives, from its package, from an organisation URI that
encodes it, or from a name that says it unambiguously; otherwise it is "type
not stated". No population is ever supplied here: bands use openbook.population.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from openbook.compare.matching import normalise_name
from openbook.compare.method import BANDS
from openbook.compare.model import Body
from openbook.errors import OpenbookError

NOT_STATED = "type not stated"

# ONS GSS code prefixes of local authorities (the code's first three characters say the entity type).
GSS_TYPES = {"E06": "unitary authority", "E07": "non-metropolitan district", "E08": "metropolitan district",
             "E09": "London borough", "E10": "county council", "W06": "Welsh unitary authority",
             "S12": "Scottish council area", "N09": "Northern Ireland district"}
# opendatacommunities.org organisation URIs: /id/<type>/<name>
ODC_TYPES = {"county-council": "county council", "district-council": "non-metropolitan district",
             "unitary-authority": "unitary authority", "metropolitan-district-council": "metropolitan district",
             "london-borough-council": "London borough"}
# Names that say the type whatever the place (a 'City' or 'Borough' council can be of several types).
NAME_TYPES = [(re.compile(r"\bcounty council$"), "county council"),
              (re.compile(r"^london borough of\b"), "London borough"),
              (re.compile(r"\bmetropolitan borough council$"), "metropolitan district"),
              (re.compile(r"\bdistrict council$"), "non-metropolitan district")]
# The words a register or package may use for a type, read as the labels above.
TYPE_WORDS = {"county": "county council", "county council": "county council", "shire county": "county council",
              "district": "non-metropolitan district", "non metropolitan district": "non-metropolitan district",
              "shire district": "non-metropolitan district", "district council": "non-metropolitan district",
              "unitary": "unitary authority", "unitary authority": "unitary authority",
              "metropolitan district": "metropolitan district", "metropolitan borough": "metropolitan district",
              "london borough": "London borough"}


def type_label(text) -> str:
    key = " ".join(re.sub(r"[^a-z]+", " ", str(text or "").lower()).split())
    return TYPE_WORDS.get(key) or GSS_TYPES.get(str(text or "").strip().upper()[:3]) or str(text).strip()


def type_from_uri(uri) -> str | None:
    s = str(uri or "")
    m = re.search(r"\b([ENSW]\d{2})\d{6}\b", s)
    if m and m.group(1) in GSS_TYPES:
        return GSS_TYPES[m.group(1)]
    m = re.search(r"opendatacommunities\.org/id/([a-z-]+)/", s)
    if m and m.group(1) in ODC_TYPES:
        return ODC_TYPES[m.group(1)]
    return None


def type_from_name(name) -> str | None:
    n = " ".join(str(name or "").lower().split())
    return next((label for rx, label in NAME_TYPES if rx.search(n)), None)


def read_register(path: str | Path) -> dict[str, str]:
    """A register CSV the user gives: a column naming the body (organisation, name, slug, uri or code)
    and a column 'type'. Returns normalised key -> type label."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise OpenbookError(f"--register {p}: cannot be read ({exc.strerror}). Give a CSV file.") from None
    except UnicodeDecodeError:
        raise OpenbookError(f"--register {p}: not UTF-8 text. Save it as CSV UTF-8.") from None
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower(): f for f in reader.fieldnames or [] if f}
    keys = [fields[k] for k in ("uri", "organisation uri", "slug", "organisation", "name", "code", "ons code",
                                "gss code") if k in fields]
    tcol = fields.get("type") or fields.get("organisation type") or fields.get("body type")
    if not keys or not tcol:
        raise OpenbookError(f"--register {p}: needs a column 'type' and a column naming the body "
                            "('organisation', 'name', 'slug', 'uri' or 'code').")
    out = {}
    for row in reader:
        t = (row.get(tcol) or "").strip()
        if not t:
            continue
        for k in keys:
            if (v := (row.get(k) or "").strip()):
                out[_reg_key(v)] = type_label(t)
    return out


def _reg_key(text: str) -> str:
    s = str(text).strip().lower()
    if "://" in s:
        return re.sub(r"^https?://(www\.)?", "", s).rstrip("/")
    return normalise_name(s.replace("-", " "))


def band(population: int | None) -> str:
    if not population:
        return "population not stated"
    return next(label for lo, hi, label in BANDS if population >= lo and (hi is None or population < hi))


def assign_peer_groups(bodies: list[Body], register: dict[str, str] | None, meta: dict[str, dict]) -> None:
    """Set body.body_type, body.type_source, body.band and body.peer_group."""
    for b in bodies:
        found = None
        if register:
            for k in (b.uri, b.slug, b.name):
                if k and _reg_key(k) in register:
                    found = (register[_reg_key(k)], "register")
                    break
        if found is None and (t := (meta.get(b.slug) or {}).get("type")):
            found = (type_label(t), "package")
        if found is None and (t := type_from_uri(b.uri)):
            found = (t, "organisation URI")
        if found is None and (t := type_from_name(b.name)):
            found = (t, "name")
        b.body_type, b.type_source = found or (NOT_STATED, "")
        b.band = band(b.population)
        b.peer_group = f"{b.body_type}, {b.band}"
