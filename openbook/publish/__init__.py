"""openbook publish: put a package where people can find it.

    publish("out/anytown-2025-26")                                  # ./catalogue (a folder)
    publish("out/anytown-2025-26.zip", to="/srv/www/openbook")      # another folder
    publish("out/anytown-2025-26", to="s3://my-bucket/openbook")    # S3 or S3-compatible
    publish("out/anytown-2025-26", to="ckan+https://data.example.gov.uk", ckan_org="anytown")

One module per target behind one small interface: ``local`` (a folder),
``s3`` and ``ckan``; ``tree`` holds the folder/bucket layout they share, and
``plan`` the create/update/unchanged/delete planning. Every target is
idempotent: publishing the same package again changes nothing and reports
every file as "unchanged". No target ever gives a published version other
content (plan.settle_version).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional, Union

from openbook.errors import OpenbookError, scrub
from openbook.publish.plan import CREATE, DELETE, UNCHANGED, UPDATE, Action, Progress, PublishResult
from openbook.datapackage.contract import open_package
from openbook.publish.targets import target

__all__ = ["publish", "PublishResult", "Action", "CREATE", "UPDATE", "UNCHANGED", "DELETE"]

DEFAULT_TARGET = "catalogue"
# user@host:path (scp, rsync), user:password@host, //user:password@host: a folder
# named that would be created (at the root, for //...), secret and all
REMOTE = re.compile(r"^(?://)?(?:[^/\\:@]*:[^/\\@]*@|[^/\\]*@[^/\\]*:)")


def publish(package_path: Union[str, Path], to: str = DEFAULT_TARGET, dry_run: bool = False,
            endpoint_url: Optional[str] = None, ckan_org: Optional[str] = None,
            progress: Optional[Progress] = None, version: Optional[str] = None,
            next_version: bool = False) -> PublishResult:
    """Publish the package at ``package_path`` (a folder or .zip) to ``to``.

    ``to`` is a folder path, ``s3://bucket[/prefix]`` or ``ckan+https://host``.
    ``dry_run`` works out the plan and changes nothing. ``endpoint_url`` is
    for S3-compatible services (otherwise AWS_ENDPOINT_URL, then AWS).
    ``ckan_org`` is the CKAN organisation (default: the package's
    organisation slug); the API token is read from CKAN_API_TOKEN.
    ``version`` publishes the package as that version instead of its own.
    A version already published is never changed: other content under it is
    refused (Refused, exit 1), unless ``next_version``, which publishes
    content that differs from the newest published version as the next one
    (1.0.0 -> 1.1.0). ``result.version`` says which version was published.
    ``progress(path, done, total)`` is called as files upload (the command
    line draws it on a terminal with openbook.progress; nothing is printed here).

    Raises OpenbookError with a one-line message on any failure.
    """
    to = str(to)
    where = target(to)
    if where.kind == "local" and REMOTE.match(to):
        raise OpenbookError(f"{scrub(to)}: this looks like a remote address (user@host:path). Publish to a folder, "
                            "s3://bucket/prefix or ckan+https://host; credentials come from the environment.")
    options = {}
    if endpoint_url and not str(endpoint_url).lower().startswith(("http://", "https://")):
        raise OpenbookError(f"--endpoint-url {scrub(endpoint_url)}: give the S3 server's address, starting "
                            "https:// (or http://), without credentials.")
    if endpoint_url:
        if where.kind != "s3":
            raise OpenbookError(f"{scrub(to)}: --endpoint-url is for S3 targets (s3://bucket) only.")
        options["endpoint_url"] = endpoint_url
    if ckan_org:
        if where.kind != "ckan":
            raise OpenbookError(f"{scrub(to)}: --ckan-org is for CKAN targets (ckan+https://host) only.")
        options["ckan_org"] = ckan_org
    if version is not None and next_version:
        raise OpenbookError("--version and --next-version: give one or the other.")
    if next_version:
        options["next_if_changed"] = True
    with open_package(package_path) as pkg:
        if version is not None and str(version).strip() != pkg.version:
            pkg = pkg.with_version(str(version).strip())
        result = where.module.publish(pkg, to, dry_run=dry_run, progress=progress, **options)
    # what is printed ("Published to ...") never holds a user:password@
    result.target, result.url = scrub(result.target), scrub(result.url)
    return result
