"""A table as its publisher wrote it, read as the standard names it.

What a mapping file (standard/mapping.py) or the organisation's address
(--org-uri, an About sheet, openbook.yaml) says is applied here, to the
RawTable before it is checked: headings renamed to the standard's fields, a
missing column filled with a constant, a constant-but-wrong column (Devon's
Body "18" on every line) read as the address given. The file is never
changed, and each change is stated as a note in the report.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import polars as pl

from openbook.read.raw import RawTable, column_letter
from openbook.standard.mapping import LEFT_OUT
from openbook.standard.plan import normalise_header, value_shape


def rename_headers(raw: RawTable, columns: dict[str, str | None]) -> tuple[RawTable, list[str]]:
    """Headings a mapping names, renamed to their standard field in every head row
    (the header row is found afterwards, among them)."""
    wanted = {normalise_header(k): v for k, v in columns.items() if v}
    left_out = {normalise_header(k) for k, v in columns.items() if not v}
    if not wanted and not left_out:
        return raw, []
    notes, head = [], []
    for row in raw.head:
        new = []
        for j, cell in enumerate(row):
            target = wanted.get(normalise_header(cell)) if str(cell).strip() else None
            if str(cell).strip() and normalise_header(cell) in left_out:
                # left out by the mapping (~): a heading no table of the standard knows
                new.append(f"{str(cell).strip()}{LEFT_OUT}")
            elif target and normalise_header(cell) != normalise_header(target):
                note = f'{str(cell).strip()} (column {column_letter(raw.col_offset + j)}) read as {target}'
                if note not in notes:
                    notes.append(note)
                new.append(target)
            else:
                new.append(cell)
        head.append(new)
    return dataclasses.replace(raw, head=head), notes


def add_constant(raw: RawTable, header_index: int, field: str, value: str) -> RawTable:
    """The table with one more column, headed ``field``, holding ``value`` on every row."""
    width = max(len(r) for r in raw.head[header_index:]) if raw.head else 0
    head = [list(r) + [""] * (width - len(r)) for r in raw.head]
    head[header_index] = head[header_index] + [field]
    for i in range(header_index + 1, len(head)):
        head[i] = head[i] + [value]
    name = f"c{width}"
    batches = raw.batches

    def with_column(index: int):
        for batch in batches(index):
            yield batch.with_columns(pl.lit(value, dtype=pl.String).alias(name))
    return dataclasses.replace(raw, head=head, batches=with_column)


def replace_value(raw: RawTable, j: int, wrong: str, value: str) -> RawTable:
    """The table with ``wrong`` in head column ``j`` read as ``value`` (other values untouched)."""
    head = [[value if k == j and str(c).strip() == wrong else c for k, c in enumerate(r)] for r in raw.head]
    name = f"c{j}"
    batches = raw.batches

    def replaced(index: int):
        for batch in batches(index):
            if name in batch.columns:
                col = pl.col(name)
                batch = batch.with_columns(pl.when(col.str.strip_chars() == wrong).then(pl.lit(value))
                                           .otherwise(col).alias(name))
            yield batch
    # the header row keeps its heading
    return dataclasses.replace(raw, head=head, batches=replaced)


def looks_like_uri(text: str) -> bool:
    return bool(re.match(r"(?i)^https?://\S+$", str(text).strip()))


def constant_wrong(raw: RawTable, header_index: int, j: int) -> str | None:
    """The one value a column holds on every row of the head, when it is not a web address."""
    values = {str(r[j]).strip() for r in raw.head[header_index + 1:] if j < len(r) and str(r[j]).strip()}
    if len(values) == 1:
        (v,) = values
        if not looks_like_uri(v):
            return v
    return None


def fill(raw: RawTable, m, constants: dict[str, tuple[str, str]], rematch) -> tuple[RawTable, object, list[str]]:
    """Apply what is known for the whole table (field -> (value, where it came from)):
    a missing column is filled; an OrganisationURI column holding one value that is
    not a web address on every row is read as the address given."""
    notes = []
    for field, (value, source) in constants.items():
        if field not in m.plan.fields or not value:
            continue
        if field not in m.columns:
            raw = add_constant(raw, m.header_index, field, value)
            m = rematch(raw, m.plan.name)
            notes.append(f"{field} is not in the file: every row is read as {value} ({source}).")
        elif field == "OrganisationURI":
            j = m.columns[field]
            wrong = constant_wrong(raw, m.header_index, j)
            if wrong is not None:
                header = str(raw.head[m.header_index][j]).strip()
                raw = replace_value(raw, j, wrong, value)
                label = header if normalise_header(header) == normalise_header(field) else \
                    f"{header}, read as {field}"
                notes.append(f'{label} (column {column_letter(raw.col_offset + j)}) holds "{wrong}", which is not '
                             f"a web address: read as {value} ({source}).")
    return raw, m, notes


# ---------------------------------------------------------------- proposing a mapping

def _q(text: str) -> str:
    """A YAML scalar that is always read back as the same string."""
    import json
    return json.dumps(str(text), ensure_ascii=False)


def propose(path, raws: list[RawTable]) -> str:
    """A mapping for the file, as YAML text with comments: what openbook can tell
    from the headings (names, synonyms, near spellings) and the values (dates,
    amounts), the rest marked FILL IN for a person."""
    import difflib

    from openbook.check.engine import _best, resource_title
    from openbook.standard.mapping import TO_FILL
    from openbook.standard.period import period_from_name

    path = Path(path)
    candidates = [(r, _best(r)) for r in raws]
    candidates = [(r, b) for r, b in candidates if b is not None]
    lines = [f"# openbook mapping for {path.name}, proposed by openbook map.",
             "# Check every line, fill in each FILL IN, then run:",
             f"#   openbook validate {path.name}   (this file is found beside it)"]
    if not candidates:
        lines += ["# No heading of this file is a column of the standard: name the table and map the columns.",
                  f"table: {TO_FILL}", "columns:"]
        head = raws[0].head[0] if raws and raws[0].head else []
        lines += [f"  {_q(h)}: ~" for h in head if str(h).strip()]
        lines += ["constants:", f"  OrganisationURI: {TO_FILL}", f"period: {TO_FILL}"]
        return "\n".join(lines) + "\n"
    raw, (ev, index, p, _) = max(candidates, key=lambda rb: (rb[1][0].score, rb[1][0].matched))
    header = raw.head[index]
    sample = raw.head[index + 1:index + 31]
    lines += [f"# The headings read most like {resource_title(p.name)} ({p.name}): {ev.matched} of its columns, "
              f"{round(ev.required_share * len(p.required))} of the {len(p.required)} required.",
              f"table: {p.name}", "",
              "# The file's heading: the standard's field. ~ leaves a column out (it is not checked or published).",
              "columns:"]
    taken: dict[str, str] = {}
    keys = list(p.aliases)
    plan_rows = []
    for j, text in enumerate(header):
        heading = str(text).strip()
        if not heading:
            continue
        values = [str(r[j]) for r in sample if j < len(r)]
        target = p.aliases.get(normalise_header(heading))
        note = "its heading is a name the standard accepts" if target else ""
        if target is None:
            near = difflib.get_close_matches(normalise_header(heading), keys, n=1, cutoff=0.8)
            if near:
                target, note = p.aliases[near[0]], "a near spelling: check it"
        if target is not None and target in taken:
            note, target = f"{taken[target]} is already read as {target}", None
        plan_rows.append([heading, target, note, values])
        if target:
            taken[target] = heading
    # required fields still unmapped: a column whose values have the field's shape
    date_format = None
    for row in plan_rows:
        shape = value_shape(row[3])
        if shape and shape.startswith("date:") and row[1] in (None,) + tuple(
                n for n, f in p.fields.items() if f.get("type") == "date"):
            date_format = date_format or shape[5:]
    for name in ev.missing:
        f = p.fields[name]
        for row in plan_rows:
            if row[1] is not None:
                continue
            shape = value_shape(row[3])
            if (f.get("type") == "date" and shape and shape.startswith("date:")) or \
                    (f.get("type") == "number" and shape == "amount"):
                row[1], row[2] = name, "guessed from its values: check it"
                taken[name] = row[0]
                break
    constants = {}
    for row in plan_rows:
        heading, target, note, values = row
        if target == "OrganisationURI":
            wrong = {v.strip() for v in values if v.strip()}
            if len(wrong) == 1 and not looks_like_uri(next(iter(wrong))):
                row[1], row[2] = None, f'it holds "{next(iter(wrong))}" on every row, not a web address'
                del taken["OrganisationURI"]
        comment = f"  # {row[2]}" if row[2] else ("  # not a standard field: map it, or leave ~" if not row[1]
                                                   else "")
        lines.append(f"  {_q(heading)}: {row[1] or '~'}{comment}")
    for name in p.required:
        if name not in taken:
            constants[name] = TO_FILL
    lines += ["", "# One value for every row, for required fields the file does not have.", "constants:"]
    if constants:
        hints = {"OrganisationURI": "the organisation's web address, e.g. https://www.anytown.gov.uk/",
                 "OrganisationLabel": "the organisation's full name"}
        for name, value in constants.items():
            hint = hints.get(name, "one value for every row, or map a column to it above")
            lines.append(f"  {_q(name)}: {value}  # {hint}")
    else:
        lines[-1] = "constants: {}"
    period, why = period_from_name(path.name)
    lines += ["", f"period: {period.label if period else TO_FILL}"
              + (f"  # from the file name ({period.describe()})" if period else
                 f"  # {why or 'the month (2025-04), quarter (2025-Q1) or financial year (2025-26)'}")]
    if date_format:
        lines.append(f"date_format: {date_format}  # as the dates are written in the file")
    return "\n".join(lines) + "\n"
