"""A generated catalogue of many councils in two peer groups, for testing compare at scale.

Each council is a copy of one of the three example packages with its own
organisation, population and costs: every function's cost is scaled by the
population and by a seeded factor of its own, so costs per head differ
function by function. Half the councils are districts and half unitary
authorities, stated the way real packages can state it: an opendatacommunities.org
organisation URI that names the type. Populations are invented for test bodies
only (nothing here describes a real council). Spend is left out to keep it small.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from pathlib import Path

GROUPS = [("district-council", "District", (100_000, 240_000)),
          ("unitary-authority", "Unitary", (260_000, 480_000))]
MONEY = {"functions": ["AnnualCost"], "costs": ["Actual", "Budget"], "systems": ["AnnualCost"]}


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_catalogue(bases: list[Path], root: Path, councils: int = 32, seed: int = 17) -> list[dict]:
    """Write ``councils`` packages under root/<slug>/<name>/latest/; return what each was made from."""
    rng = random.Random(seed)
    made = []
    for i in range(councils):
        base = bases[i % len(bases)]
        kind, word, (lo, hi) = GROUPS[i % 2]
        d = json.loads((base / "datapackage.json").read_text(encoding="utf-8"))
        old_uri = d["openbook"]["organisation"]["uri"]
        slug = f"test-{word.lower()}-{i:02d}"
        uri = f"https://opendatacommunities.org/id/{kind}/{slug}"
        population = rng.randint(lo, hi)
        ratio = population / d["openbook"]["population"]
        factors: dict[str, float] = {}
        target = root / slug / f"{slug}-2025-26" / "latest"
        (target / "data").mkdir(parents=True)
        keep = []
        for res in d["resources"]:
            if res["name"] == "spend":
                continue
            header, rows = _rows(base / res["path"])
            for row in rows:
                if "OrganisationURI" in row:
                    row["OrganisationURI"] = uri if row["OrganisationURI"] == old_uri else row["OrganisationURI"]
                fid = row.get("FunctionID") or row.get("SystemID") or ""
                f = factors.setdefault(fid, rng.lognormvariate(0, 0.25))
                for col in MONEY.get(res["name"], []):
                    if row.get(col):
                        row[col] = f"{float(row[col]) * ratio * f:.2f}"
                if res["name"] == "functions" and row.get("AnnualVolume"):
                    row["AnnualVolume"] = str(round(float(row["AnnualVolume"]) * ratio))
                    row["UnitCost"] = ""
                if res["name"] == "outcomes" and row.get("Value"):
                    row["Value"] = f"{float(row['Value']) * rng.uniform(0.85, 1.15):.2f}"
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            data = buf.getvalue().encode("utf-8")
            (target / res["path"]).write_bytes(data)
            res.update(bytes=len(data), hash="sha256:" + hashlib.sha256(data).hexdigest(), rows=len(rows))
            keep.append(res)
        d["resources"] = keep
        name = f"{word} Test Council {i:02d}"
        d["name"] = f"{slug}-2025-26"
        d["publisher"] = {"title": name, "path": uri, "slug": slug}
        d["openbook"]["organisation"] = {"uri": uri, "name": name, "slug": slug}
        d["openbook"]["population"] = population
        (target / "datapackage.json").write_text(json.dumps(d, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        made.append({"slug": slug, "type": kind, "population": population, "base": base.name})
    return made
