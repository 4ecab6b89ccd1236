"""openbook publish to a folder: the default target, a static catalogue."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from openbook.errors import OpenbookError, Refused
from openbook.publish import publish
from servers import packages as P

ROOT = Path(__file__).resolve().parent.parent
DS = "anytown-borough-council/anytown-borough-council-2025-26"


def folder_keys(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def folder_reader(root: Path):
    def read(key):
        p = root / key
        return p.read_bytes() if p.is_file() else None
    return read


def snapshot(root: Path) -> dict[str, bytes]:
    return {k: (root / k).read_bytes() for k in folder_keys(root)} if root.exists() else {}


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-c", "from openbook.cli import cli; cli()", "publish", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env)


def test_publish_twice_second_run_is_all_unchanged(tmp_path):
    cat = tmp_path / "catalogue"
    first = publish(P.ANYTOWN, to=str(cat))
    assert {a.action for a in first.actions} == {"create"}
    assert first.url.endswith(f"{DS}/index.html")
    second = publish(P.ANYTOWN, to=str(cat))
    assert second.actions and all(a.action == "unchanged" for a in second.actions), second.actions
    assert not second.changed
    assert [a.target for a in first.actions] == [a.target for a in second.actions]

    keys = folder_keys(cat)
    for sub in ("1.0.0", "latest"):
        for f in ("datapackage.json", "data/spend.csv", "data/functions.csv", "data/roles-senior.csv"):
            assert f"{DS}/{sub}/{f}" in keys
            assert (cat / DS / sub / f).read_bytes() == (P.ANYTOWN / f).read_bytes()
    assert {"index.html", "catalog.json", f"{DS}/index.html"} <= set(keys)
    assert not [k for k in keys if ".openbook-tmp" in k]


def test_catalogue_pages_and_dcat(tmp_path):
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    publish(P.ACME, to=str(cat))
    index = (cat / "index.html").read_text()
    assert '<html lang="en">' in index
    assert "Anytown Borough Council" in index and "Acme Services Ltd" in index
    assert f'href="{DS}/index.html"' in index
    page = (cat / DS / "index.html").read_text()
    # Resources with download links, the field tables, the validation summary.
    assert 'href="1.0.0/data/spend.csv"' in page
    assert '<th scope="col">Field</th>' in page and "<code>SupplierName</code>" in page
    assert "Valid against the open-book standard." in page and "0 errors, 1 warning." in page
    assert 'href="latest/datapackage.json"' in page
    assert "Open Government Licence v3.0" in page
    assert "<script" not in page and 'http-equiv="refresh"' not in page and "stylesheet" not in page  # no external assets

    dcat = json.loads((cat / "catalog.json").read_text())
    assert dcat["@type"] == "dcat:Catalog"
    datasets = {d["dct:identifier"]: d for d in dcat["dcat:dataset"]}
    assert set(datasets) == {"anytown-borough-council/anytown-borough-council-2025-26",
                             "acme-services-ltd/acme-services-ltd-2025-26"}
    anytown = datasets["anytown-borough-council/anytown-borough-council-2025-26"]
    dist = {d["dcat:downloadURL"]["@id"]: d for d in anytown["dcat:distribution"]}
    spend = dist[f"{DS}/1.0.0/data/spend.csv"]
    desc = P.read_descriptor(P.ANYTOWN)
    spend_res = next(r for r in desc["resources"] if r["name"] == "spend")
    assert spend["spdx:checksum"]["spdx:checksumValue"]["@value"] == spend_res["hash"].split(":")[1]
    assert spend["dcat:byteSize"]["@value"] == str(spend_res["bytes"])
    assert anytown["dct:temporal"]["dcat:startDate"]["@value"] == "2025-04-01"
    for d in dcat["dcat:dataset"]:
        for dist in d["dcat:distribution"]:
            assert (cat / dist["dcat:downloadURL"]["@id"]).is_file()


def test_dry_run_changes_nothing(tmp_path):
    cat = tmp_path / "catalogue"
    plan = publish(P.ANYTOWN, to=str(cat), dry_run=True)
    assert plan.dry_run and {a.action for a in plan.actions} == {"create"}
    assert not cat.exists()

    publish(P.ANYTOWN, to=str(cat))
    before = snapshot(cat)
    pkg = P.copy(P.ANYTOWN, tmp_path / "pkg")
    P.append_rows(pkg, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    with pytest.raises(Refused, match="already published there with other content"):
        publish(pkg, to=str(cat), dry_run=True)  # the dry run says so too
    plan = publish(pkg, to=str(cat), dry_run=True, next_version=True)
    assert plan.version == "1.1.0"
    by_target = {a.target: a.action for a in plan.actions}
    assert by_target[f"{DS}/1.1.0/data/spend.csv"] == "create"
    assert by_target[f"{DS}/latest/data/spend.csv"] == "update"
    assert by_target[f"{DS}/latest/data/functions.csv"] == "unchanged"
    assert not [t for t in by_target if "/1.0.0/" in t and by_target[t] != "unchanged"]
    assert snapshot(cat) == before


def test_new_version_keeps_the_old_one(tmp_path):
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    v1 = snapshot(cat / DS / "1.0.0")
    pkg = P.copy(P.ANYTOWN, tmp_path / "v2", version="1.1.0")
    P.append_rows(pkg, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    result = publish(pkg, to=str(cat))
    by_target = {a.target: a.action for a in result.actions}
    assert by_target[f"{DS}/1.1.0/data/spend.csv"] == "create"
    assert by_target[f"{DS}/latest/data/spend.csv"] == "update"
    assert by_target[f"{DS}/latest/data/functions.csv"] == "unchanged"
    assert snapshot(cat / DS / "1.0.0") == v1  # the old version is still there, untouched
    assert P.read_descriptor(cat / DS / "latest")["version"] == "1.1.0"
    assert (cat / DS / "latest" / "data" / "spend.csv").read_bytes() == (pkg / "data" / "spend.csv").read_bytes()
    page = (cat / DS / "index.html").read_text()
    assert 'href="1.0.0/datapackage.json"' in page and 'href="1.1.0/datapackage.json"' in page

    # Publishing the older version again leaves latest/ on the newest.
    again = publish(P.ANYTOWN, to=str(cat))
    assert all(a.action == "unchanged" for a in again.actions), again.actions
    assert P.read_descriptor(cat / DS / "latest")["version"] == "1.1.0"


def test_removed_resource_is_deleted_after_the_new_descriptor(tmp_path):
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    v1 = snapshot(cat / DS / "1.0.0")
    pkg = P.copy(P.ANYTOWN, tmp_path / "pkg", version="1.1.0")
    P.remove_resource(pkg, "roles-senior")
    result = publish(pkg, to=str(cat))
    targets = [a.target for a in result.actions]
    deletes = [a.target for a in result.actions if a.action == "delete"]
    assert deletes == [f"{DS}/latest/data/roles-senior.csv"]
    assert targets.index(f"{DS}/latest/datapackage.json") < targets.index(f"{DS}/latest/data/roles-senior.csv")
    assert not (cat / DS / "latest" / "data" / "roles-senior.csv").exists()
    assert snapshot(cat / DS / "1.0.0") == v1  # a published version keeps every file
    assert P.broken_descriptors(folder_reader(cat), folder_keys(cat)) == []


def test_a_version_stopped_part_way_is_completed_with_the_new_content(tmp_path):
    """Files of a version with no datapackage.json yet were never published: the
    next run (even with other content) writes over them and removes the rest."""
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    first = P.copy(P.ANYTOWN, tmp_path / "first", version="1.1.0")
    P.append_rows(first, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")

    class Interrupted(Exception):
        pass

    def stop(path, done, total):
        if done == total and path.endswith("1.1.0/data/roles-senior.csv"):
            raise Interrupted(path)
    with pytest.raises(Interrupted):
        publish(first, to=str(cat), progress=stop)
    assert (cat / DS / "1.1.0" / "data" / "roles-senior.csv").exists()
    assert not (cat / DS / "1.1.0" / "datapackage.json").exists()

    second = P.copy(P.ANYTOWN, tmp_path / "second", version="1.1.0")
    P.remove_resource(second, "roles-senior")
    result = publish(second, to=str(cat))
    actions = {a.target: a.action for a in result.actions}
    assert actions[f"{DS}/1.1.0/data/roles-senior.csv"] == "delete"
    assert actions[f"{DS}/1.1.0/data/spend.csv"] == "update"
    targets = [a.target for a in result.actions]
    assert targets.index(f"{DS}/1.1.0/datapackage.json") < targets.index(f"{DS}/1.1.0/data/roles-senior.csv")
    assert snapshot(cat / DS / "1.1.0") == snapshot(second)
    assert P.broken_descriptors(folder_reader(cat), folder_keys(cat)) == []


def test_zip_package_publishes_the_same(tmp_path):
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    z = P.zip_package(P.ANYTOWN, tmp_path / "anytown.zip")
    result = publish(z, to=str(cat))
    assert all(a.action == "unchanged" for a in result.actions)


@pytest.mark.parametrize("member", ["../evil.csv", "/tmp/evil.csv", "data/../../evil.csv"])
def test_zip_slip_is_refused(tmp_path, member):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in P.ANYTOWN.rglob("*"):
            if f.is_file():
                zf.write(f, f.relative_to(P.ANYTOWN).as_posix())
        zf.writestr(member, "a,b\n")
    with pytest.raises(OpenbookError) as err:
        publish(z, to=str(tmp_path / "catalogue"))
    msg = str(err.value)
    assert "\n" not in msg and member in msg and "outside the package" in msg
    assert not (tmp_path / "evil.csv").exists() and not Path("/tmp/evil.csv").exists()
    assert not (tmp_path / "catalogue").exists()


def test_bad_packages_are_refused_before_anything_is_written(tmp_path):
    cat = tmp_path / "catalogue"
    changed = P.copy(P.ANYTOWN, tmp_path / "changed")
    with open(changed / "data" / "spend.csv", "a") as fh:
        fh.write("x\n")  # edited after packaging: bytes and sha256 no longer match
    with pytest.raises(OpenbookError, match="changed after packaging"):
        publish(changed, to=str(cat))

    def escape(d):
        d["resources"][0]["path"] = "../outside.csv"
    outside = P.copy(P.ANYTOWN, tmp_path / "outside", edit=escape)
    with pytest.raises(OpenbookError, match="leaves the package folder"):
        publish(outside, to=str(cat))

    missing = P.copy(P.ANYTOWN, tmp_path / "missing")
    (missing / "data" / "functions.csv").unlink()
    with pytest.raises(OpenbookError, match="data/functions.csv is listed in datapackage.json but missing"):
        publish(missing, to=str(cat))

    def no_org(d):
        del d["openbook"]["organisation"]["slug"]
        del d["publisher"]["slug"]
    unnamed = P.copy(P.ANYTOWN, tmp_path / "unnamed", edit=no_org)
    with pytest.raises(OpenbookError, match="organisation.slug"):
        publish(unnamed, to=str(cat))

    with pytest.raises(OpenbookError, match="no such file or folder"):
        publish(tmp_path / "nothing-here", to=str(cat))
    assert not cat.exists()


def test_interrupted_publish_leaves_a_consistent_catalogue_and_a_rerun_completes(tmp_path):
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    pkg = P.copy(P.ANYTOWN, tmp_path / "v2", version="2.0.0")
    P.append_rows(pkg, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    P.append_rows(pkg, "data/functions.csv", "https://anytown.gov.uk,F04,Libraries\n")

    for stop_after in ("data/functions.csv", "2.0.0/datapackage.json", "latest/data/spend.csv"):
        class Interrupted(Exception):
            pass

        def progress(path, done, total):
            if done == total and path.endswith(stop_after):
                raise Interrupted(path)
        with pytest.raises(Interrupted):
            publish(pkg, to=str(cat), progress=progress)
        # Whatever was interrupted, no datapackage.json points at missing or other files,
        # and latest/ is the old version or the new one, complete.
        assert P.broken_descriptors(folder_reader(cat), folder_keys(cat)) == []
        assert P.read_descriptor(cat / DS / "latest")["version"] in ("1.0.0", "2.0.0")
        assert snapshot(cat / DS / "1.0.0") == snapshot(cat / DS / "latest") or \
            P.read_descriptor(cat / DS / "latest")["version"] == "2.0.0"

    done = publish(pkg, to=str(cat))
    assert P.read_descriptor(cat / DS / "latest")["version"] == "2.0.0"
    assert all(a.action == "unchanged" for a in publish(pkg, to=str(cat)).actions)
    assert done.changed
    assert not [k for k in folder_keys(cat) if ".openbook-tmp" in k]


def test_progress_is_reported_per_file(tmp_path):
    seen = []
    publish(P.ANYTOWN, to=str(tmp_path / "c"), progress=lambda p, d, t: seen.append((p, d, t)))
    finished = {p for p, d, t in seen if d == t}
    assert f"{DS}/1.0.0/data/spend.csv" in finished and "index.html" in finished


def test_cli_prints_one_line_per_file_and_where_it_went(tmp_path):
    cat = tmp_path / "catalogue"
    first = run_cli(str(P.ANYTOWN), "--to", str(cat))
    assert first.returncode == 0, first.stderr
    assert f"create     {DS}/1.0.0/data/spend.csv" in first.stdout
    second = run_cli(str(P.ANYTOWN), "--to", str(cat))
    lines = second.stdout.strip().splitlines()
    assert second.returncode == 0
    # 4 files in the version and in latest/, 3 tables as Parquet, 3 pages, and the closing line
    tables = len(P.read_descriptor(P.ANYTOWN)["resources"])
    assert all(line.startswith("unchanged  ") for line in lines[:-1]) and len(lines) == 12 + tables
    assert sum("_parquet/table=" in line for line in lines) == tables
    assert lines[-1].startswith(f"Nothing to do: {cat}") and "file://" in lines[-1]
    assert second.stderr == ""  # quiet when not on a terminal

    dry = run_cli(str(P.ANYTOWN), "--to", str(tmp_path / "other"), "--dry-run")
    assert dry.returncode == 0 and "Dry run, nothing was changed" in dry.stdout
    assert not (tmp_path / "other").exists()

    bad = run_cli(str(tmp_path / "nothing"), "--to", str(cat))
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_default_target_is_catalogue_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = publish(P.ANYTOWN)
    assert (tmp_path / "catalogue" / DS / "latest" / "datapackage.json").is_file()
    assert result.target == "catalogue"


def test_unknown_target_and_misplaced_options(tmp_path):
    with pytest.raises(OpenbookError, match="unknown kind of target"):
        publish(P.ANYTOWN, to="ftp://example.org/x")
    with pytest.raises(OpenbookError, match="--endpoint-url is for S3"):
        publish(P.ANYTOWN, to=str(tmp_path / "c"), endpoint_url="http://127.0.0.1:1")
    with pytest.raises(OpenbookError, match="--ckan-org is for CKAN"):
        publish(P.ANYTOWN, to=str(tmp_path / "c"), ckan_org="x")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OpenbookError, match="not a folder"):
        publish(P.ANYTOWN, to=str(tmp_path / "afile"))


def test_other_content_under_a_published_version_is_refused_and_nothing_changes(tmp_path):
    """Issue 14 case 4: a second package under the same name and version used to replace the first."""
    cat = tmp_path / "catalogue"
    assert run_cli(str(P.ANYTOWN), "--to", str(cat)).returncode == 0
    before = snapshot(cat)
    other = P.copy(P.ANYTOWN, tmp_path / "other")
    P.append_rows(other, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    refused = run_cli(str(other), "--to", str(cat))
    assert refused.returncode == 1 and refused.stdout == ""
    line = refused.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert "anytown-borough-council-2025-26 version 1.0.0 is already published" in line
    assert "--version 1.1.0" in line and "--next-version" in line
    assert snapshot(cat) == before

    # --version publishes it beside the old one, which keeps its bytes.
    done = run_cli(str(other), "--to", str(cat), "--version", "1.1.0")
    assert done.returncode == 0, done.stderr
    assert "as version 1.1.0" in done.stdout.splitlines()[-1]
    assert {k: v for k, v in snapshot(cat).items() if "/1.0.0/" in k} == \
        {k: v for k, v in before.items() if "/1.0.0/" in k}
    assert P.read_descriptor(cat / DS / "1.1.0")["version"] == "1.1.0"
    assert P.read_descriptor(cat / DS / "latest")["version"] == "1.1.0"
    assert (cat / DS / "1.1.0" / "data" / "spend.csv").read_bytes() == (other / "data" / "spend.csv").read_bytes()
    assert P.broken_descriptors(folder_reader(cat), folder_keys(cat)) == []


def test_next_version_publishes_changed_content_once(tmp_path):
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    # The same content: nothing to do, and no new version.
    same = publish(P.ANYTOWN, to=str(cat), next_version=True)
    assert same.version == "1.0.0" and not same.changed
    changed = P.copy(P.ANYTOWN, tmp_path / "changed")  # still says 1.0.0, as a nightly job would
    P.append_rows(changed, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    first = publish(changed, to=str(cat), next_version=True)
    assert first.version == "1.1.0" and first.changed
    again = publish(changed, to=str(cat), next_version=True)  # the next night, nothing new
    assert again.version == "1.1.0" and all(a.action == "unchanged" for a in again.actions), again.actions
    more = P.copy(changed, tmp_path / "more")
    P.append_rows(more, "data/functions.csv", "https://anytown.gov.uk,F04,Libraries\n")
    assert publish(more, to=str(cat), next_version=True).version == "1.2.0"
    versions = sorted(p.name for p in (cat / DS).iterdir() if p.is_dir())
    assert versions == ["1.0.0", "1.1.0", "1.2.0", "latest"]
    assert P.read_descriptor(cat / DS / "1.0.0") == P.read_descriptor(P.ANYTOWN)
    with pytest.raises(OpenbookError, match="one or the other"):
        publish(more, to=str(cat), next_version=True, version="2.0.0")
    with pytest.raises(OpenbookError, match="not a version"):
        publish(more, to=str(cat), version="../2")


def test_the_same_content_packaged_again_later_is_unchanged(tmp_path):
    """Packaging again stamps a new "created" time; the content is the same, so
    the published version stands and nothing is written."""
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    before = snapshot(cat)

    def later(d):
        d["created"] = "2026-01-05T09:30:00Z"
        d.setdefault("openbook", {})["generator"] = "openbook 9.9.9"
    repackaged = P.copy(P.ANYTOWN, tmp_path / "again", edit=later)
    result = publish(repackaged, to=str(cat))
    assert all(a.action == "unchanged" for a in result.actions), result.actions
    assert snapshot(cat) == before


def test_two_publishers_at_once_both_stay_listed(tmp_path):
    """Issue 14 case 4: two `publish` runs into one folder used to lose a dataset
    from index.html and catalog.json. Two real processes, started together, 10 times."""
    code = ("import sys\nfrom openbook.cli import cli\n"
            "sys.argv = ['openbook', 'publish', sys.argv[1], '--to', sys.argv[2]]\ncli()")
    for trial in range(10):
        cat = tmp_path / f"catalogue-{trial}"
        runs = [subprocess.Popen([sys.executable, "-c", code, str(pkg), str(cat)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for pkg in (P.ANYTOWN, P.ACME)]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
        dcat = json.loads((cat / "catalog.json").read_text())
        assert {d["dct:identifier"] for d in dcat["dcat:dataset"]} == {
            "anytown-borough-council/anytown-borough-council-2025-26",
            "acme-services-ltd/acme-services-ltd-2025-26"}, f"trial {trial}"
        index = (cat / "index.html").read_text()
        assert f'href="{DS}/index.html"' in index and 'href="acme-services-ltd/acme-services-ltd-2025-26/index.html"' \
            in index, f"trial {trial}"
        assert P.broken_descriptors(folder_reader(cat), folder_keys(cat)) == []


@pytest.mark.parametrize("hash_value, said", [
    (None, "has no hash"),
    ("", "has no hash"),
    ("sha256:1234", "instead of sha256: and 64 hex digits"),
    ("md5:" + "0" * 32, "instead of sha256: and 64 hex digits"),
    ("f" * 64, "instead of sha256: and 64 hex digits"),
    (["sha256:" + "0" * 64], "instead of sha256: and 64 hex digits"),
])
def test_a_resource_without_a_valid_hash_is_refused(tmp_path, hash_value, said):
    """Issue 14 case 18: a resource with no hash, or a malformed one, was published unchecked."""
    def edit(d):
        spend = next(r for r in d["resources"] if r["name"] == "spend")
        if hash_value is None:
            del spend["hash"]
        else:
            spend["hash"] = hash_value
    pkg = P.copy(P.ANYTOWN, tmp_path / "pkg", edit=edit)
    cat = tmp_path / "catalogue"
    run = run_cli(str(pkg), "--to", str(cat))
    assert run.returncode == 2 and run.stdout == ""
    line = run.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert "resource 'spend' (data/spend.csv)" in line and said in line and "openbook package" in line
    assert not cat.exists()
    # compare reads packages through the same loader, and refuses it the same way
    from openbook.publish.targets import target
    with pytest.raises(OpenbookError, match=said.replace("(", r"\(")):
        target(str(pkg)).packages()


def test_hostile_and_careless_publishes_are_refused_in_one_line(tmp_path):
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    before = snapshot(cat)
    # a version that would land on latest/ or outside the dataset folder
    for bad in ("latest", "1.0.0/../../x", "", " "):
        with pytest.raises(OpenbookError, match="not a version"):
            publish(P.ANYTOWN, to=str(cat), version=bad)

    # a size that is not a number, or is negative
    def text_size(d):
        d["resources"][0]["bytes"] = str(d["resources"][0]["bytes"])
    with pytest.raises(OpenbookError, match="not a number of bytes"):
        publish(P.copy(P.ANYTOWN, tmp_path / "text-size", edit=text_size), to=str(cat))

    def negative(d):
        d["resources"][0]["bytes"] = -1
    with pytest.raises(OpenbookError, match="changed after packaging"):
        publish(P.copy(P.ANYTOWN, tmp_path / "negative", edit=negative), to=str(cat))

    # an upper-case sha256 is still a sha256
    def upper(d):
        for r in d["resources"]:
            r["hash"] = "sha256:" + r["hash"].split(":")[1].upper()
    publish(P.copy(P.ANYTOWN, tmp_path / "upper", edit=upper), to=str(cat), version="1.0.1")
    assert snapshot(cat / DS / "1.0.0") == {k[len(f"{DS}/1.0.0/"):]: v for k, v in before.items()
                                             if k.startswith(f"{DS}/1.0.0/")}

    # --next-version after a version that is not numbers and dots
    odd = P.copy(P.ANYTOWN, tmp_path / "odd", version="2025a")
    publish(odd, to=str(cat))
    changed = P.copy(odd, tmp_path / "odd-changed")
    P.append_rows(changed, "data/functions.csv", "https://anytown.gov.uk,F04,Libraries\n")
    with pytest.raises(OpenbookError, match="cannot tell which comes next"):
        publish(changed, to=str(cat), next_version=True)


def test_a_damaged_published_descriptor_is_never_written_over(tmp_path):
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    (cat / DS / "1.0.0" / "datapackage.json").write_text("{ not json")
    with pytest.raises(Refused, match="already published there with other content"):
        publish(P.ANYTOWN, to=str(cat))
    assert (cat / DS / "1.0.0" / "datapackage.json").read_text() == "{ not json"


def test_a_killed_publisher_never_leaves_the_catalogue_locked(tmp_path):
    cat = tmp_path / "catalogue"
    cat.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from openbook.publish.local import catalogue_lock\n"
         "with catalogue_lock(Path(sys.argv[1]), 'c'):\n    print('locked', flush=True)\n    time.sleep(600)",
         str(cat)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        waiting = subprocess.Popen([sys.executable, "-c", "from openbook.cli import cli; cli()", "publish",
                                    str(P.ANYTOWN), "--to", str(cat)], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=3)  # it waits for the lock: nothing is written meanwhile
        assert not (cat / "index.html").exists()
        holder.kill()  # SIGKILL: no clean-up runs; the OS releases the lock
        out, err = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, err
    finally:
        holder.kill()
        holder.wait()
    assert (cat / DS / "latest" / "datapackage.json").is_file()


def test_the_lock_path_taken_by_a_folder_is_one_clear_line(tmp_path):
    cat = tmp_path / "catalogue"
    (cat / ".openbook-publish.lock").mkdir(parents=True)
    run = run_cli(str(P.ANYTOWN), "--to", str(cat))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "could not write the catalogue" in run.stderr


def test_latest_left_behind_by_a_failed_run_is_put_right_and_reported(tmp_path):
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    v2 = P.copy(P.ANYTOWN, tmp_path / "v2", version="1.1.0")
    P.append_rows(v2, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    publish(v2, to=str(cat))
    # as if latest/ had never been updated to 1.1.0
    shutil.rmtree(cat / DS / "latest")
    shutil.copytree(cat / DS / "1.0.0", cat / DS / "latest")
    result = publish(P.ANYTOWN, to=str(cat))  # republishing the older version
    assert (f"{DS}/latest/data/spend.csv", "update") in [(a.target, a.action) for a in result.actions]
    assert P.read_descriptor(cat / DS / "latest")["version"] == "1.1.0"
    assert snapshot(cat / DS / "latest") == snapshot(v2)
    assert all(a.action == "unchanged" for a in publish(P.ANYTOWN, to=str(cat)).actions)


def test_latest_with_one_version_s_descriptor_and_another_s_data_is_put_right(tmp_path):
    """Two publishers copying 1.0.0 and 1.1.0 into latest/ at once (S3 has no lock)
    can leave 1.1.0's datapackage.json beside 1.0.0's spend.csv. The next publish
    compares every file of latest/, not only the descriptor, and repairs it."""
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    v2 = P.copy(P.ANYTOWN, tmp_path / "v2", version="1.1.0")
    P.append_rows(v2, "data/spend.csv", "https://anytown.gov.uk,T9999,2026-03-31,New Supplier,F01,£1.00\n")
    publish(v2, to=str(cat))
    shutil.copy(cat / DS / "1.0.0" / "data" / "spend.csv", cat / DS / "latest" / "data" / "spend.csv")
    assert P.read_descriptor(cat / DS / "latest")["version"] == "1.1.0"   # the descriptor alone looks right
    result = publish(P.ANYTOWN, to=str(cat))   # any later publish of the dataset (here the older version)
    assert (f"{DS}/latest/data/spend.csv", "update") in [(a.target, a.action) for a in result.actions]
    assert snapshot(cat / DS / "latest") == snapshot(v2)
    assert all(a.action == "unchanged" for a in publish(v2, to=str(cat)).actions)


def test_the_catalogue_index_shows_the_status_board(tmp_path):
    """Issue 19: the static catalogue is a status board too: bodies by period, each
    cell valid, with warnings or errors, or missing."""
    import re
    cat = tmp_path / "catalogue"
    publish(P.ANYTOWN, to=str(cat))
    publish(P.ACME, to=str(cat))
    page = (cat / "index.html").read_text(encoding="utf-8")
    board = page.split('<table id="board">', 1)[1].split("</table>", 1)[0]
    for pkg in (P.ANYTOWN, P.ACME):
        d = P.read_descriptor(pkg)
        assert d["openbook"]["organisation"]["name"] in board
        assert f"<th scope=\"col\">{d['openbook']['period']}</th>" in board
    states = re.findall(r'class="state-([a-z]+)"', board)
    assert states and set(states) <= {"valid", "warnings", "errors", "missing", "late"}
