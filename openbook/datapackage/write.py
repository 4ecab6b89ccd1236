"""``openbook.package``: a deterministic Frictionless Data Package with provenance.

The package is written while the submission is validated: each batch of
normalised values streams into its resource's CSV, so memory does not grow
with the row count. Everything goes into a temporary folder that replaces
the target only when the package is complete and allowed.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import polars as pl

from openbook.version import __version__
from openbook.standard import schemas as standard
from openbook.errors import OpenbookError, Refused
from openbook.files import replacing, sha256_file, work_folder
from openbook.read.tables import expand_paths
from openbook.standard.period import parse_period
from openbook.check.text import looks_like_formula
from openbook.check.totals import total_rows
from openbook.standard.metadata import Metadata, slug
from openbook.check.result import Report
from openbook.datapackage.contract import valid_version

LICENCES = {
    "OGL-UK-3.0": {"name": "OGL-UK-3.0", "title": "Open Government Licence v3.0",
                   "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"},
    "CC-BY-4.0": {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                  "path": "https://creativecommons.org/licenses/by/4.0/"},
    "CC0-1.0": {"name": "CC0-1.0", "title": "CC0 1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"},
}

# --------------------------------------------------------------------------- the package's name
# A name says who, what and when: "trafford-council-card-transactions-2026-27".
# Without the "what", a council's card transactions and its supplier spend
# for one year would share a name, and publishing one would meet the other.

WHOLE_SUBMISSION = "open-book data"  # every resource the profile requires
_KIND_WORDS = {"roles-senior": "organogram", "roles-junior": "organogram"}
CARD_TRANSACTIONS = "card transactions"
# Card payments in a spend table: the values of its CardTransaction field
# (schemas/spend.json) that say "by card", and words that name a card file or
# sheet (the GPC and purchase-card names of schemas/spend.json, and their
# common spellings).
_CARD_VALUES = {"yes", "y", "gpc", "ccc"}
_CARD_WORDS = re.compile(r"\b(gpc|p ?cards?|(purchas\w*|procurement|credit|corporate) cards?|cards? "
                         r"(transactions?|payments?|spend\w*|expenditure))\b")


def holdings(present: list[str], profile: dict, spend_csv: Path, spend_sources: list[str]) -> str:
    """What a package holds, in words: "open-book data" for a whole submission,
    else its kinds of table ("spend", "card transactions", "organogram"...)."""
    required = {r["name"] for r in profile.get("resources", []) if r.get("required")}
    if not present or (required and required <= set(present)):
        return WHOLE_SUBMISSION
    kinds: list[str] = []
    for res in present:
        words = _KIND_WORDS.get(res) or standard.load(res).get("title", res).lower()
        if res == "spend" and _card_transactions(spend_csv, spend_sources):
            words = CARD_TRANSACTIONS
        if words not in kinds:
            kinds.append(words)
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]


def _card_transactions(spend_csv: Path, sources: list[str]) -> bool:
    """Whether the spend table holds card payments only: every CardTransaction
    value says a card; else each of its ``sources`` (a file's name and its
    sheet's) is named for cards; else every row has a merchant category code
    (cards alone have one)."""
    frame = pl.read_csv(spend_csv, columns=["CardTransaction", "MerchantCategoryCode"], infer_schema_length=0)
    flags = frame["CardTransaction"].drop_nulls().str.strip_chars().str.to_lowercase()
    flags = flags.filter(flags != "")
    if flags.len():
        return bool(flags.is_in(list(_CARD_VALUES)).all())
    named = [re.sub(r"[^a-z0-9]+", " ", name.lower()) for name in sources if name]
    if named and all(_CARD_WORDS.search(name) for name in named):
        return True
    codes = frame["MerchantCategoryCode"]
    return frame.height > 0 and codes.null_count() == 0 and bool((codes.str.strip_chars() != "").all())


def package_name(org_name: str, holds: str, period: str) -> str:
    """The package's name: who, what and when, as a slug."""
    what = "open-book" if holds == WHOLE_SUBMISSION else holds
    return slug(f"{org_name} {what} {period}")


@dataclass
class PackageResult:
    path: Path
    descriptor: dict
    report: Report


def created_timestamp() -> str:
    """Now, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch
              else dt.datetime.now(dt.timezone.utc))
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix an apostrophe to text a spreadsheet would run as a formula (OWASP's advice)."""
    return frame.with_columns([
        pl.when(looks_like_formula(pl.col(c)))
        .then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in frame.columns])


class _ResourceWriter:
    """Streams normalised batches into one CSV per resource, in source order."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: dict[str, object] = {}
        self.rows: dict[str, int] = {}
        self.fields: dict[str, list[str]] = {}
        self.left_out: dict[str, list[int]] = {}   # resource -> source rows of total lines not written

    def __call__(self, table, live: pl.DataFrame) -> None:
        name = table.schema
        if name == "spend":   # a total line is not a payment: leave it out, and say so in the descriptor
            present = {c for c in live.columns if live[c].null_count() < live.height}
            totals = total_rows(live, present)
            if totals.any():
                self.left_out.setdefault(name, []).extend(live.filter(totals)["__row"].to_list())
                live = live.filter(~totals)
        if name not in self.files:
            (self.folder / "data").mkdir(parents=True, exist_ok=True)
            self.files[name] = open(self.folder / "data" / f"{name}.csv", "wb")
            self.rows[name] = 0
            self.fields[name] = [f["name"] for f in standard.load(name)["fields"]]
        columns = self.fields[name]
        batch = neutralise_formulas(live.select(columns))
        batch.write_csv(self.files[name], include_header=self.rows[name] == 0, line_terminator="\n",
                        null_value="", quote_style="necessary")
        self.rows[name] += batch.height

    def close(self) -> None:
        for f in self.files.values():
            f.close()


def _schema_for(name: str, present: set[str], profile: dict) -> dict:
    schema = standard.load(name)
    fks = [{"fields": fk["fields"], "reference": {"resource": fk["reference"]["resource"],
                                                   "fields": fk["reference"]["fields"]}}
           for fk in profile.get("foreignKeys", [])
           if fk["resource"] == name and fk["reference"]["resource"] in present]
    if fks:
        schema["foreignKeys"] = fks
    return schema


def package(paths: str | Path | Iterable[str | Path], out_dir: str | Path = "out", profile: str | None = None,
            org_uri: str | None = None, org_name: str | None = None, period: str | None = None,
            licence: str | None = None, population: int | None = None, zip: bool = False,
            allow_invalid: bool = False, allow_personal_data: bool = False,
            skip_checks: Iterable[str] = (), progress=None, holds: str | None = None,
            version: str | None = None, mapping: str | Path | None = None) -> PackageResult:
    """Validate a submission and write it as a Frictionless Data Package.

    Its name says who, what and when (``trafford-council-card-transactions-2026-27``):
    ``holds`` says what in words ("card transactions"), else it comes from
    the tables. ``version`` (default: the About sheet's, else 1.0.0) is the
    version it will be published as.

    Settings come from an About sheet, then openbook.yaml beside the input,
    then these arguments (which win); the period may also come from a mapping
    or the file's name. ``mapping`` is a mapping file (openbook map). Refuses (OpenbookError) a submission
    with errors unless ``allow_invalid``; data-protection errors need
    ``allow_personal_data`` as well.
    """
    from openbook.check.validate import validate
    from openbook.check.registry import REGISTRY

    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    files = expand_paths([str(p) for p in paths])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the package's name needs the About sheet, which validation reads: work
    # under a temporary name, renamed once the package is complete
    work = work_folder(out_dir, ".openbook-package.")  # leftovers of killed runs are removed
    try:
        writer = _ResourceWriter(work)
        try:
            report = validate([str(p) for p in paths], profile=profile, skip_checks=skip_checks,
                              sink=writer, progress=progress, period=period, org_uri=org_uri,
                              org_name=org_name, mapping=mapping)
        finally:
            writer.close()
        if not sum(writer.rows.values()):   # an empty template is not a submission
            raise Refused(f"{', '.join(str(p) for p in paths)}: no data rows to package "
                          f"({len(report.tables)} tables found, none with a row of data). Fill in the sheets, "
                          "check them with `openbook validate`, then package again.")
        meta = Metadata()
        meta.update(report.settings)
        meta.update({"period": report.period})   # from a file's name or mapping, when nothing else says
        meta.update({k: v for k, v in report.settings.items() if k == "period"})
        meta.update({"org_uri": org_uri, "org_name": org_name, "period": period, "licence": licence,
                     "population": population, "version": version})
        licence_id = _check_settings(meta, paths[0])
        if meta.version not in (None, "") and not valid_version(str(meta.version).strip()):
            raise OpenbookError(f"version {meta.version!r}: not a version such as 1.1.0. Give one made of letters, "
                                "digits, '.', '-' and '+'.")
        if holds is not None and not slug(holds):
            raise OpenbookError(f"--holds {holds!r}: say in words what the package holds, such as "
                                "\"card transactions\" or \"spend\".")
        what = holds.strip() if holds else holdings(
            _present(report, writer), standard.profile(report.profile or "council"),
            work / "data" / "spend.csv",
            [f"{Path(t.path).stem} {t.sheet or ''}" for t in report.tables if t.schema == "spend"])
        name = package_name(meta.org_name, what, meta.period)
        protection = {c.code for c in REGISTRY.values() if c.category == "data protection"}
        refused = _refusal(report, allow_invalid, allow_personal_data, protection)
        if refused:
            raise Refused(refused)
        descriptor = _descriptor(work, name, what, meta, licence_id, report, files, writer,
                                 allow_invalid, allow_personal_data)
        if not report.valid:
            (work / "report.json").write_text(report.to_json(), encoding="utf-8")
        text = json.dumps(descriptor, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (work / "datapackage.json").write_text(text, encoding="utf-8")
        if zip:
            target = out_dir / f"{name}.zip"
            _write_zip(work, target, descriptor["created"])
            shutil.rmtree(work)
        else:
            target = out_dir / name
            _replace_dir(work, target)
        return PackageResult(path=target, descriptor=descriptor, report=report)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _check_settings(meta: Metadata, first: Path) -> str:
    """Everything a package must say about itself is there; returns the licence id."""
    missing = [opt for opt, val in (("--org-name", meta.org_name), ("--org-uri", meta.org_uri),
                                    ("--period", meta.period)) if not val]
    if missing:
        raise OpenbookError(f"{first}: {', '.join(missing)} not given. Add them on the command line, "
                            "in an About sheet, or in openbook.yaml beside the file.")
    licence_id = meta.licence or "OGL-UK-3.0"
    if licence_id not in LICENCES:
        raise OpenbookError(f"licence {licence_id}: not one openbook knows. Use one of: {', '.join(LICENCES)}.")
    if meta.population not in (None, ""):
        try:
            meta.population = int(str(meta.population).replace(",", "").split(".")[0])
        except ValueError:
            raise OpenbookError(f"population {meta.population!r}: use a whole number such as 98400.") from None
    return licence_id


def _refusal(report: Report, allow_invalid: bool, allow_personal: bool, protection: set[str]) -> str | None:
    if report.valid:
        return None
    personal = sum(n for (sev, code, _), n in report.counts().items() if sev == "error" and code in protection)
    where = ", ".join(sorted({t.path for t in report.tables}))
    if personal and not allow_personal:
        return (f"{where}: {personal} cells look like personal data (names, emails, bank details...). "
                "Run `openbook validate` to see them and redact them; to publish anyway, add "
                "--allow-invalid --allow-personal-data.")
    if not allow_invalid:
        return (f"{where}: the submission has {report.errors} errors, so it was not packaged. "
                "Run `openbook validate` to see and fix them, or add --allow-invalid to package it anyway.")
    return None


def _present(report: Report, writer: _ResourceWriter) -> list[str]:
    """The resources packaged, in the profile's order."""
    prof = standard.profile(report.profile or "council")
    order = [r["name"] for r in prof.get("resources", [])] + standard.names()
    return sorted(writer.files, key=order.index)


def _descriptor(work: Path, name: str, what: str, meta: Metadata, licence_id: str, report: Report,
                files: list[Path], writer: _ResourceWriter, allow_invalid: bool, allow_personal: bool) -> dict:
    prof_name = report.profile or "council"
    prof = standard.profile(prof_name)
    present = set(writer.files)
    resources = []
    for res in _present(report, writer):
        path = work / "data" / f"{res}.csv"
        resources.append({
            "name": res, "path": f"data/{res}.csv", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "bytes": path.stat().st_size, "hash": f"sha256:{sha256_file(path)}",
            "rows": writer.rows[res], "schema": _schema_for(res, present, prof),
            "title": standard.load(res).get("title", res),
        })
    org_slug = slug(meta.org_name)
    created = created_timestamp()
    coverage = parse_period(meta.period)
    validation = {"valid": report.valid, "tables": len(report.tables), "rows": report.rows,
                  "errors": report.errors, "warnings": report.warnings, "redactions": report.redactions,
                  "skippedChecks": report.skipped_checks}
    # what validation read but the package does not carry: total lines, and blank rows
    blank = sum(int((t.problems["code"] == "blank-row").sum()) for t in report.tables)
    totals = sum(len(v) for v in writer.left_out.values())
    if blank or totals:
        validation["leftOut"] = {"blankRows": blank, "totalRows": totals,
                                 "totalRowNumbers": sorted(r for v in writer.left_out.values() for r in v)[:100]}
    if not report.valid:
        validation["report"] = "report.json"
    descriptor = {
        "name": name,
        "title": f"{meta.org_name}: {what} {meta.period}",
        "description": meta.description or (f"{what[:1].upper()}{what[1:]} published by {meta.org_name} for "
                                             f"{meta.period}, "
                                             f"to the openbook standard {standard.STANDARD_VERSION} "
                                             f"({prof.get('title', prof_name)})."),
        "version": str(meta.version or "1.0.0").strip(),
        "created": created,
        "licenses": [LICENCES[licence_id]],
        "publisher": {"title": meta.org_name, "path": meta.org_uri, "slug": org_slug},
        "contributors": [{"title": meta.org_name, "path": meta.org_uri, "role": "publisher",
                          **({"email": meta.contact} if meta.contact else {})}],
        "keywords": ["open-book", "transparency", prof_name] + [r["name"] for r in resources],
        "sources": [{"title": f.name, "hash": f"sha256:{sha256_file(f)}"} for f in files],
        "resources": resources,
        "openbook": {
            "standard": standard.STANDARD_VERSION, "profile": prof_name, "period": meta.period,
            "organisation": {"uri": meta.org_uri, "name": meta.org_name, "slug": org_slug},
            "population": meta.population, "generator": f"openbook {__version__}",
            "validation": validation,
            "personalDataAllowed": bool(allow_personal and not report.valid),
            "invalidAllowed": bool(allow_invalid and not report.valid),
        },
    }
    descriptor["temporalCoverage"] = {"start": coverage.start.isoformat(), "end": coverage.end.isoformat()}
    return descriptor


def _replace_dir(work: Path, target: Path) -> None:
    """Swap the finished package in: the old one stays whole until the new one is."""
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(work, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(work, target)


def _write_zip(work: Path, target: Path, created: str) -> None:
    stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    stamp = max(stamp, dt.datetime(1980, 1, 1))
    with replacing(target, "package") as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in work.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(work).as_posix(), date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(path, "rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
