"""Writing files so that a failure never leaves one half-written."""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from openbook.errors import OpenbookError


@contextlib.contextmanager
def replacing(path: str | Path, what: str = "file") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    On any failure the temporary file is removed and ``path`` is as it was.
    Disk errors become one OpenbookError line naming the file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp makes the file private; give it the permissions a new file gets
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OpenbookError(f"{path}: the {what} could not be written ({exc.strerror or exc}). "
                            "Check the folder exists, there is space, and the file is not open in Excel.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, content: str | bytes, what: str = "file") -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    with replacing(path, what) as tmp:
        tmp.write_bytes(data)


def save_workbook(wb, path: str | Path, what: str = "workbook") -> None:
    """Save an openpyxl workbook atomically."""
    with replacing(path, what) as tmp:
        wb.save(tmp)


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest()
