"""Progress on a terminal, and nothing of it anywhere else (issue 18, part 3).

The real command runs in a pseudo-terminal (stdout and stderr on the pty, as
when a person runs it), on a CSV larger than several of the reader's blocks
(read/raw.BATCH_BYTES), so that progress inside the file can show; then the
same command with stderr piped, and with --quiet on the pty, must print none
of it.
"""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from openbook.datapackage.write import package
from openbook.read.raw import BATCH_BYTES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ORG = "https://www.anytown.gov.uk/"
PROGRESS = b"rows read and checked"
ESCAPE = b"\x1b["


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT), POLARS_MAX_THREADS="1")
    return env


def on_pty(args: list[str], cwd: Path, timeout: float = 120) -> tuple[int, bytes]:
    """Run ``python -m openbook ARGS`` with stdin, stdout and stderr on a
    pseudo-terminal 160 columns wide; its exit status and all it wrote."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "openbook", *args], stdin=child, stdout=child, stderr=child,
                            cwd=cwd, env=_env(), close_fds=True)
    os.close(child)
    out, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 1)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(main, 65536)
            except OSError:      # EIO: the child closed the terminal
                break
            if not data:
                break
            out += data
    finally:
        os.close(main)
    return proc.wait(timeout=30), out


def piped(args: list[str], cwd: Path, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "openbook", *args], stdout=stdout, stderr=subprocess.PIPE,
                          cwd=cwd, env=_env(), timeout=120)


def spend_csv(path: Path, encoding: str = "utf-8", money: str = "") -> int:
    """Write a valid spend CSV of more than two of the reader's blocks; its rows."""
    header = ("OrganisationURI,OrganisationLabel,OrganisationalUnit,PaymentDate,TransactionNumber,"
              "BeneficiaryName,Purpose,Amount\n")
    purpose = "Maintenance of the grounds and buildings of the depot as in the contract " * 2
    line = f"{ORG},Anytown Borough Council,Environmental Services,2025-04-{{d:02d}},T{{i}},Supplier {{s}} Ltd," \
           f"{purpose.strip()} {{i}},{money}{{a}}.{{p:02d}}\n"
    rows, size = 0, 0
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(header)
        chunk = []
        while size < 2.3 * BATCH_BYTES:
            text = line.format(d=1 + rows % 28, i=rows, s=rows % 700, a=500 + rows % 9000, p=rows % 100)
            chunk.append(text)
            size += len(text)
            rows += 1
            if len(chunk) == 10000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))
    return rows


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("progress") / "spend-2025-04.csv"
    return path, spend_csv(path)


def test_validate_on_a_terminal_shows_rows_rate_and_time_left_inside_the_file(big):
    path, rows = big
    status, out = on_pty(["validate", path.name, "--period", "2025-04"], cwd=path.parent)
    assert status == 0, out[-2000:]
    assert PROGRESS in out and re.search(rb"[\d,]+ rows/s", out), out[-2000:]
    counts = {int(n.replace(b",", b"")) for n in re.findall(rb"([\d,]+) rows read and checked", out)}
    assert rows in counts                                  # every row, counted once
    assert any(0 < n < rows for n in counts), counts       # and progress part-way through the file
    assert re.search(rb"about \d+:\d\d left", out)         # time left, from the bytes read of the file
    assert re.search(rb"\d+%", out)
    # the report follows, after the progress line is cleared
    assert out.rindex(PROGRESS) < out.rindex(b"\nVALID")


def test_a_cp1252_ledger_export_shows_how_far_through_the_file_too(tmp_path):
    """The usual ledger export (a £ as byte A3) is converted to UTF-8 as it is read: the
    share done and the time left still come from the bytes read."""
    path = tmp_path / "ledger.csv"
    rows = spend_csv(path, "cp1252", money="\u00a3")
    assert b"\xa3" in path.read_bytes()[:4096]
    status, out = on_pty(["validate", path.name, "--period", "2025-04"], cwd=tmp_path)
    assert status == 0, out[-2000:]
    counts = {int(n.replace(b",", b"")) for n in re.findall(rb"([\d,]+) rows read and checked", out)}
    assert rows in counts and any(0 < n < rows for n in counts), counts
    assert re.search(rb"about \d+:\d\d left", out) and re.search(rb" [1-9]\d?%", out), out[-2000:]


def test_validate_into_a_pipe_prints_no_progress(big):
    path, rows = big
    result = piped(["validate", path.name, "--period", "2025-04"], cwd=path.parent)
    assert result.returncode == 0, result.stderr
    assert f"{rows:,} rows".encode() in result.stdout and b"VALID" in result.stdout
    for stream in (result.stdout, result.stderr):
        assert PROGRESS not in stream and b"rows/s" not in stream
        assert ESCAPE not in stream and b"\r" not in stream
    assert result.stderr == b""


def test_validate_with_stderr_piped_prints_no_progress_even_with_stdout_on_a_terminal(big):
    path, _ = big
    main, child = pty.openpty()
    try:
        result = piped(["validate", path.name, "--period", "2025-04", "-o", "report.txt"], cwd=path.parent,
                       stdout=child)
    finally:
        os.close(child)
        os.close(main)
    assert result.returncode == 0
    assert PROGRESS not in result.stderr and ESCAPE not in result.stderr
    assert result.stderr.decode().startswith("VALID")     # the verdict still prints
    assert b"rows" in (path.parent / "report.txt").read_bytes()


def test_quiet_on_a_terminal_prints_no_progress(big):
    path, rows = big
    status, out = on_pty(["validate", path.name, "--period", "2025-04", "--quiet"], cwd=path.parent)
    assert status == 0
    assert PROGRESS not in out and b"rows/s" not in out and ESCAPE not in out
    assert b"VALID" in out and f"{rows:,} rows".encode() in out


def test_an_error_still_prints_with_quiet(tmp_path):
    status, out = on_pty(["validate", "missing.csv", "-q"], cwd=tmp_path)
    assert status == 2 and b"missing.csv: no such file or folder" in out and ESCAPE not in out


def test_package_on_a_terminal_shows_progress_and_quiet_hides_it(big, tmp_path):
    path, rows = big
    args = ["package", str(path), "--org-name", "Anytown Borough Council", "--org-uri", ORG,
            "--period", "2025-04"]
    status, out = on_pty(args + ["-o", str(tmp_path / "shown")], cwd=tmp_path)
    assert status == 0, out[-2000:]
    assert f"{rows:,} {PROGRESS.decode()}".encode() in out and b"rows/s" in out
    assert f"({rows} rows)".encode() in out                  # the line saying what was packaged
    small = EXAMPLES / "anytown-spend-2025-04.csv"     # quiet is quiet on any file: a small one is quicker
    status, out = on_pty(["package", str(small), *args[2:], "-o", str(tmp_path / "quiet"), "-q"],
                         cwd=tmp_path)
    assert status == 0, out[-2000:]
    assert PROGRESS not in out and ESCAPE not in out and b"Packaged 1 tables" in out


@pytest.fixture(scope="module")
def councils(tmp_path_factory) -> list[Path]:
    if not (EXAMPLES / "castleford-city-council.xlsx").exists():
        pytest.skip("examples not generated (examples/generate.py)")
    out = tmp_path_factory.mktemp("councils")
    return [package(EXAMPLES / f"{c}.xlsx", out_dir=out).path
            for c in ("anytown-borough-council", "brookshire-district-council", "castleford-city-council")]


def test_compare_on_a_terminal_shows_its_steps(councils, tmp_path):
    status, out = on_pty(["compare", *map(str, councils), "--format", "json", "-o", "c.json"], cwd=tmp_path)
    assert status == 0, out[-2000:]
    assert b"Reading packages" in out and b"Comparing 3 bodies" in out and ESCAPE in out
    assert b"Verdict:" in out
    status, out = on_pty(["compare", *map(str, councils), "--format", "json", "-o", "q.json", "-q"], cwd=tmp_path)
    assert status == 0 and b"Comparing" not in out and ESCAPE not in out and b"Verdict:" in out
    result = piped(["compare", *map(str, councils), "--format", "json", "-o", "p.json"], cwd=tmp_path)
    assert result.returncode == 0 and b"Comparing" not in result.stderr and ESCAPE not in result.stderr


def test_publish_on_a_terminal_shows_each_upload(councils, tmp_path):
    status, out = on_pty(["publish", str(councils[0]), "--to", str(tmp_path / "catalogue")], cwd=tmp_path)
    assert status == 0, out[-2000:]
    assert re.search(rb"[\d.]+ (bytes|kB|MB) of [\d.]+ (bytes|kB|MB)", out), out[-2000:]
    assert b"Published to" in out
    status, out = on_pty(["publish", str(councils[0]), "--to", str(tmp_path / "quiet"), "-q"], cwd=tmp_path)
    assert status == 0 and not re.search(rb" of [\d.]+ (bytes|kB|MB)", out) and ESCAPE not in out
    assert b"Published to" in out
