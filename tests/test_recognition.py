"""Recognition by evidence: a file is checked as the table its headings show, or
it is "not recognised", with the closest table and what it lacks, and never VALID."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import openbook
from openbook.check.engine import match
from openbook.cli import cli
from openbook.read.tables import read_tables
from openbook.standard.plan import RECOGNISE_AT, plan

CHART = ("OrganisationLabel,OrganisationURI,EffectiveDate,Level,JobTitle,Name,Grade,Directorate,Service,"
         "ContractType,SharedPost,ContactDetails,SalaryBand,MaximumSalary,Vacancy,Comments\n"
         "Anytown Council,https://www.anytown.gov.uk,2026-03-31,1,Chief Executive,NA,Chief Executive,,,"
         "Permanent,No,chief.executive@anytown.gov.uk,190000 - 194999,195000,No,NA\n"
         "Anytown Council,https://www.anytown.gov.uk,2026-03-31,2,Director of Place,NA,Director,Place,,"
         "Permanent,No,place@anytown.gov.uk,140000 - 144999,145000,Vacant,Interim cover\n")
SALARIES = ("OrganisationLabel,OrganisationURI,EffectiveDate,JobTitle,Name,Directorate,Service,Salary,"
            "PensionContribution,Bonuses,ExpenseAllowances,LossOfPostCompensation,BenefitsInKind,BonusDetails,"
            "BenefitsDetails,Responsibilities\n"
            "Anytown Council,https://www.anytown.gov.uk,2026-03-31,Director of Place,NA,Place,,140000,27000,0,0,"
            "0,0,NA,NA,Planning and highways\n")
BANDS = ("OrganisationLabel,OrganisationURI,EffectiveDate,RemunerationBand,EmployeeCount\n"
         "Anytown Council,https://www.anytown.gov.uk,2026-03-31,50000 - 54999,12\n"
         "Anytown Council,https://www.anytown.gov.uk,2026-03-31,55000 - 59999,0\n")
# a ledger export: two of spend's required columns, and much that is not
LEDGER = ("Posting Date,Net,Cost Centre,GL Account,Vendor No\n"
          "01/04/2025,1200.00,C100,5001,V1\n")
NOTHING = "Colour,Shape\nred,square\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name,text,table", [
    ("organisation_structure.csv", CHART, "organisation-chart"),
    ("senior_salaries_employees.csv", SALARIES, "senior-salaries"),
    ("senior_salaries_count.csv", BANDS, "senior-salary-bands"),
])
def test_transparency_code_tables_are_checked_as_themselves(tmp_path, name, text, table):
    report = openbook.validate([write(tmp_path, name, text)])
    [t] = report.tables
    assert t.schema == table and t.rows == text.count("\n") - 1
    assert report.valid, [p.message for p in report.findings()]


def test_organisation_chart_is_not_forced_into_the_organogram(tmp_path):
    raw = read_tables(write(tmp_path, "chart.csv", CHART))[0]
    m = match(raw)
    assert m.plan.name == "organisation-chart" and not m.extra
    senior = plan("roles-senior").evidence(raw.head[0])
    assert senior.score < m.plan.evidence(raw.head[0]).score


def test_a_bad_band_is_reported(tmp_path):
    report = openbook.validate([write(tmp_path, "bands.csv", BANDS.replace("55000 - 59999,0", "lots,-1"))])
    assert {(p.code, p.field) for p in report.findings()} == {
        ("constraint-error", "RemunerationBand"), ("constraint-error", "EmployeeCount")}


def test_below_the_threshold_is_not_recognised_and_not_valid(tmp_path):
    path = write(tmp_path, "ledger.csv", LEDGER)
    report = openbook.validate([path])
    assert not report.valid and not report.tables
    [skipped] = report.skipped
    assert skipped.unrecognised
    assert skipped.skipped.startswith("not recognised: the closest table is Spend (spend)")
    assert "missing OrganisationURI" in skipped.skipped and f"from {RECOGNISE_AT}" in skipped.skipped
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "NOT VALID: nothing was checked" in result.stdout and "VALID:" not in result.stdout.replace(
        "NOT VALID:", "")


def test_a_file_that_matches_no_table_is_not_valid(tmp_path):
    path = write(tmp_path, "colours.csv", NOTHING)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "nothing was checked" in result.stdout and "not recognised" in result.stdout


def test_one_unrecognised_file_beside_a_valid_one_is_not_valid(tmp_path):
    write(tmp_path, "bands.csv", BANDS)
    write(tmp_path, "colours.csv", NOTHING)
    report = openbook.validate([tmp_path])
    assert [t.schema for t in report.tables] == ["senior-salary-bands"]
    assert report.errors == 0 and not report.valid and len(report.unrecognised) == 1


def test_the_shape_of_values_is_evidence(tmp_path):
    """Two spend headings alone are not enough; a column of dates beside them is."""
    dates = "Supplier,Value,When\nAcme Ltd,1200.00,01/04/2025\nGreen Co,640.50,02/04/2025\nAcme Ltd,980.00,03/04/2025\n"
    words = dates.replace("01/04/2025", "soon").replace("02/04/2025", "later").replace("03/04/2025", "never")
    raw = read_tables(write(tmp_path, "a.csv", dates))[0]
    ev = plan("spend").shaped(plan("spend").evidence(raw.head[0]), raw.head, 0)
    assert (ev.matched, ev.shaped) == (2, 1) and ev.recognised()
    assert match(raw).plan.name == "spend"
    report = openbook.validate([write(tmp_path, "b.csv", words)])
    assert not report.tables and report.unrecognised
    # recognised, the dates column is not silently taken as the payment date: it is reported
    checked = openbook.validate([tmp_path / "a.csv"])
    [missing] = [p for p in checked.iter_problems() if p.code == "missing-label" and p.field == "PaymentDate"]
    assert missing.message.endswith('Column C ("When") holds dates: if it is the PaymentDate, map it (openbook map).')
