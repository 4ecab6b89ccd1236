"""openbook publish to CKAN, against a real CKAN 2.12 (PostgreSQL, Redis, Solr
stand-in) started on 127.0.0.1 by the test session. No in-process mocks."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from openbook.errors import OpenbookError, Refused
from openbook.publish import publish
from openbook.publish.ckan import dataset_name
from openbook.datapackage.contract import open_package
from servers import packages as P
from servers.launch import free_port

ROOT = Path(__file__).resolve().parent.parent
ORG = "anytown-borough-council"


@pytest.fixture
def ckan(ckan_server, monkeypatch):
    monkeypatch.setenv("CKAN_API_TOKEN", ckan_server.token)
    return ckan_server


@pytest.fixture
def pkg(tmp_path):
    """A copy of the Anytown package with a name of its own, so each test has its own dataset."""
    name = f"{ORG}-test-{uuid.uuid4().hex[:8]}"
    return P.copy(P.ANYTOWN, tmp_path / "pkg", name=name)


def api(ckan, action, **params):
    resp = requests.get(f"{ckan.url}/api/3/action/{action}", params=params,
                        headers={"Authorization": ckan.token}, timeout=30)
    return resp.status_code, resp.json().get("result")


def dataset(ckan, name):
    status, result = api(ckan, "package_show", id=name)
    return result if status == 200 else None


def resources(ds):
    return {r["name"]: r for r in ds["resources"]}


def broken(ckan, ds) -> list[str]:
    """What a reader of the dataset's datapackage.json would find missing or different."""
    res = resources(ds)
    if "datapackage.json" not in res:
        return []
    d = requests.get(res["datapackage.json"]["url"], timeout=30).json()
    problems = []
    for r in d["resources"]:
        name = r["path"].rsplit("/", 1)[-1]
        if name not in res:
            problems.append(f"{name} missing")
        elif res[name]["hash"] != r["hash"]:
            problems.append(f"{name} differs")
    return problems


def test_publish_twice_creates_then_leaves_everything_unchanged(ckan, pkg):
    to = ckan.target
    first = publish(pkg, to=to)
    name = first.url.rsplit("/", 1)[1]
    assert first.url == f"{ckan.url}/dataset/{name}"
    assert [(a.target, a.action) for a in first.actions] == [
        (f"dataset {name}", "create"), ("data/functions.csv", "create"), ("data/spend.csv", "create"),
        ("data/roles-senior.csv", "create"), ("datapackage.json", "create")]
    second = publish(pkg, to=to)
    assert all(a.action == "unchanged" for a in second.actions), second.actions
    assert [a.target for a in second.actions] == [a.target for a in first.actions]

    ds = dataset(ckan, name)
    desc = P.read_descriptor(pkg)
    assert ds["license_id"] == "uk-ogl"
    assert ds["organization"]["name"] == ORG
    assert ds["version"] == "1.0.0" and ds["title"] == desc["title"]
    assert {t["name"] for t in ds["tags"]} == {"open book", "spend", "local government"}
    assert {e["key"]: e["value"] for e in ds["extras"]}["openbook_period"] == "2025-26"
    # Resources in package order, datapackage.json last; uploaded, hash kept, schema set.
    assert [r["name"] for r in ds["resources"]] == ["functions.csv", "spend.csv", "roles-senior.csv",
                                                    "datapackage.json"]
    for r in desc["resources"]:
        remote = resources(ds)[r["path"].split("/")[-1]]
        assert remote["url_type"] == "upload" and remote["hash"] == r["hash"]
        assert json.loads(remote["schema"]) == r["schema"]
        assert remote["format"] == "CSV" and remote["openbook_path"] == r["path"]
        download = requests.get(remote["url"], timeout=30)  # anonymous download from CKAN's filestore
        assert download.status_code == 200 and download.content == (pkg / r["path"]).read_bytes()
    assert requests.get(resources(ds)["datapackage.json"]["url"], timeout=30).content == \
        (pkg / "datapackage.json").read_bytes()


def test_a_new_version_patches_the_dataset_and_uploads_only_what_changed(ckan, pkg, tmp_path):
    first = publish(pkg, to=ckan.target)
    name = first.url.rsplit("/", 1)[1]
    before = dataset(ckan, name)
    d = P.read_descriptor(pkg)
    d["version"] = "1.1.0"
    P.write_descriptor(pkg, d)
    P.append_rows(pkg, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    result = publish(pkg, to=ckan.target)
    assert [(a.target, a.action) for a in result.actions] == [
        (f"dataset {name}", "update"), ("data/functions.csv", "unchanged"), ("data/spend.csv", "update"),
        ("data/roles-senior.csv", "unchanged"), ("datapackage.json", "update")]
    after = dataset(ckan, name)
    assert after["id"] == before["id"] and after["version"] == "1.1.0"
    old, new = resources(before), resources(after)
    assert {n: r["id"] for n, r in old.items()} == {n: r["id"] for n, r in new.items()}  # patched, not re-created
    assert new["functions.csv"]["last_modified"] == old["functions.csv"]["last_modified"]  # not uploaded again
    assert new["spend.csv"]["hash"] == "sha256:" + P.sha256((pkg / "data/spend.csv").read_bytes())
    assert requests.get(new["spend.csv"]["url"], timeout=30).content == (pkg / "data/spend.csv").read_bytes()
    assert broken(ckan, after) == []
    assert all(a.action == "unchanged" for a in publish(pkg, to=ckan.target).actions)


def test_dry_run_changes_nothing(ckan, pkg):
    name = dataset_name_of(pkg)
    plan = publish(pkg, to=ckan.target, dry_run=True)
    assert plan.dry_run and {a.action for a in plan.actions} == {"create"}
    assert dataset(ckan, name) is None

    publish(pkg, to=ckan.target)
    before = dataset(ckan, name)
    P.append_rows(pkg, "data/functions.csv", "https://anytown.gov.uk,F04,Libraries\n")
    with pytest.raises(Refused, match="already published there with other content"):
        publish(pkg, to=ckan.target, dry_run=True)
    plan = publish(pkg, to=ckan.target, dry_run=True, version="1.1.0")
    assert {a.target: a.action for a in plan.actions}["data/functions.csv"] == "update"
    after = dataset(ckan, name)
    assert after["metadata_modified"] == before["metadata_modified"]
    assert resources(after)["functions.csv"]["hash"] == resources(before)["functions.csv"]["hash"]


def test_resources_removed_from_the_package_go_but_hand_added_ones_stay(ckan, pkg):
    name = publish(pkg, to=ckan.target).url.rsplit("/", 1)[1]
    ds = dataset(ckan, name)
    link = requests.post(f"{ckan.url}/api/3/action/resource_create", timeout=30,
                         headers={"Authorization": ckan.token},
                         json={"package_id": ds["id"], "name": "Council report (PDF)",
                               "url": "https://anytown.gov.uk/report.pdf"})
    assert link.status_code == 200
    P.remove_resource(pkg, "roles-senior")
    result = publish(pkg, to=ckan.target, version="1.1.0")
    assert ("data/roles-senior.csv (resource roles-senior.csv)", "delete") in [(a.target, a.action)
                                                                              for a in result.actions]
    names = [r["name"] for r in dataset(ckan, name)["resources"]]
    assert names == ["functions.csv", "spend.csv", "datapackage.json", "Council report (PDF)"]
    assert broken(ckan, dataset(ckan, name)) == []


def test_wrong_token_is_a_clear_error(ckan, pkg, monkeypatch):
    monkeypatch.setenv("CKAN_API_TOKEN", "not-a-real-token-abc")
    with pytest.raises(OpenbookError) as err:
        publish(pkg, to=ckan.target)
    msg = str(err.value)
    assert "did not accept the API token in CKAN_API_TOKEN" in msg and "not-a-real-token-abc" not in msg
    assert dataset(ckan, dataset_name_of(pkg)) is None


def test_missing_token_is_a_clear_error(ckan, pkg, monkeypatch):
    monkeypatch.delenv("CKAN_API_TOKEN")
    with pytest.raises(OpenbookError, match="no CKAN API token. Set CKAN_API_TOKEN"):
        publish(pkg, to=ckan.target)


def test_missing_organisation_is_a_clear_error(ckan, tmp_path):
    acme = P.copy(P.ACME, tmp_path / "acme")  # its organisation, acme-services-ltd, is not on this CKAN
    with pytest.raises(OpenbookError) as err:
        publish(acme, to=ckan.target)
    msg = str(err.value)
    assert "the organisation 'acme-services-ltd' does not exist" in msg
    assert "organization_create name=acme-services-ltd" in msg and "--ckan-org" in msg
    with pytest.raises(OpenbookError, match="the organisation 'nobody-here' does not exist"):
        publish(P.ANYTOWN, to=ckan.target, ckan_org="nobody-here")
    # Into an organisation that does exist, with --ckan-org.
    result = publish(acme, to=ckan.target, ckan_org=ckan.org)
    assert dataset(ckan, result.url.rsplit("/", 1)[1])["organization"]["name"] == ckan.org


def test_file_over_the_upload_limit_is_a_clear_error(ckan, pkg):
    # The test CKAN has ckan.max_resource_size = 1 (MB).
    publish(pkg, to=ckan.target)
    name = dataset_name_of(pkg)
    P.add_resource(pkg, "big", P.big_csv(1_600_000))
    with pytest.raises(OpenbookError) as err:
        publish(pkg, to=ckan.target, version="1.1.0")
    msg = str(err.value)
    assert "(data/big.csv)" in msg and "larger than" in msg and "ckan.max_resource_size" in msg
    assert "1.6 MB" in msg and "\n" not in msg
    ds = dataset(ckan, name)
    assert "big.csv" not in resources(ds)
    # The datapackage.json CKAN holds is still the previous one, and complete.
    assert broken(ckan, ds) == []
    assert resources(ds)["datapackage.json"]["hash"] != "sha256:" + P.sha256((pkg / "datapackage.json").read_bytes())


def test_ckan_down_mid_publish_then_rerun_completes(ckan, pkg):
    name = dataset_name_of(pkg)

    def stop_ckan(path, done, total):
        if done == total and path == "data/spend.csv":
            ckan.stop()
    try:
        with pytest.raises(OpenbookError) as err:
            publish(pkg, to=ckan.target, progress=stop_ckan)
    finally:
        ckan.start()
    msg = str(err.value)
    assert "could not reach CKAN" in msg and "(data/roles-senior.csv)" in msg and "run publish again" in msg
    assert ckan.token not in msg
    ds = dataset(ckan, name)
    assert set(resources(ds)) == {"functions.csv", "spend.csv"}  # no datapackage.json yet
    rerun = publish(pkg, to=ckan.target)
    assert [(a.target, a.action) for a in rerun.actions][1:] == [
        ("data/functions.csv", "unchanged"), ("data/spend.csv", "unchanged"),
        ("data/roles-senior.csv", "create"), ("datapackage.json", "create")]
    ds = dataset(ckan, name)
    assert broken(ckan, ds) == [] and len(ds["resources"]) == 4
    for r in P.read_descriptor(pkg)["resources"]:
        remote = resources(ds)[r["path"].split("/")[-1]]
        assert requests.get(remote["url"], timeout=30).content == (pkg / r["path"]).read_bytes()


def run_cli(*args, env):
    return subprocess.run([sys.executable, "-c", "from openbook.cli import cli; cli()", "publish", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_cli_second_run_says_unchanged_and_failures_never_show_the_token(ckan, pkg):
    env = dict(os.environ, CKAN_API_TOKEN=ckan.token)
    first = run_cli(str(pkg), "--to", ckan.target, env=env)
    assert first.returncode == 0, first.stderr
    second = run_cli(str(pkg), "--to", ckan.target, env=env)
    assert second.returncode == 0
    lines = second.stdout.strip().splitlines()
    assert lines[1:-1] == ["unchanged  data/functions.csv", "unchanged  data/spend.csv",
                           "unchanged  data/roles-senior.csv", "unchanged  datapackage.json"]
    assert lines[-1].startswith(f"Nothing to do: {ckan.target}")

    fake = "fake-ckan-token-" + uuid.uuid4().hex
    down = f"ckan+http://127.0.0.1:{free_port()}"
    failures = [
        run_cli(str(pkg), "--to", ckan.target, env=dict(os.environ, CKAN_API_TOKEN=fake)),  # wrong token
        run_cli(str(pkg), "--to", down, env=dict(os.environ, CKAN_API_TOKEN=ckan.token)),  # server down
        run_cli(str(pkg), "--to", ckan.target, "--ckan-org", "nobody-here", env=env),  # missing organisation
    ]
    for run in failures:
        assert run.returncode == 2, run.stderr
        assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
        out = run.stdout + run.stderr
        assert ckan.token not in out and fake not in out
    assert "could not reach CKAN" in failures[1].stderr


def dataset_name_of(pkg_path) -> str:
    with open_package(pkg_path) as p:
        return dataset_name(p)


def test_dataset_names_follow_ckan_rules(tmp_path):
    cases = {
        "anytown-borough-council-2025-26": "anytown-borough-council-2025-26",  # already starts with the org
        "spend-2025.04": "anytown-borough-council-spend-2025-04",  # prefixed; '.' is not allowed
        "x" * 100: None,
    }
    for i, (name, expected) in enumerate(cases.items()):
        p = P.copy(P.ANYTOWN, tmp_path / str(i), name=name)
        got = dataset_name_of(p)
        assert 2 <= len(got) <= 100 and all(c in "abcdefghijklmnopqrstuvwxyz0123456789-_" for c in got)
        if expected:
            assert got == expected


def test_an_address_that_is_not_ckan_is_a_clear_error(ckan, monkeypatch):
    not_ckan = f"ckan+http://127.0.0.1:{ckan.stack.solr.port}"  # the Solr stand-in answers HTTP, not as CKAN
    with pytest.raises(OpenbookError, match="did not answer like a CKAN API"):
        publish(P.ANYTOWN, to=not_ckan)


def test_other_content_under_the_published_version_is_refused(ckan, pkg, tmp_path):
    """Issue 14 case 4 on CKAN: the dataset's version is never given other content."""
    name = publish(pkg, to=ckan.target).url.rsplit("/", 1)[1]
    before = dataset(ckan, name)
    other = P.copy(pkg, tmp_path / "other")
    P.append_rows(other, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    env = dict(os.environ, CKAN_API_TOKEN=ckan.token)
    refused = run_cli(str(other), "--to", ckan.target, env=env)
    assert refused.returncode == 1, refused.stderr
    line = refused.stderr.strip()
    assert len(line.splitlines()) == 1 and "version 1.0.0 is already published" in line
    assert "--version 1.1.0" in line and ckan.token not in line
    after = dataset(ckan, name)
    assert after["metadata_modified"] == before["metadata_modified"]
    assert [(r["id"], r["hash"]) for r in after["resources"]] == [(r["id"], r["hash"]) for r in before["resources"]]

    # Packaged again later, same content: unchanged, and the published descriptor stays.
    def later(d):
        d["created"] = "2026-02-01T00:00:00Z"
    again = P.copy(pkg, tmp_path / "again", edit=later)
    assert all(a.action == "unchanged" for a in publish(again, to=ckan.target).actions)

    # --next-version: 1.1.0 once, then nothing to do.
    first = publish(other, to=ckan.target, next_version=True)
    assert first.version == "1.1.0" and dataset(ckan, name)["version"] == "1.1.0"
    second = publish(other, to=ckan.target, next_version=True)
    assert second.version == "1.1.0" and all(a.action == "unchanged" for a in second.actions), second.actions
    assert broken(ckan, dataset(ckan, name)) == []


def test_an_older_version_never_replaces_a_newer_one(ckan, pkg, tmp_path):
    """A CKAN dataset holds one version: publishing 1.0.0 after 1.1.0 (an old
    folder picked up by mistake) would put the old data in its place. Refused,
    and the dataset is left as it was."""
    newer = P.copy(pkg, tmp_path / "newer")
    d = P.read_descriptor(newer)
    d["version"] = "1.1.0"
    P.write_descriptor(newer, d)
    P.append_rows(newer, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    name = publish(newer, to=ckan.target).url.rsplit("/", 1)[1]
    before = dataset(ckan, name)
    with pytest.raises(Refused, match="holds version 1.1.0, newer than 1.0.0"):
        publish(pkg, to=ckan.target)
    after = dataset(ckan, name)
    assert after["version"] == "1.1.0" and after["metadata_modified"] == before["metadata_modified"]
    assert [(r["id"], r["hash"]) for r in after["resources"]] == [(r["id"], r["hash"]) for r in before["resources"]]
    # --next-version takes the old content up as the version after the newest
    again = publish(pkg, to=ckan.target, next_version=True)
    assert again.version == "1.2.0" and dataset(ckan, name)["version"] == "1.2.0"
