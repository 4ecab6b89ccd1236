"""``openbook serve``: the checks in a web page, and a status board for catalogues."""
from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

import click

from openbook.cli.common import friendly_errors
from openbook.errors import OpenbookError


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--token", metavar="T", help="Require this token on every request (needed off loopback). "
              "OPENBOOK_SERVE_TOKEN works too; --token generate makes one.")
@click.option("--publish-to", metavar="TARGET", help="Where packaged submissions are published: a folder, "
              "s3://bucket/prefix or ckan+https://host (credentials from the environment).")
@click.option("--catalogue", metavar="SOURCE", help="What the status board shows (default: --publish-to).")
@click.option("--register", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A CSV of the bodies expected to publish: uri,name,type,cadence.")
@click.option("--max-upload-mb", default=100, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--job-seconds", default=120, show_default=True, type=click.IntRange(5, 3600),
              help="The time limit for checking one file.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Files checked at once.")
@friendly_errors
def serve(host, port, token, publish_to, catalogue, register, max_upload_mb, job_seconds, workers):
    """Start a local web page to check files, publish them and see the catalogue.

    It listens on 127.0.0.1 (this computer only) unless --host says otherwise,
    prints its address and opens nothing by itself. Off this computer it needs
    --token, and should sit behind a reverse proxy that adds HTTPS
    (docs/serve.md).

    \b
    Examples:
      openbook serve
      openbook serve --publish-to catalogue --register councils.csv
      openbook serve --host 0.0.0.0 --token generate --publish-to s3://my-bucket/openbook
    """
    token = token or os.environ.get("OPENBOOK_SERVE_TOKEN") or None
    if token == "generate":
        token = secrets.token_urlsafe(24)
    if not _loopback(host) and not token:
        raise OpenbookError(f"--host {host}: other computers could reach this server, so it needs --token "
                            "(or OPENBOOK_SERVE_TOKEN). Use --token generate to make one.")
    if token is not None and len(token) < 16:
        raise OpenbookError("--token: use at least 16 characters (or --token generate).")
    import waitress

    from openbook.serve.app import Settings, create_app
    app = create_app(Settings(max_upload_bytes=max_upload_mb * 1024 ** 2, job_seconds=job_seconds,
                              workers=workers, token=token, publish_to=publish_to, catalogue=catalogue,
                              register=register))
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    click.echo(f"openbook is serving at {url}  (Ctrl+C to stop)", err=True)
    try:
        # waitress refuses bodies past twice the limit on its own; below that the
        # application answers with its explained 413 page.
        # Uploads wait for a worker in their own thread: enough threads that pages
        # (reports, downloads) are still served while files queue.
        waitress.serve(app, host=host, port=port, threads=max(16, workers * 8),
                       max_request_body_size=(2 * max_upload_mb + 1) * 1024 ** 2, ident="openbook", _quiet=True)
    except OSError as exc:
        raise OpenbookError(f"--port {port}: could not listen on {host}:{port} ({exc.strerror or exc}). "
                            "Choose another port with --port.") from None
