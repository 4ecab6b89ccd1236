"""Where `openbook compare` reads packages from.

A SOURCE is one of:

- a package folder (holding datapackage.json) or a package .zip;
- a catalogue folder: every datapackage.json below it, but inside a
  ``<org>/<dataset>/<version>/`` + ``<org>/<dataset>/latest/`` layout only
  ``latest`` (or, without it, the highest version) so nothing is counted twice;
- ``s3://bucket/prefix``: the same layout in a bucket (boto3, the standard
  credential chain, AWS_ENDPOINT_URL for S3-compatible services);
- ``ckan+https://host/organization/NAME`` or ``.../group/NAME``: the
  datasets of a CKAN organisation or group, read through the Action API.

Every reader returns ``LoadedPackage`` objects: the descriptor and each
resource's rows (lists of dicts of strings), read into memory so no
temporary file outlives the call.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urljoin, urlparse

from openbook.errors import OpenbookError
from openbook.datapackage.zips import DESCRIPTOR, inside, package_members

LATEST = "latest"
TIMEOUT = (10, 60)  # connect, read (seconds)
RETRIES = 3
# compare reads each package into memory: a .zip declaring more than this
# once extracted is refused (zipfile never inflates past the declared sizes).
MAX_ZIP_BYTES = 512 * 1024 ** 2


@dataclass
class LoadedPackage:
    """One package read into memory."""

    label: str  # where it came from, for messages
    descriptor: dict
    tables: dict[str, list[dict]] = field(default_factory=dict)
    in_latest: bool = False  # found in a catalogue's latest/ folder

    @property
    def openbook(self) -> dict:
        return self.descriptor.get("openbook") or {}

    @property
    def organisation(self) -> dict:
        return self.openbook.get("organisation") or {}

    @property
    def org_slug(self) -> str:
        slug = self.organisation.get("slug") or (self.descriptor.get("publisher") or {}).get("slug")
        if not slug:
            from openbook.datapackage.write import slug as make_slug
            slug = make_slug(self.org_name or self.descriptor.get("name") or self.label)
        return slug

    @property
    def org_name(self) -> str:
        return (self.organisation.get("name") or (self.descriptor.get("publisher") or {}).get("title")
                or self.descriptor.get("name") or self.label)

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name") or self.label)

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version") or "")


def version_key(version: str) -> tuple:
    """Sort '1.10.0' after '1.9.0'; text parts sort before numbers."""
    parts = re.split(r"[.+-]", str(version))
    return tuple((1, int(p), "") if p.isdigit() else (0, 0, p) for p in parts)


# --------------------------------------------------------------------------- local

def _read_csv(data: bytes, label: str) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OpenbookError(f"{label}: not UTF-8 text. Re-create the package with `openbook package`.") from None
    return [dict(row) for row in csv.DictReader(io.StringIO(text, newline=""))]


def _load_with(label: str, read: Callable[[str], bytes | None], in_latest: bool = False) -> LoadedPackage:
    """A package whose files ``read(relative path)`` returns (None if missing)."""
    raw = read(DESCRIPTOR)
    if raw is None:
        raise OpenbookError(f"{label}: no datapackage.json. Give a folder or .zip that `openbook package` wrote.")
    try:
        descriptor = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OpenbookError(f"{label}: datapackage.json is not valid JSON ({exc}). "
                            "Re-create the package with `openbook package`.") from None
    if not isinstance(descriptor, dict):
        raise OpenbookError(f"{label}: datapackage.json is not a JSON object. Re-create it with `openbook package`.")
    pkg = LoadedPackage(label=label, descriptor=descriptor, in_latest=in_latest)
    for res in descriptor.get("resources") or []:
        name, path = res.get("name"), res.get("path")
        if not name or not isinstance(path, str):
            continue
        if not inside(path):
            raise OpenbookError(f"{label}: resource {name} points outside the package ({path}); refusing to read it.")
        data = read(path)
        if data is None:
            raise OpenbookError(f"{label}: {path} is listed in datapackage.json but missing. "
                                "Re-create the package with `openbook package`.")
        pkg.tables.setdefault(name, []).extend(_read_csv(data, f"{label}: {path}"))
    return pkg


def load_folder(folder: Path, label: str | None = None, in_latest: bool = False) -> LoadedPackage:
    label = label or str(folder)
    root = folder.resolve()

    def read(rel: str) -> bytes | None:
        target = (folder / rel).resolve()
        if root != target and root not in target.parents:
            return None
        return target.read_bytes() if target.is_file() else None

    return _load_with(label, read, in_latest)


def load_zip(path: Path, label: str | None = None) -> LoadedPackage:
    """Read a package zip in memory, refusing absolute paths, '..' and links (zip-slip)."""
    label = label or str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            members, root = package_members(zf, label, MAX_ZIP_BYTES)

            def read(rel: str) -> bytes | None:
                info = members.get(root + rel)
                return zf.read(info) if info is not None else None

            return _load_with(label, read)
    except zipfile.BadZipFile as exc:
        raise OpenbookError(f"{label}: the zip file is damaged ({exc}). Re-create it with `openbook package`.") from None


def _hidden(path: Path, base: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(base).parts)


def load_catalogue(folder: Path, label: str | None = None) -> list[LoadedPackage]:
    """Every package under a folder; in a versioned layout only latest/ (or the highest version)."""
    label = label or str(folder)
    found = sorted(p for p in folder.rglob(DESCRIPTOR) if p.is_file() and not _hidden(p, folder))
    chosen = choose_latest([p.relative_to(folder).as_posix() for p in found])
    packages = []
    for rel in chosen:
        dp = folder / rel
        packages.append(load_folder(dp.parent, f"{label}/{dp.parent.relative_to(folder).as_posix()}",
                                    in_latest=dp.parent.name == LATEST))
    if not packages:
        raise OpenbookError(f"{label}: no datapackage.json in this folder or below it. "
                            "Give package folders, .zip files or a catalogue folder that `openbook publish` wrote.")
    return packages


def choose_latest(keys: Iterable[str]) -> list[str]:
    """From paths of datapackage.json files, keep one per dataset folder.

    A path ``.../<dataset>/<version>/datapackage.json`` whose dataset folder
    also holds ``latest/datapackage.json`` is dropped in favour of latest;
    without latest, only the highest version is kept. Paths that are not in
    a versioned layout (a package folder's own datapackage.json) are kept.
    """
    keys = sorted(set(keys))
    by_dataset: dict[str, list[tuple[str, str]]] = {}
    plain = []
    for key in keys:
        parts = key.split("/")
        if len(parts) >= 3:
            dataset = "/".join(parts[:-2])
            by_dataset.setdefault(dataset, []).append((parts[-2], key))
        else:
            plain.append(key)
    out = list(plain)
    for dataset, versions in by_dataset.items():
        names = {v for v, _ in versions}
        if LATEST in names:
            out.extend(k for v, k in versions if v == LATEST)
        elif len(versions) > 1 and all(re.match(r"^v?\d", v) for v in names):
            out.append(max(versions, key=lambda vk: version_key(vk[0].lstrip("v")))[1])
        else:
            out.extend(k for _, k in versions)  # not a versioned layout: separate packages
    return sorted(out)


# --------------------------------------------------------------------------- S3

def load_s3(url: str) -> list[LoadedPackage]:
    """Packages under s3://bucket/prefix: only latest/ per dataset (or its highest version)."""
    try:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover
        raise OpenbookError("reading s3:// needs boto3: pip install boto3.") from None
    parsed = urlparse(url)
    bucket, prefix = parsed.netloc, parsed.path.lstrip("/")
    if not bucket:
        raise OpenbookError(f"{url}: no bucket name. Use s3://bucket/prefix.")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    config = Config(connect_timeout=TIMEOUT[0], read_timeout=TIMEOUT[1],
                    retries={"max_attempts": RETRIES + 1, "mode": "standard"})
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None
    try:
        client = boto3.client("s3", endpoint_url=endpoint, config=config)
        keys = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                if key == prefix + DESCRIPTOR or key.endswith("/" + DESCRIPTOR):
                    keys.append(key[len(prefix):])
        chosen = choose_latest(keys)
        packages = []
        for rel in chosen:
            folder = rel[: -len(DESCRIPTOR)]

            def read(member: str, folder=folder) -> bytes | None:
                try:
                    return client.get_object(Bucket=bucket, Key=prefix + folder + member)["Body"].read()
                except ClientError as exc:
                    if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                        return None
                    raise

            label = f"s3://{bucket}/{prefix}{folder}".rstrip("/")
            packages.append(_load_with(label, read, in_latest=folder.rstrip("/").endswith(LATEST)))
    except OpenbookError:
        raise
    except (BotoCoreError, ClientError) as exc:
        raise OpenbookError(f"{url}: could not read the bucket ({exc}). Check the bucket name, your AWS "
                            "credentials and AWS_ENDPOINT_URL.") from None
    if not packages:
        raise OpenbookError(f"{url}: no datapackage.json under this prefix. Give the s3:// address "
                            "`openbook publish` wrote to.")
    return packages


# --------------------------------------------------------------------------- CKAN

def _session(token: str | None):
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    retry = Retry(total=RETRIES, connect=RETRIES, read=RETRIES, backoff_factor=0.5,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET", "HEAD"))
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = "openbook-compare"
    return session


def parse_ckan(source: str) -> tuple[str, str, str]:
    """'ckan+https://host/base/organization/NAME' -> ('https://host/base', 'organization', NAME)."""
    url = source[len("ckan+"):]
    m = re.match(r"^(https?://.+?)/(organization|organisation|group)/([^/?#]+)/?$", url)
    if not m:
        raise OpenbookError(f"{source}: not a CKAN organisation or group. Use "
                            "ckan+https://host/organization/NAME or ckan+https://host/group/NAME.")
    kind = "group" if m.group(2) == "group" else "organization"
    return m.group(1), kind, m.group(3)


def _no_userinfo(url: str) -> str:
    """A URL for messages: without any user:password@ part."""
    parts = urlparse(url)
    if not (parts.username or parts.password):
        return url
    return url.replace(parts.netloc, (parts.hostname or "") + (f":{parts.port}" if parts.port else ""), 1)


def load_ckan(source: str) -> list[LoadedPackage]:
    """Packages of a CKAN organisation or group: each dataset's datapackage.json and its resources."""
    import requests

    base, kind, name = parse_ckan(source)
    parts = urlparse(source[len("ckan+"):])
    if parts.username or parts.password:  # messages never show a user:password@ part
        source = source.replace(parts.netloc, parts.hostname + (f":{parts.port}" if parts.port else ""), 1)
    token = os.environ.get("CKAN_API_TOKEN")
    session = _session(token)
    host = urlparse(base).netloc

    def get(url: str, params: dict | None = None) -> "requests.Response":
        headers = {"Authorization": token} if token and urlparse(url).netloc == host else {}
        try:
            resp = session.get(url, params=params, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise OpenbookError(f"{source}: could not reach {_no_userinfo(url)} ({exc.__class__.__name__}). "
                                "Check the address and your network.") from None
        return resp

    def action(name_: str, **params) -> object:
        url = f"{base}/api/3/action/{name_}"
        resp = get(url, params)
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code == 404 and isinstance(body, dict):
            return None
        if resp.status_code in (401, 403):
            raise OpenbookError(f"{source}: CKAN refused {name_} (HTTP {resp.status_code}). "
                                "Set CKAN_API_TOKEN to a token that can read it.")
        if not isinstance(body, dict) or not body.get("success"):
            raise OpenbookError(f"{source}: CKAN {name_} failed (HTTP {resp.status_code}). "
                                "Check the address is a CKAN site.")
        return body.get("result")

    show = "group_show" if kind == "group" else "organization_show"
    owner = action(show, id=name, include_datasets="true")
    if not owner:
        raise OpenbookError(f"{source}: CKAN has no {'group' if kind == 'group' else 'organisation'} called {name}.")
    datasets = [d.get("name") or d.get("id") for d in owner.get("packages") or []]
    if not datasets:
        # Some CKAN search back-ends return nothing for include_datasets; ask dataset by dataset.
        owner_ids = {owner.get("id"), owner.get("name")}
        for ds in action("package_list") or []:
            pkg = action("package_show", id=ds)
            if not pkg:
                continue
            if kind == "organization":
                if pkg.get("owner_org") in owner_ids or (pkg.get("organization") or {}).get("name") in owner_ids:
                    datasets.append(pkg["name"])
            elif any(g.get("id") in owner_ids or g.get("name") in owner_ids for g in pkg.get("groups") or []):
                datasets.append(pkg["name"])
    packages = []
    for ds in sorted(set(filter(None, datasets))):
        pkg = action("package_show", id=ds)
        if not pkg:
            continue
        resources = pkg.get("resources") or []
        desc = next((r for r in resources if (r.get("name") or "") == DESCRIPTOR), None) or next(
            (r for r in resources if (r.get("url") or "").rstrip("/").endswith("/" + DESCRIPTOR)), None)
        if desc is None:
            continue  # not an openbook dataset
        desc_url = desc["url"]

        def url_for(member: str, resources=resources, desc_url=desc_url) -> str:
            base_name = member.rsplit("/", 1)[-1]
            for r in resources:
                if r.get("openbook_path") == member and r.get("url"):
                    return r["url"]
            for r in resources:
                if (r.get("name") or "") in (member, base_name):
                    return r["url"]
            for r in resources:
                if (r.get("url") or "").endswith("/" + member):
                    return r["url"]
            return urljoin(desc_url, member)

        def read(member: str, url_for=url_for, desc_url=desc_url) -> bytes | None:
            url = desc_url if member == DESCRIPTOR else url_for(member)
            resp = get(url)
            if resp.status_code == 404:
                return None
            if resp.status_code != 200:
                raise OpenbookError(f"{source}: could not download {_no_userinfo(url)} (HTTP {resp.status_code}).")
            return resp.content

        packages.append(_load_with(f"{base}/dataset/{ds}", read))
    if not packages:
        raise OpenbookError(f"{source}: no openbook datasets (with a datapackage.json resource) found there.")
    return packages


# --------------------------------------------------------------------------- any

def load_source(source: str | Path) -> list[LoadedPackage]:
    """The packages one SOURCE stands for."""
    text = str(source)
    lowered = text.lower()
    if lowered.startswith("s3://"):
        return load_s3(text)
    if lowered.startswith(("ckan+http://", "ckan+https://")):
        return load_ckan(text)
    if "://" in text:
        raise OpenbookError(f"{text}: unknown kind of source. Use a package folder or .zip, a catalogue folder, "
                            "s3://bucket/prefix or ckan+https://host/organization/NAME.")
    path = Path(text)
    if not path.exists():
        raise OpenbookError(f"{text}: no such file or folder. Give a package folder or .zip, or a catalogue folder.")
    if path.is_dir():
        if (path / DESCRIPTOR).is_file():
            return [load_folder(path, text)]
        return load_catalogue(path, text)
    if zipfile.is_zipfile(path):
        return [load_zip(path, text)]
    if path.name == DESCRIPTOR:
        return [load_folder(path.parent, text)]
    raise OpenbookError(f"{text}: not a package folder, .zip or catalogue folder. "
                        "Give what `openbook package` or `openbook publish` wrote.")


def load_sources(sources: Iterable[str | Path]) -> tuple[list[LoadedPackage], list[str]]:
    """All packages, each dataset once: a latest/ copy wins, then the highest version."""
    packages: list[LoadedPackage] = []
    for source in sources:
        packages.extend(load_source(source))
    notes = []
    best: dict[tuple[str, str], LoadedPackage] = {}
    order = []
    for pkg in packages:
        key = (pkg.org_slug, pkg.name)
        if key not in best:
            best[key] = pkg
            order.append(key)
            continue
        have = best[key]
        better = (pkg.in_latest, version_key(pkg.version)) > (have.in_latest, version_key(have.version))
        keep, drop = (pkg, have) if better else (have, pkg)
        best[key] = keep
        notes.append(f"{drop.label} is another copy of {keep.name} (also in {keep.label}); it was counted once.")
    return [best[k] for k in order], notes
