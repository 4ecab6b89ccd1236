"""One benchmark job, run in its own process by bench/run.py.

    python bench/job.py '{"tool": "openbook", "path": "...", "key": true}'

Prints one JSON line: the in-process seconds of the operation itself (no
interpreter start or imports), the rows read and the errors found by code.
"""
from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

SCHEMA_CODES = ("type-error", "constraint-error", "primary-key", "foreign-key", "unique-error")


def use_keyed_schema() -> None:
    """openbook's spend schema gains primaryKey TransactionNumber (bench only)."""
    import gen
    import openbook.standard.plan as standard_plan
    import openbook.standard.schemas as standard
    keyed, real = gen.spend_schema_with_key(), standard.load
    standard.load = lambda name: dict(keyed) if name == "spend" else real(name)
    standard_plan._PLANS.clear()


def openbook_job(spec: dict) -> dict:
    import openbook
    if spec.get("key"):
        use_keyed_schema()
    t = time.perf_counter()
    report = openbook.validate([spec["path"]], schema="spend")
    # a complete report: every problem located, with its message
    shown = len(report.problems(limit=None)) if spec.get("messages", True) else None
    seconds = time.perf_counter() - t
    codes = Counter()
    for (severity, code, _), n in report.counts().items():
        if severity == "error":
            codes[code] += n
    return {"seconds": seconds, "rows": report.rows, "codes": dict(codes), "shown": shown,
            "errors": sum(n for c, n in codes.items() if c in SCHEMA_CODES)}


def cli_job(spec: dict) -> dict:
    """`openbook validate FILE --schema spend --format json -o OUT`, as a user runs it."""
    from openbook.cli import cli
    if spec.get("key"):
        use_keyed_schema()
    t = time.perf_counter()
    try:
        cli.main(["validate", spec["path"], "--schema", "spend", "--format", "json", "-o", spec["out"]],
                 standalone_mode=False)
        status = 0
    except SystemExit as exc:
        status = exc.code
    seconds = time.perf_counter() - t
    with open(spec["out"], encoding="utf-8") as f:
        summary = json.load(f)["summary"]
    return {"seconds": seconds, "rows": summary["rows"], "errors": summary["errors"], "status": status,
            "shown": summary["problems_shown"]}


def frictionless_job(spec: dict) -> dict:
    import frictionless
    path = Path(spec["path"])
    os.chdir(path.parent)            # frictionless refuses absolute paths
    t = time.perf_counter()
    options = {"encoding": spec["encoding"]} if spec.get("encoding") else {}
    report = frictionless.Resource(path.name, schema=spec["schema"], **options).validate(limit_errors=0)
    seconds = time.perf_counter() - t
    task = report.tasks[0]
    codes = Counter(e.type for e in task.errors)
    return {"seconds": seconds, "rows": task.stats.get("rows"), "codes": dict(codes),
            "errors": sum(n for c, n in codes.items() if c in SCHEMA_CODES)}


def polars_read_job(spec: dict) -> dict:
    """The floor: polars reads the CSV as text, nothing else."""
    import polars as pl
    t = time.perf_counter()
    if spec.get("batches"):
        rows = 0
        for b in pl.scan_csv(spec["path"], infer_schema=False).collect_batches(chunk_size=1_000_000):
            rows += b.height
    else:
        # a cp1252 ledger is read lossily: the floor is the parse, not the decoding
        rows = pl.read_csv(spec["path"], infer_schema=False, encoding=spec.get("encoding", "utf8")).height
    return {"seconds": time.perf_counter() - t, "rows": rows}


def folder_job(spec: dict) -> dict:
    """A folder of files through openbook.validate: one process, or one per core."""
    import openbook
    t = time.perf_counter()
    report = openbook.validate([spec["path"]], schema="spend", workers=spec.get("workers", 1))
    return {"seconds": time.perf_counter() - t, "rows": report.rows, "errors": report.errors,
            "tables": len(report.tables)}


def package_job(spec: dict) -> dict:
    """openbook.package on a CSV: validation plus the streamed, normalised package."""
    import shutil
    import openbook
    if spec.get("key"):
        use_keyed_schema()
    out = Path(spec["out"])
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    result = openbook.package([spec["path"]], out_dir=out, org_name="Bench Borough Council",
                              org_uri="https://www.bench.gov.uk/", period="2025-26", allow_invalid=True,
                              allow_personal_data=True)
    seconds = time.perf_counter() - t
    rows = sum(r["rows"] for r in result.descriptor["resources"])
    shutil.rmtree(out, ignore_errors=True)
    return {"seconds": seconds, "rows": rows, "errors": result.report.errors}


def compare_job(spec: dict) -> dict:
    """openbook.compare over a catalogue folder: spend from its Parquet copy, or
    (``"columnar": false``) from every package's CSV files."""
    import openbook
    t = time.perf_counter()
    comparison = openbook.compare([spec["path"]], use_columnar=spec.get("columnar", True))
    seconds = time.perf_counter() - t
    files = [f for b in comparison.bodies for f in b.spend]
    return {"seconds": seconds, "rows": spec.get("rows", 0), "bodies": len(comparison.bodies),
            "parquet_files": sum(f.parquet is not None for f in files), "spend_files": len(files)}


def annotate_job(spec: dict) -> dict:
    """`openbook validate FILE --annotate OUT.xlsx` as the API does it: the validation
    (timed apart) and the marked-up copy, with SOURCE_DATE_EPOCH set as for a
    reproducible build."""
    import openbook
    from openbook.report.annotate import annotate
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1764288000")
    t, cpu = time.perf_counter(), time.process_time()
    report = openbook.validate([spec["path"]], schema="spend")
    validated = time.perf_counter() - t
    annotate(report, spec["out"])
    seconds = time.perf_counter() - t
    # CPU seconds too: on a shared machine they say what the work costs when wall time cannot
    return {"seconds": seconds, "validate_seconds": validated, "annotate_seconds": seconds - validated,
            "cpu_seconds": time.process_time() - cpu, "rows": report.rows, "errors": report.errors,
            "warnings": report.warnings}


JOBS = {"openbook": openbook_job, "cli": cli_job, "frictionless": frictionless_job,
        "polars-read": polars_read_job, "folder": folder_job, "package": package_job,
        "compare": compare_job, "annotate": annotate_job}

if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    if spec.get("profile"):
        import cProfile
        import pstats
        prof = cProfile.Profile()
        result = prof.runcall(JOBS[spec["tool"]], spec)
        prof.dump_stats(spec["profile"])
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    else:
        result = JOBS[spec["tool"]](spec)
    print(json.dumps(result))
