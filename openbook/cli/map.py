"""``openbook map``: propose how a file's columns read as the standard."""
from __future__ import annotations

from pathlib import Path

import click

from openbook.cli.common import friendly_errors, write_output


@click.command("map")
@click.argument("path", type=click.Path())
@click.option("-o", "--output", metavar="FILE", help="Where to write the mapping (default: FILE.openbook.yaml "
              "beside the data, where validate and package find it; - for the screen).")
@click.option("--force", is_flag=True, help="Replace a mapping that is already there.")
@friendly_errors
def map_command(path, output, force):
    """Write a mapping of a file's columns to the standard, to check and finish.

    openbook proposes what it can tell from the headings and the values, and
    marks the rest FILL IN (the organisation's web address, a column it cannot
    place). validate and package then read the file through the mapping.

    \b
    Examples:
      openbook map ledger-2025-04.csv
      openbook map ledger-2025-04.csv -o -
      openbook validate ledger-2025-04.csv
    """
    from openbook.check.adapt import propose
    from openbook.errors import OpenbookError
    from openbook.read.tables import read_tables
    source = Path(path)
    if not source.is_file():
        raise OpenbookError(f"{path}: no such file. Give one data file (.csv, .xlsx, .xls).")
    text = propose(source, read_tables(source))
    target = output or str(source.with_name(source.name + ".openbook.yaml"))
    if target != "-" and Path(target).exists() and not force:
        raise OpenbookError(f"{target}: a mapping is already there. Use --force to replace it, "
                            "or -o to write another file.")
    write_output(text, target)
    if target != "-":
        click.echo(f"Mapping written to {target}. Check it, fill in each FILL IN, then run "
                   f"openbook validate {path}", err=True)
