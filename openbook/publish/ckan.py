"""Publish to a CKAN site (2.9 or later) through its Action API.

    openbook publish out/anytown-2025-26 --to ckan+https://data.example.gov.uk --ckan-org anytown

* The API token is read from the CKAN_API_TOKEN environment variable; it is
  never asked for, printed, logged or written anywhere.
* The dataset is found by name with ``package_show`` (never by search, which
  can lag behind): not found means ``package_create``, found means
  ``package_patch`` (only if its metadata differ). Its name is the
  organisation slug and the package name (CKAN's rules: lower case, 2-100
  characters, a-z 0-9 - _).
* Each file is a resource matched by name (``spend.csv``). It is uploaded only
  when the sha256 kept in the resource's ``hash`` field differs: nothing is
  downloaded to compare. datapackage.json goes up last, so a reader never
  finds a datapackage.json that lists files the dataset does not have.
  Resources openbook put there that the package no longer has are deleted
  after that; resources added by hand are left alone.
* The Table Schema goes into each resource's ``schema`` field (JSON).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any, Optional
from urllib.parse import urljoin, urlsplit

import requests

from openbook.version import __version__
from openbook.errors import NoPackages, OpenbookError, Refused, scrub
from openbook.publish import http
from openbook.publish.plan import (CREATE, DELETE, UNCHANGED, UPDATE, Action, Progress,
                   PublishResult, human_bytes, settle_version)
from openbook.datapackage.contract import DESCRIPTOR, Item, Package, ReaderFiles, load_package, version_key

TOKEN_ENV = "CKAN_API_TOKEN"

# Data Package licence names -> CKAN's default licence ids.
LICENSES = {
    "OGL-UK-3.0": "uk-ogl",
    "OGL-UK-2.0": "uk-ogl",
    "CC-BY-4.0": "cc-by",
    "CC-BY-SA-4.0": "cc-by-sa",
    "CC0-1.0": "cc-zero",
    "ODC-BY-1.0": "odc-by",
    "ODbL-1.0": "odc-odbl",
    "PDDL-1.0": "odc-pddl",
}

def dataset_name(pkg: Package) -> str:
    """The CKAN dataset name: organisation slug + package name (without saying the slug twice)."""
    org, name = pkg.org_slug, pkg.name
    full = name if name == org or name.startswith(org + "-") else f"{org}-{name}"
    full = re.sub(r"[^a-z0-9_-]+", "-", full.lower())
    full = re.sub(r"-{2,}", "-", full).strip("-_")
    if len(full) > 100:
        full = full[:91].rstrip("-_") + "-" + hashlib.sha256(full.encode()).hexdigest()[:8]
    if len(full) < 2:
        full = (full + "-dataset")[:100]
    return full


def _tags(keywords) -> list[dict]:
    out = []
    for k in keywords or []:
        if not isinstance(k, str):
            continue
        tag = re.sub(r"[^\w \-.]+", " ", k.lower()).strip()
        tag = re.sub(r"\s{2,}", " ", tag)[:100]
        if len(tag) >= 2 and tag not in [t["name"] for t in out]:
            out.append({"name": tag})
    return out


class CkanFailure(Exception):
    def __init__(self, action: str, status: int, error: dict, text: str = ""):
        super().__init__(f"{action}: HTTP {status}")
        self.action, self.status, self.error, self.text = action, status, error or {}, text

    @property
    def type(self) -> str:
        return str(self.error.get("__type") or "")


class Client:
    def __init__(self, base: str, token: Optional[str], label: str):
        self.base = base.rstrip("/")
        self.label = label
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"openbook/{__version__}"
        if token:
            self.session.headers["Authorization"] = token

    def action(self, name: str, data: Optional[dict] = None, *, get: bool = False,
               upload: Optional[tuple[Item, Optional[Progress], str]] = None) -> Any:
        url = f"{self.base}/api/3/action/{name}"
        if upload is not None:
            item, progress, label = upload
            fields = {k: v for k, v in (data or {}).items() if v is not None}

            opened: list = []

            def body():
                while opened:
                    opened.pop().close()
                fh = item.open()
                opened.append(fh)
                def report(done):  # done == total is reported once the upload is accepted
                    if progress and done < item.bytes:
                        progress(label, done, item.bytes)
                stream = http.MultipartUpload(fields, "upload", item.path.rsplit("/", 1)[-1], fh, item.bytes,
                                              item.media_type.split(";")[0], report)
                return {"data": stream, "headers": {"Content-Type": stream.content_type}}

            try:
                resp = http.request(self.session, "POST", url, body=body)
            finally:
                while opened:
                    opened.pop().close()
        elif get:
            resp = http.request(self.session, "GET", url, params=data or {})
        else:
            resp = http.request(self.session, "POST", url, json=data or {})
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        if resp.status_code == 200 and isinstance(payload, dict) and payload.get("success"):
            return payload.get("result")
        ckan_shaped = isinstance(payload, dict) and "success" in payload
        error = payload.get("error") if ckan_shaped else None
        raise CkanFailure(name, resp.status_code, error if isinstance(error, dict) else {},
                          "" if ckan_shaped else (resp.text[:200] or "(empty)"))


class Publisher:
    def __init__(self, pkg: Package, to: str, ckan_org: Optional[str], dry_run: bool,
                 progress: Optional[Progress], next_if_changed: bool = False):
        self.pkg, self.dry_run, self.progress = pkg, dry_run, progress
        self.next_if_changed = next_if_changed
        base = to[len("ckan+"):]
        parts = urlsplit(base)
        # The target as messages and results show it: never a user:password@ part.
        self.to = "ckan+" + scrub(base)
        if not parts.hostname:
            raise OpenbookError(f"{self.to}: not a CKAN site address. Use ckan+https://your-ckan-site (the address of its home page).")
        self.base = base.rstrip("/")
        self.site = scrub(self.base)
        token = os.environ.get(TOKEN_ENV, "").strip()
        if not token and not dry_run:
            raise OpenbookError(
                f"{self.to}: no CKAN API token. Set {TOKEN_ENV} to a token of a CKAN user who may edit the "
                "organisation's datasets (CKAN: your user page, API Tokens, Create API token); "
                "openbook never asks for it or prints it.")
        self.client = Client(self.base, token or None, self.to)
        self.org_name = ckan_org or pkg.org_slug
        self.name = dataset_name(pkg)

    # --- messages --------------------------------------------------------------
    def explain(self, exc: Exception, doing: str, item: str = "") -> OpenbookError:
        what = f"{self.to} ({item})" if item else self.to
        if isinstance(exc, http.Unreachable):
            return OpenbookError(
                f"{what}: could not reach CKAN at {self.site} while {doing} (tried {http.ATTEMPTS} times). "
                "The site may be down: run publish again later; what was already uploaded is kept and "
                "shows as unchanged.")
        if not isinstance(exc, CkanFailure):
            return OpenbookError(f"{what}: CKAN failed while {doing} ({type(exc).__name__}). Run publish again.")
        status, err = exc.status, exc.error
        fields = {k: v for k, v in err.items() if k not in ("__type", "message")}
        messages = " ".join(str(v) for v in fields.values()) + " " + str(err.get("message") or "")
        if status == 413 or "too large" in messages.lower():
            size = next((f" ({human_bytes(i.bytes)})" for i in self.pkg.items if i.path == item), "")
            said = "HTTP 413 Request Entity Too Large" if status == 413 else "CKAN: File upload too large"
            return OpenbookError(
                f"{what}: the file{size} is larger than {self.site} accepts for uploads ({said}). "
                "Ask the CKAN administrator to raise ckan.max_resource_size (and the web server's upload "
                "limit, such as nginx client_max_body_size), or publish the file to S3 and link to it.")
        if status >= 500:  # CKAN itself, or a proxy in front of it (502/503/504 pages are not CKAN-shaped)
            return OpenbookError(
                f"{what}: CKAN kept failing (HTTP {status}) while {doing}, after {http.ATTEMPTS} tries. Run "
                "publish again later, or ask the CKAN administrator to check the server log.")
        if not err and exc.text:
            return OpenbookError(f"{what}: {self.site} did not answer like a CKAN API (HTTP {status}) while "
                                 f"{doing}. Check the address: ckan+https://host is the CKAN home page, without /api.")
        if status in (401, 403):
            return OpenbookError(
                f"{what}: CKAN refused the request while {doing} (HTTP {status}, not authorised). Check that "
                f"{TOKEN_ENV} holds a current API token, and that its user is an editor or admin of the "
                f"organisation '{self.org_name}'.")
        if status == 409 and "already in use" in messages:
            return OpenbookError(
                f"{what}: the dataset name '{self.name}' is already taken on {self.site}, by a dataset this "
                "token cannot see (another organisation's, a private one, or one deleted but not purged). "
                "Ask a CKAN sysadmin to purge or move it.")
        if status == 409:
            detail = "; ".join(f"{k}: {v if not isinstance(v, list) else ' '.join(map(str, v))}"
                               for k, v in fields.items()) or str(err.get("message") or "validation error")
            return OpenbookError(f"{what}: CKAN rejected it while {doing} ({detail[:300]}). "
                                 "Fix the package metadata or ask the CKAN administrator.")
        if status == 404:
            return OpenbookError(f"{what}: CKAN said not found while {doing}. Check the site address "
                                 f"({self.site}) and that the API is at /api/3/.")
        if status >= 500:
            return OpenbookError(
                f"{what}: CKAN kept failing (HTTP {status}) while {doing}, after {http.ATTEMPTS} tries. Run "
                "publish again later, or ask the CKAN administrator to check the server log.")
        return OpenbookError(f"{what}: CKAN answered HTTP {status} while {doing}. Run publish again or ask "
                             "the CKAN administrator.")

    def call(self, doing: str, item: str, name: str, data=None, **kw):
        try:
            return self.client.action(name, data, **kw)
        except (CkanFailure, http.Unreachable) as exc:
            raise self.explain(exc, doing, item) from None

    def show(self, name: str, id_: str, doing: str):
        """``*_show`` that returns None when CKAN says Not Found."""
        try:
            return self.client.action(name, {"id": id_}, get=True)
        except CkanFailure as exc:
            if exc.status == 404 or exc.type == "Not Found Error":
                return None
            raise self.explain(exc, doing) from None
        except http.Unreachable as exc:
            raise self.explain(exc, doing) from None

    # --- metadata ---------------------------------------------------------------
    def dataset_fields(self, org_id: str) -> dict:
        d = self.pkg.descriptor
        ob = d.get("openbook") or {}
        lic = ((d.get("licenses") or [{}])[0] or {}).get("name")
        extras = {
            "openbook_standard": ob.get("standard"),
            "openbook_profile": ob.get("profile"),
            "openbook_period": ob.get("period"),
            "openbook_organisation_uri": (ob.get("organisation") or {}).get("uri"),
            "temporal_coverage_start": (d.get("temporalCoverage") or {}).get("start"),
            "temporal_coverage_end": (d.get("temporalCoverage") or {}).get("end"),
            "openbook_validation": json.dumps(ob["validation"], sort_keys=True) if ob.get("validation") else None,
        }
        return {
            "name": self.name,
            "title": self.pkg.title,
            "notes": d.get("description") or "",
            "owner_org": org_id,
            "license_id": LICENSES.get(lic, "notspecified") if lic else "notspecified",
            "version": self.pkg.version,
            "url": (d.get("publisher") or {}).get("path") or "",
            "tags": _tags(d.get("keywords")),
            "extras": [{"key": k, "value": str(v)} for k, v in extras.items() if v not in (None, "")],
        }

    @staticmethod
    def dataset_differs(want: dict, have: dict) -> bool:
        for key in ("title", "notes", "owner_org", "license_id", "version", "url"):
            if (have.get(key) or "") != (want.get(key) or ""):
                return True
        if have.get("state", "active") != "active":
            return True
        if sorted(t["name"] for t in want["tags"]) != sorted(t.get("name") for t in have.get("tags") or []):
            return True
        have_extras = {e.get("key"): e.get("value") for e in have.get("extras") or []}
        return any(have_extras.get(e["key"]) != e["value"] for e in want["extras"])

    @staticmethod
    def resource_fields(item: Item) -> dict:
        res = item.resource or {}
        name = item.path.rsplit("/", 1)[-1]
        if item.path == DESCRIPTOR:
            fields = {"name": name, "description": "Data Package descriptor: the list of files, their "
                                                  "schemas, sizes and checksums.",
                      "format": "JSON", "mimetype": "application/json"}
        else:
            desc = res.get("description") or res.get("title") or res.get("name") or name
            fields = {"name": name, "description": desc, "format": (res.get("format") or "csv").upper(),
                      "mimetype": res.get("mediatype") or "text/csv"}
            if isinstance(res.get("schema"), dict):
                fields["schema"] = json.dumps(res["schema"], sort_keys=True, ensure_ascii=False)
        fields["hash"] = f"sha256:{item.sha256}"
        fields["openbook_path"] = item.path
        return fields

    # --- the run ----------------------------------------------------------------------
    def check_token(self) -> Optional[str]:
        """The token's user name, or a clear error. CKAN treats a request with a
        token it cannot read as anonymous, so ask who we are before writing."""
        if "Authorization" not in self.client.session.headers:
            return None
        try:
            user = self.client.action("user_show", {}, get=True)
        except CkanFailure as exc:
            if exc.error and exc.status in (400, 401, 403, 404, 409):
                raise OpenbookError(
                    f"{self.to}: CKAN did not accept the API token in {TOKEN_ENV} (it may be mistyped, revoked, "
                    "expired or from another CKAN site). Create a new one on your CKAN user page (API Tokens) "
                    f"and set {TOKEN_ENV} to it.") from None
            raise self.explain(exc, "checking the API token") from None
        except http.Unreachable as exc:
            raise self.explain(exc, "checking the API token") from None
        return (user or {}).get("name")

    def check_permission(self, org: dict, user: Optional[str]) -> None:
        if user is None:
            return
        orgs = self.call("checking permissions", "", "organization_list_for_user",
                         {"permission": "create_dataset"}, get=True) or []
        if org.get("id") not in {o.get("id") for o in orgs}:
            raise OpenbookError(
                f"{self.to}: the CKAN user '{user}' (from {TOKEN_ENV}) may not add or edit datasets in the "
                f"organisation '{self.org_name}'. Ask an admin of that organisation to make the user an editor, "
                "or use a token of a user who is.")

    def settle_version(self, existing: dict) -> None:
        """CKAN keeps one version per dataset: the one its datapackage.json
        resource describes. That version is never given other content
        (plan.settle_version); a run that stopped before datapackage.json went
        up published nothing, and is completed."""
        ours = f"sha256:{self.pkg.descriptor_item.sha256}"
        held = [r for r in existing.get("resources") or []
                if r.get("openbook_path") == DESCRIPTOR and r.get("url_type") == "upload" and r.get("url")]
        if not held or any(r.get("hash") == ours for r in held):
            return
        raw = self.download(held[0]["url"], "reading the published datapackage.json")
        try:
            version = json.loads(raw.decode("utf-8-sig")).get("version") if raw is not None else None
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            version = None
        if not isinstance(version, str):
            return  # not a descriptor openbook can read: replaced like any other file
        self.pkg = settle_version(self.pkg, [version], lambda v: raw if v == version else None,
                                  self.next_if_changed, self.to)
        if version_key(self.pkg.version) < version_key(version):
            # one version per dataset: an older one would silently take the newer one's place
            raise Refused(f"{self.to}: the dataset holds version {version}, newer than {self.pkg.version}, and a "
                          f"CKAN dataset keeps one version, so publishing {self.pkg.version} would replace it. "
                          f"Publish the newest data with a higher --version, or --next-version.")

    def download(self, url: str, doing: str) -> Optional[bytes]:
        """A file CKAN holds; the token goes only to the CKAN site itself."""
        same_host = urlsplit(url).netloc == urlsplit(self.base).netloc
        session = self.client.session if same_host else Client(self.base, None, self.to).session
        try:
            resp = http.request(session, "GET", url)
        except http.Unreachable as exc:
            raise self.explain(exc, doing) from None
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise self.explain(CkanFailure("download", resp.status_code, {}, resp.text[:200] or "(empty)"), doing)
        return resp.content

    def run(self) -> PublishResult:
        user = self.check_token()
        org = self.show("organization_show", self.org_name, "looking up the organisation")
        if org is None:
            raise OpenbookError(
                f"{self.to}: the organisation '{self.org_name}' does not exist on {self.site}. Create it on the "
                "site (Organizations, Add Organization) or ask a CKAN sysadmin, or run "
                f"`ckanapi action organization_create name={self.org_name} title=\"...\"`; "
                "or give an existing one with --ckan-org NAME.")
        self.check_permission(org, user)
        existing = self.show("package_show", self.name, "looking up the dataset")
        if existing is not None and existing.get("owner_org") not in (org.get("id"), None):
            raise OpenbookError(
                f"{self.to}: the dataset '{self.name}' already exists on {self.site} in another organisation. "
                "Publish with --ckan-org set to that organisation, or ask a CKAN sysadmin to move it.")
        if existing is not None:
            self.settle_version(existing)
        want = self.dataset_fields(org["id"])
        actions: list[Action] = []
        ds_label = f"dataset {self.name}"
        if existing is None:
            ds_action = CREATE
        elif self.dataset_differs(want, existing):
            ds_action = UPDATE
        else:
            ds_action = UNCHANGED
        actions.append(Action(ds_label, ds_action, 0))

        # Plan the resources.
        remote = list(existing.get("resources") or []) if existing else []
        by_name: dict[str, list[dict]] = {}
        for r in remote:
            by_name.setdefault(r.get("name"), []).append(r)
        used: set[str] = set()
        plan: list[tuple[Action, Item, Optional[dict], bool]] = []  # action, item, remote, upload?
        for item in self.pkg.items:
            fields = self.resource_fields(item)
            matches = [r for r in by_name.get(fields["name"], []) if r.get("id") not in used]
            same = [r for r in matches if r.get("hash") == fields["hash"] and r.get("url_type") == "upload"]
            match = (same or matches or [None])[0]
            if match is None:
                plan.append((Action(item.path, CREATE, item.bytes), item, None, True))
                continue
            used.add(match["id"])
            if match.get("hash") != fields["hash"] or match.get("url_type") != "upload":
                plan.append((Action(item.path, UPDATE, item.bytes), item, match, True))
            elif any((match.get(k) or "") != v for k, v in fields.items()):
                plan.append((Action(item.path, UPDATE, 0), item, match, False))
            else:
                plan.append((Action(item.path, UNCHANGED, item.bytes), item, match, False))
        stale = [r for r in remote if r.get("id") not in used and r.get("openbook_path")]
        actions += [p[0] for p in plan]
        actions += [Action(f"{r.get('openbook_path')} (resource {r.get('name')})", DELETE, int(r.get("size") or 0))
                    for r in stale]
        url = f"{self.site}/dataset/{self.name}"
        if self.dry_run:
            return PublishResult(self.to, url, actions, dry_run=True, version=self.pkg.version)

        # Run it: the dataset, the data files, datapackage.json, then removals.
        if ds_action == CREATE:
            try:
                created = self.client.action("package_create", want)
            except (CkanFailure, http.Unreachable) as exc:
                # An attempt whose answer was lost (a dropped connection, a timeout)
                # may have created it: the retry then hears "already in use".
                again = (self.show("package_show", self.name, "looking up the dataset")
                         if isinstance(exc, CkanFailure) and exc.status == 409 else None)
                if again is None or again.get("owner_org") != org.get("id") or again.get("resources"):
                    raise self.explain(exc, "creating the dataset") from None
                created = again
            dataset_id = created["id"]
        else:
            dataset_id = existing["id"]
            if ds_action == UPDATE:
                patch = dict(want, id=dataset_id, state="active")
                have_extras = {e.get("key"): e.get("value") for e in existing.get("extras") or []}
                have_extras.update({e["key"]: e["value"] for e in want["extras"]})
                patch["extras"] = [{"key": k, "value": v} for k, v in sorted(have_extras.items())]
                self.call("updating the dataset", "", "package_patch", patch)
        order: list[str] = []
        for action, item, match, upload in plan:
            fields = self.resource_fields(item)
            if action.action == CREATE:
                res = self.call("uploading", item.path, "resource_create", dict(fields, package_id=dataset_id),
                                upload=(item, self.progress, item.path))
                order.append(res["id"])
            elif action.action == UPDATE and upload:
                self.call("uploading", item.path, "resource_patch", dict(fields, id=match["id"]),
                          upload=(item, self.progress, item.path))
                order.append(match["id"])
            elif action.action == UPDATE:
                self.call("updating", item.path, "resource_patch", dict(fields, id=match["id"]))
                order.append(match["id"])
            else:
                order.append(match["id"])
            if self.progress and action.action in (CREATE, UPDATE) and upload:
                self.progress(item.path, item.bytes, item.bytes)
        for r in stale:
            self.call("removing", r.get("openbook_path", ""), "resource_delete", {"id": r["id"]})
        # Keep openbook's files first, in package order, datapackage.json last among them.
        current = [r["id"] for r in remote if r.get("id") not in {s["id"] for s in stale}]
        current += [i for i in order if i not in current]
        ours = set(order)
        if [i for i in current if i in ours] != order:
            self.call("ordering the resources", "", "package_resource_reorder", {"id": dataset_id, "order": order})
        return PublishResult(self.to, url, actions, version=self.pkg.version)


def publish(pkg: Package, to: str, dry_run: bool = False, ckan_org: Optional[str] = None,
            progress: Optional[Progress] = None, next_if_changed: bool = False) -> PublishResult:
    return Publisher(pkg, to, ckan_org, dry_run, progress, next_if_changed).run()


# --------------------------------------------------------------------------- reading back

def parse_source(source: str) -> tuple[str, str, str]:
    """'ckan+https://host/base/organization/NAME' -> ('https://host/base', 'organization', NAME)."""
    m = re.match(r"^(https?://.+?)/(organization|organisation|group)/([^/?#]+)/?$", source[len("ckan+"):])
    if not m:
        raise OpenbookError(f"{scrub(source)}: not a CKAN organisation or group. Use "
                            "ckan+https://host/organization/NAME or ckan+https://host/group/NAME.")
    return m.group(1), "group" if m.group(2) == "group" else "organization", m.group(3)


def packages(source: str) -> list[Package]:
    """The openbook datasets of a CKAN organisation or group, each read and
    checked as a package: its datapackage.json resource and the files it names."""
    base, kind, name = parse_source(source)
    label = scrub(source)
    token = os.environ.get(TOKEN_ENV, "").strip() or None
    client = Client(base, token, label)
    # Resource files may live on another host (a storage service): they get no token.
    anonymous = Client(base, None, label).session

    def action(name_: str, **params):
        try:
            return client.action(name_, params, get=True)
        except http.Unreachable as exc:
            raise OpenbookError(f"{label}: could not reach CKAN at {scrub(base)} ({type(exc.cause).__name__}, "
                                f"tried {http.ATTEMPTS} times). Check the address and your network.") from None
        except CkanFailure as exc:
            if exc.status == 404 or exc.type == "Not Found Error":
                return None
            if exc.status in (401, 403):
                raise OpenbookError(f"{label}: CKAN refused {name_} (HTTP {exc.status}). "
                                    f"Set {TOKEN_ENV} to a token that can read it.") from None
            raise OpenbookError(f"{label}: CKAN {name_} failed (HTTP {exc.status}). "
                                "Check the address is a CKAN site.") from None

    def download(url: str) -> bytes | None:
        same_host = urlsplit(url).netloc == urlsplit(base).netloc
        try:
            resp = http.request(client.session if same_host else anonymous, "GET", url)
        except http.Unreachable as exc:
            raise OpenbookError(f"{label}: could not reach {scrub(url)} ({type(exc.cause).__name__}). "
                                "Check the address and your network.") from None
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise OpenbookError(f"{label}: could not download {scrub(url)} (HTTP {resp.status_code}).")
        return resp.content

    owner = action("group_show" if kind == "group" else "organization_show", id=name, include_datasets="true")
    if not owner:
        raise OpenbookError(f"{label}: CKAN has no {'group' if kind == 'group' else 'organisation'} called {name}.")
    datasets = [d.get("name") or d.get("id") for d in owner.get("packages") or []]
    if not datasets:
        # Some CKAN search back-ends return nothing for include_datasets; ask dataset by dataset.
        owner_ids = {owner.get("id"), owner.get("name")}
        for ds in action("package_list") or []:
            found = action("package_show", id=ds)
            if not found:
                continue
            if kind == "organization":
                if found.get("owner_org") in owner_ids or (found.get("organization") or {}).get("name") in owner_ids:
                    datasets.append(found["name"])
            elif any(g.get("id") in owner_ids or g.get("name") in owner_ids for g in found.get("groups") or []):
                datasets.append(found["name"])
    out = []
    for ds in sorted(set(filter(None, datasets))):
        found = action("package_show", id=ds)
        if not found:
            continue
        resources = found.get("resources") or []
        desc = next((r for r in resources if (r.get("name") or "") == DESCRIPTOR), None) or next(
            (r for r in resources if (r.get("url") or "").rstrip("/").endswith("/" + DESCRIPTOR)), None)
        if desc is None:
            continue  # not an openbook dataset
        out.append(load_package(f"{scrub(base)}/dataset/{ds}",
                                ReaderFiles(lambda rel, r=resources, d=desc["url"]: download(_resource_url(rel, r, d)))))
    if not out:
        raise NoPackages(f"{label}: no openbook datasets (with a datapackage.json resource) found there.")
    return out


def _resource_url(member: str, resources: list[dict], descriptor_url: str) -> str:
    """Where CKAN keeps a package file: the resource openbook uploaded it as."""
    if member == DESCRIPTOR:
        return descriptor_url
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
    return urljoin(descriptor_url, member)
