"""Renderers for a Comparison: text (terminal), json, html, and CSV exports."""
from __future__ import annotations

from pathlib import Path
import csv
import io
import json

from openbook.compare.model import Comparison
from openbook.compare.scenario import money


def to_json(result: Comparison) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _pct(x: float) -> str:
    return f"{x:.0%}"


def verdict_lines(result: Comparison) -> list[str]:
    sc = result.scenario
    lines = [f"{len(result.bodies)} bodies compared: {len(result.shared_functions)} shared functions "
             f"({sum(sf.back_office for sf in result.shared_functions)} back office), "
             f"{len(result.systems)} duplicated systems, {len(result.suppliers)} common suppliers.",
             f"{sc.reduction * 100:g}% scenario: {money(sc.total)} a year "
             f"({money(sc.functions)} from back-office functions, {money(sc.systems)} from systems)."]
    lines += [s.verdict for s in result.summaries]
    return lines


def text(result: Comparison) -> str:
    out = io.StringIO()
    w = out.write
    w("openbook compare\n\n")
    for line in verdict_lines(result):
        w(f"Verdict: {line}\n")
    w("\nShared functions (cost per head: min / median / max; quartile; cost of duplication)\n")
    for sf in result.shared_functions:
        tag = "back office" if sf.back_office else "front line"
        w(f"  {sf.label} [{sf.matched_on}, {tag}]: {money(sf.min_cost_per_head, True)} / "
          f"{money(sf.median_cost_per_head, True)} / {money(sf.max_cost_per_head, True)}; "
          f"quartile {money(sf.quartile_cost_per_head, True)}; duplication {money(sf.duplication_cost, True)}\n")
        for e in sf.bodies:
            fte = f"{e.fte:g} FTE" if e.fte is not None else "FTE n/a"
            w(f"    {e.body_name}: {money(e.annual_cost, True)} ({e.cost_source or 'no cost'}), {fte}, "
              f"{money(e.cost_per_head, True)} per head, above quartile {money(e.duplication_cost, True)}\n")
    w("\nDuplicated systems (same vendor and product, licensed separately)\n")
    for ds in result.systems or []:
        w(f"  {ds.vendor} {ds.product}: {len(ds.bodies)} bodies, {money(ds.total_cost, True)} a year; "
          f"excess over the cheapest {money(ds.excess_cost, True)}\n")
        for lic in ds.bodies:
            w(f"    {lic.body_name}: {money(lic.annual_cost, True)} ({'; '.join(lic.systems)})\n")
    if not result.systems:
        w("  none found\n")
    w("\nCommon suppliers\n")
    for cs in result.suppliers:
        parts = "; ".join(f"{a.body_name} {money(a.amount, True)}" for a in cs.bodies)
        w(f"  {cs.name}: {money(cs.total, True)} ({parts})\n")
    if not result.suppliers:
        w("  none found\n")
    w("\nRoles by function and grade (FTE)\n")
    for rg in result.roles:
        parts = "; ".join(f"{result.body(s).name} {v:g}" for s, v in sorted(rg.fte.items()))
        w(f"  {rg.function} / {rg.grade}: {rg.total_fte:g} ({parts})\n")
    if not result.roles:
        w("  none found\n")
    sc = result.scenario
    w(f"\n{sc.reduction * 100:g}% scenario\n  Method: {sc.method}\n")
    for a in sc.assumptions:
        w(f"  Assumption: {a}\n")
    for p in sc.bodies:
        w(f"  {p.body_name}: functions {money(p.functions, True)} + systems {money(p.systems, True)} = "
          f"{money(p.total, True)} ({_pct(p.share)})\n")
    w(f"  Total: {money(sc.total, True)} a year\n")
    w("\nPublic Value Index (outcomes set against cost per head)\n")
    for fi in result.index:
        w(f"  {fi.label} [{fi.matched_on}]\n")
        for e in fi.ranked:
            flag = " (low confidence: " + "; ".join(r.split(": ", 1)[1] for r in e.reasons) + ")" if e.reasons else ""
            w(f"    {e.rank}. {e.body_name}: index {e.index:.1f}, outcome score {e.outcome_score:.1f} from "
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
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else (round(v, 2) if isinstance(v, float) else v) for v in row])
    return buf.getvalue()


def exports(result: Comparison) -> dict[str, str]:
    """Suffix -> CSV text: '-functions.csv' etc."""
    out = {}
    out["-summary.csv"] = _csv(
        ["body", "population", "shared_functions", "back_office_functions", "back_office_cost",
         "back_office_cost_per_head", "position", "scenario_savings", "share_of_savings"],
        [[s.body_name, s.population, s.shared_functions, s.back_office_functions, s.back_office_cost,
          s.back_office_cost_per_head, s.position, s.savings, round(s.share, 4)] for s in result.summaries])
    out["-functions.csv"] = _csv(
        ["function", "matched_on", "back_office", "body", "function_ids", "fte", "annual_cost", "cost_source",
         "population", "cost_per_head", "quartile_cost_per_head", "median_cost_per_head", "cost_of_duplication",
         "scenario_savings"],
        [[sf.label, sf.matched_on, "yes" if sf.back_office else "no", e.body_name, ";".join(e.function_ids), e.fte,
          e.annual_cost, e.cost_source, e.population, e.cost_per_head, sf.quartile_cost_per_head,
          sf.median_cost_per_head, e.duplication_cost, e.savings]
         for sf in result.shared_functions for e in sf.bodies])
    out["-systems.csv"] = _csv(
        ["vendor", "product", "body", "systems", "annual_cost", "excess_over_cheapest", "scenario_savings"],
        [[ds.vendor, ds.product, lic.body_name, "; ".join(lic.systems), lic.annual_cost, lic.excess, lic.savings]
         for ds in result.systems for lic in ds.bodies])
    out["-suppliers.csv"] = _csv(
        ["supplier", "body", "amount", "payments", "names_used"],
        [[cs.name, a.body_name, a.amount, a.payments, "; ".join(a.names)] for cs in result.suppliers
         for a in cs.bodies])
    out["-roles.csv"] = _csv(
        ["function", "grade", "body", "fte"],
        [[rg.function, rg.grade, result.body(s).name, v] for rg in result.roles for s, v in sorted(rg.fte.items())])
    out["-scenario.csv"] = _csv(
        ["body", "functions_savings", "systems_savings", "total_savings", "share"],
        [[p.body_name, p.functions, p.systems, p.total, round(p.share, 4)] for p in result.scenario.bodies]
        + [["Total", result.scenario.functions, result.scenario.systems, result.scenario.total, 1.0]])
    out["-index.csv"] = _csv(
        ["function", "body", "rank", "index", "outcome_score", "indicators", "cost_per_head", "confidence",
         "reasons"],
        [[fi.label, e.body_name, e.rank, e.index, e.outcome_score, e.indicators, e.cost_per_head, e.confidence,
          "; ".join(e.reasons)] for fi in result.index for e in fi.ranked + fi.not_ranked])
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

def _bar_chart(cid: str, title: str, rows: list[tuple[str, float | None]], marks: dict[str, float] | None = None,
               fmt=lambda v: money(v, True)) -> dict:
    """Geometry for a horizontal bar chart the template draws as SVG."""
    width, label_w, bar_h, gap = 640, 220, 22, 8
    values = [v for _, v in rows if v is not None] + list((marks or {}).values())
    top = max(values) if values else 0
    scale = (width - label_w - 110) / top if top > 0 else 0
    bars = []
    for i, (label, value) in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        bars.append({"label": label, "y": y, "text_y": y + bar_h * 0.7, "w": max(0.0, (value or 0) * scale),
                     "value": "n/a" if value is None else fmt(value)})
    height = 20 + len(rows) * (bar_h + gap)
    lines = [{"label": k, "x": label_w + v * scale} for k, v in (marks or {}).items()]
    return {"id": cid, "title": title, "width": width, "height": height + (14 if lines else 0), "label_w": label_w,
            "bar_h": bar_h, "bars": bars, "lines": lines, "plot_h": height}


def html(result: Comparison) -> str:
    from openbook.templates import environment

    env = environment()
    env.filters["money"] = lambda v: money(v)
    env.filters["pence"] = lambda v: money(v, True)
    env.filters["pct"] = _pct
    env.filters["num"] = lambda v: "n/a" if v is None else f"{v:,.2f}".rstrip("0").rstrip(".")
    env.filters["sortnum"] = lambda v: "" if v is None else f"{v:.6f}"
    charts = {"summary": _bar_chart("chart-summary", "Shared back-office cost per head, by body",
                                    [(s.body_name, s.back_office_cost_per_head) for s in result.summaries]),
              "savings": _bar_chart("chart-savings", f"{result.reduction * 100:g}% scenario: annual savings by body",
                                    [(p.body_name, p.total) for p in result.scenario.bodies],
                                    fmt=lambda v: money(v))}
    function_charts = {
        sf.key: _bar_chart(f"chart-{i}", f"{sf.label}: cost per head", [(e.body_name, e.cost_per_head) for e in sf.bodies],
                           marks={"quartile": sf.quartile_cost_per_head, "median": sf.median_cost_per_head}
                           if sf.quartile_cost_per_head is not None else None)
        for i, sf in enumerate(result.shared_functions, 1)}
    return env.get_template("compare.html").render(r=result, charts=charts, function_charts=function_charts,
                                                   verdicts=verdict_lines(result))
