"""Running the registered checks on a table's batches, then on whole tables."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from openbook.check.registry import REGISTRY, Check, Info, applies
from openbook.check.result import PROBLEM_SCHEMA
from openbook.errors import OpenbookError
from openbook.standard.period import Period, parse_period


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
                    period=runner.periods.get(raw.path, runner.period), today=runner.today,
                    state=self.states.setdefault(code, {}) if code else {},
                    _raw=raw, _match=m, _store=self.store)

    def frame(self) -> pl.DataFrame:
        return pl.concat(self.parts, how="vertical_relaxed") if self.parts else pl.DataFrame()


class Runner:
    """Runs the registered checks for one validation, minus the skipped ones."""

    def __init__(self, skip: set[str], period: str | Period | None = None, today: dt.date | None = None):
        unknown = set(skip) - set(REGISTRY)
        if unknown:
            raise OpenbookError(f"--skip-check {', '.join(sorted(unknown))}: no such check. "
                                "See `openbook checks list` for the codes.")
        self.active = [c for c in REGISTRY.values() if c.code not in skip]
        self.codes = [c.code for c in self.active]
        self.period = parse_period(period) if isinstance(period, str) else period
        self.periods: dict[str, Period] = {}     # a file's own period (from its name), when no one period is given
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

    def __call__(self, plan, live: pl.DataFrame, m, raw, lines: pl.DataFrame | None = None) -> pl.DataFrame | None:
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
                info.lines = lines
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
                _drop_replaced(result, [c.code for c in self.active if c.replaces_row])


def _drop_replaced(result, codes: list[str]) -> None:
    """A row reported by a check that stands for the whole row (a total line)
    keeps only that problem: not also one empty-cell error per column."""
    if not codes or not result.problems.height:
        return
    p = result.problems
    mine = p["code"].is_in(codes)
    rows = p.filter(mine)["row"].drop_nulls().unique()
    if rows.len():
        result.problems = p.filter(mine | ~pl.col("row").is_in(rows.implode()).fill_null(False))


def runner(skip: set[str] = frozenset(), period: str | Period | None = None,
           today: dt.date | None = None) -> Runner:
    """The checks for one validation. ``skip``: codes to turn off;
    ``period``: the period the data covers ("2025-26", "2025-04"), which
    turns on date-outside-period; ``today``: for tests of future dates."""
    return Runner(set(skip), period=period, today=today)
