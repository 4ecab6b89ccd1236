"""A validation report: data first, rendering second.

Problems are kept as one polars frame per table, so that a file with a
million problems costs a column, not a million objects. ``Problem`` objects
(with their plain-English message) are built only for what is shown.
"""
from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Iterator

import polars as pl

from openbook.check.mask import masked_frame, shown_rows
from openbook.check.messages import message
from openbook.errors import printable_json
from openbook.read.raw import column_letter
from openbook.standard.plan import normalise_header, plan

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
    scope: str = "cell"               # cell, row, column, table or file: the scale of the fact
    rows_affected: int = 1            # exact, however many cells the finding stands for
    examples: list[dict] = field(default_factory=list)   # a few of its cells, for a column finding

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

    @property
    def place(self) -> str:
        """The location with its file, for runs over several files ("leeds/2011-04.csv!G76")."""
        name = str(self.path)
        if self.sheet:
            name += f" [{self.sheet}]"
        if self.cell:
            return f"{name}!{self.cell}"
        if self.row:
            return f"{name} row {self.row}"
        if self.column:
            return f"{name} column {self.column}"
        return name


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
    headers: dict[int, str] = field(default_factory=dict)   # absolute column -> header as written
    notes: list[str] = field(default_factory=list)    # how the table was read (mapping, period, ...)
    unrecognised: bool = False   # skipped because it looks like data no table of the standard matched
    organisations: list[str] = field(default_factory=list)   # the OrganisationURIs its rows hold (a few)
    period: str | None = None    # the period it covers, when known

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
        text = message(r["code"], fields.get(r["field"]), r["value"], r["detail"], r["field"])
        return text[:1].upper() + text[1:] if text[:1].islower() else text   # a sentence starts with a capital

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

    def findings(self, severity: str | None = None) -> list[Problem]:
        """Problems at the scale of the fact: one code repeated down one column
        (or, with no column, over many rows) is one finding with its exact count
        and a few example cells, not one problem per cell."""
        key = (id(self.problems), self.problems.height)
        cached = self.__dict__.get("_findings")
        if cached is None or cached[0] != key:   # built once per problems frame, for every renderer
            cached = self.__dict__["_findings"] = (key, self._findings())
        return [f for f in cached[1] if severity is None or f.severity == severity]

    def _findings(self) -> list[Problem]:
        frame = self.problems
        if not frame.height:
            return []
        # findings are shown: personal data masked (check/mask.py), but counted as written
        frame = masked_frame(frame).with_columns(frame["value"].alias("_written"))
        order = {"error": 0, "warning": 1}
        frame = frame.sort(["row", "col"], nulls_last=False)
        keys = ["severity", "code", "field", "col"]
        groups = frame.group_by(keys, maintain_order=True).agg(
            pl.len().alias("n"), pl.col("row").drop_nulls().n_unique().alias("rows"),
            pl.col("_written").n_unique().alias("values"),
            pl.struct(list(PROBLEM_SCHEMA)).head(EXAMPLES).alias("first"))
        out = []
        for g in groups.iter_rows(named=True):
            first = g["first"]
            one = self._problem(first[0])
            if g["n"] == 1:
                out.append(one)
                continue
            examples = [{"cell": p.cell, "row": p.row, "value": p.value} for p in map(self._problem, first)]
            scope = "column" if (g["col"] is not None or g["field"]) else "table"
            affected = g["rows"] or g["n"]
            out.append(dataclasses.replace(
                one, scope=scope, cell=None, row=None, rows_affected=affected, examples=examples,
                value=one.value if g["values"] == 1 else None,
                message=self._summary(g, one, affected)))
        out.sort(key=lambda p: (order.get(p.severity, 2), -p.rows_affected, p.code))
        return out

    def _problem(self, r: dict) -> Problem:
        col, row = r["col"], r["row"]
        cell = (f"{column_letter(col)}{row}" if col is not None and row is not None
                and r["code"] not in COLUMN_CODES else None)
        scope = ("file" if r["code"] in FILE_CODES else "column" if r["code"] in HEADER_CODES
                 else "cell" if cell else "row" if row is not None
                 else "column" if col is not None or r["field"] else "table")
        return Problem(severity=r["severity"], code=r["code"], table=self.name, path=self.path,
                       sheet=self.sheet, cell=cell, row=row,
                       column=column_letter(col) if col is not None else None, field=r["field"],
                       value=r["value"], message=self.message(r), scope=scope)

    def column_label(self, col: int | None, field_name: str | None) -> str:
        """The column as the file names it, and what it was read as: "Body, read as OrganisationURI"."""
        header = self.headers.get(col) if col is not None else None
        if header and field_name and normalise_header(header) != normalise_header(field_name):
            return f"{header}, read as {field_name}"
        return header or field_name or (f"column {column_letter(col)}" if col is not None else self.name)

    def _summary(self, g: dict, one: Problem, affected: int) -> str:
        """One message for a code repeated down a column or over many rows."""
        if g["col"] is None and not g["field"]:
            # blank rows are not among the rows checked: "1,000 rows of 2" would mislead
            of = f" of {self.rows:,}" if one.code != "blank-row" and affected <= self.rows else ""
            return f"{affected:,} rows{of}: {one.message}"
        label = self.column_label(g["col"], g["field"])
        whole = self.rows and affected >= WHOLE_COLUMN * self.rows
        if g["values"] == 1 and one.value:
            share = (f"every one of its {affected:,} rows holds" if affected >= self.rows
                     else f"{affected:,} of {self.rows:,} rows hold")
            text = f'{label}: {share} "{one.value}". {one.message}'
        else:
            share = f"{affected:,} of {self.rows:,} rows" if self.rows else f"{affected:,} rows"
            text = f"{label}: {share}. For example, at {one.cell or one.location}: {one.message}"
        if whole and one.severity == "error" and one.code in ("type-error", "constraint-error"):
            if g["field"] == "OrganisationURI" and g["values"] == 1:
                text += (" Give the organisation's web address once, with --org-uri, in an About sheet or in a "
                         "mapping (openbook map), and the column is read as it.")
            else:
                text += (" The whole column is affected: if it holds something else, map it to the right "
                         "standard field (openbook map).")
        return text

    def summary(self) -> dict:
        return {"name": self.name, "schema": self.schema, "path": self.path, "sheet": self.sheet,
                "header_row": self.header_row, "rows": self.rows, "valid": self.valid,
                "notes": list(self.notes), "organisations": list(self.organisations), "period": self.period}


# Problems with a whole column: they point at the header cell's row and column.
COLUMN_CODES = {"missing-label"}
# Problems about a column's heading: findings about the column, though they point at a cell.
HEADER_CODES = {"missing-label", "extra-label", "blank-label", "duplicate-label"}
# Problems with a whole file (it could not be read).
FILE_CODES = {"source-error"}
# A finding lists this many of its cells as examples.
EXAMPLES = 5
# A code on at least this share of a column's rows is a fact about the column.
WHOLE_COLUMN = 0.9


@dataclass
class Report:
    tables: list[TableResult]
    skipped: list[TableResult] = field(default_factory=list)
    max_errors: int | None = None
    skipped_checks: list[str] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)
    profile: str | None = None
    settings: dict = field(default_factory=dict)   # what an About sheet or openbook.yaml says
    notes: list[str] = field(default_factory=list)  # how the run read its files (period, mapping, ...)
    period: str | None = None    # the one period every table covers, when it is known

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
    def checked(self) -> bool:
        """Something was checked: a run that recognised nothing is never valid."""
        return any(t.schema for t in self.tables)

    @property
    def unrecognised(self) -> list[TableResult]:
        return [t for t in self.skipped if t.unrecognised]

    def unrecognised_reason(self) -> str:
        if not self.unrecognised:
            return "No sheet or file holds a table of the standard."
        t = self.unrecognised[0]
        where = f"{t.path}" + (f" [{t.sheet}]" if t.sheet else "")
        more = f" (and {len(self.unrecognised) - 1} more)" if len(self.unrecognised) > 1 else ""
        return f"{where}{more}: {t.skipped}."

    @property
    def valid(self) -> bool:
        """No errors in a submission that holds data: an empty template, or a
        file with headers only, is not a submission (exit 1, "NO DATA")."""
        return self.errors == 0 and self.checked and not self.unrecognised and self.rows > 0

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

    def findings(self, limit: int | None = None) -> list[Problem]:
        """Every finding (problems at the scale of the fact), errors first, then
        the files that could not be read; at most ``limit`` (default max_errors)."""
        limit = self.max_errors if limit is None else limit
        out: list[Problem] = []
        for severity in ("error", "warning"):
            for t in self.tables:
                out.extend(t.findings(severity))
        return out if limit is None else out[:limit]

    def finding_counts(self) -> tuple[int, int]:
        """(errors, warnings) counted as findings, not cells."""
        errors = warnings = 0
        for t in self.tables:
            for f in t.findings():
                if f.severity == "error":
                    errors += 1
                else:
                    warnings += 1
        return errors, warnings

    @property
    def files(self) -> list[str]:
        seen: dict[str, None] = {}
        for t in self.tables + self.skipped:
            for p in str(t.path).split(", "):
                seen.setdefault(p, None)
        return list(seen)

    def submissions(self) -> list[dict]:
        """The tables grouped by organisation and period: what each body submitted."""
        groups: dict[tuple, list[TableResult]] = {}
        for t in self.tables:
            if not t.schema or t.header_row is None:
                continue
            org = ", ".join(t.organisations) if t.organisations else None
            groups.setdefault((org, t.period), []).append(t)
        return [{"organisation": org, "period": period, "tables": len(ts), "rows": sum(t.rows for t in ts),
                 "errors": sum(1 for t in ts for f in t.findings("error")), "files": sorted({t.path for t in ts})}
                for (org, period), ts in groups.items()]

    def to_dict(self) -> dict:
        findings = self.findings()
        errors, warnings = self.finding_counts()
        return {
            "valid": self.valid,
            "summary": {"tables": len(self.tables), "rows": self.rows, "errors": self.errors,
                        "warnings": self.warnings, "findings": {"errors": errors, "warnings": warnings},
                        "problems_shown": len(findings),
                        "redactions": self.redactions, "skipped_checks": self.skipped_checks,
                        "profile": self.profile},
            "settings": {k: v for k, v in self.settings.items() if isinstance(v, (str, int, float))},
            "period": self.period,
            "notes": list(self.notes),
            "submissions": self.submissions(),
            "tables": [t.summary() for t in self.tables],
            "skipped": [{"name": t.name, "path": t.path, "sheet": t.sheet, "reason": t.skipped,
                         "recognised": not t.unrecognised} for t in self.skipped],
            "problems": [asdict(p) for p in findings],
        }

    def to_json(self) -> str:
        return printable_json(json.dumps(self.to_dict(), indent=2, ensure_ascii=False)) + "\n"
