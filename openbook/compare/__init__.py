"""openbook compare: duplication across bodies, the savings scenario and the Public Value Index.

    import openbook
    result = openbook.compare(["out/anytown-borough-council-2025-26", "catalogue/"], reduction=0.4)
    print(result.scenario.total)
    result.to_dict()          # everything, for JSON

The method is written out in docs/compare.md and docs/public-value-index.md, and the
same words (method.py) are carried in ``Comparison.method``, so every report states
how its figures were made. One module per part of the method; this one puts them together.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from openbook.compare.functions import body_functions, merge_bodies, shared_functions
from openbook.compare.matching import assign_keys
from openbook.compare.method import BACK_OFFICE_RULE, COST_RULE, DUPLICATION_RULE, MATCH_RULE, PVI_RULE, REDUCTION, ROLE_RULE, SUPPLIER_RULE, SYSTEM_RULE
from openbook.compare.model import Comparison
from openbook.compare.overlaps import common_suppliers, duplicated_systems, roles_by_function
from openbook.compare.pvi import public_value_index
from openbook.compare.scenario import scenario, summaries
from openbook.compare.sources import load_sources
from openbook.errors import OpenbookError


def compare(sources: Iterable[str | Path] | str | Path, reduction: float = REDUCTION) -> Comparison:
    """Compare the open-book packages in ``sources`` (folders, zips, catalogues, s3://, ckan+https://).

    Raises OpenbookError (one line) when a source cannot be read or fewer
    than two public bodies are found.
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    sources = list(sources)
    if not sources:
        raise OpenbookError("no sources given. Give two or more package folders, .zip files or catalogues.")
    try:
        reduction = float(reduction)
    except (TypeError, ValueError):
        raise OpenbookError(f"--reduction {reduction!r}: use a fraction between 0 and 1, such as 0.4.") from None
    if not 0 <= reduction <= 1:
        raise OpenbookError(f"--reduction {reduction:g}: use a fraction between 0 and 1, such as 0.4 for 40%.")
    packages, notes = load_sources(sources)
    all_bodies = merge_bodies(packages, notes)
    bodies = []
    for b in all_bodies:
        if not b.tables.get("functions"):
            kind = "a supplier's package" if b.profile == "supplier" else "a package with no functions table"
            notes.append(f"{b.name} ({', '.join(b.packages)}): {kind}; it is not compared as a public body.")
            continue
        if not b.population:
            notes.append(f"{b.name}: no population in the package metadata, so no cost per head.")
        bodies.append(b)
    if len(bodies) < 2:
        found = ", ".join(b.name for b in bodies) or "none"
        raise OpenbookError(f"compare needs at least two public bodies with a functions table; found {len(bodies)} "
                            f"({found}). Give more packages or catalogues.")
    bodies.sort(key=lambda b: b.name)
    fid_keys = assign_keys(bodies)
    per_body = {b.slug: body_functions(b, fid_keys[b.slug], notes) for b in bodies}
    functions = shared_functions(bodies, per_body, notes)
    shared_keys = {sf.parts: sf.label for sf in functions}
    back_ids = {b.slug: {fid for sf in functions if sf.back_office for e in sf.bodies if e.body == b.slug
                         for fid in e.function_ids} for b in bodies}
    systems = duplicated_systems(bodies, back_ids)
    suppliers = common_suppliers(bodies)
    roles, unassigned = roles_by_function(bodies, fid_keys, shared_keys)
    sc = scenario(bodies, functions, systems, reduction)
    index = public_value_index(bodies, functions, fid_keys)
    method = {"matching": MATCH_RULE, "costs": COST_RULE, "duplication": DUPLICATION_RULE,
              "back_office": BACK_OFFICE_RULE, "systems": SYSTEM_RULE, "suppliers": SUPPLIER_RULE,
              "roles": ROLE_RULE, "scenario": sc.method, "public_value_index": PVI_RULE}
    for fi in index:
        for e in fi.not_ranked:
            if "not ranked: no outcome data" in e.reasons:
                notes.append(f"{e.body_name} is not ranked on the Public Value Index for {fi.label}: "
                             "no outcome data for that function.")
    return Comparison(reduction=reduction, bodies=bodies, summaries=summaries(bodies, functions, sc),
                      shared_functions=functions, systems=systems, suppliers=suppliers, roles=roles,
                      roles_unassigned=unassigned, scenario=sc, index=index, method=method, notes=notes)
