"""The bad-input corpus (tests/bad_inputs/): every broken or hostile file gives
a clear one-line message or is read correctly; never a traceback, never a
hang, never more than 1 GiB.

Each case runs twice:

* in a real subprocess, ``python cli.py validate FILE`` (or publish/compare),
  killed after HANG_SECONDS (a hang guard, not a speed test: SECURITY.md's
  10-second promise is measured and printed by ``make bench``, since a
  wall-clock assertion goes red on a busy machine), files it writes capped at 1 GiB (RLIMIT_FSIZE) and
  its address space at 4 GiB (RLIMIT_AS, a safety net); its peak resident
  memory (ru_maxrss, from wait4) must stay under 1 GiB. Time and memory of
  every case are written to tests/artefacts/bad-inputs.txt;
* in process through click's CliRunner (not the big ones), checking the exit
  status and the message the same way.

Readable cases also check the values read (tests/bad_inputs/generate.py).
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from openbook.cli import cli
from openbook.read.tables import read_tables

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bad_inputs import generate as G  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "tests" / "artefacts"
LIMIT_BYTES = 1024 ** 3    # peak resident memory (ru_maxrss) allowed per case
# A safety net, not the measure: polars and fastexcel reserve address space
# (thread stacks, allocator arenas) far beyond what they touch, so capping the
# address space at 1 GiB fails allocations that never use the memory.
ADDRESS_SPACE_CAP = 4 * 1024 ** 3
LIMIT_SECONDS = 10.0     # SECURITY.md's promise, measured by bench/hostile.py
HANG_SECONDS = 60.0      # a case still running after this has hung: it fails
RESULTS: list[str] = []


def _limits():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, LIMIT_BYTES))
    os.setsid()


def args_for(case: G.Case, path: Path, tmp: Path) -> list[str]:
    if case.command == "publish":
        return ["publish", str(path), "--to", str(tmp / "catalogue")]
    if case.command == "compare":
        return ["compare", str(path)]
    return ["validate", str(path)]


def run_subprocess(args: list[str], cwd: Path) -> tuple[int, str, str, float, int]:
    """(exit status, stdout, stderr, seconds, peak RSS bytes) of `python cli.py ARGS`,
    killed (its process group, by pid) after HANG_SECONDS."""
    out, err = cwd / "stdout.txt", cwd / "stderr.txt"
    env = dict(os.environ, PYTHONPATH=str(ROOT), POLARS_MAX_THREADS="2")
    start = time.monotonic()
    with open(out, "wb") as fo, open(err, "wb") as fe:
        proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *args], stdout=fo, stderr=fe,
                                stdin=subprocess.DEVNULL, cwd=cwd, env=env, preexec_fn=_limits)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > HANG_SECONDS:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                seconds = time.monotonic() - start
                return (-9, out.read_text(errors="replace"), err.read_text(errors="replace") + "\n[timed out]",
                        seconds, usage.ru_maxrss * 1024)
            time.sleep(0.02)
    seconds = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    return code, out.read_text(errors="replace"), err.read_text(errors="replace"), seconds, usage.ru_maxrss * 1024


def check_output(case: G.Case, code: int, stdout: str, stderr: str) -> None:
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr[-3000:]
    assert code in case.exit, f"exit {code}, expected {case.exit}\nstdout: {stdout[-1500:]}\nstderr: {stderr[-1500:]}"
    if code == 2:
        lines = [l for l in stderr.splitlines() if l.strip()]
        assert len(lines) == 1 and lines[0].startswith("openbook: "), stderr[-2000:]
        assert case.message.lower() in lines[0].lower(), lines[0]
        assert len(lines[0]) < 600, lines[0]
    elif case.message:
        assert case.message in stdout, stdout[-2000:]


def table_rows(path: Path) -> list[list[str]]:
    """Header and data rows of the first table, as text, empty cells as ''."""
    table = read_tables(path)[0]
    header_index = 0
    rows = [table.head[header_index]]
    width = len(rows[0])
    for batch in table.batches(header_index):
        for row in batch.rows():
            cells = ["" if v is None else v for v in row][:width]
            if any(cells):
                rows.append(cells)
    return rows


@pytest.fixture(scope="module", autouse=True)
def summary():
    yield
    if RESULTS:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        crashes = sum(1 for r in RESULTS if " FAIL " in r)
        head = (f"bad inputs: {len(RESULTS)} tried, {crashes} failed "
                f"(limits: {LIMIT_BYTES // 1024 ** 2} MiB; {LIMIT_SECONDS:.0f} s is measured by make bench)\n")
        (ARTEFACTS / "bad-inputs.txt").write_text(head + "\n".join(RESULTS) + "\n")


@pytest.mark.parametrize("case", G.CASES, ids=[c.name for c in G.CASES])
def test_bad_input(case: G.Case, tmp_path: Path):
    if case.name == "legacy.xls":
        pytest.importorskip("xlwt")
    path = G.build(case, tmp_path)
    code, stdout, stderr, seconds, rss = run_subprocess(args_for(case, path, tmp_path), tmp_path)
    ok = False
    try:
        assert seconds < HANG_SECONDS, f"hung: killed after {seconds:.1f} s"
        assert rss <= LIMIT_BYTES, f"peak memory {rss / 1024 ** 2:.0f} MiB"
        check_output(case, code, stdout, stderr)
        ok = True
    finally:
        first = (stderr.strip().splitlines() or [""])[-1].replace(str(tmp_path) + "/", "")[:150] if code == 2 else f"exit {code}"
        RESULTS.append(f"{case.name:<42} {'ok  ' if ok else 'FAIL'} exit {code} {seconds:5.2f} s "
                       f"{rss / 1024 ** 2:6.0f} MiB  {first}")

    if case.big:
        return
    # in process, through click
    result = CliRunner().invoke(cli, args_for(case, path, tmp_path / "inproc"))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{type(result.exception).__name__} escaped: {result.exception}") from result.exception
    check_output(case, result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize("case", [c for c in G.CASES if c.rows is not None], ids=lambda c: c.name)
def test_readable_case_is_read_correctly(case: G.Case, tmp_path: Path):
    if case.name == "legacy.xls":
        pytest.importorskip("xlwt")
    path = G.build(case, tmp_path)
    assert table_rows(path) == case.rows


def test_committed_files_are_what_the_generator_builds(tmp_path: Path):
    built = {p.name: p.read_bytes() for p in G.write_committed(tmp_path)}
    committed = {p.name: p.read_bytes() for p in G.FILES.iterdir()}
    assert built == committed, "run python tests/bad_inputs/generate.py and commit tests/bad_inputs/files/"


def test_corpus_has_at_least_forty_cases():
    assert len(G.CASES) >= 40
    assert len({c.name for c in G.CASES}) == len(G.CASES)


def test_readme_lists_every_case():
    readme = (ROOT / "tests" / "bad_inputs" / "README.md").read_text()
    missing = [c.name for c in G.CASES if f"`{c.name}`" not in readme]
    assert not missing, f"tests/bad_inputs/README.md does not list: {missing}"


def test_corpus_xls_from_devon_is_read(tmp_path: Path):
    """The real legacy .xls in the corpus (Devon, 2010) is read, not refused."""
    xls = ROOT / "tests" / "fixtures" / "corpus" / "devon" / "DCCSpendingOver500_201008.xls"
    if not xls.exists():
        pytest.skip("corpus .xls not present")
    code, stdout, stderr, seconds, rss = run_subprocess(["validate", str(xls)], tmp_path)
    assert "Traceback" not in stderr
    assert code in (0, 1), stderr
    assert "checked as spend" in stdout
    assert seconds < HANG_SECONDS and rss <= LIMIT_BYTES
