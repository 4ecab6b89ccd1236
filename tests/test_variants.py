"""Unambiguous variants of a code are read as the code: one warning per column,
and a package holds the code as the standard writes it."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import openbook
from openbook.standard.plan import code_variants, plan

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "anytown-spend-2025-04.csv"


def spend_with(tmp_path: Path, values: list[str]) -> Path:
    """The example ledger's first lines with Cap/Rev (column M) written as ``values``."""
    text = EXAMPLE.read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:len(values) + 1]
    j = header.index("Cap/Rev")
    for row, v in zip(body, values):
        row[j] = v
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header] + body)
    path = tmp_path / "spend-2025-04.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_case_quotes_and_spaces_are_variants_of_the_code():
    variants = plan("spend").variants["CapitalOrRevenue"]
    assert variants["revenue"] == "Revenue" and variants["r"] == "R"
    # a code list's label is a variant of its code, in any case
    groups = code_variants(plan("costs").fields["SubjectiveGroup"])
    assert groups["supplies and services"] == "supplies-and-services"


def test_one_warning_per_column_and_the_package_holds_the_code(tmp_path):
    path = spend_with(tmp_path, ["revenue", "'R'", " capital ", "REVENUE", "R", "Rev"])
    report = openbook.validate([path])
    findings = [f for f in report.findings() if f.field == "CapitalOrRevenue"]
    codes = sorted((f.code, f.severity, f.rows_affected) for f in findings)
    # "Rev" is not unambiguous: it stays an error; the four variants are one warning
    assert codes == [("constraint-error", "error", 1), ("variant-value", "warning", 4)]
    variant = next(f for f in findings if f.code == "variant-value")
    assert variant.scope == "column" and [e["cell"] for e in variant.examples] == ["M2", "M3", "M4", "M5"]

    fixed = spend_with(tmp_path, ["revenue", "'R'", " capital ", "REVENUE", "R"])
    result = openbook.package([fixed], out_dir=tmp_path / "out", period="2025-04",
                              org_uri="https://www.anytown.gov.uk/", org_name="Anytown Borough Council")
    data = (result.path / "data" / "spend.csv").read_text(encoding="utf-8")
    column = [row["CapitalOrRevenue"] for row in csv.DictReader(io.StringIO(data))]
    assert column == ["Revenue", "R", "Capital", "Revenue", "R"]
