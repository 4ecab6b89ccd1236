"""The savings scenario, its range, the extrapolation, and each body's summary."""
from __future__ import annotations

from collections import Counter, defaultdict

from openbook.compare.method import (MANIFESTO_CLAIM, MANIFESTO_SCOPE, MANIFESTO_TOTAL, MIN_PEERS,
                                     SCENARIO_ASSUMPTIONS, extrapolation_assumptions, pct, scenario_method)
from openbook.compare.model import (Body, BodySummary, DuplicatedSystem, Extrapolation, PeerGroup, Scenario,
                                    ScenarioBody, SharedFunction)


def money(value: float | None, pence: bool = False) -> str:
    if value is None:
        return "n/a"
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}" if pence else f"{sign}£{abs(value):,.0f}"


def peer_groups(bodies: list[Body]) -> list[PeerGroup]:
    groups: dict[str, list[str]] = {}
    for b in bodies:
        groups.setdefault(b.peer_group, []).append(b.slug)
    return [PeerGroup(name=g, bodies=slugs, claimed=len(slugs) >= MIN_PEERS) for g, slugs in sorted(groups.items())]


def counted_rows(functions: list[SharedFunction], systems: list[DuplicatedSystem]) -> list:
    return ([e for sf in functions for e in sf.bodies if e.counted]
            + [lic for ds in systems for lic in ds.bodies if lic.counted])


def scenario(bodies: list[Body], functions: list[SharedFunction], systems: list[DuplicatedSystem],
             reduction: float, groups: list[PeerGroup]) -> Scenario:
    per = {b.slug: ScenarioBody(body=b.slug, body_name=b.name, peer_group=b.peer_group) for b in bodies}
    sc = Scenario(reduction=reduction, method=scenario_method(reduction), assumptions=list(SCENARIO_ASSUMPTIONS),
                  bodies=[])
    rows = counted_rows(functions, systems)
    function_rows = {id(e) for sf in functions for e in sf.bodies if e.counted}
    for e in rows:
        e.savings = reduction * e.duplication_cost
        e.savings_low, e.savings_high = reduction * e.duplication_low, reduction * e.duplication_high
        sc.duplication_cost += e.duplication_cost
        if id(e) in function_rows:
            per[e.body].functions += e.savings
        else:
            per[e.body].systems += e.savings
    for sf in functions:
        sf.savings = sum(e.savings for e in sf.bodies if e.counted)
    for ds in systems:
        ds.savings = sum(lic.savings for lic in ds.bodies if lic.counted)
    # Leave-one-out: body j out of every benchmark it is in; each row measured against the rest.
    # A row's replicate differs from its estimate only for the bodies of its own benchmark: add up those deltas.
    delta: dict[str, float] = defaultdict(float)
    body_delta: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for e in rows:
        for j, v in e.loo.items():
            delta[j] += v - e.duplication_cost
            body_delta[e.body][j] += v - e.duplication_cost
    dup = sum(e.duplication_cost for e in rows)
    own: dict[str, float] = defaultdict(float)
    for e in rows:
        own[e.body] += e.duplication_cost
    totals = [reduction * (dup + d) for d in delta.values()]
    for p in per.values():
        p.total = p.functions + p.systems
        reps = [p.total] + [reduction * (own[p.body] + d) for d in body_delta[p.body].values()]
        p.low, p.high = min(reps), max(reps)
    sc.functions = sum(p.functions for p in per.values())
    sc.systems = sum(p.systems for p in per.values())
    sc.total = sc.functions + sc.systems
    sc.low, sc.high = min([sc.total] + totals), max([sc.total] + totals)
    for p in per.values():
        p.share = p.total / sc.total if sc.total else 0.0
    sc.bodies = sorted(per.values(), key=lambda p: p.body_name)
    sc.claimed = bool(rows)
    pops = {b.slug: b.population for b in bodies}
    for g in groups:
        g.savings = sum(per[s].total for s in g.bodies)
    covered = {e.body for e in rows} | {s for g in groups if g.claimed for s in g.bodies}
    sc.population_covered = sum(pops[s] or 0 for s in covered)
    if sc.claimed and sc.population_covered:
        f = 100_000 / sc.population_covered
        sc.per_100k, sc.per_100k_low, sc.per_100k_high = sc.total * f, sc.low * f, sc.high * f
        sc.statement = (f"{pct(reduction)} scenario: {money(sc.total)} a year (range {money(sc.low)} to "
                        f"{money(sc.high)}), {money(sc.per_100k)} per 100,000 residents of the "
                        f"{len(covered)} bodies in peer groups large enough to count "
                        f"({sc.population_covered:,} residents).")
    else:
        sc.statement = (f"{pct(reduction)} scenario: no cost of duplication is claimed: too few comparable bodies "
                        f"(no peer group has {MIN_PEERS} or more bodies performing the same function). The figures "
                        "are shown for information only.")
    return sc


def extrapolate(sc: Scenario, population: int | None, source: str | None) -> Extrapolation:
    ex = Extrapolation(population=population, source=source or "", total=None, low=None, high=None, assumptions=[],
                       manifesto_claim=MANIFESTO_CLAIM, manifesto_scope=MANIFESTO_SCOPE, share_of_manifesto=None,
                       statement="")
    if not population:
        ex.statement = ("Not extrapolated: give --scale-population (with --scale-source saying where the figure "
                        "comes from) to scale the saving per 100,000 residents to a wider population.")
    elif sc.per_100k is None:
        ex.statement = "Not extrapolated: no saving is claimed, so there is nothing to scale."
    else:
        f = population / 100_000
        ex.total, ex.low, ex.high = sc.per_100k * f, sc.per_100k_low * f, sc.per_100k_high * f
        ex.assumptions = extrapolation_assumptions(population, ex.source, sc.population_covered)
        ex.share_of_manifesto = ex.total / MANIFESTO_TOTAL
        ex.statement = (f"Extrapolation (an estimate, not a measurement): {money(sc.per_100k)} per 100,000 residents "
                        f"x {population:,} residents ({ex.source}) = {money(ex.total)} a year (range "
                        f"{money(ex.low)} to {money(ex.high)}); {ex.share_of_manifesto:.2%} of the manifesto's "
                        "£46 bn.")
    return ex


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _position(rank: int, n: int) -> str:
    """Words for a place among n, never ending in 'of n' (the caller adds it once)."""
    if rank == 1:
        return "cheapest"
    if rank == n:
        return "dearest"
    if n % 2 == 1 and rank == (n + 1) // 2:
        return "median"
    return f"{_ordinal(rank)} cheapest"


def summaries(bodies: list[Body], functions: list[SharedFunction], sc: Scenario) -> list[BodySummary]:
    saved = {p.body: p for p in sc.bodies}
    periods = Counter(b.period for b in bodies if b.period)
    usual = periods.most_common(1)[0][0] if periods else None
    entry = {(e.body, sf.key): e for sf in functions for e in sf.bodies}
    by_body: dict[str, list] = defaultdict(list)
    for sf in functions:
        for e in sf.bodies:
            by_body[e.body].append((sf, e))
    groups: dict[str, list[Body]] = defaultdict(list)
    for b in bodies:
        if b.population:
            groups[b.peer_group].append(b)
    common_of: dict[str, list[SharedFunction]] = {}  # the back-office functions every ranked peer performs
    for g, peers in groups.items():
        common_of[g] = [sf for sf in functions if sf.back_office and all(
            (p.slug, sf.key) in entry and entry[(p.slug, sf.key)].in_totals
            and entry[(p.slug, sf.key)].annual_cost is not None for p in peers)]
    ranked = {id(p) for peers in groups.values() for p in peers}  # by identity: `b in peers` compared every field
    out = []
    for b in bodies:
        peers = groups.get(b.peer_group, [])
        mine = [e for _, e in by_body[b.slug]]
        back = [e for sf, e in by_body[b.slug] if sf.back_office and e.in_totals and e.annual_cost is not None]
        in_totals = sum(e.annual_cost or 0.0 for e in mine if e.in_totals)
        others = len(bodies) - 1
        lacks = [sf.label for sf in functions if (b.slug, sf.key) not in entry and len(sf.bodies) * 2 >= others]
        common = common_of.get(b.peer_group, [])
        cph = (sum(entry[(b.slug, sf.key)].annual_cost for sf in common) / b.population
               if common and id(b) in ranked else None)
        flags = []
        if usual and b.period and b.period != usual:
            flags.append(f"its package covers {b.period}, the others mostly {usual}: not adjusted for inflation")
        outsourced = [e.label for e in mine if e.delivery in ("outsourced", "shared-service", "mixed")]
        if outsourced:
            flags.append(f"{len(outsourced)} shared function(s) delivered outsourced, shared or mixed")
        p = saved[b.slug]
        out.append(BodySummary(body=b.slug, body_name=b.name, peer_group=b.peer_group, peers=len(peers),
                               population=b.population, period=b.period, shared_functions=len(mine),
                               back_office_functions=len(back), back_office_cost=sum(e.annual_cost for e in back),
                               total_cost=b.total_cost,
                               coverage=in_totals / b.total_cost if b.total_cost else None, lacks=lacks,
                               compared_on=len(common), compared_cost_per_head=cph, position="", rank=None, of=0,
                               savings=p.total, savings_low=p.low, savings_high=p.high, share=p.share, flags=flags,
                               verdict=""))
    by_group: dict[str, list[BodySummary]] = {}
    for s in out:
        if s.compared_cost_per_head is not None:
            by_group.setdefault(s.peer_group, []).append(s)
    for group in by_group.values():
        if len(group) < 2:
            continue
        for i, s in enumerate(sorted(group, key=lambda s: (s.compared_cost_per_head, s.body_name)), 1):
            s.rank, s.of, s.position = i, len(group), _position(i, len(group))
    for s in out:
        s.verdict = _verdict(s, sc)
    return out


def _verdict(s: BodySummary, sc: Scenario) -> str:
    head = f"{s.body_name} (peer group: {s.peer_group})"
    if s.rank:
        place = (f"{money(s.compared_cost_per_head, pence=True)} per head on the {s.compared_on} back-office "
                 f"function(s) all {s.of} peers perform: {s.position} of {s.of}")
    elif s.peers < 2:
        place = "the only body in its peer group, so not ranked"
    else:
        place = "not ranked: its peers share no back-office function with a cost"
    cover = f"; shared functions cover {s.coverage:.0%} of its total cost" if s.coverage is not None else ""
    if sc.claimed:
        saving = (f"; scenario saving {money(s.savings)} a year (range {money(s.savings_low)} to "
                  f"{money(s.savings_high)})")
    else:
        saving = "; no saving claimed (too few comparable bodies)"
    period = "".join(f"; note: {f}" for f in s.flags if f.startswith("its package covers"))
    return f"{head}: {place}{cover}{saving}{period}."
