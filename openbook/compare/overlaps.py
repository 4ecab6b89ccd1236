"""What several bodies pay for more than once: systems, suppliers and roles."""
from __future__ import annotations

from collections import Counter, defaultdict

from openbook.compare.functions import role_rows
from openbook.compare.matching import key_id, normalise_name, number
from openbook.compare.model import Body, CommonSupplier, DuplicatedSystem, RoleGroup, SupplierAmount, SystemLicence
from openbook.standard.markers import withheld


def duplicated_systems(bodies: list[Body], back_office_ids: dict[str, set[str]]) -> list[DuplicatedSystem]:
    groups: dict[tuple[str, str], dict[str, SystemLicence]] = defaultdict(dict)
    back: dict[tuple[str, str], list[bool]] = defaultdict(list)
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
                groups[key][body.slug] = SystemLicence(body=body.slug, body_name=body.name, systems=[name],
                                                       vendor=vendor, product=product, annual_cost=cost)
            else:
                lic.systems.append(name)
                if cost is not None:
                    lic.annual_cost = (lic.annual_cost or 0.0) + cost
            back[key].append((r.get("FunctionID") or "").strip() in back_office_ids.get(body.slug, set()))
    out = []
    for key, licences in groups.items():
        if len(licences) < 2:
            continue
        entries = sorted(licences.values(), key=lambda lic: lic.body_name)
        vendors = Counter(e.vendor for e in entries)
        products = Counter(e.product for e in entries)
        best = lambda c: sorted(c.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]  # noqa: E731
        ds = DuplicatedSystem(key=f"{key[0]} / {key[1]}",
                              vendor=best(vendors), product=best(products),
                              bodies=entries, back_office=any(back[key]))
        costs = [e.annual_cost for e in entries if e.annual_cost is not None]
        ds.total_cost = sum(costs)
        if len(costs) >= 2:
            ds.cheapest_cost = min(costs)
            for e in entries:
                if e.annual_cost is not None:
                    e.excess = e.annual_cost - ds.cheapest_cost
            ds.excess_cost = ds.total_cost - ds.cheapest_cost
        out.append(ds)
    out.sort(key=lambda d: (-d.excess_cost, d.vendor, d.product))
    return out


def common_suppliers(bodies: list[Body]) -> list[CommonSupplier]:
    groups: dict[str, dict[str, SupplierAmount]] = defaultdict(dict)
    spellings: dict[str, Counter] = defaultdict(Counter)
    for body in bodies:
        for r in body.tables.get("spend") or []:
            raw = (r.get("BeneficiaryName") or "").strip()
            if withheld(raw):
                continue
            key = normalise_name(raw)
            if not key:
                continue
            amount = number(r.get("Amount"))
            if amount is None:
                continue
            spellings[key][raw] += 1
            entry = groups[key].get(body.slug)
            if entry is None:
                entry = groups[key][body.slug] = SupplierAmount(body=body.slug, body_name=body.name, amount=0.0,
                                                                payments=0, names=[])
            entry.amount += amount
            entry.payments += 1
            if raw not in entry.names:
                entry.names.append(raw)
    out = []
    for key, entries in groups.items():
        if len(entries) < 2:
            continue
        name = sorted(spellings[key].items(), key=lambda kv: (kv[0].isupper(), -kv[1], kv[0]))[0][0]
        cs = CommonSupplier(key=key, name=name, bodies=sorted(entries.values(), key=lambda e: e.body_name))
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
