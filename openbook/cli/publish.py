"""`openbook publish`: the click command over openbook.publish.publish."""
from __future__ import annotations

import click

from openbook.cli.common import friendly_errors


@click.command()
@click.argument("package_path", metavar="PACKAGE", type=click.Path())
@click.option("--to", "target", default="./catalogue", show_default=True, metavar="TARGET",
              help="A folder, s3://BUCKET[/PREFIX] or ckan+https://CKAN-SITE.")
@click.option("--dry-run", is_flag=True, help="Show what would be created, updated or left alone; change nothing.")
@click.option("--endpoint-url", metavar="URL",
              help="S3-compatible server (MinIO, Ceph...). Default: AWS_ENDPOINT_URL, else AWS.")
@click.option("--ckan-org", metavar="NAME", help="CKAN organisation to publish into. Default: the package's organisation.")
@click.option("--version", "version", metavar="VERSION",
              help="Publish as this version (e.g. 1.1.0) instead of the one in the package.")
@click.option("--next-version", is_flag=True,
              help="If the content differs from the newest published version, publish it as the next one "
                   "(1.0.0 -> 1.1.0); if not, change nothing.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line on the terminal (errors and what was published still print).")
@friendly_errors
def publish(package_path, target, dry_run, endpoint_url, ckan_org, version, next_version, quiet):
    """Publish a package (folder or .zip from `openbook package`) to a catalogue.

    Running it again with the same package changes nothing: every file shows
    as "unchanged". A new version is added beside the old ones, which stay
    where they were; latest/ always holds the newest. A published version is
    never changed: a package with other content under the same name and
    version is refused (exit 1); publish it with --version or --next-version.

    \b
    Examples:
      openbook publish out/anytown-borough-council-open-book-2025-26
      openbook publish out/anytown-borough-council-open-book-2025-26.zip --to /srv/www/openbook
      openbook publish out/anytown-borough-council-open-book-2025-26 --dry-run
      openbook publish out/anytown-borough-council-open-book-2025-26 --next-version
      openbook publish out/anytown-borough-council-open-book-2025-26 --to s3://my-bucket/openbook
      openbook publish out/anytown-borough-council-open-book-2025-26 --to s3://openbook \\
          --endpoint-url https://minio.example.gov.uk
      CKAN_API_TOKEN=... openbook publish out/anytown-borough-council-open-book-2025-26 \\
          --to ckan+https://data.example.gov.uk --ckan-org anytown-borough-council

    \b
    S3 credentials come from the usual AWS settings (AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, or AWS_PROFILE). The CKAN API token is read from
    CKAN_API_TOKEN. Neither is ever printed. See docs/publishing.md.
    """
    from openbook.publish import publish as run_publish
    from openbook.progress import progress_line
    from openbook.publish.plan import CREATE, DELETE, UNCHANGED, UPDATE, human_bytes

    with progress_line(quiet, unit="bytes") as progress:   # each file as it uploads
        result = run_publish(package_path, to=target, dry_run=dry_run, endpoint_url=endpoint_url,
                             ckan_org=ckan_org, version=version, next_version=next_version, progress=progress)
    for a in result.actions:
        size = f"  ({human_bytes(a.bytes)})" if a.action in (CREATE, UPDATE) and a.bytes else ""
        click.echo(f"{a.action:<10} {a.target}{size}")
    n = result.counts()
    what = f"version {result.version}"
    if dry_run:
        click.echo(f"Dry run, nothing was changed: {result.target} would get {what}: {n[CREATE]} created, "
                   f"{n[UPDATE]} updated, {n[DELETE]} deleted, {n[UNCHANGED]} unchanged.")
    elif not result.changed:
        click.echo(f"Nothing to do: {result.target} already has this package as {what} "
                   f"({n[UNCHANGED]} unchanged). {result.url}")
    else:
        click.echo(f"Published to {result.target} as {what}: {n[CREATE]} created, {n[UPDATE]} updated, "
                   f"{n[DELETE]} deleted, {n[UNCHANGED]} unchanged. {result.url}")


if __name__ == "__main__":
    publish()
