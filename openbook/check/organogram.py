"""Organogram checks: the reporting tree, job shares, and the pay rules.

Organograms are small (hundreds of posts), so the tree checks run once per
table and may use plain Python graph code.
"""
from __future__ import annotations

import polars as pl

from openbook.check.registry import register
from openbook.check.text import short

POST, REPORTS, NAME = "Post Unique Reference", "Reports to Senior Post", "Name"
JUNIOR_REPORTS = "Reporting Senior Post"
FLOOR, CEILING, COST = "Actual Pay Floor (£)", "Actual Pay Ceiling (£)", "Salary Cost of Reports (£)"
TOP = "XX"
# Fields that may differ between the rows of a job share (organogram guidance).
JOB_SHARE_MAY_DIFFER = {NAME, FLOOR, CEILING, "Contact Phone", "Contact E-mail", "Notes", "FTE", "__row"}


def _clean(name: str) -> pl.Expr:
    """A value without the stray quotes some exports wrap it in ('Eliminated')."""
    return pl.col(name).str.strip_chars(" '\"")


def _org() -> pl.Expr:
    return pl.col("OrganisationURI").fill_null("").alias("__org")


def _tree_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The senior posts that take part in the tree: Eliminated posts do not."""
    return frame.with_columns(_org(), _clean(POST).alias("__post"), _clean(REPORTS).alias("__reports"),
                              _clean(NAME).str.to_lowercase().alias("__name")) \
        .filter(pl.col("__name").fill_null("") != "eliminated")


def _is_top() -> pl.Expr:
    return pl.col("__reports").str.to_uppercase() == TOP


@register("reports-to-missing", "error", "consistency",
          "A senior post reports to a post that is not in the sheet: every Reports to Senior Post must be "
          "the Post Unique Reference of another row, or XX for the top post.",
          schemas=("roles-senior",), table=True,
          columns=(POST, REPORTS, NAME, "OrganisationURI"),
          fix="Use the Post Unique Reference of the manager's post, add the missing post, or write XX if "
              "this is the top post.")
def reports_to_missing(frame: pl.DataFrame, info):
    if not frame.height or REPORTS not in info.present or POST not in info.present:
        return None
    t = _tree_frame(frame)
    posts = frame.select(_org(), _clean(POST).alias("__reports")).unique()
    orphans = t.filter(pl.col("__reports").is_not_null() & ~_is_top().fill_null(False)) \
        .join(posts, on=["__org", "__reports"], how="anti")
    orphans = _near(orphans, posts.rename({"__reports": "__ref"}), "__reports")
    return orphans.select(pl.col("__row").alias("row"), pl.lit(REPORTS).alias("field"),
                          pl.col(REPORTS).alias("value"), pl.format(
        'Post "{}" reports to post "{}", {}. Use the reference of the manager\'s post exactly as written in '
        'Post Unique Reference, or XX if this is the top post.',
        pl.col("__post"), pl.col("__reports"), _what()).alias("message"))


def _squash(name: str) -> pl.Expr:
    """A reference without case or whitespace: what a near-miss still matches."""
    return pl.col(name).str.to_uppercase().str.replace_all(r"\s+", "")


def _near(orphans: pl.DataFrame, posts: pl.DataFrame, ref: str) -> pl.DataFrame:
    """Adds __near: the post reference an orphan matches once case and whitespace are ignored."""
    keys = posts.select("__org", _squash("__ref").alias("__k"), pl.col("__ref").alias("__near")) \
        .unique(subset=["__org", "__k"], keep="first")
    return orphans.with_columns(_squash(ref).alias("__k")).join(keys, on=["__org", "__k"], how="left")


def _what() -> pl.Expr:
    """Why an orphan reference is wrong, from __reports and __near (see _near)."""
    near, ref = pl.col("__near"), pl.col("__reports")
    spaced = (ref.str.contains(r"\s") | near.str.contains(r"\s")).fill_null(False)
    return (pl.when(near.is_null()).then(pl.lit("which is not the Post Unique Reference of any senior post"))
            .when(spaced).then(pl.format('which differs from post "{}" only in spaces or letter case', near))
            .otherwise(pl.format('which differs from post "{}" only in letter case', near)))


@register("reporting-post-mismatch", "error", "consistency",
          "A junior post's Reporting Senior Post is not the Post Unique Reference of a senior post: it matches "
          "none, or matches one only once letter case or spaces are ignored (reported as such). Senior posts "
          "marked Eliminated still count as references, as the organogram guidance keeps them in the sheet "
          "until their reports are moved.",
          schemas=("roles-junior",), needs=("roles-junior", "roles-senior"),
          fix="Write the senior post's Post Unique Reference exactly as it appears in the senior sheet (same "
              "letters, same case, no extra spaces).")
def reporting_post_mismatch(frames: dict, info):
    junior, senior = frames.get("roles-junior"), frames.get("roles-senior")
    if junior is None or senior is None or not junior.height or JUNIOR_REPORTS not in junior.columns \
            or POST not in senior.columns:
        return None
    # With OrganisationURI in both sheets the schema's foreign key reports a missing reference;
    # this check then adds only the near-misses (case or spaces), which it explains.
    keyed = "OrganisationURI" in info.present and senior["OrganisationURI"].null_count() < senior.height
    posts = senior.select(_org(), _clean(POST).alias("__ref")).drop_nulls("__ref").unique()
    if not keyed:   # no organisation on either side to match: one organisation
        posts = posts.with_columns(pl.lit("").alias("__org"))
    j = junior.with_columns(_org() if keyed else pl.lit("").alias("__org"),
                            _clean(JUNIOR_REPORTS).alias("__reports"))
    orphans = j.filter(pl.col("__reports").is_not_null() & (pl.col("__reports") != "")) \
        .join(posts.rename({"__ref": "__reports"}), on=["__org", "__reports"], how="anti")
    orphans = _near(orphans, posts, "__reports")
    if keyed:
        orphans = orphans.filter(pl.col("__near").is_not_null())
    return orphans.select(pl.col("__row").alias("row"), pl.lit(JUNIOR_REPORTS).alias("field"),
                          pl.col(JUNIOR_REPORTS).alias("value"), pl.format(
        'Reporting Senior Post is "{}", {}. Use the Post Unique Reference of the senior post exactly as written in '
        'the senior sheet.', pl.col("__reports"), _what()).alias("message"))


@register("top-post-count", "warning", "consistency",
          "An organogram has exactly one top post, marked XX in Reports to Senior Post: this flags a sheet "
          "with none, and every further post marked XX.",
          schemas=("roles-senior",), table=True,
          columns=(POST, REPORTS, NAME, "OrganisationURI"),
          fix="Mark only the most senior post (the chief executive) with XX; every other post reports to "
              "the Post Unique Reference of its manager.")
def top_post_count(frame: pl.DataFrame, info):
    if not frame.height or REPORTS not in info.present or POST not in info.present:
        return None
    t = _tree_frame(frame)
    parts = []
    for org, group in t.group_by("__org", maintain_order=True):
        top = group.filter(_is_top().fill_null(False))
        if not top.height:
            parts.append(pl.DataFrame({"row": [None], "field": [REPORTS], "value": [None], "message": [
                "No post is marked XX in Reports to Senior Post, so the organogram has no top post. Write "
                "XX against the most senior post."]}, schema={"row": pl.Int64, "field": pl.String,
                                                            "value": pl.String, "message": pl.String}))
            continue
        first_post, first_row = top["__post"][0], top["__row"][0]
        extra = top.filter(pl.col("__post") != first_post)
        if extra.height:
            parts.append(extra.select(pl.col("__row").alias("row"), pl.lit(REPORTS).alias("field"),
                                      pl.col(REPORTS).alias("value"), pl.format(
                'Post "{}" is marked as a top post (XX), but post "{}" on row {} already is. An organogram '
                'has one top post: make this one report to the post above it.',
                pl.col("__post"), pl.lit(first_post), pl.lit(first_row)).alias("message")))
    return pl.concat(parts) if parts else None


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with a loop (Tarjan, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1 or node in edges.get(node, ()):
                    out.append(comp)
    return out


def _cycle_path(start: str, members: set[str], edges: dict[str, set[str]]) -> list[str]:
    """One loop through start, following edges inside its component."""
    path, node = [start], start
    seen = {start}
    while True:
        nxt = sorted(e for e in edges.get(node, ()) if e in members)
        if not nxt:
            return path
        node = start if start in nxt else next((n for n in nxt if n not in seen), nxt[0])
        path.append(node)
        if node == start or node in seen:
            return path
        seen.add(node)


def graph_cycles(frame: pl.DataFrame, key: str, parent: str, group: str = "__org") -> pl.DataFrame:
    """Rows (and their loop, as text) whose key lies on a loop of key -> parent links."""
    rows = []
    for (org,), g in frame.group_by(group, maintain_order=True):
        edges: dict[str, set[str]] = {}
        for k, p in g.select(key, parent).drop_nulls().iter_rows():
            edges.setdefault(k, set()).add(p)
        for comp in _cycles(edges):
            members = set(comp)
            for k in sorted(members):
                loop = _cycle_path(k, members, edges)
                shown = loop if len(loop) <= 8 else loop[:7] + ["…", loop[-1]]
                rows.append({group: org, key: k, "__loop": " → ".join(shown)})
    if not rows:
        return frame.clear().with_columns(pl.lit(None, dtype=pl.String).alias("__loop"))
    loops = pl.DataFrame(rows, schema={group: pl.String, key: pl.String, "__loop": pl.String})
    return frame.join(loops, on=[group, key], how="inner")


@register("organogram-cycle", "error", "consistency",
          "Reporting lines that go round in a loop (a post that reports to itself, or A reports to B "
          "and B to A), so they never reach the top post.",
          schemas=("roles-senior",), table=True,
          columns=(POST, REPORTS, NAME, "OrganisationURI"),
          fix="Correct Reports to Senior Post on one of the posts in the loop so that every chain of "
              "managers ends at the top post (XX).")
def organogram_cycle(frame: pl.DataFrame, info):
    if not frame.height or REPORTS not in info.present or POST not in info.present:
        return None
    t = _tree_frame(frame).filter(~_is_top().fill_null(False))
    found = graph_cycles(t, "__post", "__reports")
    return found.select(pl.col("__row").alias("row"), pl.lit(REPORTS).alias("field"),
                        pl.col(REPORTS).alias("value"), pl.format(
        'The reporting line from post "{}" goes round in a loop ({}) and never reaches the top post. '
        'Correct Reports to Senior Post on one of these posts.', pl.col("__post"), pl.col("__loop")
    ).alias("message"))


@register("job-share-inconsistent", "warning", "consistency",
          "Rows that share a Post Unique Reference (a job share) must be the same post: only the name, pay, "
          "contact details, FTE and notes may differ, and the FTEs together must not exceed 1.",
          schemas=("roles-senior",), table=True,
          fix="Make the job-share rows agree (same grade, title, unit, manager...). If they are different "
              "posts, give each its own Post Unique Reference.")
def job_share_inconsistent(frame: pl.DataFrame, info):
    if not frame.height or POST not in info.present:
        return None
    t = frame.with_columns(_org(), _clean(POST).alias("__post"), _clean(NAME).str.to_lowercase().alias("__name")) \
        .filter((pl.col("__post").fill_null("0") != "0") & (pl.col("__name").fill_null("") != "eliminated"))
    key = ["__org", "__post"]
    t = t.filter(pl.len().over(key) > 1)
    if not t.height:
        return None
    t = t.with_columns(pl.col("__row").first().over(key).alias("__first"),
                       pl.col("__row").cum_count().over(key).alias("__nth"))
    later = pl.col("__nth") > 1
    parts = []
    compare = [c for c in frame.columns if c not in JOB_SHARE_MAY_DIFFER and c != "OrganisationURI"
               and not c.startswith("__")]
    for c in compare:
        v = pl.col(c).fill_null("")
        hit = t.with_columns(v.first().over(key).alias("__was")).filter(later & (v != pl.col("__was")))
        if hit.height:
            parts.append(hit.select(pl.col("__row").alias("row"), pl.lit(c).alias("field"), pl.col(c).alias("value"),
                                    pl.format(
                'Post "{}" is on row {} and here (a job share), but its {} differs: "{}" here, "{}" on row {}. '
                'Job-share rows must match except for the name, pay, contact details, FTE and notes.',
                pl.col("__post"), pl.col("__first"), pl.lit(c), short(v), short(pl.col("__was")),
                pl.col("__first")).alias("message")))
    if "FTE" in frame.columns:
        fte = pl.col("FTE").cast(pl.Float64, strict=False)
        hit = t.with_columns(fte.sum().over(key).round(2).alias("__total")) \
            .filter((pl.col("__nth") == pl.len().over(key)) & (pl.col("__total") > 1.005))
        if hit.height:
            parts.append(hit.select(pl.col("__row").alias("row"), pl.lit("FTE").alias("field"),
                                    pl.col("FTE").alias("value"), pl.format(
                'The rows of job-share post "{}" add up to {} FTE; one post is at most 1 FTE. Check the FTE '
                'of each sharer, or give separate posts their own reference.',
                pl.col("__post"), pl.col("__total")).alias("message")))
    return pl.concat(parts) if parts else None


# --- pay --------------------------------------------------------------------

MIN, MAX = "Payscale Minimum (£)", "Payscale Maximum (£)"


@register("payscale-order", "error", "accuracy",
          "A junior grade's Payscale Maximum is lower than its Payscale Minimum.",
          schemas=("roles-junior",),
          fix="Swap the two values, or correct the one that is wrong: the maximum is the top of the pay "
              "scale for the grade.")
def payscale_order(frame: pl.DataFrame):
    lo, hi = pl.col(MIN).cast(pl.Int64, strict=False), pl.col(MAX).cast(pl.Int64, strict=False)
    hit = frame.filter((hi < lo).fill_null(False))
    return hit.select(pl.col("__row").alias("row"), pl.lit(MAX).alias("field"), pl.col(MAX).alias("value"),
                      pl.format("The payscale maximum £{} is lower than the minimum £{}. Swap them or correct "
                                "the wrong one.", pl.col(MAX), pl.col(MIN)).alias("message"))


NOT_DISCLOSED = "N/D"
NOT_APPLICABLE = "N/A"


@register("pay-nd-na-rules", "warning", "consistency",
          "Senior pay fields follow the organogram's N/D and N/A rules: a name may be N/D only if the pay "
          "is not disclosed; the pay floor and ceiling are both given or both N/D or N/A; a pay field is "
          "never left blank (N/D: not disclosed, N/A: not applicable); a post not in post (reference 0) "
          "has the name N/D.",
          schemas=("roles-senior",), table=True,
          columns=(POST, NAME, FLOOR, CEILING, COST),
          fix="Write N/D where a value is withheld and N/A where it does not apply (an unpaid post); give "
              "the pay band when a name is published.")
def pay_nd_na_rules(frame: pl.DataFrame, info):
    if not frame.height:
        return None
    raw, _ = info.raw_cells()
    cols = {f: info.raw_field(f) for f in (POST, NAME, FLOOR, CEILING, COST)}
    r = raw.select([pl.col("__row")] + [pl.col(c).str.strip_chars(" '\"").alias(f)
                                        for f, c in cols.items() if c is not None and c in raw.columns])
    r = r.join(frame.select("__row"), on="__row", how="semi")  # the rows the engine checked
    parts = []

    def add(hit: pl.DataFrame, name: str, message: pl.Expr):
        if hit.height:
            parts.append(hit.select(pl.col("__row").alias("row"), pl.lit(name).alias("field"),
                                    pl.col(name).alias("value"), message.alias("message")))

    def number(name):
        return pl.col(name).str.replace_all(r"[£,\s]", "").cast(pl.Float64, strict=False)

    has = set(r.columns)
    upper = lambda n: pl.col(n).fill_null("").str.to_uppercase()
    if NAME in has and FLOOR in has:
        add(r.filter((upper(NAME) == NOT_DISCLOSED) & (number(FLOOR) > 0).fill_null(False)), NAME, pl.format(
            "The name is N/D (not disclosed) but the pay floor is £{}. A name may be withheld only when the "
            "pay is not disclosed: publish the name, or write N/D in the pay fields.", pl.col(FLOOR)))
    if FLOOR in has and CEILING in has:
        for given, other in ((FLOOR, CEILING), (CEILING, FLOOR)):
            add(r.filter(number(given).is_not_null() & number(other).is_null()
                         & upper(other).is_in([NOT_DISCLOSED, NOT_APPLICABLE])), other, pl.format(
                "This is {} but {} is £{}. Give both ends of the pay band, or N/D in both.",
                pl.col(other), pl.lit(given), pl.col(given)))
    for name in (FLOOR, CEILING, COST):
        if name in has:
            add(r.filter(pl.col(name).fill_null("") == ""), name, pl.lit(
                f"{name} is blank. Write the amount, N/D if it is not disclosed, or N/A if it does not apply "
                f"(an unpaid post)" + (", or 0 if the post has no reports." if name == COST else ".")))
    if POST in has and NAME in has:
        add(r.filter((pl.col(POST) == "0") & (upper(NAME) != NOT_DISCLOSED)), NAME, pl.lit(
            "Post reference 0 means the person is not in a post, and then the name must be N/D."))
    return pl.concat(parts) if parts else None
