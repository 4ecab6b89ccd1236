"""Render a Report as text for a terminal (JSON is Report.to_json, HTML is html.py)."""
from __future__ import annotations

import dataclasses
from itertools import groupby

import polars as pl

from openbook.check.registry import data_protection_codes
from openbook.check.result import Problem, Report, TableResult
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
    if report.max_errors is None:   # at most SHOW_PER_GROUP of each group are printed: build no more
        shown = [p for sev in ("error", "warning") for t in report.tables
                 for p in listed(t, SHOW_PER_GROUP) if p.severity == sev]
    else:
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


def listed(t: TableResult, cap: int) -> list[Problem]:
    """The first ``cap`` problems of each (severity, code, field) group of one
    table: Problem objects (messages, masking) are built only for what is shown."""
    frame = t.problems
    if frame.height == 0:
        return []
    if frame.height > cap:
        frame = (frame.sort(["row", "col"], nulls_last=False)
                 .with_columns(pl.int_range(pl.len()).over(["severity", "code", "field"]).alias("_n"))
                 .filter(pl.col("_n") < cap).drop("_n"))
        # a data-protection problem cut off here still masks the other problems at its cell
        flagged = t.problems.filter(pl.col("code").is_in(data_protection_codes()))
        extra = flagged.join(frame.select("row", "col"), on=["row", "col"], how="semi", nulls_equal=True)
        extra = extra.join(frame, on=list(frame.columns), how="anti", nulls_equal=True)
        if extra.height:
            frame = pl.concat([frame, extra])
    return list(dataclasses.replace(t, problems=frame).iter_problems())


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
