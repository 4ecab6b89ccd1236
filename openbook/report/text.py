"""Render a Report as text for a terminal (JSON is Report.to_json, HTML is html.py)."""
from __future__ import annotations

from itertools import groupby

from openbook.check.result import Report
from openbook.errors import printable as safe

SHOW_PER_GROUP = 5


def text(report: Report) -> str:
    """Problems grouped by code and field, with exact counts and the first few
    locations (the 360Giving data quality tool's layout), then a verdict.

    Everything that comes from the files (names, sheets, headers, values) goes
    through ``safe``: a cell can neither drive the terminal nor add a line."""
    lines = []
    for t in report.tables:
        where = safe(f"{t.path}" + (f" [{t.sheet}]" if t.sheet else ""))
        lines.append(f"{where}: {t.rows} rows checked as {safe(t.schema)} "
                     f"(header on row {t.header_row}): {t.errors} errors, {t.warnings} warnings")
    for t in report.skipped:
        lines.append(safe(f"{t.path}" + (f" [{t.sheet}]" if t.sheet else "") + f": skipped, {t.skipped}"))
    counts = report.counts()
    shown = report.problems()
    key = lambda p: (p.severity != "error", p.code, p.field or "")
    shown.sort(key=key)
    for (is_warning, code, field), group in groupby(shown, key=key):
        group = list(group)
        severity = "warning" if is_warning else "error"
        total = counts[(severity, code, field or None)]
        label = safe(f"{code}" + (f" in {field}" if field else ""))
        lines.append("")
        lines.append(f"{severity.upper()} {label}: {total} problem{'s' if total != 1 else ''}")
        for p in group[:SHOW_PER_GROUP]:
            lines.append(f"  {safe(p.location)}: {safe(p.message)}")
        if total > SHOW_PER_GROUP:
            lines.append(f"  ... and {total - SHOW_PER_GROUP} more")
    if report.max_errors is not None and report.errors + report.warnings > len(shown):
        lines.append("")
        lines.append(f"Listed {len(shown)} of {report.errors + report.warnings} problems (--max-errors "
                     f"{report.max_errors}); the counts above include them all.")
    if report.skipped_checks:
        lines.append("")
        lines.append(f"Checks skipped at your request: {', '.join(report.skipped_checks)}")
    lines.append("")
    lines.append(verdict(report))
    return "\n".join(lines) + "\n"


def verdict(report: Report) -> str:
    tables = len(report.tables)
    if report.valid and report.rows == 0:   # an empty template is not a complete submission
        return (f"NO DATA: {tables} tables found but no rows of data, so nothing could be checked. "
                "Fill in the sheets and run openbook validate again.")
    if report.valid:
        extra = f", {report.warnings} warnings to review" if report.warnings else ""
        return f"VALID: {tables} tables, {report.rows} rows, no errors{extra}."
    return (f"NOT VALID: {report.errors} errors and {report.warnings} warnings in {tables} tables "
            f"({report.rows} rows). Fix the errors above and run openbook validate again.")


def plain_table(headers: list[str], rows: list[list[str]]) -> str:
    """An aligned plain-text table (no trailing spaces), for `schemas list` and `checks list`."""
    rows = [[safe(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = []
    for row in [headers, ["-" * w for w in widths]] + rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return "\n".join(lines)
