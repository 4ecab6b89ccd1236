"""Renderers for a Comparison: text (terminal), json, html, and CSV exports.

The exports hold every input of the headline figures at the precision the
code computed with (docs/compare.md, "Recomputing the figures"), so the
scenario total and each index can be recomputed from them alone.
"""
from __future__ import annotations

from pathlib import Path
import csv
import io
import json

from openbook.compare.method import MIN_PEERS, pct
from openbook.compare.model import Comparison
from openbook.compare.scenario import money


def to_json(result: Comparison) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _range(low, high) -> str:
    return f"{money(low)} to {money(high)}"


def verdict_lines(result: Comparison) -> list[str]:
    sc = result.scenario
    groups = len(result.peer_groups)
    big = sum(g.claimed for g in result.peer_groups)
    lines = [f"{len(result.bodies)} bodies in {groups} peer group(s) ({big} with {MIN_PEERS} or more bodies): "
             f"{len(result.shared_functions)} shared functions "
             f"({sum(sf.back_office for sf in result.shared_functions)} back office), "
             f"{len(result.systems)} duplicated systems, {len(result.suppliers)} common suppliers.",
             sc.statement]
    if result.extrapolation.total is not None:
        lines.append(result.extrapolation.statement)
    for rec in result.reconciliations:
        lines.append(f"Open-book: {rec.supplier}, contract {rec.contract} with {rec.council_name}: "
                     f"charged {money(rec.charged)} (margin {money(rec.margin)}"
                     + (f", {rec.margin_share:.1%}" if rec.margin_share is not None else "") + "), paid "
                     + (money(rec.paid) if rec.paid is not None else "n/a") + f": {rec.status}.")
    lines += [s.verdict for s in result.summaries]
    return lines


def text(result: Comparison) -> str:
    out = io.StringIO()
    w = out.write
    w("openbook compare\n\n")
    for line in verdict_lines(result):
        w(f"Verdict: {line}\n")
    w("\nPeer groups\n")
    for g in result.peer_groups:
        names = ", ".join(result.body(s).name for s in g.bodies)
        few = "" if g.claimed else "; too few comparable bodies"
        w(f"  {g.name}: {len(g.bodies)} {'body' if len(g.bodies) == 1 else 'bodies'} ({names}){few}\n")
    w("\nShared functions (cost per unit by peer group: min / median / max; benchmark; cost of duplication)\n")
    for sf in result.shared_functions:
        tag = "back office" if sf.back_office else "front line"
        w(f"  {sf.label} [{sf.matched_on}, {tag}]\n")
        for pb in sf.peers:
            w(f"    {pb.peer_group} ({pb.bodies} with a cost, per {pb.measure}): {money(pb.minimum, True)} / "
              f"{money(pb.median, True)} / {money(pb.maximum, True)}; ")
            w(f"benchmark {money(pb.benchmark, True)}; duplication {money(pb.duplication_cost, True)} (range "
              f"{_range(pb.duplication_low, pb.duplication_high)})\n" if pb.claimed else f"{pb.reason}\n")
        for flag in sf.flags:
            w(f"    Note: {flag}\n")
        for e in sf.bodies:
            fte = f"{e.fte:g} FTE" if e.fte is not None else "FTE n/a"
            w(f"    {e.body_name}: {money(e.annual_cost, True)} ({e.cost_source or 'no cost'}), {fte}, "
              f"{e.delivery or 'delivery not stated'}, {money(e.per_unit, True)} per {e.measure or 'unit'}"
              f"; {e.status}\n")
    w("\nDuplicated systems (same vendor and product, licensed separately; cost per head by peer group)\n")
    for ds in result.systems:
        w(f"  {ds.vendor} {ds.product}: {len(ds.bodies)} bodies, {money(ds.total_cost, True)} a year\n")
        for lic in ds.bodies:
            w(f"    {lic.body_name}: {money(lic.annual_cost, True)}, {money(lic.per_unit, True)} per head; "
              f"{lic.status}\n")
    if not result.systems:
        w("  none found\n")
    w("\nOpen-book reconciliation (a supplier's costs against the councils' spend)\n")
    for rec in result.reconciliations:
        w(f"  {rec.supplier} ({rec.registration_number or 'no registration number'}), contract {rec.contract}, "
          f"{rec.council_name}, {rec.period_start} to {rec.period_end}: costs {money(rec.costs, True)} + margin "
          f"{money(rec.margin, True)} = charged {money(rec.charged, True)}; paid {money(rec.paid, True)} in "
          f"{rec.payments} payments; unexplained {money(rec.unexplained, True)}. {rec.status}\n")
    if not result.reconciliations:
        w("  no supplier package given\n")
    w("\nCommon suppliers\n")
    for cs in result.suppliers:
        parts = "; ".join(f"{a.body_name} {money(a.amount, True)}" for a in cs.bodies)
        w(f"  {cs.name} [{cs.matched_on}]: {money(cs.total, True)} ({parts})\n")
    if not result.suppliers:
        w("  none found\n")
    w("\nRoles by function and grade (FTE)\n")
    for rg in result.roles:
        parts = "; ".join(f"{result.body(s).name} {v:g}" for s, v in sorted(rg.fte.items()))
        w(f"  {rg.function} / {rg.grade}: {rg.total_fte:g} ({parts})\n")
    if not result.roles:
        w("  none found\n")
    sc = result.scenario
    w(f"\n{pct(sc.reduction)} scenario\n  {sc.statement}\n  Method: {sc.method}\n")
    for a in sc.assumptions:
        w(f"  Assumption: {a}\n")
    for p in sc.bodies:
        w(f"  {p.body_name}: functions {money(p.functions, True)} + systems {money(p.systems, True)} = "
          f"{money(p.total, True)} (range {_range(p.low, p.high)})\n")
    w(f"  Total: {money(sc.total, True)} a year (range {_range(sc.low, sc.high)})\n")
    ex = result.extrapolation
    w(f"\nThe manifesto's question\n  {ex.manifesto_claim}\n  {ex.manifesto_scope}\n  {ex.statement}\n")
    for a in ex.assumptions:
        w(f"  Assumption: {a}\n")
    w("\nPublic Value Index (outcomes set against cost per unit)\n")
    for fi in result.index:
        w(f"  {fi.label} [{fi.matched_on}; per {fi.measure}; scaled and ranked {fi.scope}]\n")
        for e in fi.ranked:
            rng = (f" (range {e.index_low:.1f} to {e.index_high:.1f})" if e.index_low is not None else "")
            flag = " (" + "; ".join(e.reasons) + ")" if e.reasons else ""
            scope = f"[{e.scope}] " if fi.scope != "across all bodies" else ""
            w(f"    {scope}{e.rank}. {e.body_name}: index {e.index:.1f}{rng}, outcome score {e.outcome_score:.1f} from "
              f"{e.indicators} indicator(s){flag}\n")
        for e in fi.not_ranked:
            w(f"    -  {e.body_name}: {'; '.join(r for r in e.reasons if r.startswith('not ranked'))}\n")
    if not result.index:
        w("  no outcome data for any shared function\n")
    if result.notes:
        w("\nNotes\n")
        for n in result.notes:
            w(f"  {n}\n")
    return out.getvalue()


# --------------------------------------------------------------------------- CSV exports

def _csv(header: list[str], rows: list[list]) -> str:
    """Floats keep 6 decimal places: every input of a total is written as the code used it."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else ("yes" if v is True else "no" if v is False else
                                               (round(v, 6) if isinstance(v, float) else v)) for v in row])
    return buf.getvalue()


MEASURED = ["peer_group", "measure", "units", "cost_per_unit", "benchmark", "cost_of_duplication",
            "duplication_low", "duplication_high", "counted", "status", "scenario_savings", "savings_low",
            "savings_high"]


def _measured(e) -> list:
    return [e.peer_group, e.measure, e.units, e.per_unit, e.benchmark, e.duplication_cost, e.duplication_low,
            e.duplication_high, e.counted, e.status, e.savings, e.savings_low, e.savings_high]


def exports(result: Comparison) -> dict[str, str]:
    """Suffix -> CSV text: '-functions.csv' etc. (docs/compare.md lists every column)."""
    out = {}
    out["-summary.csv"] = _csv(
        ["body", "peer_group", "peers", "population", "period", "shared_functions", "back_office_functions",
         "back_office_cost", "total_cost", "coverage", "compared_on", "compared_cost_per_head", "position", "rank",
         "of", "scenario_savings", "savings_low", "savings_high", "share_of_savings", "flags", "lacks"],
        [[s.body_name, s.peer_group, s.peers, s.population, s.period, s.shared_functions, s.back_office_functions,
          s.back_office_cost, s.total_cost, s.coverage, s.compared_on, s.compared_cost_per_head, s.position, s.rank,
          s.of, s.savings, s.savings_low, s.savings_high, s.share, "; ".join(s.flags), "; ".join(s.lacks)]
         for s in result.summaries])
    out["-functions.csv"] = _csv(
        ["function", "function_key", "matched_on", "back_office", "body", "function_ids", "delivery", "fte",
         "annual_cost", "cost_source", "population", "annual_volume", "cost_per_head", "in_totals"] + MEASURED,
        [[sf.label, sf.key, sf.matched_on, sf.back_office, e.body_name, ";".join(e.function_ids), e.delivery, e.fte,
          e.annual_cost, e.cost_source, e.population, e.volume, e.cost_per_head, e.in_totals] + _measured(e)
         for sf in result.shared_functions for e in sf.bodies])
    out["-systems.csv"] = _csv(
        ["system_key", "vendor", "product", "body", "systems", "annual_cost"] + MEASURED,
        [[ds.key, ds.vendor, ds.product, lic.body_name, "; ".join(lic.systems), lic.annual_cost] + _measured(lic)
         for ds in result.systems for lic in ds.bodies])
    out["-suppliers.csv"] = _csv(
        ["supplier", "matched_on", "body", "amount", "payments", "names_used"],
        [[cs.name, cs.matched_on, a.body_name, a.amount, a.payments, "; ".join(a.names)] for cs in result.suppliers
         for a in cs.bodies])
    out["-reconciliation.csv"] = _csv(
        ["supplier", "registration_number", "contract", "council", "period_start", "period_end", "cost_lines",
         "costs", "margin", "margin_share", "charged", "paid", "payments", "matched_by", "unexplained", "status"],
        [[r.supplier, r.registration_number, r.contract, r.council_name, r.period_start, r.period_end, r.cost_lines,
          r.costs, r.margin, r.margin_share, r.charged, r.paid, r.payments,
          "; ".join(f"{k} {v}" for k, v in r.matched_by.items()), r.unexplained, r.status]
         for r in result.reconciliations])
    out["-roles.csv"] = _csv(
        ["function", "grade", "body", "fte"],
        [[rg.function, rg.grade, result.body(s).name, v] for rg in result.roles for s, v in sorted(rg.fte.items())])
    sc = result.scenario
    out["-scenario.csv"] = _csv(
        ["body", "peer_group", "functions_savings", "systems_savings", "total_savings", "low", "high", "share"],
        [[p.body_name, p.peer_group, p.functions, p.systems, p.total, p.low, p.high, p.share] for p in sc.bodies]
        + [["Total", "", sc.functions, sc.systems, sc.total, sc.low, sc.high, 1.0 if sc.total else 0.0]])
    out["-peer-groups.csv"] = _csv(
        ["peer_group", "bodies", "claimed", "savings"],
        [[g.name, len(g.bodies), g.claimed, g.savings] for g in result.peer_groups])
    out["-index.csv"] = _csv(
        ["function", "function_key", "body", "peer_group", "scope", "rank", "index", "index_low", "index_high",
         "outcome_score", "indicators", "measure", "cost_per_unit", "median_cost_per_unit", "confidence", "reasons"],
        [[fi.label, fi.key, e.body_name, e.peer_group, e.scope, e.rank, e.index, e.index_low, e.index_high,
          e.outcome_score, e.indicators, fi.measure, e.cost_per_unit, e.median_cost_per_unit, e.confidence,
          "; ".join(e.reasons)]
         for fi in result.index for e in fi.ranked + fi.not_ranked])
    out["-indicators.csv"] = _csv(
        ["function_key", "body", "scope", "indicator", "label", "pillar", "pillar_weight", "polarity", "unit",
         "year", "value", "median", "scale", "reporting", "score"],
        [[fi.key, e.body_name, e.scope, s.indicator, s.label, s.pillar, fi.pillar_weights.get(s.pillar), s.polarity,
          s.unit,
          s.year, s.value, s.median, s.scale, s.reporting, s.score]
         for fi in result.index for e in fi.ranked + fi.not_ranked for s in e.scores])
    return out


def export_files(result: Comparison, html_path: str | Path) -> list[Path]:
    """Write <stem>.json and <stem>-*.csv beside the HTML report."""
    from openbook.files import atomic_write
    html_path = Path(html_path)
    stem = html_path.with_suffix("")
    written = []
    path = stem.with_name(stem.name + ".json")
    atomic_write(path, to_json(result))
    written.append(path)
    for suffix, content in exports(result).items():
        path = stem.with_name(stem.name + suffix)
        atomic_write(path, content)
        written.append(path)
    return written


# --------------------------------------------------------------------------- HTML

AXIS_MAX = 3.0  # the overview's axis: 0 to 3x the peer median


def overview(result: Comparison) -> dict:
    """One dot plot: each shared back-office function a row, each body a dot at its cost per unit as a
    multiple of a median (the line at 1x): its peer group's where a cost of duplication is claimed, else
    (figures only) the median cost per head of every body performing the function."""
    from openbook.compare.matching import percentile
    rows = []
    for sf in result.shared_functions:
        if not sf.back_office or not sf.in_totals:
            continue
        medians = {pb.peer_group: pb.median for pb in sf.peers if pb.claimed and pb.median}
        heads = [e.cost_per_head for e in sf.bodies if e.cost_per_head is not None]
        overall = percentile(heads, 0.5) if heads else None
        dots, refs = [], set()
        for e in sf.bodies:
            if e.peer_group in medians and e.per_unit is not None:
                value, m, per, ref = e.per_unit, medians[e.peer_group], e.measure, "its peer median"
                refs.add(e.peer_group)
            elif e.cost_per_head is not None and overall:
                value, m, per, ref = e.cost_per_head, overall, "head", "the median of all bodies"
                refs.add("")
            else:
                continue
            ratio = value / m
            dots.append({"x": min(ratio, AXIS_MAX) / AXIS_MAX * 100, "counted": e.counted,
                         "title": f"{e.body_name} ({e.peer_group}): {money(value, True)} per {per}, "
                                  f"{ratio:.2f} x {ref}"})
        if dots:
            value = (f"median {money(overall, True)} per head" if refs == {""} else
                     f"median {money(medians[next(iter(refs))], True)}" if len(refs) == 1 else
                     f"{len(refs)} medians")
            rows.append({"label": sf.label, "dots": dots, "median": value})
    ticks = [{"x": v / AXIS_MAX * 100, "label": t} for v, t in [(0, "0"), (1, "median"), (2, "2x"), (3, "3x+")]]
    return {"rows": rows, "ticks": ticks, "median_x": 100 / AXIS_MAX}


def function_rows(result: Comparison) -> tuple[list[dict], list[dict]]:
    """Peer-group rows of the duplication table: those counted toward the scenario, and context."""
    r = result.reduction
    counted, context = [], []
    for sf in result.shared_functions:
        for pb in sf.peers:
            entries = [e for e in sf.bodies if e.peer_group == pb.peer_group]
            mine = [e for e in entries if e.counted]
            row = {"sf": sf, "pb": pb}
            if mine:
                labels = {j for e in mine for j in e.loo}
                reps = [r * sum(e.loo.get(j, e.duplication_cost) for e in mine) for j in labels]
                row.update(dup=sum(e.duplication_cost for e in mine), saving=sum(e.savings for e in mine))
                row.update(low=min(reps + [row["saving"]]), high=max(reps + [row["saving"]]))
                counted.append(row)
            else:
                row["reason"] = (pb.reason if not pb.claimed else "front-line function: not cut"
                                 if not sf.back_office else "a finer shared function holds the cost")
                context.append(row)
    return counted, context


def html(result: Comparison) -> str:
    """The comparison as one self-contained page, with its strict Content-Security-Policy."""
    from openbook.templates import environment, with_csp

    env = environment()
    env.filters["money"] = lambda v: money(v)
    env.filters["pence"] = lambda v: money(v, True)
    env.filters["pct"] = lambda x: "n/a" if x is None else f"{x:.0%}"
    env.filters["num"] = lambda v: "n/a" if v is None else f"{v:,.2f}".rstrip("0").rstrip(".")
    env.filters["sortnum"] = lambda v: "" if v is None else f"{v:.6f}"
    env.filters["score"] = lambda v: "–" if v is None else f"{v:.1f}"
    counted, context = function_rows(result)
    return with_csp(env.get_template("compare.html").render(r=result, chart=overview(result), counted=counted,
                                                            context=context, verdicts=verdict_lines(result),
                                                            pct=pct, min_peers=MIN_PEERS))
