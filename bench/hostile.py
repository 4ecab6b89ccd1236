"""SECURITY.md's promise for hostile files, measured: every case of the
bad-input corpus (tests/bad_inputs/) within 10 s and 1 GiB.

    python bench/hostile.py        # prints a table, writes bench/hostile.md

The tests check what each case answers and that it never hangs; how long it
takes is measured here, since a wall-clock assertion in a test goes red on a
busy machine. Each case runs in its own process, as `make test` runs it.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_bad_inputs as T  # noqa: E402  the same runner and limits as the tests
from bad_inputs import generate as G  # noqa: E402


def main() -> int:
    rows, worst_s, worst_b, over = [], 0.0, 0, []
    for case in G.CASES:
        with tempfile.TemporaryDirectory(prefix="openbook-bench-bad-") as tmp:
            tmp = Path(tmp)
            path = G.build(case, tmp)
            code, _, _, seconds, rss = T.run_subprocess(T.args_for(case, path, tmp), tmp)
        worst_s, worst_b = max(worst_s, seconds), max(worst_b, rss)
        ok = seconds <= T.LIMIT_SECONDS and rss <= T.LIMIT_BYTES
        if not ok:
            over.append(case.name)
        rows.append(f"| `{case.name}` | {code} | {seconds:.2f} | {rss / 1024 ** 2:,.0f} | {'yes' if ok else '**no**'} |")
        print(rows[-1], flush=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = "\n".join([
        "# Hostile files against SECURITY.md's limits",
        "",
        f"Run {dt.datetime.now():%Y-%m-%d %H:%M} with `bench/hostile.py`; {os.cpu_count()} cores, "
        f"load average at the end {load}. Each case in its own process (`python cli.py ...`).",
        "",
        f"**{len(G.CASES)} cases; slowest {worst_s:.2f} s, largest {worst_b / 1024 ** 2:,.0f} MiB; "
        f"{len(over)} over {T.LIMIT_SECONDS:.0f} s or {T.LIMIT_BYTES // 1024 ** 2:,} MiB**"
        + (f": {', '.join(over)}." if over else "."),
        "",
        "| case | exit | seconds | peak MiB | within limits |",
        "|---|---:|---:|---:|---|",
        *rows, ""])
    (HERE / "hostile.md").write_text(text, encoding="utf-8")
    print(text.splitlines()[4])
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
