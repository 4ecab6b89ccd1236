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
4. the dataset page, catalog.json, and index.html; then the target is
   listed again, and latest/ and the pages written again if another publisher
   added a dataset or a version meanwhile.

A version that has a datapackage.json on the target is published: it is never
written again with other content (plan.settle_version refuses, or picks the
next version). Files in a version folder without one are a run that stopped
part-way, which the next run completes.

A target implements the small ``Store`` interface below.
"""
from __future__ import annotations

import json
import re
from typing import Optional

from openbook.publish import catalogue, columnar
from openbook.errors import OpenbookError
from openbook.publish.plan import (CREATE, DELETE, UNCHANGED, UPDATE, Action, Progress, Step, diff,
                   settle_version, writes_last_descriptor)
from openbook.datapackage.contract import (DESCRIPTOR, LATEST, Item, Package, ReaderFiles, choose_latest,
                                          load_package, version_key)

# Published versions are expected to stay as they are; latest/ and the
# catalogue pages change with every new version.
CACHE_VERSIONED = "public, max-age=86400"
CACHE_CHANGING = "public, max-age=300"


def cache_control(key: str) -> str:
    parts = key.split("/")
    if parts[0] == columnar.ROOT:   # follows latest/: it changes with each new version
        return CACHE_CHANGING
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

# How many times the pages are rebuilt when another publisher added a dataset
# while this one wrote them (S3 has no lock; see _settle).
PAGE_ROUNDS = 5


def _published(existing: dict[str, int]) -> dict[tuple[str, str], set[str]]:
    """The versions complete on the target (they have a datapackage.json), by dataset."""
    published: dict[tuple[str, str], set[str]] = {}
    for key in existing:
        m = _VERSION_DESCRIPTOR.match(key)
        if m and m.group(3) != LATEST:
            published.setdefault((m.group(1), m.group(2)), set()).add(m.group(3))
    return published


def publish_tree(store: Store, pkg: Package, dry_run: bool, progress: Optional[Progress],
                 next_if_changed: bool = False) -> tuple[list[Action], str, Package]:
    """Publish ``pkg`` into the store; returns the actions, the dataset page's
    address and the package as published (its version may be another one,
    see plan.settle_version)."""
    org, name = pkg.org_slug, pkg.name
    base = f"{org}/{name}/"
    existing = store.listing()
    published = _published(existing)
    pkg = settle_version(pkg, published.get((org, name), set()),
                         lambda v: store.read(f"{base}{v}/{DESCRIPTOR}"), next_if_changed, store.label)
    version = pkg.version

    vprefix = f"{base}{version}/"
    v_steps = writes_last_descriptor(
        diff([i.moved(vprefix + i.path) for i in pkg.items], existing, store.sha256, delete_scope=vprefix))

    versions = sorted(published.get((org, name), set()) | {version}, key=version_key)
    l_steps: list[Step] = []
    l_items: list[Item] = []
    lprefix = f"{base}{LATEST}/"
    if versions[-1] == version:
        l_items = [i.moved(lprefix + i.path) for i in pkg.items]
        l_steps = writes_last_descriptor(diff(l_items, existing, store.sha256, delete_scope=lprefix))

    published.setdefault((org, name), set()).add(version)
    p_steps = diff(_pages(store, published, pkg), existing, store.sha256)
    # The columnar copy follows latest/: only the highest version is there.
    c_steps = diff(columnar.items(pkg), existing, store.sha256) if versions[-1] == version else []

    actions = [s.action for s in v_steps + l_steps + c_steps + p_steps]
    if not dry_run:
        store.run(v_steps, progress)
        if any(s.action.action != "unchanged" for s in l_steps):
            store.replace_folder(lprefix, l_steps, l_items, progress, copy_from=vprefix)
        store.run(c_steps, progress)
        store.run(p_steps, progress)
        actions += _settle(store, pkg, published, progress)
    return actions, store.url(f"{base}index.html"), pkg


def _pages(store: Store, published: dict[tuple[str, str], set[str]], pkg: Package) -> list[Item]:
    """The dataset page of ``pkg``, catalog.json and index.html for every dataset in ``published``."""
    org, name = pkg.org_slug, pkg.name
    datasets = []
    current = None
    for (o, n), vs in sorted(published.items()):
        vs_sorted = sorted(vs, key=version_key)
        if (o, n) == (org, name):
            # latest/ holds the highest version, which may be one published before this package.
            desc = (pkg.descriptor if vs_sorted[-1] == pkg.version
                    else _read_json(store, f"{o}/{n}/{vs_sorted[-1]}/{DESCRIPTOR}") or pkg.descriptor)
            current = catalogue.Dataset(o, n, vs_sorted, desc)
            datasets.append(current)
            continue
        desc = (_read_json(store, f"{o}/{n}/{LATEST}/{DESCRIPTOR}")
                or _read_json(store, f"{o}/{n}/{vs_sorted[-1]}/{DESCRIPTOR}"))
        if desc:
            datasets.append(catalogue.Dataset(o, n, vs_sorted, desc))
    return catalogue.render(datasets, current)


def _settle(store: Store, pkg: Package, rendered: dict[tuple[str, str], set[str]],
            progress: Optional[Progress]) -> list[Action]:
    """Make sure the target, as it is now, has latest/ on the highest version of
    this dataset and pages that list every dataset; returns what that wrote.

    Two publishers into one bucket may each list it before the other's
    datapackage.json is there: the one that writes index.html last would then
    leave the other's dataset out, and a lower version could be copied to
    latest/ after a higher one. So after writing, list again: whoever writes
    last sees every datapackage.json that came first, and writes again until
    nothing is missing. (A folder catalogue is also locked, local.py, so there
    this only confirms, or repairs a latest/ that a failed run left behind.)"""
    done: list[Action] = []
    base = f"{pkg.org_slug}/{pkg.name}/"
    for _ in range(PAGE_ROUNDS):
        existing = store.listing()
        now = _published(existing)
        done += _latest_follows(store, base, now.get((pkg.org_slug, pkg.name), set()), existing, progress)
        if all(rendered.get(key, set()) >= vs for key, vs in now.items()):
            break
        for key, vs in now.items():
            rendered.setdefault(key, set()).update(vs)
        steps = diff(_pages(store, rendered, pkg), existing, store.sha256)
        store.run(steps, progress)
        done += [s.action for s in steps if s.action.action != UNCHANGED]
    return done


def _latest_follows(store: Store, base: str, versions: set[str], existing: dict[str, int],
                    progress: Optional[Progress]) -> list[Action]:
    """Put the highest version in latest/ if it is not there (see _settle)."""
    if not versions:
        return []
    source = f"{base}{max(versions, key=version_key)}/"
    lprefix = f"{base}{LATEST}/"
    if _same_files(store, source, lprefix, existing):
        return []
    try:
        highest = load_package(f"{store.label.rstrip('/')}/{source}", ReaderFiles(lambda rel: store.read(source + rel)))
    except OpenbookError:
        return []  # that version is damaged: latest/ stays as it is rather than copy it
    items = [i.moved(lprefix + i.path) for i in highest.items]
    steps = writes_last_descriptor(diff(items, existing, store.sha256, delete_scope=lprefix))
    store.replace_folder(lprefix, steps, items, progress, copy_from=source)
    # the columnar copy follows latest/
    c_steps = diff(columnar.items(highest), existing, store.sha256)
    store.run(c_steps, progress)
    return [s.action for s in steps + c_steps if s.action.action != UNCHANGED]


def _same_files(store: Store, source: str, lprefix: str, existing: dict[str, int]) -> bool:
    """Whether latest/ holds exactly the files of the version folder ``source``.
    Every file, not only datapackage.json: two publishers copying different
    versions into latest/ at once can leave one's descriptor beside the other's
    data, which the descriptor alone would not show."""
    files = {k[len(source):]: n for k, n in existing.items() if k.startswith(source)}
    latest = {k[len(lprefix):]: n for k, n in existing.items() if k.startswith(lprefix)}
    if files != latest:
        return False
    return all(store.sha256(source + rel) == store.sha256(lprefix + rel) for rel in files)


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
