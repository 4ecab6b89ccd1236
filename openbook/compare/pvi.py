"""The Public Value Index: outcomes set against cost per head (docs/public-value-index.md)."""
from __future__ import annotations

from collections import Counter, defaultdict

from openbook.compare.matching import number
from openbook.compare.method import LOW_CONFIDENCE_BODIES, LOW_CONFIDENCE_INDICATORS, PILLARS
from openbook.compare.model import Body, FunctionIndex, IndexEntry, IndicatorScore, SharedFunction


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
