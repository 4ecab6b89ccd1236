"""``openbook schemas``: list and show the bundled open-book standard."""
from __future__ import annotations

import json

import click

from openbook.report.text import plain_table

from openbook.standard import schemas as _schemas
from openbook.cli.common import friendly_errors


@click.group("schemas")
def schemas():
    """List and show the tables of the open-book standard.

    Example: openbook schemas show spend
    """


@schemas.command("list")
def list_schemas():
    """List the table schemas of the standard with their field counts.

    Example: openbook schemas list
    """
    rows = []
    for name in _schemas.names():
        d = _schemas.load(name)
        rows.append([name, d.get("title", ""), d.get("version", ""), str(len(d["fields"]))])
    click.echo(f"open-book standard {_schemas.STANDARD_VERSION}")
    click.echo(plain_table(["name", "title", "version", "fields"], rows))


@schemas.command("show")
@click.argument("name")
@click.option(
    "--format", "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text", show_default=True,
    help="text: a readable field table; json: the schema as openbook uses it; "
         "markdown: documentation.",
)
@friendly_errors
def show(name, fmt):
    """Show the fields of one table schema (NAME as given by `schemas list`).

    Example: openbook schemas show spend --format json
    """
    if fmt == "json":
        click.echo(json.dumps(_schemas.load(name), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(_schemas.markdown(name), nl=False)
    else:
        d = _schemas.load(name)
        click.echo(f"{d['title']} ({d['name']}), version {d['version']}")
        click.echo(d["description"])
        if d.get("primaryKey"):
            click.echo("Primary key: " + ", ".join(d["primaryKey"]))
        click.echo("")
        cols = ["field", "type", "required", "constraints", "example"]
        rows = [[r[c] for c in cols] for r in _schemas.field_table(name)]
        click.echo(plain_table(cols, rows))
