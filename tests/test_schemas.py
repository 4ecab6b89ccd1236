"""The bundled open-book standard: schemas, code lists, profiles, docs, CLI."""
import json
import re
from pathlib import Path

import frictionless
import polars as pl
import pytest
from click.testing import CliRunner

from openbook.standard import schemas
from openbook.cli.schemas import schemas as schemas_cli
from openbook.errors import OpenbookError

ALL = schemas.names()
REPO = Path(__file__).resolve().parent.parent
EXPECTED = [
    "functions", "costs", "roles-senior", "roles-junior",
    "organisation-chart", "senior-salaries", "senior-salary-bands", "systems", "spend", "outcomes", "supplier-costs",
]


def norm(header: str) -> str:
    """How headers are matched: case-insensitive, ignoring spaces and punctuation."""
    return re.sub(r"[^0-9a-z]", "", header.casefold())


def descriptor_errors(descriptor: dict) -> list[str]:
    """Everything frictionless finds wrong with a Table Schema descriptor."""
    report = frictionless.Schema.validate_descriptor(descriptor)
    messages = [e.message for e in report.errors]
    if not messages:
        # from_descriptor also builds the fields (catches what the JSON
        # Schema check lets through, e.g. a primary key naming no field).
        try:
            frictionless.Schema.from_descriptor(descriptor)
        except frictionless.FrictionlessException as exc:
            messages.append(str(exc))
    return messages


def example_resource(d: dict) -> frictionless.Resource:
    header = [f["name"] for f in d["fields"]]
    row = [f["example"] for f in d["fields"]]
    return frictionless.Resource(
        data=[header, row], schema=frictionless.Schema.from_descriptor(d)
    )


# ---------------------------------------------------------------- loader


def test_names_and_files():
    assert ALL == EXPECTED
    on_disk = {p.stem for p in schemas.standard_dir().glob("*.json")}
    assert on_disk == set(EXPECTED)
    assert schemas.profile_names() == ["council", "supplier"]


def test_standard_dir_is_the_checkout_or_installed_copy():
    d = schemas.standard_dir()
    assert (d / "spend.json").is_file()
    assert (d / "codelists").is_dir() and (d / "profiles").is_dir()


def test_load_returns_fresh_copies():
    a = schemas.load("spend")
    a["fields"].clear()
    assert schemas.load("spend")["fields"]


def test_unknown_name_is_an_openbook_error():
    with pytest.raises(OpenbookError) as exc:
        schemas.load("spending")
    msg = str(exc.value)
    assert "\n" not in msg and "spend" in msg and "supplier-costs" in msg
    with pytest.raises(OpenbookError):
        schemas.profile("nope")
    with pytest.raises(OpenbookError):
        schemas.codelist("nope")


def test_codelists_are_copied_into_enum():
    d = schemas.load("roles-senior")
    grade = next(f for f in d["fields"] if f["name"] == "Grade (or equivalent)")
    assert grade["constraints"]["enum"] == [
        "SCS4", "SCS3", "SCS2", "SCS1A", "SCS1", "OF-9", "OF-8", "OF-7", "OF-6"
    ]
    # ... but the JSON file itself does not repeat them.
    raw = json.loads((schemas.standard_dir() / "roles-senior.json").read_text("utf-8"))
    raw_grade = next(f for f in raw["fields"] if f["name"] == "Grade (or equivalent)")
    assert "enum" not in raw_grade["constraints"]


# ---------------------------------------------------------------- schemas


@pytest.mark.parametrize("name", ALL)
def test_schema_is_a_valid_table_schema(name):
    d = schemas.load(name)
    assert descriptor_errors(d) == []


@pytest.mark.parametrize("name", ALL)
def test_raw_json_file_is_a_valid_table_schema(name):
    raw = json.loads((schemas.standard_dir() / f"{name}.json").read_text("utf-8"))
    assert descriptor_errors(raw) == []


@pytest.mark.parametrize("breakage", [
    lambda d: d["fields"][0].update(type="money"),
    lambda d: d["fields"][0]["constraints"].update(required="yes"),
    lambda d: d.update(primaryKey=["NoSuchField"]),
    lambda d: d["fields"][0].update(example="not a uri"),
    lambda d: d["fields"].append({"name": 7}),
])
def test_a_broken_schema_is_caught(breakage):
    d = schemas.load("functions")
    assert d["fields"][0]["name"] == "OrganisationURI"
    breakage(d)
    assert descriptor_errors(d) != []


@pytest.mark.parametrize("name", ALL)
def test_top_level_properties(name):
    d = schemas.load(name)
    assert d["name"] == name
    assert d["title"] and d["description"]
    assert d["version"] == schemas.STANDARD_VERSION == "1.0.0"
    assert d["missingValues"] == [""]
    assert d["x-sheet-names"] and all(isinstance(s, str) for s in d["x-sheet-names"])
    for key in d.get("primaryKey", []):
        field = next(f for f in d["fields"] if f["name"] == key)
        assert field["constraints"]["required"] is True


@pytest.mark.parametrize("name", ALL)
def test_every_field_is_documented(name):
    for f in schemas.load(name)["fields"]:
        where = f"{name}.{f['name']}"
        for key in ("name", "title", "description", "type", "format", "constraints",
                    "example", "x-aliases"):
            assert key in f, f"{where} has no {key}"
        assert f["title"].strip() and f["description"].strip(), where
        assert isinstance(f["example"], str) and f["example"] != "", where
        assert isinstance(f["constraints"].get("required"), bool), where
        assert isinstance(f["x-aliases"], list), where
        if f["type"] == "number":
            assert f.get("groupChar") == "," and f.get("bareNumber") is False, where


@pytest.mark.parametrize("name", ALL)
def test_every_schema_has_organisation_uri(name):
    f = next(f for f in schemas.load(name)["fields"] if f["name"] == "OrganisationURI")
    assert f["type"] == "string" and f["format"] == "uri"
    assert f["constraints"]["required"] is True


@pytest.mark.parametrize("name", ALL)
def test_example_row_is_valid(name):
    report = example_resource(schemas.load(name)).validate()
    assert report.valid, report.flatten(["fieldName", "type", "note"])


def test_example_row_check_really_fails():
    d = schemas.load("spend")
    flag = next(f for f in d["fields"] if f["name"] == "CapitalOrRevenue")
    flag["example"] = "Maybe"  # a valid string, but not in the enum
    assert descriptor_errors(d) == []
    assert not example_resource(d).validate().valid


@pytest.mark.parametrize("name", ALL)
def test_aliases_are_unambiguous(name):
    owner = {}
    for f in schemas.load(name)["fields"]:
        for header in [f["name"], *f["x-aliases"]]:
            key = norm(header)
            assert key, f"{name}: empty alias on {f['name']}"
            assert owner.setdefault(key, f["name"]) == f["name"], (
                f"{name}: {header!r} matches both {owner[key]} and {f['name']}"
            )


@pytest.mark.parametrize("name", ALL)
def test_patterns_are_simple_and_rust_compatible(name):
    for f in schemas.load(name)["fields"]:
        pattern = f["constraints"].get("pattern")
        if pattern is None:
            continue
        assert not re.search(r"\(\?[=!<]|\\[1-9]", pattern), f"{name}.{f['name']}"
        anchored = f"^(?:{pattern})$"
        re.compile(anchored)
        # polars compiles with the Rust regex crate.
        matches = pl.Series([f["example"]]).str.contains(anchored).to_list()
        assert matches == [True], f"{name}.{f['name']}"


@pytest.mark.parametrize("name", ALL)
def test_codelists_exist(name):
    for f in schemas.load(name)["fields"]:
        if "x-codelist" in f:
            entries = schemas.codelist(f["x-codelist"])
            assert entries and all(e["code"] and e["label"] for e in entries)
            assert f["example"] in [e["code"] for e in entries]


def test_codelist_contents():
    counts = {
        "cofog-divisions": 10, "esd-functions": 13, "cipfa-expense-groups": 8,
        "obcm-cost-elements": 10, "organogram-senior-grades": 9,
        "organogram-professions": 24, "pvf-pillars": 4, "forenames": 2431,
    }
    assert schemas.codelist_names() == sorted(counts)
    for name, n in counts.items():
        codes = [e["code"] for e in schemas.codelist(name)]
        assert len(codes) == n == len(set(codes)), name
    assert schemas.codelist("cofog-divisions")[0] == {
        "code": "01", "label": "General public services"}


def test_spend_specifics():
    d = {f["name"]: f for f in schemas.load("spend")["fields"]}
    assert d["BeneficiaryName"]["x-redactable"] and d["BeneficiaryName"]["constraints"]["required"]
    assert d["Purpose"]["x-redactable"]
    assert d["FunctionID"]["constraints"]["required"] is False
    assert d["ExpenditureCategory"]["constraints"]["required"] is False
    assert d["Currency"]["constraints"]["enum"] == ["GBP"]
    assert "Benificiary Name" in d["BeneficiaryName"]["x-aliases"]
    assert d["Amount"]["x-fdp-columnType"] == "value"


def test_roles_senior_pay_fields_accept_not_disclosed():
    d = schemas.load("roles-senior")
    names = [f["name"] for f in d["fields"]]
    assert "" not in names and "Valid?" not in names
    row = {f["name"]: f["example"] for f in d["fields"]}
    row.update({"Name": "N/D", "Actual Pay Floor (£)": "N/D", "Actual Pay Ceiling (£)": "N/A"})
    res = frictionless.Resource(data=[names, [row[n] for n in names]],
                                schema=frictionless.Schema.from_descriptor(d))
    assert res.validate().valid
    row["Actual Pay Floor (£)"] = "a lot"
    res = frictionless.Resource(data=[names, [row[n] for n in names]],
                                schema=frictionless.Schema.from_descriptor(d))
    assert not res.validate().valid


# ---------------------------------------------------------------- profiles


@pytest.mark.parametrize("pname", ["council", "supplier"])
def test_profile_resources_and_foreign_keys(pname):
    p = schemas.profile(pname)
    assert p["name"] == pname and p["version"] == "1.0.0" and p["title"]
    listed = {r["name"] for r in p["resources"]}
    for r in p["resources"]:
        assert r["name"] in ALL and r["title"] and isinstance(r["required"], bool)
    for fk in p["foreignKeys"]:
        ref = fk["reference"]
        assert fk["resource"] in listed and ref["resource"] in listed
        assert len(fk["fields"]) == len(ref["fields"])
        src = {f["name"] for f in schemas.load(fk["resource"])["fields"]}
        dst = schemas.load(ref["resource"])
        assert set(fk["fields"]) <= src
        assert set(ref["fields"]) <= {f["name"] for f in dst["fields"]}


def test_profile_requirements():
    council = {r["name"]: r["required"] for r in schemas.profile("council")["resources"]}
    assert council == {"functions": True, "costs": True, "roles-senior": False,
                       "roles-junior": False, "systems": False, "spend": False,
                       "outcomes": False, "organisation-chart": False, "senior-salaries": False,
                       "senior-salary-bands": False}
    supplier = {r["name"]: r["required"] for r in schemas.profile("supplier")["resources"]}
    assert supplier == {"supplier-costs": True, "functions": False}


# ---------------------------------------------------------------- docs


def test_docs_are_up_to_date():
    path = REPO / "docs" / "schemas.md"
    current = path.read_text("utf-8") if path.exists() else ""
    assert current == schemas.docs_markdown(), (
        "docs/schemas.md is out of date: regenerate it with "
        "`python -m openbook.standard.schemas > docs/schemas.md`"
    )


def test_markdown_mentions_every_field():
    for name in ALL:
        md = schemas.markdown(name)
        for f in schemas.load(name)["fields"]:
            assert f"`{f['name'].replace('|', chr(92) + '|')}`" in md


# ---------------------------------------------------------------- CLI


def test_cli_list():
    result = CliRunner().invoke(schemas_cli, ["list"])
    assert result.exit_code == 0, result.output
    for name in EXPECTED:
        assert re.search(rf"^{re.escape(name)}\s", result.output, re.M), name
    assert "31" in result.output  # spend's field count


def test_cli_show_text():
    result = CliRunner().invoke(schemas_cli, ["show", "spend"])
    assert result.exit_code == 0, result.output
    assert "BeneficiaryName" in result.output


def test_cli_show_json():
    result = CliRunner().invoke(schemas_cli, ["show", "roles-senior", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == schemas.load("roles-senior")


def test_cli_show_markdown():
    result = CliRunner().invoke(schemas_cli, ["show", "costs", "--format", "markdown"])
    assert result.exit_code == 0
    assert result.output == schemas.markdown("costs")


def test_cli_unknown_schema():
    result = CliRunner().invoke(schemas_cli, ["show", "spending"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "spending" in lines[0] and "spend" in lines[0]


def test_cli_commands_have_examples():
    for cmd in [schemas_cli, *schemas_cli.commands.values()]:
        assert "Example:" in (cmd.help or ""), cmd.name
