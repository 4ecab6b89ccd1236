"""Prototype (bench only): validate the files of a folder in parallel.

openbook/validate.py reads and checks files one after another. Files of a
folder are independent unless they are tables of one submission joined by
foreign keys, so a folder of separate spend files can be spread over the
cores. This measures what that would gain; it is not how openbook runs.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path


def _one(paths: list[str]) -> tuple[int, int, int]:
    import openbook
    report = openbook.validate(paths, schema="spend")
    return report.rows, report.errors, len(report.tables)


def validate_parallel(folder: str, mode: str, workers: int | None = None) -> tuple[int, int, int]:
    from openbook.readers import expand_paths
    files = [str(p) for p in expand_paths([folder])]
    workers = workers or os.cpu_count() or 1
    # a few files per task: fewer round trips, still balanced
    size = max(1, len(files) // (workers * 8))
    parts = [files[i:i + size] for i in range(0, len(files), size)]
    pool = ProcessPoolExecutor(workers) if mode == "processes" else ThreadPoolExecutor(workers)
    with pool:
        results = list(pool.map(_one, parts))
    return tuple(sum(r[k] for r in results) for k in range(3))
