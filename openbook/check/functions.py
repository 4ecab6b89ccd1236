"""Function catalogue checks: the hierarchy, and costs that add up.

Catalogues are small (hundreds of functions), so these run once per table
and may use plain Python graph code.
"""
from __future__ import annotations

import polars as pl

from openbook.errors import OpenbookError
from openbook.standard.period import parse_period

from openbook.check.registry import register
from openbook.check.organogram import graph_cycles

FUNCTIONS = ("functions",)
# A function's AnnualCost must be within this share of what the Costs sheet
# books to it (and its sub-functions), or within £1 for small amounts.
RECONCILE_TOLERANCE = 0.01
RECONCILE_MIN_GBP = 1.0


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("OrganisationURI").fill_null("").alias("__org"),
                              pl.col("FunctionID").str.strip_chars().alias("__id"),
                              pl.col("ParentID").str.strip_chars().alias("__parent"))


@register("function-parent-missing", "error", "consistency",
          "A function whose Parent function ID is not the Function ID of another function in the catalogue.",
          schemas=FUNCTIONS, table=True, columns=("OrganisationURI", "FunctionID", "ParentID"),
          fix="Use the Function ID of the parent function, add the missing parent, or leave Parent function "
              "ID empty for a top-level function.")
def function_parent_missing(frame: pl.DataFrame):
    if not frame.height:
        return None
    t = _keyed(frame)
    ids = t.select("__org", pl.col("__id").alias("__parent")).drop_nulls().unique()
    orphans = t.filter(pl.col("__parent").is_not_null() & (pl.col("__parent") != "")) \
        .join(ids, on=["__org", "__parent"], how="anti")
    return orphans.select(pl.col("__row").alias("row"), pl.lit("ParentID").alias("field"),
                          pl.col("ParentID").alias("value"), pl.format(
        'Function "{}" has the parent "{}", which is not a Function ID in this catalogue. Use the ID of its '
        'parent function, or leave the parent empty for a top-level function.',
        pl.col("__id"), pl.col("__parent")).alias("message"))


@register("function-cycle", "error", "consistency",
          "Parent links that go round in a loop (a function that is its own parent, or its own ancestor), "
          "so the hierarchy has no top.",
          schemas=FUNCTIONS, table=True, columns=("OrganisationURI", "FunctionID", "ParentID"),
          fix="Correct the Parent function ID of one function in the loop so that every chain of parents "
              "ends at a top-level function (one with no parent).")
def function_cycle(frame: pl.DataFrame):
    if not frame.height:
        return None
    t = _keyed(frame).filter(pl.col("__parent").is_not_null() & (pl.col("__parent") != ""))
    found = graph_cycles(t, "__id", "__parent")
    return found.select(pl.col("__row").alias("row"), pl.lit("ParentID").alias("field"),
                        pl.col("ParentID").alias("value"), pl.format(
        'The parents of function "{}" go round in a loop ({}). Correct the parent of one of these functions.',
        pl.col("__id"), pl.col("__loop")).alias("message"))


def _money(x: float) -> str:
    return f"£{x:,.0f}" if abs(x) >= 100 else f"£{x:,.2f}"


def _stated_year(years: list[str], period) -> str | None:
    """The ledger's financial year that holds the stated period's start, if any."""
    if period is None:
        return None
    for y in years:
        try:
            covers = parse_period(y)
        except OpenbookError:
            continue
        if covers.start <= period.start <= covers.end:
            return y
    return None


@register("function-cost-reconciliation", "warning", "consistency",
          "A function's Annual cost does not reconcile with the Costs sheet: the Actual of the cost lines "
          "booked to the function and its sub-functions (the stated period's financial year, else the latest) must be within 1% "
          "(or £1) of Annual cost. Functions with no cost lines are not checked.",
          schemas=FUNCTIONS, needs=("functions", "costs"),
          fix="Correct Annual cost, or the Function ID or Actual of the cost lines, so that the two agree. "
              "Annual cost includes the costs of sub-functions.")
def function_cost_reconciliation(frames: dict[str, pl.DataFrame], info):
    functions, costs = frames["functions"], frames["costs"]
    if not functions.height or not costs.height or "AnnualCost" not in info.present:
        return None
    costs = costs.with_columns(pl.col("OrganisationURI").fill_null("").alias("__org"),
                               pl.col("FunctionID").str.strip_chars().alias("__id"),
                               pl.col("Actual").cast(pl.Float64, strict=False).alias("__actual"))
    year = None
    if "FiscalYear" in costs.columns and costs["FiscalYear"].drop_nulls().n_unique() > 1:
        # the year the submission states (--period, About sheet); else the latest
        years = costs["FiscalYear"].drop_nulls().unique().sort().to_list()
        year = _stated_year(years, info.period) or years[-1]
        costs = costs.filter(pl.col("FiscalYear") == year)
    booked = {(o, i): (s, n) for o, i, s, n in costs.group_by("__org", "__id").agg(
        pl.col("__actual").sum(), pl.len()).iter_rows()}
    f = _keyed(functions).with_columns(pl.col("AnnualCost").cast(pl.Float64, strict=False).alias("__cost"))
    children: dict[tuple, list] = {}
    for org, fid, parent in f.select("__org", "__id", "__parent").iter_rows():
        if parent:
            children.setdefault((org, parent), []).append((org, fid))

    def subtree(node) -> tuple[float, int]:
        total, lines, stack, seen = 0.0, 0, [node], set()
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            s, k = booked.get(n, (0.0, 0))
            total, lines = total + (s or 0.0), lines + k
            stack.extend(children.get(n, ()))
        return total, lines

    rows = []
    for row, org, fid, stated in f.select("__row", "__org", "__id", "__cost").iter_rows():
        if stated is None or fid is None:
            continue
        total, lines = subtree((org, fid))
        if not lines:
            continue
        diff = stated - total
        if abs(diff) <= max(RECONCILE_TOLERANCE * abs(stated), RECONCILE_MIN_GBP):
            continue
        share = f" ({abs(diff) / abs(total):.1%})" if total else ""
        rows.append({"row": row, "field": "AnnualCost", "value": None, "message": (
            f"Annual cost {_money(stated)} does not match the {_money(total)} of Actual on the {lines:,} cost "
            f"line{'s' if lines != 1 else ''} booked to function \"{fid}\" and its sub-functions"
            f"{' in ' + str(year) if year else ''}: a difference of {_money(abs(diff))}{share}, more than the "
            f"{RECONCILE_TOLERANCE:.0%} allowed. Correct Annual cost or the cost lines.")})
    if not rows:
        return None
    found = pl.DataFrame(rows, schema={"row": pl.Int64, "field": pl.String, "value": pl.String,
                                       "message": pl.String})
    return found.join(functions.select(pl.col("__row").alias("row"), pl.col("AnnualCost").alias("__v")),
                      on="row", how="left").select("row", "field", pl.col("__v").alias("value"), "message")
