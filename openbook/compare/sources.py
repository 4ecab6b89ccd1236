"""Where `openbook compare` reads packages from.

A SOURCE is anything a target reads back (openbook.publish.targets):

- a package folder (holding datapackage.json) or a package .zip;
- a catalogue folder: every package below it, each dataset once (its
  ``latest/`` copy, else its highest version);
- ``s3://bucket/prefix``: the same layout in a bucket;
- ``ckan+https://host/organization/NAME`` or ``.../group/NAME``.

Every package is checked as publish checks it (openbook.datapackage.contract).

A catalogue folder that publish gave a columnar copy (``_parquet/``,
publish/columnar.py) has its spend read from there: each dataset's Parquet
file records the sha256 of the CSV files it was made from, so it is used only
when it is the copy of exactly the package compare chose (the same latest
version); the packages' other tables, and their spend CSV files, are then
checked by their sha256 only when read. A dataset whose copy is missing or
older is read from its package, and a note says so.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from openbook.compare.spend import SPEND
from openbook.datapackage.contract import DESCRIPTOR, Package, version_key
from openbook.progress import Callback
from openbook.publish import columnar
from openbook.publish.targets import target


def load_sources(sources: Iterable[str | Path], use_columnar: bool = True, progress: Callback | None = None
                 ) -> tuple[list[Package], list[str], dict[str, Path]]:
    """All packages, each dataset once: a latest/ copy wins, then the highest version.
    Also the notes saying which copies were counted once, and the Parquet copy of each
    package's spend that is current (by package label)."""
    packages: list[Package] = []
    parquet: dict[str, Path] = {}
    sources = list(sources)
    notes = []
    for i, source in enumerate(sources):
        if progress:
            progress("Finding packages in the sources", i, len(sources))
        where = target(str(source))
        root = Path(str(source)).expanduser()
        if (use_columnar and where.kind == "local" and root.is_dir() and not (root / DESCRIPTOR).is_file()
                and (root / columnar.ROOT).is_dir()):
            found = where.packages(check_files=False, schemas=False)
            current, notes_here = _current_copies(root, str(source), found)
            parquet.update(current)
            notes.extend(notes_here)
        else:
            found = where.packages()
        for pkg in found:  # compare never reads the inline Table Schemas: most of a descriptor's memory
            for res in pkg.descriptor.get("resources") or []:
                if isinstance(res, dict):
                    res.pop("schema", None)
        packages.extend(found)
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
    kept = [best[k] for k in order]
    labels = {p.label for p in kept}
    return kept, notes, {label: path for label, path in parquet.items() if label in labels}


def _current_copies(root: Path, label: str, packages: list[Package]) -> tuple[dict[str, Path], list[str]]:
    """The Parquet copy of each package's spend that was made from exactly its spend files."""
    import polars as pl
    current: dict[str, Path] = {}
    behind = []
    for pkg in packages:
        items = pkg.resource_items(SPEND)
        if not items:
            continue
        path = root.joinpath(*columnar.key(pkg, SPEND).split("/"))
        try:
            recorded = json.loads(pl.read_parquet_metadata(path).get(columnar.SOURCE_KEY) or "null")
        except Exception:  # missing, unreadable or not Parquet: read the package instead
            recorded = None
        want = json.loads(columnar.source_text(pkg, SPEND))
        if recorded == want:
            current[pkg.label] = path
        else:
            behind.append(pkg.name)
    notes = []
    if behind:
        shown = ", ".join(behind[:5]) + (f" and {len(behind) - 5} more" if len(behind) > 5 else "")
        notes.append(f"{label}: the columnar copy ({columnar.ROOT}/) of the spend of {len(behind)} dataset(s) is "
                     f"missing or older than latest/ ({shown}); their spend was read from the packages instead, "
                     "which is slower. Publish those packages again to bring the copy up to date.")
    return current, notes
