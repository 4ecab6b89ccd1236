"""Render a Report as text for a terminal (JSON is Report.to_json, HTML is html.py)."""
from __future__ import annotations

import dataclasses

import polars as pl

from openbook.check.registry import data_protection_codes
from openbook.check.result import Problem, Report, TableResult
from openbook.errors import printable as safe


def text(report: Report) -> str:
    """One line per table, then the findings: a fact about a whole column is
    one finding with its exact count and example cells, a lone problem is
    shown at its cell; then a verdict.

    Everything that comes from the files (names, sheets, headers, values) goes
    through ``safe``: a cell can neither drive the terminal nor add a line."""
    lines = []
    many = len(report.files) > 1
    for note in report.notes:
        lines.append(safe(note))
    subs = report.submissions()
    if len(subs) > 1:
        lines.append(f"{len(subs)} submissions, by organisation and period (references are followed only "
                     "within an organisation):")
        for sub in subs:
            lines.append(f"  {safe(sub['organisation'] or 'organisation unknown')}, "
                         f"{safe(sub['period'] or 'period unknown')}: "
                         f"{sub['tables']} tables in {len(sub['files'])} files, {sub['rows']} rows, "
                         f"{sub['errors']} errors")
        lines.append("")
    for t in report.tables:
        where = safe(f"{t.path}" + (f" [{t.sheet}]" if t.sheet else ""))
        if t.schema is None or t.header_row is None:
            lines.append(f"{where}: could not be read (see below)" if t.schema is None
                         else f"{where}: {t.errors} errors")
            continue
        lines.append(f"{where}: {count(t.rows, 'row')} checked as {safe(t.schema)} "
                     f"(header on row {t.header_row}): {count(t.errors, 'error')}, {count(t.warnings, 'warning')}")
        for note in t.notes:
            lines.append(f"  {safe(note)}")
    for t in report.skipped:
        lines.append(safe(f"{t.path}" + (f" [{t.sheet}]" if t.sheet else "") + f": {t.skipped}"))
    findings = report.findings()
    for p in findings:
        lines.append("")
        where = p.place if many else p.location
        if p.scope in ("column", "table") and p.rows_affected > 1:
            lines.append(f"{p.severity.upper()} {p.code} ({p.rows_affected:,} rows): {safe(p.message)}")
            cells = [f"{e['cell'] or 'row ' + str(e['row'])}" + (f' "{e["value"]}"' if e["value"] is not None
                                                                   and p.value is None else "")
                     for e in p.examples]
            prefix = (str(p.path) + (f" [{p.sheet}]" if p.sheet else "") + " ") if many else ""
            more = f" and {p.rows_affected - len(cells):,} more" if p.rows_affected > len(cells) else ""
            lines.append(f"  {safe(prefix)}{safe(', '.join(cells))}{more}")
        else:
            lines.append(f"{p.severity.upper()} {p.code}: {safe(where)}: {safe(p.message)}")
    errors, warnings = report.finding_counts()
    if report.max_errors is not None and errors + warnings > len(findings):
        lines.append("")
        lines.append(f"Listed {len(findings)} of {errors + warnings} findings (--max-errors "
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


def count(n: int, word: str, many: str | None = None) -> str:
    """ "1 warning", "2,783 rows": thousands separators and the right plural, everywhere."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def verdict(report: Report, listed_in: str | None = None) -> str:
    """The closing line. ``listed_in`` names where the problems went (a file), so
    the line never points "above" at a screen that does not show them."""
    tables = len(report.tables)
    errors, warnings = report.finding_counts()
    where = f"listed in {listed_in}" if listed_in else "above"
    if not report.checked:
        return (f"NOT VALID: nothing was checked. {report.unrecognised_reason()} "
                "Map its columns with openbook map, or name the table with --schema.")
    if report.unrecognised and report.errors == 0:
        n = len(report.unrecognised)
        what = count(n, "of the files or sheets was", "of the files or sheets were")
        return (f"NOT VALID: {what} not recognised, so not checked. "
                f"{report.unrecognised_reason()} Map their columns with openbook map.")
    if report.errors == 0 and report.rows == 0:   # an empty template is not a complete submission
        return (f"NO DATA: {count(tables, 'table')} found but no rows of data, so nothing could be checked. "
                "Fill in the sheets and run openbook validate again.")
    if report.valid:
        extra = (f", {count(warnings, 'warning')} to review ({count(report.warnings, 'cell')})"
                 if warnings else "")
        return f"VALID: {count(tables, 'table')}, {count(report.rows, 'row')}, no errors{extra}."
    return (f"NOT VALID: {count(errors, 'error')} ({count(report.errors, 'cell')}) and "
            f"{count(warnings, 'warning')} ({count(report.warnings, 'cell')}) in {count(tables, 'table')} "
            f"({count(report.rows, 'row')}). Fix the errors {where} and run openbook validate again.")


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
