"""Quality and privacy checks beyond the Table Schema.

Each check is one small unit (the frictionless-py way): a code, a severity,
a category, a plain-English description, the schemas it applies to, and a
function. There are three kinds:

- row checks (the default) run inside the engine on each batch of
  normalised values (polars, no Python per row);
- table checks (``table=True``) run once a table is complete, for rules that
  need every row (an organogram's tree). ``columns=`` names the fields they
  read, so that only those are kept in memory until the table ends;
- cross-table checks (``needs=("functions", "costs")``) run once every table
  has been read, on the table of their first schema, with a dict of frames:
  that table, and every table of each other schema it needs concatenated.

A check function takes the frame (or the dict of frames), and optionally a
second argument, an :class:`Info` about the table. It returns a polars frame
with the columns ``row`` (absolute row), ``field`` (the field at fault, or
None for the whole row), ``value`` and ``message``, and optionally ``col``
(an absolute column, for a column that is not a schema field); the runner
adds severity, code and the cell's column.
"""
from __future__ import annotations

import datetime as dt
import inspect
import re
from dataclasses import dataclass, field
from typing import Callable

import polars as pl

from ..report import PROBLEM_SCHEMA

CATEGORIES = ("data protection", "security", "accuracy", "completeness", "consistency")


@dataclass(frozen=True)
class Check:
    code: str
    severity: str            # "error" or "warning"
    category: str            # one of CATEGORIES
    description: str         # plain English, for `openbook checks list`
    schemas: tuple[str, ...] # schema names it applies to; () for all
    run: Callable[..., pl.DataFrame | None]
    table: bool = False      # True: run once on the whole table
    fix: str = ""            # how to fix it, for docs/checks.md
    needs: tuple[str, ...] = ()          # cross-table: the schemas whose tables it reads
    columns: tuple[str, ...] | None = None  # table checks: the fields it reads (None: all)
    wants_info: bool = False  # the function takes (frame, info)
    finish: Callable[..., pl.DataFrame | None] | None = None  # row checks: report once the table ends


REGISTRY: dict[str, Check] = {}


def register(code: str, severity: str, category: str, description: str, schemas=(), table: bool = False,
             fix: str = "", needs=(), columns=None, finish=None):
    """Register a check. ``finish(info)``, for a row check, runs once its
    table is complete and reports from what the batches left in
    ``info.state`` (duplicates across batches, in bounded memory)."""
    def decorate(fn):
        assert category in CATEGORIES, category
        assert severity in ("error", "warning"), severity
        assert code not in REGISTRY, code
        assert not needs or schemas, "a cross-table check names its target schema first in schemas"
        wants_info = len(inspect.signature(fn).parameters) >= 2
        REGISTRY[code] = Check(code, severity, category, description, tuple(schemas), fn, table, fix,
                               tuple(needs), tuple(columns) if columns is not None else None, wants_info,
                               finish)
        return fn
    return decorate


def applies(check: Check, schema: str) -> bool:
    return not check.schemas or schema in check.schemas


def _load() -> None:
    from . import builtin  # noqa: F401  registers the checks


def all_checks() -> list[Check]:
    """Every registered check, in a stable order (category, then code)."""
    _load()
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(REGISTRY.values(), key=lambda c: (order[c.category], c.code))


def data_protection_codes() -> list[str]:
    """The codes of the data-protection checks: problems a publisher must fix
    before anything is published (``package`` refuses on them)."""
    return [c.code for c in all_checks() if c.category == "data protection"]


# ---------------------------------------------------------------------------
# The period a submission covers


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    def describe(self) -> str:
        return f"{self.label} ({self.start.day} {self.start:%b %Y} to {self.end.day} {self.end:%b %Y})"


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def parse_period(text: str) -> Period:
    """'2025-26' or '2025/26' (financial year 1 Apr 2025 to 31 Mar 2026),
    '2025-04' (a month), '2025' (a calendar year), or two ISO dates
    '2025-04-01..2025-06-30'."""
    from ..errors import OpenbookError
    t = str(text).strip()
    try:
        m = re.fullmatch(r"(?:FY\s*)?(\d{4})[-/](\d{2}|\d{4})", t, re.I)
        if m:
            year, second = int(m.group(1)), m.group(2)
            nxt = int(second) if len(second) == 4 else None
            if (len(second) == 2 and int(second) == (year + 1) % 100) or nxt == year + 1:
                return Period(dt.date(year, 4, 1), dt.date(year + 1, 3, 31), t)
            if len(second) == 2 and 1 <= int(second) <= 12:
                month = int(second)
                return Period(dt.date(year, month, 1), _month_end(year, month), t)
        m = re.fullmatch(r"(\d{4})", t)
        if m:
            year = int(m.group(1))
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), t)
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|to)\s*(\d{4}-\d{2}-\d{2})", t)
        if m:
            start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
            if start <= end:
                return Period(start, end, t)
    except ValueError:
        pass
    raise OpenbookError(f"period {text!r}: not a period openbook can read. Use a financial year (2025-26), "
                        "a month (2025-04), a year (2025) or two dates (2025-04-01..2025-06-30).")


# ---------------------------------------------------------------------------
# What a check function may know about its table


@dataclass
class Info:
    """What a check may know about the table it runs on."""
    schema: str                      # schema name ("spend")
    table: str                       # sheet name or file stem
    path: str
    sheet: str | None
    fields: dict[str, dict]          # the schema's field descriptors
    present: frozenset[str]          # fields found in the file (others are all null)
    header_row: int
    period: Period | None
    today: dt.date
    state: dict = field(default_factory=dict)   # per check and table, kept across batches
    cache: dict = field(default_factory=dict)   # per batch, shared by the checks
    _raw: object = None
    _match: object = None
    _store: dict = field(default_factory=dict)  # per table, shared by the checks

    @property
    def table_cache(self) -> dict:
        """Shared by the checks for the whole table (decisions made on its first batch)."""
        return self._store

    def column(self, name: str) -> int | None:
        """The absolute 0-based column of a field, None when it is absent."""
        j = self._match.columns.get(name) if self._match is not None else None
        return None if j is None else self._raw.col_offset + j

    def raw_cells(self) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
        """The table's cells as written (stripped text, before missing values
        are applied), read again from the file: a frame of ``__row`` and
        ``c<j>`` columns, and the (head column, header text) of the columns
        that are not schema fields. Only for small tables (organograms)."""
        if "raw" not in self._store:
            raw, m = self._raw, self._match
            parts, offset = [], raw.head_first_row + m.header_index + 1
            for batch in raw.batches(m.header_index):
                parts.append(batch.with_columns(
                    pl.int_range(offset, offset + batch.height, dtype=pl.Int64).alias("__row")))
                offset += batch.height
            frame = pl.concat(parts, how="diagonal") if parts else pl.DataFrame(schema={"__row": pl.Int64})
            frame = frame.with_columns(pl.col(c).str.strip_chars(" \t\r\n\u00a0") for c in frame.columns
                                       if c != "__row")
            self._store["raw"] = (frame, list(m.extra))
        return self._store["raw"]

    def raw_field(self, name: str) -> str | None:
        """The column of ``raw_cells()`` that holds a field, None when absent."""
        j = self._match.columns.get(name) if self._match is not None else None
        return None if j is None else f"c{j}"

    def extra_columns(self) -> list[tuple[int, str]]:
        """(head column, header text) of the columns that are not schema fields."""
        return list(self._match.extra) if self._match is not None else []

    def absolute(self, head_column: int) -> int:
        return self._raw.col_offset + head_column


def _as_problems(check: Check, found: pl.DataFrame | None, columns: dict[str, int], col_offset: int) -> pl.DataFrame | None:
    if found is None or not found.height:
        return None
    col_of = {name: col_offset + j for name, j in columns.items()}
    col = pl.col("field").cast(pl.String).replace_strict(col_of, default=None, return_dtype=pl.Int64)
    if "col" in found.columns:
        col = pl.coalesce(pl.col("col").cast(pl.Int64), col)
    return found.select(
        pl.lit(check.severity).alias("severity"), pl.lit(check.code).alias("code"),
        pl.col("field").cast(pl.String), pl.col("row").cast(pl.Int64),
        col.alias("col"),
        pl.col("value").cast(pl.String), pl.col("message").cast(pl.String).alias("detail"),
    ).select(list(PROBLEM_SCHEMA))


@dataclass
class _Table:
    plan: object
    match: object
    raw: object
    store: dict = field(default_factory=dict)
    states: dict = field(default_factory=dict)     # check code -> state dict
    parts: list = field(default_factory=list)      # stored batches for table/cross checks
    keep: list[str] | None = None                  # the columns stored (None: all)

    def info(self, runner: "Runner", code: str | None = None) -> Info:
        p, m, raw = self.plan, self.match, self.raw
        return Info(schema=p.name, table=raw.name, path=raw.path, sheet=raw.sheet, fields=p.fields,
                    present=frozenset(m.columns), header_row=raw.head_first_row + m.header_index,
                    period=runner.period, today=runner.today,
                    state=self.states.setdefault(code, {}) if code else {},
                    _raw=raw, _match=m, _store=self.store)

    def frame(self) -> pl.DataFrame:
        return pl.concat(self.parts, how="vertical_relaxed") if self.parts else pl.DataFrame()


class Runner:
    """Runs the registered checks for one validation, minus the skipped ones."""

    def __init__(self, skip: set[str], period: str | Period | None = None, today: dt.date | None = None):
        unknown = set(skip) - set(REGISTRY)
        if unknown:
            from ..errors import OpenbookError
            raise OpenbookError(f"--skip-check {', '.join(sorted(unknown))}: no such check. "
                                "See `openbook checks list` for the codes.")
        self.active = [c for c in REGISTRY.values() if c.code not in skip]
        self.codes = [c.code for c in self.active]
        self.period = parse_period(period) if isinstance(period, str) else period
        self.today = today or dt.date.today()
        self._tables: dict[int, _Table] = {}
        self._needed = {s for c in self.active for s in c.needs}

    def _table(self, plan, m, raw) -> _Table:
        key = id(m)
        t = self._tables.get(key)
        if t is None:
            t = self._tables[key] = _Table(plan, m, raw)
            table_checks = [c for c in self.active if c.table and applies(c, plan.name)]
            cross = [c for c in self.active if c.needs and (plan.name in c.needs or applies(c, plan.name))]
            if cross or any(c.columns is None for c in table_checks):
                t.keep = None
            elif table_checks:
                t.keep = sorted({f for c in table_checks for f in c.columns})
            else:
                t.keep = []
            t.store["_stores"] = bool(table_checks or cross)
        return t

    def __call__(self, plan, live: pl.DataFrame, m, raw) -> pl.DataFrame | None:
        t = self._table(plan, m, raw)
        if t.store["_stores"]:
            t.parts.append(live if t.keep is None else live.select([c for c in t.keep if c in live.columns] + ["__row"]))
        frames = []
        cache: dict = {}
        for check in self.active:
            if check.table or check.needs or not applies(check, plan.name):
                continue
            if check.wants_info:
                info = t.info(self, check.code)
                info.cache = cache
                found = check.run(live, info)
            else:
                found = check.run(live)
            frames.append(_as_problems(check, found, m.columns, raw.col_offset))
        frames = [f for f in frames if f is not None]
        return pl.concat(frames) if frames else None

    def finish(self, results) -> None:
        """Table and cross-table checks, once every batch of every table has been seen."""
        by_schema: dict[str, list[_Table]] = {}
        for t in self._tables.values():
            by_schema.setdefault(t.plan.name, []).append(t)
        for result in results:
            for t in self._tables.values():
                raw, m, plan = t.raw, t.match, t.plan
                if not (result.path == raw.path and result.sheet == raw.sheet and result.schema == plan.name):
                    continue
                frames = []
                frame = None
                for check in self.active:
                    if not applies(check, plan.name):
                        continue
                    if check.finish is not None:
                        found = check.finish(t.info(self, check.code))
                    elif check.table:
                        frame = t.frame() if frame is None else frame
                        found = check.run(frame, t.info(self, check.code)) if check.wants_info else check.run(frame)
                    elif check.needs:
                        others = [s for s in check.needs if s != plan.name]
                        if any(s not in by_schema for s in others):
                            continue   # nothing to reconcile with
                        frame = t.frame() if frame is None else frame
                        given = {plan.name: frame}
                        for s in others:
                            given[s] = pl.concat([o.frame() for o in by_schema[s]], how="diagonal_relaxed")
                        found = check.run(given, t.info(self, check.code))
                    else:
                        continue
                    found = _as_problems(check, found, m.columns, raw.col_offset)
                    if found is not None:
                        frames.append(found)
                if frames:
                    result.problems = pl.concat([result.problems] + frames)


def runner(skip: set[str] = frozenset(), period: str | Period | None = None,
           today: dt.date | None = None) -> Runner:
    """The checks for one validation. ``skip``: codes to turn off;
    ``period``: the period the data covers ("2025-26", "2025-04"), which
    turns on date-outside-period; ``today``: for tests of future dates."""
    _load()
    return Runner(set(skip), period=period, today=today)
