"""`openbook package`: the click command over openbook.package.package."""
from __future__ import annotations

import click

from openbook.cli.common import friendly_errors


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--profile", type=click.Choice(["council", "supplier"]), help="Submission type (default: from the tables).")
@click.option("--org-uri", metavar="URI", help="The organisation's web address, e.g. https://www.anytown.gov.uk/")
@click.option("--org-name", metavar="NAME", help='e.g. "Anytown Borough Council"')
@click.option("--period", metavar="PERIOD", help="2025-26 (financial year), 2025-04 (month) or 2025.")
@click.option("--holds", metavar="WORDS",
              help='What the package holds, for its name and title, e.g. "card transactions". '
                   "Default: from the tables (open-book data, spend, card transactions, organogram...).")
@click.option("--version", "version", metavar="VERSION",
              help="The package's version (default: the About sheet's, else 1.0.0). Give a new one to "
                   "publish changed data under a name already published.")
@click.option("-o", "--output", "out_dir", default="out", show_default=True, metavar="DIR",
              help="Folder to write the package into.")
@click.option("--zip", "as_zip", is_flag=True, help="Write one .zip file instead of a folder.")
@click.option("--allow-invalid", is_flag=True, help="Package even when there are errors (the report goes in too).")
@click.option("--allow-personal-data", is_flag=True, help="With --allow-invalid: package despite personal data.")
@click.option("--skip-check", "skip_checks", multiple=True, metavar="CODE", help="Turn off one quality check.")
@click.option("--mapping", metavar="FILE", type=click.Path(), help="A mapping of the file's columns to the "
              "standard (openbook map writes one). Default: FILE.openbook.yaml or openbook.yaml beside the data.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line on the terminal (errors and the verdict still print).")
@friendly_errors
def package(paths, profile, org_uri, org_name, period, holds, version, out_dir, as_zip, allow_invalid,
            allow_personal_data, skip_checks, mapping, quiet):
    """Validate a submission and write it as a Frictionless Data Package.

    The organisation and period can also come from an "About" sheet in the
    workbook or from openbook.yaml beside it; the command line wins. The
    package's name says who, what and when: the organisation, what the
    tables hold (open-book data, spend, card transactions, organogram...)
    and the period.

    \b
    Examples:
      openbook package anytown.xlsx -o out
      openbook package spend-2025-04.csv --org-name "Anytown Borough Council" \\
          --org-uri https://www.anytown.gov.uk/ --period 2025-04 --zip
      openbook package gpc-2025-26.csv --holds "card transactions" --version 1.1.0
    """
    from openbook.datapackage.write import package as build
    from openbook.progress import progress_line
    with progress_line(quiet) as progress:
        result = build(list(paths), out_dir=out_dir, profile=profile, org_uri=org_uri, org_name=org_name,
                       period=period, zip=as_zip, allow_invalid=allow_invalid,
                       allow_personal_data=allow_personal_data, skip_checks=skip_checks, progress=progress,
                       holds=holds, version=version, mapping=mapping)
    d = result.descriptor
    rows = sum(r["rows"] for r in d["resources"])
    click.echo(f"Packaged {len(d['resources'])} tables ({rows} rows) from {d['publisher']['title']} "
               f"for {d['openbook']['period']} into {result.path}")
    if not result.report.valid:
        click.echo(f"Warning: packaged with {result.report.errors} errors (--allow-invalid); "
                   "the full report is in report.json.", err=True)
