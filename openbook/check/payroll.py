"""non-expenditure: payroll deductions and balance-sheet payments in a spend file.

The Transparency Code asks for spending on goods and services. Money that
only passes through the council's books (tax and National Insurance deducted
from pay and paid to HMRC, pension contributions paid to a pension fund,
union subscriptions, attachments of earnings, court orders, unidentified
receipts) or that moves between balance-sheet accounts is not spending, and
publishing it inflates the figures (and can reveal staff details).

The evidence is the text of the line: what it was for (purpose, category,
expense type), who was paid, and a balance-sheet or income coding. All the
columns are tested in one polars query per batch (small files pay for queries,
not cells), and the check reports the lines with the words that marked them,
plus one summary per file with their count and total.
"""
from __future__ import annotations

import polars as pl

from openbook.check.registry import register
from openbook.check.text import short
from openbook.regex import for_polars

# What a line was for: a payroll deduction or a balance-sheet movement.
DEDUCTION = for_polars(r"(?i)\b(?:paye|p\.a\.y\.e|nat(?:ional)?\.?\s*ins(?:urance)?\b(?:\s*(?:&|and)\s*rebate)?|"
             r"n\.?i\.?\s+contributions?|student\s+loans?|statutory\s+(?:sick\s+|maternity\s+)?pay|"
             r"apprenticeship\s+levy|attach(?:ment)?s?\s+of\s+earn(?:in)?gs|earn(?:in)?gs\s+attach\w*|"
             r"dir(?:ect)?\.?\s+earn(?:in)?gs\s+attach\w*|court\s+orders?|child\s+(?:support|maintenance)|"
             r"superann\w*|supn\b|pension\s+(?:fund|contributions?|costs?|deductions?)|"
             r"teachers'?\s*(?:supn|pensions?)|add(?:itional)?\.?\s+vol(?:untary)?\.?\s+con\w*|\bavcs?\b|"
             r"union\s+subs\w*|trade\s+union\s+subs\w*|\bunison\b|\bgmb(?:atu)?\b|credit\s+union|"
             r"give\s+as\s+you\s+earn|payroll\s+giving|hospital\s+sat(?:urday)?\s+fund|salary\s+finance|"
             r"unidentified\s+receipts?|c\.?i\.?s?\.?\s+tax|balance\s*sheet|bal\.?\s*sheet|"
             r"general\s+debits|suspense|holding\s+account|vat\s+control|payroll\s+deductions?|"
             r"salar(?:y|ies)\s+(?:deductions?|control)|net\s+pay|wages\s+control)")
# Who was paid: only bodies that receive nothing but deductions and contributions.
PAYEE = for_polars(r"(?i)\b(?:teachers'?\s*pensions?|superann\w*\s+fund|pension\s+fund|\bunison\b|\bgmb\b|"
         r"child\s+(?:support|maintenance)\s+(?:agency|service)|give\s+as\s+you\s+earn)")
# Words that make the same text a purchase (fees for a scheme, agency staff, training).
PURCHASE = for_polars(r"(?i)\b(?:fees?|charges?|services?|training|management|agency|consultancy|software|licen[cs]es?|subscription\s+to|"
            r"students'?\s+union|conference)\b")
# Category text that marks income or salaries (the Code excludes them too).
CATEGORY = for_polars(r"(?i)\b(?:income|payroll|salar(?:y|ies)|wages)\b")

TEXT_FIELDS = ("Purpose", "ExpenditureCategory", "CIPFADetailedExpenditureType", "ServiceCategoryLabel",
               "ServiceDivisionLabel", "ProclassLabel", "OrganisationalUnit")
CATEGORY_FIELDS = ("ExpenditureCategory", "CIPFADetailedExpenditureType", "ServiceCategoryLabel",
                   "ServiceDivisionLabel", "ProclassLabel", "CapitalOrRevenue")


def _mark(name: str) -> pl.Expr:
    """True for the cells of one column that mark a line as not spending."""
    c = pl.col(name)
    if name == "BeneficiaryName":
        return c.str.contains(PAYEE) & ~c.str.contains(PURCHASE)
    if name not in TEXT_FIELDS:           # a category column: income, payroll, salaries
        return c.str.contains(CATEGORY)
    marked = c.str.contains(DEDUCTION) & ~c.str.contains(PURCHASE)
    if name in CATEGORY_FIELDS:
        marked = marked | c.str.contains(CATEGORY)
    if name == "OrganisationalUnit":      # a unit says only "balance sheet", never what was paid
        marked = marked & c.str.contains(r"(?i)balance\s*sheet|bal\.?\s*sheet")
    return marked


def _summary(info):
    n, total = info.state.get("lines", 0), info.state.get("total", 0.0)
    if not n:
        return None
    return pl.DataFrame({"row": [None], "field": [None], "value": [f"£{total:,.2f}"], "message": [
        f"{n:,} lines totalling £{total:,.2f} look like payroll deductions or balance-sheet payments "
        "(tax, National Insurance, pensions, union subscriptions, attachments of earnings, unidentified "
        "receipts) rather than spending on goods and services. Check each and take out those that are."]},
        schema={"row": pl.Int64, "field": pl.String, "value": pl.String, "message": pl.String})


@register("non-expenditure", "warning", "accuracy",
          "A line that passes on a payroll deduction or makes a balance-sheet payment rather than buying goods "
          "or services: its purpose, category or organisational unit says PAYE, National Insurance, student "
          "loans, pension contributions or superannuation, union subscriptions, attachment of earnings, court "
          "orders, child support, credit union, Give As You Earn, unidentified receipt, balance sheet or "
          "suspense (and not fees, agency or training), or it pays a pension fund or a trade union; or its "
          "category says income, payroll or salaries. One summary per file gives their count and total.",
          schemas=("spend",), finish=_summary,
          fix="Check each line: take out of the spend file those that pass on deductions from pay or move money "
              "between balance-sheet accounts (they are not spending under the Transparency Code), or correct "
              "the purpose or category if the line is a real payment to a supplier.")
def non_expenditure(frame: pl.DataFrame, info):
    names = [n for n in dict.fromkeys(TEXT_FIELDS + ("BeneficiaryName",) + CATEGORY_FIELDS)
             if n in info.present and n in frame.columns]
    if not names or not frame.height:
        return None
    # every column's test in one query (polars runs them side by side); then
    # only the columns with a hit are looked at again
    masks = frame.select([_mark(n).fill_null(False).alias(n) for n in names])
    found = []
    for name, hits in zip(names, masks.sum().row(0)):
        if not hits:
            continue
        word = pl.coalesce(pl.col(name).str.extract(DEDUCTION, 0), pl.col(name).str.extract(PAYEE, 0),
                           pl.col(name).str.extract(CATEGORY, 0))
        found.append(frame.filter(masks[name]).select(
            pl.col("__row").alias("row"), pl.lit(name).alias("field"), pl.col(name).alias("value"),
            word.alias("__word"),
            pl.col("Amount") if "Amount" in frame.columns else pl.lit(None, dtype=pl.String).alias("Amount")))
    if not found:
        return None
    lines = pl.concat(found).unique(subset=["row"], keep="first", maintain_order=True)
    info.state["lines"] = info.state.get("lines", 0) + lines.height
    info.state["total"] = info.state.get("total", 0.0) + float(
        lines["Amount"].cast(pl.Float64, strict=False).fill_null(0).sum())
    column = {n: _header(info, n) for n in lines["field"].unique().to_list()}
    return lines.select("row", "field", "value", pl.format(
        '"{}" in {} ("{}") looks like a payroll deduction or a balance-sheet payment, not spending on goods '
        'or services. If it is, take it out of the spend file; if it is a real payment to a supplier, nothing '
        'needs to change.', short(pl.col("value")), pl.col("field").replace_strict(column, default=None),
        pl.col("__word").str.to_lowercase()).alias("message"))


def _header(info, name: str) -> str:
    try:
        return info._raw.head[info._match.header_index][info._match.columns[name]].strip() or name
    except (AttributeError, KeyError, IndexError, TypeError):
        return name
