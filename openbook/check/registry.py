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
from dataclasses import dataclass, field
from typing import Callable

import polars as pl

from openbook.standard.period import Period

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
    replaces_row: bool = False  # its problem stands for the whole row: the row's other problems are dropped


REGISTRY: dict[str, Check] = {}


def register(code: str, severity: str, category: str, description: str, schemas=(), table: bool = False,
             fix: str = "", needs=(), columns=None, finish=None, replaces_row: bool = False):
    """Register a check. ``finish(info)``, for a row check, runs once its
    table is complete and reports from what the batches left in
    ``info.state`` (duplicates across batches, in bounded memory).
    ``replaces_row``: a problem of this check describes the whole row (a
    total line), so the row's other problems (its empty required cells) are
    dropped once the table is complete."""
    def decorate(fn):
        assert category in CATEGORIES, category
        assert severity in ("error", "warning"), severity
        assert code not in REGISTRY, code
        assert not needs or schemas, "a cross-table check names its target schema first in schemas"
        wants_info = len(inspect.signature(fn).parameters) >= 2
        REGISTRY[code] = Check(code, severity, category, description, tuple(schemas), fn, table, fix,
                               tuple(needs), tuple(columns) if columns is not None else None, wants_info,
                               finish, replaces_row)
        return fn
    return decorate


def applies(check: Check, schema: str) -> bool:
    return not check.schemas or schema in check.schemas


def all_checks() -> list[Check]:
    """Every registered check, in a stable order (category, then code)."""
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(REGISTRY.values(), key=lambda c: (order[c.category], c.code))


def data_protection_codes() -> list[str]:
    """The codes of the data-protection checks: problems a publisher must fix
    before anything is published (``package`` refuses on them)."""
    return [c.code for c in all_checks() if c.category == "data protection"]


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
    # per batch: its cells as the file has them, trimmed, empty ones null (c0, c1, ...
    # and __row), blank lines included: a check can compare whole lines without
    # reading the file again
    lines: pl.DataFrame | None = None
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
