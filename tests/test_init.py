"""openbook init: Excel templates generated from the schemas, and their round trip."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import openbook
from openbook.standard import schemas
from openbook.cli import cli
from openbook.errors import OpenbookError
from openbook.standard.template import ABOUT_KEYS, write_template

PROFILES = schemas.profile_names()
URI = "https://opendatacommunities.org/id/metropolitan-district-council/trafford"


def _typed(field: dict, text: str):
    """A schema example (CSV text) as the Python value a person would type into Excel."""
    ftype = field.get("type", "string")
    if ftype == "number":
        return float(text)
    if ftype in ("integer", "year"):
        return int(text)
    if ftype == "date":
        return dt.date.fromisoformat(text)
    if ftype == "boolean":
        return "Yes" if text.lower() in ("yes", "true", "y", "1") else "No"
    return text


def _example_rows(profile: str) -> dict[str, list[dict]]:
    """A small correct submission: two rows per table from the schema examples,
    with keys made distinct and references pointing at rows that exist."""
    prof = schemas.profile(profile)
    rows: dict[str, list[dict]] = {}
    for res in prof["resources"]:
        schema = schemas.load(res["name"])
        base = {f["name"]: f.get("example", "") for f in schema["fields"]}
        rows[res["name"]] = [dict(base), dict(base)]
    # distinct keys on the second row
    second = {
        "functions": {"FunctionID": "F-ASC-02", "ParentID": "F-ASC-01", "Label": "Day care for older people"},
        "costs": {"CostLineID": "ASC-EMP-002", "FunctionID": "F-ASC-02", "Actual": "98250.75"},
        "roles-senior": {"Post Unique Reference": "AGO4", "Name": "Sam Jones", "Job Title": "Head of Audit"},
        "roles-junior": {"Generic Job Title": "Finance Officer", "Grade": "TIS4"},
        "systems": {"SystemID": "SYS-015", "SystemName": "Payroll", "Product": "ResourceLink"},
        "spend": {"TransactionNumber": "22093604", "Amount": "742.30", "BeneficiaryName": "Green Cleaning Ltd"},
        "outcomes": {"IndicatorID": "ASC-1B", "IndicatorLabel": "Proportion who have control over daily life",
                     "Value": "77.2", "Unit": "percent"},
        "supplier-costs": {"LineID": "2", "CostElement": "goods-consumables", "Cost": "15250",
                           "Charge": "17400"},
    }
    for name, changes in second.items():
        if name in rows:
            rows[name][1].update(changes)
    # references: every foreign key points at the first referenced row
    for fk in prof.get("foreignKeys", []):
        child, parent = fk["resource"], fk["reference"]["resource"]
        if child in rows and parent in rows:
            for row in rows[child]:
                for f, ref in zip(fk["fields"], fk["reference"]["fields"]):
                    if f == "FunctionID" and "FunctionID" in row:
                        continue  # both example functions exist
                    row[f] = rows[parent][0][ref]
    if "functions" in rows:
        rows["functions"][0]["ParentID"] = ""  # the top of the function tree
    if "functions" in rows:  # any FunctionID refers to a function of the submission
        ids = {r["FunctionID"] for r in rows["functions"]}
        for name, table in rows.items():
            for row in table:
                if name != "functions" and row.get("FunctionID") and row["FunctionID"] not in ids:
                    row["FunctionID"] = rows["functions"][0]["FunctionID"]
    if "roles-senior" in rows:
        # the first post is the top of the tree; the second reports to it
        rows["roles-senior"][0]["Reports to Senior Post"] = "XX"
        rows["roles-senior"][1]["Reports to Senior Post"] = rows["roles-senior"][0]["Post Unique Reference"]
        rows["roles-senior"][0]["Notes"] = ""
    for table in rows.values():
        for row in table:
            row["OrganisationURI"] = URI
    return rows


def _fill(path: Path, profile: str) -> None:
    wb = openpyxl.load_workbook(path)
    prof = schemas.profile(profile)
    for res in prof["resources"]:
        ws = wb[res["title"]]
        fields = {f["name"]: f for f in schemas.load(res["name"])["fields"]}
        header = [c.value for c in ws[1]]
        for r, row in enumerate(_example_rows(profile)[res["name"]], 2):
            for c, name in enumerate(header, 1):
                text = row.get(name, "")
                if text != "":
                    ws.cell(row=r, column=c, value=_typed(fields[name], text))
    about = wb["About"]
    for row in about.iter_rows(min_col=1, max_col=2):
        if row[0].value == "Period":
            row[1].value = "2025-26"
        if row[0].value == "Population":
            row[1].value = 98000
    wb.save(path)


@pytest.mark.parametrize("profile", PROFILES)
def test_filled_template_round_trips(tmp_path, profile):
    path = tmp_path / f"{profile}.xlsx"
    write_template(path, profile=profile, org="Trafford Council", org_uri=URI)
    _fill(path, profile)
    report = openbook.validate(path, profile=profile)
    problems = [f"{p.location} {p.code}: {p.message}" for p in report.problems() if p.severity == "error"]
    assert problems == [], "\n".join(problems)
    assert report.valid
    resources = schemas.profile(profile)["resources"]
    assert sorted(t.schema for t in report.tables) == sorted(r["name"] for r in resources)
    assert all(t.rows == 2 for t in report.tables)
    # About and the hidden Lists sheet are not mistaken for tables
    assert {t.sheet for t in report.skipped} <= {"About", "Lists"}


@pytest.mark.parametrize("profile", PROFILES)
def test_empty_template_has_no_errors_but_is_not_a_complete_submission(tmp_path, profile):
    """Issue 14, case 6: an empty template used to read "VALID: 7 tables, 0 rows", and
    `package` wrote a package with no resources and exit 0."""
    path = tmp_path / "empty.xlsx"
    write_template(path, profile=profile, org="Anytown Borough Council", org_uri=URI)
    report = openbook.validate(path, profile=profile)
    assert report.errors == 0
    from openbook.report.text import text, verdict
    assert verdict(report).startswith("NO DATA: ") and "VALID" not in verdict(report)
    assert not report.valid and json.loads(report.to_json())["valid"] is False
    result = CliRunner().invoke(cli, ["validate", str(path), "--profile", profile])
    assert result.exit_code == 1 and "NO DATA" in result.output, result.output   # a pipeline must not pass it
    assert text(report).rstrip().endswith(verdict(report))
    result = CliRunner().invoke(cli, ["package", str(path), "--profile", profile, "--period", "2025-26",
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "no data rows to package" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())   # nothing written


@pytest.mark.parametrize("profile", PROFILES)
def test_cli_init_writes_the_template(tmp_path, profile):
    out = tmp_path / f"{profile}.xlsx"
    args = ["init", "--profile", profile, "--org", "Anytown Borough Council",
            "--org-uri", "https://anytown.gov.uk", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    prof = schemas.profile(profile)
    assert wb.sheetnames[0] == "About"
    assert wb.sheetnames[1:] == [r["title"] for r in prof["resources"]] + ["Lists"]
    assert wb["Lists"].sheet_state == "hidden"

    about = {r[0]: r[1] for r in wb["About"].iter_rows(min_col=1, max_col=2, values_only=True) if r[0]}
    for key in ABOUT_KEYS:
        assert key in about
    assert about["Organisation name"] == "Anytown Borough Council"
    assert about["Organisation URI"] == "https://anytown.gov.uk"
    assert about["Licence"] == "OGL-UK-3.0"
    about_text = " ".join(str(v) for row in wb["About"].iter_rows(values_only=True) for v in row if v)
    assert f"version {schemas.STANDARD_VERSION}" in about_text
    for res in prof["resources"]:
        assert res["title"] in about_text

    for res in prof["resources"]:
        ws = wb[res["title"]]
        schema = schemas.load(res["name"])
        fields = schema["fields"]
        assert [c.value for c in ws[1]] == [f["name"] for f in fields]
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold and c.fill.fill_type == "solid" for c in ws[1])
        assert all(ws.column_dimensions[c.column_letter].width >= 10 for c in ws[1])
        by_col = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                by_col[rng.coord.split(":")[0].rstrip("0123456789")] = dv
        for j, f in enumerate(fields):
            letter = openpyxl.utils.get_column_letter(j + 1)
            dv = by_col[letter]
            # an input message from the field description
            assert dv.showInputMessage and dv.prompt and dv.promptTitle
            assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255
            assert f["description"].split()[0] in dv.prompt
            enum = f.get("constraints", {}).get("enum")
            if enum:
                assert dv.type == "list"
                if dv.formula1.startswith('"'):
                    assert dv.formula1.strip('"').split(",") == enum
                else:  # a range on the hidden Lists sheet
                    sheet, _, rng = dv.formula1.partition("!")
                    assert sheet == "Lists"
                    cells = [c.value for row in wb["Lists"][rng.replace("$", "")] for c in row]
                    assert cells == enum
            fmt = ws.column_dimensions[letter].number_format
            if f.get("type") == "date":
                assert fmt == "yyyy-mm-dd"
            elif f.get("type") == "string":
                assert fmt == "@"
            elif f.get("type") in ("number", "integer"):
                assert fmt in ("#,##0.00", "#,##0", "General")


def test_enum_dropdowns_are_where_expected(tmp_path):
    out = tmp_path / "council.xlsx"
    write_template(out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Functions"]
    level = [c.value for c in ws[1]].index("Level") + 1
    letter = openpyxl.utils.get_column_letter(level)
    dv = next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(letter + "2"))
    assert dv.formula1 == '"function,sub-function,service,process"'
    assert dv.promptTitle == "Level"
    grade = wb["Roles (senior)"]
    col = openpyxl.utils.get_column_letter([c.value for c in grade[1]].index("Professional/Occupational Group") + 1)
    dv = next(dv for dv in grade.data_validations.dataValidation if str(dv.sqref).startswith(col + "2"))
    assert dv.formula1.startswith("Lists!$")  # 24 professions: on the hidden sheet


def test_refuses_to_overwrite_and_bad_input(tmp_path):
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"my data")
    with pytest.raises(OpenbookError, match="already exists"):
        write_template(out)
    assert out.read_bytes() == b"my data"
    write_template(out, force=True)
    assert openpyxl.load_workbook(out).sheetnames[0] == "About"
    with pytest.raises(OpenbookError, match=".xlsx"):
        write_template(tmp_path / "t.csv")
    with pytest.raises(OpenbookError, match="not a web address"):
        write_template(tmp_path / "u.xlsx", org_uri="anytown council")
    with pytest.raises(OpenbookError, match="no such profile"):
        write_template(tmp_path / "p.xlsx", profile="county")
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]  # nothing half-written left behind

    result = CliRunner().invoke(cli, ["init", str(out)])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert "Traceback" not in result.output
