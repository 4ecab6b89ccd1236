"""Uploads and the work done on them: one folder per job, named at random.

No name from a request ever becomes a path: a job is found by its random id
(checked against ID before use), and the uploaded file is stored under a
name made only of safe characters, with the extension its content shows.
Each job's work runs in a child process (worker.py) with a time limit and a
cap on its memory; at most ``workers`` run at once, so one slow or hostile
upload holds one slot for at most its time limit and never blocks the rest.
Jobs are deleted ``keep_seconds`` after they were made.
"""
from __future__ import annotations

import json
import os
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()-]+")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class JobFailed(Exception):
    """The job could not finish: the message is one line for the page."""


def sniff(head: bytes, path: Path) -> str | None:
    """The file's kind from its content, never from its name: xlsx, ods, xls or csv."""
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and zf.read("mimetype").strip() == b"application/vnd.oasis.opendocument.spreadsheet":
                    return "ods"
        except zipfile.BadZipFile:
            return None
        return None
    if head.startswith(OLE2):
        return "xls"
    if b"\x00" in head[:65536] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # binary, and not UTF-16 text
    return "csv"


def safe_name(uploaded: str | None, kind: str) -> str:
    """A display name for the upload made of safe characters only, ending in its real kind."""
    base = (uploaded or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("-", stem).strip(" .-")[:80] or "upload"
    return f"{stem}.{kind}"


@dataclass
class Jobs:
    root: Path
    seconds: float = 120.0          # a job's time limit
    memory_bytes: int = 4 * 1024 ** 3  # address-space cap for a job's process (a safety net)
    keep_seconds: float = 3600.0    # how long uploads and results are kept
    workers: int = 2                # jobs that run at once

    def __post_init__(self):
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self._slots = threading.BoundedSemaphore(self.workers)

    # --- folders -------------------------------------------------------------
    def new(self) -> tuple[str, Path]:
        self.sweep()
        job_id = secrets.token_urlsafe(16)[:22]
        while len(job_id) < 22 or not ID.match(job_id):
            job_id = secrets.token_urlsafe(16)[:22]
        folder = self.root / job_id
        (folder / "input").mkdir(parents=True)
        return job_id, folder

    def folder(self, job_id: str) -> Path | None:
        """The folder of a job that exists, or None; job_id comes from a request."""
        if not isinstance(job_id, str) or not ID.match(job_id):
            return None
        folder = self.root / job_id
        return folder if (folder / "job.json").is_file() else None

    def meta(self, folder: Path) -> dict:
        return json.loads((folder / "job.json").read_text(encoding="utf-8"))

    def save_meta(self, folder: Path, meta: dict) -> None:
        tmp = folder / ".job.json.tmp"
        tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder / "job.json")

    def sweep(self) -> None:
        """Delete jobs older than keep_seconds."""
        cutoff = time.time() - self.keep_seconds
        for folder in self.root.iterdir():
            try:
                if folder.is_dir() and folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except FileNotFoundError:
                pass

    # --- running -------------------------------------------------------------
    def run(self, what: str, folder: Path) -> dict:
        """Run worker.py's ``what`` on the job in a limited child process; its result."""
        with self._slots:
            result_file = folder / f"{what}.result.json"
            result_file.unlink(missing_ok=True)
            # The child imports the same openbook as this server, installed or from a checkout.
            here = str(Path(__file__).resolve().parents[2])
            path = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
            env = dict(os.environ, POLARS_MAX_THREADS="1", PYTHONPATH=path)
            with open(folder / f"{what}.log", "wb") as log:
                proc = subprocess.Popen([sys.executable, "-m", "openbook.serve.worker", what, str(folder)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, env=env,
                                        preexec_fn=self._limits, cwd=str(folder))
                try:
                    proc.wait(timeout=self.seconds)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    timed_out = True
                else:
                    timed_out = False
            if timed_out:
                raise JobFailed(f"checking this file took longer than {self.seconds:.0f} seconds, the limit for "
                                "one file here. Split it into smaller files, or use openbook on your own computer.")
        if proc.returncode != 0 or not result_file.is_file():
            raise JobFailed("openbook could not finish with this file (it may be damaged or too large). "
                            "Open it in Excel, save it again and try once more.")
        return json.loads(result_file.read_text(encoding="utf-8"))

    def _limits(self) -> None:
        os.setsid()
        resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
