"""The plan shared by every target: what to create, update, leave or delete.

A target tells the planner what it already holds (sizes, and a sha256 on
request); the planner compares that with the files to publish. Nothing is
downloaded to find out whether it changed: a target keeps the sha256 of each
file it was given (S3 object metadata, the CKAN resource ``hash`` field) or,
for a folder, hashes its own copy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

import json

from openbook.datapackage.contract import DESCRIPTOR, Item, Package, next_version, same_content, version_key
from openbook.errors import OpenbookError, Refused

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
DELETE = "delete"

#: ``progress(path, done_bytes, total_bytes)``: called while a file uploads,
#: and once with ``done == total`` when it is in place.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Action:
    """One line of the plan: a file or resource on the target and what happens to it."""

    target: str
    action: str  # create | update | unchanged | delete
    bytes: int = 0


@dataclass
class PublishResult:
    """What ``publish`` did (or, with ``dry_run``, would do)."""

    target: str  # where, as the user gave it
    url: str  # the page or dataset to open
    actions: list[Action] = field(default_factory=list)
    dry_run: bool = False
    version: str = ""  # the version published (another than the package's with --version/--next-version)

    @property
    def changed(self) -> bool:
        return any(a.action != UNCHANGED for a in self.actions)

    def counts(self) -> dict[str, int]:
        out = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, DELETE: 0}
        for a in self.actions:
            out[a.action] += 1
        return out


@dataclass(frozen=True)
class Step:
    action: Action
    item: Optional[Item]  # None for delete and unchanged-by-design entries
    key: str  # the target's key (path relative to its root)


def diff(desired: Iterable[Item], existing: dict[str, int], sha256_of: Callable[[str], Optional[str]],
         delete_scope: Optional[str] = None) -> list[Step]:
    """Compare ``desired`` (items whose ``path`` is the target key) with ``existing``
    (key -> size). ``sha256_of(key)`` is asked only when the sizes match.

    Keys under ``delete_scope`` that are not desired become deletes. The steps
    come back in the order to run them: new and changed files in the given
    order (datapackage.json last, as the caller lists it), then deletes.
    """
    steps: list[Step] = []
    wanted = set()
    for item in desired:
        key = item.path
        wanted.add(key)
        if key not in existing:
            act = CREATE
        elif existing[key] != item.bytes:
            act = UPDATE
        else:
            act = UNCHANGED if sha256_of(key) == item.sha256 else UPDATE
        steps.append(Step(Action(key, act, item.bytes), item, key))
    if delete_scope is not None:
        for key in sorted(existing):
            if key.startswith(delete_scope) and key not in wanted:
                steps.append(Step(Action(key, DELETE, existing[key]), None, key))
    return steps


def writes_last_descriptor(steps: list[Step]) -> list[Step]:
    """Order steps so every datapackage.json comes after the other files, and
    removals come last (a stable sort: otherwise the order is kept)."""
    def rank(step: Step) -> int:
        if step.action.action == DELETE:
            return 2
        return 1 if step.key.endswith(DESCRIPTOR) else 0
    return sorted(steps, key=rank)


def settle_version(pkg: Package, published: Iterable[str], read: Callable[[str], Optional[bytes]],
                   next_if_changed: bool, where: str) -> Package:
    """The package to publish, given the versions of this dataset the target
    already holds (``read(version)`` gives that version's datapackage.json).

    A published version is never changed. The same content again (the same
    descriptor apart from when it was made) is the published version itself,
    so publishing it again changes nothing. Other content under a published
    version is refused, unless ``next_if_changed``: then content that differs
    from the newest version goes up as the version after it.
    """
    published = sorted(set(published), key=version_key)

    def descriptor(version: str) -> tuple[Optional[bytes], Optional[dict]]:
        raw = read(version)
        try:
            value = json.loads(raw.decode("utf-8-sig")) if raw is not None else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            value = None
        return raw, value if isinstance(value, dict) else None

    if pkg.version in published:
        raw, have = descriptor(pkg.version)
        if raw == pkg.descriptor_item.read():
            return pkg
        if have is not None and same_content(have, pkg.descriptor):
            return pkg.with_descriptor(raw)
    if next_if_changed and published:
        newest = published[-1]
        raw, have = descriptor(newest)
        if have is not None and same_content(have, pkg.descriptor, ignore_version=True):
            return pkg.with_descriptor(raw)
        if version_key(pkg.version) > version_key(newest):
            return pkg
        following = next_version(newest)
        if following is None:
            raise OpenbookError(f"{where}: the newest published version, {newest}, is not numbers and dots, so "
                                "openbook cannot tell which comes next. Give the new version with --version.")
        return pkg.with_version(following)
    if pkg.version in published:
        following = next_version(max(published + [pkg.version], key=version_key)) or "a new version"
        raise Refused(f"{where}: {pkg.name} version {pkg.version} is already published there with other "
                      f"content, and a published version is never changed. Publish this one as a new version: "
                      f"add --version {following}, or --next-version to take the next one.")
    return pkg


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} bytes"
