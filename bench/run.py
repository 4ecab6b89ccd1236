"""openbook against frictionless, side by side in one run (`make bench`).

    python bench/run.py              # everything (several minutes)
    python bench/run.py --quick      # 100k rows only: a smoke run
    python bench/run.py --skip-10m   # all but the 10M-row file

Generates seeded data into bench/data/ (gitignored, reused between runs),
runs every job in its own process (so peak RSS is that job's alone: the
rusage of that one child, from os.wait4), prints a table and writes
bench/results.md. Both tools run on the same files in the same run; the
ratio is frictionless wall time / openbook wall time, with in-process time
(no interpreter start or imports) in brackets.

frictionless runs with limit_errors=0, so its report is complete; openbook
runs a full validation with every problem located and its message built.
Both use the spend schema with primaryKey TransactionNumber (bench/data/
spend-key.schema.json), so the key-tracking cost is measured.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import gen  # noqa: E402

PY = sys.executable


def run_job(spec: dict) -> dict:
    """One job in a fresh process: wall seconds, peak RSS of that process, and
    what the job printed (its in-process seconds, rows, errors)."""
    import tempfile
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen([PY, str(HERE / "job.py"), json.dumps(spec)], stdout=subprocess.PIPE,
                                stderr=err, cwd=str(HERE.parent))
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)   # this child's own rusage
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"job failed: {spec}\n{err.read().decode()[-3000:]}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result.update(wall=wall, rss_mib=usage.ru_maxrss / 1024)   # ru_maxrss is in KiB on Linux
    return result


def median_run(spec: dict, reps: int) -> dict:
    runs = [run_job(spec) for _ in range(reps)]
    best = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
    best = dict(best)
    best["walls"] = [round(r["wall"], 2) for r in runs]
    best["seconds"] = statistics.median(r["seconds"] for r in runs)
    best["rss_mib"] = max(r["rss_mib"] for r in runs)
    return best


def fmt_rows(n: float) -> str:
    return f"{n:,.0f}"


def machine() -> dict:
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ()
    versions = {}
    for pkg in ("openbook", "polars", "frictionless", "fastexcel", "python-calamine", "xlsxwriter", "openpyxl"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "-"
    return {"nproc": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "load": load, "versions": versions,
            "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100k rows only (CSV and XLSX), one repetition")
    ap.add_argument("--skip-10m", action="store_true", help="skip the 10M-row CSV (about 2.4 GB)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each openbook job (median shown)")
    ap.add_argument("--output", default=str(HERE / "results.md"), help="where to write the Markdown results")
    ap.add_argument("--compare-only", action="store_true", help="only the compare runs (printed, not written)")
    args = ap.parse_args(argv)
    reps = 1 if args.quick else args.reps
    DATA.mkdir(exist_ok=True)
    if args.compare_only:
        print("\n".join(render_compare(compare_runs(args))))
        return 0

    print("generating data in bench/data/ (reused if present) ...", flush=True)
    schema = DATA / "spend-key.schema.json"
    schema.write_text(json.dumps(gen.spend_schema_with_key(), indent=1))
    ledger_schema = DATA / "spend-ledger.schema.json"
    ledger_schema.write_text(json.dumps(gen.ledger_schema_for_frictionless(), indent=1))
    files = {"100k CSV": (DATA / "spend_100k.csv", gen.write_csv(DATA / "spend_100k.csv", 100_000)),
             "100k XLSX": (DATA / "spend_100k.xlsx", gen.write_xlsx(DATA / "spend_100k.xlsx", 100_000)),
             "100k ledger CSV": (DATA / "ledger_100k.csv",
                                 gen.write_csv(DATA / "ledger_100k.csv", 100_000, shape="ledger"))}
    if not args.quick:
        files["1M CSV"] = (DATA / "spend_1M.csv", gen.write_csv(DATA / "spend_1M.csv", 1_000_000))
        files["1M ledger CSV"] = (DATA / "ledger_1M.csv",
                                  gen.write_csv(DATA / "ledger_1M.csv", 1_000_000, shape="ledger"))

    rows = []          # (label, tool, result)
    checks = []
    for label, (path, meta) in files.items():
        print(f"{label}: {meta['rows']:,} rows, {meta['bytes'] / 1e6:.1f} MB, {meta['errors']:,} injected errors",
              flush=True)
        is_ledger = "ledger" in label
        fl = run_job({"tool": "frictionless", "path": str(path),
                      "schema": (ledger_schema if is_ledger else schema).name,
                      **({"encoding": "cp1252"} if is_ledger else {})})
        ob = median_run({"tool": "openbook", "path": str(path), "key": True}, reps)
        rows.append((label, "frictionless `Resource.validate(limit_errors=0)`", fl, fl))
        rows.append((label, "openbook `validate()`, full report", ob, fl))
        # frictionless cannot read a ledger's second date format or bracketed credits,
        # so on a ledger only openbook's count must equal the injected one.
        same = (ob["errors"] == meta["errors"]) if is_ledger else (fl["errors"] == ob["errors"] == meta["errors"])
        checks.append((label, meta["errors"], fl["errors"], ob["errors"], same, fl.get("codes"), ob.get("codes")))
        print(f"  frictionless {fl['wall']:.2f} s, openbook {ob['wall']:.2f} s (runs {ob['walls']}); errors "
              f"expected {meta['errors']}, frictionless {fl['errors']}, openbook {ob['errors']}"
              f" {'SAME' if same else 'DIFFERENT'}", flush=True)
    ledger_xlsx(reps, ledger_schema, rows, checks)
    annotating = annotate_runs(reps)
    if not args.quick:
        path = DATA / "spend_1M.csv"
        cli = median_run({"tool": "cli", "path": str(path), "key": True, "out": str(DATA / "report-1M.json")}, reps)
        fl_1m = next(r[2] for r in rows if r[0] == "1M CSV" and r[1].startswith("frictionless"))
        rows.append(("1M CSV", "openbook CLI `validate --format json -o`", cli, fl_1m))
        floor = median_run({"tool": "polars-read", "path": str(path)}, reps)
        rows.append(("1M CSV", "polars `read_csv`, all text, nothing else (the floor)", floor, fl_1m))
        ledger_path = DATA / "ledger_1M.csv"
        fl_ledger = next(r[2] for r in rows if r[0] == "1M ledger CSV" and r[1].startswith("frictionless"))
        floor = median_run({"tool": "polars-read", "path": str(ledger_path), "encoding": "utf8-lossy"}, reps)
        rows.append(("1M ledger CSV", "polars `read_csv`, all text, nothing else (the floor)", floor, fl_ledger))

    extra = []
    # packaging 1M rows against validating them (issue 6: at most 3x)
    packaging = None
    if not args.quick:
        path = DATA / "spend_1M.csv"
        packaging = median_run({"tool": "package", "path": str(path), "key": True,
                                "out": str(DATA / "package-1M")}, reps)
        ob_1m = next(r[2] for r in rows if r[0] == "1M CSV" and r[1].startswith("openbook `validate()`"))
        print(f"package 1M: {packaging['wall']:.2f} s wall ({packaging['seconds']:.2f} s in-process), "
              f"{packaging['seconds'] / ob_1m['seconds']:.2f}x validation", flush=True)

    # a folder of 400 small files: one process, and one per core (what the command line does)
    folder = DATA / "folder400"
    fmeta = gen.write_folder(folder, 400, 2_500)
    print(f"folder: {fmeta['files']} files x {fmeta['rows_each']:,} rows", flush=True)
    folder_runs = {}
    for mode, workers in (("serial", 1), ("parallel", os.cpu_count() or 1)):
        r = median_run({"tool": "folder", "path": str(folder), "workers": workers}, 1 if args.quick else 2)
        folder_runs[mode] = r
        print(f"  {mode} ({workers} process{'es' if workers > 1 else ''}): {r['wall']:.2f} s wall, "
              f"{r['rss_mib']:.0f} MiB, {r['tables']} tables, {r['errors']:,} errors", flush=True)

    comparing = compare_runs(args)
    cmeta = None
    if not args.quick and not args.skip_10m:
        print("10M CSV: generating (about 2.4 GB, a minute) ...", flush=True)
        meta10 = gen.write_csv(DATA / "spend_10M.csv", 10_000_000)
        r10 = run_job({"tool": "cli", "path": str(DATA / "spend_10M.csv"), "key": True,
                       "out": str(DATA / "report-10M.json")})
        extra.append(("10M CSV", meta10, r10))
        print(f"  openbook validate: {r10['wall']:.1f} s wall, peak RSS {r10['rss_mib']:.0f} MiB, "
              f"{r10['errors']:,} errors (expected {meta10['errors']:,})", flush=True)

    m = machine()
    lines = render(m, rows, checks, folder_runs, fmeta, extra, args, packaging, comparing, cmeta)
    lines += render_xlsx_and_annotate(rows, annotating)
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    if not args.quick:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0 if all(c[4] for c in checks) else 1


# ---------------------------------------------------------------- XLSX and --annotate (issue 18)

def ledger_xlsx(reps: int, ledger_schema: Path, rows: list, checks: list) -> None:
    """The ledger's 100k rows as a finance system's Excel export (gen._ledger_cells:
    real dates and £ numbers, some of each as text), against frictionless given the
    ledger CSV's schema; and the clean 100k XLSX's figures for the ledger/clean ratio."""
    path = DATA / "ledger_100k.xlsx"
    meta = gen.write_xlsx(path, 100_000, shape="ledger")
    label = "100k ledger XLSX"
    print(f"{label}: {meta['rows']:,} rows, {meta['bytes'] / 1e6:.1f} MB, {meta['errors']:,} injected errors",
          flush=True)
    fl = run_job({"tool": "frictionless", "path": str(path), "schema": ledger_schema.name})
    ob = median_run({"tool": "openbook", "path": str(path), "key": True}, reps)
    rows.append((label, "frictionless `Resource.validate(limit_errors=0)`", fl, fl))
    rows.append((label, "openbook `validate()`, full report", ob, fl))
    same = ob["errors"] == meta["errors"]
    checks.append((label, meta["errors"], fl["errors"], ob["errors"], same, fl.get("codes"), ob.get("codes")))
    print(f"  frictionless {fl['wall']:.2f} s, openbook {ob['wall']:.2f} s (runs {ob['walls']}); errors "
          f"expected {meta['errors']}, frictionless {fl['errors']}, openbook {ob['errors']}"
          f" {'SAME' if same else 'DIFFERENT'}", flush=True)


def annotate_runs(reps: int) -> list[tuple[str, dict, dict]]:
    """`--annotate` on 150k-row workbooks (target under 30 s): valid, and about 1% problems;
    and on the 100k-row CSV, whose copy is a workbook built from its rows."""
    out = []
    for label, name, errors in (("150k-row workbook, valid", "annotate_150k_valid.xlsx", False),
                                ("150k-row workbook, about 1% problems", "annotate_150k.xlsx", True),
                                ("100k-row CSV, about 1% problems", "spend_100k.csv", True)):
        path = DATA / name
        if path.suffix == ".csv":
            meta = gen.write_csv(path, 100_000)
        else:
            meta = gen.write_xlsx(path, 150_000, errors=errors)
        out_path = DATA / f"annotated-{path.stem}.xlsx"
        r = median_run({"tool": "annotate", "path": str(path), "out": str(out_path)}, reps)
        out.append((label, meta, r))
        print(f"annotate {label}: {r['wall']:.1f} s wall (validate {r['validate_seconds']:.1f} s, annotate "
              f"{r['annotate_seconds']:.1f} s, CPU {r['cpu_seconds']:.1f} s), {r['rss_mib']:.0f} MiB", flush=True)
    return out


def render_xlsx_and_annotate(rows: list, annotating: list[tuple[str, dict, dict]]) -> list[str]:
    out = []
    ob = {label: r for label, tool, r, _ in rows if tool.startswith("openbook `validate()`")}
    if "100k ledger XLSX" in ob and "100k XLSX" in ob:
        a, b = ob["100k ledger XLSX"], ob["100k XLSX"]
        out += ["", f"The ledger-shaped XLSX against the clean one (same rows; target at most 1.5×): "
                f"{a['wall']:.2f} s against {b['wall']:.2f} s wall, **{a['wall'] / b['wall']:.2f}×** "
                f"({a['seconds'] / b['seconds']:.2f}× in-process). The ledger workbook holds real dates (dd/mm/yyyy) "
                "and £ numbers (credits in brackets) as a finance system exports them, with the `31-Jan-2025` dates "
                "and one amount in ten as text (bench/gen.py `_ledger_cells`)."]
    if not annotating:
        return out
    out += ["", "`--annotate` on 150k-row workbooks and the 100k CSV (31 columns, bench/gen.py; target under 30 s): "
            "validation, then "
           "the marked-up copy (`openbook.validate` then `report.annotate.annotate`, SOURCE_DATE_EPOCH set). "
           "CPU seconds are the job's own, which on a shared machine say more than wall time.", "",
           "| file | problems | wall s | validate s | annotate s | CPU s | peak RSS |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for label, meta, r in annotating:
        out.append(f"| {label} | {r['errors'] + r['warnings']:,} | {r['wall']:.1f} | {r['validate_seconds']:.1f} | "
                   f"{r['annotate_seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['rss_mib']:.0f} MiB |")
    return out


def render(m, rows, checks, folder_runs, fmeta, extra, args, packaging, comparing, cmeta) -> list[str]:
    v = m["versions"]
    out = [
        "# Benchmark results: openbook and frictionless, same files, same run",
        "",
        f"Run {m['date']} with `{' '.join(['bench/run.py'] + (sys.argv[1:] if sys.argv[1:] else []))}`"
        f" (`make bench`). Machine: {m['nproc']} cores, {m['memory']} RAM, Python {m['python']}, "
        f"{m['platform']}; load average at the end {', '.join(f'{x:.1f}' for x in m['load'])}.",
        f"Versions: openbook {v['openbook']}, polars {v['polars']}, frictionless {v['frictionless']}, "
        f"fastexcel {v['fastexcel']}, python-calamine {v['python-calamine']}, xlsxwriter {v['xlsxwriter']}, "
        f"openpyxl {v['openpyxl']}.",
        "",
        "Each job runs in its own process; wall time includes interpreter start and imports, in-process time "
        "is the validation call alone. Peak RSS is the job process's own (`wait4` rusage). openbook jobs: "
        f"median of {1 if args.quick else args.reps} runs; frictionless: one run. Data: seeded (bench/gen.py), "
        "every column of the spend schema, ISO dates, plain numbers, about 1% of rows with exactly one error "
        "(bad date, non-numeric amount, blank required cell, duplicate TransactionNumber, enum, pattern). "
        "The *ledger* files hold the same rows as a council's ledger export: header variants, `31/01/2025` and "
        "`31-Jan-2025` dates, `£1,234.56` and `(1,234.56)` amounts, long purpose text (about 410 bytes a row), "
        "payees that repeat, 1% exact duplicate lines (one primary-key error each) and cp1252 bytes. "
        "frictionless gets the same schema under the ledger's headers with `%d/%m/%Y` dates; it reports the "
        "other date format and the bracketed credits as errors, so on a ledger its count differs by design.",
        "",
        "| file | tool | rows/s (wall) | wall s | in-process s | peak RSS | × vs frictionless, wall (in-process) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, tool, r, fl in rows:
        n = r.get("rows") or 0
        ratio = (f"{fl['wall'] / r['wall']:.1f} ({fl['seconds'] / r['seconds']:.1f})" if fl is not None else "–")
        if fl is r:
            ratio = "1.0"
        out.append(f"| {label} | {tool} | {fmt_rows(n / r['wall'])} | {r['wall']:.2f} | {r['seconds']:.2f} | "
                   f"{r['rss_mib']:.0f} MiB | {ratio} |")
    ledger_cost = [(f"{size} ledger CSV", next((r for l, t, r, _ in rows if l == f"{size} ledger CSV"
                                                 and t.startswith("openbook `validate()`")), None),
                    next((r for l, t, r, _ in rows if l == f"{size} CSV" and t.startswith("openbook `validate()`")),
                         None)) for size in ("100k", "1M")]
    ledger_cost = [(l, a, b) for l, a, b in ledger_cost if a and b]
    if ledger_cost:
        out += ["", "The ledger-shaped export against the clean file with the same rows (target at most 1.5×):", "",
                "| file | ledger wall s | clean wall s | ledger / clean, wall (in-process) |", "|---|---:|---:|---:|"]
        for l, a, b in ledger_cost:
            out.append(f"| {l} | {a['wall']:.2f} | {b['wall']:.2f} | {a['wall'] / b['wall']:.2f} "
                       f"({a['seconds'] / b['seconds']:.2f}) |")
    out += ["", "Errors found (openbook must equal the injected count; frictionless too on the clean files):", "",
            "| file | injected | frictionless | openbook | same |", "|---|---:|---:|---:|---|"]
    for label, expected, fl, ob, same, flc, obc in checks:
        out.append(f"| {label} | {expected:,} | {fl:,} | {ob:,} | {'yes' if same else '**no**'} |")
    if packaging:
        ob = next(r for label, tool, r, fl in rows if label == "1M CSV" and tool.startswith("openbook `validate()`"))
        out += ["", f"Packaging the 1M-row CSV (`openbook.package`, validation included): "
                f"**{packaging['wall']:.2f} s wall** ({packaging['seconds']:.2f} s in-process, peak RSS "
                f"{packaging['rss_mib']:.0f} MiB), **{packaging['seconds'] / ob['seconds']:.2f}× the time of "
                f"validating it** (target at most 3×)."]
    if folder_runs:
        s = folder_runs["serial"]
        out += ["", f"Folder of {fmeta['files']} CSV files × {fmeta['rows_each']:,} rows "
                f"({fmeta['rows']:,} rows), `openbook.validate(folder, workers=N)`. Peak RSS of the parallel "
                "job is its parent process; each worker holds about as much as one file needs.", "",
                "| how | wall s | in-process s | peak RSS | × vs serial |", "|---|---:|---:|---:|---:|"]
        names = {"serial": "one process (`workers=1`, the Python API's default)",
                 "parallel": f"one process per core (`workers={m['nproc']}`, the command line's default)"}
        for mode, r in folder_runs.items():
            out.append(f"| {names[mode]} | {r['wall']:.2f} | {r['seconds']:.2f} | {r['rss_mib']:.0f} MiB | "
                       f"{s['wall'] / r['wall']:.2f} |")
    if comparing:
        out += render_compare(comparing)
    for label, meta, r in extra:
        out += ["", f"{label} ({meta['bytes'] / 1e9:.2f} GB, {meta['rows']:,} rows, {meta['errors']:,} injected "
                f"errors), `openbook validate FILE --schema spend --format json -o report.json` (keyed schema): "
                f"**{r['wall']:.1f} s wall** ({r['seconds']:.1f} s in-process, "
                f"{fmt_rows(meta['rows'] / r['wall'])} rows/s), **peak RSS {r['rss_mib']:.0f} MiB** "
                f"({r['rss_mib'] / 1024:.2f} GiB; target < 1.5 GiB); {r['errors']:,} errors reported."]
    return out


# --------------------------------------------------------------------------- compare (issue 18)

COMPARE_TARGETS = {400: (10, 1024), 4000: (60, 2048)}  # bodies: (seconds, MiB), wall and peak RSS


def compare_runs(args) -> list[tuple[str, dict, dict]]:
    """`openbook.compare` over generated catalogues of 400 and 4,000 bodies (100 with --quick), each
    with its Parquet copy (bench/gen.py). Generation is cached under bench/data/ and happens here, in
    this process, before the timed job: each job is a fresh process, so its peak RSS is its own.
    The 400-body catalogue is also compared from its packages' CSV files, as before the Parquet copy."""
    sizes = [100] if args.quick else [400, 4000]
    runs = []
    for bodies in sizes:
        catalogue = DATA / f"catalogue{bodies}"
        print(f"compare: catalogue of {bodies} bodies (generated once, then reused) ...", flush=True)
        meta = gen.write_catalogue(catalogue, bodies)
        spec = {"tool": "compare", "path": str(catalogue), "rows": meta["rows"]}
        reps = 1 if args.quick or bodies > 1000 else args.reps
        modes = [("Parquet copy", dict(spec))]
        if bodies <= 1000:
            modes.append(("packages' CSV files", dict(spec, columnar=False)))
        for how, job in modes:
            r = median_run(job, reps)
            runs.append((how, meta, r))
            print(f"  {how}: {r['wall']:.1f} s wall ({r['seconds']:.1f} s in-process), {r['rss_mib']:.0f} MiB, "
                  f"spend from {r['parquet_files']} Parquet of {r['spend_files']} files (runs {r['walls']})",
                  flush=True)
    return runs


def render_compare(runs) -> list[str]:
    out = ["", "`openbook.compare` over a catalogue folder of council packages made from the examples by "
           "bench/gen.py (each about 2,500 spend lines and 250 lines of other tables), with the Parquet copy "
           "publish writes (`_parquet/`). Generation is not timed; each run is a fresh process. Targets: "
           + "; ".join(f"{n:,} bodies under {s} s and {m / 1024:g} GiB" for n, (s, m) in COMPARE_TARGETS.items())
           + ".", "",
           "| bodies | rows | spend read from | wall s | in-process s | peak RSS | target met |",
           "|---:|---:|---|---:|---:|---:|---|"]
    for how, meta, r in runs:
        target = COMPARE_TARGETS.get(meta["bodies"])
        met = ("–" if target is None or how != "Parquet copy" else
               "yes" if r["wall"] < target[0] and r["rss_mib"] < target[1] else "**no**")
        out.append(f"| {meta['bodies']:,} | {meta['rows']:,} | {how} | {r['wall']:.1f} | {r['seconds']:.1f} | "
                   f"{r['rss_mib']:.0f} MiB | {met} |")
    return out


if __name__ == "__main__":
    sys.exit(main())
