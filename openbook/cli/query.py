"""``openbook query``: SQL over a published catalogue's tables."""
from __future__ import annotations

import click

from openbook.cli.common import friendly_errors, write_output


@click.command("query")
@click.argument("catalogue")
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.option("--endpoint-url", metavar="URL", help="An S3-compatible service (else AWS_ENDPOINT_URL, then AWS).")
@click.option("-o", "--output", metavar="FILE", help="Write the result to FILE instead of the screen.")
@friendly_errors
def query(catalogue, sql, fmt, endpoint_url, output):
    """Run SQL over the tables of a published catalogue (a folder or s3://).

    Each table of the standard is a SQL table (spend, functions, costs,
    systems, roles_senior, roles_junior, outcomes, supplier_costs) with the
    columns organisation and period besides its own.

    \b
    Examples:
      openbook query catalogue "SELECT organisation, SUM(Amount) AS total FROM spend GROUP BY organisation"
      openbook query s3://my-bucket/openbook "SELECT COUNT(*) FROM functions" --format csv
    """
    from openbook.publish.query import query as run_query
    frame = run_query(catalogue, sql, endpoint_url=endpoint_url)
    if fmt == "csv":
        text = frame.write_csv()
    elif fmt == "json":
        text = frame.write_json() + "\n"
    else:
        from openbook.report.text import plain_table
        rows = [["" if v is None else str(v) for v in row] for row in frame.iter_rows()]
        text = plain_table(list(frame.columns), rows) + f"\n{frame.height:,} row{'s' if frame.height != 1 else ''}\n"
    write_output(text, output)
