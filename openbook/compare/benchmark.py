"""The one benchmark: cost per unit within a peer group, the cost of duplication, and its range.

Functions and systems are both measured here (method.UNIT_RULE,
DUPLICATION_RULE, INTERVAL_RULE), so the two parts of the scenario follow one rule.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from openbook.compare.matching import percentile
from openbook.compare.method import DP, MAX_REPLICATES, MIN_PEERS, OUTSOURCED, QUARTILE
from openbook.compare.model import Measured, PeerBenchmark


def per_unit(cost: float, units: float) -> float:
    return round(cost / units, DP)


def benchmark_of(values: Sequence[float]) -> float:
    return round(percentile(list(values), QUARTILE), DP)


def leave_out_sets(slugs) -> list[tuple[str, frozenset]]:
    """The sets left out in turn (method.INTERVAL_RULE): each body alone, or, past MAX_REPLICATES bodies,
    the bodies in order of slug dealt into MAX_REPLICATES groups. Each set is named by its first slug."""
    ordered = sorted(slugs)
    k = min(len(ordered), MAX_REPLICATES)
    return [(ordered[i], frozenset(ordered[i::k])) for i in range(k)]


def measure(entries: Sequence[Measured], cost_of, units_of) -> list[PeerBenchmark]:
    """Group ``entries`` by peer group and benchmark each group.

    ``cost_of(e)`` is the entry's annual cost (or None); ``units_of(e)`` gives
    ('unit of volume', volume) or ('head', population) candidates as a dict.
    Per unit of volume only when every measurable peer gives a volume.
    """
    groups: dict[str, list[Measured]] = defaultdict(list)
    for e in entries:
        groups[e.peer_group].append(e)
    out = []
    for group, members in sorted(groups.items()):
        usable = [e for e in members if cost_of(e) is not None and units_of(e).get("head")]
        measured = {id(e) for e in usable}  # by identity: `in` on the list compared every field, n² times
        for e in members:
            if id(e) not in measured:
                e.status = "no cost" if cost_of(e) is None else "no population"
        kind = "unit of volume" if usable and all(units_of(e).get("unit of volume") for e in usable) else "head"
        for e in usable:
            e.measure, e.units = kind, units_of(e)[kind]
            e.per_unit = per_unit(cost_of(e), e.units)
        pb = PeerBenchmark(peer_group=group, bodies=len(usable), measure=kind)
        pb.delivery = sorted({getattr(e, "delivery", "") or "not stated" for e in usable})
        if usable:
            values = [e.per_unit for e in usable]
            pb.minimum, pb.maximum = min(values), max(values)
            pb.median = round(percentile(values, 0.5), DP)
            pb.benchmark = benchmark_of(values)
        if len(usable) < MIN_PEERS:
            pb.reason = (f"too few comparable bodies: {len(usable)} in the peer group, at least {MIN_PEERS} "
                         "needed; figures only")
            for e in usable:
                e.status = pb.reason
            out.append(pb)
            continue
        pb.claimed = True
        for e in usable:
            e.benchmark = pb.benchmark
            e.duplication_cost = max(0.0, e.per_unit - pb.benchmark) * e.units
            e.status = "measured"
        sets = leave_out_sets(e.body for e in usable)
        for label, left in sets:  # the benchmark without them, every body measured against it
            q = benchmark_of([e.per_unit for e in usable if e.body not in left])
            for e in usable:
                e.loo[label] = max(0.0, e.per_unit - q) * e.units
        for e in usable:  # the range holds the estimate and every leave-one-out recomputation
            reps = [e.duplication_cost, *e.loo.values()]
            e.duplication_low, e.duplication_high = min(reps), max(reps)
        pb.duplication_cost = sum(e.duplication_cost for e in usable)
        totals = [pb.duplication_cost] + [sum(e.loo[label] for e in usable) for label, _ in sets]
        pb.duplication_low, pb.duplication_high = min(totals), max(totals)
        out.append(pb)
    return out


def delivery_flag(entries: Sequence) -> str | None:
    """A note when bodies deliver a function differently (in-house against outsourced, shared or mixed)."""
    kinds = {e.delivery for e in entries if e.delivery}
    if "in-house" in kinds and kinds & OUTSOURCED:
        others = "; ".join(f"{e.body_name} {e.delivery}" for e in entries if e.delivery in OUTSOURCED)
        return (f"delivered in different ways ({others}; the rest in-house): a contract price and an in-house "
                "cost are compared")
    return None
