"""A validation report: data first, rendering second.

Problems are kept as one polars frame per table, so that a file with a
million problems costs a column, not a million objects. ``Problem`` objects
(with their plain-English message) are built only for what is shown.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Iterator

import polars as pl

from openbook.check.mask import shown_rows
from openbook.check.messages import message
from openbook.errors import printable_json
from openbook.read.raw import column_letter
from openbook.standard.plan import plan

PROBLEM_SCHEMA = {
    "severity": pl.String, "code": pl.String, "field": pl.String, "row": pl.Int64,
    "col": pl.Int64, "value": pl.String, "detail": pl.String,
}


def empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


@dataclass
class Problem:
    severity: str
    code: str
    table: str
    path: str
    sheet: str | None
    cell: str | None
    row: int | None
    column: str | None
    field: str | None
    value: str | None
    message: str

    @property
    def location(self) -> str:
        where = self.sheet or self.table
        if self.cell:
            return f"{where}!{self.cell}"
        if self.row:
            return f"{where} row {self.row}"
        if self.column:
            return f"{where} column {self.column}"
        return where


@dataclass
class TableResult:
    name: str
    schema: str | None
    path: str
    sheet: str | None
    header_row: int | None
    rows: int
    problems: pl.DataFrame = field(default_factory=empty_problems)
    redactions: int = 0
    skipped: str | None = None   # why the table was not checked

    @property
    def errors(self) -> int:
        return int((self.problems["severity"] == "error").sum())

    @property
    def warnings(self) -> int:
        return int((self.problems["severity"] == "warning").sum())

    @property
    def valid(self) -> bool:
        return self.skipped is None and self.errors == 0

    def message(self, r: dict) -> str:
        """The plain-English message for one problem row."""
        fields = plan(self.schema).fields if self.schema else {}
        return message(r["code"], fields.get(r["field"]), r["value"], r["detail"], r["field"])

    def iter_problems(self, severity: str | None = None, reveal: bool = False) -> Iterator[Problem]:
        """Problems as shown, personal data masked (check/mask.py); ``reveal``
        keeps the values, for the user's own annotated copy only."""
        rows = self.problems if severity is None else self.problems.filter(pl.col("severity") == severity)
        rows = rows.sort(["row", "col"], nulls_last=False)
        for r in (rows.iter_rows(named=True) if reveal else shown_rows(rows, self.problems)):
            col = r["col"]
            row = r["row"]
            yield Problem(
                severity=r["severity"], code=r["code"], table=self.name, path=self.path,
                sheet=self.sheet, cell=(f"{column_letter(col)}{row}" if col is not None and row is not None
                                        and r["code"] not in COLUMN_CODES else None),
                row=row, column=column_letter(col) if col is not None else None, field=r["field"],
                value=r["value"], message=self.message(r))

    def summary(self) -> dict:
        return {"name": self.name, "schema": self.schema, "path": self.path, "sheet": self.sheet,
                "header_row": self.header_row, "rows": self.rows, "valid": self.valid}


# Problems with a whole column: they point at the header cell's row and column.
COLUMN_CODES = {"missing-label"}


@dataclass
class Report:
    tables: list[TableResult]
    skipped: list[TableResult] = field(default_factory=list)
    max_errors: int | None = None
    skipped_checks: list[str] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)
    profile: str | None = None
    settings: dict = field(default_factory=dict)   # what an About sheet or openbook.yaml says

    @property
    def errors(self) -> int:
        return sum(t.errors for t in self.tables)

    @property
    def warnings(self) -> int:
        return sum(t.warnings for t in self.tables)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    @property
    def redactions(self) -> int:
        return sum(t.redactions for t in self.tables)

    def iter_problems(self, reveal: bool = False) -> Iterator[Problem]:
        """Every problem, errors first, in table then sheet order (masked unless ``reveal``)."""
        for severity in ("error", "warning"):
            for t in self.tables:
                yield from t.iter_problems(severity, reveal)

    def problems(self, limit: int | None = None) -> list[Problem]:
        limit = self.max_errors if limit is None else limit
        out = []
        for p in self.iter_problems():
            if limit is not None and len(out) >= limit:
                break
            out.append(p)
        return out

    def counts(self) -> Counter:
        """(severity, code, field) -> count, over every problem."""
        c: Counter = Counter()
        for t in self.tables:
            if t.problems.height:
                for row in t.problems.group_by(["severity", "code", "field"]).len().iter_rows():
                    c[(row[0], row[1], row[2])] += row[3]
        return c

    def to_dict(self) -> dict:
        problems = self.problems()
        return {
            "valid": self.valid,
            "summary": {"tables": len(self.tables), "rows": self.rows, "errors": self.errors,
                        "warnings": self.warnings, "problems_shown": len(problems),
                        "redactions": self.redactions, "skipped_checks": self.skipped_checks,
                        "profile": self.profile},
            "tables": [t.summary() for t in self.tables],
            "skipped": [{"name": t.name, "path": t.path, "sheet": t.sheet, "reason": t.skipped}
                        for t in self.skipped],
            "problems": [asdict(p) for p in problems],
        }

    def to_json(self) -> str:
        return printable_json(json.dumps(self.to_dict(), indent=2, ensure_ascii=False)) + "\n"
