"""Opening package zips from anyone: the one place that decides what is safe.

A zip may hold a path outside the package ("../../etc/x", "/tmp/x", "C:x"),
a symbolic link, or expand to far more than it weighs (a zip bomb). publish
extracts package zips and compare reads them; both go through here.
"""
from __future__ import annotations

import re
import stat
import zipfile
from pathlib import PurePosixPath

from openbook.errors import OpenbookError

DESCRIPTOR = "datapackage.json"


def inside(path: str) -> bool:
    """A relative path that stays inside the package."""
    p = str(path).replace("\\", "/")
    return (bool(p) and not p.startswith("/") and not re.match(r"^[A-Za-z]:", p)
            and ".." not in PurePosixPath(p).parts and "://" not in p)


def package_members(zf: zipfile.ZipFile, label: str, limit: int, verb: str = "read") -> tuple[dict, str]:
    """The files of a package zip by name, and the folder prefix holding
    datapackage.json ("" at the top, or "name/" for a zip of the folder).

    ``limit`` bounds the total size once extracted: zipfile never inflates a
    member past the size the zip declares, so the declared sizes are a true bound.
    """
    total = sum(i.file_size for i in zf.infolist())
    if total > limit:
        raise OpenbookError(f"{label}: the zip would expand to {total / 1024 ** 2:,.0f} MB, more than openbook "
                            f"will {verb} ({limit // 1024 ** 2:,} MB). Refusing to {verb} it; check where it came "
                            "from, or use the extracted package folder.")
    members = {}
    for info in zf.infolist():
        name = info.filename.replace("\\", "/")
        if not inside(name):
            raise OpenbookError(f"{label}: the zip holds '{info.filename}', a path outside the package; "
                                f"refusing to {verb} it. Re-create the zip with `openbook package`.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise OpenbookError(f"{label}: the zip holds a symbolic link '{info.filename}'; refusing to {verb} "
                                "it. Re-create the zip with `openbook package`.")
        if not info.is_dir():
            members[name] = info
    root = ""
    if DESCRIPTOR not in members:
        tops = {n.split("/", 1)[0] for n in members}
        if len(tops) == 1 and f"{next(iter(tops))}/{DESCRIPTOR}" in members:
            root = next(iter(tops)) + "/"
    if root + DESCRIPTOR not in members:
        raise OpenbookError(f"{label}: the zip has no datapackage.json at its top. "
                            "Give the .zip that `openbook package` wrote.")
    return members, root
