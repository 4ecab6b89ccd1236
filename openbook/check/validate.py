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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

import polars as pl

from openbook.standard import schemas as standard
from openbook.check import runner as check_runner
from openbook.check.registry import REGISTRY
from openbook.check.engine import Context, Match, match, resource_title, unrecognised, validate_table
from openbook.errors import OpenbookError
from openbook.progress import Callback, watched
from openbook.standard.metadata import about_rows, is_about, yaml_settings
from openbook.standard.period import parse_period, period_from_name
from openbook.standard.mapping import find_mapping, load_mapping
from openbook.check.adapt import fill, rename_headers
from openbook.read.raw import SUPPORTED, RawTable
from openbook.read.tables import expand_paths, read_tables
from openbook.check.result import PROBLEM_SCHEMA, Report, TableResult

# Tables whose dates are checked against the period: for the others an unknown period is no news.
DATED = {"spend"}
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
    periods: set[str] = field(default_factory=set)   # the period labels of its tables


def validate(paths: str | Path | Iterable[str | Path], profile: str | None = None, schema: str | None = None,
             max_errors: int | None = None, skip_checks: Iterable[str] = (),
             sink: Callable | None = None, progress: Callback | None = None,
             period: str | None = None, workers: int = 1, org_uri: str | None = None,
             org_name: str | None = None, mapping: str | Path | None = None) -> Report:
    """Validate files or folders against the open-book standard.

    Returns a Report; ``report.valid`` is False when any error was found.
    ``profile`` ("council" or "supplier") also requires the profile's tables;
    ``schema`` forces every table to one schema; ``max_errors`` bounds what the
    report lists, never what it counts; ``period`` ("2025-26", "2025-04") is
    the period the data should cover (else each file's About sheet, mapping or
    name says it). ``org_uri`` and ``org_name`` fill a missing OrganisationURI
    or OrganisationLabel column, and read an OrganisationURI column that holds
    one value that is not a web address as ``org_uri``. ``mapping`` is a
    mapping file (openbook map); without it, FILE.openbook.yaml or
    openbook.yaml beside a file is used. ``sink`` receives each batch of
    normalised rows (packaging uses it to stream). ``progress`` is called
    as files are read and after each batch is checked (openbook.progress). ``workers`` > 1 checks
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
    if period is not None:
        parse_period(period)   # a usage error before any work
    if mapping is not None:
        load_mapping(mapping)
    options = {"profile": profile, "schema": schema, "skip_checks": skip_checks, "period": period,
               "yaml": yaml_settings(first if first.is_dir() else first.parent), "org_uri": org_uri,
               "org_name": org_name, "mapping": str(mapping) if mapping else None,
               "many": len(files) > 1 or any(Path(p).is_dir() for p in paths)}

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
    skipped = [t for p in parts for t in p.skipped] + not_checked(paths)
    if not tables and not skipped:
        raise OpenbookError(f"{', '.join(paths)}: no tables found. Check that the file has a header row.")
    profiles = sorted({p.profile for p in parts})
    labels = set().union(*(p.periods for p in parts))
    return Report(tables=tables, skipped=skipped, max_errors=max_errors,
                  profile=profile or "+".join(profiles), skipped_checks=list(skip_checks),
                  checks_run=parts[0].checks_run, settings=parts[0].settings,
                  period=next(iter(labels)) if len(labels) == 1 else None)


# What a folder may hold besides data, and why it is not checked.
NOT_DATA = {".json": "a JSON file (metadata or an index), not a table", ".pdf": "a PDF document, not a table",
            ".yaml": "settings or a mapping, used for the files beside it", ".yml": "settings, not a table",
            ".md": "a text document, not a table", ".zip": "a zip archive: unzip it and check its files",
            ".txt": "a text file", ".docx": "a document, not a table", ".doc": "a document, not a table"}


def not_checked(paths: list[str]) -> list[TableResult]:
    """Every file in the folders given that is not a table openbook reads, with the reason."""
    out = []
    for given in paths:
        folder = Path(given)
        if not folder.is_dir():
            continue
        for f in sorted(folder.rglob("*")):
            if not f.is_file() or f.name.startswith(".") or f.suffix.lower() in SUPPORTED:
                continue
            reason = NOT_DATA.get(f.suffix.lower(), f"openbook reads .csv, .xlsx, .xls and .ods files, not "
                                                     f"'{f.suffix or 'no extension'}'")
            out.append(TableResult(name=f.name, schema=None, path=str(f), sheet=None, header_row=None, rows=0,
                                   skipped=f"not checked: {reason}"))
    return out


def check_files(files: list[str], options: dict, sink: Callable | None = None,
                progress: Callback | None = None) -> Part:
    """Check files as one submission: references between them are followed.
    Each file keeps what its own About sheet, mapping and name say."""
    raws: list[RawTable] = []
    unreadable: list[TableResult] = []
    for f in files:
        if progress:
            progress(f"Reading {Path(f).name}")
        try:
            raws.extend(read_tables(Path(f)))
        except OpenbookError as exc:
            if len(files) == 1 and not options.get("many"):
                raise
            unreadable.append(_unreadable(f, str(exc)))
    # what each workbook's About sheet (already read, and safely) and openbook.yaml say; yaml wins
    about = {r.path: about_rows(r.head) for r in raws if is_about(r.sheet)}
    settings = {**next(iter(about.values()), {}), **options["yaml"]}
    mappings = {f: _mapping_for(f, options) for f in files}
    period, periods, notes = _periods(files, options, about, mappings)
    for f, mapping in mappings.items():
        if mapping is not None:
            # what the mapping says of the organisation is a setting too (package names itself by it)
            for key, name in (("org_uri", "OrganisationURI"), ("org_name", "OrganisationLabel")):
                if mapping.constants.get(name) and not settings.get(key):
                    settings[key] = mapping.constants[name]
            notes.setdefault(f, []).append(
                f"Mapping {mapping.path} used." + (f" It still marks {', '.join(mapping.unfilled)} FILL IN: "
                                                   "fill them in." if mapping.unfilled else ""))

    matched: list[tuple[RawTable, Match]] = []
    skipped: list[TableResult] = []
    for raw in raws:
        mapping = mappings.get(raw.path)
        forced = options["schema"] or (mapping.table if mapping else None)
        raw_notes: list[str] = []
        if mapping is not None and mapping.columns:
            raw, raw_notes = rename_headers(raw, mapping.columns)
        m = match(raw, forced=forced)
        if m is None:
            why = None if is_about(raw.sheet) else unrecognised(raw)
            whole_file = raw.sheet is None or len([r for r in raws if r.path == raw.path]) == 1
            if is_about(raw.sheet):
                skipped.append(TableResult(name=raw.name, schema=None, path=raw.path, sheet=raw.sheet,
                                           header_row=None, rows=0,
                                           skipped="the About sheet: read for its settings, not checked as a table"))
                continue
            skipped.append(TableResult(name=raw.name, schema=None, path=raw.path, sheet=raw.sheet,
                                       header_row=None, rows=0, unrecognised=bool(why) or whole_file,
                                       skipped=why or ("not recognised: no header row names the columns of "
                                                       "an open-book table" if whole_file else
                                                       "not checked: no header row matches an open-book "
                                                       "table")))
            continue
        own = {**about.get(raw.path, {}), **options["yaml"]}
        raw, m, filled = fill(raw, m, _constants(options, own, mapping),
                              lambda r, name: match(r, forced=name))
        matched.append((raw, m))
        if raw_notes or filled:
            notes.setdefault((raw.path, raw.sheet), []).extend(
                ([("Columns read as the mapping says: " + "; ".join(raw_notes) + ".")] if raw_notes else [])
                + filled)

    found = {m.plan.name for _, m in matched}
    chosen = options["profile"] or ("supplier" if "supplier-costs" in found and "costs" not in found
                                    else "council")
    prof = standard.profile(chosen)
    ctx = Context(foreign_keys=list(prof.get("foreignKeys", [])), sink=sink)
    ctx.checks = check_runner.runner(skip=set(options["skip_checks"]), period=period)
    ctx.checks.periods = periods
    # Tables others refer to are read first, so references can be checked as rows stream past.
    for fk in ctx.foreign_keys:
        ref = fk["reference"]
        if ref["resource"] in found:
            ctx.parent_keys[(ref["resource"], tuple(ref["fields"]))] = None
    order = {name: i for i, name in enumerate(standard.names())}
    parents = {res for (res, _) in ctx.parent_keys}
    matched.sort(key=lambda rm: (rm[1].plan.name not in parents, order.get(rm[1].plan.name, 99)))

    results = []
    for k, (raw, m) in enumerate(matched, 1):
        if progress:   # after each batch: rows read and checked, and how far through the file
            label = (f"table {k} of {len(matched)}: " if len(matched) > 1 else "") + \
                f"{Path(raw.path).name}{' / ' + raw.sheet if raw.sheet else ''}"
            raw = replace(raw, batches=watched(raw.batches, progress, label, raw.extent))
        result = validate_table(raw, m, ctx)
        own = period or periods.get(raw.path)
        result.period = own.label if own else None
        result.notes.extend(n for n in notes.get(raw.path, []) + notes.get((raw.path, raw.sheet), [])
                            if m.plan.name in DATED or not n.startswith("Period unknown"))
        results.append(result)
    ctx.checks.finish(results)
    labels = {period.label} if period else {periods[r.path].label if r.path in periods else None
                                             for r, _ in matched}
    return Part(files=files, tables=unreadable + results, skipped=skipped, profile=chosen, periods=labels,
                checks_run=list(ctx.checks.codes), found=found, settings=settings)


def _unreadable(path: str, message: str) -> TableResult:
    """A file that could not be read, as a file-level problem: the other files are still checked."""
    t = TableResult(name=Path(path).name, schema=None, path=path, sheet=None, header_row=None, rows=0)
    text = message[len(path) + 2:] if message.startswith(f"{path}: ") else message
    t.problems = pl.DataFrame([{"severity": "error", "code": "source-error", "field": None, "row": None,
                                "col": None, "value": None, "detail": text}], schema=PROBLEM_SCHEMA)
    return t


def _mapping_for(path: str, options: dict):
    if options.get("mapping"):
        return load_mapping(options["mapping"])
    found = find_mapping(Path(path))
    return load_mapping(found) if found else None


def _constants(options: dict, settings: dict, mapping) -> dict[str, tuple[str, str]]:
    """What every row of a table holds, and where it came from: --org-uri first,
    then the mapping's constants, then the About sheet or openbook.yaml."""
    out: dict[str, tuple[str, str]] = {}
    if mapping is not None:
        for name, value in mapping.constants.items():
            out[name] = (value, f"from the mapping {mapping.path.name}")
    if settings.get("org_uri") and "OrganisationURI" not in out:
        out["OrganisationURI"] = (settings["org_uri"], "from the About sheet or openbook.yaml")
    if settings.get("org_name") and "OrganisationLabel" not in out:
        out["OrganisationLabel"] = (settings["org_name"], "from the About sheet or openbook.yaml")
    if options.get("org_uri"):
        out["OrganisationURI"] = (options["org_uri"], "given with --org-uri")
    if options.get("org_name"):
        out["OrganisationLabel"] = (options["org_name"], "given with --org-name")
    return out


def _periods(files: list[str], options: dict, about: dict, mappings: dict):
    """The period of the submission, or of each file, and where it came from:
    --period or openbook.yaml for the whole run; else, for each file, its
    About sheet, its mapping, then its name.
    Returns (the one period or None, {path: Period}, {path: [note]})."""
    given, source = options["period"], "given with --period"
    if not given and options["yaml"].get("period"):
        given, source = options["yaml"]["period"], "from openbook.yaml"
    if given:
        p = parse_period(given)
        return p, {}, {f: [f"Period {p.describe()}, {source}."] for f in files}
    periods, notes = {}, {}
    for f in files:
        stated = [(about.get(f, {}).get("period"), "from the About sheet"),
                  (getattr(mappings.get(f), "period", None), "from the mapping")]
        text, source = next(((t, s) for t, s in stated if t), (None, None))
        p, why = (parse_period(text), None) if text else period_from_name(Path(f).name)
        if p is not None:
            periods[f] = p
            notes[f] = [f"Period {p.describe()}, {source or 'from the file name'}."]
        else:
            notes[f] = [f"Period unknown{': ' + why if why else ''}; payment dates are not checked against "
                        "a period. Give one with --period (2025-04, 2025-Q1 or 2025-26)."]
    return None, periods, notes


def _check_one(args: tuple[str, dict]) -> Part:
    path, options = args
    return check_files([path], options)


def _can_spawn() -> bool:
    """Worker processes re-import the main script; code run from stdin or -c has none."""
    import sys
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return bool(main and os.path.isfile(main))


def _in_parallel(files: list[Path], options: dict, workers: int,
                 progress: Callback | None) -> list[Part]:
    # spawn, not fork: polars runs threads, and forking a threaded process can deadlock.
    # Progress is by whole files (rows and files done): workers report nothing while they work.
    context = multiprocessing.get_context("spawn")
    label, rows = f"Checking {len(files)} files in {workers} processes", 0
    if progress:
        progress(label, 0, len(files), rows=0)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = []
        chunk = max(1, len(files) // (workers * 8))
        for part in pool.map(_check_one, [(str(f), options) for f in files], chunksize=chunk):
            parts.append(part)
            if progress:
                rows += sum(t.rows for t in part.tables)
                progress(label, len(parts), len(files), rows=rows)
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
