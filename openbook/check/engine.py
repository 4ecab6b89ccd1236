"""The validation engine: Table Schema rules compiled into polars expressions.

For each table it finds the header row, maps columns to schema fields
(aliases included), then, batch by batch:

1. strips every cell and applies the missing values;
2. parses each field's type into a normalised value and a validity flag;
3. checks required, enum, pattern, length and range constraints;
4. tracks primary keys, unique fields and foreign keys across batches;

and builds a problem row only for the cells that fail. Nothing here loops
over rows in Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import polars as pl

from openbook.standard import schemas as standard
from openbook.standard.plan import (RECOGNISE_AT, STRAY_QUOTES, Plan, normalise_header, normalise_name,
                                   plan, shape_fits, value_shape)
from openbook.read.raw import RawTable, column_letter
from openbook.standard.mapping import LEFT_OUT
from openbook.check.result import PROBLEM_SCHEMA, TableResult, empty_problems
from openbook.read.values import fast_parse, is_redaction, parse, strip


# A table names at most this many of the organisations its rows hold (for grouping submissions).
MAX_ORGANISATIONS = 3
# Schema problems that are warnings: the value was read, and is packaged as the standard writes it.
SEVERITY = {"variant-value": "warning"}


@dataclass
class Match:
    plan: Plan
    header_index: int                    # index into RawTable.head
    columns: dict[str, int]              # field name -> head column index
    extra: list[tuple[int, str]]         # (head column index, header text) not in the schema
    duplicates: list[tuple[int, str, str]]   # (column, header text, field) seen twice
    blank: list[int]                     # head columns with no header text


def match(raw: RawTable, forced: str | None = None) -> Match | None:
    """Choose the schema and header row of a table by the evidence of its
    headings (plan.Evidence), or None when no table reaches the threshold."""
    if not raw.head:
        return None
    best = _best(raw, forced)
    if best is None:
        return None
    ev, index, p, named = best
    if not (forced or ev.recognised(named)):
        return None
    header = raw.head[index]
    columns: dict[str, int] = {}
    extra, duplicates, blank = [], [], []
    for j, text in enumerate(header):
        if not str(text).strip():
            blank.append(j)
            continue
        name = p.aliases.get(normalise_header(text))
        if name is None:
            extra.append((j, str(text).strip()))
        elif name in columns:
            duplicates.append((j, str(text).strip(), name))
        else:
            columns[name] = j
    # fields past the end of a short header row: unnamed columns (a CSV whose rows are longer)
    blank.extend(range(len(header), max(len(r) for r in raw.head[index:])))
    return Match(p, index, columns, extra, duplicates, blank)


def _best(raw: RawTable, forced: str | None = None):
    """(evidence, header index, plan, named after it) of the closest table, or None."""
    names = [forced] if forced else standard.names()
    best = None
    for n in names:
        p = plan(n)
        named = bool(forced) or normalise_name(raw.name) in p.sheet_names
        for i, row in enumerate(raw.head):
            ev = p.evidence(row)
            if not ev.matched:
                continue
            ev = p.shaped(ev, raw.head, i)
            key = (named and ev.recognised(True), ev.score, ev.matched)
            if best is None or key > best[0]:
                best = (key, ev, i, p, named)
    return None if best is None else best[1:]


def unrecognised(raw: RawTable) -> str | None:
    """Why a table with some of a table's headings was not recognised, naming the
    closest table and what it lacks; None when nothing looks like a table of ours."""
    best = _best(raw)
    if best is None:
        return None
    ev, index, p, _ = best
    missing = ", ".join(ev.missing[:6]) + (", ..." if len(ev.missing) > 6 else "")
    shaped = f", and {ev.shaped} more by the shape of its values" if ev.shaped else ""
    return (f"not recognised: the closest table is {resource_title(p.name)} ({p.name}), but the header row "
            f"(row {raw.head_first_row + index}) names {ev.matched} of its columns and "
            f"{round(ev.required_share * len(p.required))} of its {len(p.required)} required ones{shaped} "
            f"(score {ev.score:.2f}, recognised from {RECOGNISE_AT}); missing {missing or 'nothing required'}")


@dataclass
class KeyIndex:
    """Keys seen so far in a table, as 64-bit hashes with their first row.

    Hashes keep memory at 16 bytes a key however long the values are, which is
    what lets a 10M-row file be checked for duplicates in bounded memory.

    The keys are kept as a few runs sorted by hash (sizes halving, as in a
    binary counter) and looked up by binary search, so each batch costs its
    own size times log n. Joining every batch against all keys seen so far
    rebuilt a hash table of them each time: quadratic, 7 s of a 3M-row file
    read in 45 batches (bench/NOTES.md).
    """
    runs: list[pl.DataFrame] = field(default_factory=list)

    def add(self, keys: pl.DataFrame) -> pl.DataFrame:
        """keys: columns h, row. Returns the repeats, with the row of the first."""
        keys = keys.sort("h")   # sorted needles: the binary searches stay in cache (3x faster)
        h = keys["h"]
        first = pl.Series("first", [None] * keys.height, dtype=pl.Int64)
        for run in self.runs:
            at = run["h"].search_sorted(h, side="left").clip(upper_bound=run.height - 1)
            hit = run["h"].gather(at) == h
            first = first.zip_with(first.is_not_null() | ~hit, run["first"].gather(at))
        joined = keys.with_columns(first.alias("first"))
        earlier = joined.filter(pl.col("first").is_not_null())
        new = joined.filter(pl.col("first").is_null()).drop("first")
        firsts = new.group_by("h").agg(pl.col("row").min().alias("first")).sort("h")
        within = new.join(firsts, on="h").filter(pl.col("row") != pl.col("first"))
        if firsts.height:
            self.runs.append(firsts)
            while len(self.runs) > 1 and self.runs[-2].height <= 2 * self.runs[-1].height:
                last = self.runs.pop()
                self.runs[-1] = self.runs[-1].merge_sorted(last, key="h")
        return pl.concat([earlier, within]).sort("row")


@dataclass
class Context:
    """State shared by the tables of one submission."""
    parent_keys: dict[tuple[str, tuple[str, ...]], pl.DataFrame] = field(default_factory=dict)
    foreign_keys: list[dict] = field(default_factory=list)
    checks: Callable | None = None       # quality checks hook: (plan, frame) -> problems frame
    sink: Callable | None = None         # receives (TableResult, normalised batch)


def _problem(code, severity, field_name=None, row=None, col=None, value=None, detail=None) -> dict:
    return {"severity": severity, "code": code, "field": field_name, "row": row, "col": col,
            "value": value, "detail": detail}


def _blank_rows(rows: list[int]) -> pl.DataFrame:
    """blank-row warnings for ``rows``, built as columns: a file of a million
    empty lines must not cost a million dicts."""
    n = len(rows)
    return pl.DataFrame({"severity": ["warning"] * n, "code": ["blank-row"] * n, "field": [None] * n,
                         "row": rows, "col": [None] * n, "value": [None] * n, "detail": [None] * n},
                        schema=PROBLEM_SCHEMA)


def validate_table(raw: RawTable, m: Match, ctx: Context) -> TableResult:
    p = m.plan
    header_row = raw.head_first_row + m.header_index
    first_data_row = header_row + 1
    result = TableResult(name=raw.name, schema=p.name, path=raw.path, sheet=raw.sheet,
                         header_row=header_row, rows=0)

    structural = []
    abs_col = lambda j: raw.col_offset + j
    result.headers = {abs_col(j): str(text).strip() for j, text in enumerate(raw.head[m.header_index])
                      if str(text).strip()}
    sample = raw.head[m.header_index + 1:m.header_index + 31]
    shapes = {j: value_shape([r[j] for r in sample if j < len(r)]) for j, _ in m.extra}
    for name, f in p.fields.items():
        if name not in m.columns and f.get("constraints", {}).get("required"):
            # a column whose values have the field's shape is named, never taken silently
            near = next(((j, text) for j, text in m.extra if shape_fits(f, shapes.get(j))), None)
            hint = (f'Column {column_letter(abs_col(near[0]))} ("{near[1]}") holds '
                    f'{"dates" if f.get("type") in ("date", "datetime") else "amounts"}: if it is the {name}, '
                    "map it (openbook map)." if near else None)
            structural.append(_problem("missing-label", "error", name, header_row, None, None, hint))
    for j, text in m.extra:
        if not text.endswith(LEFT_OUT):     # what a mapping leaves out is no news
            structural.append(_problem("extra-label", "warning", None, header_row, abs_col(j), text))
    for j, text, name in m.duplicates:
        structural.append(_problem("duplicate-label", "error", name, header_row, abs_col(j), text))

    pk = p.schema.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else list(pk)
    pk_index = KeyIndex() if pk and all(k in m.columns for k in pk) else None
    unique_fields = [n for n, f in p.fields.items()
                     if f.get("constraints", {}).get("unique") and n in m.columns]
    unique_index = {n: KeyIndex() for n in unique_fields}
    fks = [fk for fk in ctx.foreign_keys if fk["resource"] == p.name
           and all(f in m.columns for f in fk["fields"])
           and (fk["reference"]["resource"], tuple(fk["reference"]["fields"])) in ctx.parent_keys]
    collected_keys: dict[tuple[str, ...], list[pl.DataFrame]] = {fields: [] for (res, fields) in ctx.parent_keys
                                                                if res == p.name}

    frames = [pl.DataFrame([r for r in structural], schema=PROBLEM_SCHEMA)] if structural else []
    pending_blank: list[int] = []
    blank_label_checked = False
    offset = first_data_row
    redactions = 0
    for batch in raw.batches(m.header_index):
        n = batch.height
        if n == 0:
            continue
        out, normalised, blank_mask, lines = _check_batch(batch, m, raw, offset)
        row_col = pl.int_range(offset, offset + n, dtype=pl.Int64, eager=True)
        # blank rows: those with data after them now, trailing ones once the table ends
        blank_rows = row_col.filter(blank_mask).to_list()
        nonblank = row_col.filter(~blank_mask)
        if nonblank.len():
            last = nonblank.max()
            pending_blank.extend(r for r in blank_rows if r < last)
            if pending_blank:
                frames.append(_blank_rows(pending_blank))
            pending_blank = [r for r in blank_rows if r > last]
            result.rows += int(nonblank.len())
        else:
            pending_blank.extend(blank_rows)
        frames.extend(out)
        if not blank_label_checked and m.blank:
            blank_label_checked = True
            for j in m.blank:
                col = f"c{j}"
                if col in batch.columns and batch[col].drop_nulls().str.strip_chars().str.len_chars().gt(0).any():
                    frames.append(pl.DataFrame([_problem("blank-label", "warning", None, header_row, abs_col(j))],
                                               schema=PROBLEM_SCHEMA))
        live = normalised.filter(~blank_mask)
        if "OrganisationURI" in m.columns and len(result.organisations) < MAX_ORGANISATIONS:
            for org in live["OrganisationURI"].drop_nulls().unique(maintain_order=True).head(MAX_ORGANISATIONS):
                if org not in result.organisations and len(result.organisations) < MAX_ORGANISATIONS:
                    result.organisations.append(org)
        redactions += int(live["__redactions"].sum()) if "__redactions" in live.columns else 0
        if pk_index is not None:
            frames.append(_key_problems(live, pk, pk_index, "primary-key", m, raw))
        for name in unique_fields:
            frames.append(_key_problems(live, [name], unique_index[name], "unique-error", m, raw))
        for fk in fks:
            frames.append(_fk_problems(live, fk, ctx, m, raw))
        for fields in collected_keys:
            collected_keys[fields].append(live.select(list(fields)).drop_nulls().unique())
        if ctx.checks is not None:
            frames.append(ctx.checks(p, live, m, raw, lines))
        if ctx.sink is not None:
            ctx.sink(result, live)
        offset += n
    if pending_blank and raw.sheet is None and result.rows:
        # empty lines after the last row of a CSV are lines the file holds (",,,,,"), so they are said;
        # a worksheet's empty rows at the end are only formatting, and are not
        frames.append(_blank_rows(pending_blank))
    for fields, parts in collected_keys.items():
        # every table of the schema adds its keys: two councils' Functions sheets are both referable
        # (each key carries its OrganisationURI, so one council's rows never match another's)
        keys = pl.concat(parts).unique() if parts else pl.DataFrame(schema={f: pl.String for f in fields})
        earlier = ctx.parent_keys.get((p.name, fields))
        ctx.parent_keys[(p.name, fields)] = keys if earlier is None else pl.concat([earlier, keys]).unique()
    frames = [f for f in frames if f is not None and f.height]
    result.problems = pl.concat(frames) if frames else empty_problems()
    result.redactions = redactions
    return result


def _check_batch(batch: pl.DataFrame, m: Match, raw: RawTable, offset: int):
    """Per-cell checks on one batch. Returns problem frames, the normalised
    frame (schema field names, plus __row), the blank-row mask, and the
    batch's cells trimmed, empty ones null (c<j> and __row: for checks that
    compare whole lines; a mapped field's cleaned text is reused, not copied).

    Work is done in stages, each materialised once: the cleaned text of each
    field; then the value, validity and redaction flags; then the check
    masks. Eager polars does not share a sub-expression used several times,
    so one nested expression per field redid the cleaning a dozen times.
    Dates and numbers take a fast path (values.fast_parse) and the full
    parser runs only on the cells the fast path does not cover: a when/then
    would evaluate the full parser over every cell (bench/NOTES.md)."""
    p = m.plan
    missing_default = p.schema.get("missingValues", [""])
    absent = [f"c{j}" for j in m.columns.values() if f"c{j}" not in batch.columns]
    if absent:  # a mapped column the batch lacks reads as empty cells
        batch = batch.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in absent)
    present = {name: f"c{j}" for name, j in m.columns.items()}

    # stage 1: stripped text with missing values as null; blank-row test
    stage1, blank_parts = [], []
    for k, (name, f) in enumerate(p.fields.items()):
        if name not in present:
            continue
        raw_text = strip(pl.col(present[name]))
        missing = list(f.get("missingValues", missing_default))
        stage1.append((raw_text.replace(missing, None) if missing else raw_text).alias(f"__t{k}"))
        if missing == [""]:
            blank_parts.append(pl.col(f"__t{k}").is_null())
        else:
            blank_parts.append(strip(pl.col(present[name])).fill_null("").eq(""))
    row = pl.int_range(offset, offset + pl.len(), dtype=pl.Int64)
    frame = batch.with_columns(*stage1, row.alias("__row"))
    blank = pl.all_horizontal(blank_parts) if blank_parts else pl.lit(True)

    # stage 2: value and validity, by the fast path where a field has one
    stage2, exprs, checks, slow = [], [], [], []
    for k, (name, f) in enumerate(p.fields.items()):
        if name not in present:
            exprs.append(pl.lit(None, dtype=pl.String).alias(name))
            continue
        text = pl.col(f"__t{k}")
        fast = fast_parse(f, text)
        if fast is None:
            normal, ok = parse(f, text)
        else:
            mask, normal, ok = fast
            slow.append(k)
            stage2.append(mask.fill_null(False).alias(f"__fast{k}"))
        stage2.extend([normal.alias(f"__n{k}"), ok.alias(f"__ok{k}")])
        if f.get("x-redactable", False):
            stage2.append(is_redaction(text).fill_null(False).alias(f"__redacted_{name}"))
    frame = frame.with_columns(*stage2, blank.alias("__blank"))
    # ... and the full parser on the cells the fast path does not cover
    fields = list(p.fields.values())
    for k in slow:
        idx = (~pl.col(f"__fast{k}") & pl.col(f"__t{k}").is_not_null()).arg_true()
        idx = frame.select(idx.alias("i"))["i"]
        if idx.len():
            normal, ok = parse(fields[k], pl.col(f"__t{k}"))
            rest = frame[idx].select(normal.alias("n"), ok.alias("ok"))
            frame = frame.with_columns(frame[f"__n{k}"].scatter(idx, rest["n"]),
                                       frame[f"__ok{k}"].scatter(idx, rest["ok"]))

    # stage 4: the checks, over materialised columns
    for k, (name, f) in enumerate(p.fields.items()):
        if name not in present:
            continue
        text, normal = pl.col(f"__t{k}"), pl.col(f"__n{k}")
        redacted = pl.col(f"__redacted_{name}") if f.get("x-redactable", False) else pl.lit(False)
        ok = pl.col(f"__ok{k}") | text.is_null() | redacted
        if f.get("type", "string") == "string":   # its normalised form is the text itself: no copy
            value = text
        else:
            value = pl.when(ok & ~redacted).then(normal).otherwise(text)
        if list(f.get("missingValues", missing_default)) not in ([""], []):
            # A missing-value marker such as "N/D" is kept as written: it means
            # something ("not disclosed") and the packaged schema declares it.
            raw_text = strip(pl.col(present[name]))
            value = pl.when(text.is_null()).then(pl.when(raw_text != "").then(raw_text)).otherwise(value)
        cons = f.get("constraints", {})
        col = raw.col_offset + m.columns[name]
        checks.append((name, col, "type-error", None, ~ok))
        valid = ok & text.is_not_null() & ~redacted
        if cons.get("required"):
            checks.append((name, col, "constraint-error", "required", text.is_null()))
        if "enum" in cons:
            allowed = [str(v) for v in cons["enum"]]
            variants = (p.variants or {}).get(name)
            if variants:
                # an unambiguous variant ("revenue", "'R'", a code list's label) is read as its code,
                # once a warning, and packaged as the standard writes it
                canon = (normal.cast(pl.String).str.strip_chars(STRAY_QUOTES).str.to_lowercase()
                         .str.replace_all(r"\s+", " ").replace_strict(variants, default=None))
                variant = valid & ~normal.is_in(allowed) & canon.is_not_null()
                checks.append((name, col, "variant-value", canon, variant))
                checks.append((name, col, "constraint-error", "enum", valid & ~normal.is_in(allowed)
                               & canon.is_null()))
                exprs.append(pl.when(variant.fill_null(False)).then(canon).otherwise(value).alias(name))
                value = None
            else:
                checks.append((name, col, "constraint-error", "enum", valid & ~normal.is_in(allowed)))
        if "pattern" in cons:
            checks.append((name, col, "constraint-error", "pattern",
                           valid & ~normal.str.contains(f"^(?:{cons['pattern']})$")))
        for kind, op in (("minimum", "lt"), ("maximum", "gt")):
            if kind in cons and f.get("type") in ("number", "integer", "year"):
                checks.append((name, col, "constraint-error", f"{kind}:{cons[kind]}",
                               valid & getattr(normal.cast(pl.Float64, strict=False), op)(float(cons[kind]))))
        for kind, op in (("minLength", "lt"), ("maxLength", "gt")):
            if kind in cons:
                checks.append((name, col, "constraint-error", f"{kind}:{cons[kind]}",
                               valid & getattr(normal.str.len_chars(), op)(int(cons[kind]))))
        if value is not None:
            exprs.append(value.alias(name))

    masks = [c[4].fill_null(False).alias(f"__m{i}") for i, c in enumerate(checks)]
    frame = frame.with_columns(*exprs, *masks)
    redacted_cols = [c for c in frame.columns if c.startswith("__redacted_")]
    if redacted_cols:
        frame = frame.with_columns(pl.sum_horizontal(redacted_cols).alias("__redactions"))

    problems = []
    any_fail = pl.any_horizontal([pl.col(f"__m{i}") for i in range(len(checks))]) if checks else pl.lit(False)
    failing = frame.filter(~pl.col("__blank") & any_fail)
    if failing.height:
        # one query for every check (not one filter each: per-file overhead on folders of small files)
        hits = failing.select([pl.col(f"__m{i}").any().alias(f"__m{i}") for i in range(len(checks))]).row(0)
        lazy = failing.lazy()
        parts = [lazy.filter(pl.col(f"__m{i}")).select(
                    pl.lit(SEVERITY.get(code, "error")).alias("severity"), pl.lit(code).alias("code"),
                    pl.lit(name).alias("field"),
                    pl.col("__row").alias("row"), pl.lit(col, dtype=pl.Int64).alias("col"),
                    strip(pl.col(f"c{m.columns[name]}")).alias("value"),
                    (detail if isinstance(detail, pl.Expr) else pl.lit(detail, dtype=pl.String)).alias("detail"))
                 for i, (name, col, code, detail, _) in enumerate(checks) if hits[i]]
        if parts:
            problems.append(pl.concat(parts).collect())
    keep = list(p.fields) + ["__row"] + (["__redactions"] if redacted_cols else [])
    trimmed = {present[name]: f"__t{k}" for k, (name, f) in enumerate(p.fields.items())
               if name in present and list(f.get("missingValues", missing_default)) == [""]}
    lines = frame.select([pl.col(trimmed[c]).alias(c) if c in trimmed else strip(pl.col(c)).replace("", None)
                          for c in batch.columns] + ["__row"])
    return problems, frame.select(keep), frame["__blank"], lines


def _key_problems(live: pl.DataFrame, fields: list[str], index: KeyIndex, code: str,
                  m: Match, raw: RawTable) -> pl.DataFrame | None:
    keys = live.select(pl.struct(fields).hash(seed=7).alias("h"), pl.col("__row").alias("row"),
                       pl.concat_str([pl.col(f).fill_null("") for f in fields], separator=" / ").alias("value"),
                       ).filter(pl.all_horizontal([live[f].is_not_null() for f in fields]))
    if not keys.height:
        return None
    dups = index.add(keys.select("h", "row")).join(keys.select("row", "value"), on="row")
    if not dups.height:
        return None
    names = " + ".join(fields)
    col = raw.col_offset + m.columns[fields[-1]]
    return dups.select(
        pl.lit("error").alias("severity"), pl.lit(code).alias("code"),
        pl.lit(fields[0] if code == "unique-error" else None, dtype=pl.String).alias("field"),
        pl.col("row"), pl.lit(col if code == "unique-error" else None, dtype=pl.Int64).alias("col"),
        pl.col("value"),
        pl.format(f'{names} "{{}}" from row {{}}', pl.col("value"), pl.col("first")).alias("detail"))


def resource_title(name: str) -> str:
    """The sheet title a person knows a resource by ("Functions")."""
    for profile in standard.profile_names():
        for r in standard.profile(profile).get("resources", []):
            if r["name"] == name and r.get("title"):
                return r["title"]
    return standard.load(name).get("title", name)


def _fk_problems(live: pl.DataFrame, fk: dict, ctx: Context, m: Match, raw: RawTable) -> pl.DataFrame | None:
    fields, ref = fk["fields"], fk["reference"]
    parent = ctx.parent_keys[(ref["resource"], tuple(ref["fields"]))]
    child = live.select([pl.col(f) for f in fields] + [pl.col("__row")]).drop_nulls(fields)
    parent = parent.rename(dict(zip(ref["fields"], fields)))
    orphans = child.join(parent, on=fields, how="anti")
    if not orphans.height:
        return None
    # point at the column a person fixes: the last key field (FunctionID, not OrganisationURI)
    target = fields[-1]
    sheet = resource_title(ref["resource"])
    # a reference that differs only in case ("ago2" for "AGO2") says so
    folded = parent.with_columns(pl.col(target).str.to_lowercase().alias("__fold")) \
        .group_by(fields[:-1] + ["__fold"]).agg(pl.col(target).first().alias("__near"))
    orphans = orphans.with_columns(pl.col(target).str.to_lowercase().alias("__fold")) \
        .join(folded, on=fields[:-1] + ["__fold"], how="left")
    plain = (f"is not a {ref['fields'][-1]} in the {sheet} sheet for this organisation. "
             f"Add it to {sheet}, or correct it here.")
    return orphans.select(
        pl.lit("error").alias("severity"),
        pl.when(pl.col("__near").is_not_null()).then(pl.lit("foreign-key-case")).otherwise(pl.lit("foreign-key"))
        .alias("code"), pl.lit(target).alias("field"),
        pl.col("__row").alias("row"), pl.lit(raw.col_offset + m.columns[target], dtype=pl.Int64).alias("col"),
        pl.col(target).alias("value"),
        pl.when(pl.col("__near").is_not_null())
        .then(pl.format(f'differs only in case from "{{}}", a {ref["fields"][-1]} in the {sheet} sheet. '
                        'Write it exactly as there.', pl.col("__near")))
        .otherwise(pl.lit(plain)).alias("detail"))
