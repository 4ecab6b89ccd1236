"""Nothing leaked in what openbook shows: issue 14, cases 14 to 17, and hostile cases like them.

- 14: personal data a check flags is masked in every report (text, JSON, HTML, a
  package's report.json); the annotated copy, the user's own, keeps it.
- 15: organisation URIs only as http(s); pages carry a strict Content-Security-Policy
  and never link to javascript:, data: or any other scheme.
- 16: control characters in cells, sheet names and file names never reach the
  terminal raw (no ESC, OSC, bare CR, C1), so nothing can clear the screen or
  print a fake verdict.
- 17: zero-width and bidi-control characters are warned about (invisible-character).

Every command runs as a real process (python cli.py ...), as a user would run it.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest

import openbook
from openbook.check.mask import mask_email, mask_number, mask_value, mask_words
from openbook.errors import OpenbookError
from openbook.templates import safe_href

ROOT = Path(__file__).resolve().parent.parent
ORG = "https://anytown.gov.uk"
SPEND_HEADER = ["OrganisationURI", "OrganisationLabel", "PaymentDate", "OrganisationalUnit", "BeneficiaryName",
                "Purpose", "Amount", "IrrecoverableVATAmount", "CardTransaction", "ExpenditureCategory",
                "BeneficiaryType"]
ESC_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def spend_row(**kw) -> list[str]:
    row = {"OrganisationURI": ORG, "OrganisationLabel": "Anytown Borough Council", "PaymentDate": "2025-04-30",
           "OrganisationalUnit": "Highways", "BeneficiaryName": "Acme Roads Ltd", "Purpose": "Road repairs",
           "Amount": "1234.56", "IrrecoverableVATAmount": "0", "CardTransaction": "No",
           "ExpenditureCategory": "Supplies and services", "BeneficiaryType": "Company"}
    row.update(kw)
    return [row[h] for h in SPEND_HEADER]


def write_csv(path: Path, rows: list[list[str]], header=SPEND_HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def run(cwd: Path, *args) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-3000:]
    return proc


# ------------------------------------------------------------------ 14: personal data masked

# (cell value, what must never be shown, what is shown instead)
PERSONAL = [
    (dict(Purpose="Refund to jo.bloggs@example.com for overpayment"), "jo.bloggs@example.com", "j•••@e•••.com"),
    (dict(Purpose="Hardship payment NI AB 12 34 56 C"), "AB 12 34 56 C", "•• •• •• 56 C"),
    (dict(Purpose="Call tenant on 07700 900123 re arrears"), "07700 900123", "••••• ••••23"),
    (dict(Purpose="Refund to bank sort code 12-34-56 account 87654321"), "87654321", "••••••21"),
    (dict(BeneficiaryName="Mr John Smith", BeneficiaryType="Individual"), "John Smith", "Mr J••• S•••"),
    (dict(Purpose="Payment to IBAN GB29 NWBK 6016 1331 9268 19"), "6016 1331 9268", "•••• •••• •••• 19"),
]

NOT_IN_MESSAGE = {"••••••21", "•••• •••• •••• 19"}   # the bank-details message names no number


@pytest.fixture(scope="module")
def personal_spend(tmp_path_factory):
    folder = tmp_path_factory.mktemp("personal")
    rows = [spend_row(**kw, PaymentDate=f"2025-04-{10 + i}") for i, (kw, _, _) in enumerate(PERSONAL)]
    # hostile: a formula around an email is flagged twice; the formula problem must not show it either
    rows.append(spend_row(Purpose='=HYPERLINK("mailto:ann.other@example.org","pay")', PaymentDate="2025-04-25"))
    return write_csv(folder / "spend.csv", rows)


def test_reports_mask_the_personal_data_they_flag(personal_spend, tmp_path):
    """Case 14: text, JSON and HTML used to repeat sort codes, account numbers, NI
    numbers, emails and phone numbers in full."""
    outputs = {}
    for fmt in ("text", "json", "html"):
        proc = run(tmp_path, "validate", personal_spend, "--format", fmt)
        assert proc.returncode == 1, proc.stderr
        outputs[fmt] = proc.stdout
    for fmt, out in outputs.items():
        for _, secret, shown in PERSONAL:
            assert secret not in out, (fmt, secret)
            if fmt != "text" or shown not in NOT_IN_MESSAGE:   # the text report shows messages only
                assert shown in out, (fmt, shown)
        assert "ann.other@example.org" not in out, fmt
        assert "a•••@e•••.org" in out, fmt
    # the cell reference says where to look
    problems = json.loads(outputs["json"])["problems"]
    # a finding about a whole column names its cells among its examples (issue 15)
    flagged = {c for p in problems if p["code"] in ("email-address", "ni-number", "phone-number",
                                                     "bank-details", "named-individual")
               for c in [p["cell"]] + [e["cell"] for e in p.get("examples") or []] if c}
    assert {"F2", "F3", "F4", "F5", "E6", "F7", "F8"} <= flagged
    formula = [p for p in problems if p["code"] == "formula-injection"]
    assert formula and "ann.other" not in formula[0]["value"] + formula[0]["message"]


def test_the_annotated_copy_keeps_the_values(personal_spend, tmp_path):
    out = tmp_path / "marked.xlsx"
    proc = run(tmp_path, "validate", personal_spend, "--annotate", out, "--format", "json")
    assert proc.returncode == 1 and "jo.bloggs@example.com" not in proc.stdout
    wb = openpyxl.load_workbook(out)
    cells = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    for _, secret, _ in PERSONAL:
        assert secret in cells, secret   # the user's own copy: the values are there to be fixed


def test_a_package_report_is_masked_too(personal_spend, tmp_path):
    """Published anyway (--allow-invalid --allow-personal-data): the report.json inside is masked."""
    proc = run(tmp_path, "package", personal_spend, "--org-name", "Anytown Borough Council", "--org-uri", ORG,
               "--period", "2025-26", "--allow-invalid", "--allow-personal-data", "-o", tmp_path / "out", "--zip")
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.zip"))) as zf:
        report = zf.read("report.json").decode("utf-8")
    assert "jo.bloggs@example.com" not in report and "j•••@e•••.com" in report


def test_exact_senior_salaries_and_junior_names_are_masked(tmp_path):
    header = ["Post Unique Reference", "Name", "Grade (or equivalent)", "Job Title", "Job/Team Function",
              "Organisation", "Unit", "Contact Phone", "Contact E-mail", "Reports to Senior Post",
              "Salary Cost of Reports (£)", "FTE", "Actual Pay Floor (£)", "Actual Pay Ceiling (£)",
              "Professional/Occupational Group", "OrganisationURI", "Notes"]
    row = ["CE1", "Jane Doe", "SCS4", "Chief Executive", "Runs the council", "Anytown", "Corporate",
           "01632 960000", "enquiries@anytown.gov.uk", "XX", "0", "1", "153217", "153217", "Finance", ORG, ""]
    report = openbook.validate(write_csv(tmp_path / "senior-staff.csv", [row], header))
    shown = report.to_json()
    assert "153217" not in shown and "£••••17" in shown
    assert "(here 150000)" in shown     # the band to publish is still said
    revealed = [p.value for p in report.iter_problems(reveal=True) if p.code == "exact-senior-salary"]
    assert "153217" in revealed


@pytest.mark.parametrize("value, shown", [
    ("john@example.com", "j•••@e•••.com"),
    ("jane.doe@anytown.gov.uk", "j•••@a•••.gov.uk"),
    ("AB 12 34 56 C", "•• •• •• 56 C"),
    ("AB123456C", "••••••56C"),
    ("+44 7700 900123", "+•• •••• ••••23"),
    ("Smith, John", "S•••, J•••"),
    ("Dr Ann O'Neil-Jones", "Dr A••• O•••"),
    ("", ""),
])
def test_mask_value(value, shown):
    assert mask_value(value) == shown


def test_masks_keep_nothing_that_identifies():
    assert mask_email("x@y.com") == "x•••@y•••.com"
    assert mask_number("12-34-56") == "••-••-56"
    assert mask_words("J Smith") == "J S•••"
    for value in ["Refund jo@example.com", "NI QQ123456C sort code 12-34-56", "Mr Peter Parker"]:
        masked = mask_value(value)
        assert masked != value and not re.search(r"\d{3}|@example|Peter|Parker", masked)


# ------------------------------------------------------------------ 15: links and the CSP

@pytest.mark.parametrize("uri", ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "java\tscript:x",
                                 "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
                                 "vbscript:msgbox(1)", "https://user:pw@anytown.gov.uk", "anytown.gov.uk"])
def test_org_uri_must_be_a_web_address(tmp_path, uri):
    """Case 15 (--org-uri): the package used to carry it into the catalogue as a link."""
    data = write_csv(tmp_path / "spend.csv", [spend_row()])
    proc = run(tmp_path, "package", data, "--org-name", "Anytown Borough Council", "--org-uri", uri,
               "--period", "2025-26", "-o", tmp_path / "out")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "only http:// and https:// addresses" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not list((tmp_path / "out").glob("*")), "nothing is written"
    assert "user:pw@" not in proc.stderr


def test_about_sheet_and_yaml_uris_must_be_web_addresses(tmp_path):
    """Case 15 (About sheet), and the same through openbook.yaml."""
    wb = openpyxl.Workbook()
    about = wb.active
    about.title = "About"
    about.append(["Organisation name", "Anytown Borough Council"])
    about.append(["Organisation URI", "javascript:alert('pwned')"])
    spend = wb.create_sheet("Spend")
    spend.append(SPEND_HEADER)
    spend.append(spend_row())
    wb.save(tmp_path / "anytown.xlsx")
    for cmd in (["validate"], ["package", "--period", "2025-26", "-o", tmp_path / "out"]):
        proc = run(tmp_path, cmd[0], tmp_path / "anytown.xlsx", *cmd[1:])
        assert proc.returncode == 2 and "About sheet" in proc.stderr and "javascript" in proc.stderr, proc.stderr
    folder = tmp_path / "yaml"
    folder.mkdir()
    write_csv(folder / "spend.csv", [spend_row()])
    (folder / "openbook.yaml").write_text("org_name: Anytown\norg_uri: 'data:text/html,x'\nperiod: 2025-26\n")
    proc = run(tmp_path, "package", folder / "spend.csv", "-o", tmp_path / "out2")
    assert proc.returncode == 2 and "openbook.yaml" in proc.stderr and "only http://" in proc.stderr


def _hostile_catalogue(tmp_path: Path) -> Path:
    """A catalogue published from a package edited by hand after `package`:
    javascript: in the organisation, the licence, and the version."""
    data = write_csv(tmp_path / "spend.csv", [spend_row()])
    proc = run(tmp_path, "package", data, "--org-name", "Anytown Borough Council", "--org-uri", ORG,
               "--period", "2025-26", "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    pkg = next((tmp_path / "out").iterdir())
    d = json.loads((pkg / "datapackage.json").read_text())
    d["publisher"]["path"] = d["openbook"]["organisation"]["uri"] = "javascript:alert(document.domain)"
    d["licenses"][0]["path"] = " data:text/html,<script>alert(1)</script>"
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2))
    proc = run(tmp_path, "publish", pkg, "--to", tmp_path / "catalogue")
    if proc.returncode != 0:     # a stricter contract may refuse it: then nothing is published
        assert proc.returncode == 2 and proc.stderr.startswith("openbook: "), proc.stderr
        return None
    return tmp_path / "catalogue"


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_catalogue_pages_never_link_to_another_scheme():
    """The pages rendered from a hostile descriptor directly, whatever publish accepts."""
    from openbook.publish.catalogue import Dataset, render_dataset, render_dcat, render_index
    d = Dataset(org="x", name="x-2025-26", versions=["javascript:alert(1)//"], descriptor={
        "name": "x-2025-26", "title": "X", "version": "javascript:alert(1)//",
        "publisher": {"title": "X", "path": "javascript:alert(1)"},
        "licenses": [{"name": "OGL", "path": "vbscript:msgbox(1)"}],
        "resources": [{"name": "spend", "path": "data/spend.csv"}],
        "openbook": {"organisation": {"name": "X", "uri": "JaVaScRiPt:alert(1)", "slug": "x"}}})
    for html in (render_index([d]), render_dataset(d)):
        hrefs = _hrefs(html)
        assert hrefs and all(safe_href(h) == h for h in hrefs), hrefs
        assert 'http-equiv="Content-Security-Policy"' in html
    ids = re.findall(r'"@id": "([^"]*)"', render_dcat([d]))
    assert ids and all(safe_href(i) == i for i in ids), ids


def test_catalogue_never_links_to_another_scheme(tmp_path):
    catalogue = _hostile_catalogue(tmp_path)
    if catalogue is None:   # refused by a stricter package contract: covered by the test above
        return
    pages = list(catalogue.rglob("*.html"))
    assert len(pages) >= 2
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for href in _hrefs(html):
            assert safe_href(href) == href, (page, href)
            assert not re.match(r"(?i)\s*(javascript|data|vbscript|file):", href), (page, href)
        assert 'http-equiv="Content-Security-Policy"' in html
    dcat = (catalogue / "catalog.json").read_text()
    assert '"@id": "javascript:' not in dcat and '"@id": " data:' not in dcat


def test_generated_pages_carry_a_strict_csp(tmp_path):
    from openbook.report.html import report_html
    from openbook.templates import content_security_policy
    html = report_html(openbook.validate(ROOT / "examples" / "anytown-with-errors.xlsx"))
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert meta and html.index(meta.group(0)) < html.index("<style>") < html.index("<script>")
    policy = meta.group(1)
    assert "default-src 'none'" in policy and "base-uri 'none'" in policy and "form-action 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "*" not in policy
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", policy)
    assert policy == content_security_policy(html)


@pytest.mark.parametrize("href, safe", [
    ("https://anytown.gov.uk", True), ("1.0.0/data/spend.csv", True), ("#g1", True), ("../../index.html", True),
    ("javascript:alert(1)", False), ("JAVASCRIPT:alert(1)", False), ("\tjavascript:alert(1)", False),
    ("java\nscript:alert(1)", False), ("data:text/html,x", False), ("vbscript:x", False), ("http:evil", False),
])
def test_safe_href(href, safe):
    assert (safe_href(href) is not None) == safe


# ------------------------------------------------------------------ 16: terminal escapes

HOSTILE_CELLS = [
    "\x1b[2J\x1b[H",                              # clear the screen, cursor home
    "\x1b]0;pwned\x07",                           # OSC: set the window title
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",   # OSC 8 hyperlink
    "x\rVALID: 7 tables, 9999 rows, no errors.",  # bare CR: overwrite the line
    "\x9b2J",                                     # C1 CSI
    "line one\nVALID: fake",                      # a new line inside a cell
]


def test_control_characters_never_reach_the_terminal(tmp_path):
    """Case 16: ESC, OSC and bare CR in cells reached the terminal raw."""
    rows = [spend_row(Purpose="=" + cell, PaymentDate=f"2025-04-{10 + i}") for i, cell in enumerate(HOSTILE_CELLS)]
    rows += [spend_row(Amount=cell, PaymentDate=f"2025-05-{10 + i}") for i, cell in enumerate(HOSTILE_CELLS)]
    data = write_csv(tmp_path / "spend.csv", rows)
    for fmt in ("text", "json"):
        proc = run(tmp_path, "validate", data, "--format", fmt)
        assert proc.returncode == 1
        assert not ESC_RAW.search(proc.stdout), (fmt, repr(ESC_RAW.search(proc.stdout)))
        assert not ESC_RAW.search(proc.stderr)
        assert not any(line.startswith("VALID") for line in proc.stdout.splitlines()), fmt
        if fmt == "text":
            assert "\\x1b[2J" in proc.stdout and "\\rVALID" in proc.stdout   # shown, harmless
        else:
            json.loads(proc.stdout)   # still JSON


def test_a_hostile_sheet_or_file_name_is_escaped(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Spend"
    ws.append(SPEND_HEADER)
    ws.append(spend_row(Amount="_x001B_[2J_x001B_]0;pwned_x0007__x000D_VALID"))   # OOXML escapes: ESC, BEL, CR
    name = tmp_path / "spend\x1b[31m\x1b]0;x\x07.xlsx"
    wb.save(name)
    proc = run(tmp_path, "validate", name)
    assert proc.returncode == 1 and not ESC_RAW.search(proc.stdout + proc.stderr)
    assert "\\x1b[2J" in proc.stdout and "\\x1b[31m" in proc.stdout   # the cell and the file name, escaped
    missing = run(tmp_path, "validate", tmp_path / "gone\x1b[2J\rVALID.csv")
    assert missing.returncode == 2 and not ESC_RAW.search(missing.stderr)
    assert len(missing.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ 17: invisible characters

def test_invisible_characters_are_warned_about(tmp_path):
    """Case 17: a zero-width space split "Acme Roads Ltd" from itself, unseen."""
    rows = [spend_row(BeneficiaryName="Acme\u200b Roads Ltd"),
            spend_row(BeneficiaryName="Acme Roads Ltd\u202e", PaymentDate="2025-05-01"),
            spend_row(Purpose="Road\u2066 repairs\u2069", PaymentDate="2025-05-02"),
            spend_row(PaymentDate="2025-05-03")]
    report = openbook.validate(write_csv(tmp_path / "spend.csv", rows))
    found = [(p.cell, p.severity) for p in report.iter_problems() if p.code == "invisible-character"]
    assert sorted(found) == [("E2", "warning"), ("E3", "warning"), ("F4", "warning")]
    message = next(p.message for p in report.iter_problems() if p.cell == "E2")
    assert "U+200B" in message and "zero-width space" in message and 'after "Acme"' in message
    text = run(tmp_path, "validate", tmp_path / "spend.csv").stdout
    # two cells of one column are one finding (issue 15): its first message and both cells
    assert "U+200B, zero-width space" in text and "E2" in text and "E3" in text
    assert not re.search("[\u200b\u202e\u2066\u2069]", text)


def test_invisible_characters_flooding_a_column_are_reported_once(tmp_path):
    rows = [spend_row(Purpose=f"Repairs\u200b {i}", PaymentDate="2025-04-30") for i in range(500)]
    report = openbook.validate(write_csv(tmp_path / "spend.csv", rows))
    found = [p for p in report.iter_problems() if p.code == "invisible-character"]
    assert len(found) == 1 and found[0].cell == "F1"
    assert "500 cells of this column" in found[0].message and "first on row 2" in found[0].message


def test_plain_text_raises_no_invisible_character_warning(tmp_path):
    rows = [spend_row(BeneficiaryName="Café Nero Group Ltd", Purpose="Coffee – for the £500 meeting")]
    report = openbook.validate(write_csv(tmp_path / "spend.csv", rows))
    assert not [p for p in report.iter_problems() if p.code == "invisible-character"]


# ------------------------------------------------------------------ 6: empty submissions

def test_a_header_only_csv_is_not_packaged(tmp_path):
    data = write_csv(tmp_path / "spend.csv", [])
    proc = run(tmp_path, "package", data, "--org-name", "Anytown", "--org-uri", ORG, "--period", "2025-26",
               "-o", tmp_path / "out", "--zip")
    assert proc.returncode == 1 and "no data rows to package" in proc.stderr, proc.stderr
    assert not list((tmp_path / "out").iterdir())
    proc = run(tmp_path, "validate", data)
    assert "VALID:" not in proc.stdout and "NO DATA" in proc.stdout


def test_an_organisation_name_with_hidden_characters_is_refused(tmp_path):
    """It would be published, listed in the catalogue and compared as it is."""
    data = write_csv(tmp_path / "spend.csv", [spend_row()])
    for name in ("Anytown\u200b Borough Council", "Anytown\x1b[2J", "Anytown \u202eliocnuoC"):
        proc = run(tmp_path, "package", data, "--org-name", name, "--org-uri", ORG, "--period", "2025-26",
                   "-o", tmp_path / "out")
        assert proc.returncode == 2 and "control or invisible characters" in proc.stderr, proc.stderr
        assert not ESC_RAW.search(proc.stderr) and not list((tmp_path / "out").iterdir())
