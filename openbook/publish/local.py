"""Publish to a folder: a static catalogue that any web server (or a browser
opening index.html) can serve.

Every file is written to a temporary name beside it and moved into place
with os.replace, so a reader sees the old file or the new one, never half of
one. ``latest/`` is built complete in a temporary folder and then swapped in.
A publish holds the catalogue's lock (``.openbook-publish.lock``) while it
writes, so publishers running at once take turns and none drops another's
dataset from index.html or catalog.json.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import time
import uuid
import zipfile
from pathlib import Path
from typing import Iterator, Optional

try:
    import fcntl
    msvcrt = None
except ImportError:  # Windows
    fcntl = None
    import msvcrt

from openbook.errors import NoPackages, OpenbookError
from openbook.publish.plan import PublishResult, Progress, Step
from openbook.files import sha256_file
from openbook.datapackage.contract import (CHUNK, DESCRIPTOR, LATEST, FolderFiles, Item, Package, ReaderFiles,
                                          choose_latest, load_package)
from openbook.datapackage.zips import package_members
from openbook.publish import columnar
from openbook.publish.tree import Store, publish_tree

TMP = ".openbook-tmp-"
# Held (an OS lock on this file) while a publish writes into a folder
# catalogue, so that two at once cannot both rebuild index.html from a listing
# that lacks the other's dataset. The OS lets go of it when the process ends,
# however it ends, so a killed run never leaves the catalogue locked.
LOCK = ".openbook-publish.lock"
LOCK_WAIT = 30 * 60  # seconds to wait for another publish to finish


class FolderStore(Store):
    def __init__(self, root: Path, label: str):
        self.root = root
        self.label = label

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def listing(self) -> dict[str, int]:
        out: dict[str, int] = {}
        if not self.root.is_dir():
            return out
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not d.startswith(TMP)]
            rel = Path(dirpath).relative_to(self.root).as_posix()
            for fn in filenames:
                if fn.startswith(TMP) or (fn == LOCK and rel == "."):
                    continue
                key = fn if rel == "." else f"{rel}/{fn}"
                try:
                    out[key] = os.stat(os.path.join(dirpath, fn)).st_size
                except FileNotFoundError:
                    pass
        return out

    def sha256(self, key: str) -> Optional[str]:
        try:
            return sha256_file(self._path(key))
        except FileNotFoundError:
            return None

    def read(self, key: str) -> Optional[bytes]:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def _write(self, dest: Path, item: Item, progress: Optional[Progress], label: str) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f"{TMP}{dest.name}-{uuid.uuid4().hex[:8]}")
        done = 0
        try:
            with item.open() as src, open(tmp, "wb") as out:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    out.write(chunk)
                    done += len(chunk)
                    if progress and item.bytes >= CHUNK and done < item.bytes:
                        progress(label, done, item.bytes)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, dest)
        finally:
            if tmp.exists():
                tmp.unlink()
        if progress:
            progress(label, item.bytes, item.bytes)

    def put(self, key: str, item: Item, progress: Optional[Progress]) -> None:
        self._write(self._path(key), item, progress, key)

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        # Remove folders left empty (never the root).
        parent = path.parent
        while parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    def url(self, key: str) -> str:
        return self._path(key).resolve().as_uri()

    def replace_folder(self, prefix: str, steps: list[Step], items: list[Item],
                       progress: Optional[Progress], copy_from: Optional[str] = None) -> None:
        final = self._path(prefix.rstrip("/"))
        final.parent.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex[:8]
        tmp = final.with_name(f"{TMP}{final.name}-{token}")
        old = final.with_name(f"{TMP}{final.name}-old-{token}")
        try:
            for item in items:
                rel = item.path[len(prefix):]
                self._write(tmp.joinpath(*rel.split("/")), item, progress, item.path)
            if final.exists():
                os.rename(final, old)
            os.rename(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)

    def clean_leftovers(self, prefix: str) -> None:
        """Remove temporary files and folders a killed run may have left."""
        folder = self._path(prefix.rstrip("/"))
        if not folder.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(folder):
            for d in [d for d in dirnames if d.startswith(TMP)]:
                shutil.rmtree(os.path.join(dirpath, d), ignore_errors=True)
                dirnames.remove(d)
            for f in filenames:
                if f.startswith(TMP):
                    os.unlink(os.path.join(dirpath, f))


@contextlib.contextmanager
def catalogue_lock(root: Path, label: str) -> Iterator[None]:
    """Hold the catalogue's lock (waiting up to LOCK_WAIT for another publish)."""
    with open(root / LOCK, "a+b") as fh:
        deadline = time.monotonic() + LOCK_WAIT
        while not _try_lock(fh):
            if time.monotonic() > deadline:
                raise OpenbookError(f"{label}: another openbook publish has been writing to this catalogue for "
                                    f"{LOCK_WAIT // 60} minutes. Wait for it to finish, then run publish again.")
            time.sleep(0.05)
        try:
            yield
        finally:
            _unlock(fh)


def _try_lock(fh) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # Windows: lock the first byte
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, errno.EDEADLK):
            return False  # another publish holds it
        raise
    return True


def _unlock(fh) -> None:
    if fcntl is not None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    else:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)


def publish(pkg: Package, to: str, dry_run: bool = False, progress: Optional[Progress] = None,
            next_if_changed: bool = False) -> PublishResult:
    root = Path(to).expanduser()
    if root.exists() and not root.is_dir():
        raise OpenbookError(f"{to}: this is a file, not a folder. Give a folder for the catalogue, such as ./catalogue.")
    store = FolderStore(root, to)
    try:
        if dry_run:
            actions, url, pkg = publish_tree(store, pkg, dry_run, progress, next_if_changed)
        else:
            root.mkdir(parents=True, exist_ok=True)
            with catalogue_lock(root, to):
                store.clean_leftovers(f"{pkg.org_slug}/{pkg.name}/")
                actions, url, pkg = publish_tree(store, pkg, dry_run, progress, next_if_changed)
    except PermissionError as exc:
        raise OpenbookError(f"{to}: permission denied writing {exc.filename}. "
                            "Choose a folder you can write to, or ask your IT team for access.") from None
    except OSError as exc:
        raise OpenbookError(f"{to}: could not write the catalogue ({exc.strerror or exc}). "
                            "Check the disk has space and the folder is writable, then run publish again.") from None
    return PublishResult(target=to, url=url, actions=actions, dry_run=dry_run, version=pkg.version)


# compare reads each package into memory: a .zip declaring more than this once
# extracted is refused (zipfile never inflates past the declared sizes).
MAX_ZIP_IN_MEMORY = 512 * 1024 ** 2


def packages(source: str, check_files: bool = True, schemas: bool = True) -> list[Package]:
    """The packages a path stands for: a package folder or .zip, its
    datapackage.json, or a catalogue folder (each dataset once, latest first).
    ``check_files=False``: a catalogue's files are hashed when read, not now;
    ``schemas=False``: the inline Table Schemas are not kept (contract.load_package)."""
    path = Path(source).expanduser()
    if not path.exists():
        raise OpenbookError(f"{source}: no such file or folder. Give a package folder or .zip, or a catalogue folder.")
    if path.is_dir():
        if (path / DESCRIPTOR).is_file():
            return [load_package(source, FolderFiles(path))]
        return _catalogue(path, source, check_files, schemas)
    if zipfile.is_zipfile(path):
        return [_zip(path, source)]
    if path.name == DESCRIPTOR:
        return [load_package(source, FolderFiles(path.parent))]
    raise OpenbookError(f"{source}: not a package folder, .zip or catalogue folder. "
                        "Give what `openbook package` or `openbook publish` wrote.")


def _catalogue(folder: Path, label: str, check_files: bool = True, schemas: bool = True) -> list[Package]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        rel = Path(dirpath).relative_to(folder)
        # not below work folders of a publish in progress, .git, ..., nor the Parquet copy (columnar.py)
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and not (rel == Path(".") and d == columnar.ROOT)]
        if DESCRIPTOR in filenames and os.path.isfile(os.path.join(dirpath, DESCRIPTOR)):
            found.append((rel / DESCRIPTOR).as_posix())
    out = []
    for rel in choose_latest(found):
        where = (folder / rel).parent
        out.append(load_package(f"{label.rstrip('/')}/{where.relative_to(folder).as_posix()}", FolderFiles(where),
                                in_latest=where.name == LATEST, check_files=check_files, schemas=schemas))
    if not out:
        raise NoPackages(f"{label}: no datapackage.json in this folder or below it. Give package folders, "
                            ".zip files or a catalogue folder that `openbook publish` wrote.")
    return out


def _zip(path: Path, label: str) -> Package:
    """A package .zip read in memory, through the same safety checks as extracting it."""
    try:
        with zipfile.ZipFile(path) as zf:
            members, root = package_members(zf, label, MAX_ZIP_IN_MEMORY)

            def read(rel: str) -> bytes | None:
                info = members.get(root + rel)
                return zf.read(info) if info is not None else None

            return load_package(label, ReaderFiles(read))
    except zipfile.BadZipFile as exc:
        raise OpenbookError(f"{label}: the zip file is damaged ({exc}). Re-create it with `openbook package`.") from None
