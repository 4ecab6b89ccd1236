"""openbook serve under load: 20 uploads of a 10,000-row spend file at once, and a
hostile file from tests/bad_inputs sent alongside.

    python bench/serve_load.py        # prints the figures, and writes them as a section of bench/results.md

The real server (`python cli.py serve`, waitress, two workers) runs on a free
loopback port. Each upload is a real multipart POST with its CSRF token, timed
from sending to the report page. The server's peak memory is its own process
tree's (parent and the worker processes), sampled from /proc every 50 ms.
Bounded: 20 + 1 requests, each with a timeout; the server is stopped at the end.
"""
from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

UPLOADS = 20
ROWS = 10_000
JOB_SECONDS = 60


def spend_csv(path: Path) -> Path:
    header = ("OrganisationURI,OrganisationLabel,PaymentDate,TransactionNumber,BeneficiaryName,Amount,"
              "ExpenditureCategory,Purpose")
    lines = [header]
    for i in range(ROWS):
        lines.append(f"https://anytown.gov.uk,Anytown Borough Council,{1 + i % 28:02d}/04/2025,TX{i:07d},"
                     f"Supplier {i % 300} Ltd,\"£{1000 + i % 9000:,}.{i % 100:02d}\",Supplies and services,"
                     f"Purchase of goods and services for the council, item {i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def hostile(path: Path) -> Path:
    """The slowest case of the bad-input corpus the tests run (a sheet at the cell limit)."""
    from bad_inputs import generate as G
    case = next(c for c in G.CASES if c.name == "bomb-cells.xlsx")
    return G.build(case, path)


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and every process below it (from /proc)."""
    parent = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parent[int(stat.parent.name)] = int(fields[1])
        except (OSError, ValueError, IndexError):
            pass
    tree, grew = {pid}, True
    while grew:
        more = {p for p, pp in parent.items() if pp in tree} - tree
        tree |= more
        grew = bool(more)
    total = 0
    for p in tree:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="openbook-serve-load-"))
    data = spend_csv(work / "spend-2025-04.csv")
    bad = hostile(work)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(port), "--workers", "2",
                               "--job-seconds", str(JOB_SECONDS)], cwd=work, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(server.pid))
            time.sleep(0.05)

    try:
        for _ in range(300):
            try:
                requests.get(url, timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        threading.Thread(target=sample, daemon=True).start()

        def post(path: Path) -> tuple[float, int]:
            s = requests.Session()
            csrf = re.search(r'name="csrf" value="([^"]+)"', s.get(url, timeout=30).text).group(1)
            start = time.perf_counter()
            with open(path, "rb") as f:
                r = s.post(url + "check", data={"csrf": csrf}, files={"file": (path.name, f)}, timeout=600)
            return time.perf_counter() - start, r.status_code, time.perf_counter() - started

        started = time.perf_counter()
        with cf.ThreadPoolExecutor(max_workers=UPLOADS + 1) as pool:
            hostile_future = pool.submit(post, bad)
            futures = [pool.submit(post, data) for _ in range(UPLOADS)]
            results = [f.result() for f in futures]
            total = time.perf_counter() - started
            hostile_time, hostile_status, hostile_done = hostile_future.result()
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    times = sorted(t for t, _, _ in results)
    ok = sum(1 for _, code, _ in results if code == 200)
    print("finished at (s from the start):", sorted(round(d, 1) for _, _, d in results), flush=True)
    p50 = statistics.median(times)
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# openbook serve under load",
        "",
        f"Run {dt.datetime.now():%Y-%m-%d %H:%M} with `bench/serve_load.py`; {os.cpu_count()} cores; load average "
        f"at the end {load}. Server: `openbook serve --workers 2` (waitress), each file checked in its own process.",
        "",
        f"{UPLOADS} concurrent uploads of a {ROWS:,}-row spend CSV ({data.stat().st_size / 1024 ** 2:.1f} MB, "
        "UK dates and £ amounts), plus one hostile workbook from tests/bad_inputs (`bomb-cells.xlsx`) sent at the same time:",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| uploads completed with the report | {ok} of {UPLOADS} |",
        f"| latency p50 (upload sent to report page) | {p50:.1f} s |",
        f"| latency p95 | {p95:.1f} s |",
        f"| slowest | {times[-1]:.1f} s |",
        f"| all {UPLOADS} done after | {total:.1f} s |",
        f"| hostile file answered after | {hostile_time:.1f} s (HTTP {hostile_status}), {hostile_done:.1f} s from the start |",
        f"| server peak memory (parent and workers, RSS) | {peak / 1024 ** 2:,.0f} MiB |",
        "",
        "With two workers, uploads queue: p95 is about the time of ten files in a row. The hostile file queues "
        "for a worker like any upload (the slots are not first come, first served, so it may wait behind all of "
        "them), then holds that worker for at most its own time: the reader refuses it in about 3 s "
        "(bench/hostile.md), so the others are not delayed by more than that.",
        "",
    ]
    section = "\n".join(["## openbook serve under load"] + lines[1:])
    results = HERE / "results.md"
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    text = text.split("\n## openbook serve under load", 1)[0].rstrip("\n")   # replaces an earlier run's section
    results.write_text((text + "\n\n" if text else "") + section, encoding="utf-8")
    print(section)
    return 0 if ok == UPLOADS else 1


if __name__ == "__main__":
    sys.exit(main())
