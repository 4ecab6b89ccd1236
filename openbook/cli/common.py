"""What every command shares: one-line errors and careful output."""
from __future__ import annotations

import functools
import sys

import click

from openbook.errors import OpenbookError, scrub


def friendly_errors(fn):
    """Turn OpenbookError into one line on stderr and exit 2: never a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OpenbookError as exc:
            click.echo(f"openbook: {scrub(exc)}", err=True)  # the one scrubber: no secret, no control
            sys.exit(exc.exit_code)
    return wrapper


def write_output(content: str | bytes, output: str | None) -> None:
    """Write to a file atomically (nothing half-written), or to stdout."""
    if output is None or output == "-":
        click.echo(content if isinstance(content, str) else content.decode(), nl=False)
        return
    from openbook.files import atomic_write
    atomic_write(output, content)
