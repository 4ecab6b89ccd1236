"""openbook compare: duplication across bodies, the savings scenario and the Public Value Index.

    import openbook
    result = openbook.compare(["out/anytown-borough-council-open-book-2025-26", "catalogue/"], reduction=0.4)
    print(result.scenario.total)
    result.to_dict()          # everything, for JSON

The method is written out in docs/compare.md and docs/public-value-index.md, and the
same words (method.py) are carried in ``Comparison.method``, so every report states
how its figures were made. One module per part of the method; this one puts them together.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from openbook.compare import method as M
from openbook.compare.functions import body_functions, merge_bodies, shared_functions
from openbook.compare.matching import assign_keys
from openbook.compare.model import Comparison
from openbook.compare.overlaps import common_suppliers, duplicated_systems, roles_by_function
from openbook.compare.peers import assign_peer_groups, read_register
from openbook.compare.pvi import public_value_index
from openbook.compare.reconcile import reconcile
from openbook.compare.scenario import extrapolate, peer_groups, scenario, summaries
from openbook.compare.sources import load_sources
from openbook.errors import OpenbookError
from openbook.progress import Callback


def compare(sources: Iterable[str | Path] | str | Path, reduction: float = M.REDUCTION,
            register: str | Path | None = None, scale_population: int | None = None,
            scale_source: str | None = None, use_columnar: bool = True,
            progress: Callback | None = None) -> Comparison:
    """Compare the open-book packages in ``sources`` (folders, zips, catalogues, s3://, ckan+https://).

    ``register``: a CSV naming each body's type (docs/compare.md, peer groups).
    ``scale_population`` and ``scale_source``: a population to extrapolate the
    scenario to, and where that figure comes from (both, or neither).
    ``use_columnar``: read a catalogue folder's spend from its Parquet copy when
    that is current (sources.py); False reads every package's CSV files instead.
    ``progress`` (openbook.progress) hears of each package read and each step.

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
    if scale_population is not None:
        if isinstance(scale_population, bool) or not isinstance(scale_population, int) or scale_population <= 0:
            raise OpenbookError(f"--scale-population {scale_population!r}: use a whole number of residents, "
                                "such as 57000000.")
        if not (scale_source or "").strip():
            raise OpenbookError("--scale-population needs --scale-source: say where the population figure comes "
                                "from (for example 'the region, from our own register').")
    reg = read_register(register) if register else None
    packages, notes, parquet = load_sources(sources, use_columnar, progress)
    meta = {p.org_slug: p.organisation for p in packages}
    all_bodies = merge_bodies(packages, notes, parquet, progress)
    step = progress or (lambda label: None)
    bodies, supplier_bodies = [], []
    for b in all_bodies:
        if b.profile == "supplier":
            supplier_bodies.append(b)
            notes.append(f"{b.name} ({', '.join(b.packages)}): a supplier's package; it is not a public body, "
                         "so its open-book costs are reconciled against the councils' spend instead.")
            continue
        if not b.tables.get("functions"):
            notes.append(f"{b.name} ({', '.join(b.packages)}): a package with no functions table; it is not "
                         "compared as a public body.")
            continue
        if not b.population:
            notes.append(f"{b.name}: no population in the package metadata, so no cost per head.")
        bodies.append(b)
    if len(bodies) < 2:
        found = ", ".join(b.name for b in bodies) or "none"
        raise OpenbookError(f"compare needs at least two public bodies with a functions table; found {len(bodies)} "
                            f"({found}). Give more packages or catalogues.")
    bodies.sort(key=lambda b: b.name)
    assign_peer_groups(bodies, reg, meta)
    groups = peer_groups(bodies)
    periods = sorted({b.period for b in bodies if b.period})
    if len(periods) > 1:
        notes.append(f"The packages cover different periods ({', '.join(periods)}): costs are compared as "
                     "published, not adjusted for inflation.")
    step(f"Comparing {len(bodies)} bodies: matching functions")
    fid_keys = assign_keys(bodies)
    per_body = {b.slug: body_functions(b, fid_keys[b.slug], notes) for b in bodies}
    functions = shared_functions(bodies, per_body, notes)
    shared_keys = {sf.parts: sf.label for sf in functions}
    step(f"Comparing {len(bodies)} bodies: systems, suppliers, costs and roles")
    systems = duplicated_systems(bodies)
    suppliers = common_suppliers(bodies)
    reconciliations = reconcile(supplier_bodies, bodies, notes)
    roles, unassigned = roles_by_function(bodies, fid_keys, shared_keys)
    step(f"Comparing {len(bodies)} bodies: the scenario and the Public Value Index")
    sc = scenario(bodies, functions, systems, reduction, groups)
    index = public_value_index(bodies, functions, fid_keys)
    method = {"peer_groups": M.PEER_RULE, "matching": M.MATCH_RULE, "costs": M.COST_RULE, "units": M.UNIT_RULE,
              "duplication": M.DUPLICATION_RULE, "intervals": M.INTERVAL_RULE, "back_office": M.BACK_OFFICE_RULE,
              "delivery": M.DELIVERY_RULE, "coverage": M.COVERAGE_RULE, "systems": M.SYSTEM_RULE,
              "suppliers": M.SUPPLIER_RULE, "reconciliation": M.RECONCILE_RULE, "roles": M.ROLE_RULE,
              "scenario": sc.method, "public_value_index": M.PVI_RULE}
    for fi in index:
        for e in fi.not_ranked:
            if "not ranked: no outcome data" in e.reasons:
                notes.append(f"{e.body_name} is not ranked on the Public Value Index for {fi.label}: "
                             "no outcome data for that function.")
    return Comparison(reduction=reduction, bodies=bodies, peer_groups=groups,
                      summaries=summaries(bodies, functions, sc), shared_functions=functions, systems=systems,
                      suppliers=suppliers, reconciliations=reconciliations, roles=roles, roles_unassigned=unassigned,
                      scenario=sc, extrapolation=extrapolate(sc, scale_population, scale_source), index=index,
                      method=method, notes=notes)
