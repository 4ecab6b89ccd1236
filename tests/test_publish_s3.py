"""openbook publish to S3, against a real moto server on 127.0.0.1 (no in-process mocks)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
import requests

from openbook.errors import OpenbookError, Refused
from openbook.publish import publish
from servers import packages as P
from servers.launch import TcpProxy, free_port

ROOT = Path(__file__).resolve().parent.parent
DS = "anytown-borough-council/anytown-borough-council-2025-26"
FAKE_SECRET = "fake-secret-xyz"
FAKE_KEY_ID = "AKIAOPENBOOKTEST0001"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch, tmp_path):
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                "OPENBOOK_S3_MULTIPART_THRESHOLD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def bucket(s3_server):
    name = "openbook-" + uuid.uuid4().hex[:12]
    client(s3_server).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return name


def client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2")


def keys(endpoint, bucket, prefix=""):
    out = {}
    for page in client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            out[obj["Key"][len(prefix):]] = obj["Size"]
    return out


def reader(endpoint, bucket, prefix=""):
    c = client(endpoint)

    def read(key):
        try:
            return c.get_object(Bucket=bucket, Key=prefix + key)["Body"].read()
        except c.exceptions.NoSuchKey:
            return None
    return read


def test_publish_twice_second_run_is_all_unchanged(s3_server, bucket):
    to = f"s3://{bucket}/open-data"
    first = publish(P.ANYTOWN, to=to, endpoint_url=s3_server)
    assert {a.action for a in first.actions} == {"create"}
    assert first.url == f"{s3_server}/{bucket}/open-data/{DS}/index.html"
    second = publish(P.ANYTOWN, to=to, endpoint_url=s3_server)
    assert all(a.action == "unchanged" for a in second.actions), second.actions
    assert [a.target for a in first.actions] == [a.target for a in second.actions]

    held = keys(s3_server, bucket, "open-data/")
    assert set(held) == {a.target for a in first.actions}
    read = reader(s3_server, bucket, "open-data/")
    for f in ("datapackage.json", "data/spend.csv"):
        assert read(f"{DS}/1.0.0/{f}") == (P.ANYTOWN / f).read_bytes()
        assert read(f"{DS}/latest/{f}") == (P.ANYTOWN / f).read_bytes()
    assert json.loads(read("catalog.json"))["@type"] == "dcat:Catalog"


def test_every_object_has_content_type_cache_control_and_sha256(s3_server, bucket):
    publish(P.ANYTOWN, to=f"s3://{bucket}", endpoint_url=s3_server)
    c = client(s3_server)
    expected_type = {".csv": "text/csv; charset=utf-8", ".html": "text/html; charset=utf-8",
                     "datapackage.json": "application/json", "catalog.json": "application/ld+json",
                     ".parquet": "application/vnd.apache.parquet"}
    read = reader(s3_server, bucket)
    for key in keys(s3_server, bucket):
        head = c.head_object(Bucket=bucket, Key=key)
        want = next(v for k, v in expected_type.items() if key.endswith(k))
        assert head["ContentType"] == want, key
        assert head["CacheControl"] == ("public, max-age=86400" if "/1.0.0/" in key else "public, max-age=300"), key
        assert head["Metadata"]["sha256"] == P.sha256(read(key)), key


def test_dry_run_changes_nothing(s3_server, bucket):
    plan = publish(P.ANYTOWN, to=f"s3://{bucket}", endpoint_url=s3_server, dry_run=True)
    assert plan.dry_run and {a.action for a in plan.actions} == {"create"}
    assert keys(s3_server, bucket) == {}


def test_dry_run_on_a_changed_package_changes_nothing(s3_server, bucket, tmp_path):
    to = f"s3://{bucket}"
    publish(P.ANYTOWN, to=to, endpoint_url=s3_server)
    read = reader(s3_server, bucket)
    before = {k: read(k) for k in keys(s3_server, bucket)}
    pkg = P.copy(P.ANYTOWN, tmp_path / "pkg", version="1.1.0")
    P.append_rows(pkg, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    plan = publish(pkg, to=to, endpoint_url=s3_server, dry_run=True)
    actions = {a.target: a.action for a in plan.actions}
    assert actions[f"{DS}/1.1.0/data/spend.csv"] == "create"
    assert actions[f"{DS}/latest/data/spend.csv"] == "update"
    assert actions[f"{DS}/latest/data/functions.csv"] == "unchanged"
    assert {k: read(k) for k in keys(s3_server, bucket)} == before


def test_new_version_keeps_the_old_one_reachable(s3_server, bucket, tmp_path):
    to = f"s3://{bucket}/pub"
    publish(P.ANYTOWN, to=to, endpoint_url=s3_server)
    pkg = P.copy(P.ANYTOWN, tmp_path / "v2", version="1.1.0")
    P.append_rows(pkg, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    publish(pkg, to=to, endpoint_url=s3_server)

    # The bucket policy from docs/publishing.md: anyone may read under the prefix.
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "PublicReadOpenbook", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/pub/*"}]}
    client(s3_server).put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    base = f"{s3_server}/{bucket}/pub/{DS}"
    old = requests.get(f"{base}/1.0.0/data/spend.csv", timeout=10)  # anonymous
    assert old.status_code == 200 and old.content == (P.ANYTOWN / "data/spend.csv").read_bytes()
    new = requests.get(f"{base}/latest/data/spend.csv", timeout=10)
    assert new.status_code == 200 and new.content == (pkg / "data/spend.csv").read_bytes()
    assert requests.get(f"{base}/latest/datapackage.json", timeout=10).json()["version"] == "1.1.0"
    page = requests.get(f"{base}/index.html", timeout=10)
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert 'href="1.0.0/datapackage.json"' in page.text and 'href="1.1.0/datapackage.json"' in page.text
    # latest/ was copied inside S3 and carries the same metadata.
    head = client(s3_server).head_object(Bucket=bucket, Key=f"pub/{DS}/latest/data/spend.csv")
    assert head["Metadata"]["sha256"] == P.sha256(new.content)
    assert head["CacheControl"] == "public, max-age=300"


def test_big_file_goes_up_in_parts_and_is_then_unchanged(s3_server, bucket, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENBOOK_S3_MULTIPART_THRESHOLD", str(5 * 1024 * 1024))  # S3's smallest part
    pkg = P.copy(P.ANYTOWN, tmp_path / "big")
    data = P.big_csv(12 * 1024 * 1024)
    P.add_resource(pkg, "big", data)
    seen = []
    to = f"s3://{bucket}"
    publish(pkg, to=to, endpoint_url=s3_server, progress=lambda p, d, t: seen.append((p, d, t)))
    c = client(s3_server)
    for sub in ("1.0.0", "latest"):
        head = c.head_object(Bucket=bucket, Key=f"{DS}/{sub}/data/big.csv")
        assert head["ETag"].strip('"').endswith("-3"), head["ETag"]  # 5 + 5 + 2 MiB: a multipart upload
        assert head["Metadata"]["sha256"] == P.sha256(data)
        assert head["ContentLength"] == len(data)
    assert reader(s3_server, bucket)(f"{DS}/1.0.0/data/big.csv") == data
    partial = [d for p, d, t in seen if p.endswith("1.0.0/data/big.csv") and d < t]
    assert partial, "progress was reported while the big file uploaded"
    again = publish(pkg, to=to, endpoint_url=s3_server)
    assert all(a.action == "unchanged" for a in again.actions)


def test_server_down_mid_publish_then_rerun_completes(s3_server, bucket, servers_workdir, tmp_path):
    """Cut the line to S3 after the first file (the server keeps its state), check
    the error and the bucket, restore the line and publish again."""
    proxy = TcpProxy(int(s3_server.rsplit(":", 1)[1]), servers_workdir).start()
    try:
        to = f"s3://{bucket}"
        publish(P.ANYTOWN, to=to, endpoint_url=proxy.url)
        pkg = P.copy(P.ANYTOWN, tmp_path / "v2", version="2.0.0")
        P.append_rows(pkg, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")

        def cut(path, done, total):
            if done == total and path.endswith("2.0.0/data/functions.csv"):
                proxy.stop()
        with pytest.raises(OpenbookError) as err:
            publish(pkg, to=to, endpoint_url=proxy.url, progress=cut)
        msg = str(err.value)
        assert "could not reach" in msg and "run publish again" in msg.lower() and "\n" not in msg
        assert f"s3://{bucket}/" in msg and FAKE_SECRET not in msg

        held = keys(s3_server, bucket)
        assert f"{DS}/2.0.0/data/functions.csv" in held  # what went up is kept
        assert f"{DS}/2.0.0/datapackage.json" not in held  # no descriptor for an incomplete version
        assert P.broken_descriptors(reader(s3_server, bucket), held) == []
        assert json.loads(reader(s3_server, bucket)(f"{DS}/latest/datapackage.json"))["version"] == "1.0.0"

        proxy.start()
        rerun = publish(pkg, to=to, endpoint_url=proxy.url)
        actions = {a.target: a.action for a in rerun.actions}
        assert actions[f"{DS}/2.0.0/data/functions.csv"] == "unchanged"
        assert actions[f"{DS}/2.0.0/datapackage.json"] == "create"
        assert P.broken_descriptors(reader(s3_server, bucket), keys(s3_server, bucket)) == []
        assert json.loads(reader(s3_server, bucket)(f"{DS}/latest/datapackage.json"))["version"] == "2.0.0"
        assert all(a.action == "unchanged" for a in publish(pkg, to=to, endpoint_url=proxy.url).actions)
    finally:
        proxy.stop()


def test_missing_bucket_is_a_clear_error(s3_server):
    with pytest.raises(OpenbookError) as err:
        publish(P.ANYTOWN, to="s3://no-such-bucket-here/x", endpoint_url=s3_server)
    assert "bucket no-such-bucket-here does not exist" in str(err.value)
    assert "aws s3 mb s3://no-such-bucket-here" in str(err.value)


def test_no_credentials_is_a_clear_error(s3_server, bucket, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(OpenbookError, match="no AWS credentials found. Set AWS_ACCESS_KEY_ID"):
        publish(P.ANYTOWN, to=f"s3://{bucket}", endpoint_url=s3_server)


def test_endpoint_from_environment(s3_server, bucket, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    result = publish(P.ANYTOWN, to=f"s3://{bucket}")
    assert result.url.startswith(s3_server) and keys(s3_server, bucket)


def run_cli(*args, env):
    return subprocess.run([sys.executable, "-c", "from openbook.cli import cli; cli()", "publish", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_failed_runs_never_show_the_secret(s3_server, bucket):
    env = dict(os.environ, AWS_SECRET_ACCESS_KEY=FAKE_SECRET, AWS_ACCESS_KEY_ID=FAKE_KEY_ID)
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    runs = [
        run_cli(str(P.ANYTOWN), "--to", f"s3://{bucket}", "--endpoint-url", down, env=env),
        run_cli(str(P.ANYTOWN), "--to", "s3://no-such-bucket-here", "--endpoint-url", s3_server, env=env),
        run_cli(str(P.ANYTOWN), "--to", f"s3://{bucket}", "--endpoint-url", "http://user:" + FAKE_SECRET
                + "@127.0.0.1:1", env=env),
    ]
    for run in runs:
        assert run.returncode == 2, run.stderr
        assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
        assert FAKE_SECRET not in run.stdout + run.stderr
        assert FAKE_KEY_ID not in run.stdout + run.stderr
    assert "could not reach" in runs[0].stderr


def test_other_content_under_a_published_version_is_refused(s3_server, bucket, tmp_path):
    """Issue 14 case 4 on S3: a published version is never given other content."""
    to = f"s3://{bucket}/pub"
    publish(P.ANYTOWN, to=to, endpoint_url=s3_server)
    read = reader(s3_server, bucket, "pub/")
    before = {k: read(k) for k in keys(s3_server, bucket, "pub/")}
    other = P.copy(P.ANYTOWN, tmp_path / "other")
    P.append_rows(other, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    with pytest.raises(Refused) as err:
        publish(other, to=to, endpoint_url=s3_server)
    assert "version 1.0.0 is already published" in str(err.value) and "--version 1.1.0" in str(err.value)
    assert {k: read(k) for k in keys(s3_server, bucket, "pub/")} == before

    first = publish(other, to=to, endpoint_url=s3_server, next_version=True)
    assert first.version == "1.1.0"
    again = publish(other, to=to, endpoint_url=s3_server, next_version=True)
    assert again.version == "1.1.0" and all(a.action == "unchanged" for a in again.actions)
    assert read(f"{DS}/1.0.0/data/spend.csv") == before[f"{DS}/1.0.0/data/spend.csv"]
    assert json.loads(read(f"{DS}/latest/datapackage.json"))["version"] == "1.1.0"
    assert P.broken_descriptors(read, keys(s3_server, bucket, "pub/")) == []


def test_two_publishers_into_one_bucket_both_stay_listed(s3_server, bucket):
    """No lock on S3: each publisher lists the bucket again after writing the
    pages and writes them again if a dataset is missing. Two real processes."""
    env = dict(os.environ, AWS_ENDPOINT_URL=s3_server)
    for trial in range(3):
        to = f"s3://{bucket}/trial-{trial}"
        runs = [subprocess.Popen([sys.executable, "-c", "from openbook.cli import cli; cli()", "publish",
                                  str(pkg), "--to", to], cwd=ROOT, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) for pkg in (P.ANYTOWN, P.ACME)]
        for run in runs:
            out, errs = run.communicate(timeout=120)
            assert run.returncode == 0, errs
        read = reader(s3_server, bucket, f"trial-{trial}/")
        listed = {d["dct:identifier"] for d in json.loads(read("catalog.json"))["dcat:dataset"]}
        assert listed == {"anytown-borough-council/anytown-borough-council-2025-26",
                          "acme-services-ltd/acme-services-ltd-2025-26"}, f"trial {trial}"
        index = read("index.html").decode()
        assert "anytown-borough-council-2025-26/index.html" in index and "acme-services-ltd-2025-26/index.html" in index


def test_two_versions_published_at_once_leave_latest_on_the_higher(s3_server, bucket, tmp_path):
    env = dict(os.environ, AWS_ENDPOINT_URL=s3_server)
    packages = []
    for version, row in (("1.1.0", "T9998"), ("1.2.0", "T9999")):
        pkg = P.copy(P.ANYTOWN, tmp_path / version, version=version)
        P.append_rows(pkg, "data/spend.csv", f"https://anytown.gov.uk,{row},2026-03-31,New Supplier,F01,£1.00\n")
        packages.append(pkg)
    for trial in range(3):
        to = f"s3://{bucket}/versions-{trial}"
        runs = [subprocess.Popen([sys.executable, "-c", "from openbook.cli import cli; cli()", "publish",
                                  str(pkg), "--to", to], cwd=ROOT, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) for pkg in packages]
        for run in runs:
            out, errs = run.communicate(timeout=120)
            assert run.returncode == 0, errs
        read = reader(s3_server, bucket, f"versions-{trial}/")
        assert json.loads(read(f"{DS}/latest/datapackage.json"))["version"] == "1.2.0", f"trial {trial}"
        assert read(f"{DS}/latest/data/spend.csv") == (packages[1] / "data/spend.csv").read_bytes()
        page = read(f"{DS}/index.html").decode()
        assert 'href="1.1.0/datapackage.json"' in page and 'href="1.2.0/datapackage.json"' in page, f"trial {trial}"
        assert P.broken_descriptors(read, keys(s3_server, bucket, f"versions-{trial}/")) == []
