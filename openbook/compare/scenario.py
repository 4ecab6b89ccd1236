"""The savings scenario and each body's summary."""
from __future__ import annotations

from openbook.compare.method import SCENARIO_ASSUMPTIONS, scenario_method
from openbook.compare.model import Body, BodySummary, DuplicatedSystem, Scenario, ScenarioBody, SharedFunction


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
