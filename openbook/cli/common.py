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
            click.echo(f"openbook: {scrub(exc)}", err=True)  # the one scrubber: no secret, no control
            sys.exit(exc.exit_code)
        except OSError as exc:   # the net under every stage: a file system or network error
            reason = exc.strerror or (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            if exc.filename:
                line = (f"{exc.filename}: {reason}. Check the path exists, you may read and write there, and "
                        "there is space on the disk; then run the command again.")
            else:
                line = (f"{reason}. Check the files and addresses given (that a folder may be written and has "
                        "space, that a web address and its port are right); then run the command again.")
            click.echo(scrub(f"openbook: {line}"), err=True)
            sys.exit(2)
        finally:
            from openbook.files import forget_inputs
            forget_inputs()   # protection lasts one command (several run in one process under tests)
    return wrapper


def write_output(content: str | bytes, output: str | None) -> None:
    """Write to a file atomically (nothing half-written, never over an input,
    a device or anything but a regular file), or to stdout."""
    if output is None or output == "-":
        click.echo(content if isinstance(content, str) else content.decode(), nl=False)
        return
    from openbook.files import atomic_write
    atomic_write(output, content, "report")

