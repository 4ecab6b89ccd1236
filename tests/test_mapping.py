"""openbook map proposes a mapping; validate and package read a file through it."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import openbook
from openbook.cli import cli
from openbook.errors import OpenbookError
from openbook.standard.mapping import TO_FILL, find_mapping, load_mapping

FIXTURES = Path(__file__).parent / "fixtures" / "corpus"
DARLINGTON = FIXTURES / "odileeds" / "darlington" / "clean" / "2022-09.csv"
DEVON = FIXTURES / "devon" / "DCCSpendingOver500_202504.csv"
# a ledger export whose headings are not the standard's
LEDGER = ("Posting Date,Net,Cost Centre,GL Account,Payee,Narrative\n"
          "01/04/2025,1200.00,Waste,5001,Acme Bins Ltd,Bin lifts\n"
          "02/04/2025,640.50,Parks,5002,Green Co,Mowing\n"
          "03/04/2025,980.00,Waste,5001,Acme Bins Ltd,Bin lifts\n")


def copy(src: Path, tmp_path: Path) -> Path:
    target = tmp_path / src.name
    shutil.copyfile(src, target)
    return target


def test_map_proposes_what_it_can_and_marks_the_rest(tmp_path):
    data = copy(DARLINGTON, tmp_path)
    result = CliRunner().invoke(cli, ["map", str(data)])
    assert result.exit_code == 0, result.output
    written = data.with_name(data.name + ".openbook.yaml")
    assert f"Mapping written to {written}" in result.stderr
    proposal = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert proposal["table"] == "spend" and proposal["period"] == "2022-09"
    assert proposal["columns"]["Directotate"] == "OrganisationalUnit"
    assert proposal["columns"]["Invoice Line Value (net of VAT)"] == "Amount"
    assert proposal["columns"]["Account"] is None
    assert proposal["constants"]["OrganisationURI"] == TO_FILL
    # never replaced without --force
    again = CliRunner().invoke(cli, ["map", str(data)])
    assert again.exit_code == 2 and "--force" in again.stderr


def test_map_reads_the_shape_of_values(tmp_path):
    ledger = tmp_path / "ledger-2025-04.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    text = CliRunner().invoke(cli, ["map", str(ledger), "-o", "-"]).stdout
    proposal = yaml.safe_load(text)
    assert proposal["columns"]["Posting Date"] == "PaymentDate"
    assert proposal["columns"]["Net"] == "Amount"
    assert proposal["date_format"] == "DD/MM/YYYY" and proposal["period"] == "2025-04"


def test_validate_and_package_read_through_the_mapping(tmp_path):
    ledger = tmp_path / "ledger-2025-04.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    mapping = tmp_path / "ledger.yaml"
    mapping.write_text(
        "table: spend\n"
        "columns:\n  Posting Date: PaymentDate\n  Net: Amount\n  Cost Centre: OrganisationalUnit\n"
        "  GL Account: ~\n  Payee: BeneficiaryName\n  Narrative: Purpose\n"
        "constants:\n  OrganisationURI: https://www.anytown.gov.uk/\n  OrganisationLabel: Anytown Council\n"
        "period: 2025-04\n", encoding="utf-8")
    report = openbook.validate([ledger], mapping=mapping)
    [t] = report.tables
    assert t.schema == "spend" and t.rows == 3 and report.valid, [f.message for f in report.findings()]
    assert t.notes[1] == f"Mapping {mapping} used." and "GL Account" not in str(report.to_dict()["problems"])
    result = openbook.package([ledger], out_dir=tmp_path / "out", mapping=mapping)
    rows = list(csv.DictReader(io.StringIO((result.path / "data" / "spend.csv").read_text(encoding="utf-8"))))
    assert [r["BeneficiaryName"] for r in rows] == ["Acme Bins Ltd", "Green Co", "Acme Bins Ltd"]
    assert {r["OrganisationURI"] for r in rows} == {"https://www.anytown.gov.uk/"}
    assert result.descriptor["openbook"]["period"] == "2025-04"
    # found beside the data without --mapping, and the report says so
    own = ledger.with_name(ledger.name + ".openbook.yaml")
    mapping.rename(own)
    assert find_mapping(ledger) == own
    text = CliRunner().invoke(cli, ["validate", str(ledger)]).stdout
    assert f"Mapping {own} used." in text and "VALID: 1 table," in text


def test_a_mapping_naming_a_field_that_does_not_exist_is_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("table: spend\ncolumns:\n  Net: Amonut\n", encoding="utf-8")
    with pytest.raises(OpenbookError, match="'Amonut', which is not a field of spend"):
        load_mapping(bad)
    result = CliRunner().invoke(cli, ["validate", str(DEVON), "--mapping", str(bad)])
    assert result.exit_code == 2 and "Amonut" in result.stderr


def test_an_unfinished_mapping_is_said(tmp_path):
    data = copy(DARLINGTON, tmp_path)
    CliRunner().invoke(cli, ["map", str(data)])
    [t] = openbook.validate([data]).tables
    assert any("still marks OrganisationURI" in n for n in t.notes)
