"""The status board: which bodies have published which periods, and how they fared.

Built from what a catalogue holds (the packages of any target, for `openbook
serve`; the published datasets, for the catalogue's own index.html) and,
optionally, a register CSV of the bodies expected to publish:

    uri,name,type,cadence
    https://anytown.gov.uk,Anytown Borough Council,district,quarterly

Each cell of the matrix is one body and one period: "valid", "warnings",
"errors" (packaged although invalid), "missing" (others published the period,
this body did not) or "late" (missing, and the period ended more than
GRACE_DAYS ago for a body the register expects).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from openbook.datapackage.contract import version_key
from openbook.errors import OpenbookError
from openbook.standard.period import parse_period

GRACE_DAYS = 31  # the Transparency Code asks for quarterly data within a month of the quarter's end
STATES = ("valid", "warnings", "errors", "late", "missing")


@dataclass
class Cell:
    state: str
    package: object = None   # a Package, or a catalogue.Dataset: .openbook, .version, .title

    @property
    def label(self) -> str:
        if self.package is None:
            return self.state
        v = self.package.openbook.get("validation") or {}
        if self.state == "errors":
            return f"{v.get('errors', 0):,} error" + ("" if v.get("errors") == 1 else "s")
        if self.state == "warnings":
            return f"{v.get('warnings', 0):,} warning" + ("" if v.get("warnings") == 1 else "s")
        return "valid"


@dataclass
class BodyRow:
    key: str          # organisation slug, or the register's URI
    name: str
    uri: str = ""
    kind: str = ""    # district, county, unitary, ... from the register
    cadence: str = ""
    expected: bool = False  # listed in the register
    cells: dict[str, Cell] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATES}
        for c in self.cells.values():
            out[c.state] += 1
        return out


@dataclass
class Board:
    periods: list[str]
    bodies: list[BodyRow]

    def body(self, key: str) -> BodyRow | None:
        return next((b for b in self.bodies if b.key == key), None)


def read_register(path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise OpenbookError(f"{path}: the register could not be read ({exc}). Give a UTF-8 CSV with the "
                            "columns uri,name,type,cadence.") from None
    rows = [{k.strip().lower(): (v or "").strip() for k, v in r.items() if k} for r in csv.DictReader(io.StringIO(text))]
    if rows and not {"uri", "name"} <= set(rows[0]):
        raise OpenbookError(f"{path}: the register needs the columns uri and name (and optionally type, cadence).")
    return [r for r in rows if r.get("uri") or r.get("name")]


def _state(pkg) -> str:
    v = pkg.openbook.get("validation") or {}
    if v.get("errors"):
        return "errors"
    return "warnings" if v.get("warnings") else "valid"


def _period_end(label: str) -> dt.date | None:
    try:
        return parse_period(label).end
    except OpenbookError:
        return None


def build(packages: list, register: list[dict] | None = None, today: dt.date | None = None) -> Board:
    """The board of ``packages``: anything with .org_slug, .org_name, .organisation, .openbook and .version."""
    today = today or dt.date.today()
    rows: dict[str, BodyRow] = {}
    by_uri: dict[str, str] = {}
    for r in register or []:
        key = r.get("uri") or r["name"]
        rows[key] = BodyRow(key=key, name=r.get("name") or key, uri=r.get("uri", ""), kind=r.get("type", ""),
                            cadence=r.get("cadence", ""), expected=True)
        if r.get("uri"):
            by_uri[r["uri"].rstrip("/").lower()] = key
    periods: set[str] = set()
    for pkg in packages:
        uri = (pkg.organisation.get("uri") or "").rstrip("/").lower()
        key = by_uri.get(uri) or pkg.org_slug
        row = rows.get(key)
        if row is None:
            row = rows[key] = BodyRow(key=key, name=pkg.org_name, uri=pkg.organisation.get("uri") or "")
        period = str(pkg.openbook.get("period") or "not stated")
        periods.add(period)
        have = row.cells.get(period)
        if have is None or version_key(pkg.version) > version_key(have.package.version):
            row.cells[period] = Cell(_state(pkg), pkg)
    ordered = sorted(periods, key=lambda p: (_period_end(p) or dt.date.max, p))
    for row in rows.values():
        for period in ordered:
            if period in row.cells:
                continue
            end = _period_end(period)
            late = row.expected and end is not None and (today - end).days > GRACE_DAYS
            row.cells[period] = Cell("late" if late else "missing")
    return Board(ordered, sorted(rows.values(), key=lambda b: b.name.lower()))
