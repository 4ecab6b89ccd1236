"""``openbook.validate``: read files, match tables to schemas, check them all."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from . import schemas as standard
from .engine import Context, Match, match, resource_title, validate_table
from .errors import OpenbookError
from .metadata import settings_for
from .readers import RawTable, expand_paths, read_tables
from .report import PROBLEM_SCHEMA, Report, TableResult

import polars as pl


def validate(paths: str | Path | Iterable[str | Path], profile: str | None = None, schema: str | None = None,
             max_errors: int | None = None, skip_checks: Iterable[str] = (),
             sink: Callable | None = None, progress: Callable[[str], None] | None = None,
             period: str | None = None) -> Report:
    """Validate files or folders against the open-book standard.

    Returns a Report; ``report.valid`` is False when any error was found.
    ``profile`` ("council" or "supplier") also requires the profile's tables;
    ``schema`` forces every table to one schema; ``max_errors`` bounds what the
    report lists, never what it counts; ``period`` ("2025-26", "2025-04") is
    the period the data should cover. ``sink`` receives each batch of
    normalised rows (packaging uses it to stream).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [str(p) for p in paths]
    if schema is not None and schema not in standard.names():
        raise OpenbookError(f"--schema {schema}: no such schema. Use one of: {', '.join(standard.names())}.")
    if profile is not None and profile not in standard.profile_names():
        raise OpenbookError(f"--profile {profile}: no such profile. Use one of: "
                            f"{', '.join(standard.profile_names())}.")
    files = expand_paths(paths)
    raws: list[RawTable] = []
    for f in files:
        raws.extend(read_tables(f))
    if period is None:  # the period an About sheet or openbook.yaml states
        period = settings_for([Path(p) for p in paths], files).period

    matched: list[tuple[RawTable, Match]] = []
    skipped: list[TableResult] = []
    for raw in raws:
        m = match(raw, forced=schema)
        if m is None:
            skipped.append(TableResult(name=raw.name, schema=None, path=raw.path, sheet=raw.sheet,
                                       header_row=None, rows=0,
                                       skipped="no header row matches an open-book table"))
        else:
            matched.append((raw, m))

    found = {m.plan.name for _, m in matched}
    chosen = profile or ("supplier" if "supplier-costs" in found and "costs" not in found else "council")
    prof = standard.profile(chosen)
    ctx = Context(foreign_keys=list(prof.get("foreignKeys", [])), sink=sink)
    from . import checks
    ctx.checks = checks.runner(skip=set(skip_checks), period=period)
    # Tables others refer to are read first, so references can be checked as rows stream past.
    for fk in ctx.foreign_keys:
        ref = fk["reference"]
        if ref["resource"] in found:
            ctx.parent_keys[(ref["resource"], tuple(ref["fields"]))] = None
    order = {name: i for i, name in enumerate(standard.names())}
    parents = {res for (res, _) in ctx.parent_keys}
    matched.sort(key=lambda rm: (rm[1].plan.name not in parents, order.get(rm[1].plan.name, 99)))

    results = []
    for raw, m in matched:
        if progress:
            progress(f"{raw.path}{' / ' + raw.sheet if raw.sheet else ''}")
        results.append(validate_table(raw, m, ctx))
    ctx.checks.finish(results)

    if profile is not None:
        for r in prof.get("resources", []):
            if r.get("required") and r["name"] not in found:
                t = TableResult(name=resource_title(r["name"]), schema=r["name"], path=", ".join(paths),
                                sheet=None, header_row=None, rows=0)
                t.problems = pl.DataFrame([{"severity": "error", "code": "missing-resource", "field": None,
                                            "row": None, "col": None, "value": None,
                                            "detail": f"The {profile} profile needs a {resource_title(r['name'])} "
                                                      f"sheet or file, and none was found. Add one (openbook init "
                                                      f"writes a template)."}], schema=PROBLEM_SCHEMA)
                results.append(t)
    if not results and not skipped:
        raise OpenbookError(f"{', '.join(paths)}: no tables found. Check that the file has a header row.")
    return Report(tables=results, skipped=skipped, max_errors=max_errors, profile=chosen,
                  skipped_checks=sorted(set(skip_checks)), checks_run=getattr(ctx.checks, "codes", []))
