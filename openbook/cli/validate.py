"""``openbook validate``: find every problem, at its cell."""
from __future__ import annotations

import os
import sys

import click

from openbook.cli.common import friendly_errors, write_output
from openbook.progress import progress_line


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--profile", type=click.Choice(["council", "supplier"]), help="Also require the profile's tables.")
@click.option("--schema", "schema", metavar="NAME", help="Check every table against this schema.")
@click.option("--period", metavar="PERIOD", help="The period the data covers: 2025-04 (month), 2025-Q1, 2025-26 "
              "(financial year). Default: from the About sheet, a mapping or the file name.")
@click.option("--org-uri", metavar="URI", help="The organisation's web address: fills a missing OrganisationURI "
              "column, or one that holds a code such as 18 on every row.")
@click.option("--org-name", metavar="NAME", help="The organisation's name: fills a missing OrganisationLabel.")
@click.option("--mapping", metavar="FILE", type=click.Path(), help="A mapping of the file's columns to the "
              "standard (openbook map writes one). Default: FILE.openbook.yaml or openbook.yaml beside the data.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE instead of the screen.")
@click.option("--max-errors", type=click.IntRange(min=0), help="List at most N problems (all are still counted).")
@click.option("--skip-check", "skip_checks", multiple=True, metavar="CODE", help="Turn off one quality check.")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Processes for a folder of many files (default: one per core).")
@click.option("--annotate", metavar="OUT.xlsx", help="Also write a copy of the workbook with problems marked "
              "(one OUT-<file>.xlsx per file when several are checked).")
@click.option("-q", "--quiet", is_flag=True, help="No progress line on the terminal (errors and the verdict still print).")
@friendly_errors
def validate(paths, profile, schema, period, org_uri, org_name, mapping, fmt, output, max_errors, skip_checks,
             workers, annotate, quiet):
    """Check spreadsheets and CSV files against the open-book standard.

    Every problem is reported at its cell (Spend!D14). Exit status: 0 valid,
    1 errors found, 2 the input could not be read.

    \b
    Examples:
      openbook validate spend-2025-04.csv
      openbook validate anytown.xlsx --profile council
      openbook validate spend.csv --period 2025-04 --org-uri https://www.anytown.gov.uk/
      openbook validate ledger.csv --mapping ledger.csv.openbook.yaml
      openbook validate submissions/ --format json -o report.json
      openbook validate anytown.xlsx --format html -o report.html
    """
    from openbook.check.validate import validate as run_validate
    with progress_line(quiet) as progress:
        report = run_validate(list(paths), profile=profile, schema=schema, max_errors=max_errors,
                              skip_checks=skip_checks, progress=progress,
                              workers=workers or os.cpu_count() or 1, period=period, org_uri=org_uri,
                              org_name=org_name, mapping=mapping)
    if fmt == "json":
        write_output(report.to_json(), output)
    elif fmt == "html":
        from openbook.report.html import report_html
        write_output(report_html(report), output)
    else:
        from openbook.report.text import text
        write_output(text(report), output)
    if annotate:
        from openbook.report.annotate import annotate as annotate_workbook
        for written in annotate_workbook(report, annotate) or []:
            click.echo(f"Marked-up copy written to {written}", err=True)
    if output and output != "-":
        from openbook.report.text import verdict
        click.echo(verdict(report, listed_in=output), err=True)
    sys.exit(0 if report.valid else 1)
