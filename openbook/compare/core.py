"""``openbook.compare``: duplication across organisations, the savings
scenario, and the Public Value Index.

    from openbook.compare.core import compare
    result = compare(["out/anytown-borough-council-2025-26", "catalogue/"], reduction=0.4)
    print(result.scenario.total)
    result.to_dict()          # everything, for JSON

The method is written out in docs/compare.md and docs/public-value-index.md,
and the same words are carried in ``Comparison.method`` so every report
states how its figures were made.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterable

from openbook.compare.sources import load_sources
from openbook.datapackage.contract import Package
from openbook.standard.markers import withheld
from openbook.errors import OpenbookError

REDUCTION = 0.4
QUARTILE = 0.25
LOW_CONFIDENCE_INDICATORS = 2
LOW_CONFIDENCE_BODIES = 3

PILLARS = {
    "pursuing-goals": "Pursuing goals",
    "managing-inputs": "Managing inputs",
    "engaging-citizens": "Engaging citizens and users",
    "developing-system-capacity": "Developing system capacity",
    "": "Pillar not given",
}

MATCH_RULE = ("Functions are matched across bodies on the LGSL service URI (LGSLServiceURI); a function "
              "without one is matched on its esd function URI (ESDFunctionURI); a function with neither is "
              "matched on its COFOG code (COFOGCode). URIs are compared by their number (http or https, "
              "trailing slash and case ignored). Where one body has two or more functions with the same code "
              "(the processes of one service, or sub-functions under one esd function), all functions with "
              "that code, in every body, are told apart by their level, then their COFOG code, then their "
              "label. Functions with none of the three codes are not compared. Totals (the summary and the "
              "scenario) use the finest shared level: a body's function is left out of them when one of its "
              "sub-functions is itself shared, so no cost is counted twice.")
COST_RULE = ("A body's annual cost of a function is the sum of Costs.Actual for its FunctionID (for the "
             "fiscal year matching the package period, else the latest year in the ledger); where the ledger "
             "has no lines for the function, Functions.AnnualCost. FTE is Functions.FTE, else the sum of "
             "Costs.FTE, else the FTE of the roles linked to the function. Cost per head = annual cost / "
             "population (openbook.population in the package metadata).")
DUPLICATION_RULE = ("The most efficient quartile is the 25th percentile of cost per head across the bodies "
                    "performing the function, by linear interpolation between the sorted values (position "
                    "(n-1) x 0.25, as numpy's default and Excel's PERCENTILE.INC). A body's cost of duplication "
                    "is max(0, its cost per head - that quartile) x its population; the function's is the sum "
                    "over bodies.")
SYSTEM_RULE = ("Vendor and product names are normalised: lower case, '&' read as 'and', punctuation removed, "
               "and the words ltd, limited, plc, uk, corporation and inc dropped. A system is duplicated when "
               "two or more bodies license the same normalised vendor and product. Its excess cost is the sum "
               "of the bodies' annual costs less the cheapest body's cost (what one licence would cost if the "
               "bodies shared the cheapest one); each body's excess is its cost less the cheapest.")
SUPPLIER_RULE = ("Beneficiary names in each body's spend are normalised as vendor names are; redacted or "
                 "withheld names are left out. A supplier is common when two or more bodies paid it; "
                 "amounts are the net sum of spend lines (credit notes included).")
ROLE_RULE = ("Roles are the FTE of junior posts (Number of Posts in FTE) and senior posts (FTE, leaving out "
             "posts marked Eliminated), grouped by the matched function of their FunctionID and by grade "
             "(compared ignoring case and spacing). Roles with no FunctionID are counted separately.")
BACK_OFFICE_RULE = ("A shared function counts as back office when at least half of the bodies performing it "
                    "mark it BackOffice = yes.")


def scenario_method(reduction: float) -> str:
    pct = f"{reduction * 100:g}%"
    return (f"Savings = {pct} x the cost of duplication of each shared back-office function (the cost above the "
            f"most efficient quartile) + {pct} x the excess cost of each duplicated system (the sum of the "
            f"bodies' licence costs less the cheapest body's). Each body's saving is {pct} of its own cost "
            f"above the quartile plus {pct} of its own system cost above the cheapest; the total is the sum "
            "over bodies.")


SCENARIO_ASSUMPTIONS = [
    "Only back-office (administrative and managerial) shared functions are cut; front-line services are not.",
    "Functions are cut at the finest level several bodies share (a service's processes rather than the "
    "service, a sub-function's services rather than the sub-function), so no cost is counted twice.",
    "The most efficient quartile of cost per head is achievable by every body: the cost above it is "
    "treated as duplication.",
    "Roles are not added as a separate saving: staff costs are already in the functions' costs (the "
    "employees lines of the ledger), so adding them would count them twice.",
    "Duplicated systems are counted whether or not the function they support is back office; a system's "
    "licence cost may also sit in a function's ledger, in which case the two parts overlap and the total "
    "is an upper estimate. Both parts are shown separately.",
    "Savings are annual, at today's prices, before any one-off cost of merging functions or systems.",
    "Bodies with no population in their package metadata have no cost per head and are left out of the "
    "function figures.",
]

PVI_RULE = ("See docs/public-value-index.md. Each indicator is scaled 0-100 across the bodies reporting it "
            "(min-max; lower-is-better inverted; all equal = 50); scores are averaged within each Public "
            "Value Framework pillar, then the pillars present are averaged into an outcome score. Index = "
            "outcome score x (median cost per head / the body's cost per head). Bodies are ranked by index; "
            "a body with no outcome data for the function, or no cost per head, is not ranked. Scores from "
            "fewer than 2 indicators, or from fewer than 3 bodies, are marked low confidence.")

_STOP_WORDS = {"ltd", "limited", "plc", "llp", "uk", "corporation", "inc"}
_TRUE = {"yes", "y", "true", "t", "1"}


# --------------------------------------------------------------------------- helpers

def normalise_name(text) -> str:
    """'Civica UK Ltd.' -> 'civica'; 'Smith & Sons Limited' -> 'smith and sons'."""
    s = str(text or "").lower().replace("&", " and ")
    s = re.sub(r"[^\w\s]|_", " ", s)
    return " ".join(w for w in s.split() if w not in _STOP_WORDS)


def number(text) -> float | None:
    """A packaged number ('1234.5'), tolerating '£1,234.50' and '(12.00)'."""
    if text is None:
        return None
    s = str(text).strip().replace("£", "").replace(",", "").replace(" ", "")
    if s in ("", "-", "N/A", "N/D", "n/a"):
        return None
    neg = s.startswith("(") and s.endswith(")")
    s = s.strip("()")
    try:
        value = float(s)
    except ValueError:
        return None
    return -value if neg else value


def truthy(text) -> bool:
    return str(text or "").strip().lower() in _TRUE


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


def _fy(period: str | None) -> str | None:
    m = re.fullmatch(r"(\d{4})[-/](\d{2})", str(period or ""))
    return f"{m.group(1)}/{m.group(2)}" if m else None


# --------------------------------------------------------------------------- model

@dataclass
class Body:
    slug: str
    name: str
    uri: str | None
    population: int | None
    period: str | None
    profile: str
    packages: list[str] = field(default_factory=list)
    tables: dict[str, list[dict]] = field(default_factory=dict, repr=False)


@dataclass
class BodyFunction:
    body: str  # slug
    body_name: str
    function_ids: list[str]
    label: str
    back_office: bool
    fte: float | None
    fte_source: str | None
    annual_cost: float | None
    cost_source: str | None
    population: int | None
    cost_per_head: float | None = None
    duplication_cost: float | None = None  # above the quartile
    in_totals: bool = True  # False when a finer shared function of this body holds its cost
    savings: float = 0.0


@dataclass
class SharedFunction:
    key: str  # 'lgsl:579'
    matched_on: str  # 'LGSL service 579'
    label: str
    back_office: bool
    bodies: list[BodyFunction]
    min_cost_per_head: float | None = None
    median_cost_per_head: float | None = None
    max_cost_per_head: float | None = None
    quartile_cost_per_head: float | None = None
    total_cost: float = 0.0
    total_fte: float = 0.0
    duplication_cost: float = 0.0
    in_totals: bool = True
    savings: float = 0.0
    parts: tuple = field(default=(), repr=False)


@dataclass
class SystemLicence:
    body: str
    body_name: str
    systems: list[str]
    vendor: str
    product: str
    annual_cost: float | None
    excess: float = 0.0
    savings: float = 0.0


@dataclass
class DuplicatedSystem:
    key: str
    vendor: str
    product: str
    bodies: list[SystemLicence]
    back_office: bool
    total_cost: float = 0.0
    cheapest_cost: float | None = None
    excess_cost: float = 0.0
    savings: float = 0.0


@dataclass
class SupplierAmount:
    body: str
    body_name: str
    amount: float
    payments: int
    names: list[str]


@dataclass
class CommonSupplier:
    key: str
    name: str
    bodies: list[SupplierAmount]
    total: float = 0.0
    payments: int = 0


@dataclass
class RoleGroup:
    function_key: str
    function: str
    grade: str
    fte: dict[str, float]  # body slug -> FTE
    total_fte: float = 0.0
    bodies: int = 0


@dataclass
class ScenarioBody:
    body: str
    body_name: str
    functions: float = 0.0
    systems: float = 0.0
    total: float = 0.0
    share: float = 0.0


@dataclass
class Scenario:
    reduction: float
    method: str
    assumptions: list[str]
    bodies: list[ScenarioBody]
    functions: float = 0.0
    systems: float = 0.0
    total: float = 0.0
    duplication_cost: float = 0.0  # back-office functions, before the reduction
    systems_excess: float = 0.0


@dataclass
class IndicatorScore:
    indicator: str
    label: str
    pillar: str
    polarity: str
    unit: str
    value: float
    year: str
    score: float


@dataclass
class IndexEntry:
    body: str
    body_name: str
    outcome_score: float | None
    pillars: dict[str, float]
    indicators: int
    cost_per_head: float | None
    index: float | None
    rank: int | None
    confidence: str  # 'normal' | 'low' | ''
    reasons: list[str]
    scores: list[IndicatorScore] = field(default_factory=list)


@dataclass
class FunctionIndex:
    key: str
    matched_on: str
    label: str
    bodies_with_outcomes: int
    median_cost_per_head: float | None
    ranked: list[IndexEntry]
    not_ranked: list[IndexEntry]
    excluded_indicators: list[str] = field(default_factory=list)


@dataclass
class BodySummary:
    body: str
    body_name: str
    population: int | None
    shared_functions: int
    back_office_functions: int
    back_office_cost: float
    back_office_cost_per_head: float | None
    position: str
    rank: int | None
    of: int
    savings: float
    share: float
    verdict: str


@dataclass
class Comparison:
    reduction: float
    bodies: list[Body]
    summaries: list[BodySummary]
    shared_functions: list[SharedFunction]
    systems: list[DuplicatedSystem]
    suppliers: list[CommonSupplier]
    roles: list[RoleGroup]
    roles_unassigned: dict[str, float]
    scenario: Scenario
    index: list[FunctionIndex]
    method: dict[str, str]
    notes: list[str]

    def to_dict(self) -> dict:
        # the bodies' tables are the raw rows: leave them out before copying, not after
        data = asdict(replace(self, bodies=[replace(b, tables={}) for b in self.bodies]))
        for body in data["bodies"]:
            body.pop("tables", None)
        return _round(data)

    def body(self, slug: str) -> Body:
        return next(b for b in self.bodies if b.slug == slug)


def _round(obj):
    if isinstance(obj, float):
        return round(obj, 6) if abs(obj) < 1 else round(obj, 2)
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v) for v in obj]
    return obj


# --------------------------------------------------------------------------- bodies

def merge_bodies(packages: list[Package], notes: list[str]) -> list[Body]:
    """One Body per organisation slug: its packages' tables put together."""
    bodies: dict[str, Body] = {}
    seen_keys: dict[tuple[str, str], set] = defaultdict(set)
    primary = {"functions": ("FunctionID",), "systems": ("SystemID",),
               "costs": ("FiscalYear", "CostLineID")}
    for pkg in packages:
        ob = pkg.openbook
        slug = pkg.org_slug
        pop = ob.get("population")
        try:
            pop = int(str(pop).replace(",", "")) if pop not in (None, "") else None
        except ValueError:
            notes.append(f"{pkg.label}: population {pop!r} is not a whole number; it was ignored.")
            pop = None
        body = bodies.get(slug)
        if body is None:
            body = bodies[slug] = Body(slug=slug, name=pkg.org_name, uri=pkg.organisation.get("uri"),
                                       population=pop, period=ob.get("period"),
                                       profile=ob.get("profile") or "council")
        else:
            if pop and body.population and pop != body.population:
                notes.append(f"{body.name}: packages give different populations ({body.population:,} and "
                             f"{pop:,}); {body.population:,} (from {body.packages[0]}) was used.")
            body.population = body.population or pop
            if body.profile != "council" and (ob.get("profile") or "council") == "council":
                body.profile = "council"
        body.packages.append(pkg.label)
        for name in pkg.resource_names():
            rows = pkg.rows(name)
            keys = primary.get(name)
            target = body.tables.setdefault(name, [])
            for row in rows:
                if keys:
                    k = tuple((row.get(f) or "").strip() for f in keys)
                    if k in seen_keys[(slug, name)]:
                        continue
                    seen_keys[(slug, name)].add(k)
                target.append(row)
    return list(bodies.values())


# --------------------------------------------------------------------------- functions

def _costs_by_function(body: Body, notes: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    rows = body.tables.get("costs") or []
    years = sorted({(r.get("FiscalYear") or "").strip() for r in rows} - {""})
    year = None
    if len(years) > 1:
        want = _fy(body.period)
        year = want if want in years else years[-1]
        notes.append(f"{body.name}: the costs ledger covers {', '.join(years)}; {year} was used.")
    cost: dict[str, float] = defaultdict(float)
    fte: dict[str, float] = defaultdict(float)
    for r in rows:
        if year and (r.get("FiscalYear") or "").strip() != year:
            continue
        fid = (r.get("FunctionID") or "").strip()
        if (v := number(r.get("Actual"))) is not None:
            cost[fid] += v
        if (v := number(r.get("FTE"))) is not None:
            fte[fid] += v
    return cost, fte


def _role_rows(body: Body):
    """(FunctionID, grade, FTE) of every post row."""
    for r in body.tables.get("roles-junior") or []:
        fte = number(r.get("Number of Posts in FTE"))
        if fte:
            yield (r.get("FunctionID") or "").strip(), (r.get("Grade") or "").strip(), fte
    for r in body.tables.get("roles-senior") or []:
        if (r.get("Name") or "").strip().lower() == "eliminated":
            continue
        if (r.get("Post Unique Reference") or "").strip() == "0":
            continue
        fte = number(r.get("FTE"))
        if fte:
            yield (r.get("FunctionID") or "").strip(), (r.get("Grade (or equivalent)") or "").strip(), fte


def body_functions(body: Body, fid_keys: dict[str, tuple], notes: list[str]) -> dict[tuple, BodyFunction]:
    ledger, ledger_fte = _costs_by_function(body, notes)
    role_fte: dict[str, float] = defaultdict(float)
    for fid, _, fte in _role_rows(body):
        role_fte[fid] += fte
    out: dict[tuple[str, str], BodyFunction] = {}
    unmatched = 0
    for row in body.tables.get("functions") or []:
        fid = (row.get("FunctionID") or "").strip()
        key = fid_keys.get(fid)
        if key is None:
            unmatched += 1
            continue
        if fid in ledger:
            cost, source = ledger[fid], "costs ledger"
        elif (v := number(row.get("AnnualCost"))) is not None:
            cost, source = v, "Functions.AnnualCost"
        else:
            cost, source = None, None
        if (v := number(row.get("FTE"))) is not None:
            fte, fsource = v, "Functions.FTE"
        elif fid in ledger_fte:
            fte, fsource = ledger_fte[fid], "Costs.FTE"
        elif fid in role_fte:
            fte, fsource = role_fte[fid], "roles"
        else:
            fte, fsource = None, None
        bf = out.get(key)
        if bf is None:
            out[key] = BodyFunction(body=body.slug, body_name=body.name, function_ids=[fid],
                                    label=(row.get("Label") or fid).strip(), back_office=truthy(row.get("BackOffice")),
                                    fte=fte, fte_source=fsource, annual_cost=cost, cost_source=source,
                                    population=body.population)
        else:  # two of the body's functions carry the same code: add them up
            bf.function_ids.append(fid)
            bf.back_office = bf.back_office or truthy(row.get("BackOffice"))
            if cost is not None:
                bf.annual_cost = (bf.annual_cost or 0.0) + cost
                bf.cost_source = bf.cost_source or source
            if fte is not None:
                bf.fte = (bf.fte or 0.0) + fte
                bf.fte_source = bf.fte_source or fsource
    if unmatched:
        notes.append(f"{body.name}: {unmatched} function(s) have no LGSL, esd or COFOG code, so they cannot be "
                     "compared with other bodies.")
    return out


def shared_functions(bodies: list[Body], per_body: dict[str, dict], notes: list[str]) -> list[SharedFunction]:
    by_key: dict[tuple[str, str], list[BodyFunction]] = defaultdict(list)
    for body in bodies:
        for key, bf in per_body[body.slug].items():
            by_key[key].append(bf)
    result = []
    for key, entries in by_key.items():
        if len(entries) < 2:
            continue
        labels = Counter(e.label for e in entries)
        label = sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        back = sum(e.back_office for e in entries) * 2 >= len(entries)
        sf = SharedFunction(key=key_id(key), matched_on=key_text(key), label=label, back_office=back,
                            bodies=sorted(entries, key=lambda e: e.body_name), parts=key)
        for e in entries:
            if e.annual_cost is not None and e.population:
                e.cost_per_head = e.annual_cost / e.population
            elif e.annual_cost is None:
                notes.append(f"{e.body_name}: no annual cost for {label} ({sf.matched_on}); it is left out of "
                             "that function's spread.")
            else:
                notes.append(f"{e.body_name}: no population in the package metadata, so no cost per head for "
                             f"{label}.")
        values = [e.cost_per_head for e in entries if e.cost_per_head is not None]
        sf.total_cost = sum(e.annual_cost or 0.0 for e in entries)
        sf.total_fte = sum(e.fte or 0.0 for e in entries)
        if values:
            sf.min_cost_per_head = min(values)
            sf.max_cost_per_head = max(values)
            sf.median_cost_per_head = percentile(values, 0.5)
            sf.quartile_cost_per_head = q = percentile(values, QUARTILE)
            for e in entries:
                if e.cost_per_head is not None:
                    e.duplication_cost = max(0.0, e.cost_per_head - q) * e.population
            sf.duplication_cost = sum(e.duplication_cost or 0.0 for e in entries)
        result.append(sf)
    _mark_nested(bodies, result)
    result.sort(key=lambda s: (not s.back_office, not s.in_totals, -s.duplication_cost, s.label))
    return result


def _mark_nested(bodies: list[Body], functions: list[SharedFunction]) -> None:
    """Leave out of the totals a body's shared function when one of its sub-functions is shared too.

    Totals (the summary, the scenario) use the finest shared level, so a
    parent's cost (the sum of its children) is never added to its children's.
    """
    for body in bodies:
        children: dict[str, list[str]] = defaultdict(list)
        for r in body.tables.get("functions") or []:
            parent = (r.get("ParentID") or "").strip()
            if parent:
                children[parent].append((r.get("FunctionID") or "").strip())
        shared_fids = {fid for sf in functions for e in sf.bodies if e.body == body.slug for fid in e.function_ids}
        for sf in functions:
            for e in sf.bodies:
                if e.body != body.slug:
                    continue
                stack, seen = list(e.function_ids), set()
                while stack:
                    fid = stack.pop()
                    for child in children.get(fid, []):
                        if child in seen:
                            continue
                        seen.add(child)
                        if child in shared_fids and child not in e.function_ids:
                            e.in_totals = False
                        stack.append(child)
    for sf in functions:
        sf.in_totals = any(e.in_totals for e in sf.bodies)


# --------------------------------------------------------------------------- systems, suppliers, roles

def duplicated_systems(bodies: list[Body], back_office_ids: dict[str, set[str]]) -> list[DuplicatedSystem]:
    groups: dict[tuple[str, str], dict[str, SystemLicence]] = defaultdict(dict)
    back: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for body in bodies:
        for r in body.tables.get("systems") or []:
            vendor, product = (r.get("Vendor") or "").strip(), (r.get("Product") or "").strip()
            key = (normalise_name(vendor), normalise_name(product))
            if not key[0] or not key[1]:
                continue
            cost = number(r.get("AnnualCost"))
            lic = groups[key].get(body.slug)
            name = (r.get("SystemName") or r.get("SystemID") or product).strip()
            if lic is None:
                groups[key][body.slug] = SystemLicence(body=body.slug, body_name=body.name, systems=[name],
                                                       vendor=vendor, product=product, annual_cost=cost)
            else:
                lic.systems.append(name)
                if cost is not None:
                    lic.annual_cost = (lic.annual_cost or 0.0) + cost
            back[key].append((r.get("FunctionID") or "").strip() in back_office_ids.get(body.slug, set()))
    out = []
    for key, licences in groups.items():
        if len(licences) < 2:
            continue
        entries = sorted(licences.values(), key=lambda lic: lic.body_name)
        vendors = Counter(e.vendor for e in entries)
        products = Counter(e.product for e in entries)
        best = lambda c: sorted(c.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]  # noqa: E731
        ds = DuplicatedSystem(key=f"{key[0]} / {key[1]}",
                              vendor=best(vendors), product=best(products),
                              bodies=entries, back_office=any(back[key]))
        costs = [e.annual_cost for e in entries if e.annual_cost is not None]
        ds.total_cost = sum(costs)
        if len(costs) >= 2:
            ds.cheapest_cost = min(costs)
            for e in entries:
                if e.annual_cost is not None:
                    e.excess = e.annual_cost - ds.cheapest_cost
            ds.excess_cost = ds.total_cost - ds.cheapest_cost
        out.append(ds)
    out.sort(key=lambda d: (-d.excess_cost, d.vendor, d.product))
    return out


def common_suppliers(bodies: list[Body]) -> list[CommonSupplier]:
    groups: dict[str, dict[str, SupplierAmount]] = defaultdict(dict)
    spellings: dict[str, Counter] = defaultdict(Counter)
    for body in bodies:
        for r in body.tables.get("spend") or []:
            raw = (r.get("BeneficiaryName") or "").strip()
            if withheld(raw):
                continue
            key = normalise_name(raw)
            if not key:
                continue
            amount = number(r.get("Amount"))
            if amount is None:
                continue
            spellings[key][raw] += 1
            entry = groups[key].get(body.slug)
            if entry is None:
                entry = groups[key][body.slug] = SupplierAmount(body=body.slug, body_name=body.name, amount=0.0,
                                                                payments=0, names=[])
            entry.amount += amount
            entry.payments += 1
            if raw not in entry.names:
                entry.names.append(raw)
    out = []
    for key, entries in groups.items():
        if len(entries) < 2:
            continue
        name = sorted(spellings[key].items(), key=lambda kv: (kv[0].isupper(), -kv[1], kv[0]))[0][0]
        cs = CommonSupplier(key=key, name=name, bodies=sorted(entries.values(), key=lambda e: e.body_name))
        cs.total = sum(e.amount for e in cs.bodies)
        cs.payments = sum(e.payments for e in cs.bodies)
        out.append(cs)
    out.sort(key=lambda c: (-len(c.bodies), -c.total, c.name))
    return out


def roles_by_function(bodies: list[Body], fid_keys: dict[str, dict[str, tuple]],
                      shared: dict[tuple, str]) -> tuple[list[RoleGroup], dict[str, float]]:
    groups: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    grade_names: dict[tuple[str, str], Counter] = defaultdict(Counter)
    unassigned: dict[str, float] = defaultdict(float)
    for body in bodies:
        for fid, grade, fte in _role_rows(body):
            key = fid_keys[body.slug].get(fid)
            if key is None or key not in shared:
                unassigned[body.slug] += fte
                continue
            g = " ".join(grade.lower().split())
            groups[(key_id(key), g)][body.slug] += fte
            grade_names[(key_id(key), g)][grade] += 1
    labels = {key_id(k): v for k, v in shared.items()}
    out = []
    for (kid, g), fte in groups.items():
        grade = sorted(grade_names[(kid, g)].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        out.append(RoleGroup(function_key=kid, function=labels[kid], grade=grade, fte=dict(fte),
                             total_fte=sum(fte.values()), bodies=len(fte)))
    out.sort(key=lambda r: (r.function, r.grade.lower()))
    return out, dict(unassigned)


# --------------------------------------------------------------------------- public value index

def _outcomes_by_function(body: Body, fid_keys: dict[str, tuple]) -> dict[tuple, dict[str, dict]]:
    """key -> indicator id -> the latest year's row."""
    out: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for r in body.tables.get("outcomes") or []:
        key = fid_keys.get((r.get("FunctionID") or "").strip())
        value = number(r.get("Value"))
        ind = (r.get("IndicatorID") or "").strip()
        if key is None or value is None or not ind:
            continue
        ind_key = ind.lower()
        year = (r.get("FiscalYear") or "").strip()
        have = out[key].get(ind_key)
        if have is None or year > have["year"]:
            out[key][ind_key] = {"id": ind, "label": (r.get("IndicatorLabel") or ind).strip(),
                                 "pillar": (r.get("Pillar") or "").strip().lower(),
                                 "polarity": (r.get("Polarity") or "").strip().lower(),
                                 "unit": (r.get("Unit") or "").strip(), "value": value, "year": year,
                                 "expenditure": number(r.get("Expenditure"))}
    return out


def public_value_index(bodies: list[Body], functions: list[SharedFunction],
                       fid_keys: dict[str, dict[str, tuple]]) -> list[FunctionIndex]:
    outcomes = {b.slug: _outcomes_by_function(b, fid_keys[b.slug]) for b in bodies}
    result = []
    for sf in functions:
        key = sf.parts
        reporting = {bf.body: outcomes[bf.body].get(key, {}) for bf in sf.bodies}
        reporting = {slug: inds for slug, inds in reporting.items() if inds}
        # Indicators comparable across bodies: reported by 2+ bodies, with a known polarity.
        by_ind: dict[str, dict[str, dict]] = defaultdict(dict)
        for slug, inds in reporting.items():
            for ind_key, row in inds.items():
                by_ind[ind_key][slug] = row
        excluded = []
        scores: dict[str, list[IndicatorScore]] = defaultdict(list)
        for ind_key, rows in sorted(by_ind.items()):
            polarities = Counter(r["polarity"] for r in rows.values() if r["polarity"] in
                                 ("higher-is-better", "lower-is-better"))
            label = next(iter(rows.values()))["label"]
            if len(rows) < 2:
                excluded.append(f"{label}: reported by one body only, so it cannot be compared.")
                continue
            if not polarities:
                excluded.append(f"{label}: no polarity given, so better cannot be told from worse.")
                continue
            polarity = sorted(polarities.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            pillars = Counter(r["pillar"] if r["pillar"] in PILLARS else "" for r in rows.values())
            pillar = sorted(pillars.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            values = [r["value"] for r in rows.values()]
            lo, hi = min(values), max(values)
            for slug, r in rows.items():
                if hi == lo:
                    s = 50.0
                elif polarity == "lower-is-better":
                    s = (hi - r["value"]) / (hi - lo) * 100
                else:
                    s = (r["value"] - lo) / (hi - lo) * 100
                scores[slug].append(IndicatorScore(indicator=r["id"], label=r["label"], pillar=pillar,
                                                   polarity=polarity, unit=r["unit"], value=r["value"],
                                                   year=r["year"], score=s))
        scored = [slug for slug in reporting if scores.get(slug)]
        ranked, not_ranked = [], []
        for bf in sf.bodies:
            entry = IndexEntry(body=bf.body, body_name=bf.body_name, outcome_score=None, pillars={},
                               indicators=0, cost_per_head=bf.cost_per_head, index=None, rank=None,
                               confidence="", reasons=[])
            if bf.body not in reporting:
                entry.reasons.append("not ranked: no outcome data")
                not_ranked.append(entry)
                continue
            mine = scores.get(bf.body, [])
            if not mine:
                entry.reasons.append("not ranked: no outcome indicator it shares with another body")
                not_ranked.append(entry)
                continue
            entry.scores = mine
            by_pillar: dict[str, list[float]] = defaultdict(list)
            for s in mine:
                by_pillar[s.pillar].append(s.score)
            entry.pillars = {PILLARS[p]: sum(v) / len(v) for p, v in sorted(by_pillar.items())}
            entry.outcome_score = sum(entry.pillars.values()) / len(entry.pillars)
            entry.indicators = len(mine)
            if len(mine) < LOW_CONFIDENCE_INDICATORS:
                entry.reasons.append(f"low confidence: only {len(mine)} indicator")
            if len(scored) < LOW_CONFIDENCE_BODIES:
                entry.reasons.append(f"low confidence: only {len(scored)} bodies have outcome data")
            entry.confidence = "low" if entry.reasons else "normal"
            if bf.cost_per_head is None or not sf.median_cost_per_head or bf.cost_per_head <= 0:
                entry.reasons.append("not ranked: no cost per head")
                not_ranked.append(entry)
                continue
            entry.index = entry.outcome_score * sf.median_cost_per_head / bf.cost_per_head
            ranked.append(entry)
        ranked.sort(key=lambda e: (-e.index, e.body_name))
        for i, e in enumerate(ranked, 1):
            e.rank = i
        result.append(FunctionIndex(key=sf.key, matched_on=sf.matched_on, label=sf.label,
                                    bodies_with_outcomes=len(scored), median_cost_per_head=sf.median_cost_per_head,
                                    ranked=ranked, not_ranked=not_ranked, excluded_indicators=excluded))
    return [fi for fi in result if fi.bodies_with_outcomes or any(
        r != ["not ranked: no outcome data"] for r in (e.reasons for e in fi.not_ranked))]


# --------------------------------------------------------------------------- scenario and summary

def scenario(bodies: list[Body], functions: list[SharedFunction], systems: list[DuplicatedSystem],
             reduction: float) -> Scenario:
    per = {b.slug: ScenarioBody(body=b.slug, body_name=b.name) for b in bodies}
    sc = Scenario(reduction=reduction, method=scenario_method(reduction), assumptions=list(SCENARIO_ASSUMPTIONS),
                  bodies=[])
    for sf in functions:
        if not sf.back_office:
            continue
        for e in sf.bodies:
            if not e.in_totals:
                continue
            sc.duplication_cost += e.duplication_cost or 0.0
            e.savings = reduction * (e.duplication_cost or 0.0)
            per[e.body].functions += e.savings
            sf.savings += e.savings
    for ds in systems:
        sc.systems_excess += ds.excess_cost
        for lic in ds.bodies:
            lic.savings = reduction * lic.excess
            per[lic.body].systems += lic.savings
        ds.savings = reduction * ds.excess_cost
    for p in per.values():
        p.total = p.functions + p.systems
    sc.functions = sum(p.functions for p in per.values())
    sc.systems = sum(p.systems for p in per.values())
    sc.total = sc.functions + sc.systems
    for p in per.values():
        p.share = p.total / sc.total if sc.total else 0.0
    sc.bodies = sorted(per.values(), key=lambda p: p.body_name)
    return sc


def _position(rank: int, n: int) -> str:
    if n <= 1:
        return "only body"
    if rank == 1:
        return "cheapest"
    if rank == n:
        return "dearest"
    if n % 2 == 1 and rank == (n + 1) // 2:
        return "median"
    return f"{_ordinal(rank)} cheapest of {n}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def money(value: float | None, pence: bool = False) -> str:
    if value is None:
        return "n/a"
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}" if pence else f"{sign}£{abs(value):,.0f}"


def summaries(bodies: list[Body], functions: list[SharedFunction], sc: Scenario) -> list[BodySummary]:
    out = []
    saved = {p.body: p for p in sc.bodies}
    for b in bodies:
        mine = [e for sf in functions for e in sf.bodies if e.body == b.slug]
        back = [e for sf in functions if sf.back_office for e in sf.bodies if e.body == b.slug and e.in_totals]
        cost = sum(e.annual_cost or 0.0 for e in back)
        out.append(BodySummary(body=b.slug, body_name=b.name, population=b.population, shared_functions=len(mine),
                               back_office_functions=len(back), back_office_cost=cost,
                               back_office_cost_per_head=cost / b.population if b.population and back else None,
                               position="", rank=None, of=0, savings=saved[b.slug].total,
                               share=saved[b.slug].share, verdict=""))
    placed = sorted((s for s in out if s.back_office_cost_per_head is not None),
                    key=lambda s: (s.back_office_cost_per_head, s.body_name))
    for i, s in enumerate(placed, 1):
        s.rank, s.of = i, len(placed)
        s.position = _position(i, len(placed))
    for s in out:
        if s.rank is None:
            s.position = "not placed: no shared back-office cost per head"
            s.verdict = (f"{s.body_name}: not placed (no shared back-office function with a cost per head); "
                         f"scenario saving {money(s.savings)} a year ({s.share:.0%} of the total).")
        else:
            s.verdict = (f"{s.body_name}: shared back-office functions cost {money(s.back_office_cost)} a year, "
                         f"{money(s.back_office_cost_per_head, pence=True)} per head - {s.position} of {s.of}; "
                         f"scenario saving {money(s.savings)} a year ({s.share:.0%} of the total).")
    return out


# --------------------------------------------------------------------------- the API

def compare(sources: Iterable[str | Path] | str | Path, reduction: float = REDUCTION) -> Comparison:
    """Compare the open-book packages in ``sources`` (folders, zips, catalogues, s3://, ckan+https://).

    Raises OpenbookError (one line) when a source cannot be read or fewer
    than two public bodies are found.
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    sources = list(sources)
    if not sources:
        raise OpenbookError("no sources given. Give two or more package folders, .zip files or catalogues.")
    try:
        reduction = float(reduction)
    except (TypeError, ValueError):
        raise OpenbookError(f"--reduction {reduction!r}: use a fraction between 0 and 1, such as 0.4.") from None
    if not 0 <= reduction <= 1:
        raise OpenbookError(f"--reduction {reduction:g}: use a fraction between 0 and 1, such as 0.4 for 40%.")
    packages, notes = load_sources(sources)
    all_bodies = merge_bodies(packages, notes)
    bodies = []
    for b in all_bodies:
        if not b.tables.get("functions"):
            kind = "a supplier's package" if b.profile == "supplier" else "a package with no functions table"
            notes.append(f"{b.name} ({', '.join(b.packages)}): {kind}; it is not compared as a public body.")
            continue
        if not b.population:
            notes.append(f"{b.name}: no population in the package metadata, so no cost per head.")
        bodies.append(b)
    if len(bodies) < 2:
        found = ", ".join(b.name for b in bodies) or "none"
        raise OpenbookError(f"compare needs at least two public bodies with a functions table; found {len(bodies)} "
                            f"({found}). Give more packages or catalogues.")
    bodies.sort(key=lambda b: b.name)
    fid_keys = assign_keys(bodies)
    per_body = {b.slug: body_functions(b, fid_keys[b.slug], notes) for b in bodies}
    functions = shared_functions(bodies, per_body, notes)
    shared_keys = {sf.parts: sf.label for sf in functions}
    back_ids = {b.slug: {fid for sf in functions if sf.back_office for e in sf.bodies if e.body == b.slug
                         for fid in e.function_ids} for b in bodies}
    systems = duplicated_systems(bodies, back_ids)
    suppliers = common_suppliers(bodies)
    roles, unassigned = roles_by_function(bodies, fid_keys, shared_keys)
    sc = scenario(bodies, functions, systems, reduction)
    index = public_value_index(bodies, functions, fid_keys)
    method = {"matching": MATCH_RULE, "costs": COST_RULE, "duplication": DUPLICATION_RULE,
              "back_office": BACK_OFFICE_RULE, "systems": SYSTEM_RULE, "suppliers": SUPPLIER_RULE,
              "roles": ROLE_RULE, "scenario": sc.method, "public_value_index": PVI_RULE}
    for fi in index:
        for e in fi.not_ranked:
            if "not ranked: no outcome data" in e.reasons:
                notes.append(f"{e.body_name} is not ranked on the Public Value Index for {fi.label}: "
                             "no outcome data for that function.")
    return Comparison(reduction=reduction, bodies=bodies, summaries=summaries(bodies, functions, sc),
                      shared_functions=functions, systems=systems, suppliers=suppliers, roles=roles,
                      roles_unassigned=unassigned, scenario=sc, index=index, method=method, notes=notes)
