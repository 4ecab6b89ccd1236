"""Writing files so that a failure never leaves one half-written, and nothing
is written over what it must not replace.

Every file openbook writes goes through ``replacing`` (reports, packages,
zips, templates, annotated copies): a temporary file beside the target,
renamed over it when complete. Before anything is written the target is
checked: it must not be a file openbook is reading in this run (an input),
and if it exists it must be a regular file (never a device such as
/dev/null, a folder, a pipe or a link). Every OS error becomes one line.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Iterable, Iterator

from openbook.errors import OpenbookError

# (device, inode) of every file read in this process: an output never replaces one.
_INPUTS: set[tuple[int, int]] = set()


def protect_inputs(paths: Iterable[str | Path]) -> None:
    """Remember files being read, so that no output is written over them."""
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            _INPUTS.add((st.st_dev, st.st_ino))


def forget_inputs() -> None:
    """End of a command: what it read may be written by the next one."""
    _INPUTS.clear()


def os_error(path: str | Path, exc: OSError, what: str = "file") -> OpenbookError:
    """One line for an OS error while writing: which file, what happened, what to do."""
    reason = exc.strerror or type(exc).__name__
    return OpenbookError(f"{path}: the {what} could not be written ({reason}). Check the folder exists, "
                         "you may write to it, there is space, and the file is not open in Excel.")


def check_target(path: str | Path, what: str = "file") -> None:
    """Refuse a target that is an input of this run, or that exists and is not
    a regular file (a device, folder, pipe or link: replacing one would break
    it; /dev/null replaced by a file breaks the machine)."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise os_error(path, exc, what) from None
    if not stat.S_ISREG(st.st_mode):
        kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a link" if stat.S_ISLNK(st.st_mode)
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
        raise OpenbookError(f"{path}: this is {kind}, and openbook only writes ordinary files; it was left as it "
                            "was. Choose a new file name (or leave out -o to see the output on screen).")
    if (st.st_dev, st.st_ino) in _INPUTS:
        raise OpenbookError(f"{path}: this is one of the files being read; openbook never writes over its input. "
                            "Choose another file name for the output.")


@contextlib.contextmanager
def replacing(path: str | Path, what: str = "file") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    On any failure the temporary file is removed and ``path`` is as it was.
    Disk errors become one OpenbookError line naming the file.
    """
    path = Path(path)
    check_target(path, what)
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        tmp = Path(name)
        yield tmp
        # mkstemp makes the file private; give it the permissions a new file gets
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        check_target(path, what)  # nothing took its place while we wrote
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise os_error(path, exc, what) from None
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, content: str | bytes, what: str = "file") -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    with replacing(path, what) as tmp:
        tmp.write_bytes(data)


def save_workbook(wb, path: str | Path, what: str = "workbook") -> None:
    """Save an openpyxl workbook atomically; with SOURCE_DATE_EPOCH set, byte for
    byte the same each time (the document's dates and every zip entry's time)."""
    with replacing(path, what) as tmp:
        wb.save(tmp)
        epoch = _source_date_epoch()
        if epoch is not None:
            _reproducible_zip(tmp, epoch)


# A part this large is deflated at level 1: a 90 MB sheet takes 0.4 s instead of
# 1.6 s, and its copy is about 30% larger.
FAST_DEFLATE_BYTES = 16 * 1024 * 1024


def save_workbook_parts(parts: Iterable[tuple[str, bytes]], path: str | Path, what: str = "workbook") -> None:
    """Write an .xlsx from its parts (name, bytes), in order, atomically; with
    SOURCE_DATE_EPOCH set, byte for byte the same each time, as save_workbook."""
    with replacing(path, what) as tmp:
        _write_parts(tmp, ((name, data, None) for name, data in parts), _source_date_epoch(),
                     fast_above=FAST_DEFLATE_BYTES)


def _source_date_epoch() -> int | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else None


def _reproducible_zip(path: Path, epoch: int) -> None:
    """Rewrite an .xlsx with fixed times: openpyxl stamps "now" into docProps/core.xml
    and into each zip entry, so two identical runs would differ."""
    import zipfile
    with zipfile.ZipFile(path) as zf:
        entries = [(info.filename, zf.read(info), info.external_attr) for info in zf.infolist()]
    _write_parts(path, entries, epoch)


def _write_parts(path: Path, entries, epoch: int | None, fast_above: int | None = None) -> None:
    """The zip of ``entries`` (name, bytes, external_attr or None); with an epoch,
    every entry and the document's dates carry that time instead of now."""
    import datetime as dt
    import re
    import zipfile
    if epoch is None:
        when = dt.datetime.now()
    else:
        when = dt.datetime.fromtimestamp(max(epoch, 315532800), dt.timezone.utc)   # zip times start in 1980
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data, attr in entries:
            if epoch is not None and name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(name, when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = attr if attr is not None else 0o600 << 16
            fast = fast_above is not None and len(data) > fast_above
            out.writestr(fixed, data, compresslevel=1 if fast else None)


# A work folder older than this with no live owner is a leftover of a run that
# was killed; a younger one may be a run that has just started and not yet
# taken its lock.
STALE_SECONDS = 10.0


# Locks held on this process's work folders, released once a folder is gone
# (renamed into place or removed).
_LOCKS: dict[Path, int] = {}


def work_folder(parent: str | Path, prefix: str) -> Path:
    """A new hidden folder ``parent/<prefix>XXXX`` to build something in.

    The run holds a lock on it until it is renamed or removed; leftovers of
    killed runs (no lock held) are removed first, so they never pile up or get
    read as data. The caller renames it into place or removes it."""
    parent = Path(parent)
    for old, fd in list(_LOCKS.items()):
        if not old.exists():
            os.close(fd)
            del _LOCKS[old]
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale(parent, prefix)
        work = Path(tempfile.mkdtemp(dir=parent, prefix=prefix))
        fd = os.open(work, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _LOCKS[work] = fd
        work.chmod(0o755)  # mkdtemp makes it private; what is built here is for publishing
    except OSError as exc:
        raise os_error(parent, exc, "folder") from None
    return work


def remove_stale(parent: Path, prefix: str) -> list[Path]:
    """Remove work folders under ``parent`` left by runs that were killed."""
    removed = []
    for old in parent.glob(f"{prefix}*"):
        try:
            if not old.is_dir() or old.is_symlink() or time.time() - old.stat().st_mtime < STALE_SECONDS:
                continue
            fd = os.open(old, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live run holds it
        else:
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old)
        finally:
            os.close(fd)
    return removed


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest()
