"""One job of `openbook serve`, run in its own process with its own limits.

    python -m openbook.serve.worker check JOB_DIR
    python -m openbook.serve.worker package JOB_DIR

The web server never parses an upload itself: a hostile file can only cost
this process, which the server kills after the job's time limit and whose
address space is capped (see jobs.py). Everything a job makes is written
into its folder: report.html, report.json, annotated.xlsx, result.json.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from openbook.errors import OpenbookError


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def check(job: Path) -> dict:
    """Validate the upload; render the HTML and JSON reports and the marked-up copy."""
    from openbook.check.validate import validate
    from openbook.report.annotate import annotate
    from openbook.report.html import report_html

    meta = json.loads((job / "job.json").read_text(encoding="utf-8"))
    source = job / "input" / meta["file"]
    report = validate([str(source)], profile=meta.get("profile") or None, workers=1)
    (job / "report.json").write_text(report.to_json(), encoding="utf-8")
    (job / "report.html").write_text(report_html(report, title=f"Checking {meta['file']}"), encoding="utf-8")
    annotated = None
    try:
        written = annotate(report, job / "annotated.xlsx")
        annotated = written[0].name if written else None
    except OpenbookError as exc:  # nothing to mark up (no table read): the report says why
        annotated = None
        meta["annotate_error"] = str(exc)
    return {"valid": report.valid, "errors": report.errors, "warnings": report.warnings, "rows": report.rows,
            "tables": len(report.tables), "annotated": annotated, "profile": report.profile}


def package(job: Path) -> dict:
    """Package the checked upload with the settings the user confirmed."""
    from openbook.datapackage.write import package as make_package

    meta = json.loads((job / "job.json").read_text(encoding="utf-8"))
    form = meta.get("package") or {}
    source = job / "input" / meta["file"]
    result = make_package([str(source)], out_dir=job / "package", org_uri=form.get("org_uri") or None,
                          org_name=form.get("org_name") or None, period=form.get("period") or None,
                          licence=form.get("licence") or None)
    return {"path": str(result.path.relative_to(job)), "name": result.descriptor["name"],
            "version": result.descriptor["version"]}


def main(argv: list[str]) -> int:
    what, job = argv[0], Path(argv[1])
    try:
        result = {"check": check, "package": package}[what](job)
        _write_json(job / f"{what}.result.json", {"ok": True, **result})
        return 0
    except OpenbookError as exc:  # a one-line message for the page
        _write_json(job / f"{what}.result.json", {"ok": False, "message": str(exc)})
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
