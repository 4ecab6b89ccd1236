"""The columnar catalogue: every published table also as Parquet in a Hive layout,
`openbook query` over it (a folder, and S3 through the moto server), and DuckDB
reading the same layout with one read_parquet call."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from openbook.cli import cli
from openbook.publish import publish
from openbook.publish.query import query
from servers import packages as P


def _pounds(text: str) -> float:
    """The hand-made fixture packages keep amounts as written ("£8,419.01")."""
    return float(text.replace("£", "").replace(",", ""))


def _spend_rows(pkg: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((pkg / "data" / "spend.csv").read_text(encoding="utf-8"))))


@pytest.fixture
def catalogue(tmp_path):
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    publish(P.ACME, to=str(cat))
    return cat


def test_publish_writes_each_table_as_parquet_in_a_hive_layout(catalogue):
    d = P.read_descriptor(P.ANYTOWN)
    org, period = d["openbook"]["organisation"]["slug"], d["openbook"]["period"]
    for res in d["resources"]:
        part = catalogue / "_parquet" / f"table={res['name']}" / f"organisation={org}" / f"period={period}"
        assert (part / f"{d['name']}.parquet").is_file(), part
    # Publishing again changes nothing (the Parquet bytes are the same).
    again = publish(P.ANYTOWN, to=str(catalogue))
    assert all(a.action == "unchanged" for a in again.actions)


def test_query_a_folder_catalogue(catalogue):
    rows = _spend_rows(P.ANYTOWN)
    frame = query(str(catalogue), "SELECT organisation, COUNT(*) AS n, SUM(Amount) AS total FROM spend "
                                  "GROUP BY organisation")
    org = P.read_descriptor(P.ANYTOWN)["openbook"]["organisation"]["slug"]
    got = {r["organisation"]: (r["n"], r["total"]) for r in frame.iter_rows(named=True)}
    assert got[org][0] == len(rows)
    assert got[org][1] == pytest.approx(sum(_pounds(r["Amount"]) for r in rows))
    # dates are dates, so ranges work without casting
    date = next(f for f in P.read_descriptor(P.ANYTOWN)["resources"] if f["name"] == "spend")["schema"]["fields"]
    date = next(f["name"] for f in date if f["type"] == "date")
    span = query(str(catalogue), f"SELECT MIN({date}) AS first, MAX({date}) AS last FROM spend")
    assert str(span["first"][0]) == min(r[date] for r in rows)


def test_query_command_formats_and_errors(catalogue):
    res = CliRunner().invoke(cli, ["query", str(catalogue), "SELECT COUNT(*) AS n FROM functions", "--format", "json"])
    assert res.exit_code == 0, res.output
    n = json.loads(res.stdout)[0]["n"]
    functions = sum(1 for _ in csv.DictReader(io.StringIO((P.ANYTOWN / "data" / "functions.csv").read_text())))
    assert n >= functions
    text = CliRunner().invoke(cli, ["query", str(catalogue), "SELECT COUNT(*) AS n FROM spend"])
    assert text.exit_code == 0 and text.stdout.splitlines()[0].strip() == "n" and "1 row" in text.stdout
    bad = CliRunner().invoke(cli, ["query", str(catalogue), "SELECT * FROM nothing_here"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "the query could not run" in bad.stderr and "spend" in bad.stderr
    empty = CliRunner().invoke(cli, ["query", str(catalogue.parent / "nowhere"), "SELECT 1"])
    assert empty.exit_code == 2 and "no tables to query" in empty.stderr


def test_duckdb_reads_the_same_layout(catalogue):
    duckdb = pytest.importorskip("duckdb")
    glob = str(catalogue / "_parquet" / "table=spend" / "**" / "*.parquet")
    n, orgs = duckdb.sql(f"SELECT COUNT(*), COUNT(DISTINCT organisation) FROM "
                         f"read_parquet('{glob}', hive_partitioning=true)").fetchall()[0]
    assert n == sum(len(_spend_rows(p)) for p in (P.ANYTOWN, P.ACME) if (p / "data" / "spend.csv").is_file())
    assert orgs >= 1
    assert n == query(str(catalogue), "SELECT COUNT(*) AS n FROM spend")["n"][0]


@pytest.mark.server
def test_query_an_s3_catalogue(s3_server, monkeypatch):
    import uuid

    import boto3
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bucket = f"query-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket=bucket)
    to = f"s3://{bucket}/openbook"
    publish(P.ANYTOWN, to=to, endpoint_url=s3_server)
    frame = query(to, "SELECT COUNT(*) AS n, SUM(Amount) AS total FROM spend", endpoint_url=s3_server)
    rows = _spend_rows(P.ANYTOWN)
    assert frame["n"][0] == len(rows)
    assert frame["total"][0] == pytest.approx(sum(_pounds(r["Amount"]) for r in rows))
    res = CliRunner().invoke(cli, ["query", to, "SELECT COUNT(*) AS n FROM functions", "--endpoint-url", s3_server,
                                   "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == "n"
