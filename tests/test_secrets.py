"""Credentials never appear in what openbook prints or writes.

Every command runs as a real process with a known fake AWS key pair and CKAN
token in its environment (and, for the CKAN server, its real token), including
runs that fail: wrong endpoint, wrong token, missing organisation, missing
bucket, credentials written into the endpoint URL. Neither secret may appear
in stdout, stderr, or any file written under the test's folder (reports,
packages, zips, catalogues). Exceptions from boto3 and requests reach the
caller as OpenbookError, without the original exception (or its credentials)
attached.
"""
from __future__ import annotations

import os
import subprocess
import sys
import traceback
import uuid
from pathlib import Path

import boto3
import pytest

from openbook.errors import OpenbookError
from openbook.publish import publish
from servers import packages as P
from servers.launch import free_port

ROOT = Path(__file__).resolve().parent.parent
AWS_KEY = "AKIAFAKEOPENBOOK7C1E"
AWS_SECRET = "fake-secret-7c1e9a4b2d8f0e6a3c5b7d9f1e2a4c6b8d0f2e4a"
CKAN_TOKEN = "fake-token-3f9e1d7c5b3a19f7e5d3c1b9a7f5e3d1"
WORKBOOK = ROOT / "examples" / "anytown-borough-council.xlsx"
OTHER = ROOT / "examples" / "brookshire-district-council.xlsx"
RUNS: list[tuple[str, int]] = []


def env_with_secrets(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CKAN_"))}
    env.update(AWS_ACCESS_KEY_ID=AWS_KEY, AWS_SECRET_ACCESS_KEY=AWS_SECRET, CKAN_API_TOKEN=CKAN_TOKEN,
               AWS_DEFAULT_REGION="eu-west-2", AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-aws-credentials"),
               OPENBOOK_HTTP_TIMEOUT="2", PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def run(tmp_path: Path, *args, env=None, secrets=(AWS_KEY, AWS_SECRET, CKAN_TOKEN)) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, args)], capture_output=True, text=True,
                          cwd=tmp_path, env=env or env_with_secrets(tmp_path), timeout=120)
    RUNS.append((" ".join(map(str, args[:2])), proc.returncode))
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out[-3000:]
    for secret in secrets:
        assert secret not in out, f"a secret appears in the output of {args}"
    return proc


def assert_no_secret_in_files(folder: Path, secrets=(AWS_KEY, AWS_SECRET, CKAN_TOKEN)) -> int:
    """Every file under folder, zips included as raw bytes and as members."""
    import zipfile
    checked = 0
    for f in folder.rglob("*"):
        if not f.is_file():
            continue
        data = f.read_bytes()
        blobs = [data]
        if zipfile.is_zipfile(f):
            with zipfile.ZipFile(f) as zf:
                blobs += [zf.read(i) for i in zf.infolist() if not i.is_dir()]
        for blob in blobs:
            for secret in secrets:
                assert secret.encode() not in blob, f"{secret[:8]}... written into {f}"
        checked += 1
    return checked


@pytest.fixture(scope="module")
def local_runs(tmp_path_factory):
    """validate, package, publish to a folder, compare, init, checks, schemas."""
    tmp = tmp_path_factory.mktemp("secrets-local")
    run(tmp, "init", tmp / "template.xlsx")
    run(tmp, "checks", "list")
    run(tmp, "schemas", "list")
    for fmt in ("text", "json", "html"):
        assert run(tmp, "validate", WORKBOOK, "--format", fmt, "-o", tmp / f"report.{fmt}").returncode in (0, 1)
    run(tmp, "validate", WORKBOOK, "--annotate", tmp / "marked.xlsx")
    run(tmp, "validate", tmp / "missing.xlsx")  # fails: no such file
    assert run(tmp, "package", WORKBOOK, "-o", tmp / "out").returncode == 0
    assert run(tmp, "package", OTHER, "-o", tmp / "other").returncode == 0
    assert run(tmp, "package", WORKBOOK, "-o", tmp / "outzip", "--zip").returncode == 0
    pkg = next((tmp / "out").iterdir())
    assert run(tmp, "publish", pkg, "--to", tmp / "catalogue").returncode == 0
    assert run(tmp, "publish", next((tmp / "other").iterdir()), "--to", tmp / "catalogue").returncode == 0
    run(tmp, "publish", tmp / "missing-package", "--to", tmp / "catalogue")  # fails
    assert run(tmp, "compare", tmp / "catalogue", "--format", "html", "-o", tmp / "compare.html").returncode == 0
    run(tmp, "compare", tmp / "catalogue", "--format", "json", "-o", tmp / "compare.json")
    run(tmp, "compare", next((tmp / "outzip").iterdir()))
    return tmp, pkg


def test_local_commands_never_show_or_write_a_secret(local_runs):
    tmp, _ = local_runs
    assert assert_no_secret_in_files(tmp) > 10


def test_s3_publish_and_compare_never_show_a_secret(local_runs, s3_server, tmp_path):
    _, pkg = local_runs
    bucket = "secrets-" + uuid.uuid4().hex[:10]
    env = env_with_secrets(tmp_path)
    boto3.client("s3", endpoint_url=s3_server, region_name="eu-west-2", aws_access_key_id=AWS_KEY,
                 aws_secret_access_key=AWS_SECRET).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    for p in (pkg, next((pkg.parent.parent / "other").iterdir())):
        ok = run(tmp_path, "publish", p, "--to", f"s3://{bucket}/cat", "--endpoint-url", s3_server, env=env)
        assert ok.returncode == 0, ok.stderr
    assert run(tmp_path, "compare", f"s3://{bucket}/cat",
               env=env_with_secrets(tmp_path, AWS_ENDPOINT_URL=s3_server)).returncode == 0
    dead = f"http://127.0.0.1:{free_port()}"
    failures = [
        ["publish", pkg, "--to", f"s3://{bucket}/cat", "--endpoint-url", dead],                      # wrong endpoint
        ["publish", pkg, "--to", f"s3://no-such-{bucket}/cat", "--endpoint-url", s3_server],         # missing bucket
        ["publish", pkg, "--to", f"s3://{bucket}/cat",                                               # secret in the URL
         "--endpoint-url", dead.replace("http://", f"http://{AWS_KEY}:{AWS_SECRET}@")],
        ["compare", f"s3://no-such-{bucket}/cat"],
    ]
    for args in failures:
        proc = run(tmp_path, *args, env=env_with_secrets(tmp_path, AWS_ENDPOINT_URL=s3_server))
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert proc.stderr.startswith("openbook: ") and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert_no_secret_in_files(tmp_path)


def test_ckan_publish_and_compare_never_show_a_token(local_runs, ckan_server, tmp_path):
    _, pkg = local_runs
    secrets = (AWS_KEY, AWS_SECRET, CKAN_TOKEN, ckan_server.token)
    real = env_with_secrets(tmp_path, CKAN_API_TOKEN=ckan_server.token)
    ok = run(tmp_path, "publish", pkg, "--to", ckan_server.target, "--ckan-org", ckan_server.org, env=real,
             secrets=secrets)
    assert ok.returncode == 0, ok.stderr
    assert run(tmp_path, "compare", f"{ckan_server.target}/organization/{ckan_server.org}", env=real,
               secrets=secrets).returncode in (0, 2)
    dead = f"http://127.0.0.1:{free_port()}"
    failures = [
        (["publish", pkg, "--to", ckan_server.target], env_with_secrets(tmp_path)),                 # wrong token
        (["publish", pkg, "--to", ckan_server.target, "--ckan-org", "no-such-org"], real),         # missing org
        (["publish", pkg, "--to", "ckan+" + dead], real),                                          # wrong endpoint
        (["publish", pkg, "--to", "ckan+" + dead.replace("http://", f"http://user:{CKAN_TOKEN}@")], real),
        (["compare", f"ckan+{dead}/organization/{ckan_server.org}"], real),
        (["compare", f"ckan+{dead.replace('http://', f'http://user:{CKAN_TOKEN}@')}/organization/x"], real),
    ]
    for args, env in failures:
        proc = run(tmp_path, *args, env=env, secrets=secrets)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert_no_secret_in_files(tmp_path, secrets)


def test_exceptions_reach_the_caller_without_credentials(monkeypatch, tmp_path):
    """The OpenbookError raised for a boto3 or requests failure carries neither
    the original exception nor the credentials, even in a full traceback."""
    for k, v in env_with_secrets(tmp_path).items():
        monkeypatch.setenv(k, v)
    dead = f"http://{AWS_KEY}:{AWS_SECRET}@127.0.0.1:{free_port()}"
    for target, kwargs in [("s3://bucket/prefix", {"endpoint_url": dead}),
                           ("ckan+" + dead.replace(AWS_KEY, "user").replace(AWS_SECRET, CKAN_TOKEN), {})]:
        with pytest.raises(OpenbookError) as info:
            publish(P.ANYTOWN, to=target, **kwargs)
        exc = info.value
        assert exc.__cause__ is None and exc.__suppress_context__
        text = "".join(traceback.format_exception(exc))
        for secret in (AWS_KEY, AWS_SECRET, CKAN_TOKEN):
            assert secret not in text and secret not in repr(exc.args)


# Issue 14, case 13: the raw --to value was echoed with user:secret@ inside (an
# unknown scheme, --endpoint-url with a non-S3 target, an S3 error label). Each
# address below is refused before anything is sent; none may show its secret,
# however the credentials are written.
ECHOED = [
    ["--to", f"ftp://{AWS_KEY}:{AWS_SECRET}@files.example.gov.uk/openbook"],             # unknown scheme
    ["--to", f"ckan+https://user:{CKAN_TOKEN}@127.0.0.1:9/", "--endpoint-url", "http://127.0.0.1:9"],
    ["--to", f"s3://{AWS_KEY}:{AWS_SECRET}@bucket/openbook"],                             # S3 label and bucket
    ["--to", f"s3://{AWS_KEY}:{AWS_SECRET.replace('-', '/')}@bucket/openbook"],          # a secret with a /
    ["--to", f"{AWS_KEY}:{AWS_SECRET}@files.example.gov.uk:/srv/openbook"],              # scp-style
    ["--to", "s3://bucket/openbook", "--endpoint-url", f"{AWS_KEY}:{AWS_SECRET}@127.0.0.1:9000"],  # no scheme
    ["--to", f"https://user:p@ss{CKAN_TOKEN}@data.example.gov.uk/"],                     # an @ in the password
    ["--to", f"https://data.example.gov.uk/upload?token={CKAN_TOKEN}&X-Amz-Signature={AWS_SECRET}"],
    ["--to", f"//user:{CKAN_TOKEN}@data.example.gov.uk/openbook"],                       # scheme-relative
]


@pytest.mark.parametrize("args", ECHOED, ids=range(len(ECHOED)))
def test_addresses_with_credentials_are_refused_without_echoing_them(tmp_path, args):
    proc = run(tmp_path, "publish", P.ANYTOWN, *args)
    assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
    assert proc.stderr.startswith("openbook: ") and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert assert_no_secret_in_files(tmp_path) == 0, "nothing is written"
    assert not [p for p in tmp_path.rglob("*") if AWS_SECRET in p.name or CKAN_TOKEN in p.name]
    assert not [p for p in Path("/").glob("user:*") if CKAN_TOKEN in p.name], "//user:... wrote at the root"


def test_compare_and_validate_never_echo_an_address_secret(tmp_path):
    for args in (["compare", f"https://bucket.s3.amazonaws.com/x.zip?X-Amz-Credential={AWS_KEY}&X-Amz-Signature={AWS_SECRET}"],
                 ["compare", f"ftp://user:{CKAN_TOKEN}@files.example.gov.uk/catalogue"],
                 ["validate", f"https://{AWS_KEY}:{AWS_SECRET}@files.example.gov.uk/spend.csv"]):
        proc = run(tmp_path, *args)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, (args, proc.stderr)


def test_the_library_raises_without_the_secret(tmp_path):
    """The API's own messages are clean, not only what the command line prints."""
    for to, kwargs in [(f"s3://{AWS_KEY}:{AWS_SECRET}@bucket/x", {}),
                       (f"ftp://{AWS_KEY}:{AWS_SECRET}@host/x", {}),
                       ("s3://bucket/x", {"endpoint_url": f"{AWS_KEY}:{AWS_SECRET}@127.0.0.1:9000"}),
                       (f"ckan+https://u:{CKAN_TOKEN}@h.example/", {"endpoint_url": "http://127.0.0.1:9"})]:
        with pytest.raises(OpenbookError) as info:
            publish(P.ANYTOWN, to=to, **kwargs)
        for secret in (AWS_SECRET, CKAN_TOKEN):
            assert secret not in str(info.value), str(info.value)


def test_scrub_takes_out_every_form_of_credentials():
    from openbook.errors import scrub
    cases = {
        "ftp://u:pw@host/x": "ftp://host/x",
        "https://u:p@ss/w0rd@host/x y": "https://host/x y",
        "AKIA:abc@127.0.0.1:9000: could not reach": "127.0.0.1:9000: could not reach",
        "see //u:pw@host/x": "see //host/x",
        "https://h/x?a=1&api_key=zz&X-Amz-Signature=s#f": "https://h/x?a=1&api_key=***&X-Amz-Signature=***#f",
        "Spend!E7: \"jo@example.com\" is not allowed": "Spend!E7: \"jo@example.com\" is not allowed",
        "sheet \x1b[2J\rVALID\n": "sheet \\x1b[2J\\rVALID\\n",
    }
    for given, expected in cases.items():
        assert scrub(given) == expected, given
