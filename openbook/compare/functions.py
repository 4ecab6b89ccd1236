"""Bodies from packages, each body's functions and their costs, and the functions bodies share."""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from openbook.compare.benchmark import delivery_flag, measure, per_unit
from openbook.compare.matching import fiscal_year, key_id, key_text, number, truthy
from openbook.compare.model import Body, BodyFunction, SharedFunction
from openbook.compare.spend import SPEND, files_of
from openbook.datapackage.contract import Package

# The columns compare reads of each table (spend: spend.py): only these are kept in memory.
COLUMNS = {
    "functions": ("FunctionID", "ParentID", "Level", "Label", "BackOffice", "DeliveryModel", "FTE", "AnnualCost",
                  "AnnualVolume", "LGSLServiceURI", "ESDFunctionURI", "COFOGCode"),
    "costs": ("FiscalYear", "CostLineID", "FunctionID", "Actual", "FTE"),
    "systems": ("SystemID", "SystemName", "Vendor", "Product", "AnnualCost"),
    "roles-junior": ("FunctionID", "Grade", "Number of Posts in FTE"),
    "roles-senior": ("FunctionID", "Grade (or equivalent)", "FTE", "Name", "Post Unique Reference"),
    "outcomes": ("FunctionID", "FiscalYear", "IndicatorID", "IndicatorLabel", "Pillar", "Polarity", "Unit", "Value"),
    "supplier-costs": ("OrganisationURI", "ContractReference", "SupplierName", "SupplierID", "Cost", "CostElement",
                       "Charge", "PeriodStart", "PeriodEnd"),
}

def merge_bodies(packages: list[Package], notes: list[str], parquet: dict[str, Path] | None = None,
                 progress=None) -> list[Body]:
    """One Body per organisation slug: its packages' tables put together. Spend stays where it is
    (Body.spend): ``parquet`` names the Parquet copy of a package's spend, by package label.
    ``progress`` (openbook.progress) hears of each package read."""
    bodies: dict[str, Body] = {}
    seen_keys: dict[tuple[str, str], set] = defaultdict(set)
    primary = {"functions": ("FunctionID",), "systems": ("SystemID",),
               "costs": ("FiscalYear", "CostLineID")}
    for i, pkg in enumerate(packages):
        if progress:
            progress("Reading packages", i, len(packages))
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
            if name == SPEND:
                body.spend.extend(files_of(pkg, (parquet or {}).get(pkg.label)))
                continue
            rows = pkg.rows(name, columns=COLUMNS.get(name))
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
        want = fiscal_year(body.period)
        year = want if want in years else years[-1]
        notes.append(f"{body.name}: the costs ledger covers {', '.join(years)}; {year} was used.")
    cost: dict[str, float] = defaultdict(float)
    fte: dict[str, float] = defaultdict(float)
    used = False
    for r in rows:
        if year and (r.get("FiscalYear") or "").strip() != year:
            continue
        used = True
        fid = (r.get("FunctionID") or "").strip()
        if (v := number(r.get("Actual"))) is not None:
            cost[fid] += v
        if (v := number(r.get("FTE"))) is not None:
            fte[fid] += v
    if used:
        body.total_cost = sum(cost.values())
    return cost, fte


def role_rows(body: Body):
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
    for fid, _, fte in role_rows(body):
        role_fte[fid] += fte
    out: dict[tuple[str, str], BodyFunction] = {}
    unmatched = 0
    rows = body.tables.get("functions") or []
    if body.total_cost is None:  # no ledger: the functions with no sub-functions, so nothing twice
        parents = {(r.get("ParentID") or "").strip() for r in rows}
        costs = [number(r.get("AnnualCost")) for r in rows if (r.get("FunctionID") or "").strip() not in parents]
        body.total_cost = sum(c for c in costs if c is not None) if any(c is not None for c in costs) else None
    for row in rows:
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
        volume = number(row.get("AnnualVolume"))
        bf = out.get(key)
        if bf is None:
            out[key] = BodyFunction(body=body.slug, body_name=body.name, peer_group=body.peer_group,
                                    function_ids=[fid], label=(row.get("Label") or fid).strip(),
                                    back_office=truthy(row.get("BackOffice")),
                                    delivery=(row.get("DeliveryModel") or "").strip().lower(),
                                    fte=fte, fte_source=fsource, annual_cost=cost, cost_source=source,
                                    population=body.population, volume=volume if volume and volume > 0 else None)
        else:  # two of the body's functions carry the same code: add them up
            bf.function_ids.append(fid)
            bf.volume = bf.volume + volume if bf.volume and volume and volume > 0 else None
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
                e.cost_per_head = per_unit(e.annual_cost, e.population)
            elif e.annual_cost is None:
                notes.append(f"{e.body_name}: no annual cost for {label} ({sf.matched_on}); it is left out of "
                             "that function's spread.")
            else:
                notes.append(f"{e.body_name}: no population in the package metadata, so no cost per head for "
                             f"{label}.")
        sf.total_cost = sum(e.annual_cost or 0.0 for e in entries)
        sf.total_fte = sum(e.fte or 0.0 for e in entries)
        sf.peers = measure(entries, lambda e: e.annual_cost,
                           lambda e: {"head": e.population, "unit of volume": e.volume})
        sf.flags = [f for f in [delivery_flag(entries)] if f]
        sf.duplication_cost = sum(pb.duplication_cost for pb in sf.peers if pb.claimed)
        result.append(sf)
    _mark_nested(bodies, result)
    result.sort(key=lambda s: (not s.back_office, not s.in_totals, -s.duplication_cost, s.label))
    for sf in result:
        for e in sf.bodies:
            if e.duplication_cost is None:
                continue
            if not sf.back_office:
                e.status = "context: front-line function, not cut"
            elif not e.in_totals:
                e.status = "context: a finer shared function of this body holds its cost"
            else:
                e.counted, e.status = True, "counted"
    return result


def _mark_nested(bodies: list[Body], functions: list[SharedFunction]) -> None:
    """Leave out of the totals a body's shared function when one of its sub-functions is shared too.

    Totals (the summary, the scenario) use the finest shared level, so a
    parent's cost (the sum of its children) is never added to its children's.
    """
    entries: dict[str, list[BodyFunction]] = defaultdict(list)
    for sf in functions:
        for e in sf.bodies:
            entries[e.body].append(e)
    for body in bodies:
        children: dict[str, list[str]] = defaultdict(list)
        for r in body.tables.get("functions") or []:
            parent = (r.get("ParentID") or "").strip()
            if parent:
                children[parent].append((r.get("FunctionID") or "").strip())
        shared_fids = {fid for e in entries[body.slug] for fid in e.function_ids}
        for e in entries[body.slug]:
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
