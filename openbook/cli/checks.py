"""``openbook checks``: list the quality and privacy checks beyond the schema."""
from __future__ import annotations

import json

import click

from openbook.report.text import plain_table

from openbook.check import registry as _checks


def check_dict(c: _checks.Check) -> dict:
    return {"code": c.code, "severity": c.severity, "category": c.category,
            "schemas": list(c.schemas) or ["all"], "description": c.description, "fix": c.fix,
            "kind": "cross-table" if c.needs else ("table" if c.table else "row"),
            "needs": list(c.needs)}


@click.group("checks")
def checks():
    """The quality and privacy checks run beyond the table schemas.

    Turn one off with `openbook validate FILE --skip-check CODE`.
    """


@checks.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: an aligned table; json: every field of every check.")
def list_checks(fmt):
    """List every check: code, severity, category, schemas and description.

    \b
    Examples:
      openbook checks list
      openbook checks list --format json
      openbook validate spend.csv --skip-check below-threshold
    """
    found = _checks.all_checks()
    if fmt == "json":
        click.echo(json.dumps([check_dict(c) for c in found], indent=2, ensure_ascii=False))
        return
    rows = [[c.code, c.severity, c.category, ", ".join(c.schemas) or "all", c.description] for c in found]
    click.echo(plain_table(["code", "severity", "category", "schemas", "description"], rows))
    click.echo(f"\n{len(found)} checks. Turn one off with: openbook validate FILE --skip-check CODE")
