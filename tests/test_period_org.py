"""The period and the organisation: always known or explicitly unknown, and stated."""
from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import openbook
from openbook.cli import cli
from openbook.errors import OpenbookError
from openbook.standard.period import parse_period, period_from_name

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).parent / "fixtures" / "corpus"
SHARED = Path(os.environ.get("OPENBOOK_CORPUS") or ROOT.parent / "shared" / "corpus")
DEVON = FIXTURES / "devon" / "DCCSpendingOver500_202504.csv"
ORGANOGRAMS = SHARED / "organograms"
URI = "https://www.devon.gov.uk/"


@pytest.mark.parametrize("name,label", [
    ("2022-09.csv", "2022-09"), ("DCCSpendingOver500_201308.csv", "2013-08"),
    ("DCCSpendingOver500_201112.csv", "2011-12"), ("202604_DCCSpendingOver500.csv", "2026-04"),
    ("trafford-supplier-spend-2026-27.csv", "2026-27"), ("spend-april-2025.xlsx", "2025-04"),
    ("2021-09_p.csv", "2021-09"),
])
def test_period_from_the_file_name(name, label):
    period, why = period_from_name(name)
    assert period.label == label and why is None


def test_compact_month_is_a_month_not_a_year():
    period, _ = period_from_name("DCCSpendingOver500_201112.csv")
    assert (period.start.isoformat(), period.end.isoformat()) == ("2011-12-01", "2011-12-31")


@pytest.mark.parametrize("name", ["home_office-2012-09-30-senior.csv", "anytown.xlsx", "x_201013.csv"])
def test_no_period_in_the_name(name):
    assert period_from_name(name) == (None, None)


def test_an_ambiguous_name_says_so():
    period, why = period_from_name("2011-12.csv")
    assert period is None and "2011-12" in why


def test_quarters():
    assert parse_period("2025-Q1").describe() == "2025-Q1 (1 Jan 2025 to 31 Mar 2025)"
    assert parse_period("2025-26 Q1").describe() == "2025-26 Q1 (1 Apr 2025 to 30 Jun 2025)"
    with pytest.raises(OpenbookError, match="2025-Q1"):
        parse_period("2025-Q5")


def test_the_period_is_stated_and_out_of_period_lines_are_one_warning(tmp_path):
    copy = tmp_path / DEVON.name
    shutil.copyfile(DEVON, copy)
    [t] = openbook.validate([copy]).tables
    assert t.notes[0] == "Period 2025-04 (1 Apr 2025 to 30 Apr 2025), from the file name."
    # the same lines said to be May's: every dated line is outside it, as one finding
    report = openbook.validate([copy], period="2025-05")
    assert report.tables[0].notes[0] == "Period 2025-05 (1 May 2025 to 31 May 2025), given with --period."
    [outside] = [f for f in report.findings() if f.code == "date-outside-period"]
    assert outside.scope == "column" and outside.rows_affected == 237 and len(outside.examples) == 5
    result = CliRunner().invoke(cli, ["validate", str(copy), "--period", "2025-13"])
    assert result.exit_code == 2 and "not a period openbook can read" in result.stderr


def test_an_unknown_period_is_said(tmp_path):
    copy = tmp_path / "devon-spend.csv"
    shutil.copyfile(DEVON, copy)
    [t] = openbook.validate([copy]).tables
    assert t.notes[0].startswith("Period unknown") and "--period" in t.notes[0]


def test_org_uri_reads_a_constant_but_wrong_column(tmp_path):
    copy = tmp_path / DEVON.name
    shutil.copyfile(DEVON, copy)
    before = openbook.validate([copy])
    assert [f.rows_affected for f in before.findings() if f.field == "OrganisationURI"] == [237]
    after = openbook.validate([copy], org_uri=URI)
    assert not [f for f in after.findings() if f.field == "OrganisationURI"]
    assert any(n.startswith('Body, read as OrganisationURI (column A) holds "18"') for n in after.tables[0].notes)
    assert copy.read_bytes() == DEVON.read_bytes()      # the input is never changed


def test_package_fills_org_uri_the_same_way(tmp_path):
    copy = tmp_path / DEVON.name
    shutil.copyfile(DEVON, copy)
    result = openbook.package([copy], out_dir=tmp_path / "out", org_uri=URI, org_name="Devon County Council",
                              allow_invalid=True, allow_personal_data=True)
    data = (result.path / "data" / "spend.csv").read_text(encoding="utf-8")
    uris = {row["OrganisationURI"] for row in csv.DictReader(io.StringIO(data))}
    assert uris == {URI}


@pytest.mark.skipif(not ORGANOGRAMS.is_dir(), reason=f"the shared corpus is not at {SHARED}")
@pytest.mark.parametrize("body", ["attorney_generals_office-2011-09-30", "home_office-2012-09-30",
                                  "department_for_international_development-2014-09-30"])
def test_org_uri_alone_leaves_no_organisation_problem_and_checks_the_links(tmp_path, body):
    pair = [ORGANOGRAMS / f"{body}-senior.csv", ORGANOGRAMS / f"{body}-junior.csv"]
    report = openbook.validate(pair, org_uri=f"https://www.gov.uk/{body}")
    assert not [p for p in report.iter_problems() if p.field == "OrganisationURI"]
    assert not [p for p in report.iter_problems() if p.code.startswith("foreign-key")]
    # an orphan and a case-only mismatch planted in a copy of the junior file are both reported
    copies = []
    for f in pair:
        copies.append(tmp_path / f.name)
        shutil.copyfile(f, copies[-1])
    rows = list(csv.reader(io.StringIO(copies[1].read_text(encoding="utf-8"))))
    j = rows[0].index("Reporting Senior Post")
    senior = next(r[j] for r in rows[1:] if r[j] and r[j] != r[j].lower())
    rows[1][j], rows[2][j] = "NOSUCHPOST", senior.lower()
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    copies[1].write_text(out.getvalue(), encoding="utf-8")
    report = openbook.validate(copies, org_uri=f"https://www.gov.uk/{body}")
    found = {(p.code, p.cell, p.value) for p in report.iter_problems() if p.code.startswith("foreign-key")}
    assert found == {("foreign-key", f"{chr(65 + j)}2", "NOSUCHPOST"),
                     ("foreign-key-case", f"{chr(65 + j)}3", senior.lower())}


def test_three_councils_in_one_folder_have_no_errors(tmp_path):
    for name in ["anytown-borough-council.xlsx", "brookshire-district-council.xlsx",
                 "castleford-city-council.xlsx"]:
        shutil.copyfile(EXAMPLES / name, tmp_path / name)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    report = openbook.validate([tmp_path])
    assert report.errors == 0 and report.valid
    subs = report.submissions()
    assert [(s["organisation"], s["period"], s["tables"], s["errors"]) for s in subs] == [
        ("https://www.anytown.gov.uk/", "2025-26", 7, 0), ("https://www.brookshire.gov.uk/", "2025-26", 7, 0),
        ("https://www.castleford.gov.uk/", "2025-26", 7, 0)]
    text = CliRunner().invoke(cli, ["validate", str(tmp_path), "--workers", "1"]).stdout
    assert "3 submissions, by organisation and period" in text
    assert [t.skipped for t in report.skipped if t.path.endswith(".pdf")] == [
        "not checked: a PDF document, not a table"]


def test_one_unreadable_file_does_not_stop_the_others(tmp_path):
    shutil.copyfile(DEVON, tmp_path / DEVON.name)
    (tmp_path / "empty.csv").write_bytes(b"")
    report = openbook.validate([tmp_path], org_uri=URI)
    assert [t.schema for t in report.tables if t.schema] == ["spend"]
    [bad] = [f for f in report.findings() if f.code == "source-error"]
    assert bad.scope == "file" and bad.path.endswith("empty.csv") and "empty" in bad.message
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "empty.csv")])
    assert result.exit_code == 2     # one file alone that cannot be read is still a usage error


@pytest.mark.skipif(not (SHARED / "odileeds").is_dir(), reason=f"the shared corpus is not at {SHARED}")
@pytest.mark.parametrize("rel,count", [("leeds/raw/2011-04.csv", 1732), ("darlington/clean/2022-09.csv", 623)])
def test_lines_outside_the_month_of_the_file_name(rel, count):
    report = openbook.validate([SHARED / "odileeds" / rel])
    [outside] = [f for f in report.findings() if f.code == "date-outside-period"]
    assert outside.scope == "column" and outside.rows_affected == count
