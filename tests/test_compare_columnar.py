"""compare reads a catalogue's spend from its Parquet copy (publish/columnar.py) when that copy is
current, and gets exactly what the packages give; a copy that is missing or older than latest/ is
noticed, said, and the packages are read instead.

The catalogues are made by `openbook publish` itself: the three example councils with the
supplier (the reconciliation reads council spend lines), and a dozen councils made from them
whose spend has been varied the ways real spend varies (other amounts, sub-penny amounts, blank
and withheld payees, amounts that are not numbers, registration numbers written differently).
"""
from __future__ import annotations

import csv
import io
import json
import random
import shutil
from pathlib import Path

import pytest

from openbook.compare import compare
from openbook.datapackage.contract import sha256_bytes
from openbook.datapackage.write import package
from openbook.publish import columnar, publish

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
COUNCILS = ["anytown-borough-council", "brookshire-district-council", "castleford-city-council"]
SUPPLIER = "kestrel-managed-services-supplier-costs"

pytestmark = pytest.mark.skipif(not (EXAMPLES / "castleford-city-council.xlsx").exists(),
                                reason="examples not generated (examples/generate.py)")


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    out = tmp_path_factory.mktemp("packages")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1764288000")
        councils = [package(EXAMPLES / f"{c}.xlsx", out_dir=out).path for c in COUNCILS]
        supplier = package(EXAMPLES / f"{SUPPLIER}.xlsx", out_dir=out).path
    return {"councils": councils, "supplier": supplier}


def _published(paths, root: Path) -> Path:
    for p in paths:
        publish(p, to=str(root))
    return root


def both(catalogue: Path, *more):
    """The comparison from the Parquet copy and from the packages, as data."""
    fast = compare([catalogue, *more])
    slow = compare([catalogue, *more], use_columnar=False)
    return fast, slow


def _spend_source(result) -> set[str]:
    return {"parquet" if f.parquet is not None else "csv" for b in result.bodies for f in b.spend}


def test_examples_catalogue_same_from_parquet_and_packages(packages, tmp_path):
    cat = _published(packages["councils"] + [packages["supplier"]], tmp_path / "catalogue")
    fast, slow = both(cat)
    assert _spend_source(fast) == {"parquet"} and _spend_source(slow) == {"csv"}
    assert fast.suppliers and fast.reconciliations
    assert any(r.paid for r in fast.reconciliations)   # council spend lines were read, from Parquet
    assert fast.to_dict() == slow.to_dict()


# --------------------------------------------------------------------------- many councils, varied spend

def _rewrite(pkg: Path, dest: Path, i: int, rng: random.Random) -> Path:
    """A copy of an example package as another council, its spend varied; hashes made again."""
    shutil.copytree(pkg, dest)
    d = json.loads((dest / "datapackage.json").read_text(encoding="utf-8"))
    slug = f"test-council-{i:02d}"
    old_uri, uri = d["openbook"]["organisation"]["uri"], f"https://www.{slug}.gov.uk/"
    for res in d["resources"]:
        path = dest / res["path"]
        text = path.read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        header = list(rows[0].keys()) if rows else next(csv.reader(io.StringIO(text)))
        for n, row in enumerate(rows):
            if row.get("OrganisationURI") == old_uri:
                row["OrganisationURI"] = uri
            if res["name"] != "spend":
                continue
            if row.get("Amount"):
                row["Amount"] = f"{float(row['Amount'].replace('£', '').replace(',', '')) * (1 + i / 10):.2f}"
            pick = rng.random()
            if pick < 0.04:
                row["Amount"] = f"{rng.uniform(1, 900):.3f}"            # a fraction of a penny
            elif pick < 0.06:
                row["BeneficiaryName"] = ""                              # blank payee
            elif pick < 0.08:
                row["BeneficiaryName"] = "REDACTED"                      # withheld
            elif pick < 0.10 and row.get("BeneficiaryRegistrationNumber"):
                row["BeneficiaryRegistrationNumber"] = row["BeneficiaryRegistrationNumber"].lstrip("0")
            elif pick < 0.12:
                row["BeneficiaryName"] = row["BeneficiaryName"].upper() + " "   # another spelling
            if i % 4 == 3 and n == 0:
                row["Amount"] = "N/A"        # this body's Amount column stays text in Parquet
        buf = io.StringIO(newline="")
        w = csv.DictWriter(buf, fieldnames=header, lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)
        data = buf.getvalue().encode("utf-8")
        path.write_bytes(data)
        res["bytes"], res["hash"] = len(data), f"sha256:{sha256_bytes(data)}"
    d["name"] = f"{slug}-2025-26"
    d["openbook"]["organisation"] = {"uri": uri, "name": f"Test Council {i:02d}", "slug": slug}
    d["publisher"] = {"title": f"Test Council {i:02d}", "path": uri, "slug": slug}
    d["openbook"]["population"] = 50_000 + 7_919 * i
    (dest / "datapackage.json").write_text(json.dumps(d, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def many(packages, tmp_path_factory):
    root = tmp_path_factory.mktemp("many")
    rng = random.Random(7)
    made = [_rewrite(packages["councils"][i % 3], root / "packages" / f"c{i:02d}", i, rng) for i in range(12)]
    cat = _published(made + [packages["supplier"]], root / "catalogue")
    return {"catalogue": cat, "packages": made}


def test_many_councils_same_from_parquet_and_packages(many):
    import polars as pl
    cat = many["catalogue"]
    kinds = {str(pl.read_parquet_schema(p)["Amount"]) for p in (cat / columnar.ROOT / "table=spend").rglob("*.parquet")}
    assert kinds == {"Float64", "String"}   # typed amounts, and a body's that stayed text
    fast, slow = both(cat)
    assert _spend_source(fast) == {"parquet"}
    assert len(fast.bodies) == 12 and fast.suppliers
    assert fast.to_dict() == slow.to_dict()


def test_a_package_given_beside_the_catalogue_is_read_from_its_files(many, packages):
    fast, slow = both(many["catalogue"], packages["councils"][0])
    assert _spend_source(fast) == {"parquet", "csv"}
    assert fast.to_dict() == slow.to_dict()


def test_a_stale_or_missing_copy_is_noticed_and_the_package_read(many, tmp_path):
    cat = tmp_path / "catalogue"
    shutil.copytree(many["catalogue"], cat)
    spend = sorted((cat / columnar.ROOT / "table=spend").rglob("*.parquet"))
    # one copy made from other spend (a publish that stopped before the copy), one copy gone
    shutil.copyfile(spend[1], spend[0])
    spend[2].unlink()
    fast, slow = both(cat)
    notes = [n for n in fast.notes if "columnar copy" in n]
    assert len(notes) == 1 and "of 2 dataset(s) is missing or older than latest/" in notes[0], fast.notes
    assert "Publish those packages again" in notes[0]
    assert _spend_source(fast) == {"parquet", "csv"}
    assert fast.to_dict()["suppliers"] == slow.to_dict()["suppliers"]
    assert [n for n in fast.notes if n not in notes] == slow.notes
    # publishing again brings the copy up to date
    for p in many["packages"]:
        publish(p, to=str(cat))
    again = compare([cat])
    assert _spend_source(again) == {"parquet"} and not [n for n in again.notes if "columnar copy" in n]
    assert again.to_dict() == slow.to_dict()


def test_a_changed_small_table_is_refused_as_the_package_path_refuses_it(many, tmp_path):
    """The tables read from the packages (all but spend) are checked against their sha256 when read."""
    from openbook.errors import OpenbookError
    cat = tmp_path / "catalogue"
    shutil.copytree(many["catalogue"], cat)
    functions = next(cat.glob("test-council-00/*/latest/data/functions.csv"))
    functions.write_bytes(functions.read_bytes().replace(b"true", b"TRUE", 1))
    for use in (True, False):
        with pytest.raises(OpenbookError, match="does not match the sha256 in datapackage.json"):
            compare([cat], use_columnar=use)
