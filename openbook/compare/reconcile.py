"""A supplier's open-book costs set against what each council's spend says it paid (method.RECONCILE_RULE)."""
from __future__ import annotations

from collections import Counter, defaultdict
import re

from openbook.compare.matching import normalise_name, number, registration_number
from openbook.compare.model import Body, ContractReconciliation
from openbook.compare.scenario import money
from openbook.compare.spend import spend_lines


def _uri(text) -> str:
    return re.sub(r"^https?://(www\.)?", "", str(text or "").strip().lower()).rstrip("/")


def _ref(text) -> str:
    return re.sub(r"\s+", "", str(text or "")).upper()


def reconcile(suppliers: list[Body], councils: list[Body], notes: list[str]) -> list[ContractReconciliation]:
    by_uri = {_uri(b.uri): b for b in councils if b.uri}
    paid_lines: dict[str, list[dict]] = {}
    out = []
    for sup in suppliers:
        rows = sup.tables.get("supplier-costs") or []
        if not rows:
            continue
        contracts: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for r in rows:
            contracts[(_uri(r.get("OrganisationURI")), _ref(r.get("ContractReference")))].append(r)
        per_council = Counter(uri for uri, _ in contracts)
        for (uri, ref), lines in sorted(contracts.items()):
            name = Counter((r.get("SupplierName") or sup.name).strip() for r in lines).most_common(1)[0][0]
            reg = next((registration_number(r.get("SupplierID")) for r in lines
                        if registration_number(r.get("SupplierID"))), "")
            costs = sum(number(r.get("Cost")) or 0.0 for r in lines
                        if (r.get("CostElement") or "").strip().lower() != "profit")
            profit = sum(number(r.get("Cost")) or 0.0 for r in lines
                         if (r.get("CostElement") or "").strip().lower() == "profit")
            charges = [number(r.get("Charge")) for r in lines if number(r.get("Charge")) is not None]
            if charges:
                charged = sum(charges)
                margin = charged - costs
            else:
                charged, margin = costs + profit, profit
            start = min(((r.get("PeriodStart") or "").strip() for r in lines), default="")
            end = max(((r.get("PeriodEnd") or "").strip() for r in lines), default="")
            council = by_uri.get(uri)
            rec = ContractReconciliation(
                supplier=name, supplier_package=", ".join(sup.packages), registration_number=reg,
                contract=ref, council=council.slug if council else "",
                council_name=council.name if council else uri, period_start=start, period_end=end,
                cost_lines=len(lines), costs=costs, margin=margin,
                margin_share=margin / charged if charged else None, charged=charged, paid=None, payments=0,
                matched_by={}, unexplained=None, status="")
            if council is None:
                rec.status = ("the contracting authority is not among the bodies compared, so its payments "
                              "cannot be set against these costs")
                out.append(rec)
                continue
            if council.slug not in paid_lines:  # read once per council, only when a contract names it
                paid_lines[council.slug] = spend_lines(council)
            if not paid_lines[council.slug]:
                rec.status = f"{council.name} published no spend in the packages compared"
                out.append(rec)
                continue
            only_contract = per_council[uri] == 1
            paid, counts = 0.0, Counter()
            for s in paid_lines[council.slug]:
                date = (s.get("PaymentDate") or s.get("EffectiveDate") or "").strip()[:10]
                if start and end and date and not (start <= date <= end):
                    continue
                sref = _ref(s.get("ContractReference"))
                how = None
                if sref:
                    how = "contract reference" if sref == ref else None
                elif only_contract and reg and registration_number(s.get("BeneficiaryRegistrationNumber")) == reg:
                    how = "registration number"
                elif only_contract and normalise_name(s.get("BeneficiaryName")) == normalise_name(name):
                    how = "name"
                if how and (amount := number(s.get("Amount"))) is not None:
                    paid += amount
                    counts[how] += 1
            rec.paid, rec.payments, rec.matched_by = paid, sum(counts.values()), dict(counts)
            rec.unexplained = paid - charged
            if not counts:
                rec.status = (f"no payment to this supplier under contract {ref} found in {council.name}'s "
                              "spend for the period")
            elif abs(rec.unexplained) < 0.005:
                rec.status = "payments agree with the supplier's charges to the penny"
            else:
                more = "more" if rec.unexplained > 0 else "less"
                rec.status = (f"{council.name} paid {money(abs(rec.unexplained), True)} {more} than the supplier's "
                              "open-book charges; unexplained"
                              + ("" if more == "more" else " (spend lists only payments over £500)"))
            out.append(rec)
    for rec in out:
        if rec.council and rec.status and not rec.status.startswith("payments agree"):
            notes.append(f"Open-book reconciliation, {rec.supplier}, contract {rec.contract}: {rec.status}.")
    return out
