"""Quality and privacy checks beyond the Table Schema.

Each check is one small unit (the frictionless-py way): a code, a severity,
a category, a plain-English description, the schemas it applies to, and a
function. Row checks run inside the engine on each batch of normalised
values (polars, no Python per row); table checks run once a table is
complete, for rules that need every row (an organogram's tree).

A check function returns a polars frame with the columns ``row`` (absolute
row), ``field`` (the field at fault, or None for the whole row), ``value``
and ``message``; the runner adds severity, code and the cell's column.
"""
from __future__ import annotations

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
    run: Callable[[pl.DataFrame], pl.DataFrame | None]
    table: bool = False      # True: run once on the whole table


REGISTRY: dict[str, Check] = {}


def register(code: str, severity: str, category: str, description: str, schemas=(), table: bool = False):
    def decorate(fn):
        assert category in CATEGORIES, category
        assert code not in REGISTRY, code
        REGISTRY[code] = Check(code, severity, category, description, tuple(schemas), fn, table)
        return fn
    return decorate


def applies(check: Check, schema: str) -> bool:
    return not check.schemas or schema in check.schemas


def _as_problems(check: Check, found: pl.DataFrame | None, columns: dict[str, int], col_offset: int) -> pl.DataFrame | None:
    if found is None or not found.height:
        return None
    col_of = {name: col_offset + j for name, j in columns.items()}
    return found.select(
        pl.lit(check.severity).alias("severity"), pl.lit(check.code).alias("code"),
        pl.col("field").cast(pl.String), pl.col("row").cast(pl.Int64),
        pl.col("field").replace_strict(col_of, default=None, return_dtype=pl.Int64).alias("col"),
        pl.col("value").cast(pl.String), pl.col("message").cast(pl.String).alias("detail"),
    ).select(list(PROBLEM_SCHEMA))


class Runner:
    """Runs the registered checks for one validation, minus the skipped ones."""

    def __init__(self, skip: set[str]):
        unknown = skip - set(REGISTRY)
        if unknown:
            from ..errors import OpenbookError
            raise OpenbookError(f"--skip-check {', '.join(sorted(unknown))}: no such check. "
                                "See `openbook checks list` for the codes.")
        self.active = [c for c in REGISTRY.values() if c.code not in skip]
        self.codes = [c.code for c in self.active]
        self._tables: dict[int, tuple] = {}

    def __call__(self, plan, live: pl.DataFrame, m, raw) -> pl.DataFrame | None:
        frames = []
        for check in self.active:
            if not applies(check, plan.name):
                continue
            if check.table:
                key = id(m)
                held = self._tables.setdefault(key, (plan, m, raw, []))
                held[3].append(live)
                continue
            frames.append(_as_problems(check, check.run(live), m.columns, raw.col_offset))
        frames = [f for f in frames if f is not None]
        return pl.concat(frames) if frames else None

    def finish(self, results) -> None:
        """Table checks, once every batch of every table has been seen."""
        by_key = {}
        for (plan, m, raw, parts) in self._tables.values():
            by_key.setdefault(id(m), (plan, m, raw, pl.concat(parts)))
        for result in results:
            for key, (plan, m, raw, frame) in by_key.items():
                if result.path == raw.path and result.sheet == raw.sheet and result.schema == plan.name:
                    frames = [result.problems]
                    for check in self.active:
                        if check.table and applies(check, plan.name):
                            found = _as_problems(check, check.run(frame), m.columns, raw.col_offset)
                            if found is not None:
                                frames.append(found)
                    result.problems = pl.concat(frames)


def runner(skip: set[str] = frozenset()) -> Runner:
    from . import builtin  # noqa: F401  registers the checks
    return Runner(set(skip))
