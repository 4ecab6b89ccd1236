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
    assert d["name"] == "anytown-borough-council-spend-2025-05"  # who, what and when
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


# --------------------------------------------------------------------------- names: who, what and when

GPC = (Path(__file__).resolve().parent / "fixtures" / "corpus" / "trafford"
       / "government_procurement_card_transactions" / "government_procurement_card_transactions_2026-27.csv")
TRAFFORD = ["--org-name", "Trafford Council", "--org-uri", "https://www.trafford.gov.uk", "--period", "2026-27"]
# Trafford's supplier-spend header (shared corpus README), with rows of our own.
SUPPLIER_SPEND = (
    "OrganisationLabel,OrganisationURI,EffectiveDate,OrganisationalUnit,BeneficiaryName,BeneficiaryOtherID,"
    "PaymentDate,TransactionNumber,Amount,IrrecoverableVATAmount,Purpose,ProclassLabel,ProclassCode,InvoiceNumber,"
    "ProfitCentre,VATRegistrationNumber\n"
    "Trafford Council,https://www.trafford.gov.uk,2026-04-30,Highways,Acme Surfacing Ltd,S100,2026-04-12,T1,"
    "12500.00,0,Road resurfacing,Highways,HW1,INV-1,PC10,GB123456789\n"
    "Trafford Council,https://www.trafford.gov.uk,2026-04-30,Libraries,Book Supplies Ltd,S200,2026-04-20,T2,"
    "880.40,0,Books,Libraries,LB1,INV-2,PC20,GB987654321\n")


def package_cli(*args):
    return CliRunner().invoke(cli, ["package", *map(str, args)])


def test_card_transactions_and_supplier_spend_of_one_year_never_share_a_name(tmp_path):
    """Issue 14 case 4: both were named trafford-council-2026-27, so publishing the
    second replaced the first."""
    spend = tmp_path / "trafford-supplier-spend-2026-27.csv"
    spend.write_text(SUPPLIER_SPEND, encoding="utf-8")
    out = tmp_path / "out"
    cards = package_cli(GPC, *TRAFFORD, "-o", out, "--allow-invalid", "--allow-personal-data")
    assert cards.exit_code == 0, cards.output
    payments = package_cli(spend, *TRAFFORD, "-o", out)
    assert payments.exit_code == 0, payments.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["trafford-council-card-transactions-2026-27", "trafford-council-spend-2026-27"]
    card_d = json.loads((out / names[0] / "datapackage.json").read_text())
    assert card_d["title"] == "Trafford Council: card transactions 2026-27"
    assert json.loads((out / names[1] / "datapackage.json").read_text())["title"] == "Trafford Council: spend 2026-27"

    # Both go into one catalogue, side by side.
    from openbook.publish import publish
    cat = tmp_path / "catalogue"
    for name in names:
        publish(out / name, to=str(cat))
    listed = {d["dct:identifier"] for d in json.loads((cat / "catalog.json").read_text())["dcat:dataset"]}
    assert listed == {f"trafford-council/{n}" for n in names}


def _spend_csv(path: Path, extra_header: str = "", extra: tuple[str, str] = ("", "")) -> Path:
    head = "OrganisationURI,OrganisationLabel,PaymentDate,OrganisationalUnit,BeneficiaryName,Purpose,Amount"
    rows = ["https://www.anytown.gov.uk/,Anytown,30/04/2025,Finance,Acme Supplies Ltd,Paper,612.50",
            "https://www.anytown.gov.uk/,Anytown,29/04/2025,Parks,Green Spaces Ltd,Mowing,75.00"]
    lines = [head + extra_header] + [r + e for r, e in zip(rows, extra)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ANYTOWN = dict(org_name="Anytown Borough Council", org_uri="https://www.anytown.gov.uk/", period="2025-04")


@pytest.mark.parametrize("file_name, extra_header, extra, holds", [
    ("payments-2025-04.csv", "", ("", ""), "spend"),
    # the file's name says cards (as in schemas/spend.json's sheet names)
    ("gpc-2025-04.csv", "", ("", ""), "card-transactions"),
    ("Purchase_Card_Transactions_April.csv", "", ("", ""), "card-transactions"),
    # the CardTransaction column says card on every row / not on every row
    ("payments-2025-04.csv", ",Procurement Card", (",GPC", ",Yes"), "card-transactions"),
    ("gpc-2025-04.csv", ",CardTransaction", (",GPC", ",No"), "spend"),
    # a merchant category code on every row: only card payments have one
    ("payments-2025-04.csv", ",MerchantCategoryCode", (",5111", ",0780"), "card-transactions"),
    ("payments-2025-04.csv", ",MerchantCategoryCode", (",5111", ","), "spend"),
])
def test_what_a_spend_file_holds_comes_from_its_own_evidence(tmp_path, file_name, extra_header, extra, holds):
    src = _spend_csv(tmp_path / file_name, extra_header, extra)
    result = package(src, out_dir=tmp_path / "out", **ANYTOWN)
    assert result.descriptor["name"] == f"anytown-borough-council-{holds}-2025-04"


def test_a_whole_submission_is_open_book_data(tmp_path):
    result = package(EXAMPLES / COUNCILS[0], out_dir=tmp_path)
    d = result.descriptor
    assert d["name"] == "anytown-borough-council-open-book-2025-26"
    assert d["title"] == "Anytown Borough Council: open-book data 2025-26"


def test_holds_and_version_from_the_command_line(tmp_path):
    src = _spend_csv(tmp_path / "april.csv")
    opts = ["--org-name", "Anytown Borough Council", "--org-uri", "https://www.anytown.gov.uk/", "--period", "2025-04"]
    res = package_cli(src, *opts, "--holds", "Card transactions (GPC)", "--version", "1.1.0", "-o", tmp_path / "out")
    assert res.exit_code == 0, res.output
    d = json.loads((tmp_path / "out" / "anytown-borough-council-card-transactions-gpc-2025-04" /
                    "datapackage.json").read_text())
    assert d["version"] == "1.1.0" and d["title"] == "Anytown Borough Council: Card transactions (GPC) 2025-04"
    for bad in (["--holds", " -- "], ["--version", "../1"], ["--version", "latest"]):
        res = package_cli(src, *opts, *bad, "-o", tmp_path / "bad")
        assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1, res.output
        assert not any((tmp_path / "bad").iterdir())


def test_an_organogram_is_named_for_what_it_is(tmp_path):
    # The header of data.gov.uk's senior organogram files (shared corpus README), rows of our own.
    src = tmp_path / "senior.csv"
    src.write_text(
        '"Post Unique Reference","Name","Grade (or equivalent)","Job Title","Job/Team Function","Parent Department",'
        '"Organisation","Unit","Contact Phone","Contact E-mail","Reports to Senior Post","Salary Cost of Reports (£)",'
        '"FTE","Actual Pay Floor (£)","Actual Pay Ceiling (£)","Professional/Occupational Group","Notes","Valid?"\n'
        '"1","N/D","SCS1","Director","Leads","Anytown Borough Council","Anytown Borough Council","Finance","N/D",'
        '"N/D","XX","0","1","0","0","Finance","",""\n', encoding="utf-8")
    opts = dict(ANYTOWN, period="2025-09")
    result = package(src, out_dir=tmp_path / "out", allow_invalid=True, allow_personal_data=True, **opts)
    assert result.descriptor["name"] == "anytown-borough-council-organogram-2025-09"
    both = package([src, _spend_csv(tmp_path / "payments.csv")], out_dir=tmp_path / "out2", allow_invalid=True,
                   allow_personal_data=True, **opts)
    assert both.descriptor["name"] == "anytown-borough-council-organogram-and-spend-2025-09"
    assert both.descriptor["title"] == "Anytown Borough Council: organogram and spend 2025-09"


def test_a_workbook_named_for_cards_with_a_plain_sheet_name_holds_card_transactions(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["OrganisationURI", "OrganisationLabel", "PaymentDate", "OrganisationalUnit", "BeneficiaryName",
               "Purpose", "Amount"])
    ws.append(["https://www.anytown.gov.uk/", "Anytown", "2025-04-30", "Finance", "Acme Supplies Ltd", "Paper", 61.5])
    src = tmp_path / "Anytown GPC April 2025.xlsx"
    wb.save(src)
    result = package(src, out_dir=tmp_path / "out", **ANYTOWN)
    assert result.descriptor["name"] == "anytown-borough-council-card-transactions-2025-04"
