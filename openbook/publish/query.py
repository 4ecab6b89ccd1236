"""SQL over a published catalogue's tables (the Parquet layout of columnar.py).

    query("catalogue", "SELECT organisation, SUM(Amount) FROM spend GROUP BY organisation")
    query("s3://bucket/openbook", "SELECT COUNT(*) FROM functions")

Each table of the standard is a SQL table named after it, with '-' read as
'_' (``roles_senior``, ``supplier_costs``), plus the partition columns
``organisation`` and ``period``. polars reads the files lazily, from a folder
or straight from S3 (its own object-store reader: no network extensions),
so only the columns and partitions a query needs are read. Bigger catalogues
belong in the engines that already read this layout (docs/publishing.md).
"""
from __future__ import annotations

import os
from pathlib import Path

from openbook.errors import OpenbookError, scrub
from openbook.publish.columnar import ROOT
from openbook.publish.targets import target


def _s3_options(endpoint_url: str | None) -> dict:
    """polars' object-store settings, from the same environment boto3 reads (never printed)."""
    options = {}
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["aws_endpoint_url"] = endpoint
        options["aws_virtual_hosted_style_request"] = "false"
        if endpoint.startswith("http://"):
            options["aws_allow_http"] = "true"
    for env, key in (("AWS_ACCESS_KEY_ID", "aws_access_key_id"), ("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"),
                     ("AWS_SESSION_TOKEN", "aws_session_token")):
        if os.environ.get(env):
            options[key] = os.environ[env]
    options["aws_region"] = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return options


def tables(catalogue: str, endpoint_url: str | None = None) -> dict[str, tuple[str, dict]]:
    """SQL name -> (glob of its Parquet files, storage options)."""
    where = target(catalogue)
    if where.kind == "local":
        root = Path(catalogue).expanduser() / ROOT
        names = sorted(p.name[len("table="):] for p in root.glob("table=*") if p.is_dir()) if root.is_dir() else []
        base, options = str(root), {}
    elif where.kind == "s3":
        from openbook.publish.s3 import S3Store
        store = S3Store(catalogue, endpoint_url)
        names = sorted({k.split("/")[1][len("table="):] for k in store.listing()
                        if k.startswith(ROOT + "/table=") and k.endswith(".parquet")})
        base, options = f"s3://{store.bucket}/{store.prefix}{ROOT}", _s3_options(endpoint_url)
    else:
        raise OpenbookError(f"{scrub(catalogue)}: openbook query reads a folder or s3:// catalogue; a CKAN site "
                            "has its own DataStore API.")
    if not names:
        raise OpenbookError(f"{scrub(catalogue)}: no tables to query here. Publish with this version of openbook "
                            "(it writes _parquet/ beside the packages), or give the catalogue's address.")
    return {n.replace("-", "_"): (f"{base}/table={n}/**/*.parquet", options) for n in names}


def query(catalogue: str, sql: str, endpoint_url: str | None = None):
    """The result of ``sql`` over the catalogue's tables, as a polars DataFrame."""
    import polars as pl
    found = tables(catalogue, endpoint_url)
    context = pl.SQLContext()
    for name, (glob, options) in found.items():
        context.register(name, pl.scan_parquet(glob, hive_partitioning=True, storage_options=options or None))
    try:
        return context.execute(sql).collect()
    except Exception as exc:  # polars' SQL and compute errors: one line, the tables named
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise OpenbookError(f"the query could not run ({first}). The tables are: {', '.join(sorted(found))}.") from None
