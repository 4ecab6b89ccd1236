"""Publish to Amazon S3 or an S3-compatible service (MinIO, Ceph, moto...).

Credentials come from boto3's standard chain (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance role...), never from the
command line. The endpoint is --endpoint-url, else AWS_ENDPOINT_URL_S3 or
AWS_ENDPOINT_URL, else AWS itself.

Every object gets a Content-Type, a Cache-Control and its sha256 as object
metadata (``x-amz-meta-sha256``); a file whose size and sha256 metadata
already match is not uploaded again (one HEAD request, no download). Large
files go up in parts (boto3's TransferConfig). No ACLs are set: make the
bucket (or a prefix) readable with a bucket policy (docs/publishing.md).
"""
from __future__ import annotations

import os
import re
import threading
from typing import Optional
from urllib.parse import quote

from openbook.errors import NoPackages, OpenbookError, scrub
from openbook.publish import http
from openbook.publish.plan import Progress, PublishResult, Step
from openbook.datapackage.contract import DESCRIPTOR, Item, Package
from openbook.publish.tree import Store, cache_control, publish_tree, read_catalogue

DEFAULT_MULTIPART_THRESHOLD = 8 * 1024 * 1024


def multipart_threshold() -> int:
    """Files this big or bigger upload in parts. OPENBOOK_S3_MULTIPART_THRESHOLD (bytes) overrides."""
    raw = os.environ.get("OPENBOOK_S3_MULTIPART_THRESHOLD")
    try:
        return max(5 * 1024 * 1024, int(raw)) if raw else DEFAULT_MULTIPART_THRESHOLD
    except ValueError:
        raise OpenbookError(f"OPENBOOK_S3_MULTIPART_THRESHOLD={raw!r} is not a number of bytes.") from None


BUCKET_NAME = re.compile(r"[A-Za-z0-9._-]{1,255}")


def parse_target(to: str) -> tuple[str, str]:
    rest = to[len("s3://"):]
    bucket, _, prefix = rest.partition("/")
    prefix = prefix.strip("/")
    if not bucket:
        raise OpenbookError(f"{scrub(to)}: no bucket name. Use s3://BUCKET or s3://BUCKET/PREFIX.")
    if not BUCKET_NAME.fullmatch(bucket):  # user:secret@bucket, spaces, ...: never sent, never echoed
        raise OpenbookError(f"{scrub(to)}: not a valid bucket name (letters, digits, dots, hyphens). Use "
                            "s3://BUCKET/PREFIX; credentials come from the environment, never the address.")
    return bucket, (prefix + "/" if prefix else "")


def _safe_endpoint(url: Optional[str]) -> str:
    """The endpoint for messages."""
    return scrub(url) if url else "AWS S3"


class S3Store(Store):
    def __init__(self, to: str, endpoint_url: Optional[str]):
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.label = scrub(to)   # messages name the target without any user:password@
        self.bucket, self.prefix = parse_target(to)
        self.endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        # The same timeouts and number of attempts as every other target (http.py);
        # botocore's "standard" mode backs off exponentially between attempts.
        connect_timeout, read_timeout = http.http_timeout()
        options = dict(retries={"max_attempts": http.ATTEMPTS, "mode": "standard"},
                       connect_timeout=connect_timeout, read_timeout=read_timeout)
        if self.endpoint:
            # S3-compatible servers are usually addressed by path, not by bucket host name.
            options["s3"] = {"addressing_style": "path"}
        try:
            self.client = boto3.session.Session().client("s3", endpoint_url=self.endpoint, config=Config(**options))
        except Exception as exc:  # bad endpoint URL, unknown profile, ...
            raise self._explain(exc, "connecting") from None
        threshold = multipart_threshold()
        self.transfer = TransferConfig(multipart_threshold=threshold, multipart_chunksize=threshold,
                                       max_concurrency=4)

    # --- error messages ------------------------------------------------------
    def _explain(self, exc: BaseException, doing: str, key: str = "") -> OpenbookError:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import (ClientError, ConnectionClosedError,
                                         ConnectTimeoutError,
                                         EndpointConnectionError,
                                         NoCredentialsError,
                                         PartialCredentialsError,
                                         ProfileNotFound, ReadTimeoutError)

        where = f"s3://{self.bucket}/{self.prefix}{key}" if key else self.label
        if isinstance(exc, S3UploadFailedError) and isinstance(exc.__context__, ClientError):
            exc = exc.__context__
        if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
            return OpenbookError(f"{self.label}: no AWS credentials found. Set AWS_ACCESS_KEY_ID and "
                                 "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment, then run publish again.")
        if isinstance(exc, ProfileNotFound):
            return OpenbookError(f"{self.label}: the AWS profile in AWS_PROFILE was not found. "
                                 "Check ~/.aws/config or unset AWS_PROFILE.")
        if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError, ConnectionClosedError, ReadTimeoutError)):
            return OpenbookError(f"{where}: could not reach {_safe_endpoint(self.endpoint)} while {doing} "
                                 f"(tried {http.ATTEMPTS} times). The server may be down: run publish again later; "
                                 "files already uploaded are kept and the previous version stays readable.")
        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            code = str(err.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or "?")
            if code in ("NoSuchBucket", "404") and doing == "listing the bucket":
                return OpenbookError(f"{self.label}: the bucket {self.bucket} does not exist at "
                                     f"{_safe_endpoint(self.endpoint)}. Create it first "
                                     f"(aws s3 mb s3://{self.bucket}) or check the name.")
            if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
                        "TokenRefreshRequired"):
                return OpenbookError(f"{self.label}: S3 rejected the AWS credentials ({code}). Check "
                                     "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and run publish again.")
            if code in ("AccessDenied", "403", "AllAccessDisabled"):
                return OpenbookError(f"{where}: access denied while {doing}. The credentials in use need "
                                     "s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on this bucket "
                                     "and prefix; ask your AWS administrator.")
            if code == "EntityTooLarge":
                return OpenbookError(f"{where}: the file is too large for this S3 server. Lower "
                                     "OPENBOOK_S3_MULTIPART_THRESHOLD so it goes up in parts.")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if isinstance(status, int) and status >= 500:
                return OpenbookError(f"{where}: the S3 server kept failing ({code}, HTTP {status}) while {doing}. "
                                     "Run publish again later; the previous version stays readable.")
            return OpenbookError(f"{where}: S3 refused {doing} ({code}). Check the bucket name, prefix and "
                                 "permissions, then run publish again.")
        return OpenbookError(f"{where}: S3 failed while {doing} ({type(exc).__name__}). "
                             "Run publish again; the previous version stays readable.")

    def _call(self, doing: str, key: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # every boto3/botocore error; re-raised without credentials
            raise self._explain(exc, doing, key) from None

    # --- Store ---------------------------------------------------------------
    def listing(self) -> dict[str, int]:
        out: dict[str, int] = {}

        def run():
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for obj in page.get("Contents", []):
                    out[obj["Key"][len(self.prefix):]] = obj["Size"]

        self._call("listing the bucket", "", run)
        return out

    def sha256(self, key: str) -> Optional[str]:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise self._explain(exc, "checking", key) from None
        except Exception as exc:
            raise self._explain(exc, "checking", key) from None
        return (head.get("Metadata") or {}).get("sha256")

    def read(self, key: str) -> Optional[bytes]:
        from botocore.exceptions import ClientError

        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            return obj["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise self._explain(exc, "reading", key) from None
        except Exception as exc:
            raise self._explain(exc, "reading", key) from None

    def _extra(self, key: str, item: Item) -> dict:
        return {"ContentType": item.media_type, "CacheControl": cache_control(key),
                "Metadata": {"sha256": item.sha256}}

    def put(self, key: str, item: Item, progress: Optional[Progress]) -> None:
        extra = self._extra(key, item)
        if item.file is None:
            self._call("uploading", key, self.client.put_object, Bucket=self.bucket, Key=self.prefix + key,
                       Body=item.data, **extra)
        else:
            callback = _Counter(key, item.bytes, progress) if progress else None
            self._call("uploading", key, self.client.upload_file, str(item.file), self.bucket, self.prefix + key,
                       ExtraArgs=extra, Config=self.transfer, Callback=callback)
        if progress:
            progress(key, item.bytes, item.bytes)

    def delete(self, key: str) -> None:
        self._call("deleting", key, self.client.delete_object, Bucket=self.bucket, Key=self.prefix + key)

    def url(self, key: str) -> str:
        path = quote(self.prefix + key)
        if self.endpoint:
            return f"{_safe_endpoint(self.endpoint).rstrip('/')}/{self.bucket}/{path}"
        return f"https://{self.bucket}.s3.amazonaws.com/{path}"

    def replace_folder(self, prefix: str, steps: list[Step], items: list[Item],
                       progress: Optional[Progress], copy_from: Optional[str] = None) -> None:
        """latest/: copied inside S3 from the version folder just written (no second upload)."""
        if not copy_from:
            return super().replace_folder(prefix, steps, items, progress)
        descriptor = prefix + DESCRIPTOR
        if any(s.key == descriptor and s.action.action == "update" for s in steps) and any(
                s.key != descriptor and s.action.action in ("create", "update", "delete") for s in steps):
            # The old datapackage.json must never sit beside files it does not
            # describe (a failure part-way would leave it there): take it away
            # first; it is written again last, once every file is in place.
            self.delete(descriptor)
        for step in steps:
            if step.action.action in ("create", "update"):
                source = self.prefix + copy_from + step.key[len(prefix):]
                extra = dict(self._extra(step.key, step.item), MetadataDirective="REPLACE")
                self._call("copying", step.key, self.client.copy, {"Bucket": self.bucket, "Key": source},
                           self.bucket, self.prefix + step.key, ExtraArgs=extra, Config=self.transfer)
                if progress:
                    progress(step.key, step.item.bytes, step.item.bytes)
            elif step.action.action == "delete":
                self.delete(step.key)


class _Counter:
    """boto3 calls back with byte increments, possibly from several threads."""

    def __init__(self, key: str, total: int, progress: Progress):
        self.key, self.total, self.progress = key, total, progress
        self.done = 0
        self.lock = threading.Lock()

    def __call__(self, increment: int) -> None:
        with self.lock:
            self.done += increment
            if self.done < self.total:
                self.progress(self.key, self.done, self.total)


def publish(pkg: Package, to: str, dry_run: bool = False, endpoint_url: Optional[str] = None,
            progress: Optional[Progress] = None, next_if_changed: bool = False) -> PublishResult:
    store = S3Store(to, endpoint_url)
    actions, url, pkg = publish_tree(store, pkg, dry_run, progress, next_if_changed)
    return PublishResult(target=to, url=url, actions=actions, dry_run=dry_run, version=pkg.version)


def packages(url: str, endpoint_url: Optional[str] = None) -> list[Package]:
    """The packages of a catalogue under s3://bucket/prefix, each dataset once."""
    found = read_catalogue(S3Store(url, endpoint_url))
    if not found:
        raise NoPackages(f"{scrub(url)}: no datapackage.json under this prefix. Give the s3:// address "
                            "`openbook publish` wrote to.")
    return found
