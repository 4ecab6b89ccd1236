"""Where `openbook compare` reads packages from.

A SOURCE is anything a target reads back (openbook.publish.targets):

- a package folder (holding datapackage.json) or a package .zip;
- a catalogue folder: every package below it, each dataset once (its
  ``latest/`` copy, else its highest version);
- ``s3://bucket/prefix``: the same layout in a bucket;
- ``ckan+https://host/organization/NAME`` or ``.../group/NAME``.

Every package is checked as publish checks it (openbook.datapackage.contract).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from openbook.progress import Callback

from openbook.datapackage.contract import Package, version_key
from openbook.publish.targets import target


def load_sources(sources: Iterable[str | Path], progress: Callback | None = None) -> tuple[list[Package], list[str]]:
    """All packages, each dataset once: a latest/ copy wins, then the highest version.
    Also the notes saying which copies were counted once."""
    packages: list[Package] = []
    sources = list(sources)
    for i, source in enumerate(sources):
        if progress:
            progress("Finding packages in the sources", i, len(sources))
        packages.extend(target(str(source)).packages())
    notes = []
    best: dict[tuple[str, str], Package] = {}
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
