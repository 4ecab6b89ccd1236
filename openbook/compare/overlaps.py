"""What several bodies pay for more than once: systems, suppliers and roles."""
from __future__ import annotations

from collections import Counter, defaultdict

from openbook.compare.functions import role_rows
from openbook.compare.benchmark import measure
from openbook.compare.matching import key_id, normalise_name, number, registration_number
from openbook.compare.model import Body, CommonSupplier, DuplicatedSystem, RoleGroup, SupplierAmount, SystemLicence
from openbook.compare.spend import SupplierGroup, supplier_groups
from openbook.standard.markers import withheld


def duplicated_systems(bodies: list[Body]) -> list[DuplicatedSystem]:
    groups: dict[tuple[str, str], dict[str, SystemLicence]] = defaultdict(dict)
    for body in bodies:
        for r in body.tables.get("systems") or []:
            vendor, product = (r.get("Vendor") or "").strip(), (r.get("Product") or "").strip()
            key = (normalise_name(vendor), normalise_name(product))
            if not key[0] or not key[1]:
                continue
            cost = number(r.get("AnnualCost"))
            lic = groups[key].get(body.slug)
            name = (r.get("SystemName") or r.get("SystemID") or product).strip()
            if lic is None:
                groups[key][body.slug] = SystemLicence(body=body.slug, body_name=body.name,
                                                       peer_group=body.peer_group, systems=[name],
                                                       vendor=vendor, product=product, annual_cost=cost)
            else:
                lic.systems.append(name)
                if cost is not None:
                    lic.annual_cost = (lic.annual_cost or 0.0) + cost
    population = {b.slug: b.population for b in bodies}
    out = []
    for key, licences in groups.items():
        if len(licences) < 2:
            continue
        entries = sorted(licences.values(), key=lambda lic: lic.body_name)
        vendors = Counter(e.vendor for e in entries)
        products = Counter(e.product for e in entries)
        best = lambda c: sorted(c.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]  # noqa: E731
        ds = DuplicatedSystem(key=f"{key[0]} / {key[1]}", vendor=best(vendors), product=best(products),
                              bodies=entries)
        ds.total_cost = sum(e.annual_cost for e in entries if e.annual_cost is not None)
        ds.peers = measure(entries, lambda e: e.annual_cost, lambda e: {"head": population.get(e.body)})
        for e in entries:
            if e.duplication_cost is not None:
                e.counted, e.status = True, "counted"
        ds.duplication_cost = sum(pb.duplication_cost for pb in ds.peers if pb.claimed)
        out.append(ds)
    out.sort(key=lambda d: (-d.duplication_cost, -d.total_cost, d.vendor, d.product))
    return out


def supplier_keys(groups: dict[str, list[SupplierGroup]]) -> dict[str, str]:
    """Normalised name -> registration number, for names used with exactly one number."""
    seen: dict[str, set[str]] = defaultdict(set)
    for body_groups in groups.values():
        for g in body_groups:
            reg = registration_number(g.registration)
            name = normalise_name(g.name)
            if reg and name:
                seen[name].add(reg)
    return {name: next(iter(regs)) for name, regs in seen.items() if len(regs) == 1}


def spend_supplier_key(name: str, registration: str, by_name: dict[str, str]) -> tuple[str, str] | None:
    """('reg', number) or ('name', normalised name) for a spend line; None when withheld."""
    raw = (name or "").strip()
    if withheld(raw):
        return None
    if (reg := registration_number(registration)):
        return ("reg", reg)
    name = normalise_name(raw)
    if not name:
        return None
    return ("reg", by_name[name]) if name in by_name else ("name", name)


def common_suppliers(bodies: list[Body], groups: dict[str, list[SupplierGroup]] | None = None) -> list[CommonSupplier]:
    """Suppliers paid by two or more bodies. ``groups``: spend.supplier_groups(bodies), when already made."""
    if groups is None:
        groups = supplier_groups(bodies)
    by_supplier: dict[tuple, dict[str, SupplierAmount]] = defaultdict(dict)
    spellings: dict[tuple, Counter] = defaultdict(Counter)
    by_name = supplier_keys(groups)
    keys: dict[tuple[str, str], tuple | None] = {}  # the same spellings recur from body to body
    for body in bodies:
        for g in groups.get(body.slug, []):
            if not g.payments:
                continue
            key = keys.get((g.name, g.registration), keys)
            if key is keys:
                key = keys[(g.name, g.registration)] = spend_supplier_key(g.name, g.registration, by_name)
            if key is None:
                continue
            raw = g.name.strip()
            spellings[key][raw] += g.payments
            entry = by_supplier[key].get(body.slug)
            if entry is None:
                entry = by_supplier[key][body.slug] = SupplierAmount(body=body.slug, body_name=body.name,
                                                                     amount=0.0, payments=0, names=[])
            entry.amount += g.amount
            entry.payments += g.payments
            if raw not in entry.names:
                entry.names.append(raw)
    out = []
    for key, entries in by_supplier.items():
        if len(entries) < 2:
            continue
        name = sorted(spellings[key].items(), key=lambda kv: (kv[0].isupper(), -kv[1], kv[0]))[0][0]
        cs = CommonSupplier(key=":".join(key), name=name,
                            matched_on=f"registration number {key[1]}" if key[0] == "reg" else "name",
                            bodies=sorted(entries.values(), key=lambda e: e.body_name))
        cs.total = sum(e.amount for e in cs.bodies)
        cs.payments = sum(e.payments for e in cs.bodies)
        out.append(cs)
    out.sort(key=lambda c: (-len(c.bodies), -c.total, c.name))
    return out


def roles_by_function(bodies: list[Body], fid_keys: dict[str, dict[str, tuple]],
                      shared: dict[tuple, str]) -> tuple[list[RoleGroup], dict[str, float]]:
    groups: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    grade_names: dict[tuple[str, str], Counter] = defaultdict(Counter)
    unassigned: dict[str, float] = defaultdict(float)
    for body in bodies:
        for fid, grade, fte in role_rows(body):
            key = fid_keys[body.slug].get(fid)
            if key is None or key not in shared:
                unassigned[body.slug] += fte
                continue
            g = " ".join(grade.lower().split())
            groups[(key_id(key), g)][body.slug] += fte
            grade_names[(key_id(key), g)][grade] += 1
    labels = {key_id(k): v for k, v in shared.items()}
    out = []
    for (kid, g), fte in groups.items():
        grade = sorted(grade_names[(kid, g)].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        out.append(RoleGroup(function_key=kid, function=labels[kid], grade=grade, fte=dict(fte),
                             total_fte=sum(fte.values()), bodies=len(fte)))
    out.sort(key=lambda r: (r.function, r.grade.lower()))
    return out, dict(unassigned)
