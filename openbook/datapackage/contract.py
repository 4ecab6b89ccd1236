"""The package contract: what `package` writes, and the one way to read it back.

A package is ``datapackage.json`` plus the files its resources name
(docs/design.md, "The package contract"). Everything that reads a package,
``publish`` before it uploads and ``compare`` before it counts, goes through
:func:`load_package` here, so both trust the same things:

- the descriptor is a JSON object with a name, a version and an
  organisation slug that are safe as folder names;
- every resource path stays inside the package, and the file is there;
- every resource gives a sha256 (``sha256:`` and 64 hex digits): a file
  without one is refused, since its bytes could not be checked;
- its size and sha256 match what the descriptor says.

This module also holds the one version ordering (:func:`version_key`,
SemVer precedence), the next version (:func:`next_version`), what makes two
packages the same content (:func:`same_content`), and the one choice of the
latest version of each dataset in a catalogue (:func:`choose_latest`).
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import mimetypes
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, Iterable, Iterator

from openbook.datapackage.zips import DESCRIPTOR, inside, package_members
from openbook.errors import OpenbookError
from openbook.files import sha256_file

CHUNK = 1024 * 1024
LATEST = "latest"
# The most a package .zip may hold once extracted: far above any real
# submission, far below a zip bomb. zipfile never inflates a member beyond the
# size the zip declares for it, so the declared sizes are a true bound.
MAX_UNZIPPED_BYTES = 2 * 1024 ** 3

# Names that become folder names on a target, or part of a CKAN dataset name.
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
# The one form of hash a package may give a resource (what `package` writes).
_HASH = re.compile(r"^sha256:[0-9a-fA-F]{64}$")
RECREATE = "Re-create the package with `openbook package`."


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
        "parquet": "application/vnd.apache.parquet",
    }
    if suffix in known:
        return known[suffix]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


# --------------------------------------------------------------------------- versions

def _identifiers(text: str) -> list[tuple[int, int, str]]:
    # SemVer: numeric identifiers compare as numbers and sort before text ones.
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in text.split(".") if p != ""]


def version_key(version: str) -> tuple:
    """Sort key with SemVer precedence: 1.10.0 after 1.9.0, a pre-release
    before its release (1.0.0-rc1 < 1.0.0), build metadata (+...) ignored.
    A leading 'v' is allowed (v2.0.0)."""
    text = str(version).strip()
    if text[:1] in ("v", "V") and text[1:2].isdigit():
        text = text[1:]
    text = text.split("+", 1)[0]
    main, dash, pre = text.partition("-")
    # A release (no pre-release) sorts after every pre-release of the same version.
    return (_identifiers(main), 0 if dash else 1, _identifiers(pre))


def valid_version(version) -> bool:
    """A version a package may have: safe as a folder name, and not "latest"."""
    return isinstance(version, str) and bool(_VERSION.match(version)) and version != LATEST


def next_version(version: str) -> str | None:
    """The next minor version after ``version`` (1.0.0 -> 1.1.0, v2.3 -> v2.4,
    1.1.0-rc1 -> 1.2.0), or None when it is not numbers and dots."""
    text = str(version).strip()
    prefix = text[:1] if text[:1] in ("v", "V") else ""
    main = text[len(prefix):].split("+", 1)[0].split("-", 1)[0]
    parts = main.split(".")
    if not main or not all(p.isdigit() for p in parts):
        return None
    if len(parts) == 1:
        return f"{prefix}{int(parts[0])}.1"
    bumped = [str(int(parts[0])), str(int(parts[1]) + 1)] + ["0"] * (len(parts) - 2)
    return prefix + ".".join(bumped)


# What says when and by what a package was made, not what it holds: two
# packages that differ only here have the same content.
_CIRCUMSTANCES = ("created",)
_OPENBOOK_CIRCUMSTANCES = ("generator",)


def same_content(a: dict, b: dict, ignore_version: bool = False) -> bool:
    """Whether two descriptors describe the same content: equal apart from
    when and by which openbook they were made (and, if asked, their version).
    Every resource's sha256 is in the descriptor, so equal descriptors mean
    equal files."""
    def essence(d: dict) -> dict:
        out = {k: v for k, v in d.items() if k not in _CIRCUMSTANCES and not (ignore_version and k == "version")}
        if isinstance(out.get("openbook"), dict):
            out["openbook"] = {k: v for k, v in out["openbook"].items() if k not in _OPENBOOK_CIRCUMSTANCES}
        return out
    return essence(a) == essence(b)


def descriptor_bytes(descriptor: dict) -> bytes:
    """datapackage.json as the contract writes it: sorted keys, 2-space indent, UTF-8, a final newline."""
    return (json.dumps(descriptor, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def choose_latest(keys: Iterable[str]) -> list[str]:
    """From the paths of datapackage.json files in a catalogue, keep one per dataset.

    A path ``.../<dataset>/<version>/datapackage.json`` whose dataset folder
    also holds ``latest/datapackage.json`` gives way to latest; without
    latest, only the highest version is kept. Paths outside a versioned
    layout (a package folder's own datapackage.json) are kept.
    """
    by_dataset: dict[str, list[tuple[str, str]]] = {}
    out = []
    for key in sorted(set(keys)):
        parts = key.split("/")
        if len(parts) >= 3:
            by_dataset.setdefault("/".join(parts[:-2]), []).append((parts[-2], key))
        else:
            out.append(key)
    for versions in by_dataset.values():
        names = {v for v, _ in versions}
        if LATEST in names:
            out.extend(k for v, k in versions if v == LATEST)
        elif len(versions) > 1 and all(re.match(r"^v?\d", v) for v in names):
            out.append(max(versions, key=lambda vk: version_key(vk[0]))[1])
        else:
            out.extend(k for _, k in versions)  # not a versioned layout: separate packages
    return sorted(out)


# --------------------------------------------------------------------------- the model

@dataclass(frozen=True)
class Item:
    """One file of a package, or a page to publish: on disk (``file``) or in memory (``data``)."""

    path: str  # relative to the package or target root (posix)
    bytes: int
    sha256: str  # hex digest
    file: Path | None = None
    data: bytes | None = None
    resource: dict | None = field(default=None, compare=False)
    # False when the loader was asked not to hash this file yet (load_package(check_files=False)):
    # Package.read_checked() checks it when it is read
    checked: bool = field(default=True, compare=False)

    @property
    def media_type(self) -> str:
        if self.resource and self.resource.get("mediatype") == "text/csv":
            return "text/csv; charset=utf-8"
        return media_type(self.path)

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        return open(self.file, "rb")

    def read(self) -> bytes:
        return self.data if self.data is not None else self.file.read_bytes()

    def moved(self, path: str) -> "Item":
        """The same content under another path."""
        return Item(path, self.bytes, self.sha256, self.file, self.data, self.resource, self.checked)

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> "Item":
        return cls(path, len(data), sha256_bytes(data), data=data)


@dataclass
class Package:
    """A checked package: its descriptor and its files, datapackage.json last."""

    label: str  # where it came from, as the user gave it, for messages
    descriptor: dict
    items: list[Item]
    in_latest: bool = False  # read from a catalogue's latest/ folder
    _tables: dict = field(default_factory=dict, repr=False)

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
    def openbook(self) -> dict:
        return self.descriptor.get("openbook") or {}

    @property
    def organisation(self) -> dict:
        return self.openbook.get("organisation") or {}

    @property
    def org_slug(self) -> str:
        return self.organisation.get("slug") or (self.descriptor.get("publisher") or {}).get("slug")

    @property
    def org_name(self) -> str:
        return (self.organisation.get("name")
                or (self.descriptor.get("publisher") or {}).get("title")
                or self.org_slug)

    def rows(self, resource: str, columns: Iterable[str] | None = None) -> list[dict]:
        """The rows of every resource called ``resource``, as dicts of text.
        ``columns``: keep only these (a row then holds those it has)."""
        keep = set(columns) if columns is not None else None
        cached = (resource, tuple(sorted(keep)) if keep is not None else None)
        if cached not in self._tables:
            rows: list[dict] = []
            for item in self.resource_items(resource):
                try:
                    text = self.read_checked(item).decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise OpenbookError(f"{self.label}: {item.path} is not UTF-8 text. {RECREATE}") from None
                reader = csv.DictReader(io.StringIO(text, newline=""))
                if keep is None:
                    rows.extend(dict(r) for r in reader)
                else:  # codes, labels and grades repeat from row to row: one copy of each text
                    rows.extend({k: _one_copy(v) for k, v in r.items() if k in keep} for r in reader)
            self._tables[cached] = rows
        return self._tables[cached]

    def resource_items(self, resource: str) -> list[Item]:
        """The files of every resource called ``resource``."""
        return [i for i in self.items if i.resource is not None and i.resource.get("name") == resource]

    def read_checked(self, item: Item) -> bytes:
        """The bytes of one of the package's files, checked against datapackage.json
        if the loader did not check them (load_package(check_files=False))."""
        data = item.read()
        if not item.checked:
            if len(data) != item.bytes:
                raise OpenbookError(f"{self.label}: {item.path} has {len(data)} bytes but datapackage.json says "
                                    f"{item.bytes}; the file changed after packaging. {RECREATE}")
            if sha256_bytes(data) != item.sha256:
                raise OpenbookError(f"{self.label}: {item.path} does not match the sha256 in datapackage.json; "
                                    f"the file changed after packaging. {RECREATE}")
        return data

    def with_descriptor(self, raw: bytes) -> "Package":
        """The same files under another datapackage.json (``raw``): the one
        already published, or this one with another version."""
        descriptor = json.loads(raw.decode("utf-8-sig"))
        return Package(self.label, descriptor, self.items[:-1] + [Item.from_bytes(DESCRIPTOR, raw)],
                       in_latest=self.in_latest)

    def with_version(self, version: str) -> "Package":
        if not valid_version(version):
            raise OpenbookError(f"version {version!r}: not a version such as 1.1.0. Give one made of letters, "
                                "digits, '.', '-' and '+'.")
        return self.with_descriptor(descriptor_bytes(dict(self.descriptor, version=version)))

    def resource_names(self) -> list[str]:
        return list(dict.fromkeys(i.resource["name"] for i in self.items if i.resource is not None))


def _one_copy(text):
    return sys.intern(text) if type(text) is str and len(text) <= 64 else text


# --------------------------------------------------------------------------- the loader

class Files:
    """Where a package's files are: ``read(rel)`` gives the bytes (None when
    missing); ``local(rel)`` gives a file on disk to stream from, when there is one."""

    def read(self, rel: str) -> bytes | None:
        raise NotImplementedError

    def local(self, rel: str) -> Path | None:
        return None


class FolderFiles(Files):
    def __init__(self, root: Path):
        self.root = root
        self.real_root = root.resolve()

    def local(self, rel: str) -> Path | None:
        file = self.root.joinpath(*PurePosixPath(rel).parts)
        if not file.is_file():
            return None
        if not str(file.resolve()).startswith(str(self.real_root) + "/"):
            raise _Outside(rel)
        return file

    def read(self, rel: str) -> bytes | None:
        file = self.local(rel)
        return file.read_bytes() if file is not None else None


class ReaderFiles(Files):
    """Files that a function reads (a bucket, a CKAN site, a zip in memory)."""

    def __init__(self, read: Callable[[str], bytes | None]):
        self.read = read  # type: ignore[method-assign]


class _Outside(Exception):
    pass


def load_package(label: str, files: Files, in_latest: bool = False, check_files: bool = True,
                 schemas: bool = True) -> Package:
    """The checked package whose files ``files`` holds; OpenbookError if any check fails.

    ``check_files=False`` checks the descriptor and that each file on disk is
    there with its size, but leaves hashing a file until it is read
    (Package.read_checked): compare reads a catalogue's big tables from its
    Parquet copy, so their CSV files are never read. ``schemas=False`` drops
    each resource's inline Table Schema once checked (most of a descriptor's
    memory), for a reader that never uses them."""
    where = f"{label}: {DESCRIPTOR}"
    try:
        desc_file = files.local(DESCRIPTOR)
        raw = desc_file.read_bytes() if desc_file is not None else files.read(DESCRIPTOR)
    except _Outside:
        raw, desc_file = None, None
    if raw is None:
        raise OpenbookError(f"{label}: no datapackage.json here. Give the folder or .zip that `openbook package` "
                            "wrote, or a catalogue that `openbook publish` wrote.")
    try:
        descriptor = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OpenbookError(f"{where} is not valid JSON ({exc}). {RECREATE}") from None
    if not isinstance(descriptor, dict):
        raise OpenbookError(f"{where} is not a Data Package descriptor. {RECREATE}")

    def need(ok, what):
        if not ok:
            raise OpenbookError(f"{where}: {what}. {RECREATE}")

    name = descriptor.get("name")
    need(isinstance(name, str) and _SLUG.match(name),
         f"the package name {name!r} is missing or not lower-case letters, digits, '-', '_' or '.'")
    version = descriptor.get("version")
    need(valid_version(version),
         f"the version {version!r} is missing or not a version such as 1.0.0")
    pkg = Package(label, descriptor, [], in_latest=in_latest)
    slug = pkg.org_slug
    need(isinstance(slug, str) and _SLUG.match(slug),
         f"openbook.organisation.slug {slug!r} is missing or not lower-case letters, digits and '-'")
    resources = descriptor.get("resources")
    need(isinstance(resources, list) and resources, "it lists no resources")

    items: list[Item] = []
    seen = set()
    for res in resources:
        need(isinstance(res, dict), "a resource is not an object")
        rname = res.get("name", "?")
        rpath = res.get("path")
        need(isinstance(rpath, str) and rpath, f"resource {rname!r} has no path")
        if "://" in rpath:
            raise OpenbookError(f"{where}: resource {rname!r} points at {rpath}; a package holds its own files. "
                                f"{RECREATE}")
        need(inside(rpath) and "\\" not in rpath and rpath != DESCRIPTOR,
             f"resource {rname!r} has path {rpath!r}, which leaves the package folder")
        need(rpath not in seen, f"two resources share the path {rpath!r}")
        seen.add(rpath)
        expected = res.get("hash")
        if not isinstance(expected, str) or not _HASH.match(expected):
            # Without a sha256 to check, publish would upload (and compare would
            # count) bytes that nobody vouched for.
            said = ("has no hash" if expected in (None, "") else
                    f"has the hash {str(expected)[:80]!r} instead of sha256: and 64 hex digits")
            raise OpenbookError(f"{where}: resource {rname!r} ({rpath}) {said}, so its bytes cannot be "
                                f"checked. {RECREATE}")
        try:
            file = files.local(rpath)
        except _Outside:
            raise OpenbookError(f"{label}: {rpath} is a link to a file outside the package. {RECREATE}") from None
        data = None if file is not None else files.read(rpath)
        if file is None and data is None:
            raise OpenbookError(f"{label}: {rpath} is listed in datapackage.json but missing. {RECREATE}")
        size = file.stat().st_size if file is not None else len(data)
        lazy = file is not None and not check_files
        digest = expected.partition(":")[2].lower() if lazy else sha256_file(file) if file is not None \
            else sha256_bytes(data)
        if "bytes" in res and type(res["bytes"]) is not int:
            raise OpenbookError(f"{where}: resource {rname!r} ({rpath}) gives its size as {str(res['bytes'])[:40]!r}, "
                                f"not a number of bytes. {RECREATE}")
        if "bytes" in res and res["bytes"] != size:
            raise OpenbookError(f"{label}: {rpath} has {size} bytes but datapackage.json says {res['bytes']}; "
                                f"the file changed after packaging. {RECREATE}")
        if expected.partition(":")[2].lower() != digest:
            raise OpenbookError(f"{label}: {rpath} does not match the sha256 in datapackage.json; "
                                f"the file changed after packaging. {RECREATE}")
        items.append(Item(rpath, size, digest, file=file, data=data, resource=res, checked=not lazy))
    items.append(Item(DESCRIPTOR, len(raw), sha256_bytes(raw), file=desc_file,
                      data=None if desc_file is not None else raw))
    if not schemas:
        for res in resources:
            res.pop("schema", None)
    pkg.items = items
    return pkg


@contextlib.contextmanager
def open_package(path) -> Iterator[Package]:
    """Yield the checked Package at ``path`` (a folder or a .zip file); a zip is
    extracted to a temporary folder that lasts as long as the ``with`` block."""
    label = str(path)
    path = Path(path)
    if not path.exists():
        raise OpenbookError(f"{label}: no such file or folder. Give the package folder or .zip that "
                            "`openbook package` wrote.")
    if path.is_dir():
        if not (path / DESCRIPTOR).is_file():
            raise OpenbookError(f"{label}: no datapackage.json in this folder. Give the folder that "
                                "`openbook package` wrote.")
        yield load_package(label, FolderFiles(path))
        return
    if not zipfile.is_zipfile(path):
        raise OpenbookError(f"{label}: not a package folder or a .zip file. Give the folder or .zip that "
                            "`openbook package` wrote.")
    with tempfile.TemporaryDirectory(prefix="openbook-package-") as tmp:
        root = _extract_zip(path, Path(tmp), label)
        yield load_package(label, FolderFiles(root))


def _extract_zip(path: Path, dest: Path, label: str) -> Path:
    """Extract safely (see zips.py); return the package root."""
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
                            "Free some disk space or give the package folder instead.") from None
    return dest.joinpath(*PurePosixPath(root).parts) if root else dest
