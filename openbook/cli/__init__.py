"""The openbook command line: thin click commands over the Python API."""
from __future__ import annotations

import click

from openbook.cli import checks, compare, init, map, package, publish, query, schemas, serve, validate


@click.group()
@click.version_option(package_name="openbook")
def cli():
    """openbook: validate, package, publish and compare UK open-book data.

    Start with `openbook validate your-file.xlsx`.
    """


for command in (validate.validate, schemas.schemas, checks.checks, init.init, package.package,
                publish.publish, compare.compare, map.map_command, query.query, serve.serve):
    cli.add_command(command)
