"""What openbook writes: never over an input, a device or anything that is not a
regular file; every OS error one line with exit 2 and no temporary file left;
work folders of killed runs removed, and never read as data (issue 14, cases
7, 8 and 12). Each runs the real command line in a subprocess."""
from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "anytown-spend-2025-04.csv"
PACKAGE_ARGS = ["--org-name", "Anytown Borough Council", "--org-uri", "https://www.anytown.gov.uk",
                "--period", "2025-04"]


def run(args: list[str], cwd: Path, preexec=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), POLARS_MAX_THREADS="2")
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, preexec_fn=preexec)


def one_line_error(proc: subprocess.CompletedProcess, fragment: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("openbook: "), proc.stderr
    assert fragment.lower() in lines[0].lower(), lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp"))


@pytest.fixture
def spend(tmp_path: Path) -> Path:
    path = tmp_path / "v.csv"
    shutil.copy(EXAMPLE, path)
    return path


def test_the_report_never_replaces_the_input(spend: Path, tmp_path: Path):
    before = spend.read_bytes()
    proc = run(["validate", "v.csv", "--format", "json", "-o", "v.csv"], tmp_path)
    one_line_error(proc, "one of the files being read")
    assert spend.read_bytes() == before
    # the same file reached through a folder, or under another name (a hard link)
    os.link(spend, tmp_path / "same.csv")
    proc = run(["validate", str(tmp_path), "-o", "same.csv"], tmp_path)
    one_line_error(proc, "one of the files being read")
    assert spend.read_bytes() == before


def test_a_device_is_never_replaced(spend: Path, tmp_path: Path):
    """`-o /dev/null` as root replaced the null device with a file. A device
    node made here (the null device's numbers, when root may make one) or a
    named pipe stands in for it, so the test never risks the real one."""
    targets = []
    if os.geteuid() == 0:
        os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        targets.append(("null", stat.S_ISCHR, "a device"))
    os.mkfifo(tmp_path / "pipe")
    targets.append(("pipe", stat.S_ISFIFO, "not a regular file"))
    (tmp_path / "folder").mkdir()
    targets.append(("folder", stat.S_ISDIR, "a folder"))
    os.symlink(spend, tmp_path / "link.json")
    targets.append(("link.json", stat.S_ISLNK, "a link"))
    for name, kind, fragment in targets:
        proc = run(["validate", "v.csv", "--format", "json", "-o", name], tmp_path)
        one_line_error(proc, fragment)
        assert kind(os.lstat(tmp_path / name).st_mode), name
    assert leftovers(tmp_path) == []


def _disk_full(limit: int):
    def preexec():
        # RLIMIT_FSIZE makes a write past `limit` bytes fail (EFBIG) as a full disk does
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


@pytest.mark.parametrize("extra", [[], ["--zip"]])
def test_a_full_disk_is_one_line_and_leaves_nothing(spend: Path, tmp_path: Path, extra):
    proc = run(["package", "v.csv", *PACKAGE_ARGS, "-o", "out", "--allow-invalid", *extra], tmp_path,
               preexec=_disk_full(20_000))
    one_line_error(proc, "File too large")
    assert leftovers(tmp_path) == [] and list((tmp_path / "out").iterdir()) == []


def test_a_report_on_a_full_disk_is_one_line_and_leaves_nothing(spend: Path, tmp_path: Path):
    proc = run(["validate", "v.csv", "--format", "html", "-o", "report.html"], tmp_path, preexec=_disk_full(2_000))
    one_line_error(proc, "could not be written")
    assert not (tmp_path / "report.html").exists() and leftovers(tmp_path) == []


def test_a_folder_that_cannot_be_written_is_one_line(spend: Path, tmp_path: Path):
    # /proc refuses new files even to root, as a read-only or forbidden folder does
    proc = run(["validate", "v.csv", "--format", "json", "-o", "/proc/openbook-report.json"], tmp_path)
    one_line_error(proc, "could not be written")
    proc = run(["package", "v.csv", *PACKAGE_ARGS, "-o", "/proc/openbook-out"], tmp_path)
    one_line_error(proc, "/proc/openbook-out")
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        proc = run(["validate", "v.csv", "-o", str(locked / "r.txt")], tmp_path)
        one_line_error(proc, "could not be written")


def _stale_work_folder(out: Path) -> Path:
    """What a killed `package` leaves: a hidden work folder holding partial rows."""
    stale = out / ".openbook-package.killed"
    (stale / "data").mkdir(parents=True)
    rows = EXAMPLE.read_text(encoding="cp1252").splitlines()[:20]
    (stale / "data" / "spend.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    return stale


def test_stale_work_folders_are_never_read_as_data(spend: Path, tmp_path: Path):
    out = tmp_path / "out"
    _stale_work_folder(out)
    shutil.copy(EXAMPLE, out / "spend.csv")
    proc = run(["validate", "out", "--format", "json"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert [t["path"] for t in report["tables"]] == ["out/spend.csv"]
    assert report["summary"]["rows"] == 227


def test_stale_work_folders_are_removed_by_the_next_run(spend: Path, tmp_path: Path):
    out = tmp_path / "out"
    stale = _stale_work_folder(out)
    live = out / ".openbook-package.young"   # a run that has only just started: left alone
    live.mkdir()
    proc = run(["package", "v.csv", *PACKAGE_ARGS, "-o", "out"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not stale.exists() and live.exists()
    assert sorted(p.name for p in out.iterdir()) == [".openbook-package.young", "anytown-borough-council-spend-2025-04"]


def test_a_work_folder_in_use_is_left_alone(tmp_path: Path):
    """A folder whose run is alive (it holds the lock) is never removed, however old."""
    from openbook import files
    mine = files.work_folder(tmp_path, ".openbook-package.")
    old = time.time() - 3600
    os.utime(mine, (old, old))
    other = subprocess.run([sys.executable, "-c", "import sys; from openbook import files; "
                            "print([p.name for p in files.remove_stale(__import__('pathlib').Path(sys.argv[1]), "
                            "'.openbook-package.')])", str(tmp_path)],
                           env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True)
    assert other.stdout.strip() == "[]", other.stderr
    assert mine.exists()
    shutil.rmtree(mine)


def test_a_web_address_with_an_impossible_port_is_one_line(spend: Path, tmp_path: Path):
    """Port 99999 ended in a traceback; it is one line, without the password in the address."""
    proc = run(["package", "v.csv", *PACKAGE_ARGS, "-o", "out"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    env_token = dict(os.environ, CKAN_API_TOKEN="not-a-real-token")
    env = dict(env_token, PYTHONPATH=str(ROOT), POLARS_MAX_THREADS="2")
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "publish", "out/anytown-borough-council-spend-2025-04",
                           "--to", "ckan+https://user:hunter2@localhost:99999"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    one_line_error(proc, "99999")
    assert "hunter2" not in proc.stderr + proc.stdout


def test_protection_lasts_one_command(spend: Path, tmp_path: Path):
    """In one process, a file read by one command may be written by the next."""
    from click.testing import CliRunner

    from openbook.cli import cli
    runner = CliRunner()
    first = runner.invoke(cli, ["validate", str(spend), "--format", "json", "-o", str(spend)])
    assert first.exit_code == 2 and "one of the files being read" in first.stderr
    other = tmp_path / "other.csv"
    shutil.copy(spend, other)
    # v.csv is not read by this command: it may be written
    again = runner.invoke(cli, ["validate", str(other), "--format", "json", "-o", str(spend)])
    assert again.exit_code in (0, 1), again.stderr
    assert spend.read_text().lstrip().startswith("{")
