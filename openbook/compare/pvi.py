"""The Public Value Index: outcomes set against cost per unit (docs/public-value-index.md, method.PVI_RULE)."""
from __future__ import annotations

from collections import Counter, defaultdict
import re

from openbook.compare.benchmark import leave_out_sets
from openbook.compare.matching import number, percentile
from openbook.compare.method import (DP, LOW_CONFIDENCE_BODIES, LOW_CONFIDENCE_INDICATORS, PILLAR_WEIGHTS, PILLARS,
                                     PVI_FLOOR, PVI_MAD, PVI_SHRINK, PVI_SPREAD)
from openbook.compare.model import Body, FunctionIndex, IndexEntry, IndicatorScore, SharedFunction

COST_WORDS = re.compile(r"\b(cost|costs|spend|spending|expenditure|price)\b|£", re.I)
MONEY_UNITS = re.compile(r"£|\bgbp\b|\bpounds?\b|\bpence\b", re.I)


def is_cost_measure(row: dict) -> bool:
    return bool(MONEY_UNITS.search(row["unit"]) or COST_WORDS.search(row["label"]) or COST_WORDS.search(row["id"]))


def _outcomes_by_function(body: Body, fid_keys: dict[str, tuple]) -> dict[tuple, dict[str, dict]]:
    """key -> indicator id -> the latest year's row."""
    out: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for r in body.tables.get("outcomes") or []:
        key = fid_keys.get((r.get("FunctionID") or "").strip())
        value = number(r.get("Value"))
        ind = (r.get("IndicatorID") or "").strip()
        if key is None or value is None or not ind:
            continue
        year = (r.get("FiscalYear") or "").strip()
        have = out[key].get(ind.lower())
        if have is None or year > have["year"]:
            out[key][ind.lower()] = {"id": ind, "label": (r.get("IndicatorLabel") or ind).strip(),
                                     "pillar": (r.get("Pillar") or "").strip().lower(),
                                     "polarity": (r.get("Polarity") or "").strip().lower(),
                                     "unit": (r.get("Unit") or "").strip(), "value": value, "year": year}
    return out


def robust_scores(values: dict[str, float], polarity: str) -> tuple[float, float, dict[str, float]]:
    """(median, scale, body -> score 0-100). See method.PVI_RULE."""
    vals = list(values.values())
    m = percentile(vals, 0.5)
    mad = percentile([abs(v - m) for v in vals], 0.5)
    scale = max(PVI_MAD * mad, PVI_FLOOR * abs(m))
    sign = -1.0 if polarity == "lower-is-better" else 1.0
    shrink = len(vals) / (len(vals) + PVI_SHRINK)
    scores = {}
    for slug, v in values.items():
        z = sign * (v - m) / scale if scale > 0 else 0.0
        scores[slug] = min(100.0, max(0.0, 50.0 + PVI_SPREAD * shrink * z))
    return m, scale, scores


def outcome_score(scores: list[tuple[str, float]]) -> tuple[float, dict[str, float]]:
    """Weighted mean of the pillars present (each pillar the mean of its indicators)."""
    by_pillar: dict[str, list[float]] = defaultdict(list)
    for pillar, s in scores:
        by_pillar[pillar].append(s)
    pillars = {p: sum(v) / len(v) for p, v in sorted(by_pillar.items())}
    weight = sum(PILLAR_WEIGHTS[p] for p in pillars)
    return sum(PILLAR_WEIGHTS[p] * s for p, s in pillars.items()) / weight, {PILLARS[p]: s for p, s in pillars.items()}


def _usable(by_ind: dict[str, dict[str, dict]], excluded: list[str]) -> dict[str, tuple[str, str, dict]]:
    """indicator -> (polarity, pillar, body -> row), for indicators that can be compared."""
    out = {}
    for ind_key, rows in sorted(by_ind.items()):
        first = next(iter(rows.values()))
        label = first["label"]
        polarities = Counter(r["polarity"] for r in rows.values() if r["polarity"] in
                             ("higher-is-better", "lower-is-better"))
        pillars = Counter(r["pillar"] for r in rows.values() if r["pillar"] in PILLARS)
        if any(is_cost_measure(r) for r in rows.values()):
            excluded.append(f"{label}: a cost measure; cost is already the index's denominator.")
        elif len(rows) < 2:
            excluded.append(f"{label}: reported by one body only, so it cannot be compared.")
        elif not polarities:
            excluded.append(f"{label}: no polarity given, so better cannot be told from worse.")
        elif not pillars:
            excluded.append(f"{label}: no Public Value Framework pillar given.")
        else:
            polarity = sorted(polarities.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            pillar = sorted(pillars.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            out[ind_key] = (polarity, pillar, rows)
    return out


def _all_scores(usable: dict, leave_out: str | None = None) -> dict[str, list[IndicatorScore]]:
    """body -> its indicator scores, every indicator scaled once (without ``leave_out``)."""
    out: dict[str, list[IndicatorScore]] = defaultdict(list)
    for ind_key, (polarity, pillar, rows) in usable.items():
        vals = {s: r["value"] for s, r in rows.items() if s != leave_out}
        if len(vals) < 2:
            continue
        m, scale, scores = robust_scores(vals, polarity)
        for slug, score in scores.items():
            r = rows[slug]
            out[slug].append(IndicatorScore(indicator=r["id"], label=r["label"], pillar=pillar, polarity=polarity,
                                            unit=r["unit"], value=r["value"], year=r["year"], median=m,
                                            scale=scale, reporting=len(vals), score=score))
    return out


def _loo_outcomes(usable: dict, leave_out: frozenset) -> dict[str, float]:
    """body -> outcome score with ``leave_out`` left out of every indicator's scaling (plain numbers, fast)."""
    sums: dict[str, dict[str, list[float]]] = defaultdict(dict)
    for polarity, pillar, rows in usable.values():
        vals = {s: r["value"] for s, r in rows.items() if s not in leave_out}
        if len(vals) < 2:
            continue
        for slug, score in robust_scores(vals, polarity)[2].items():
            acc = sums[slug].setdefault(pillar, [0.0, 0])
            acc[0] += score
            acc[1] += 1
    out = {}
    for slug, pillars in sums.items():
        weight = sum(PILLAR_WEIGHTS[p] for p in pillars)
        out[slug] = sum(PILLAR_WEIGHTS[p] * t / n for p, (t, n) in pillars.items()) / weight
    return out


def _unit_cost(bf, kind: str) -> float | None:
    if bf.annual_cost is None:
        return None
    units = bf.volume if kind == "unit of volume" else bf.population
    return round(bf.annual_cost / units, DP) if units else None


def _scopes(sf: SharedFunction, scored: set[str]) -> tuple[str, list[list]]:
    """Within each peer group when every group with outcome data has enough bodies to scale; else across all."""
    counts = Counter(bf.peer_group for bf in sf.bodies if bf.body in scored)
    if len(counts) > 1 and all(n >= LOW_CONFIDENCE_BODIES for n in counts.values()):
        groups: dict[str, list] = defaultdict(list)
        for bf in sf.bodies:
            groups[bf.peer_group].append(bf)
        return "within each peer group", [groups[g] for g in sorted(groups)]
    return "across all bodies", [list(sf.bodies)]


def _rank_scope(members: list, usable_all: dict, unit_cost: dict, reporting: dict, scope: str) -> list[IndexEntry]:
    slugs = {bf.body for bf in members}
    usable = {}
    for ind_key, (polarity, pillar, rows) in usable_all.items():
        mine = {s: r for s, r in rows.items() if s in slugs}
        if len(mine) >= 2:
            usable[ind_key] = (polarity, pillar, mine)
    known = {bf.body: unit_cost[bf.body] for bf in members if unit_cost[bf.body]}
    median = round(percentile(list(known.values()), 0.5), DP) if known else None
    everyone = _all_scores(usable)
    scored = {slug for slug in slugs if everyone.get(slug)}
    groups = {bf.peer_group for bf in members if bf.body in scored}
    # Leave-one-out: each scored body (or group of them) out of the scaling and the median cost.
    loo = [(out, _loo_outcomes(usable, out),
            round(percentile(rest, 0.5), DP) if (rest := [c for s, c in known.items() if s not in out]) else None)
           for _, out in (leave_out_sets(scored) if len(scored) >= 3 else [])]
    entries = []
    for bf in members:
        entry = IndexEntry(body=bf.body, body_name=bf.body_name, peer_group=bf.peer_group, outcome_score=None,
                           pillars={}, indicators=0, cost_per_unit=unit_cost[bf.body], index=None, rank=None,
                           confidence="", reasons=[], scope=scope if scope == "across all bodies" else bf.peer_group,
                           median_cost_per_unit=median)
        entries.append(entry)
        if bf.body not in reporting:
            entry.reasons.append("not ranked: no outcome data")
            continue
        mine = everyone.get(bf.body, [])
        if not mine:
            entry.reasons.append("not ranked: no outcome indicator it shares with another body")
            continue
        score, pillars = outcome_score([(x.pillar, x.score) for x in mine])
        entry.outcome_score, entry.pillars, entry.scores, entry.indicators = score, pillars, mine, len(mine)
        if len(mine) < LOW_CONFIDENCE_INDICATORS:
            entry.reasons.append(f"low confidence: only {len(mine)} indicator")
        if len(scored) < LOW_CONFIDENCE_BODIES:
            entry.reasons.append(f"low confidence: only {len(scored)} bodies have outcome data")
        if len(groups) > 1:
            entry.reasons.append(f"low confidence: compared across {len(groups)} peer groups")
        entry.confidence = "low" if entry.reasons else "normal"
        cost = unit_cost[bf.body]
        if not cost or not median or cost <= 0:
            entry.reasons.append("not ranked: no cost per unit")
            continue
        entry.index = score * median / cost
        reps = [rescored[bf.body] * median_j / cost for out, rescored, median_j in loo
                if bf.body not in out and bf.body in rescored and median_j]
        if reps:
            entry.index_low, entry.index_high = min(reps + [entry.index]), max(reps + [entry.index])
    ranked = sorted((e for e in entries if e.index is not None), key=lambda e: (-e.index, e.body_name))
    for i, e in enumerate(ranked, 1):
        e.rank = i
    return entries


def public_value_index(bodies: list[Body], functions: list[SharedFunction],
                       fid_keys: dict[str, dict[str, tuple]]) -> list[FunctionIndex]:
    outcomes = {b.slug: _outcomes_by_function(b, fid_keys[b.slug]) for b in bodies}
    result = []
    for sf in functions:
        reporting = {bf.body: outcomes[bf.body].get(sf.parts, {}) for bf in sf.bodies}
        reporting = {slug: inds for slug, inds in reporting.items() if inds}
        by_ind: dict[str, dict[str, dict]] = defaultdict(dict)
        for slug, inds in reporting.items():
            for ind_key, row in inds.items():
                by_ind[ind_key][slug] = row
        excluded: list[str] = []
        usable = _usable(by_ind, excluded)
        costed = [bf for bf in sf.bodies if bf.annual_cost is not None and bf.population]
        kind = "unit of volume" if costed and all(bf.volume for bf in costed) else "head"
        unit_cost = {bf.body: _unit_cost(bf, kind) for bf in sf.bodies}
        known = [c for c in unit_cost.values() if c]
        scored = {slug for slug, scores in _all_scores(usable).items() if scores}
        scope, members = _scopes(sf, scored)
        entries = [e for group in members for e in _rank_scope(group, usable, unit_cost, reporting, scope)]
        ranked = sorted((e for e in entries if e.rank), key=lambda e: (e.scope, e.rank))
        not_ranked = [e for e in entries if not e.rank]
        result.append(FunctionIndex(key=sf.key, matched_on=sf.matched_on, label=sf.label, measure=kind, scope=scope,
                                    bodies_with_outcomes=len(scored),
                                    median_cost_per_unit=round(percentile(known, 0.5), DP) if known else None,
                                    peer_groups=len({bf.peer_group for bf in sf.bodies if bf.body in scored}),
                                    pillar_weights=dict(PILLAR_WEIGHTS), ranked=ranked, not_ranked=not_ranked,
                                    excluded_indicators=excluded))
    return [fi for fi in result if fi.bodies_with_outcomes or any(
        r != ["not ranked: no outcome data"] for r in (e.reasons for e in fi.not_ranked))]
