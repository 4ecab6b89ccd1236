"""Read a package (a folder or a .zip) for publishing, and check it first.

Publishing trusts nothing it has not checked: every resource path stays
inside the package, every file exists, and its size and sha256 match what
datapackage.json says. A package that fails a check is never published.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Iterator

from openbook.errors import OpenbookError
from openbook.files import sha256_file
from openbook.datapackage.zips import DESCRIPTOR, package_members

CHUNK = 1024 * 1024
# The most a package .zip may hold once extracted: far above any real
# submission, far below a zip bomb. zipfile never inflates a member beyond the
# size the zip declares for it, so the declared sizes are a true bound.
MAX_UNZIPPED_BYTES = 2 * 1024 ** 3

# Names that become folder names on a target, or part of a CKAN dataset name.
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def media_type(path: str) -> str:
    """The Content-Type a file is served with."""
    name = path.rsplit("/", 1)[-1]
    if name == "catalog.json":
        return "application/ld+json"
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    known = {
        "csv": "text/csv; charset=utf-8",
        "json": "application/json",
        "html": "text/html; charset=utf-8",
        "txt": "text/plain; charset=utf-8",
        "md": "text/markdown; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip": "application/zip",
    }
    if suffix in known:
        return known[suffix]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


@dataclass(frozen=True)
class Item:
    """One file to publish: on disk (``file``) or in memory (``data``)."""

    path: str  # where it goes, relative to the package or target root (posix)
    bytes: int
    sha256: str  # hex digest
    file: Path | None = None
    data: bytes | None = None
    resource: dict | None = field(default=None, compare=False)

    @property
    def media_type(self) -> str:
        if self.resource and self.resource.get("mediatype") == "text/csv":
            return "text/csv; charset=utf-8"
        return media_type(self.path)

    def open(self) -> BinaryIO:
        if self.data is not None:
            import io

            return io.BytesIO(self.data)
        return open(self.file, "rb")

    def moved(self, path: str) -> "Item":
        """The same content under another path."""
        return Item(path, self.bytes, self.sha256, self.file, self.data, self.resource)

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> "Item":
        return cls(path, len(data), sha256_bytes(data), data=data)


@dataclass
class Package:
    """A checked package: its descriptor and its files, datapackage.json last."""

    root: Path
    label: str  # the path the user gave, for messages
    descriptor: dict
    items: list[Item]

    @property
    def data_items(self) -> list[Item]:
        return [i for i in self.items if i.path != DESCRIPTOR]

    @property
    def descriptor_item(self) -> Item:
        return self.items[-1]

    @property
    def name(self) -> str:
        return self.descriptor["name"]

    @property
    def version(self) -> str:
        return self.descriptor["version"]

    @property
    def title(self) -> str:
        return self.descriptor.get("title") or self.name

    @property
    def organisation(self) -> dict:
        ob = self.descriptor.get("openbook") or {}
        return ob.get("organisation") or {}

    @property
    def org_slug(self) -> str:
        return self.organisation.get("slug") or (self.descriptor.get("publisher") or {}).get("slug")

    @property
    def org_name(self) -> str:
        return (self.organisation.get("name")
                or (self.descriptor.get("publisher") or {}).get("title")
                or self.org_slug)


@contextlib.contextmanager
def open_package(path) -> Iterator[Package]:
    """Yield the checked Package at ``path`` (a folder or a .zip file)."""
    label = str(path)
    path = Path(path)
    if not path.exists():
        raise OpenbookError(f"{label}: no such file or folder. Give the package folder or .zip that `openbook package` wrote.")
    if path.is_dir():
        yield _load(path, label)
        return
    if not zipfile.is_zipfile(path):
        raise OpenbookError(f"{label}: not a package folder or a .zip file. Give the folder or .zip that `openbook package` wrote.")
    with tempfile.TemporaryDirectory(prefix="openbook-publish-") as tmp:
        root = _extract_zip(path, Path(tmp), label)
        yield _load(root, label)


def _extract_zip(path: Path, dest: Path, label: str) -> Path:
    """Extract safely (see openbook/zips.py); return the package root."""
    try:
        with zipfile.ZipFile(path) as zf:
            members, root = package_members(zf, label, MAX_UNZIPPED_BYTES, verb="extract")
            for name, info in members.items():
                target = dest.joinpath(*PurePosixPath(name).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, CHUNK)
    except zipfile.BadZipFile as exc:
        raise OpenbookError(f"{label}: the zip file is damaged ({exc}). Re-create it with `openbook package`.") from None
    except OSError as exc:  # disk full, file too large for this system
        raise OpenbookError(f"{label}: could not extract the zip to a temporary folder ({exc.strerror or exc}). "
                            "Free some disk space or publish the package folder instead.") from None
    return dest.joinpath(*PurePosixPath(root).parts) if root else dest


def _load(root: Path, label: str) -> Package:
    desc_path = root / DESCRIPTOR
    where = f"{label}/{DESCRIPTOR}" if Path(label).is_dir() else f"{label}: {DESCRIPTOR}"
    if not desc_path.is_file():
        raise OpenbookError(f"{label}: no datapackage.json in this folder. Give the folder that `openbook package` wrote.")
    raw = desc_path.read_bytes()
    try:
        descriptor = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OpenbookError(f"{where}: not valid JSON ({exc}). Re-create the package with `openbook package`.") from None
    if not isinstance(descriptor, dict):
        raise OpenbookError(f"{where}: not a Data Package descriptor. Re-create the package with `openbook package`.")

    def need(ok, what):
        if not ok:
            raise OpenbookError(f"{where}: {what}. Re-create the package with `openbook package`.")

    name = descriptor.get("name")
    need(isinstance(name, str) and _SLUG.match(name),
         f"the package name {name!r} is missing or not lower-case letters, digits, '-', '_' or '.'")
    version = descriptor.get("version")
    need(isinstance(version, str) and _VERSION.match(version) and version != "latest",
         f"the version {version!r} is missing or not a version such as 1.0.0")
    pkg = Package(root, label, descriptor, [])
    slug = pkg.org_slug
    need(isinstance(slug, str) and _SLUG.match(slug),
         f"openbook.organisation.slug {slug!r} is missing or not lower-case letters, digits and '-'")
    resources = descriptor.get("resources")
    need(isinstance(resources, list) and resources, "it lists no resources")

    items: list[Item] = []
    seen = set()
    real_root = root.resolve()
    for res in resources:
        need(isinstance(res, dict), "a resource is not an object")
        rname = res.get("name", "?")
        rpath = res.get("path")
        need(isinstance(rpath, str) and rpath, f"resource {rname!r} has no path")
        if "://" in rpath:
            raise OpenbookError(f"{where}: resource {rname!r} points at {rpath}; openbook publishes local files only. "
                                "Re-create the package with `openbook package`.")
        parts = PurePosixPath(rpath.replace("\\", "/")).parts
        need(not rpath.startswith("/") and "\\" not in rpath and ".." not in parts and rpath != DESCRIPTOR,
             f"resource {rname!r} has path {rpath!r}, which leaves the package folder")
        need(rpath not in seen, f"two resources share the path {rpath!r}")
        seen.add(rpath)
        file = root.joinpath(*parts)
        if not file.is_file():
            raise OpenbookError(f"{label}: {rpath} is listed in datapackage.json but missing. "
                                "Re-create the package with `openbook package`.")
        if not str(file.resolve()).startswith(str(real_root) + "/"):
            raise OpenbookError(f"{label}: {rpath} is a link to a file outside the package. "
                                "Re-create the package with `openbook package`.")
        size = file.stat().st_size
        digest = sha256_file(file)
        if "bytes" in res and res["bytes"] != size:
            raise OpenbookError(f"{label}: {rpath} has {size} bytes but datapackage.json says {res['bytes']}; "
                                "the file changed after packaging. Re-create the package with `openbook package`.")
        expected = res.get("hash")
        if expected:
            algo, _, hexd = expected.partition(":") if ":" in expected else ("md5", "", expected)
            if algo == "sha256" and hexd.lower() != digest:
                raise OpenbookError(f"{label}: {rpath} does not match the sha256 in datapackage.json; "
                                    "the file changed after packaging. Re-create the package with `openbook package`.")
        items.append(Item(rpath, size, digest, file=file, resource=res))
    items.append(Item(DESCRIPTOR, len(raw), sha256_bytes(raw), file=desc_path))
    pkg.items = items
    return pkg


_NUM = re.compile(r"(\d+)")


def version_key(version: str):
    """Sort key: 1.10.0 after 1.9.0; a release after its pre-releases (1.0.0 > 1.0.0-rc1)."""
    main, _, pre = version.partition("-")
    parts = [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.+]", main)]
    return (parts, 1 if not pre else 0, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in _NUM.split(pre) if p])
