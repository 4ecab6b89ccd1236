"""Render a Report as text for a terminal (JSON is Report.to_json, HTML is html.py)."""
from __future__ import annotations

from openbook.check.result import Report



def text(report: Report) -> str:
    """One line per table, then the findings: a fact about a whole column is
    one finding with its exact count and example cells, a lone problem is
    shown at its cell; then a verdict."""
    lines = []
    many = len(report.files) > 1
    for note in report.notes:
        lines.append(note)
    subs = report.submissions()
    if len(subs) > 1:
        lines.append(f"{len(subs)} submissions, by organisation and period (references are followed only "
                     "within an organisation):")
        for sub in subs:
            lines.append(f"  {sub['organisation'] or 'organisation unknown'}, {sub['period'] or 'period unknown'}: "
                         f"{sub['tables']} tables in {len(sub['files'])} files, {sub['rows']} rows, "
                         f"{sub['errors']} errors")
        lines.append("")
    for t in report.tables:
        where = f"{t.path}" + (f" [{t.sheet}]" if t.sheet else "")
        if t.schema is None or t.header_row is None:
            lines.append(f"{where}: could not be read (see below)" if t.schema is None
                         else f"{where}: {t.errors} errors")
            continue
        lines.append(f"{where}: {t.rows} rows checked as {t.schema} "
                     f"(header on row {t.header_row}): {t.errors} errors, {t.warnings} warnings")
        for note in t.notes:
            lines.append(f"  {note}")
    for t in report.skipped:
        lines.append(f"{t.path}" + (f" [{t.sheet}]" if t.sheet else "") + f": {t.skipped}")
    findings = report.findings()
    for p in findings:
        lines.append("")
        where = p.place if many else p.location
        if p.scope in ("column", "table") and p.rows_affected > 1:
            lines.append(f"{p.severity.upper()} {p.code} ({p.rows_affected:,} rows): {p.message}")
            cells = [f"{e['cell'] or 'row ' + str(e['row'])}" + (f' "{e["value"]}"' if e["value"] is not None
                                                                   and p.value is None else "")
                     for e in p.examples]
            prefix = (str(p.path) + (f" [{p.sheet}]" if p.sheet else "") + " ") if many else ""
            more = f" and {p.rows_affected - len(cells):,} more" if p.rows_affected > len(cells) else ""
            lines.append(f"  {prefix}{', '.join(cells)}{more}")
        else:
            lines.append(f"{p.severity.upper()} {p.code}: {where}: {p.message}")
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


def verdict(report: Report) -> str:
    tables = len(report.tables)
    errors, warnings = report.finding_counts()
    if not report.checked:
        return (f"NOT VALID: nothing was checked. {report.unrecognised_reason()} "
                "Map its columns with openbook map, or name the table with --schema.")
    if report.unrecognised and report.errors == 0:
        return (f"NOT VALID: {len(report.unrecognised)} of the files or sheets were not recognised, so not "
                f"checked. {report.unrecognised_reason()} Map their columns with openbook map.")
    if report.valid:
        extra = (f", {warnings} warnings to review ({report.warnings} cells)" if warnings else "")
        return f"VALID: {tables} tables, {report.rows} rows, no errors{extra}."
    return (f"NOT VALID: {errors} errors ({report.errors} cells) and {warnings} warnings ({report.warnings} "
            f"cells) in {tables} tables ({report.rows} rows). Fix the errors above and run openbook "
            "validate again.")


def plain_table(headers: list[str], rows: list[list[str]]) -> str:
    """An aligned plain-text table (no trailing spaces), for `schemas list` and `checks list`."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = []
    for row in [headers, ["-" * w for w in widths]] + rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return "\n".join(lines)
