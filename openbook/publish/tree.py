"""The catalogue layout shared by the folder and S3 targets.

    <root>/index.html                             the catalogue: organisations and datasets
    <root>/catalog.json                           the same as DCAT-AP (JSON-LD)
    <root>/<org slug>/<name>/index.html           a page per dataset
    <root>/<org slug>/<name>/<version>/...        the package as published, one folder per version
    <root>/<org slug>/<name>/latest/...           a copy of the highest version

Order of writes, so that a reader never sees a datapackage.json that points
at files that are not there, and a run that fails part-way leaves the
previous state readable and is completed by running it again:

1. the version folder: data files, then its datapackage.json, then removals;
2. ``latest/`` (only once the version folder is complete), the same way
   (the folder target builds it aside and swaps it in);
3. the tables as Parquet under ``_parquet/`` (columnar.py), for query engines;
4. the dataset page, catalog.json, and index.html.

A target implements the small ``Store`` interface below.
"""
from __future__ import annotations

import json
import re
from typing import Optional

from openbook.publish import catalogue, columnar
from openbook.publish.plan import (CREATE, DELETE, UPDATE, Action, Progress, Step, diff,
                   writes_last_descriptor)
from openbook.datapackage.contract import (DESCRIPTOR, LATEST, Item, Package, ReaderFiles, choose_latest,
                                          load_package, version_key)

# Published versions are expected to stay as they are; latest/ and the
# catalogue pages change with every new version.
CACHE_VERSIONED = "public, max-age=86400"
CACHE_CHANGING = "public, max-age=300"


def cache_control(key: str) -> str:
    parts = key.split("/")
    if len(parts) >= 4 and parts[2] != LATEST:
        return CACHE_VERSIONED
    return CACHE_CHANGING


class Store:
    """Where a catalogue lives. Keys are '/'-separated paths below the root."""

    label: str  # the target as the user gave it, for messages

    def listing(self) -> dict[str, int]:
        """Every key under the root with its size in bytes."""
        raise NotImplementedError

    def sha256(self, key: str) -> Optional[str]:
        """The sha256 (hex) of what the store holds at key, or None if unknown."""
        raise NotImplementedError

    def read(self, key: str) -> Optional[bytes]:
        raise NotImplementedError

    def put(self, key: str, item: Item, progress: Optional[Progress]) -> None:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def url(self, key: str) -> str:
        raise NotImplementedError

    def run(self, steps: list[Step], progress: Optional[Progress]) -> None:
        for step in steps:
            if step.action.action in (CREATE, UPDATE):
                self.put(step.key, step.item, progress)
            elif step.action.action == DELETE:
                self.delete(step.key)

    def replace_folder(self, prefix: str, steps: list[Step], items: list[Item],
                       progress: Optional[Progress], copy_from: Optional[str] = None) -> None:
        """Make the folder at prefix hold exactly ``items`` (used for latest/).
        ``copy_from`` is a complete folder in the store with the same content."""
        self.run(steps, progress)


_VERSION_DESCRIPTOR = re.compile(r"^([^/]+)/([^/]+)/([^/]+)/" + re.escape(DESCRIPTOR) + r"$")


def publish_tree(store: Store, pkg: Package, dry_run: bool, progress: Optional[Progress]) -> tuple[list[Action], str]:
    org, name, version = pkg.org_slug, pkg.name, pkg.version
    base = f"{org}/{name}/"
    existing = store.listing()

    # Versions already complete on the target (they have a datapackage.json).
    published: dict[tuple[str, str], set[str]] = {}
    for key in existing:
        m = _VERSION_DESCRIPTOR.match(key)
        if m and m.group(3) != LATEST:
            published.setdefault((m.group(1), m.group(2)), set()).add(m.group(3))

    vprefix = f"{base}{version}/"
    v_steps = writes_last_descriptor(
        diff([i.moved(vprefix + i.path) for i in pkg.items], existing, store.sha256, delete_scope=vprefix))

    versions = sorted(published.get((org, name), set()) | {version}, key=version_key)
    l_steps: list[Step] = []
    l_items: list[Item] = []
    lprefix = f"{base}{LATEST}/"
    if versions[-1] == version:
        latest_descriptor = pkg.descriptor
        l_items = [i.moved(lprefix + i.path) for i in pkg.items]
        l_steps = writes_last_descriptor(diff(l_items, existing, store.sha256, delete_scope=lprefix))
    else:
        # An older version was (re)published: latest/ stays with the highest one.
        latest_descriptor = _read_json(store, f"{base}{versions[-1]}/{DESCRIPTOR}") or pkg.descriptor

    datasets = []
    for (o, n), vs in sorted(published.items()):
        if (o, n) == (org, name):
            continue
        vs_sorted = sorted(vs, key=version_key)
        desc = (_read_json(store, f"{o}/{n}/{LATEST}/{DESCRIPTOR}")
                or _read_json(store, f"{o}/{n}/{vs_sorted[-1]}/{DESCRIPTOR}"))
        if desc:
            datasets.append(catalogue.Dataset(o, n, vs_sorted, desc))
    current = catalogue.Dataset(org, name, versions, latest_descriptor)
    datasets.append(current)
    pages = catalogue.render(datasets, current)
    p_steps = diff(pages, existing, store.sha256)
    # The columnar copy follows latest/: only the highest version is there.
    c_steps = diff(columnar.items(pkg), existing, store.sha256) if versions[-1] == version else []

    actions = [s.action for s in v_steps + l_steps + c_steps + p_steps]
    if not dry_run:
        store.run(v_steps, progress)
        if any(s.action.action != "unchanged" for s in l_steps):
            store.replace_folder(lprefix, l_steps, l_items, progress, copy_from=vprefix)
        store.run(c_steps, progress)
        store.run(p_steps, progress)
    return actions, store.url(f"{base}index.html")


def _read_json(store: Store, key: str) -> Optional[dict]:
    raw = store.read(key)
    if raw is None:
        return None
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def read_catalogue(store: Store) -> list[Package]:
    """Every dataset in a catalogue the store holds, once: its latest/ copy,
    else its highest version. Each package is checked as publish checks it."""
    keys = [k for k in store.listing() if k == DESCRIPTOR or k.endswith("/" + DESCRIPTOR)]
    packages = []
    for key in choose_latest(keys):
        folder = key[: -len(DESCRIPTOR)]
        files = ReaderFiles(lambda rel, folder=folder: store.read(folder + rel))
        label = f"{store.label.rstrip('/')}/{folder.rstrip('/')}" if folder else store.label
        packages.append(load_package(label, files, in_latest=folder.rstrip("/").endswith("/" + LATEST)))
    return packages
