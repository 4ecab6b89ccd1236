"""Render a Report as one self-contained, accessible HTML page.

The page opens with what is good (the tables found, the rows checked, the
checks passed), then lists the problems grouped by code and field: each group
with its exact count, every location and value, and a plain-English fix.
Everything is inline (CSS, one tiny script to expand folded lists before
printing): the file works offline and can be emailed as it is.

Only the report is read. Problem objects are built for at most
``ROWS_PER_GROUP`` rows of each group, so a file with a million problems
renders in about the time of one with a thousand.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from openbook.check.registry import REGISTRY
from openbook.check.result import Report
from openbook.errors import printable
from openbook.report.text import listed

ROWS_PER_GROUP = 1000   # rows listed per group; the rest are counted, not listed
OPEN_ROWS = 5           # rows shown before a group's list folds

# Colours (text on background) used by the template. tests/test_html_report.py
# checks every pair against WCAG 2.2 AA (4.5:1 for text).
PALETTE = {
    "text": ("#0b0c0c", "#ffffff"),
    "muted": ("#484949", "#ffffff"),
    "link": ("#1d4f91", "#ffffff"),
    "error": ("#a4170a", "#ffffff"),
    "error-box": ("#0b0c0c", "#fbe4e1"),
    "warning": ("#6a4800", "#ffffff"),
    "warning-box": ("#0b0c0c", "#fff4d6"),
    "ok": ("#005a30", "#ffffff"),
    "ok-box": ("#0b0c0c", "#e3f3ea"),
    "header": ("#0b0c0c", "#f3f2f1"),
    "code": ("#0b0c0c", "#f3f2f1"),
}

# What each schema problem means and how to fix it, in plain English. Quality
# checks carry their fix in each problem's message.
FIXES = {
    "type-error": "The value is not the kind of value the column holds (a date, an amount, a whole "
                  "number, yes or no). Type it again in the form the message shows; a £ sign and "
                  "commas are fine in amounts, and dates may be written 31/01/2025.",
    "constraint-error": "The value breaks a rule of the standard: a required cell is empty, or the value "
                        "is not on the allowed list, not in the expected form, or out of range. Each "
                        "message says which rule and what to write instead.",
    "missing-label": "A column the standard requires is not in the header row. Add a column with that "
                     "heading (copy it exactly as shown) and fill it in; openbook init writes a "
                     "template with every heading.",
    "extra-label": "The sheet has a column the standard does not know. It is not checked and will not be "
                   "published. If it is one of the standard columns under another name, rename the "
                   "heading; otherwise you can leave it.",
    "duplicate-label": "Two columns have headings that mean the same standard column. Delete one copy, "
                       "or rename it if it holds something else.",
    "blank-label": "A column holds data but has no heading. Give it a heading or delete the column.",
    "blank-row": "An empty row sits between rows of data. Delete it, or fill it in if data is missing.",
    "primary-key": "Two rows have the same key (the columns that identify a row). Each row must be "
                   "different: correct the key, or delete the duplicate row.",
    "unique-error": "A value that must appear only once appears more than once. Correct the repeats.",
    "foreign-key": "The value refers to a row of another sheet (for example a FunctionID in the "
                   "Functions sheet) that is not there. Add the missing row to that sheet, or correct "
                   "the value here.",
    "missing-resource": "The submission needs a sheet (or file) that was not found. Add it: "
                        "openbook init writes a template with every sheet.",
}

CODE_TITLES = {
    "type-error": "Values of the wrong kind",
    "constraint-error": "Values that break a rule",
    "missing-label": "Missing columns",
    "extra-label": "Columns the standard does not know",
    "duplicate-label": "Repeated columns",
    "blank-label": "Columns without a heading",
    "blank-row": "Blank rows",
    "primary-key": "Repeated rows (duplicate keys)",
    "unique-error": "Repeated values",
    "foreign-key": "References to rows that do not exist",
    "missing-resource": "Missing sheets",
}

# The schema checks every run makes, as a reader would name them, with the
# problem codes that show each one failed.
SCHEMA_CHECKS = [
    ("Column headings match the standard", ("missing-label", "duplicate-label", "blank-label", "extra-label")),
    ("No blank rows inside the data", ("blank-row",)),
    ("Dates, amounts and numbers can be read", ("type-error",)),
    ("Required cells, allowed values, forms and ranges", ("constraint-error",)),
    ("Every row has its own key", ("primary-key", "unique-error")),
    ("References between sheets point to existing rows", ("foreign-key",)),
]


def _check_info(code: str) -> tuple[str | None, str | None]:
    """(description, category) of a quality check, if the registry knows it."""
    check = _check(code)
    if check is None:
        return None, None
    return getattr(check, "description", None), getattr(check, "category", None)


def _check(code: str):
    return REGISTRY.get(code)


def fix_for(code: str) -> str | None:
    """How to fix a problem of this code: ours for schema codes, the check's own otherwise."""
    return FIXES.get(code) or getattr(_check(code), "fix", None) or None


def _field_titles(report: Report) -> dict[tuple[str | None, str], str]:
    from openbook.standard import schemas
    titles: dict[tuple[str | None, str], str] = {}
    for name in {t.schema for t in report.tables if t.schema}:
        try:
            for f in schemas.load(name)["fields"]:
                titles[(name, f["name"])] = f.get("title") or f["name"]
        except Exception:
            continue
    return titles


def _groups(report: Report, cap: int) -> tuple[list[dict], int]:
    counts: Counter = report.counts()
    if report.max_errors is not None:
        shown = report.problems()
    else:
        shown = [p for sev in ("error", "warning") for t in report.tables
                 for p in listed(t, cap) if p.severity == sev]
    titles = _field_titles(report)
    schema_of = {t.name: t.schema for t in report.tables}
    by_key: dict[tuple, dict] = {}
    for p in shown:
        key = (p.severity, p.code, p.field)
        g = by_key.get(key)
        if g is None:
            description, category = _check_info(p.code)
            g = by_key[key] = {
                "severity": p.severity, "code": p.code, "field": p.field,
                "field_title": titles.get((schema_of.get(p.table), p.field)) if p.field else None,
                "title": CODE_TITLES.get(p.code) or (_short_label(description) if description else p.code),
                "description": description, "category": category,
                "fix": fix_for(p.code), "count": counts.get(key, 0), "problems": [], "tables": [],
            }
        if len(g["problems"]) < cap:
            g["problems"].append(p)
        if p.table not in g["tables"]:
            g["tables"].append(p.table)
    # groups whose problems were all cut by --max-errors still get their count
    for (severity, code, field), n in counts.items():
        key = (severity, code, field)
        if key not in by_key:
            description, category = _check_info(code)
            by_key[key] = {"severity": severity, "code": code, "field": field, "field_title": None,
                           "title": CODE_TITLES.get(code) or (_short_label(description) if description else code),
                           "description": description,
                           "category": category, "fix": fix_for(code), "count": n, "problems": [],
                           "tables": []}
    groups = sorted(by_key.values(), key=lambda g: (g["severity"] != "error", -g["count"], g["code"],
                                                    g["field"] or ""))
    for i, g in enumerate(groups, 1):
        g["id"] = f"g{i}"
        g["count"] = max(g["count"], len(g["problems"]))
        g["hidden"] = g["count"] - len(g["problems"])
        g["label"] = g["title"] + (f" in {_field_label(g)}" if g["field"] else "")
    return groups, len(shown)


def _field_label(g: dict) -> str:
    if g["field_title"] and g["field_title"].lower() != g["field"].lower():
        return f"{g['field_title']} ({g['field']})"
    return g["field"]


# What a passed check confirms, in positive words: a tick beside "A UK National
# Insurance number" reads as if one were found. Checks not listed here say
# "Checked, nothing found:" and their short label.
CONFIRMS = {
    "bank-details": "No bank details (sort codes, account numbers) found in free-text columns",
    "email-address": "No email addresses found",
    "exact-senior-salary": "No exact senior salaries published (pay is given in bands)",
    "named-individual": "No private individuals named",
    "ni-number": "No National Insurance numbers found",
    "phone-number": "No personal phone numbers found",
    "formula-injection": "No cells that a spreadsheet would run as a formula",
    "invisible-character": "No invisible characters hidden in values",
    "below-threshold": "No spend lines under the publication threshold",
    "date-outside-period": "Every payment date falls within the period",
    "duplicate-line": "No line repeats another in every column",
    "future-date": "No payment dates in the future",
    "non-expenditure": "No payroll deductions or balance-sheet payments among the spend lines",
    "total-row": "No total or subtotal lines among the spend lines",
    "vat-exceeds-amount": "No VAT amount larger than its payment",
    "redaction-share": "Redactions are within what the Transparency Code expects",
}


def _checks(report: Report, counts: Counter) -> tuple[list[dict], list[str]]:
    """The checks that applied to the tables present (schema rules and quality
    checks), and the labels of those that did not apply to any of them."""
    by_code: Counter = Counter()
    for (severity, code, _field), n in counts.items():
        by_code[code] += n
    present = {t.schema for t in report.tables if t.schema and (t.rows or t.header_row)}
    rows = []
    if present:
        for label, codes in SCHEMA_CHECKS:
            n = sum(by_code[c] for c in codes)
            rows.append({"label": label, "codes": list(codes), "problems": n, "passed": n == 0})
    if by_code["missing-resource"]:  # only checked when a profile was asked for
        n = by_code["missing-resource"]
        rows.append({"label": f"Every sheet the {report.profile} profile requires is present",
                     "codes": ["missing-resource"], "problems": n, "passed": False})
    not_applied = []
    for code in report.checks_run:
        check = REGISTRY.get(code)
        description, _category = _check_info(code)
        short = _short_label(description or code)
        if check is not None and check.schemas and not present & set(check.schemas):
            not_applied.append(short)
            continue
        if code == "date-outside-period" and not getattr(report, "period", None):
            not_applied.append(f"{short} (no period was stated or found in the file's name)")
            continue
        n = by_code[code]
        label = short if n else CONFIRMS.get(code, f"Checked, nothing found: {short[:1].lower() + short[1:]}")
        rows.append({"label": label, "codes": [code], "problems": n, "passed": n == 0})
    return rows, not_applied


def _short_label(description: str) -> str:
    """A check's description cut to its first clause, for a table row."""
    label = description.split(". ")[0].split(": ")[0].split(" (")[0].rstrip(".")
    return label[:1].upper() + label[1:]


def _env():
    from openbook.templates import environment
    env = environment()
    env.filters["n"] = lambda v: f"{v:,}"
    env.filters["plural"] = lambda n, word, many=None: word if n == 1 else (many or word + "s")
    # what the cells hold, with control, zero-width and bidi characters shown as
    # \u200b: visible, and unable to reorder the page's text
    env.filters["visible"] = printable
    return env


def report_html(report: Report, title: str = "openbook validation report", cap: int = ROWS_PER_GROUP) -> str:
    """The report as one self-contained HTML page (a string)."""
    from openbook.version import __version__
    from openbook.report.text import verdict
    from openbook.standard.schemas import STANDARD_VERSION
    counts = report.counts()
    groups, listed = _groups(report, cap)
    checks, not_applied = _checks(report, counts)
    paths = []
    for t in report.tables + report.skipped:
        for p in t.path.split(", ") if not Path(t.path).exists() else [t.path]:
            if p not in paths:
                paths.append(p)
    total = report.errors + report.warnings
    context = {
        "title": title,
        "report": report,
        "verdict": verdict(report).replace("errors above", "errors below"),
        "tables": report.tables,
        "found": [t for t in report.tables if t.rows or t.header_row],
        "skipped": report.skipped,
        "groups": groups,
        "errors": [g for g in groups if g["severity"] == "error"],
        "warnings": [g for g in groups if g["severity"] == "warning"],
        "checks": checks,
        "not_applied": not_applied,
        "passed": sum(1 for c in checks if c["passed"]),
        "files": [Path(p).name for p in paths],
        "many_files": len({t.path for t in report.tables}) > 1,
        "listed": listed,
        "total": total,
        "capped": report.max_errors is not None and total > listed,
        "cap": cap,
        "open_rows": OPEN_ROWS,
        "version": __version__,
        "standard": STANDARD_VERSION,
        "palette": PALETTE,
    }
    from openbook.templates import with_csp
    return with_csp(_env().get_template("report.html").render(**context))
