"""``openbook.validate``: read files, match tables to schemas, check them all.

A single submission is checked in one pass, tables that others refer to
first. Many files (a catalogue maintainer's folder) are checked in parallel,
one file per worker process, because each file is its own submission; when
the files turn out to be one submission spread across several files (Spend
in one file, the Functions it refers to in another), they are checked
together instead, so that no reference goes unchecked.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import polars as pl

from openbook.standard import schemas as standard
from openbook.check import runner as check_runner
from openbook.check.registry import REGISTRY
from openbook.check.engine import Context, Match, match, resource_title, unrecognised, validate_table
from openbook.errors import OpenbookError
from openbook.standard.metadata import about_rows, is_about, yaml_settings
from openbook.read.raw import RawTable
from openbook.read.tables import expand_paths, read_tables
from openbook.check.result import PROBLEM_SCHEMA, Report, TableResult

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 4


@dataclass
class Part:
    """What checking some files found: their tables, and what a merge needs."""
    files: list[str]
    tables: list[TableResult]
    skipped: list[TableResult]
    profile: str
    checks_run: list[str]
    found: set[str] = field(default_factory=set)
    settings: dict = field(default_factory=dict)   # from an About sheet and openbook.yaml


def validate(paths: str | Path | Iterable[str | Path], profile: str | None = None, schema: str | None = None,
             max_errors: int | None = None, skip_checks: Iterable[str] = (),
             sink: Callable | None = None, progress: Callable[[str], None] | None = None,
             period: str | None = None, workers: int = 1) -> Report:
    """Validate files or folders against the open-book standard.

    Returns a Report; ``report.valid`` is False when any error was found.
    ``profile`` ("council" or "supplier") also requires the profile's tables;
    ``schema`` forces every table to one schema; ``max_errors`` bounds what the
    report lists, never what it counts; ``period`` ("2025-26", "2025-04") is
    the period the data should cover. ``sink`` receives each batch of
    normalised rows (packaging uses it to stream). ``workers`` > 1 checks
    many files in that many processes (the command line uses one per core);
    like any use of multiprocessing, a script that sets it needs an
    ``if __name__ == "__main__":`` guard.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [str(p) for p in paths]
    if schema is not None and schema not in standard.names():
        raise OpenbookError(f"--schema {schema}: no such schema. Use one of: {', '.join(standard.names())}.")
    if profile is not None and profile not in standard.profile_names():
        raise OpenbookError(f"--profile {profile}: no such profile. Use one of: "
                            f"{', '.join(standard.profile_names())}.")
    skip_checks = tuple(sorted(set(skip_checks)))
    check_runner.runner(skip=set(skip_checks))  # an unknown check code is a usage error, before any work
    files = expand_paths(paths)
    first = Path(paths[0])
    options = {"profile": profile, "schema": schema, "skip_checks": skip_checks, "period": period,
               "yaml": yaml_settings(first if first.is_dir() else first.parent)}

    workers = min(max(workers, 1), len(files))
    parts = None
    if sink is None and workers > 1 and len(files) >= PARALLEL_MIN_FILES and _can_spawn():
        parts = _in_parallel(files, options, workers, progress)
        if related_across_files(parts):
            parts = None  # one submission in several files: check it as one
    if parts is None:
        parts = [check_files([str(f) for f in files], options, sink=sink, progress=progress)]

    tables = [t for p in parts for t in p.tables]
    found = set().union(*(p.found for p in parts))
    if profile is not None:
        tables.extend(_missing_resources(profile, found, paths))
    skipped = [t for p in parts for t in p.skipped]
    if not tables and not skipped:
        raise OpenbookError(f"{', '.join(paths)}: no tables found. Check that the file has a header row.")
    profiles = sorted({p.profile for p in parts})
    return Report(tables=tables, skipped=skipped, max_errors=max_errors,
                  profile=profile or "+".join(profiles), skipped_checks=list(skip_checks),
                  checks_run=parts[0].checks_run, settings=parts[0].settings)


def check_files(files: list[str], options: dict, sink: Callable | None = None,
                progress: Callable[[str], None] | None = None) -> Part:
    """Check files as one submission: references between them are followed."""
    raws: list[RawTable] = []
    for f in files:
        raws.extend(read_tables(Path(f)))
    # what an About sheet (already read, and safely) and openbook.yaml say; yaml wins
    about = next((r for r in raws if is_about(r.sheet)), None)
    settings = {**(about_rows(about.head) if about else {}), **options["yaml"]}
    period = options["period"] or settings.get("period")

    matched: list[tuple[RawTable, Match]] = []
    skipped: list[TableResult] = []
    for raw in raws:
        m = match(raw, forced=options["schema"])
        if m is None:
            why = None if is_about(raw.sheet) else unrecognised(raw)
            whole_file = raw.sheet is None or len([r for r in raws if r.path == raw.path]) == 1
            skipped.append(TableResult(name=raw.name, schema=None, path=raw.path, sheet=raw.sheet,
                                       header_row=None, rows=0, unrecognised=bool(why) or whole_file,
                                       skipped=why or ("not recognised: no header row names the columns of "
                                                       "an open-book table" if whole_file else
                                                       "no header row matches an open-book table")))
        else:
            matched.append((raw, m))

    found = {m.plan.name for _, m in matched}
    chosen = options["profile"] or ("supplier" if "supplier-costs" in found and "costs" not in found
                                    else "council")
    prof = standard.profile(chosen)
    ctx = Context(foreign_keys=list(prof.get("foreignKeys", [])), sink=sink)
    ctx.checks = check_runner.runner(skip=set(options["skip_checks"]), period=period)
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
    return Part(files=files, tables=results, skipped=skipped, profile=chosen,
                checks_run=list(ctx.checks.codes), found=found, settings=settings)


def _check_one(args: tuple[str, dict]) -> Part:
    path, options = args
    return check_files([path], options)


def _can_spawn() -> bool:
    """Worker processes re-import the main script; code run from stdin or -c has none."""
    import sys
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return bool(main and os.path.isfile(main))


def _in_parallel(files: list[Path], options: dict, workers: int,
                 progress: Callable[[str], None] | None) -> list[Part]:
    # spawn, not fork: polars runs threads, and forking a threaded process can deadlock
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = []
        chunk = max(1, len(files) // (workers * 8))
        for part in pool.map(_check_one, [(str(f), options) for f in files], chunksize=chunk):
            if progress:
                progress(part.files[0])
            parts.append(part)
    return parts


def _relations() -> set[tuple[str, str]]:
    """(child, parent) pairs of tables whose checks need both: foreign keys and cross-table checks."""
    pairs = set()
    for name in standard.profile_names():
        for fk in standard.profile(name).get("foreignKeys", []):
            pairs.add((fk["resource"], fk["reference"]["resource"]))
    for check in REGISTRY.values():
        needs = list(getattr(check, "needs", ()) or ())
        pairs.update((a, b) for a in needs for b in needs if a != b)
    return pairs


def related_across_files(parts: list[Part]) -> bool:
    """True when a table in one file needs a table that only another file has."""
    relations = _relations()
    for i, part in enumerate(parts):
        for child, parent in relations:
            if child in part.found and parent not in part.found:
                if any(parent in other.found for j, other in enumerate(parts) if j != i):
                    return True
    return False


def _missing_resources(profile: str, found: set[str], paths: list[str]) -> list[TableResult]:
    missing = []
    for r in standard.profile(profile).get("resources", []):
        if r.get("required") and r["name"] not in found:
            t = TableResult(name=resource_title(r["name"]), schema=r["name"], path=", ".join(paths),
                            sheet=None, header_row=None, rows=0)
            t.problems = pl.DataFrame([{"severity": "error", "code": "missing-resource", "field": None,
                                        "row": None, "col": None, "value": None,
                                        "detail": f"The {profile} profile needs a {resource_title(r['name'])} "
                                                  f"sheet or file, and none was found. Add one (openbook init "
                                                  f"writes a template)."}], schema=PROBLEM_SCHEMA)
            missing.append(t)
    return missing
