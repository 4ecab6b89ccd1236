"""`openbook compare`: duplication across bodies, the savings scenario, the Public Value Index."""
from __future__ import annotations

import click

from openbook.cli.common import friendly_errors, write_output
from openbook.errors import OpenbookError


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--reduction", type=float, default=0.4, show_default=True, metavar="FRACTION",
              help="The cut in duplicated back-office functions and systems for the scenario (0.4 = 40%).")
@click.option("--register", metavar="CSV", type=click.Path(dir_okay=False),
              help="A CSV giving each body's type (columns: organisation, name, slug, uri or code; and type), "
                   "for peer groups when the packages do not say it.")
@click.option("--scale-population", type=click.IntRange(min=1), metavar="N",
              help="Extrapolate the scenario's saving per 100,000 residents to N residents (needs --scale-source).")
@click.option("--scale-source", metavar="TEXT",
              help="Where the --scale-population figure comes from, stated in the report "
                   "(for example 'the region, from our own register').")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "text"]), default="text", show_default=True)
@click.option("-o", "--output", metavar="FILE",
              help="Write the report to FILE. With --format html, CSV and JSON exports are written beside it.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line on the terminal (errors and the verdict still print).")
@friendly_errors
def compare(sources, reduction, register, scale_population, scale_source, fmt, output, quiet):
    """Compare open-book packages across public bodies.

    Finds functions, systems, suppliers and roles several bodies duplicate,
    compares each body with its peers (same type, same population band),
    estimates the savings from cutting duplicated back-office work by
    --reduction, reconciles suppliers' open-book costs against the councils'
    spend, and sets outcomes against cost in a Public Value Index.

    SOURCE is a package folder or .zip, a catalogue folder, s3://bucket/prefix,
    or ckan+https://host/organization/NAME (or /group/NAME).

    \b
    Examples:
      openbook compare out/anytown-2025-26 out/brookshire-2025-26.zip catalogue/
      openbook compare catalogue/ --format html -o compare.html
      openbook compare s3://open-book/catalogue --format json -o compare.json
      openbook compare ckan+https://data.example.gov.uk/group/shared-services
      openbook compare catalogue/ --register councils.csv \\
          --scale-population 2500000 --scale-source "the region, from our own register"
    """
    from openbook.compare import compare as run_compare
    from openbook.compare import render
    from openbook.progress import progress_line

    if not 0 <= reduction <= 1:
        raise OpenbookError(f"--reduction {reduction:g}: use a fraction between 0 and 1, such as 0.4 for 40%.")
    if scale_source and not scale_population:
        raise OpenbookError("--scale-source needs --scale-population: give the population to scale to.")
    with progress_line(quiet) as progress:   # reading packages n of N, then each step of the comparison
        result = run_compare(list(sources), reduction=reduction, register=register,
                             scale_population=scale_population, scale_source=scale_source, progress=progress)
    if fmt == "json":
        write_output(render.to_json(result), output)
    elif fmt == "html":
        write_output(render.html(result), output)
        if output and output != "-":
            written = render.export_files(result, output)
            click.echo(f"Wrote {output} and {len(written)} exports beside it "
                       f"({', '.join(p.name for p in written)}).", err=True)
    else:
        write_output(render.text(result), output)
    if output and output != "-" and fmt != "text":
        from openbook.compare.render import verdict_lines
        for line in verdict_lines(result):
            click.echo(f"Verdict: {line}", err=True)
