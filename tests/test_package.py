"""openbook package: frictionless-valid, faithful, deterministic, and careful with bad input."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from frictionless import Package

from openbook.cli import cli
from openbook.errors import Refused
from openbook.datapackage.write import package

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
COUNCILS = ["anytown-borough-council.xlsx", "brookshire-district-council.xlsx", "castleford-city-council.xlsx"]
EPOCH = "1764288000"  # 2025-11-28T00:00:00Z


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def supplier_example() -> Path:
    found = sorted(EXAMPLES.glob("*supplier*.xlsx"))
    assert found, "examples/ should hold a supplier submission"
    return found[0]


def frictionless_errors(descriptor_path: Path) -> list:
    pkg = Package(str(descriptor_path))
    report = pkg.validate()
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize("name", COUNCILS + ["supplier"])
def test_examples_package_and_frictionless_validates_them(tmp_path, name):
    source = supplier_example() if name == "supplier" else EXAMPLES / name
    result = package(source, out_dir=tmp_path)
    descriptor = json.loads((result.path / "datapackage.json").read_text())
    assert frictionless_errors(result.path / "datapackage.json") == []
    # provenance and resource metadata the issue asks for
    assert descriptor["licenses"][0]["name"] == "OGL-UK-3.0"
    assert descriptor["sources"][0]["title"] == source.name
    assert descriptor["sources"][0]["hash"] == "sha256:" + hashlib.sha256(source.read_bytes()).hexdigest()
    assert descriptor["created"] == "2025-11-28T00:00:00Z"
    assert descriptor["openbook"]["standard"] == "1.0.0"
    assert descriptor["openbook"]["validation"]["valid"] is True
    for res in descriptor["resources"]:
        data = (result.path / res["path"]).read_bytes()
        assert res["bytes"] == len(data)
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert res["rows"] == data.count(b"\n") - 1 or res["rows"] > 0
        assert res["mediatype"] == "text/csv" and res["encoding"] == "utf-8"
    if name != "supplier":
        names = {r["name"] for r in descriptor["resources"]}
        assert {"functions", "costs", "spend", "roles-senior", "roles-junior", "systems", "outcomes"} <= names
        spend = next(r for r in descriptor["resources"] if r["name"] == "spend")
        assert spend["schema"]["foreignKeys"][0]["reference"]["resource"] == "functions"
        assert descriptor["openbook"]["population"] > 1000


def test_frictionless_catches_a_broken_foreign_key_in_a_package(tmp_path):
    """The FK declared in the package is real: break one and frictionless notices."""
    result = package(EXAMPLES / COUNCILS[0], out_dir=tmp_path)
    spend = result.path / "data" / "spend.csv"
    rows = list(csv.reader(spend.open(encoding="utf-8")))
    col = rows[0].index("FunctionID")
    rows[1][col] = "NO-SUCH-FUNCTION"
    with spend.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    descriptor = json.loads((result.path / "datapackage.json").read_text())
    for r in descriptor["resources"]:  # frictionless would also flag the now-wrong hash
        r.pop("hash"), r.pop("bytes")
    (result.path / "datapackage.json").write_text(json.dumps(descriptor))
    errors = frictionless_errors(result.path / "datapackage.json")
    assert [e[2] for e in errors] == ["foreign-key"]


def test_round_trip_values_match_the_workbook(tmp_path):
    source = EXAMPLES / COUNCILS[0]
    result = package(source, out_dir=tmp_path)
    pkg = Package(str(result.path / "datapackage.json"))
    rows = pkg.get_resource("spend").read_rows()
    wb = openpyxl.load_workbook(source, read_only=True, data_only=True)
    ws = wb["Spend"]
    sheet_rows = list(ws.iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(sheet_rows) if r and "PaymentDate" in r)
    header = sheet_rows[header_index]
    data = [r for r in sheet_rows[header_index + 1:] if any(v not in (None, "") for v in r)]
    assert len(rows) == len(data)
    redacted = 0
    for packaged, original in zip(rows, data):
        src = dict(zip(header, original))
        date = src["PaymentDate"]
        date = date.date() if isinstance(date, dt.datetime) else date
        assert packaged["PaymentDate"] == date
        assert float(packaged["Amount"]) == pytest.approx(float(src["Amount"]), abs=0.005)
        assert packaged["BeneficiaryName"] == str(src["BeneficiaryName"]).strip()
        redacted += "redacted" in packaged["BeneficiaryName"].lower()
    assert redacted > 0, "the example has redacted beneficiaries and they survive packaging"


def test_packaging_twice_is_byte_identical(tmp_path):
    first = package(EXAMPLES / COUNCILS[1], out_dir=tmp_path / "a")
    second = package(EXAMPLES / COUNCILS[1], out_dir=tmp_path / "b")
    files_a = sorted(p.relative_to(first.path) for p in first.path.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second.path) for p in second.path.rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (first.path / rel).read_bytes() == (second.path / rel).read_bytes(), rel
    zip_a = package(EXAMPLES / COUNCILS[1], out_dir=tmp_path / "za", zip=True)
    zip_b = package(EXAMPLES / COUNCILS[1], out_dir=tmp_path / "zb", zip=True)
    assert zip_a.path.read_bytes() == zip_b.path.read_bytes()


def test_zip_is_read_by_frictionless(tmp_path):
    result = package(EXAMPLES / COUNCILS[2], out_dir=tmp_path, zip=True)
    assert result.path.suffix == ".zip"
    with zipfile.ZipFile(result.path) as zf:
        assert "datapackage.json" in zf.namelist()
        zf.extractall(tmp_path / "unzipped")
    assert frictionless_errors(tmp_path / "unzipped" / "datapackage.json") == []
    pkg = Package(str(result.path))
    assert pkg.get_resource("functions").read_rows()


def test_with_errors_example_is_refused_and_nothing_is_written(tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(cli, ["package", str(EXAMPLES / "anytown-with-errors.xlsx"), "-o", str(out)])
    assert res.exit_code == 1
    assert "openbook validate" in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert "Traceback" not in res.output
    assert list(out.iterdir()) == []


def test_personal_data_needs_its_own_permission(tmp_path):
    source = EXAMPLES / "anytown-with-errors.xlsx"
    with pytest.raises(Refused, match="personal data"):
        package(source, out_dir=tmp_path, allow_invalid=True)
    result = package(source, out_dir=tmp_path, allow_invalid=True, allow_personal_data=True)
    descriptor = result.descriptor
    assert descriptor["openbook"]["personalDataAllowed"] is True
    assert descriptor["openbook"]["validation"]["valid"] is False
    report = json.loads((result.path / "report.json").read_text())
    assert report["summary"]["errors"] == descriptor["openbook"]["validation"]["errors"] > 0


def test_formula_text_is_neutralised_in_every_csv(tmp_path):
    result = package(EXAMPLES / "anytown-with-errors.xlsx", out_dir=tmp_path, allow_invalid=True,
                     allow_personal_data=True)
    for res in result.descriptor["resources"]:
        with (result.path / res["path"]).open(encoding="utf-8") as f:
            for row in csv.reader(f):
                for cell in row:
                    if cell[:1] in ("=", "+", "@", "\t", "\r"):
                        pytest.fail(f"{res['path']}: formula-like cell {cell!r} was not neutralised")
    spend = (result.path / "data" / "spend.csv").read_text(encoding="utf-8")
    assert "'=" in spend


def test_metadata_from_yaml_and_the_command_line_wins(tmp_path):
    src = tmp_path / "spend-2025-04.csv"
    src.write_text("OrganisationURI,OrganisationLabel,PaymentDate,OrganisationalUnit,BeneficiaryName,Purpose,Amount\n"
                   "https://www.anytown.gov.uk/,Anytown,30/04/2025,Finance,Acme Supplies Ltd,Paper,\"£1,234.50\"\n",
                   encoding="utf-8")
    (tmp_path / "openbook.yaml").write_text("org_name: Anytown Borough Council\norg_uri: https://www.anytown.gov.uk/\n"
                                            "period: 2025-04\npopulation: 98,400\n", encoding="utf-8")
    result = package(src, out_dir=tmp_path / "out", period="2025-05")
    d = result.descriptor
    assert d["name"] == "anytown-borough-council-2025-05"
    assert d["temporalCoverage"] == {"start": "2025-05-01", "end": "2025-05-31"}
    assert d["openbook"]["population"] == 98400
    data = (result.path / "data" / "spend.csv").read_text(encoding="utf-8").splitlines()
    row = dict(zip(data[0].split(","), data[1].split(",")))
    assert row["PaymentDate"] == "2025-04-30" and row["Amount"] == "1234.50"


def test_missing_settings_give_one_clear_line(tmp_path):
    src = tmp_path / "spend.csv"
    src.write_text("PaymentDate,Amount\n2025-04-30,12\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["package", str(src), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "--org-name" in res.output and "--period" in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_an_unreadable_period_is_one_clear_line(tmp_path):
    res = CliRunner().invoke(cli, ["package", str(EXAMPLES / COUNCILS[0]), "--period", "Q3",
                                   "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "Q3" in res.output and len(res.output.strip().splitlines()) == 1
    assert not any((tmp_path / "out").iterdir())
