"""Differential test: openbook finds exactly the errors frictionless finds.

A seeded generator writes a ~3,000-row spend CSV (and a functions CSV it
refers to) inside the common ground of the two validators: ISO dates, plain
numbers, every schema field as a header in schema order, no blank rows, no
surrounding spaces. It injects one error of a known kind into about 4% of
rows: type (bad date, non-numeric amount), required (blank required cell),
pattern, enum (CapitalOrRevenue), range (minimum on a test copy of the
schema), primary key (a test copy of spend with primaryKey
TransactionNumber; the functions schema's composite key) and foreign key
(spend OrganisationURI + FunctionID -> functions).

Both tools run on the same files, and the test asserts the same set of
(row, field, code) for cell errors and (row, code) for row-level errors
(primary-key, foreign-key: frictionless gives them no field).

Deliberate differences, kept out of the generated data (each is documented
behaviour of openbook, not a bug):

- Amounts: openbook reads "£1,234.56", "(1,234.56)" as a negative and
  "1234.56 GBP"; frictionless with bareNumber false strips leading and
  trailing non-digits but does not read accounting brackets.
- Dates: openbook also reads UK spellings (31/01/2025, 31-Jan-2025,
  31.01.2025), "2025-01-31 00:00:00" and Excel serials; frictionless reads
  ISO only.
- Whitespace: openbook strips spaces (NBSP too) around every cell before
  checking; frictionless reports " 2024-01-05" as a type error.
- Columns: openbook maps headers by alias, case- and punctuation-
  insensitively, and reports unknown columns as extra-label warnings;
  frictionless reports a label mismatch.
- Blank rows: openbook warns only for blank rows with data after them;
  trailing blank rows are not rows at all.
- Redaction markers ("REDACTED") are valid in x-redactable fields.
- Composite keys with some (not all) cells blank: frictionless looks them
  up and reports a foreign-key error, openbook skips them (a blank key cell
  is already a required error where the field is required); a primary key
  whose cells are all blank is a primary-key error in frictionless and is
  skipped by openbook.
- Numbers: frictionless accepts "1_000" and Unicode digits (Python's
  Decimal), openbook does not.
"""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

frictionless = pytest.importorskip("frictionless")

import openbook
from openbook.standard import plan as standard_plan
from openbook.standard import schemas as standard

_load = standard.load  # the real loader, kept before any test patches it

ROWS = 3000
SEED = 20250131
ORG = "https://opendatacommunities.org/id/county-council/anytown"
ORG_OTHER = "https://opendatacommunities.org/id/county-council/othertown"
SCHEMA_CODES = {"type-error", "constraint-error", "primary-key", "foreign-key"}
ROW_CODES = {"primary-key", "foreign-key"}
FUNCTION_IDS = [f"F{i:03d}" for i in range(1, 41)]


def spend_schema(primary_key: bool = True, foreign_key: bool = True) -> dict:
    """The bundled spend schema plus what the test needs: a primary key, a
    minimum on IrrecoverableVATAmount and the profile's foreign key."""
    s = _load("spend")
    for f in s["fields"]:
        if f["name"] == "IrrecoverableVATAmount":
            f["constraints"]["minimum"] = 0
            f["constraints"]["maximum"] = 100000
    if primary_key:
        s["primaryKey"] = ["TransactionNumber"]
    if foreign_key:
        fk = [k for k in standard.profile("council")["foreignKeys"] if k["resource"] == "spend"][0]
        s["foreignKeys"] = [{"fields": fk["fields"],
                             "reference": {"resource": fk["reference"]["resource"],
                                           "fields": fk["reference"]["fields"]}}]
    return s


def _good_spend_row(rng: random.Random, i: int) -> dict:
    day = rng.randint(1, 28)
    month = rng.randint(1, 12)
    return {
        "OrganisationURI": ORG,
        "OrganisationLabel": "Anytown County Council",
        "EffectiveDate": f"2025-{month:02d}-28",
        "PaymentDate": f"2025-{month:02d}-{day:02d}",
        "TransactionNumber": f"T{100000 + i}",
        "OrganisationalUnit": rng.choice(["Children's Services", "Highways", "Adult Social Care", "Finance"]),
        "ServiceCategoryLabel": rng.choice(["Adult Social Care", "Highways and transport services", ""]),
        "ServiceDivisionLabel": "",
        "ServiceDivisionCode": rng.choice(["LIB01", "HWY02", ""]),
        "BeneficiaryName": rng.choice(["Ralph Livesey Ltd", "Acme Services", "REDACTED PERSONAL DATA",
                                       "Smith, Jones & Co", "North West Care \"Homes\""]),
        "BeneficiaryID": str(rng.randint(1000, 9999)),
        "BeneficiaryType": rng.choice(["Company", "Charity", ""]),
        "BeneficiaryRegistrationNumber": rng.choice(["01234567", ""]),
        "VATRegistrationNumber": rng.choice(["373393085", ""]),
        "Purpose": rng.choice(["Catering provisions", "Road repairs", "Agency staff, temporary",
                               "Redacted"]),
        "ExpenditureCategory": rng.choice(["Supplies and Services", "Third Party Payments"]),
        "CIPFAExpenditureCode": rng.choice(["504", "5041", ""]),
        "CIPFADetailedExpenditureType": "",
        "MerchantCategory": "",
        "MerchantCategoryCode": rng.choice(["5811", ""]),
        "ProclassCode": "",
        "ProclassLabel": "",
        "Amount": f"{rng.choice([1, 1, 1, 1, -1]) * rng.uniform(500, 250000):.2f}",
        "IrrecoverableVATAmount": rng.choice(["0", "12.50", "", "100000"]),
        "CapitalOrRevenue": rng.choice(["C", "R", "Capital", "Revenue", ""]),
        "CardTransaction": rng.choice(["Yes", "No", "GPC", ""]),
        "ContractReference": "",
        "GrantPeriod": "",
        "GrantPurpose": "",
        "FunctionID": rng.choice(FUNCTION_IDS),
        "Currency": rng.choice(["GBP", ""]),
    }


# Each injector changes one row and names the (field, code) both tools must report.
INJECT = {
    "bad-date": lambda r, rng: (r.update(PaymentDate=rng.choice(["2025-02-30", "not a date", "2025-13-01"])),
                                ("PaymentDate", "type-error")),
    "bad-effective-date": lambda r, rng: (r.update(EffectiveDate="20250131x"), ("EffectiveDate", "type-error")),
    "non-numeric-amount": lambda r, rng: (r.update(Amount=rng.choice(["TBC", "unknown", "n/a"])),
                                          ("Amount", "type-error")),
    "blank-required": lambda r, rng: (lambda f: (r.update({f: ""}), (f, "constraint-error")))(
        rng.choice(["OrganisationLabel", "PaymentDate", "OrganisationalUnit", "BeneficiaryName", "Purpose",
                    "Amount"])),
    "pattern": lambda r, rng: (lambda f, v: (r.update({f: v}), (f, "constraint-error")))(
        *rng.choice([("CIPFAExpenditureCode", "50A1"), ("CIPFAExpenditureCode", "50412"),
                     ("MerchantCategoryCode", "581")])),
    "enum": lambda r, rng: (r.update(CapitalOrRevenue=rng.choice(["X", "capital", "Rev"])),
                            ("CapitalOrRevenue", "constraint-error")),
    "range": lambda r, rng: (r.update(IrrecoverableVATAmount=rng.choice(["-5.00", "100000.01"])),
                             ("IrrecoverableVATAmount", "constraint-error")),
}


def generate(folder: Path, rows: int = ROWS, seed: int = SEED) -> tuple[Path, Path, set, set]:
    """Writes spend.csv and functions.csv. Returns the paths and the expected
    cell errors {(row, field, code)} and row errors {(row, code)}."""
    rng = random.Random(seed)
    fields = [f["name"] for f in standard.load("spend")["fields"]]
    data, cells, row_errors = [], set(), set()
    for i in range(rows):
        r = _good_spend_row(rng, i)
        row_number = i + 2  # the header is row 1
        roll = rng.random()
        if roll < 0.03:
            kind = rng.choice(sorted(INJECT))
            _, (field, code) = INJECT[kind](r, rng)
            cells.add((row_number, field, code))
        elif roll < 0.035 and i > 10:
            # a duplicate transaction number: the later row is the error
            r["TransactionNumber"] = data[rng.randrange(0, i - 1)]["TransactionNumber"]
            row_errors.add((row_number, "primary-key"))
        elif roll < 0.04:
            # a function this organisation does not have, or another body's function
            if rng.random() < 0.5:
                r["FunctionID"] = "F999"
            else:
                r["OrganisationURI"] = ORG_OTHER
            row_errors.add((row_number, "foreign-key"))
        data.append(r)
    # a key repeated three times: both later rows are errors
    for k in (rows - 3, rows - 2):
        data[k]["TransactionNumber"] = data[5]["TransactionNumber"]
        row_errors.add((k + 2, "primary-key"))
    spend = folder / "spend.csv"
    with open(spend, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(data)

    functions = folder / "functions.csv"
    ffields = [f["name"] for f in standard.load("functions")["fields"]]
    with open(functions, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=ffields, restval="")
        w.writeheader()
        for fid in FUNCTION_IDS:
            w.writerow({"OrganisationURI": ORG, "FunctionID": fid, "Label": f"Function {fid}",
                        "Level": "service", "FTE": "2.5"})
        # another body's functions: F001 exists there, F998 only there
        w.writerow({"OrganisationURI": ORG_OTHER, "FunctionID": "F998", "Label": "Elsewhere"})
    return spend, functions, cells, row_errors


def _frictionless_errors(report) -> tuple[set, set, set]:
    cells, rows, other = set(), set(), set()
    for task in report.tasks:
        for e in task.errors:
            if e.type in ROW_CODES:
                rows.add((e.row_number, e.type))
            elif e.type in SCHEMA_CODES:
                cells.add((e.row_number, e.field_name, e.type))
            else:
                other.add((task.name, e.type, getattr(e, "row_number", None), e.note))
    return cells, rows, other


def _openbook_errors(report) -> tuple[set, set]:
    cells, rows = set(), set()
    for p in report.iter_problems():
        if p.code in ROW_CODES:
            rows.add((p.row, p.code))
        elif p.code in SCHEMA_CODES:
            cells.add((p.row, p.field, p.code))
        elif p.code == "variant-value":
            # openbook reads an unambiguous variant of a code ("revenue") as the code, with a
            # warning; frictionless's enum is exact, so for it the same cell is a constraint error
            cells.add((p.row, p.field, "constraint-error"))
    return cells, rows


@pytest.fixture
def test_schemas(monkeypatch):
    """Make openbook use the test copy of the spend schema (primary key, range)."""
    real_load = standard.load

    def load(name):
        if name == "spend":
            s = spend_schema(primary_key=True, foreign_key=False)
            return s
        return real_load(name)
    monkeypatch.setattr(standard, "load", load)
    monkeypatch.setattr(standard_plan, "_PLANS", {})
    yield
    standard_plan._PLANS.clear()


def _write_schema(folder: Path, name: str, descriptor: dict) -> str:
    path = folder / f"{name}.schema.json"
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    return path.name


def test_generator_is_seeded(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = generate(tmp_path / "a"), generate(tmp_path / "b")
    assert a[0].read_bytes() == b[0].read_bytes()
    assert a[2] == b[2] and a[3] == b[3]
    kinds = {c for (_, _, c) in a[2]} | {c for (_, c) in a[3]}
    assert kinds == SCHEMA_CODES


def test_spend_resource_same_errors_as_frictionless(tmp_path, monkeypatch, test_schemas):
    """One resource: type, required, pattern, enum, range and primary key."""
    spend, _, expected_cells, expected_rows = generate(tmp_path)
    expected_rows = {r for r in expected_rows if r[1] == "primary-key"}
    monkeypatch.chdir(tmp_path)  # frictionless refuses absolute paths
    schema = _write_schema(tmp_path, "spend", spend_schema(primary_key=True, foreign_key=False))
    fl = frictionless.Resource(spend.name, schema=schema).validate(limit_errors=0)
    fl_cells, fl_rows, fl_other = _frictionless_errors(fl)
    assert not fl_other
    # frictionless agrees with the ground truth, so the data is in the common ground
    assert fl_cells == expected_cells
    assert fl_rows == expected_rows

    ob = openbook.validate([spend.name], schema="spend")
    ob_cells, ob_rows = _openbook_errors(ob)
    assert ob_cells == fl_cells, (sorted(ob_cells - fl_cells)[:10], sorted(fl_cells - ob_cells)[:10])
    assert ob_rows == fl_rows, (sorted(ob_rows - fl_rows)[:10], sorted(fl_rows - ob_rows)[:10])
    assert ob.rows == ROWS


def test_package_foreign_keys_same_errors_as_frictionless(tmp_path, monkeypatch, test_schemas):
    """Two resources: spend (with every error kind) and functions, with the
    profile's composite foreign key declared in the spend schema."""
    spend, functions, expected_cells, expected_rows = generate(tmp_path)
    monkeypatch.chdir(tmp_path)
    package = frictionless.Package(resources=[
        frictionless.Resource(name="spend", path=spend.name,
                              schema=_write_schema(tmp_path, "spend", spend_schema())),
        frictionless.Resource(name="functions", path=functions.name,
                              schema=_write_schema(tmp_path, "functions", standard.load("functions"))),
    ])
    fl = package.validate(limit_errors=0)
    fl_cells, fl_rows, fl_other = _frictionless_errors(fl)
    assert not fl_other
    assert fl_cells == expected_cells
    assert fl_rows == expected_rows

    ob = openbook.validate([spend.name, functions.name])
    assert {t.schema for t in ob.tables} == {"spend", "functions"}
    ob_cells, ob_rows = _openbook_errors(ob)
    assert ob_cells == fl_cells, (sorted(ob_cells - fl_cells)[:10], sorted(fl_cells - ob_cells)[:10])
    assert ob_rows == fl_rows, (sorted(ob_rows - fl_rows)[:10], sorted(fl_rows - ob_rows)[:10])


def test_composite_primary_key_same_errors_as_frictionless(tmp_path, monkeypatch):
    """The functions schema's primary key (OrganisationURI, FunctionID), with
    minimum, enum and pattern errors alongside."""
    rng = random.Random(SEED)
    ffields = [f["name"] for f in standard.load("functions")["fields"]]
    rows, seen = [], []
    for i in range(600):
        org = rng.choice([ORG, ORG_OTHER])
        fid = f"F{i:04d}"
        if seen and rng.random() < 0.05:
            org, fid = rng.choice(seen)           # a repeated pair: primary-key
        elif seen and rng.random() < 0.05:
            fid = rng.choice(seen)[1]             # same FunctionID, other body: maybe not a repeat
        seen.append((org, fid))
        rows.append({"OrganisationURI": org, "FunctionID": fid, "Label": f"Function {i}",
                     "Level": rng.choice(["function", "service", "process", "team"]),
                     "COFOGCode": rng.choice(["10.2", "10.2.1", "1.2", ""]),
                     "StatutoryBasis": rng.choice(["duty", "power", ""]),
                     "FTE": rng.choice(["0", "3.5", "-1", "abc", ""]),
                     "BackOffice": rng.choice(["true", "false", ""])})
    path = tmp_path / "functions.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=ffields, restval="")
        w.writeheader()
        w.writerows(rows)
    monkeypatch.chdir(tmp_path)
    schema = _write_schema(tmp_path, "functions", standard.load("functions"))
    fl = frictionless.Resource(path.name, schema=schema).validate(limit_errors=0)
    fl_cells, fl_rows, fl_other = _frictionless_errors(fl)
    assert not fl_other
    assert any(c == "primary-key" for (_, c) in fl_rows)
    assert {f for (_, f, _) in fl_cells} >= {"Level", "COFOGCode", "FTE"}

    ob = openbook.validate([path.name], schema="functions")
    ob_cells, ob_rows = _openbook_errors(ob)
    assert ob_cells == fl_cells, (sorted(ob_cells - fl_cells)[:10], sorted(fl_cells - ob_cells)[:10])
    assert ob_rows == fl_rows


def test_key_index_matches_a_plain_dict():
    """The primary-key index (sorted runs, binary search) against a dict, over
    many batches of random keys: same repeats, same first rows."""
    import polars as pl
    from openbook.check.engine import KeyIndex
    rng = random.Random(SEED)
    index, seen, row = KeyIndex(), {}, 0
    for batch in range(60):
        n = rng.choice([0, 1, 5, 50, 400])
        hs = [rng.randint(0, 3000) for _ in range(n)]
        rows = list(range(row, row + n))
        row += n
        got = index.add(pl.DataFrame({"h": pl.Series(hs, dtype=pl.UInt64), "row": pl.Series(rows, dtype=pl.Int64)}))
        expected = []
        for h, r in zip(hs, rows):
            if h in seen:
                expected.append((h, r, seen[h]))
            else:
                seen[h] = r
        assert sorted(got.select("h", "row", "first").rows()) == sorted(expected), batch
    assert sum(r.height for r in index.runs) == len(seen)


def test_fast_paths_agree_with_the_full_parsers():
    """values.fast_parse, where its mask holds, gives exactly what parse gives."""
    import polars as pl
    from openbook.read import values
    rng = random.Random(SEED)
    dates = ["2025-01-31", "2025-02-29", "2024-02-29", "2025-13-01", "0000-01-01", "9999-12-31", "2025-1-5",
             "31/01/2025", "2025-01-31 00:00:00", "+2025-01-31", "2025-01-32", "45678", "31-Jan-2025",
             "29/02/2025", "29/02/2024", "31/04/2025", "1/2/2025", "01/13/2025", "٣١/٠١/٢٠٢٥", "31-JAN-2025",
             "31-jan-2025", "31-Jun-2025", "30-Jun-2025", "31-Xyz-2025", "31-Sept-2025", "31 Jan 2025"]
    dates += [f"{rng.randint(0, 32):02d}/{rng.randint(0, 13):02d}/{rng.randint(1, 9999):04d}" for _ in range(2000)]
    dates += [f"{rng.randint(0, 32):02d}-{rng.choice(['Jan', 'FEB', 'mar', 'Apr', 'Sep', 'Dec', 'Foo'])}-"
              f"{rng.randint(1, 9999):04d}" for _ in range(2000)]
    dates += [f"{rng.randint(1, 9999):04d}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}" for _ in range(3000)]
    numbers = ["0", "-0", "007.50", "1.", "-12.3456789012", "123456789012345", "1234567890123456", "1e5", "+5",
               ".5", "1,234.50", "£12", "(12.00)", "12.00000000001", "-", "1.2.3", "£1,234.56", "(1,234.56)",
               "(£1,234.56)", "-£5.00", "£-5.00", "1,23,456", "1,5", "12,345,678.9", "(-5)", "£", "()", "١٢٣",
               "1,234", "(1,234,567,890,123.45)", "£123,456,789,012,345"]
    numbers += [f"{rng.choice(['', '-', '£', '-£', '(', '(£'])}{rng.randint(0, 10**rng.randint(1, 15)):,}"
                f"{rng.choice(['', '.5', '.25', '.'])}{rng.choice(['', ')'])}" for _ in range(3000)]
    numbers += [f"{rng.choice(['', '-'])}{rng.randint(0, 10**rng.randint(1, 15))}"
                f"{rng.choice(['', '.', '.' + str(rng.randint(0, 10**rng.randint(1, 12)))])}" for _ in range(3000)]
    for field, texts in (({"type": "date"}, dates), ({"type": "number", "groupChar": ",", "bareNumber": False}, numbers),
                         ({"type": "number"}, numbers), ({"type": "number", "groupChar": ","}, numbers)):
        frame = pl.DataFrame({"t": texts})
        t = pl.col("t")
        mask, fast_n, fast_ok = values.fast_parse(field, t)
        full_n, full_ok = values.parse(field, t)
        got = frame.select(mask.alias("m"), fast_n.alias("fn"), fast_ok.alias("fo"),
                           full_n.alias("n"), full_ok.alias("o")).filter(pl.col("m"))
        assert got.height > 100
        bad = got.filter((pl.col("fo") != pl.col("o")) | (pl.col("fo") & (pl.col("fn") != pl.col("n"))))
        assert bad.height == 0, (field, bad.head(5).to_dicts())
