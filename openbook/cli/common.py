"""What every command shares: one-line errors and careful output."""
from __future__ import annotations

import functools
import sys

import click

from openbook.errors import OpenbookError, scrub


def friendly_errors(fn):
    """Turn OpenbookError into one line on stderr and exit 2: never a traceback.

    An OS error that escaped a stage (a disk that filled, a folder that cannot
    be written) is one line too, naming the file, with exit 2."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OpenbookError as exc:
            click.echo(f"openbook: {scrub(exc)}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else "a file could not be read or written: "
            reason = exc.strerror or (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            click.echo(scrub(f"openbook: {where}{reason}. Check the path exists, you may read and write there, "
                             "and there is space on the disk; then run the command again."), err=True)
            sys.exit(2)
    return wrapper


def write_output(content: str | bytes, output: str | None) -> None:
    """Write to a file atomically (nothing half-written, never over an input,
    a device or anything but a regular file), or to stdout."""
    if output is None or output == "-":
        click.echo(content if isinstance(content, str) else content.decode(), nl=False)
        return
    from openbook.files import atomic_write
    atomic_write(output, content, "report")

