"""Build test packages (copies of tests/fixtures/packages with changes) and
check what a target holds. Used by tests/test_publish_*.py.

Every helper writes datapackage.json the way the package contract says
(sorted keys, 2-space indent, trailing newline) with correct bytes and
sha256, so the packages stay valid unless a test breaks one on purpose.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from typing import Callable, Optional

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "packages"
ANYTOWN = FIXTURES / "anytown-2025-26"
ACME = FIXTURES / "acme-2025-26"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_descriptor(pkg: Path) -> dict:
    return json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))


def write_descriptor(pkg: Path, descriptor: dict) -> None:
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                          encoding="utf-8")


def refresh(pkg: Path) -> None:
    """Recompute bytes and sha256 of every resource after its file changed."""
    d = read_descriptor(pkg)
    for r in d["resources"]:
        data = (pkg / r["path"]).read_bytes()
        r["bytes"] = len(data)
        r["hash"] = "sha256:" + sha256(data)
    write_descriptor(pkg, d)


def copy(src: Path, dest: Path, *, name: Optional[str] = None, version: Optional[str] = None,
         edit: Optional[Callable[[dict], None]] = None) -> Path:
    """A copy of a fixture package at dest, optionally renamed, re-versioned or edited."""
    shutil.copytree(src, dest)
    d = read_descriptor(dest)
    if name:
        d["name"] = name
    if version:
        d["version"] = version
    if edit:
        edit(d)
    write_descriptor(dest, d)
    return dest


def append_rows(pkg: Path, resource_path: str, text: str) -> None:
    with open(pkg / resource_path, "a", encoding="utf-8", newline="") as fh:
        fh.write(text)
    refresh(pkg)


def add_resource(pkg: Path, name: str, data: bytes, schema: Optional[dict] = None) -> str:
    path = f"data/{name}.csv"
    (pkg / path).write_bytes(data)
    d = read_descriptor(pkg)
    d["resources"].append({"name": name, "title": name.title(), "path": path, "format": "csv",
                           "mediatype": "text/csv", "encoding": "utf-8", "bytes": len(data),
                           "hash": "sha256:" + sha256(data), "rows": data.count(b"\n") - 1,
                           "schema": schema or {"fields": [{"name": "a", "type": "string"},
                                                           {"name": "b", "type": "integer"}]}})
    write_descriptor(pkg, d)
    return path


def remove_resource(pkg: Path, name: str) -> None:
    d = read_descriptor(pkg)
    res = next(r for r in d["resources"] if r["name"] == name)
    d["resources"].remove(res)
    (pkg / res["path"]).unlink()
    write_descriptor(pkg, d)


def big_csv(size: int) -> bytes:
    """A CSV of about ``size`` bytes with header a,b (deterministic)."""
    rows = [b"a,b\n"]
    n, total = 0, 4
    while total < size:
        line = b"row-%08d-%s,%d\n" % (n, b"x" * 40, n)
        rows.append(line)
        total += len(line)
        n += 1
    return b"".join(rows)


def zip_package(pkg: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(pkg.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(pkg).as_posix())
    return dest


def broken_descriptors(read: Callable[[str], Optional[bytes]], keys) -> list[str]:
    """Every datapackage.json among ``keys`` whose files are not all there with
    the listed sha256: what a reader must never find. ``read(key)`` returns
    the bytes at key or None."""
    problems = []
    for key in keys:
        if not key.endswith("datapackage.json"):
            continue
        folder = key[: -len("datapackage.json")]
        d = json.loads(read(key))
        for r in d["resources"]:
            data = read(folder + r["path"])
            if data is None:
                problems.append(f"{key}: {r['path']} missing")
            elif "sha256:" + sha256(data) != r["hash"]:
                problems.append(f"{key}: {r['path']} does not match its hash")
    return problems
