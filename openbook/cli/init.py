"""`openbook init`: write an Excel template generated from the schemas."""
from __future__ import annotations

import click

from openbook.cli.common import friendly_errors


@click.command("init")
@click.argument("out", metavar="OUT.xlsx", type=click.Path(dir_okay=False))
@click.option("--profile", type=click.Choice(["council", "supplier"]), default="council", show_default=True,
              help="Which submission to write a template for.")
@click.option("--org", metavar="NAME", help="Your organisation's name, written on the About sheet.")
@click.option("--org-uri", metavar="URI", help="Your organisation's URI (e.g. https://anytown.gov.uk).")
@click.option("--force", is_flag=True, help="Replace OUT.xlsx if it already exists.")
@friendly_errors
def init(out, profile, org, org_uri, force):
    """Write an Excel template to fill in: one sheet per table.

    The template has the standard column headings, a note on each column
    (click a cell to see it), dropdowns for coded values, and an About sheet
    for your organisation's details. A correctly filled template passes
    `openbook validate`.

    \b
    Examples:
      openbook init anytown-2025-26.xlsx --org "Anytown Borough Council" --org-uri https://anytown.gov.uk
      openbook init acme-open-book.xlsx --profile supplier
    """
    from openbook.standard.template import write_template
    path = write_template(out, profile=profile, org=org, org_uri=org_uri, force=force)
    click.echo(f"Wrote {path}: a {profile} template. Fill it in, then run: openbook validate {path}", err=True)
