"""The example submissions in examples/: generated deterministically, internally consistent,
valid where they should be, and with every planted problem reported at its documented cell."""
from __future__ import annotations

import csv
import importlib.util
import inspect
import io
import json
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import openbook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
COUNCILS = ["anytown-borough-council.xlsx", "brookshire-district-council.xlsx", "castleford-city-council.xlsx"]
SUPPLIER = "kestrel-managed-services-supplier-costs.xlsx"
WITH_ERRORS = "anytown-with-errors.xlsx"
LEDGER = "anytown-spend-2025-04.csv"
VALID = COUNCILS + [SUPPLIER, LEDGER]
EXPECTED_ERRORS = json.loads((EXAMPLES / "expected-errors.json").read_text(encoding="utf-8"))["problems"]
OVERLAPS = json.loads((EXAMPLES / "expected-overlaps.json").read_text(encoding="utf-8"))
SCHEMA_CODES = {"type-error", "constraint-error", "foreign-key", "primary-key"}

# Planted quality problems the checks do not report yet (see the reasons); they XPASS once they do.


def load_generator():
    spec = importlib.util.spec_from_file_location("examples_generate", EXAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ reading workbooks

HEADER_STARTS = {"OrganisationURI", "Post Unique Reference", "Parent Department", "Field"}


def read_sheet(path: Path, sheet: str) -> list[dict]:
    """Rows of a sheet as dicts keyed by header, wherever the header row and first column are."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    for i, row in enumerate(rows[:10]):
        if any(v in HEADER_STARTS for v in row):
            header = list(row)
            break
    else:
        raise AssertionError(f"{path.name} [{sheet}]: no header row found")
    cols = [(j, h) for j, h in enumerate(header) if h]
    return [{h: r[j] if j < len(r) else None for j, h in cols} for r in rows[i + 1:]
            if any(v is not None for v in r)]


def cell_values(path: Path) -> dict:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def pence(x) -> int:
    return int(Decimal(str(x)).scaleb(2).to_integral_value())


@pytest.fixture(scope="module")
def book():
    cache = {}

    def get(name, sheet):
        if (name, sheet) not in cache:
            cache[(name, sheet)] = read_sheet(EXAMPLES / name, sheet)
        return cache[(name, sheet)]
    return get


# ------------------------------------------------------------------ the generator

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    load_generator().generate(out)
    return out


def test_generator_is_deterministic(generated, tmp_path):
    a, b = generated, tmp_path / "b"
    load_generator().generate(b)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        if name.endswith(".xlsx"):
            # the files are meant to be byte-stable too; when they are not, the cell values must still agree
            if (a / name).read_bytes() != (b / name).read_bytes():
                assert cell_values(a / name) == cell_values(b / name), name
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_committed_examples_are_up_to_date(generated):
    """The committed files are what generate.py writes now (run it after changing it)."""
    for p in sorted(generated.iterdir()):
        committed = EXAMPLES / p.name
        assert committed.exists(), f"{p.name} is not committed"
        if p.suffix == ".xlsx":
            if p.read_bytes() != committed.read_bytes():
                assert cell_values(p) == cell_values(committed), f"{p.name} is stale: run examples/generate.py"
        else:
            assert p.read_bytes() == committed.read_bytes(), f"{p.name} is stale: run examples/generate.py"


# ------------------------------------------------------------------ internal consistency

@pytest.mark.parametrize("name", COUNCILS)
def test_sheets_in_order_and_about(name):
    wb = openpyxl.load_workbook(EXAMPLES / name, read_only=True)
    try:
        assert wb.sheetnames == ["About", "Functions", "Costs", "Roles (senior)", "Roles (junior)", "Systems",
                                 "Spend", "Outcomes"]
    finally:
        wb.close()
    about = {r["Field"]: r["Value"] for r in read_sheet(EXAMPLES / name, "About")}
    assert set(about) == {"Organisation name", "Organisation URI", "Period", "Population", "Licence",
                          "Contact email", "Description"}
    assert about["Period"] == "2025-26" and about["Licence"] == "OGL-UK-3.0"
    assert about["Contact email"].startswith("transparency@")
    assert isinstance(about["Population"], int)


@pytest.mark.parametrize("name", COUNCILS)
def test_every_reference_resolves(name, book):
    functions = book(name, "Functions")
    ids = [f["FunctionID"] for f in functions]
    assert len(ids) == len(set(ids)), "duplicate FunctionID"
    assert 25 <= len(ids) <= 50
    for f in functions:
        assert f["ParentID"] is None or f["ParentID"] in ids, f
    for sheet in ("Costs", "Spend", "Systems", "Outcomes", "Roles (senior)", "Roles (junior)"):
        missing = {r["FunctionID"] for r in book(name, sheet)} - set(ids)
        assert not missing, f"{sheet}: FunctionIDs not in Functions: {missing}"
    senior = book(name, "Roles (senior)")
    posts = {p["Post Unique Reference"] for p in senior}
    tops = [p for p in senior if p["Reports to Senior Post"] == "XX"]
    assert len(tops) == 1
    for p in senior:
        assert p["Reports to Senior Post"] == "XX" or p["Reports to Senior Post"] in posts
        assert p["Actual Pay Floor (£)"] % 5000 == 0
        assert p["Actual Pay Ceiling (£)"] == p["Actual Pay Floor (£)"] + 4999
        assert p["FTE"] in (0.5, 1)
    assert sum(1 for p in senior if p["FTE"] == 0.5) == 2
    for j in book(name, "Roles (junior)"):
        assert j["Reporting Senior Post"] in posts
        assert j["Payscale Minimum (£)"] <= j["Payscale Maximum (£)"]


@pytest.mark.parametrize("name", COUNCILS)
def test_costs_add_up_to_annual_cost(name, book):
    functions = {f["FunctionID"]: f for f in book(name, "Functions")}
    children = defaultdict(list)
    for f in functions.values():
        if f["ParentID"]:
            children[f["ParentID"]].append(f["FunctionID"])
    actual, fte = defaultdict(int), {}
    for c in book(name, "Costs"):
        actual[c["FunctionID"]] += pence(c["Actual"])
        if c["SubjectiveGroup"] == "employees":
            fte[c["FunctionID"]] = c["FTE"]
    leaves = [k for k in functions if not children.get(k)]
    assert set(actual) == set(leaves), "cost lines only and always for leaf functions"
    for k in leaves:
        assert actual[k] == pence(functions[k]["AnnualCost"]), k
        assert fte[k] == functions[k]["FTE"], k
    for k, kids in children.items():
        assert pence(functions[k]["AnnualCost"]) == sum(pence(functions[c]["AnnualCost"]) for c in kids), k
        assert round(functions[k]["FTE"], 1) == round(sum(functions[c]["FTE"] for c in kids), 1), k
    # a leaf's FTE is the FTE of the posts in it
    posts = defaultdict(float)
    for p in book(name, "Roles (senior)"):
        posts[p["FunctionID"]] += p["FTE"]
    for j in book(name, "Roles (junior)"):
        posts[j["FunctionID"]] += j["Number of Posts in FTE"]
    for k in leaves:
        assert round(posts[k], 1) == functions[k]["FTE"], k


@pytest.mark.parametrize("name", COUNCILS)
def test_spend_is_realistic(name, book):
    import datetime as dt
    spend = book(name, "Spend")
    assert len(spend) >= 2000
    dates = [r["PaymentDate"] for r in spend]
    assert all(isinstance(d, dt.datetime) for d in dates)
    assert min(dates).date() >= dt.date(2025, 4, 1) and max(dates).date() <= dt.date(2026, 3, 31)
    negatives = sum(1 for r in spend if r["Amount"] < 0)
    assert 0.015 < negatives / len(spend) < 0.05
    redacted = sum(1 for r in spend if r["BeneficiaryName"] == "REDACTED - personal data")
    assert 0.01 < redacted / len(spend) < 0.03
    for r in spend:
        assert abs(r["Amount"]) >= 500 or r["CardTransaction"] == "GPC", r
        for v in r.values():
            assert not (isinstance(v, str) and v[:1] in "=+-@"), r


@pytest.mark.parametrize("name", COUNCILS)
def test_outcomes_shared_indicators(name, book):
    ids = {o["IndicatorID"] for o in book(name, "Outcomes")}
    shared = {e["IndicatorID"] for e in OVERLAPS["indicators"] if len(e["councils"]) == 3}
    assert len(shared) >= 10 and shared <= ids


def test_supplier_costs_match_anytown_payments(book):
    lines = book(SUPPLIER, "Supplier costs")
    assert 40 <= len(lines) <= 80
    ref = lines[0]["ContractReference"]
    by_quarter = defaultdict(int)
    for l in lines:
        by_quarter[(l["PeriodStart"].date(), l["FunctionID"])] += pence(l["Cost"])
    paid = defaultdict(int)
    for r in book(COUNCILS[0], "Spend"):
        if r["ContractReference"] == ref:
            d = r["PaymentDate"].date()
            start = d.replace(day=1, month=(d.month - 1) // 3 * 3 + 1)
            paid[(start, r["FunctionID"])] += pence(r["Amount"])
    assert paid and by_quarter == paid


def test_overlaps_json_matches_the_workbooks(book):
    names = {OVERLAPS["councils"][k]: k for k in OVERLAPS["councils"]}
    files = dict(zip(["Anytown", "Brookshire", "Castleford"], COUNCILS))
    for e in OVERLAPS["suppliers"]:
        assert len(e["councils"]) == 3
        for council, x in e["councils"].items():
            spend = book(files[names[council]], "Spend")
            total = sum(pence(r["Amount"]) for r in spend if r["BeneficiaryName"] == x["BeneficiaryName"])
            assert total == pence(x["total"]), (e["supplier"], council)
    for e in OVERLAPS["systems"]:
        for council, x in e["councils"].items():
            rows = [s for s in book(files[names[council]], "Systems")
                    if s["Vendor"] == x["Vendor"] and s["Product"] == x["Product"]]
            assert len(rows) == 1 and pence(rows[0]["AnnualCost"]) == pence(x["AnnualCost"])
    for e in OVERLAPS["functions"]:
        for council, x in e["councils"].items():
            f = next(f for f in book(files[names[council]], "Functions") if f["FunctionID"] == x["FunctionID"])
            assert f["LGSLServiceURI"] == e["lgsl"] and f["ESDFunctionURI"] == e["esd"] and f["COFOGCode"] == e["cofog"]
            assert f["FTE"] == x["FTE"] and pence(f["AnnualCost"]) == pence(x["AnnualCost"])
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for e in OVERLAPS["suppliers"]:
        for x in e["councils"].values():
            assert f"£{x['total']:,.2f}" in readme


def test_ledger_csv_is_a_real_world_export():
    raw = (EXAMPLES / LEDGER).read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\xa3" in raw          # £ in cp1252
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw.decode("cp1252"), newline="")))
    spend = json.loads((ROOT / "schemas" / "spend.json").read_text(encoding="utf-8"))
    norm = lambda s: "".join(ch for ch in s.lower() if ch.isalnum())
    allowed = {norm(a) for f in spend["fields"] for a in f.get("x-aliases", []) + [f["name"]]}
    assert all(norm(h) in allowed for h in rows[0]), rows[0]
    assert rows[1][3].count("/") == 2 and rows[1][rows[0].index("Amount")].lstrip("-").startswith("£")


# ------------------------------------------------------------------ validation


def _show(report, n=15) -> str:
    return "\n".join(f"{p.severity} {p.code} {p.location}: {p.message}" for p in report.problems(limit=n))


@pytest.mark.parametrize("name", VALID)
def test_valid_examples_pass_validation(name):
    report = openbook.validate(str(EXAMPLES / name))
    assert report.errors == 0, f"{name}: {report.errors} errors\n{_show(report)}"
    assert report.tables and all(t.rows for t in report.tables)


_REPORT = {}


def with_errors_report():
    if "r" not in _REPORT:
        kwargs = {"period": "2025-26"} if "period" in inspect.signature(openbook.validate).parameters else {}
        _REPORT["r"] = openbook.validate(str(EXAMPLES / WITH_ERRORS), **kwargs)
    return _REPORT["r"]


def test_with_errors_is_not_valid():
    report = with_errors_report()
    assert report.valid is False and report.errors > 0


def _reported(planted: dict) -> list:
    found = []
    for p in with_errors_report().problems(limit=100000):
        if p.sheet != planted["sheet"] or p.code != planted["code"]:
            continue
        # duplicate-key and whole-row problems point at the row, not a cell
        if p.cell == planted["cell"] or (p.cell is None and p.row == planted["row"]):
            found.append(p)
    return found


@pytest.mark.parametrize("planted", [p for p in EXPECTED_ERRORS if p["code"] in SCHEMA_CODES],
                         ids=lambda p: f"{p['code']}@{p['sheet']}!{p['cell']}")
def test_planted_schema_error_reported_at_its_cell(planted):
    found = _reported(planted)
    assert found, (f"{planted['code']} not reported at {planted['sheet']}!{planted['cell']}; near it:\n"
                   + "\n".join(f"{p.code} {p.location}" for p in with_errors_report().problems(limit=100000)
                               if p.sheet == planted["sheet"] and p.row == planted["row"]))


def _quality_params():
    for p in EXPECTED_ERRORS:
        if p["code"] in SCHEMA_CODES:
            continue
        yield pytest.param(p, id=f"{p['code']}@{p['sheet']}!{p['cell']}")


@pytest.mark.parametrize("planted", list(_quality_params()))
def test_planted_quality_problem_reported_at_its_cell(planted):
    assert _reported(planted), f"{planted['code']} not reported at {planted['sheet']}!{planted['cell']}"


def test_every_planted_problem_is_documented():
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert 15 <= len(EXPECTED_ERRORS) <= 25
    for p in EXPECTED_ERRORS:
        assert f"| {p['sheet']}!{p['cell']} |" in readme and f"`{p['code']}`" in readme
