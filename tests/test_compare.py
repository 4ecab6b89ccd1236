"""openbook compare on the three example councils.

Every planted overlap in examples/expected-overlaps.json must be found with
the right totals (to the penny), the savings scenario must match a hand
calculation made here from the raw workbook values (read with openpyxl, not
with openbook), and removing one body's outcomes must take it out of the
Public Value Index ranking, with the reason.
"""
from __future__ import annotations

import json
import math
import re
import shutil
import uuid
import zipfile
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from openbook.cli import cli
from openbook.compare import compare
from openbook.errors import OpenbookError
from openbook.datapackage.write import package
from openbook.compare.matching import normalise_name
from openbook.compare.method import DP, MIN_PEERS, PILLAR_WEIGHTS
from openbook.compare.peers import type_from_name, type_from_uri
from openbook.compare.pvi import outcome_score, robust_scores

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
COUNCILS = ["anytown-borough-council", "brookshire-district-council", "castleford-city-council"]
EXPECTED = json.loads((EXAMPLES / "expected-overlaps.json").read_text(encoding="utf-8"))
PENNY = 0.005

pytestmark = pytest.mark.skipif(not (EXAMPLES / "castleford-city-council.xlsx").exists(),
                                reason="examples not generated (examples/generate.py)")


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    """The three councils packaged as folders and as zips (fixed SOURCE_DATE_EPOCH)."""
    out = tmp_path_factory.mktemp("packages")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1764288000")
        folders = [package(EXAMPLES / f"{c}.xlsx", out_dir=out / "folders").path for c in COUNCILS]
        zips = [package(EXAMPLES / f"{c}.xlsx", out_dir=out / "zips", zip=True).path for c in COUNCILS]
        supplier = package(EXAMPLES / "kestrel-managed-services-supplier-costs.xlsx", out_dir=out / "supplier").path
    return {"folders": folders, "zips": zips, "supplier": supplier, "root": out}


@pytest.fixture(scope="module")
def result(packaged):
    return compare(packaged["folders"])


def catalogue(folders: list[Path], root: Path) -> Path:
    """<org>/<dataset>/<version>/ + latest/, with an older version that must be ignored."""
    for folder in folders:
        desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        base = root / desc["openbook"]["organisation"]["slug"] / desc["name"]
        shutil.copytree(folder, base / "1.0.0")
        shutil.copytree(folder, base / "latest")
        old = base / "0.9.0"
        shutil.copytree(folder, old)
        d = json.loads((old / "datapackage.json").read_text(encoding="utf-8"))
        d["version"] = "0.9.0"
        (old / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    return root


# --------------------------------------------------------------------------- raw workbook values

def sheet(path: Path, name: str) -> list[dict]:
    """Rows of a sheet as dicts, finding the header row (sheets may start lower or further right)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(wb[name].iter_rows(values_only=True))
    finally:
        wb.close()
    for i, row in enumerate(rows):
        if row and ("FunctionID" in row or "Field" in row or "Vendor" in row):
            header = row
            break
    else:
        raise AssertionError(f"{path.name}!{name}: no header row")
    out = []
    for row in rows[i + 1:]:
        if row and any(v not in (None, "") for v in row):
            out.append({h: v for h, v in zip(header, row) if h})
    return out


def raw(council: str) -> dict:
    path = EXAMPLES / f"{council}.xlsx"
    about = {r["Field"]: r["Value"] for r in sheet(path, "About")}
    return {"population": int(str(about["Population"]).replace(",", "")),
            "name": about["Organisation name"],
            "functions": sheet(path, "Functions"), "costs": sheet(path, "Costs"), "systems": sheet(path, "Systems")}


@pytest.fixture(scope="module")
def workbooks():
    return {c: raw(c) for c in COUNCILS}


# --------------------------------------------------------------------------- the planted overlaps

def _by_body(result):
    return {b.name: b.slug for b in result.bodies}


def check_overlaps(result):
    names = _by_body(result)
    # Shared functions: same FunctionIDs per council, FTE and annual cost to the penny.
    found = {frozenset((e.body, tuple(e.function_ids)) for e in sf.bodies): sf for sf in result.shared_functions}
    for f in EXPECTED["functions"]:
        key = frozenset((names[n], (c["FunctionID"],)) for n, c in f["councils"].items())
        assert key in found, f"shared function {f['key']} ({f['label']}) not found"
        sf = found[key]
        for e in sf.bodies:
            want = f["councils"][e.body_name]
            assert abs(e.annual_cost - want["AnnualCost"]) < PENNY, (f["key"], e.body_name)
            assert e.fte == pytest.approx(want["FTE"]), (f["key"], e.body_name)
    # Duplicated systems: each planted product, with each council's annual cost.
    systems = [{lic.body_name: lic.annual_cost for lic in ds.bodies} for ds in result.systems]
    for s in EXPECTED["systems"]:
        want = {n: c["AnnualCost"] for n, c in s["councils"].items()}
        assert any(set(got) == set(want) and all(abs(got[n] - want[n]) < PENNY for n in want) for got in systems), \
            f"duplicated system {s['normalised']} not found with {want}"
    assert len(result.systems) == len(EXPECTED["systems"])
    # Common suppliers: each planted one, with each council's total and number of lines.
    suppliers = [{a.body_name: (round(a.amount, 2), a.payments) for a in cs.bodies} for cs in result.suppliers]
    for s in EXPECTED["suppliers"]:
        want = {n: (round(c["total"], 2), c["lines"]) for n, c in s["councils"].items()}
        assert want in suppliers, f"common supplier {s['supplier']} not found with {want}"


def test_every_planted_overlap_is_found_from_folders(result):
    check_overlaps(result)
    assert [b.name for b in result.bodies] == [
        "Anytown Borough Council", "Brookshire District Council", "Castleford City Council"]


def test_every_planted_overlap_is_found_from_zips(packaged):
    check_overlaps(compare(packaged["zips"]))


def test_catalogue_folder_reads_latest_only(packaged, tmp_path):
    root = catalogue(packaged["folders"], tmp_path / "catalogue")
    r = compare([root])
    check_overlaps(r)  # totals to the penny: nothing counted twice
    assert len(r.bodies) == 3
    assert all("/latest" in p for b in r.bodies for p in b.packages)


def test_package_given_twice_is_counted_once(packaged):
    r = compare(packaged["folders"] + [packaged["zips"][0]])
    check_overlaps(r)
    assert any("counted once" in n for n in r.notes)


def test_roles_by_function_and_grade(result, packaged):
    # Hand count from the packaged CSVs: the FTE of every post in a shared function.
    import csv
    shared = {b: set() for b in COUNCILS}
    for sf in result.shared_functions:
        for e in sf.bodies:
            shared[e.body].update(e.function_ids)
    for folder, council in zip(packaged["folders"], COUNCILS):
        want = defaultdict(float)
        with open(folder / "data" / "roles-junior.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["FunctionID"] in shared[council]:
                    want[row["Grade"]] += float(row["Number of Posts in FTE"])
        with open(folder / "data" / "roles-senior.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["FunctionID"] in shared[council] and row["Name"] != "Eliminated":
                    want[row["Grade (or equivalent)"]] += float(row["FTE"])
        got = defaultdict(float)
        for rg in result.roles:
            got[rg.grade] += rg.fte.get(council, 0.0)
        assert {g: round(v, 2) for g, v in got.items() if v} == {g: round(v, 2) for g, v in want.items()}



# --------------------------------------------------------------------------- helpers

def quartile(values: list[float]) -> float:
    """25th percentile, linear interpolation between closest ranks: position (n-1) x 0.25."""
    s = sorted(values)
    h = (len(s) - 1) * 0.25
    lo = math.floor(h)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (h - lo) * (s[hi] - s[lo])


def norm(name: str) -> str:
    s = name.lower().replace("&", " and ")
    s = re.sub(r"[^a-z0-9 ]", " ", s)
    return " ".join(w for w in s.split() if w not in {"ltd", "limited", "plc", "llp", "uk", "corporation", "inc"})



# --------------------------------------------------------------------------- three bodies: figures only

def test_three_bodies_claim_no_duplication_cost(result, workbooks):
    """Three councils, each in its own peer group: no cost of duplication, no saving; the figures are shown."""
    sc = result.scenario
    assert not sc.claimed and sc.total == 0 and sc.per_100k is None
    assert "too few comparable bodies" in sc.statement
    assert all(not g.claimed for g in result.peer_groups)
    names = {wb["name"]: wb for wb in workbooks.values()}
    for sf in result.shared_functions:
        for pb in sf.peers:
            assert not pb.claimed and pb.reason.startswith("too few comparable bodies")
        for e in sf.bodies:
            assert e.duplication_cost is None and not e.counted and e.savings == 0
            if e.annual_cost is not None:  # the figures: cost per head from the raw workbook's population
                assert e.cost_per_head == round(e.annual_cost / names[e.body_name]["population"], DP)
    for s in result.summaries:
        assert s.rank is None and "no saving claimed" in s.verdict and f"peer group: {s.peer_group}" in s.verdict
    # One register putting all three in one group: still fewer than MIN_PEERS, still nothing claimed.
    assert len(result.bodies) < MIN_PEERS


def test_register_groups_bodies_and_ranks_on_the_same_functions(packaged, tmp_path):
    reg = tmp_path / "register.csv"
    reg.write_text("organisation,type\nAnytown Borough Council,Non-metropolitan district\n"
                   "brookshire-district-council,district\nhttps://www.castleford.gov.uk/,District\n",
                   encoding="utf-8")
    r = compare(packaged["folders"], register=reg)
    assert {b.body_type for b in r.bodies} == {"non-metropolitan district"}
    assert {b.type_source for b in r.bodies} == {"register"}
    # Bands still split them: Anytown (98,400) is under 100,000, the others 100,000-249,999.
    assert len(r.peer_groups) == 2 and not r.scenario.claimed
    ranked = [s for s in r.summaries if s.rank]
    assert {s.body_name for s in ranked} == {"Brookshire District Council", "Castleford City Council"}
    assert {s.compared_on for s in ranked} == {ranked[0].compared_on} and ranked[0].compared_on > 0
    for s in r.summaries:
        assert not re.search(r"of (\d+) of \1", s.verdict), s.verdict
        assert f"peer group: {s.peer_group}" in s.verdict
    bad = tmp_path / "bad.csv"
    bad.write_text("council\nAnytown\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["compare", *map(str, packaged["folders"]), "--register", str(bad)])
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1 and "type" in res.stderr


def test_peer_types_come_only_from_what_is_stated():
    assert type_from_uri("http://statistics.data.gov.uk/id/statistical-geography/E07000223") == \
        "non-metropolitan district"
    assert type_from_uri("https://opendatacommunities.org/id/unitary-authority/x") == "unitary authority"
    assert type_from_uri("https://www.anytown.gov.uk/") is None
    assert type_from_name("Brookshire District Council") == "non-metropolitan district"
    assert type_from_name("Castleford City Council") is None  # a city council can be of several types
    assert type_from_name("Anytown Borough Council") is None


def test_delivery_and_period_are_flagged(packaged, tmp_path):
    r = compare(packaged["folders"])
    flagged = [sf for sf in r.shared_functions if sf.flags]
    assert flagged and all("in-house" in f for sf in flagged for f in sf.flags)
    assert any("outsourced" in f for sf in flagged for f in sf.flags)
    old = tmp_path / "old"
    shutil.copytree(packaged["folders"][1], old)
    d = json.loads((old / "datapackage.json").read_text(encoding="utf-8"))
    d["openbook"]["period"] = "2023-24"
    (old / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    r = compare([packaged["folders"][0], old, packaged["folders"][2]])
    assert any("different periods" in n and "2023-24" in n for n in r.notes)
    brook = next(s for s in r.summaries if s.body_name == "Brookshire District Council")
    assert any("2023-24" in f for f in brook.flags) and "2023-24" in brook.verdict


def test_coverage_and_missing_functions(result):
    for s in result.summaries:
        assert s.total_cost and 0 < s.coverage <= 1.0 + 1e-9
    brook = next(s for s in result.summaries if s.body_name == "Brookshire District Council")
    assert "Library service" in brook.lacks  # Brookshire has no library service; the other two do


# --------------------------------------------------------------------------- the supplier

def _rewrite(folder: Path, resource: str, change) -> None:
    """Change one packaged CSV in place and keep datapackage.json's size and hash true."""
    import csv
    import hashlib
    import io
    d = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in d["resources"] if r["name"] == resource)
    path = folder / res["path"]
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, change(list(reader))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    path.write_bytes(data)
    res.update(bytes=len(data), hash="sha256:" + hashlib.sha256(data).hexdigest(), rows=len(rows))
    (folder / "datapackage.json").write_text(json.dumps(d, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _csv_rows(path: Path) -> list[dict]:
    import csv
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_supplier_is_not_a_body_and_is_reconciled(packaged, tmp_path):
    root = catalogue(packaged["folders"] + [packaged["supplier"]], tmp_path / "catalogue")
    r = compare([root])
    assert [b.name for b in r.bodies] == [
        "Anytown Borough Council", "Brookshire District Council", "Castleford City Council"]
    assert all(e.body_name != "Kestrel Managed Services Ltd" for sf in r.shared_functions for e in sf.bodies)
    assert any("Kestrel" in n and "not a public body" in n for n in r.notes)
    [rec] = r.reconciliations
    # By hand from the packaged CSVs: the supplier's cost lines, and Anytown's spend under the contract.
    lines = _csv_rows(packaged["supplier"] / "data" / "supplier-costs.csv")
    costs = sum(float(x["Cost"]) for x in lines if x["CostElement"] != "profit")
    profit = sum(float(x["Cost"]) for x in lines if x["CostElement"] == "profit")
    spend = [x for x in _csv_rows(packaged["folders"][0] / "data" / "spend.csv")
             if x["ContractReference"] == rec.contract]
    assert rec.council_name == "Anytown Borough Council" and rec.registration_number == "09876543"
    assert abs(rec.costs - costs) < PENNY and abs(rec.margin - profit) < PENNY
    assert abs(rec.charged - (costs + profit)) < PENNY
    assert abs(rec.paid - sum(float(x["Amount"]) for x in spend)) < PENNY and rec.payments == len(spend)
    assert rec.matched_by == {"contract reference": len(spend)} and abs(rec.unexplained) < PENNY

    # Without contract references the payments are found by registration number; one missing payment shows.
    copy = tmp_path / "anytown"
    shutil.copytree(packaged["folders"][0], copy)
    dropped = []

    def strip(rows):
        for x in rows:
            if x["ContractReference"] == rec.contract:
                x["ContractReference"] = ""
                x["BeneficiaryName"] = "KESTREL MANAGED SERVICES LIMITED"
        dropped.append(next(x for x in rows if x["BeneficiaryRegistrationNumber"] == "09876543"))
        return [x for x in rows if x is not dropped[0]]
    _rewrite(copy, "spend", strip)
    r2 = compare([copy, *packaged["folders"][1:], packaged["supplier"]])
    [rec2] = r2.reconciliations
    assert rec2.matched_by == {"registration number": len(spend) - 1}
    assert abs(rec2.unexplained + float(dropped[0]["Amount"])) < PENNY
    assert "less than" in rec2.status and "unexplained" in rec2.status
    text = CliRunner().invoke(cli, ["compare", str(root)]).stdout
    assert "Open-book reconciliation" in text and rec.contract in text


def test_suppliers_match_by_registration_number_then_name():
    from openbook.compare.model import Body
    from openbook.compare.overlaps import common_suppliers
    from openbook.compare.spend import SpendFile

    def body(slug, rows):
        return Body(slug=slug, name=slug.title(), uri=None, population=1, period=None, profile="council",
                    spend=[SpendFile(rows=rows)])
    a = body("a", [{"BeneficiaryName": "Acme Services Ltd", "BeneficiaryRegistrationNumber": "1234567",
                    "Amount": "100"}])
    b = body("b", [{"BeneficiaryName": "ACME (Northern) Limited", "BeneficiaryRegistrationNumber": "01234567",
                    "Amount": "50"},
                   {"BeneficiaryName": "Acme\u200b Services\u202e Ltd", "BeneficiaryRegistrationNumber": "",
                    "Amount": "25"}])
    c = body("c", [{"BeneficiaryName": "Acme Services", "BeneficiaryRegistrationNumber": "", "Amount": "10"}])
    [cs] = common_suppliers([a, b, c])
    assert cs.matched_on == "registration number 01234567"
    assert {x.body: x.amount for x in cs.bodies} == {"a": 100.0, "b": 75.0, "c": 10.0}
    assert normalise_name("Kes\u200btrel\u2066 Managed Services Ltd") == "kestrel managed services"
    from openbook.compare.matching import registration_number
    assert [registration_number(x) for x in ("N/A", "none", "REDACTED", "0", "SC123456", " 0987 6543")] == \
        ["", "", "", "", "SC123456", "09876543"]


# --------------------------------------------------------------------------- Public Value Index

def test_index_is_robust_with_few_bodies(result):
    assert result.index
    for fi in result.index:
        assert [e.rank for e in fi.ranked] == list(range(1, len(fi.ranked) + 1))
        assert fi.pillar_weights == PILLAR_WEIGHTS
        for e in fi.ranked:
            assert e.index > 0 and e.confidence == "low"  # three bodies, three peer groups
            for s in e.scores:
                others = [o.value for o2 in fi.ranked + fi.not_ranked for o in o2.scores
                          if o.indicator == s.indicator and o2.body != e.body]
                if all(abs(s.value - v) < 0.1 * abs(v) for v in others):
                    assert 25 < s.score < 75, (fi.label, e.body_name, s)  # a small difference stays small
    hr = next(fi for fi in result.index if fi.label.startswith("HR advice"))
    days = {e.body_name: e.scores[0].value for e in hr.ranked}
    assert sorted(days.values()) == [10.0, 10.7, 10.7]
    assert all(e.outcome_score > 40 for e in hr.ranked)


def test_cost_measures_and_unpillared_indicators_are_left_out(result):
    pay = next(fi for fi in result.index if fi.label == "Payroll and pensions administration")
    assert any("Cost per payslip" in x and "cost measure" in x for x in pay.excluded_indicators)
    assert all(s.indicator != "OB-PAY-01" for fi in result.index for e in fi.ranked + fi.not_ranked
               for s in e.scores)
    # Pillars: weights explicit; an indicator without a pillar is never its own pillar.
    assert outcome_score([("pursuing-goals", 80.0), ("managing-inputs", 40.0), ("managing-inputs", 60.0)])[0] == \
        pytest.approx((80 * 0.25 + 50 * 0.25) / 0.5)
    m, scale, scores = robust_scores({"a": 10.0, "b": 10.7, "c": 10.7}, "lower-is-better")
    assert m == 10.7 and scale == pytest.approx(1.07) and min(scores.values()) > 0


def test_removing_one_body_outcomes_removes_it_from_the_ranking(packaged, tmp_path):
    source = EXAMPLES / "castleford-city-council.xlsx"
    copy = tmp_path / "castleford-city-council.xlsx"
    wb = openpyxl.load_workbook(source)
    del wb["Outcomes"]
    wb.save(copy)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1764288000")
        castleford = package(copy, out_dir=tmp_path / "out").path
    folders = packaged["folders"][:2] + [castleford]
    r = compare(folders)
    assert r.index
    for fi in r.index:
        assert "Castleford City Council" not in {e.body_name for e in fi.ranked}
        reasons = {e.body_name: e.reasons for e in fi.not_ranked}
        assert reasons["Castleford City Council"] == ["not ranked: no outcome data"]
        for e in fi.ranked:  # two bodies left: every score is low confidence, and no range
            assert e.confidence == "low" and e.index_low is None
    assert any("Castleford City Council is not ranked" in n and "no outcome data" in n for n in r.notes)
    res = CliRunner().invoke(cli, ["compare", *map(str, folders), "--format", "text"])
    assert res.exit_code == 0, res.output
    assert "Castleford City Council: not ranked: no outcome data" in res.output


# --------------------------------------------------------------------------- 30+ councils, two peer groups

@pytest.fixture(scope="module")
def many(packaged, tmp_path_factory):
    from compare_catalogue import write_catalogue
    root = tmp_path_factory.mktemp("many")
    made = write_catalogue(packaged["folders"], root / "catalogue", councils=32)
    out = root / "report" / "compare.html"
    res = CliRunner().invoke(cli, ["compare", str(root / "catalogue"), str(packaged["supplier"]), "--format",
                                   "html", "-o", str(out), "--scale-population", "1000000", "--scale-source",
                                   "a test figure given on the command line"])
    assert res.exit_code == 0, res.output
    return {"made": made, "out": out, "result": compare([root / "catalogue"], scale_population=1_000_000,
                                                         scale_source="a test figure given on the command line")}


def test_many_councils_savings_and_scores_carry_intervals(many):
    r = many["result"]
    assert len(r.bodies) == 32 and len(r.peer_groups) == 2 and all(g.claimed for g in r.peer_groups)
    assert {b.type_source for b in r.bodies} == {"organisation URI"}
    sc = r.scenario
    assert sc.claimed and sc.low <= sc.total <= sc.high and sc.low < sc.high
    for p in sc.bodies:
        assert p.low <= p.total <= p.high
    rows = [e for sf in r.shared_functions for e in sf.bodies if e.counted]
    assert rows and all(e.duplication_low <= e.duplication_cost <= e.duplication_high for e in rows)
    assert all(e.peer_group == next(b for b in r.bodies if b.slug == e.body).peer_group for e in rows)
    ranked = [e for fi in r.index for e in fi.ranked]
    assert ranked and all(e.index_low is not None and e.index_low <= e.index <= e.index_high for e in ranked)
    # Sixteen of each type report outcomes: each body is scaled and ranked among its own peer group.
    assert all(fi.scope == "within each peer group" for fi in r.index if fi.peer_groups > 1)
    assert all(e.scope == e.peer_group and e.confidence != "low" or e.indicators < 2 for e in ranked)
    for s in r.summaries:
        assert s.rank and not re.search(r"of (\d+) of \1", s.verdict) and s.peer_group in s.verdict
    ex = r.extrapolation
    assert ex.population == 1_000_000 and ex.total == pytest.approx(sc.per_100k * 10)
    assert "1,000,000" in ex.statement and "a test figure given on the command line" in ex.statement
    assert any("typical" in a for a in ex.assumptions) and "46 bn" in ex.manifesto_claim


def test_headline_and_index_recomputed_from_the_exports_alone(many):
    """The scenario total, its range, and every index, from the CSV files beside the report (docs/compare.md)."""
    stem = many["out"].with_suffix("")
    csvs = {s: _csv_rows(stem.with_name(stem.name + s)) for s in
            ("-functions.csv", "-systems.csv", "-scenario.csv", "-index.csv", "-indicators.csv")}
    reduction = 0.4
    groups = defaultdict(list)
    for kind in ("-functions.csv", "-systems.csv"):
        for row in csvs[kind]:
            if row["cost_per_unit"]:
                key = row.get("function_key") or row["system_key"]
                groups[(kind, key, row["peer_group"])].append(row)
    total, bodies = 0.0, {row["body"] for rows in groups.values() for row in rows}
    replicates = defaultdict(float)
    for rows, counted in ((rows, [x for x in rows if x["counted"] == "yes"]) for rows in groups.values()):
        if len(rows) < 5:
            assert not counted
            continue
        values = [float(x["cost_per_unit"]) for x in rows]
        q = round(quartile(values), 4)
        assert all(float(x["benchmark"]) == q for x in rows)
        total += sum(reduction * max(0.0, float(x["cost_per_unit"]) - q) * float(x["units"]) for x in counted)
        for j in bodies:
            qj = round(quartile([float(x["cost_per_unit"]) for x in rows if x["body"] != j]), 4) \
                if any(x["body"] == j for x in rows) else q
            replicates[j] += sum(reduction * max(0.0, float(x["cost_per_unit"]) - qj) * float(x["units"])
                                 for x in counted)
    last = csvs["-scenario.csv"][-1]
    assert last["body"] == "Total"
    assert abs(float(last["total_savings"]) - total) < 0.01
    assert abs(float(last["low"]) - min([total, *replicates.values()])) < 0.01
    assert abs(float(last["high"]) - max([total, *replicates.values()])) < 0.01
    # The index: robust scores from the values, pillar means, weighted mean, x median / own cost per unit.
    values = defaultdict(dict)
    for row in csvs["-indicators.csv"]:
        values[(row["function_key"], row["scope"], row["indicator"])][row["body"]] = row
    checked = 0
    for row in csvs["-index.csv"]:
        if not row["index"]:
            continue
        pillars = defaultdict(list)
        for (fkey, scope, _), by_body in values.items():
            if (fkey, scope) != (row["function_key"], row["scope"]) or row["body"] not in by_body:
                continue
            vals = {b: float(x["value"]) for b, x in by_body.items()}
            m = quartile_at(list(vals.values()), 0.5)
            scale = max(1.4826 * quartile_at([abs(v - m) for v in vals.values()], 0.5), 0.1 * abs(m))
            mine = by_body[row["body"]]
            z = (vals[row["body"]] - m) / scale * (-1 if mine["polarity"] == "lower-is-better" else 1)
            pillars[mine["pillar"]].append(min(100, max(0, 50 + 25 * len(vals) / (len(vals) + 3) * z)))
        weights = {p: 0.25 for p in pillars}
        outcome = sum(weights[p] * sum(v) / len(v) for p, v in pillars.items()) / sum(weights.values())
        assert outcome == pytest.approx(float(row["outcome_score"]), abs=1e-5)
        index = outcome * float(row["median_cost_per_unit"]) / float(row["cost_per_unit"])
        assert index == pytest.approx(float(row["index"]), abs=1e-4)
        checked += 1
    assert checked >= 32


def test_every_json_field_is_documented(many):
    docs = (ROOT / "docs" / "compare.md").read_text(encoding="utf-8")
    keys = set()

    def walk(obj, dynamic=False):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if not dynamic:
                    keys.add(k)
                walk(v, dynamic=k in ("method", "pillars", "pillar_weights", "fte", "roles_unassigned",
                                      "matched_by"))
        elif isinstance(obj, list):
            for v in obj:
                walk(v)
    walk(many["result"].to_dict())
    missing = sorted(k for k in keys if f"`{k}`" not in docs)
    assert missing == [], missing


def test_leave_out_sets_are_each_body_or_dealt_groups():
    from openbook.compare.benchmark import leave_out_sets
    from openbook.compare.method import MAX_REPLICATES
    few = leave_out_sets(["c", "a", "b"])
    assert few == [("a", frozenset("a")), ("b", frozenset("b")), ("c", frozenset("c"))]
    slugs = [f"b{i:03d}" for i in range(45)]
    sets = leave_out_sets(reversed(slugs))
    assert len(sets) == MAX_REPLICATES
    assert sorted(s for _, group in sets for s in group) == slugs  # every body left out exactly once
    assert sets[0][1] == frozenset({"b000", "b020", "b040"})


def test_method_text_is_made_from_the_constants():
    from openbook.compare import method
    assert f"at least {MIN_PEERS} peers" in method.SYSTEM_RULE
    assert f"{method.QUARTILE * 100:g}th percentile" in method.scenario_method(0.25)
    assert "25% x the cost of duplication" in method.scenario_method(0.25)
    assert f"{method.PVI_SPREAD}" in method.PVI_RULE and f"{method.PVI_FLOOR:.0%}" in method.PVI_RULE


def quartile_at(values: list[float], q: float) -> float:
    s = sorted(values)
    h = (len(s) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (h - lo) * (s[hi] - s[lo])


# --------------------------------------------------------------------------- command line

def test_cli_json_parses(packaged):
    res = CliRunner().invoke(cli, ["compare", *map(str, packaged["folders"]), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["reduction"] == 0.4
    assert {b["name"] for b in data["bodies"]} == {"Anytown Borough Council", "Brookshire District Council",
                                                  "Castleford City Council"}
    assert "tables" not in data["bodies"][0]
    assert data["method"]["scenario"] == compare(packaged["folders"]).scenario.method
    assert "loo" not in json.dumps(data)


def test_cli_text_shows_verdicts(packaged):
    res = CliRunner().invoke(cli, ["compare", *map(str, packaged["folders"]), "--reduction", "0.4"])
    assert res.exit_code == 0, res.output
    verdicts = [line for line in res.stdout.splitlines() if line.startswith("Verdict: ")]
    assert len(verdicts) == 5
    assert "Verdict: 40% scenario: no cost of duplication is claimed" in res.stdout
    for name in ("Anytown Borough Council", "Brookshire District Council", "Castleford City Council"):
        assert any(line.startswith(f"Verdict: {name} (peer group: ") for line in verdicts)


def test_cli_html_writes_report_and_exports(packaged, tmp_path):
    out = tmp_path / "report" / "x.html"
    res = CliRunner().invoke(cli, ["compare", *map(str, packaged["zips"]), "--format", "html", "-o", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in html
    assert 'class="dotplot"' in html and 'scope="col"' in html and 'scope="row"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "the report must not load anything"
    for suffix in ("-functions.csv", "-systems.csv", "-suppliers.csv", "-roles.csv", "-scenario.csv",
                   "-index.csv", "-summary.csv", "-reconciliation.csv", "-peer-groups.csv", "-indicators.csv"):
        assert (tmp_path / "report" / f"x{suffix}").is_file(), suffix
    data = json.loads((tmp_path / "report" / "x.json").read_text(encoding="utf-8"))
    assert data["scenario"]["total"] == 0 and not data["scenario"]["claimed"]
    header = (tmp_path / "report" / "x-functions.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("function,function_key,matched_on,back_office,body")
    for page in (html, res.stderr):
        assert "too few comparable bodies" in page


def test_scale_population_needs_its_source(packaged):
    res = CliRunner().invoke(cli, ["compare", *map(str, packaged["folders"]), "--scale-population", "1000"])
    assert res.exit_code == 2 and "--scale-source" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_zip_slip_is_refused(packaged, tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.write(packaged["folders"][0] / "datapackage.json", "datapackage.json")
        zf.writestr("../../outside.csv", "a,b\n1,2\n")
    res = CliRunner().invoke(cli, ["compare", str(evil), *map(str, packaged["folders"][1:])])
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1
    assert "outside the package" in res.stderr
    assert not (tmp_path.parent / "outside.csv").exists()
    with pytest.raises(OpenbookError):
        compare([evil])


def test_needs_two_bodies(packaged):
    with pytest.raises(OpenbookError, match="at least two"):
        compare(packaged["folders"][:1])
    res = CliRunner().invoke(cli, ["compare", "/no/such/package"])
    assert res.exit_code == 2 and "no such file" in res.stderr


# --------------------------------------------------------------------------- S3 and CKAN (real servers)

def _renamed_copies(folders: list[Path], root: Path, suffix: str) -> list[Path]:
    """Copies whose package names are unique to this test (the servers are shared by the session).

    The test CKAN accepts uploads of at most 1 MB, so spend keeps only the
    lines of the planted common suppliers (their totals are still checked).
    """
    import csv
    import hashlib
    import io

    keep = {s["normalised"] for s in EXPECTED["suppliers"]}
    out = []
    for folder in folders:
        target = root / folder.name
        shutil.copytree(folder, target)
        d = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
        d["name"] = f"{d['name']}-{suffix}"
        spend = target / "data" / "spend.csv"
        with open(spend, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = [r for r in reader if norm(r["BeneficiaryName"]) in keep]
            fields = reader.fieldnames
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        data = buf.getvalue().encode("utf-8")
        spend.write_bytes(data)
        res = next(r for r in d["resources"] if r["name"] == "spend")
        res.update(bytes=len(data), hash="sha256:" + hashlib.sha256(data).hexdigest(), rows=len(rows))
        (target / "datapackage.json").write_text(json.dumps(d, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        out.append(target)
    return out


def test_s3_catalogue(packaged, s3_server, tmp_path, monkeypatch):
    import boto3
    from openbook.publish import publish

    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAOPENBOOKTEST0001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake-secret-xyz")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    bucket = "openbook-compare-" + uuid.uuid4().hex[:8]
    boto3.client("s3", endpoint_url=s3_server, region_name="eu-west-2").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    for folder in packaged["folders"]:
        publish(folder, to=f"s3://{bucket}/open-data")
    r = compare([f"s3://{bucket}/open-data"])
    check_overlaps(r)
    assert all("/latest" in p for b in r.bodies for p in b.packages)


def test_ckan_organisation(packaged, ckan_server, tmp_path, monkeypatch):
    import requests
    from openbook.publish import publish

    monkeypatch.setenv("CKAN_API_TOKEN", ckan_server.token)
    org = "compare-" + uuid.uuid4().hex[:8]
    resp = requests.post(f"{ckan_server.url}/api/3/action/organization_create",
                         json={"name": org, "title": "Compare test"},
                         headers={"Authorization": ckan_server.token}, timeout=60)
    assert resp.status_code == 200, resp.text
    for folder in _renamed_copies(packaged["folders"], tmp_path, org):
        publish(folder, to=ckan_server.target, ckan_org=org)
    r = compare([f"{ckan_server.target}/organization/{org}"])
    check_overlaps(r)
