"""Quality and privacy checks beyond the schema (issue 5), through the public API.

Each check catches a real case and passes a clean one. Where the corpus has
real cases, a few rows of it (header kept) are in tests/fixtures/checks/.
"""
import csv
import datetime as dt
import inspect
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import openbook
from openbook.check import registry as checks, runner as check_runner
from openbook.standard.period import parse_period
from openbook.errors import OpenbookError

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks"
ORG = "https://anytown.gov.uk"

CODES = {
    "email-address", "ni-number", "phone-number", "bank-details", "named-individual", "exact-senior-salary",
    "formula-injection", "reports-to-missing", "top-post-count", "organogram-cycle", "job-share-inconsistent",
    "payscale-order", "pay-nd-na-rules", "below-threshold", "duplicate-line", "date-outside-period",
    "future-date", "non-expenditure", "vat-exceeds-amount", "redaction-share", "function-parent-missing",
    "function-cycle", "function-cost-reconciliation",
}
DATA_PROTECTION = {"email-address", "ni-number", "phone-number", "bank-details", "named-individual",
                   "exact-senior-salary"}


# --- helpers -----------------------------------------------------------------

def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def found(report, code):
    """What a check found, values as written (reports mask personal data: tests/test_safe_output.py)."""
    return [p for p in report.iter_problems(reveal=True) if p.code == code]


def cells(report, code):
    return sorted(p.cell for p in found(report, code))


def check_problems(report):
    return [p for p in report.iter_problems(reveal=True) if p.code in CODES]


# Spend: columns A..K
SPEND_HEADER = ["OrganisationURI", "OrganisationLabel", "PaymentDate", "OrganisationalUnit", "BeneficiaryName",
                "Purpose", "Amount", "IrrecoverableVATAmount", "CardTransaction", "ExpenditureCategory",
                "BeneficiaryType"]


def spend_row(**kw) -> list[str]:
    row = {"OrganisationURI": ORG, "OrganisationLabel": "Anytown Borough Council", "PaymentDate": "2025-04-30",
           "OrganisationalUnit": "Highways", "BeneficiaryName": "Acme Roads Ltd", "Purpose": "Road repairs",
           "Amount": "1234.56", "IrrecoverableVATAmount": "0", "CardTransaction": "No",
           "ExpenditureCategory": "Supplies and services", "BeneficiaryType": "Company"}
    row.update(kw)
    return [row[h] for h in SPEND_HEADER]


def clean_spend_rows() -> list[list[str]]:
    return [
        spend_row(),
        spend_row(BeneficiaryName="Smith & Co", Purpose="Legal advice", Amount="2500.00", PaymentDate="2025-05-02"),
        spend_row(BeneficiaryName="J Smith Ltd", Purpose="Credit note", Amount="-1500.00", PaymentDate="2025-05-03",
                  IrrecoverableVATAmount="-250.00"),
        spend_row(BeneficiaryName="REDACTED PERSONAL DATA", Purpose="Foster care allowance", Amount="750.00",
                  BeneficiaryType="Individual"),
        spend_row(BeneficiaryName="Anytown Community Trust", Purpose="Grant: youth club, call 0345 600 7000 hours",
                  Amount="5000", PaymentDate="2025-06-01"),
    ]


def spend(tmp_path, rows, name="spend.csv", header=SPEND_HEADER, **kw):
    return openbook.validate(write_csv(tmp_path / name, header, rows), **kw)


# Senior roles: columns A..Q
SENIOR_HEADER = ["Post Unique Reference", "Name", "Grade (or equivalent)", "Job Title", "Job/Team Function",
                 "Organisation", "Unit", "Contact Phone", "Contact E-mail", "Reports to Senior Post",
                 "Salary Cost of Reports (£)", "FTE", "Actual Pay Floor (£)", "Actual Pay Ceiling (£)",
                 "Professional/Occupational Group", "OrganisationURI", "Notes"]


def senior_row(post, reports, **kw) -> list[str]:
    row = {"Post Unique Reference": post, "Name": "N/D", "Grade (or equivalent)": "SCS1",
           "Job Title": f"Director {post}", "Job/Team Function": "Runs a directorate", "Organisation": "Anytown",
           "Unit": "Corporate", "Contact Phone": "01632 960000", "Contact E-mail": "enquiries@anytown.gov.uk",
           "Reports to Senior Post": reports, "Salary Cost of Reports (£)": "0", "FTE": "1",
           "Actual Pay Floor (£)": "N/D", "Actual Pay Ceiling (£)": "N/D",
           "Professional/Occupational Group": "Finance", "OrganisationURI": ORG, "Notes": ""}
    row.update(kw)
    return [row[h] for h in SENIOR_HEADER]


def clean_senior_rows():
    return [senior_row("CE1", "XX", Name="Jane Doe", **{"Grade (or equivalent)": "SCS4", "Actual Pay Floor (£)": "150000",
                                                       "Actual Pay Ceiling (£)": "154999"}),
            senior_row("D1", "CE1", **{"Actual Pay Floor (£)": "0", "Actual Pay Ceiling (£)": "0"}),
            senior_row("D2", "CE1", Name="Sam Roe", **{"Actual Pay Floor (£)": "95000", "Actual Pay Ceiling (£)": "99999"}),
            senior_row("D3", "D2", Name="Ann Lee", FTE="0.5", **{"Actual Pay Floor (£)": "80000",
                                                                  "Actual Pay Ceiling (£)": "84999"}),
            senior_row("D3", "D2", Name="Bob Ray", FTE="0.5", **{"Actual Pay Floor (£)": "80000",
                                                                  "Actual Pay Ceiling (£)": "84999",
                                                                  "Contact E-mail": "bob.ray@anytown.gov.uk"})]


def senior(tmp_path, rows, name="senior-staff.csv"):
    return openbook.validate(write_csv(tmp_path / name, SENIOR_HEADER, rows))


JUNIOR_HEADER = ["Parent Department", "Organisation", "Unit", "Reporting Senior Post", "Grade",
                 "Payscale Minimum (£)", "Payscale Maximum (£)", "Generic Job Title", "Number of Posts in FTE",
                 "Professional/Occupational Group", "OrganisationURI"]


def junior_row(**kw):
    row = {"Parent Department": "Anytown", "Organisation": "Anytown", "Unit": "Corporate",
           "Reporting Senior Post": "D1", "Grade": "Band 5", "Payscale Minimum (£)": "25000",
           "Payscale Maximum (£)": "29000", "Generic Job Title": "Finance Officer", "Number of Posts in FTE": "3",
           "Professional/Occupational Group": "Finance", "OrganisationURI": ORG}
    row.update(kw)
    return row


def junior(tmp_path, rows, extra=()):
    header = JUNIOR_HEADER + list(extra)
    return openbook.validate(write_csv(tmp_path / "junior-staff.csv", header,
                                       [[r.get(h, "") for h in header] for r in rows]))


FUNCTIONS_HEADER = ["OrganisationURI", "FunctionID", "ParentID", "Label", "AnnualCost"]  # A..E
COSTS_HEADER = ["OrganisationURI", "FiscalYear", "FunctionID", "SubjectiveGroup", "CostLineID", "Actual"]


def catalogue(tmp_path, functions, costs=None):
    folder = tmp_path / "submission"
    folder.mkdir()
    write_csv(folder / "functions.csv", FUNCTIONS_HEADER, [[ORG] + f for f in functions])
    if costs is not None:
        write_csv(folder / "costs.csv", COSTS_HEADER,
                  [[ORG, "2025/26", fid, "supplies-and-services", f"C{i}", str(v)] for i, (fid, v) in enumerate(costs)])
    return openbook.validate(folder)


# --- the registry ------------------------------------------------------------

def test_registry_has_the_codes_of_the_issue():
    registered = {c.code for c in checks.all_checks()}
    assert CODES <= registered
    for c in checks.all_checks():
        assert c.category in checks.CATEGORIES
        assert c.severity in ("error", "warning")
        assert c.description and c.fix, c.code
    assert {c.code for c in checks.all_checks() if c.code in DATA_PROTECTION} == DATA_PROTECTION
    assert all(checks.REGISTRY[c].severity == "error" for c in DATA_PROTECTION)
    assert checks.REGISTRY["formula-injection"].category == "security"


def test_data_protection_codes_for_package():
    assert set(checks.data_protection_codes()) == DATA_PROTECTION


def test_clean_spend_has_no_check_problems(tmp_path):
    report = spend(tmp_path, clean_spend_rows())
    # the one redacted beneficiary is reported as a figure, nothing else
    assert [(p.code, p.cell) for p in check_problems(report)] == [("redaction-share", None)], \
        [(p.code, p.cell, p.message) for p in check_problems(report)]
    assert report.valid


def test_clean_organogram_has_no_check_problems(tmp_path):
    report = senior(tmp_path, clean_senior_rows())
    assert check_problems(report) == [], [(p.code, p.cell, p.message) for p in check_problems(report)]


def test_real_clean_organogram_passes_every_check():
    # Attorney General's Office 2011: XX top post, N/D names with 0/0 pay, proper £5,000 bands.
    for name in ("ago-2011-09-30-senior.csv", "ago-2011-09-30-junior.csv"):
        report = openbook.validate(FIXTURES / name)
        assert check_problems(report) == [], name


# --- skip, CLI, docs -----------------------------------------------------------

def test_skip_check_turns_one_off_and_is_recorded(tmp_path):
    rows = [spend_row(BeneficiaryName="Mr John Smith")]
    assert found(spend(tmp_path, rows), "named-individual")
    report = openbook.validate(tmp_path / "spend.csv", skip_checks=["named-individual"])
    assert not found(report, "named-individual")
    assert report.skipped_checks == ["named-individual"]
    assert "named-individual" not in report.checks_run
    assert json.loads(report.to_json())["summary"]["skipped_checks"] == ["named-individual"]


def test_unknown_check_code_is_a_one_line_error(tmp_path):
    write_csv(tmp_path / "spend.csv", SPEND_HEADER, [spend_row()])
    with pytest.raises(OpenbookError, match="no-such-check: no such check"):
        openbook.validate(tmp_path / "spend.csv", skip_checks=["no-such-check"])


def test_checks_list_cli():
    from openbook.cli.checks import checks as checks_cli
    result = CliRunner().invoke(checks_cli, ["list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["code", "severity", "category", "schemas", "description"]
    for code in CODES:
        assert any(line.startswith(code + " ") for line in lines), code
    # aligned: the severity column starts at the same place on every row
    start = lines[0].index("severity")
    assert all(line[start:].split()[0] in ("error", "warning") for line in lines[2:] if line and line[0] != " "
               and not line.startswith(str(len(checks.REGISTRY))))
    result = CliRunner().invoke(checks_cli, ["list", "--format", "json"])
    data = json.loads(result.output)
    by_code = {d["code"]: d for d in data}
    assert CODES <= set(by_code)
    assert by_code["exact-senior-salary"] == {**by_code["exact-senior-salary"], "severity": "error",
                                              "category": "data protection", "schemas": ["roles-senior"]}
    assert by_code["function-cost-reconciliation"]["needs"] == ["functions", "costs"]


def test_checks_group_is_registered_on_the_main_cli():
    from openbook.cli import cli
    result = CliRunner().invoke(cli, ["checks", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert CODES <= {d["code"] for d in json.loads(result.output)}


def test_docs_checks_md_is_up_to_date():
    from openbook.check.docs import markdown
    text = markdown()
    for code in CODES:
        assert f"### {code}" in text
    assert (REPO / "docs" / "checks.md").read_text(encoding="utf-8") == text, \
        "docs/checks.md is stale: run python -m openbook.check.docs > docs/checks.md"


# --- security --------------------------------------------------------------------

def test_formula_injection(tmp_path):
    rows = [spend_row(Purpose='=HYPERLINK("http://evil.example","Click")'),
            spend_row(BeneficiaryName="@SUM(1+1)*cmd|' /C calc'!A0"),
            spend_row(Amount="-1234.56", Purpose="-- see note --")]
    report = spend(tmp_path, rows)
    problems = found(report, "formula-injection")
    assert [(p.cell, p.severity) for p in problems] == [("F2", "error"), ("E3", "error"), ("F4", "error")]
    assert "formula" in problems[0].message
    # negative amounts are numbers, not formulas
    assert not found(spend(tmp_path, clean_spend_rows()), "formula-injection")


# --- data protection -----------------------------------------------------------

def test_email_address_outside_email_fields(tmp_path):
    rows = [spend_row(Purpose="Refund to jo.bloggs@example.com for overpayment"),
            spend_row(BeneficiaryName="Contact: payments@acme-roads.co.uk")]
    problems = found(spend(tmp_path, rows), "email-address")
    assert [(p.cell, p.severity) for p in problems] == [("F2", "error"), ("E3", "error")]
    assert "jo.bloggs@example.com" in problems[0].message


def test_email_in_contact_email_is_allowed(tmp_path):
    # real organogram: named senior officials' addresses in Contact E-mail
    assert not found(openbook.validate(FIXTURES / "ago-2011-09-30-senior.csv"), "email-address")
    rows = clean_senior_rows()
    rows[1] = senior_row("D1", "CE1", Notes="Ask jane.doe@gmail.com", **{"Actual Pay Floor (£)": "0",
                                                                         "Actual Pay Ceiling (£)": "0"})
    assert cells(senior(tmp_path, rows), "email-address") == ["Q3"]


def test_ni_number(tmp_path):
    rows = [spend_row(Purpose="Backdated payment, NI AB 12 34 56 C"),
            spend_row(Purpose="Refund ref QQ123456C"),          # Q is never a first letter
            spend_row(Purpose="Supplier VAT GB123456A"),        # GB is not allocated
            spend_row(BeneficiaryName="JP123456D")]
    problems = found(spend(tmp_path, rows), "ni-number")
    assert [(p.cell, p.severity) for p in problems] == [("F2", "error"), ("E5", "error")]
    assert "AB 12 34 56 C" in problems[0].message


def test_phone_number_in_free_text(tmp_path):
    rows = [spend_row(Purpose="Taxi, driver mobile 07700 900123"),
            spend_row(Purpose="Call +44 (0)20 7946 0018 to book"),
            spend_row(Purpose="Invoice 01234567"),               # 8 digits: not a phone number
            spend_row(Purpose="PO 4500012345, 12 items")]
    problems = found(spend(tmp_path, rows), "phone-number")
    assert [(p.cell, p.severity) for p in problems] == [("F2", "error"), ("F3", "error")]
    assert "07700 900123" in problems[0].message


def test_phone_in_contact_phone_is_allowed(tmp_path):
    # Home Office 2012: "0207 035 4848 or Minicom 0207 035 4742" in Contact Phone
    report = openbook.validate(FIXTURES / "home-office-2012-09-30-senior-excerpt.csv")
    assert not found(report, "phone-number")
    rows = clean_senior_rows()
    rows[2] = senior_row("D2", "CE1", Name="Sam Roe", Notes="Mobile 07700 900456",
                         **{"Actual Pay Floor (£)": "95000", "Actual Pay Ceiling (£)": "99999"})
    assert cells(senior(tmp_path, rows), "phone-number") == ["Q4"]


def test_bank_details(tmp_path):
    rows = [spend_row(Purpose="Refund paid to bank a/c 12345678 sort code 12-34-56"),
            spend_row(Purpose="Paid to GB29 NWBK 6016 1331 9268 19"),
            spend_row(Purpose="Sort code 40-11-62 supplied by payee"),
            # Devon 2017: a customer account number with a supplier, not bank details
            spend_row(BeneficiaryName="EON (A/C NO 36166103 ONLY)"),
            spend_row(Purpose="Meeting on 12-03-25")]
    problems = found(spend(tmp_path, rows), "bank-details")
    assert [(p.cell, p.severity) for p in problems] == [("F2", "error"), ("F3", "error"), ("F4", "error")]
    assert "IBAN" in problems[1].message


def test_named_individual_patterns(tmp_path):
    people = ["Mr John Smith", "J Smith", "Smith, John", "Mrs A Jones", "SMITH J"]
    companies = ["Smith & Co", "J Smith Ltd", "Jones Plumbing", "Anytown Council", "A B C Services",
                 "REDACTED", "Redacted Personal Data", "Dr Smith & Partners", "Trafford M B C"]
    rows = [spend_row(BeneficiaryName=n, BeneficiaryType="") for n in people + companies]
    problems = found(spend(tmp_path, rows), "named-individual")
    assert [(p.cell, p.severity) for p in problems] == [(f"E{i}", "error") for i in range(2, 2 + len(people))]
    assert "REDACTED PERSONAL DATA" in problems[0].message


def test_named_individual_titles_anywhere_trades_and_type(tmp_path):
    # titles after the name; a sole trader under their own name; initials before a trade are a business;
    # acronyms are not people; a company type overrules a name's shape, never a title
    rows = [spend_row(BeneficiaryName=n, BeneficiaryType=t) for n, t in [
        ("COOK D S DR", ""), ("MANN DAYA MISS", ""), ("DAN WOOLLACOTT FENCING", ""), ("GRAY DAVID", ""),
        ("K J REFRIGERATION", ""), ("CULLOMPTON R F C", ""), ("SYMES ROBINSON & LEE", ""),
        ("Mr Tom Jones", "Company"), ("Jane Doe", "Company")]]
    problems = found(spend(tmp_path, rows), "named-individual")
    assert [p.value for p in problems] == ["COOK D S DR", "MANN DAYA MISS", "DAN WOOLLACOTT FENCING", "GRAY DAVID",
                                           "Mr Tom Jones"]
    assert "sole trader" in problems[2].message and '"Dave"' not in problems[2].message
    assert "Beneficiary name" in problems[0].message or "BeneficiaryName" in problems[0].message


def test_named_individual_card_file_merchants(tmp_path):
    rows = [spend_row(BeneficiaryName=n, BeneficiaryType="") for n in ("W M MORRISONS", "T K MAXX", "MR A SMITH")]
    problems = found(spend(tmp_path, rows, name="purchase-card-2025.csv"), "named-individual")
    assert [p.value for p in problems] == ["MR A SMITH"]


def test_named_individual_real_devon_doctors():
    # Devon 2025-04: doctors paid as individuals are named, and "S KELLY SOCIAL WORK" (a sole trader under
    # her own name: tests/realdata labels it yes); companies are not.
    report = openbook.validate(FIXTURES / "devon-202504-excerpt.csv")
    problems = found(report, "named-individual")
    assert [(p.cell, p.value, p.severity) for p in problems] == [
        ("F5", "DR SARAH SAUNDERS", "error"), ("F6", "S KELLY SOCIAL WORK", "error"),
        ("F7", "DR SHARON MAYER", "error")]


def test_named_individual_by_beneficiary_type_real_devon():
    # Devon 2013-08: Creditor Type SOLE with a person's name; an INDV line is already redacted;
    # SOLE-typed "AGENCY ASSISTANCE" and "ANNE GRAY CARE LTD/THE LARCHES" are businesses.
    report = openbook.validate(FIXTURES / "devon-201308-excerpt.csv")
    problems = found(report, "named-individual")
    assert [(p.cell, p.value) for p in problems] == [("G8", "HAMMOND TIMOTHY")]
    assert '"Timothy" is a common forename' in problems[0].message and "Supplier Name" in problems[0].message


def test_named_individual_real_leeds():
    report = openbook.validate(FIXTURES / "leeds-201104-excerpt.csv")
    assert [(p.cell, p.value) for p in found(report, "named-individual")] == [("L3", "A A Crouch")]


def test_names_in_junior_roles(tmp_path):
    rows = [junior_row(**{"Employee Name": "Jo Bloggs"}), junior_row(**{"Employee Name": ""}),
            junior_row(**{"Generic Job Title": "Mrs P Patel", "Employee Name": "N/D"})]
    report = junior(tmp_path, rows, extra=["Employee Name"])
    problems = found(report, "named-individual")
    assert [(p.cell, p.severity) for p in problems] == [("L2", "error"), ("H4", "error")]
    assert "Junior posts" in problems[0].message
    # a real junior sheet (Attorney General's Office 2011) names nobody
    assert not found(openbook.validate(FIXTURES / "ago-2011-09-30-junior.csv"), "named-individual")


def test_exact_senior_salary(tmp_path):
    rows = clean_senior_rows()
    rows[2] = senior_row("D2", "CE1", Name="Sam Roe", **{"Actual Pay Floor (£)": "97431",
                                                         "Actual Pay Ceiling (£)": "97431"})
    rows[1] = senior_row("D1", "CE1", Name="Ann Bee", **{"Actual Pay Floor (£)": "90000",
                                                         "Actual Pay Ceiling (£)": "95000"})
    report = senior(tmp_path, rows)
    problems = found(report, "exact-senior-salary")
    assert [(p.cell, p.severity) for p in problems] == [("N3", "error"), ("M4", "error"), ("N4", "error")]
    assert "95000" in problems[1].message and "exact salary" in problems[1].message
    assert "94999" in problems[0].message


# --- organogram ------------------------------------------------------------------

def test_reports_to_missing(tmp_path):
    rows = clean_senior_rows() + [senior_row("D9", "P99")]
    problems = found(senior(tmp_path, rows), "reports-to-missing")
    assert [(p.cell, p.severity) for p in problems] == [("J7", "error")]
    assert '"P99"' in problems[0].message


def test_top_post_count(tmp_path):
    rows = clean_senior_rows() + [senior_row("CE2", "XX")]
    problems = found(senior(tmp_path, rows), "top-post-count")
    assert [(p.cell, p.severity) for p in problems] == [("J7", "warning")]
    rows = [senior_row("D1", "D2"), senior_row("D2", "D1")]
    problems = found(senior(tmp_path, rows), "top-post-count")
    assert [(p.cell, p.column, p.severity) for p in problems] == [(None, "J", "warning")]
    assert "No post is marked XX" in problems[0].message


def test_organogram_cycle(tmp_path):
    rows = clean_senior_rows() + [senior_row("L1", "L2"), senior_row("L2", "L3"), senior_row("L3", "L1"),
                                  senior_row("S1", "S1")]
    problems = found(senior(tmp_path, rows), "organogram-cycle")
    assert [(p.cell, p.severity) for p in problems] == [("J7", "error"), ("J8", "error"), ("J9", "error"),
                                                       ("J10", "error")]
    assert "L1 → L2 → L3 → L1" in problems[0].message


def test_job_share_inconsistent(tmp_path):
    rows = clean_senior_rows()
    rows[4] = senior_row("D3", "D2", Name="Bob Ray", FTE="0.6", Unit="Finance",
                         **{"Actual Pay Floor (£)": "80000", "Actual Pay Ceiling (£)": "84999"})
    problems = found(senior(tmp_path, rows), "job-share-inconsistent")
    assert [(p.cell, p.severity) for p in problems] == [("G6", "warning"), ("L6", "warning")]
    assert "row 5" in problems[0].message and "1.1 FTE" in problems[1].message


def test_payscale_order(tmp_path):
    rows = [junior_row(), junior_row(**{"Payscale Minimum (£)": "30000", "Payscale Maximum (£)": "25000"})]
    problems = found(junior(tmp_path, rows), "payscale-order")
    assert [(p.cell, p.severity) for p in problems] == [("G3", "error")]


def test_pay_nd_na_rules_real_home_office():
    # Home Office 2012: a name withheld (N/D) while the pay floor is published (£80,000)
    report = openbook.validate(FIXTURES / "home-office-2012-09-30-senior-excerpt.csv")
    problems = found(report, "pay-nd-na-rules")
    assert [(p.cell, p.value, p.severity) for p in problems] == [("B2", "N/D", "warning")]


def test_pay_nd_na_rules_real_dfid_blank_cost_of_reports():
    # DFID 2014: Salary Cost of Reports left blank on every row
    report = openbook.validate(FIXTURES / "dfid-2014-09-30-senior-excerpt.csv")
    assert cells(report, "pay-nd-na-rules") == ["L2", "L3", "L4", "L5"]


def test_pay_nd_na_rules_synthetic(tmp_path):
    rows = clean_senior_rows()
    rows[1] = senior_row("D1", "CE1", **{"Actual Pay Floor (£)": "85000", "Actual Pay Ceiling (£)": "N/D"})
    rows.append(senior_row("0", "CE1", Name="Pat Doe"))
    problems = found(senior(tmp_path, rows), "pay-nd-na-rules")
    assert [p.cell for p in problems] == ["B3", "N3", "B7"]


# --- spend -----------------------------------------------------------------------

def test_below_threshold_real_devon_credit_notes():
    # Devon 2013-08: credit notes of -639.38 and -7,524.35 are over £500 in size; a 0 line is not
    report = openbook.validate(FIXTURES / "devon-201308-excerpt.csv")
    problems = found(report, "below-threshold")
    assert [(p.cell, p.value, p.severity) for p in problems] == [("F7", "0", "warning")]


def test_below_threshold_card_transactions_exempt(tmp_path):
    rows = [spend_row(Amount="499.99"), spend_row(Amount="25.00", CardTransaction="GPC"),
            spend_row(Amount="-120.00")]
    assert cells(spend(tmp_path, rows), "below-threshold") == ["G2", "G4"]
    assert not found(spend(tmp_path, [spend_row(Amount="12.50")], name="gpc.csv"), "below-threshold")


def test_duplicate_line_real_trafford():
    # Trafford 2026-27: the same invoice lines repeated, identical in every column
    report = openbook.validate(FIXTURES / "trafford-202627-excerpt.csv")
    problems = found(report, "duplicate-line")
    assert [(p.row, p.cell, p.severity) for p in problems] == [(6, None, "warning"), (7, None, "warning"),
                                                              (8, None, "warning")]
    assert "identical to row 4 in every column" in problems[0].message and "check the ledger" in problems[0].message


def test_duplicate_line_clean(tmp_path):
    rows = clean_spend_rows() + [spend_row(Amount="1234.57")]
    assert not found(spend(tmp_path, rows), "duplicate-line")


def test_future_date(tmp_path):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    rows = [spend_row(PaymentDate=future), spend_row(PaymentDate=dt.date.today().isoformat()),
            spend_row(PaymentDate=(dt.date.today() + dt.timedelta(days=1)).isoformat())]
    problems = found(spend(tmp_path, rows), "future-date")
    assert [(p.cell, p.severity) for p in problems] == [("C2", "warning")]


def _validate_with_period(path, period, monkeypatch):
    """validate() with a stated period: passed through checks.runner(period=...)."""
    real = check_runner.runner
    monkeypatch.setattr(check_runner, "runner", lambda skip=frozenset(), **kw: real(skip, period=period))
    if "period" in inspect.signature(openbook.validate).parameters:
        return openbook.validate(path, period=period)
    return openbook.validate(path)


def test_date_outside_period(tmp_path, monkeypatch):
    rows = [spend_row(PaymentDate="2025-04-01"), spend_row(PaymentDate="2026-03-31"),
            spend_row(PaymentDate="2026-04-01"), spend_row(PaymentDate="31/03/2025")]
    path = write_csv(tmp_path / "spend.csv", SPEND_HEADER, rows)
    problems = found(_validate_with_period(path, "2025-26", monkeypatch), "date-outside-period")
    assert [(p.cell, p.severity) for p in problems] == [("C4", "warning"), ("C5", "warning")]
    assert "2025-26 (1 Apr 2025 to 31 Mar 2026)" in problems[0].message
    # no period known: nothing to compare with
    monkeypatch.undo()
    assert not found(openbook.validate(path), "date-outside-period")


def _span(p):
    return (p.start, p.end)


def test_parse_period():
    assert _span(parse_period("2025-26")) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert _span(parse_period("2025/26")) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert _span(parse_period("2025-04")) == (dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    assert _span(parse_period("2024-02")) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert _span(parse_period("2025")) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert _span(parse_period("2025-04-01..2025-06-30")) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    for bad in ("2025-13", "next year", "2025-04-31..2025-05-01"):
        with pytest.raises(OpenbookError, match="not a period"):
            parse_period(bad)


def test_non_expenditure_real_leeds_income():
    report = openbook.validate(FIXTURES / "leeds-201104-excerpt.csv")
    problems = found(report, "non-expenditure")
    assert [(p.cell, p.value, p.severity) for p in problems if p.cell] == [("E4", "Income", "warning"),
                                                                          ("E5", "Income", "warning")]
    summary = [p for p in problems if p.row is None]
    assert len(summary) == 1 and summary[0].message.startswith("2 lines totalling")


def test_non_expenditure_synthetic(tmp_path):
    rows = [spend_row(ExpenditureCategory="Balance Sheet"), spend_row()]
    problems = found(spend(tmp_path, rows), "non-expenditure")
    assert [p.cell for p in problems if p.cell] == ["J2"]


def test_vat_exceeds_amount(tmp_path):
    rows = [spend_row(Amount="100.00", IrrecoverableVATAmount="120.00"),
            spend_row(Amount="-1000.00", IrrecoverableVATAmount="-200.00"), spend_row()]
    problems = found(spend(tmp_path, rows), "vat-exceeds-amount")
    assert [(p.cell, p.severity) for p in problems] == [("H2", "warning")]


def test_redaction_share_real_leeds():
    report = openbook.validate(FIXTURES / "leeds-201104-excerpt.csv")
    problems = found(report, "redaction-share")
    assert len(problems) == 1
    p = problems[0]
    assert (p.cell, p.row, p.severity, p.field) == (None, None, "warning", "BeneficiaryName")
    assert p.message == "2 of 6 spend lines (33.3%) have a redacted beneficiary."
    assert report.valid or report.errors  # a figure, never an error


def test_redaction_share_counts_thousands(tmp_path):
    rows = [spend_row(BeneficiaryName="REDACTED" if i < 12 else "Acme Roads Ltd", Amount=str(600 + i))
            for i in range(2000)]
    problems = found(spend(tmp_path, rows), "redaction-share")
    assert [p.message for p in problems] == ["12 of 2,000 spend lines (0.6%) have a redacted beneficiary."]
    assert not found(spend(tmp_path, [spend_row()]), "redaction-share")


# --- functions -----------------------------------------------------------------

def test_function_parent_missing(tmp_path):
    report = catalogue(tmp_path, [["F1", "", "Corporate", ""], ["F2", "F1", "Finance", ""],
                                  ["F3", "F99", "Payroll", ""]])
    problems = found(report, "function-parent-missing")
    assert [(p.cell, p.severity) for p in problems] == [("C4", "error")]
    assert not found(report, "function-cycle")


def test_function_cycle(tmp_path):
    report = catalogue(tmp_path, [["F1", "", "Corporate", ""], ["F2", "F3", "Finance", ""],
                                  ["F3", "F2", "Payroll", ""]])
    problems = found(report, "function-cycle")
    assert [(p.cell, p.severity) for p in problems] == [("C3", "error"), ("C4", "error")]
    assert not found(report, "function-parent-missing")


def test_function_cost_reconciliation(tmp_path):
    functions = [["F1", "", "Corporate", "3000"],          # children: 1000 + 2000 = 3000, fine
                 ["F2", "F1", "Finance", "1000"],           # booked 1000, fine
                 ["F3", "F1", "Payroll", "2500"],           # booked 2000: 25% off
                 ["F4", "", "Parks", "900"]]                # nothing booked: not checked
    costs = [("F2", 600), ("F2", 400), ("F3", 2000)]
    problems = found(catalogue(tmp_path, functions, costs), "function-cost-reconciliation")
    assert [(p.cell, p.value, p.severity) for p in problems] == [("E4", "2500", "warning")]
    assert "£2,500" in problems[0].message and "£2,000" in problems[0].message


def test_function_cost_reconciliation_within_tolerance(tmp_path):
    functions = [["F1", "", "Corporate", "10050"]]         # 0.5% over the booked 10,000
    assert not found(catalogue(tmp_path, functions, [("F1", 10000)]), "function-cost-reconciliation")
    # no costs table: nothing to reconcile with
    (tmp_path / "alone").mkdir()
    assert not found(catalogue(tmp_path / "alone", [["F1", "", "Corporate", "5"]]), "function-cost-reconciliation")
