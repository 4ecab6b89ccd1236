"""Real published files: every one is read without a crash, and reports its
real problems. (How fast is measured by `make bench`, not here.)

tests/fixtures/corpus/ holds a byte-exact subset of the shared corpus (see
its README). When the whole shared corpus is present (OPENBOOK_CORPUS, by
default ../shared/corpus beside the repository), every file in it is checked
too; the project does not depend on it, and those tests skip without it.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import openbook
from openbook.cli import cli
from openbook.check.engine import match
from openbook.errors import OpenbookError
from openbook.read.raw import SUPPORTED
from openbook.read.tables import read_tables

FIXTURES = Path(__file__).parent / "fixtures" / "corpus"
ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OPENBOOK_CORPUS") or ROOT.parent / "shared" / "corpus")

DEVON_CP1252 = FIXTURES / "devon" / "DCCSpendingOver500_201407.csv"
DEVON_XLS = FIXTURES / "devon" / "DCCSpendingOver500_201008.xls"
DEVON_2026 = FIXTURES / "devon" / "DCCSpendingOver500_202601.csv"
MANCHESTER = FIXTURES / "odileeds" / "manchester" / "clean" / "2022-05.csv"
LEEDS_EMPTY = FIXTURES / "odileeds" / "leeds" / "raw" / "2018-10.csv"
DARLINGTON = FIXTURES / "odileeds" / "darlington" / "clean" / "2022-09.csv"
TRAFFORD_GPC = (FIXTURES / "trafford" / "government_procurement_card_transactions"
                / "government_procurement_card_transactions_2026-27.csv")


def data_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED)


def _id(root: Path):
    return lambda p: str(p.relative_to(root))


def check_one(path: Path) -> None:
    """Through the CLI, as a user runs it: exit 0 (valid), 1 (problems found) or
    2 (a one-line message), never a traceback; then through the API."""
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output + result.stderr
    if result.exit_code == 2:
        message = result.stderr.strip()
        assert message.startswith("openbook: ") and "\n" not in message and str(path) in message
        with pytest.raises(OpenbookError):
            openbook.validate([path])
        return
    report = openbook.validate([path])
    assert report.tables or report.skipped
    assert (result.exit_code == 0) == report.valid
    for t in report.tables:
        if not t.valid:   # a real problem is located: a cell, a row or a column
            p = next(p for p in t.iter_problems() if p.severity == "error")
            assert p.cell or p.row or p.field, p


def test_copies_are_byte_exact():
    lines = (FIXTURES / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == len(data_files(FIXTURES)) == 8
    for line in lines:
        digest, name = line.split(maxsplit=1)
        assert hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest() == digest, name
    assert sum(p.stat().st_size for p in data_files(FIXTURES)) < 6 * 1024 * 1024


@pytest.mark.parametrize("path", data_files(FIXTURES), ids=_id(FIXTURES))
def test_fixture_file_reads_cleanly(path):
    check_one(path)


SHARED_FILES = data_files(SHARED) if SHARED.is_dir() else []


@pytest.mark.skipif(not SHARED_FILES, reason=f"the shared corpus is not at {SHARED}")
@pytest.mark.parametrize("path", SHARED_FILES or [None], ids=_id(SHARED) if SHARED_FILES else None)
def test_shared_corpus_file_reads_cleanly(path):
    check_one(path)


@pytest.mark.skipif(not SHARED_FILES, reason=f"the shared corpus is not at {SHARED}")
def test_shared_corpus_as_one_folder():
    """The whole corpus as one command: the empty Leeds file is a file-level problem and
    every other file is still checked; every file seen and not checked is listed, with why."""
    result = CliRunner().invoke(cli, ["validate", str(SHARED), "--format", "json", "--workers", "1"])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    reported = {t["path"] for t in data["tables"]} | {t["path"] for t in data["skipped"]}
    every = {str(p) for p in SHARED.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert reported == every
    [empty] = [p for p in data["problems"] if p["code"] == "source-error"]
    assert empty["path"].endswith("2018-10.csv") and empty["scope"] == "file" and "empty" in empty["message"]
    reasons = {Path(t["path"]).suffix: t["reason"] for t in data["skipped"]}
    assert reasons[".json"].startswith("not checked: a JSON file")
    checked = {t["path"]: t["schema"] for t in data["tables"] if t["schema"]}
    assert len(checked) == len(SHARED_FILES) - 1
    # every spend and organogram file is read as what it is
    for path, schema in checked.items():
        name = Path(path).name
        expected = ("roles-senior" if name.endswith("-senior.csv") else "roles-junior" if name.endswith(
            "-junior.csv") else "organisation-chart" if "organisation_structure" in name else "senior-salaries"
            if name == "senior_salaries_employees.csv" else "senior-salary-bands" if name ==
            "senior_salaries_count.csv" else "spend")
        assert schema == expected, path
    # each location names its file: two files are both called 2011-04.csv
    text = CliRunner().invoke(cli, ["validate", str(SHARED), "--workers", "1"]).stdout
    assert "odileeds/leeds/raw/2011-04.csv" in text and "odileeds/gateshead/clean/2011-04.csv" in text


def test_cp1252_pound_sign_devon():
    """One £ as byte A3 on line 8460, in 'Invoice Number' (column E)."""
    raw = read_tables(DEVON_CP1252)[0]
    assert raw.encoding == "cp1252"
    m = match(raw)
    assert m.plan.name == "spend" and m.header_index == 0
    rows = pl.concat(list(raw.batches(m.header_index)))
    row = 8460 - 2            # record 8460; the header is record 1
    assert rows["c4"][row] == "00002 £551"
    assert rows["c5"][row] == "551.00"
    assert rows["c6"][row] == "ATLANTIC COAST CO-OPERATIVE TRST"
    report = openbook.validate([DEVON_CP1252])
    assert report.rows == 9459
    # the report's cell for that row reads the real value of the row
    at_row = {(p.cell, p.value) for p in report.iter_problems() if p.row == 8460}
    assert at_row == {("A8460", "18")}    # only its Body "18", which is not a URI (true of every row)


def test_double_encoded_bom_manchester():
    raw = read_tables(MANCHESTER)[0]
    assert raw.head[0][0] == "Body Name"
    m = match(raw)
    assert m.columns["OrganisationLabel"] == 0
    assert all("ï»¿" not in text for _, text in m.extra)
    report = openbook.validate([MANCHESTER])
    assert report.rows == 3564
    # named-individual is scored on labelled lines by `make precision` (bench/precision.md), not here
    assert [(p.code, p.field) for p in report.iter_problems() if p.severity == "error"
            and p.code != "named-individual"] == \
        [("missing-label", "OrganisationURI")]


def test_empty_leeds_file_is_a_clear_error():
    result = CliRunner().invoke(cli, ["validate", str(LEEDS_EMPTY)])
    assert result.exit_code == 2
    assert result.stderr == f"openbook: {LEEDS_EMPTY}: the file is empty (0 bytes). Export it again from the " \
                            "source system.\n"
    assert result.stdout == ""


def test_legacy_xls_devon_is_read():
    report = openbook.validate([DEVON_XLS])
    [t] = report.tables
    assert (t.sheet, t.schema, t.header_row, t.rows) == ("August", "spend", 1, 6384)
    raw = read_tables(DEVON_XLS)[0]
    # serial dates arrive as ISO text, whole-number floats without ".0"
    assert raw.head[1][5] == "2010-08-02" and raw.head[1][3] == "234677" and raw.head[1][6] == "2000.04"
    # PymtDate and SumOfNet Amt are synonyms of the standard's; "Entity" (a supplier number
    # there) is not taken for the organisation's name. Its real problems: no URI, name,
    # department or supplier column the standard knows
    m = match(raw)
    assert (m.columns["PaymentDate"], m.columns["Amount"]) == (5, 6) and "OrganisationLabel" not in m.columns
    assert {p.field for p in report.iter_problems() if p.code == "missing-label"} == \
        {"OrganisationURI", "OrganisationLabel", "OrganisationalUnit", "BeneficiaryName"}


def test_redaction_markers_are_counted():
    assert openbook.validate([MANCHESTER]).redactions == 171      # Redacted Personal Information
    assert openbook.validate([DEVON_CP1252]).redactions == 257    # REDACTED UNDER DP ACT (supplier names)
    assert openbook.validate([TRAFFORD_GPC]).redactions == 0


def test_padded_amount_header_and_total_row_devon_2026():
    raw = read_tables(DEVON_2026)[0]
    assert raw.encoding == "utf-8-sig" and raw.head[0][0] == "Body"
    m = match(raw)
    assert m.columns["Amount"] == 4          # " Amount "
    report = openbook.validate([DEVON_2026])
    problems = list(report.iter_problems())
    assert not [p for p in problems if p.field == "Amount" and p.code != "total-row"]  # " 504.00 ", " 57,492,900.67 "
    # the grand-total row at the end is reported once, as a total, never as blank required cells (issue 16)
    total = [(p.code, p.cell) for p in problems if p.row == 2621]
    assert total == [("total-row", "E2621")]


def test_unnamed_leading_columns_darlington():
    report = openbook.validate([DARLINGTON])
    assert report.rows == 1487
    blank = [p.cell for p in report.iter_problems() if p.code == "blank-label"]
    assert blank == ["A1"]                    # column B is always empty: no warning
    raw = read_tables(DARLINGTON)[0]
    assert match(raw).columns["OrganisationalUnit"] == 2     # "Directotate"


def test_trafford_card_transactions_pass():
    report = openbook.validate([TRAFFORD_GPC])
    assert report.valid and report.rows == 2024 and report.errors == 0


# ------------------------------------------------------------ findings at the scale of the fact

def _one_finding_per_code_and_column(report) -> None:
    seen = [(f.path, f.sheet, f.code, f.field, f.column) for f in report.findings()]
    repeated = {k for k in seen if seen.count(k) > 1}
    assert not repeated, repeated


@pytest.mark.parametrize("path", [p for p in data_files(FIXTURES) if p.stat().st_size], ids=_id(FIXTURES))
def test_one_finding_per_code_and_column(path):
    _one_finding_per_code_and_column(openbook.validate([path]))


@pytest.mark.skipif(not SHARED_FILES, reason=f"the shared corpus is not at {SHARED}")
@pytest.mark.parametrize("path", [p for p in SHARED_FILES if p.stat().st_size] or [None],
                         ids=_id(SHARED) if SHARED_FILES else None)
def test_shared_corpus_one_finding_per_code_and_column(path):
    _one_finding_per_code_and_column(openbook.validate([path]))


def test_a_column_wide_fact_is_one_finding_with_its_exact_count():
    """Devon's Body column holds 18 on every line: one column finding, not 9,459 cell errors."""
    report = openbook.validate([DEVON_CP1252])
    [body] = [f for f in report.findings() if f.field == "OrganisationURI"]
    assert (body.scope, body.rows_affected, body.column, body.value) == ("column", 9459, "A", "18")
    assert body.message.startswith('Body, read as OrganisationURI: every one of its 9,459 rows holds "18"')
    assert [e["cell"] for e in body.examples] == ["A2", "A3", "A4", "A5", "A6"]
    # the cell-level data stays exact: every cell is still there for the annotated copy
    assert sum(1 for p in report.iter_problems() if p.field == "OrganisationURI") == 9459
    data = json.loads(report.to_json())
    listed = [p for p in data["problems"] if p["field"] == "OrganisationURI"]
    assert len(listed) == 1 and listed[0]["scope"] == "column" and listed[0]["rows_affected"] == 9459
    text = CliRunner().invoke(cli, ["validate", str(DEVON_CP1252)]).stdout
    assert text.count("Body, read as OrganisationURI") == 1 and "A2, A3, A4, A5, A6 and 9,454 more" in text
