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
import os
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
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1764288000"
    try:
        folders = [package(EXAMPLES / f"{c}.xlsx", out_dir=out / "folders").path for c in COUNCILS]
        zips = [package(EXAMPLES / f"{c}.xlsx", out_dir=out / "zips", zip=True).path for c in COUNCILS]
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return {"folders": folders, "zips": zips, "root": out}


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


# --------------------------------------------------------------------------- the 40% scenario by hand

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


def hand_scenario(workbooks: dict, reduction: float) -> dict:
    """Savings per council name and in total, from the raw workbooks and the planted matches."""
    names = {c: wb["name"] for c, wb in workbooks.items()}
    council_of = {v: k for k, v in names.items()}
    savings = defaultdict(float)
    # Which functions are matched: the planted list. A council's function counts in the totals only
    # when none of its sub-functions (in that council's Functions sheet) is itself a matched function.
    matched = defaultdict(set)
    for f in EXPECTED["functions"]:
        for n, c in f["councils"].items():
            matched[council_of[n]].add(c["FunctionID"])
    for f in EXPECTED["functions"]:
        entries = []
        backoffice = []
        for n, c in f["councils"].items():
            wb = workbooks[council_of[n]]
            fid = c["FunctionID"]
            row = next(r for r in wb["functions"] if r["FunctionID"] == fid)
            lines = [r["Actual"] for r in wb["costs"] if r["FunctionID"] == fid]
            cost = sum(lines) if lines else row["AnnualCost"]
            children = defaultdict(list)
            for r in wb["functions"]:
                if r.get("ParentID"):
                    children[r["ParentID"]].append(r["FunctionID"])
            stack, nested = [fid], False
            while stack:
                for child in children.get(stack.pop(), []):
                    nested = nested or child in matched[council_of[n]]
                    stack.append(child)
            backoffice.append(row["BackOffice"] in (True, "yes", "true", "TRUE", "Yes"))
            entries.append((n, cost / wb["population"], wb["population"], nested))
        if sum(backoffice) * 2 < len(backoffice):
            continue  # front line: not cut
        q = quartile([cph for _, cph, _, _ in entries])
        for n, cph, pop, nested in entries:
            if not nested:
                savings[n] += reduction * max(0.0, cph - q) * pop
    # Systems: the same normalised vendor + product in two or more councils; cut the cost above the cheapest.
    groups = defaultdict(dict)
    for c, wb in workbooks.items():
        for r in wb["systems"]:
            if r.get("AnnualCost") is None:
                continue
            key = (norm(r["Vendor"]), norm(r["Product"]))
            groups[key][names[c]] = groups[key].get(names[c], 0.0) + r["AnnualCost"]
    for key, costs in groups.items():
        if len(costs) < 2:
            continue
        cheapest = min(costs.values())
        for n, cost in costs.items():
            savings[n] += reduction * (cost - cheapest)
    return {"bodies": dict(savings), "total": sum(savings.values())}


@pytest.mark.parametrize("reduction", [0.4, 0.25])
def test_scenario_matches_hand_calculation(packaged, workbooks, reduction):
    r = compare(packaged["folders"], reduction=reduction)
    want = hand_scenario(workbooks, reduction)
    got = {p.body_name: p.total for p in r.scenario.bodies}
    assert set(got) == set(want["bodies"])
    for name, value in want["bodies"].items():
        assert abs(got[name] - value) < PENNY, name
    assert abs(r.scenario.total - want["total"]) < PENNY
    assert abs(sum(s.savings for s in r.summaries) - want["total"]) < PENNY
    assert sum(p.share for p in r.scenario.bodies) == pytest.approx(1.0)
    assert f"{reduction * 100:g}%" in r.scenario.method


def test_quartile_and_duplication_cost_worked_example(result):
    # One function written out: Payroll and pensions administration (LGSL 1003).
    sf = next(s for s in result.shared_functions if s.label == "Payroll and pensions administration")
    cph = sorted(e.annual_cost / e.population for e in sf.bodies)
    q = cph[0] + 0.5 * (cph[1] - cph[0])  # n = 3: position (3 - 1) x 0.25 = 0.5
    assert sf.quartile_cost_per_head == pytest.approx(q)
    assert sf.median_cost_per_head == pytest.approx(cph[1])
    dup = sum(max(0.0, e.annual_cost / e.population - q) * e.population for e in sf.bodies)
    assert abs(sf.duplication_cost - dup) < PENNY


def test_summary_places_each_body(result):
    positions = sorted(s.position for s in result.summaries)
    assert positions == ["cheapest", "dearest", "median"]
    for s in result.summaries:
        assert s.back_office_cost > 0 and s.verdict.startswith(s.body_name)


# --------------------------------------------------------------------------- Public Value Index

def test_index_ranks_bodies_with_outcomes(result):
    assert result.index
    for fi in result.index:
        assert [e.rank for e in fi.ranked] == list(range(1, len(fi.ranked) + 1))
        indexes = [e.index for e in fi.ranked]
        assert indexes == sorted(indexes, reverse=True)
        for e in fi.ranked:
            assert e.indicators >= 1
            assert (e.confidence == "low") == (e.indicators < 2 or fi.bodies_with_outcomes < 3)
    # The library indicator: Brookshire has no library service, so it is not in that ranking.
    lib = next(fi for fi in result.index if fi.label == "Library service")
    assert {e.body_name for e in lib.ranked} == {"Anytown Borough Council", "Castleford City Council"}
    assert all(e.confidence == "low" for e in lib.ranked)


def test_index_by_hand_for_one_function(result):
    # Payroll: one indicator, OB-PAY-01 cost per payslip, lower is better.
    fi = next(f for f in result.index if f.label == "Payroll and pensions administration")
    ind = next(i for i in EXPECTED["indicators"] if i["IndicatorID"] == "OB-PAY-01")
    values = {n: c["Value"] for n, c in ind["councils"].items()}
    lo, hi = min(values.values()), max(values.values())
    sf = next(s for s in result.shared_functions if s.key == fi.key)
    median = sorted(e.cost_per_head for e in sf.bodies)[1]
    for e in fi.ranked:
        score = (hi - values[e.body_name]) / (hi - lo) * 100
        assert e.outcome_score == pytest.approx(score)
        assert e.index == pytest.approx(score * median / e.cost_per_head)
        assert e.confidence == "low"  # one indicator


def test_removing_one_body_outcomes_removes_it_from_the_ranking(packaged, tmp_path):
    source = EXAMPLES / "castleford-city-council.xlsx"
    copy = tmp_path / "castleford-city-council.xlsx"
    wb = openpyxl.load_workbook(source)
    del wb["Outcomes"]
    wb.save(copy)
    os.environ["SOURCE_DATE_EPOCH"] = "1764288000"
    try:
        castleford = package(copy, out_dir=tmp_path / "out").path
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    folders = packaged["folders"][:2] + [castleford]
    r = compare(folders)
    assert r.index
    for fi in r.index:
        assert "Castleford City Council" not in {e.body_name for e in fi.ranked}
        reasons = {e.body_name: e.reasons for e in fi.not_ranked}
        assert reasons["Castleford City Council"] == ["not ranked: no outcome data"]
        for e in fi.ranked:  # two bodies left: every score is low confidence
            assert e.confidence == "low"
    assert any("Castleford City Council is not ranked" in n and "no outcome data" in n for n in r.notes)
    runner = CliRunner()
    res = runner.invoke(cli, ["compare", *map(str, folders), "--format", "text"])
    assert res.exit_code == 0, res.output
    assert "Castleford City Council: not ranked: no outcome data" in res.output
    # The other figures do not depend on outcomes.
    full = compare(packaged["folders"])
    assert abs(r.scenario.total - full.scenario.total) < PENNY


# --------------------------------------------------------------------------- command line

def test_cli_json_parses(packaged):
    res = CliRunner().invoke(cli, ["compare", *map(str, packaged["folders"]), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["reduction"] == 0.4
    assert {b["name"] for b in data["bodies"]} == {"Anytown Borough Council", "Brookshire District Council",
                                                  "Castleford City Council"}
    assert "tables" not in data["bodies"][0]
    assert data["scenario"]["total"] > 0 and data["method"]["scenario"]


def test_cli_text_shows_verdicts(packaged):
    res = CliRunner().invoke(cli, ["compare", *map(str, packaged["folders"]), "--reduction", "0.4"])
    assert res.exit_code == 0, res.output
    verdicts = [line for line in res.stdout.splitlines() if line.startswith("Verdict: ")]
    assert len(verdicts) == 5
    assert "40% scenario: £" in res.stdout
    for name in ("Anytown Borough Council", "Brookshire District Council", "Castleford City Council"):
        assert any(line.startswith(f"Verdict: {name}: ") for line in verdicts)


def test_cli_html_writes_report_and_exports(packaged, tmp_path):
    out = tmp_path / "report" / "x.html"
    res = CliRunner().invoke(cli, ["compare", *map(str, packaged["zips"]), "--format", "html", "-o", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in html
    assert "<svg" in html and 'scope="col"' in html and 'scope="row"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "the report must not load anything"
    for suffix in ("-functions.csv", "-systems.csv", "-suppliers.csv", "-roles.csv", "-scenario.csv",
                   "-index.csv", "-summary.csv"):
        assert (tmp_path / "report" / f"x{suffix}").is_file(), suffix
    data = json.loads((tmp_path / "report" / "x.json").read_text(encoding="utf-8"))
    assert data["scenario"]["total"] > 0
    header = (tmp_path / "report" / "x-functions.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("function,matched_on,back_office,body")


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
