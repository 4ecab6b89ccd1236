"""Seeded spend data for the benchmarks: CSV (any size, streamed) and XLSX.

Rows carry every column of the bundled spend schema, in schema order, with
the values frictionless reads natively (ISO dates, plain numbers). About 1%
of rows hold exactly one error, picked from six kinds: bad date, non-numeric
amount, blank required cell, duplicate TransactionNumber (a primary-key
error under bench's schema copy), CapitalOrRevenue outside its enum, and
CIPFAExpenditureCode breaking its pattern. Each error row yields exactly one
error, so the expected count is known without reading the file back.

Generation is vectorised with polars (hashes of the row number stand in for
random numbers), so the 10M-row file (about 2 GB) takes a minute, not ten.

Two shapes of the same rows:

- ``clean``: the values frictionless reads natively, headers as the schema names them;
- ``ledger``: a council ledger export as councils publish it (``ledger()``): header
  variants (``Supplier Name``, ``Date paid``, ``Net Amount``...), dates as
  ``31/01/2025`` and ``31-Jan-2025``, amounts as ``£1,234.56`` and ``(1,234.56)``,
  long purpose text (rows of about 450 bytes), payees that repeat as real ones do
  (a few suppliers take most lines), about 1% exact duplicate lines, and cp1252
  bytes (``£``, ``–``). Each duplicate line is one more primary-key error, so the
  expected count stays exact.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import polars as pl

SEED = 42
CHUNK = 1_000_000
ERROR_RATE_PER_10K = 200          # of odd rows only: 1% of all rows
KINDS = ["bad-date", "bad-amount", "blank-required", "duplicate-key", "enum", "pattern"]
ORG_URI = "https://opendatacommunities.org/id/county-council/anytown"
UNITS = ["Adult Social Care", "Children's Services", "Highways", "Finance", "Waste Management",
         "Public Health", "Libraries Arts & Heritage", "Property Services"]
PURPOSES = ["Catering provisions", "Road repairs, resurfacing", "Agency staff", "IT software licences",
            "Residential care placement", "Consultancy fees", "Building maintenance", "Vehicle hire",
            "Grant payment", "Stationery and printing"]
CATEGORIES = ["Supplies and Services", "Third Party Payments", "Premises-Related Expenditure",
              "Transport-Related Expenditure", "Employees"]
REQUIRED = ["OrganisationLabel", "PaymentDate", "OrganisationalUnit", "BeneficiaryName", "Purpose", "Amount"]
SHAPES = ("clean", "ledger")
# The headers of a ledger export: what councils' finance systems print (each is an
# x-alias of its field in schemas/spend.json, so openbook maps it without a mapping file).
LEDGER_HEADERS = {
    "OrganisationURI": "Body", "OrganisationLabel": "Name of Body", "PaymentDate": "Date paid",
    "TransactionNumber": "Transaction No", "OrganisationalUnit": "Service Area",
    "ServiceCategoryLabel": "Service Category", "ServiceDivisionLabel": "Service Division",
    "BeneficiaryName": "Supplier name", "BeneficiaryID": "Supplier ID", "BeneficiaryType": "Creditor Type",
    "BeneficiaryRegistrationNumber": "Company Number", "VATRegistrationNumber": "VAT Reg No",
    "Purpose": "Purpose of Expenditure (Narrative)", "ExpenditureCategory": "Subjective Group",
    "CIPFAExpenditureCode": "Subjective Code", "CIPFADetailedExpenditureType": "Subjective Subgroup",
    "MerchantCategory": "Procurement Category", "MerchantCategoryCode": "MCC",
    "ProclassLabel": "Procurement Classification", "Amount": "Net Amount",
    "IrrecoverableVATAmount": "Irrecoverable VAT", "CapitalOrRevenue": "Cap/Rev",
    "CardTransaction": "Purchase Card", "ContractReference": "Contract Ref", "Currency": "Currency Code",
}
NARRATIVE = ["as per the framework agreement", "for the period shown on the invoice",
             "including delivery and installation – see order", "call-off under the council's contract",
             "to support the service's statutory duties", "agreed by the budget holder, cost centre as coded"]


def spend_fields() -> list[str]:
    import openbook.standard.schemas as standard
    return [f["name"] for f in standard.load("spend")["fields"]]


def ledger_schema_for_frictionless() -> dict:
    """The keyed schema under the ledger's headers, with the UK formats frictionless
    can express (dd/mm/yyyy dates; £ and thousands separators in amounts). What it
    cannot express (a second date format, bracketed credits) it reports as errors."""
    s = spend_schema_with_key()
    for f in s["fields"]:
        f["name"] = LEDGER_HEADERS.get(f["name"], f["name"])
        if f["name"] in ("Date paid", "EffectiveDate"):
            f["format"] = "%d/%m/%Y"
            f.pop("example", None)  # the schema's ISO example no longer fits the format
    s["primaryKey"] = [LEDGER_HEADERS["TransactionNumber"]]
    return s


def spend_schema_with_key() -> dict:
    """The bundled spend schema with primaryKey TransactionNumber, as
    perf-baseline.md measured, so the key-tracking cost is in the figures."""
    import openbook.standard.schemas as standard
    s = standard.load("spend")
    s["primaryKey"] = ["TransactionNumber"]
    return s


def _u(i: pl.Expr, k: int) -> pl.Expr:
    """A uniform-ish u64 per row, different for each k."""
    return i.hash(seed=SEED * 1000 + k)


def _pick(values: list[str], i: pl.Expr, k: int) -> pl.Expr:
    return pl.lit(pl.Series(values)).gather(_u(i, k) % len(values))


def chunk(start: int, n: int, errors: bool = True) -> pl.DataFrame:
    """Rows start..start+n-1 (0-based data rows); with ``errors=False``, none injected."""
    fields = spend_fields()
    i = pl.col("i")
    frame = pl.DataFrame({"i": pl.int_range(start, start + n, dtype=pl.Int64, eager=True)})
    supplier = _u(i, 1) % 2000
    day = (_u(i, 2) % 365).cast(pl.Int64)
    amount_f = (pl.lit(500.0) * ((_u(i, 3) % 1_000_000).cast(pl.Float64) / 1e6 * 6).exp()).round(2)
    amount_f = pl.when(_u(i, 4) % 100 < 3).then(-amount_f).otherwise(amount_f)
    err = (_u(i, 5) % 10_000 < ERROR_RATE_PER_10K) & (i % 2 == 1)   # only odd rows: see duplicate-key
    if not errors:
        err = pl.lit(False)
    kind = (_u(i, 6) % len(KINDS)).cast(pl.Int64)
    has_po = _u(i, 7) % 10 < 7
    cols = {
        "OrganisationURI": pl.lit(ORG_URI),
        "OrganisationLabel": pl.lit("Anytown County Council"),
        "EffectiveDate": (pl.lit(dt.date(2025, 4, 30)) + pl.duration(days=(day // 30) * 30)).dt.to_string("%Y-%m-%d"),
        "PaymentDate": (pl.lit(dt.date(2025, 4, 1)) + pl.duration(days=day)).dt.to_string("%Y-%m-%d"),
        "TransactionNumber": pl.format("T{}", i.cast(pl.String).str.zfill(9)),
        "OrganisationalUnit": _pick(UNITS, i, 8),
        "ServiceCategoryLabel": pl.lit(None, pl.String),
        "ServiceDivisionLabel": pl.lit(None, pl.String),
        "ServiceDivisionCode": pl.lit(None, pl.String),
        "BeneficiaryName": pl.format("Supplier {} Ltd", supplier),
        "BeneficiaryID": (supplier + 100000).cast(pl.String),
        "BeneficiaryType": pl.lit(None, pl.String),
        "BeneficiaryRegistrationNumber": pl.lit(None, pl.String),
        "VATRegistrationNumber": pl.when(supplier % 10 < 6).then((supplier * 7919 + 100000000).cast(pl.String)),
        "Purpose": _pick(PURPOSES, i, 9),
        "ExpenditureCategory": _pick(CATEGORIES, i, 10),
        "CIPFAExpenditureCode": (5000 + _u(i, 11) % 100).cast(pl.String),
        "CIPFADetailedExpenditureType": pl.lit(None, pl.String),
        "MerchantCategory": pl.lit(None, pl.String),
        "MerchantCategoryCode": pl.lit(None, pl.String),
        "ProclassCode": pl.lit(None, pl.String),
        "ProclassLabel": pl.lit(None, pl.String),
        "Amount": amount_f.cast(pl.String),
        "IrrecoverableVATAmount": pl.lit("0"),
        "CapitalOrRevenue": pl.when(_u(i, 12) % 10 < 8).then(pl.lit("R")).otherwise(pl.lit("C")),
        "CardTransaction": pl.lit(None, pl.String),
        "ContractReference": pl.when(has_po).then(pl.format("PO{}", (_u(i, 13) % 900000 + 100000))),
        "GrantPeriod": pl.lit(None, pl.String),
        "GrantPurpose": pl.lit(None, pl.String),
        "FunctionID": pl.lit(None, pl.String),
        "Currency": pl.lit("GBP"),
    }
    assert list(cols) == fields, "bench/gen.py is out of step with schemas/spend.json"
    frame = frame.with_columns(err.alias("__err"), kind.alias("__kind"),
                               (_u(i, 14) % len(REQUIRED)).cast(pl.Int64).alias("__req"),
                               **{k: v for k, v in cols.items()})
    e = pl.col("__err")
    k = pl.col("__kind")

    def at(kind_name: str) -> pl.Expr:
        return e & (k == KINDS.index(kind_name))
    # a duplicate copies the number of an even (never altered) earlier row
    src = i - 1 - 2 * (_u(i, 15) % 500).cast(pl.Int64)
    src = pl.when(src < 0).then(pl.lit(0, pl.Int64)).otherwise(src)
    bad_date = pl.when(_u(i, 16) % 2 == 0).then(pl.lit("2025-02-30")).otherwise(pl.lit("not known"))
    frame = frame.with_columns(
        PaymentDate=pl.when(at("bad-date")).then(bad_date).otherwise(pl.col("PaymentDate")),
        Amount=pl.when(at("bad-amount")).then(pl.lit("TBC")).otherwise(pl.col("Amount")),
        TransactionNumber=pl.when(at("duplicate-key") & (i > 0))
        .then(pl.format("T{}", src.cast(pl.String).str.zfill(9))).otherwise(pl.col("TransactionNumber")),
        CapitalOrRevenue=pl.when(at("enum")).then(pl.lit("Capital spend")).otherwise(pl.col("CapitalOrRevenue")),
        CIPFAExpenditureCode=pl.when(at("pattern")).then(pl.lit("50A1")).otherwise(pl.col("CIPFAExpenditureCode")),
    )
    # blank one required field
    frame = frame.with_columns(**{
        name: pl.when(at("blank-required") & (pl.col("__req") == j)).then(pl.lit(None, pl.String))
        .otherwise(pl.col(name)) for j, name in enumerate(REQUIRED)})
    return frame


def ledger(frame: pl.DataFrame) -> pl.DataFrame:
    """The chunk as a ledger export prints it (see the module's docstring); the
    same errors, plus one primary-key error for each duplicate line appended."""
    i = pl.col("i")
    date = pl.col("PaymentDate").str.to_date("%Y-%m-%d", strict=False)
    uk_date = pl.when(_u(i, 21) % 10 < 7).then(date.dt.to_string("%d/%m/%Y")).otherwise(date.dt.to_string("%d-%b-%Y"))
    # an invalid date stays invalid, written the UK way round ("30/02/2025")
    bad = pl.col("PaymentDate").str.extract(r"^(\d{4})-(\d{2})-(\d{2})$", 0)
    uk_bad = pl.concat_str([pl.col("PaymentDate").str.slice(8, 2), pl.col("PaymentDate").str.slice(5, 2),
                            pl.col("PaymentDate").str.slice(0, 4)], separator="/")
    amount = pl.col("Amount").cast(pl.Float64, strict=False)
    pounds = amount.abs().map_batches(
        lambda s: pl.Series([None if v is None else f"{v:,.2f}" for v in s.to_list()], dtype=pl.String),
        return_dtype=pl.String)
    money = (pl.when(amount < 0).then(pl.concat_str([pl.lit("("), pounds, pl.lit(")")]))
             .otherwise(pl.concat_str([pl.lit("£"), pounds])))
    # a few suppliers take most lines, as in real ledgers
    share = (_u(i, 22) % 1_000_000).cast(pl.Float64) / 1e6
    supplier = (share.pow(3) * 2000).cast(pl.Int64)
    narrative = pl.concat_str([pl.col("Purpose"), pl.lit(" for "), pl.col("OrganisationalUnit").fill_null("the council"), pl.lit(", "),
                               _pick(NARRATIVE, i, 23), pl.lit(", invoice "),
                               (_u(i, 24) % 9_000_000 + 1_000_000).cast(pl.String), pl.lit(" (£ net of VAT)")])
    out = frame.with_columns(
        PaymentDate=pl.when(date.is_not_null()).then(uk_date)
        .when(bad.is_not_null()).then(uk_bad).otherwise(pl.col("PaymentDate")),
        EffectiveDate=pl.col("EffectiveDate").str.to_date("%Y-%m-%d").dt.to_string("%d/%m/%Y"),
        Amount=pl.when(amount.is_not_null()).then(money).otherwise(pl.col("Amount")),
        BeneficiaryName=pl.when(pl.col("BeneficiaryName").is_not_null())
        .then(pl.format("Supplier {} Ltd", supplier)).otherwise(pl.col("BeneficiaryName")),
        BeneficiaryID=(supplier + 100000).cast(pl.String),
        Purpose=pl.when(pl.col("Purpose").is_not_null()).then(narrative).otherwise(pl.col("Purpose")),
        ServiceCategoryLabel=pl.lit("Corporate and Democratic Core – central services"),
        ServiceDivisionLabel=pl.col("OrganisationalUnit"),
        BeneficiaryType=pl.lit("VENDOR"),
    )
    # exact duplicate lines: copies of untouched even rows, appended (1 primary-key error each)
    copies = out.filter((i % 2 == 0) & (_u(i, 20) % 100 < 1))
    return pl.concat([out, copies.with_columns(pl.lit(True).alias("__copy"))], how="diagonal")


def expected_errors(frame: pl.DataFrame) -> int:
    i = pl.col("i")
    copies = frame.filter(pl.col("__copy")).height if "__copy" in frame.columns else 0
    injected = frame.filter(pl.col("__err") & ~((pl.col("__kind") == KINDS.index("duplicate-key")) & (i == 0)))
    if "__copy" in frame.columns:
        injected = injected.filter(pl.col("__copy").is_null())
    return injected.height + copies


def _named(frame: pl.DataFrame, shape: str) -> pl.DataFrame:
    fields = spend_fields()
    if shape == "clean":
        return frame.select(fields)
    return frame.select([pl.col(f).alias(LEDGER_HEADERS.get(f, f)) for f in fields])


def _encode(data: bytes, shape: str) -> bytes:
    return data if shape == "clean" else data.decode("utf-8").encode("cp1252")


def write_csv(path: Path, rows: int, shape: str = "clean") -> dict:
    """Streams the file chunk by chunk; returns its facts (also written to <path>.json).
    ``rows`` counts the generated rows; a ledger adds its duplicate lines to them."""
    meta_path = Path(str(path) + ".json")
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("generated") == rows and meta.get("seed") == SEED and meta.get("shape", "clean") == shape:
            return meta
    tmp = path.with_suffix(".tmp")
    errors = written = 0
    with open(tmp, "wb") as f:
        for start in range(0, rows, CHUNK):
            frame = chunk(start, min(CHUNK, rows - start))
            if shape == "ledger":
                frame = ledger(frame)
            errors += expected_errors(frame)
            written += frame.height
            buf = io.BytesIO()
            _named(frame, shape).write_csv(buf, include_header=start == 0, null_value="")
            f.write(_encode(buf.getvalue(), shape))
    tmp.rename(path)
    meta = {"rows": written, "generated": rows, "errors": errors, "seed": SEED, "shape": shape,
            "bytes": path.stat().st_size}
    meta_path.write_text(json.dumps(meta))
    return meta


def write_xlsx(path: Path, rows: int, shape: str = "clean", errors: bool = True) -> dict:
    """The same rows as write_csv, in a workbook: shared strings (xlsxwriter's
    default, as Excel writes), real date cells and number cells; an error value
    is written as text in its cell, as a person would type it.

    ``shape="ledger"`` writes the ledger's rows (headers, long text, repeated
    payees, duplicate lines) as a finance system's Excel export does, a mix of
    typed and text cells: ``ledger_cells`` says which. ``errors=False`` writes
    rows with no injected error (the annotate benchmark's valid workbook)."""
    import xlsxwriter
    meta_path = Path(str(path) + ".json")
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if (meta.get("generated", meta.get("rows")) == rows and meta.get("seed") == SEED
                and meta.get("shape", "clean") == shape and meta.get("injected", True) == errors):
            return meta
    fields = spend_fields()
    frame = chunk(0, rows, errors=errors)
    if shape == "ledger":
        frame = ledger(frame)
    expected = expected_errors(frame)
    frame = _named(frame, shape)
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp))
    ws = wb.add_worksheet("Spend")
    ws.write_row(0, 0, frame.columns)
    if shape == "ledger":
        _ledger_cells(wb, ws, frame)
    else:
        _clean_cells(wb, ws, frame, fields)
    wb.close()
    tmp.rename(path)
    meta = {"rows": frame.height, "generated": rows, "errors": expected, "seed": SEED, "shape": shape,
            "injected": errors, "bytes": path.stat().st_size}
    meta_path.write_text(json.dumps(meta))
    return meta


def _clean_cells(wb, ws, frame: pl.DataFrame, fields: list[str]) -> None:
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00"})
    date_cols = {fields.index("PaymentDate"), fields.index("EffectiveDate")}
    number_cols = {fields.index("Amount"), fields.index("IrrecoverableVATAmount")}
    parse_date = dt.date.fromisoformat
    for r, row in enumerate(frame.iter_rows(), start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if c in date_cols:
                try:
                    ws.write_datetime(r, c, dt.datetime.combine(parse_date(v), dt.time()), date_fmt)
                    continue
                except ValueError:
                    pass
            elif c in number_cols:
                try:
                    ws.write_number(r, c, float(v), money)
                    continue
                except ValueError:
                    pass
            ws.write_string(r, c, v)


# A ledger export in Excel, as finance systems write one (and as people then edit it):
# - dates: real date cells shown dd/mm/yyyy, except the ``31-Jan-2025`` ones, which
#   stay text (pasted from another report: about 30% of PaymentDate);
# - amounts: real numbers shown £#,##0.00 with credits in brackets, except about one
#   in ten written as text (``£1,234.56``, ``(1,234.56)``: Excel's "number stored as
#   text", from a pasted or re-keyed line);
# - Irrecoverable VAT a number (0); every other column text (shared strings), IDs too;
# - an error value (``30/02/2025``, ``not known``, ``TBC``) is text, as typed.
LEDGER_TEXT_AMOUNTS_PER_100 = 10


def _ledger_cells(wb, ws, frame: pl.DataFrame) -> None:
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    money = wb.add_format({"num_format": "\u00a3#,##0.00;(\u00a3#,##0.00)"})
    names = frame.columns
    date_cols = {names.index(LEDGER_HEADERS["PaymentDate"]), names.index("EffectiveDate")}
    amount_col = names.index(LEDGER_HEADERS["Amount"])
    vat_col = names.index(LEDGER_HEADERS["IrrecoverableVATAmount"])
    strptime = dt.datetime.strptime
    for r, row in enumerate(frame.iter_rows(), start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if c in date_cols and len(v) == 10 and v[2] == "/":
                try:
                    ws.write_datetime(r, c, strptime(v, "%d/%m/%Y"), date_fmt)
                    continue
                except ValueError:
                    pass      # 30/02/2025 stays text
            elif c == amount_col and (r * 7919) % 100 >= LEDGER_TEXT_AMOUNTS_PER_100:
                text = v.replace("\u00a3", "").replace(",", "")
                negative = text.startswith("(") and text.endswith(")")
                try:
                    number = float(text.strip("()"))
                except ValueError:
                    pass      # TBC stays text
                else:
                    ws.write_number(r, c, -number if negative else number, money)
                    continue
            elif c == vat_col:
                try:
                    ws.write_number(r, c, float(v), money)
                    continue
                except ValueError:
                    pass
            ws.write_string(r, c, v)


def write_folder(folder: Path, files: int, rows_each: int) -> dict:
    """files small CSVs, as a folder of monthly submissions."""
    meta_path = folder / "folder.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("files") == files and meta.get("rows_each") == rows_each and meta.get("seed") == SEED:
            return meta
    folder.mkdir(parents=True, exist_ok=True)
    fields = spend_fields()
    for n in range(files):
        frame = chunk(n * rows_each, rows_each)
        frame.select(fields).write_csv(folder / f"spend-{n:03d}.csv", null_value="")
    meta = {"files": files, "rows_each": rows_each, "rows": files * rows_each, "seed": SEED}
    meta_path.write_text(json.dumps(meta))
    return meta


def write_catalogue(folder: Path, bodies: int) -> dict:
    """A catalogue of ``bodies`` council packages, laid out as publish does
    (<org>/<dataset>/latest/, and every table as Parquet under _parquet/, see
    write_columnar), made from the three example councils with each copy's
    organisation, population and money scaled so that no two are alike."""
    meta = _write_packages(folder, bodies)
    write_columnar(folder)
    return meta


def write_columnar(folder: Path) -> None:
    """The Parquet copy publish writes beside each dataset's latest/, made by publish's own
    code (openbook/publish/columnar.py) from each package as loaded and checked. Publishing
    4,000 packages one by one would rebuild index.html 4,000 times; the Parquet is the same."""
    from openbook.datapackage.contract import FolderFiles, load_package
    from openbook.publish import columnar

    marker = folder / ".parquet-complete"
    if marker.exists():
        return
    for latest in sorted(folder.glob("*/*/latest")):
        pkg = load_package(str(latest), FolderFiles(latest), in_latest=True)
        for item in columnar.items(pkg):
            out = folder.joinpath(*item.path.split("/"))
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(item.data)
    marker.write_text("done")


def _write_packages(folder: Path, bodies: int) -> dict:
    import json
    import os
    import random
    import shutil
    import tempfile

    marker = folder / ".complete"
    if marker.exists() and marker.read_text() == str(bodies):
        return json.loads((folder / ".meta.json").read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1764288000")
    from openbook.files import sha256_file
    from openbook.datapackage.write import package
    examples = Path(__file__).resolve().parent.parent / "examples"
    bases = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("anytown-borough-council", "brookshire-district-council", "castleford-city-council"):
            bases.append(package(examples / f"{name}.xlsx", out_dir=Path(tmp) / name).path)
        rng = random.Random(42)
        rows = 0
        for i in range(bodies):
            base = bases[i % 3]
            d = json.loads((base / "datapackage.json").read_text())
            old_uri = d["openbook"]["organisation"]["uri"]
            slug = f"council-{i:03d}"
            uri = f"https://www.{slug}.gov.uk/"
            scale = rng.uniform(0.6, 1.6)
            target = folder / slug / f"{slug}-2025-26" / "latest"
            (target / "data").mkdir(parents=True)
            for res in d["resources"]:
                frame = pl.read_csv(base / res["path"], infer_schema=False)
                if "OrganisationURI" in frame.columns:
                    frame = frame.with_columns(pl.col("OrganisationURI").str.replace(old_uri, uri, literal=True))
                for money in ("AnnualCost", "Actual", "Budget", "Amount"):
                    if money in frame.columns:
                        frame = frame.with_columns((pl.col(money).cast(pl.Float64) * scale).round(2)
                                                   .cast(pl.String).alias(money))
                out = target / res["path"]
                frame.write_csv(out)
                res["bytes"], res["hash"] = out.stat().st_size, f"sha256:{sha256_file(out)}"
                rows += frame.height
            d["name"] = f"{slug}-2025-26"
            d["publisher"] = {"title": f"Council {i:03d}", "path": uri, "slug": slug}
            d["openbook"]["organisation"] = {"uri": uri, "name": f"Council {i:03d}", "slug": slug}
            d["openbook"]["population"] = int(d["openbook"]["population"] * scale * rng.uniform(0.8, 1.2))
            (target / "datapackage.json").write_text(json.dumps(d, indent=2, sort_keys=True))
    meta = {"bodies": bodies, "rows": rows}
    (folder / ".meta.json").write_text(json.dumps(meta))
    marker.write_text(str(bodies))
    return meta
