"""The comparison's data model: plain dataclasses, rounded only when written out."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace



@dataclass
class Body:
    slug: str
    name: str
    uri: str | None
    population: int | None
    period: str | None
    profile: str
    packages: list[str] = field(default_factory=list)
    tables: dict[str, list[dict]] = field(default_factory=dict, repr=False)


@dataclass
class BodyFunction:
    body: str  # slug
    body_name: str
    function_ids: list[str]
    label: str
    back_office: bool
    fte: float | None
    fte_source: str | None
    annual_cost: float | None
    cost_source: str | None
    population: int | None
    cost_per_head: float | None = None
    duplication_cost: float | None = None  # above the quartile
    in_totals: bool = True  # False when a finer shared function of this body holds its cost
    savings: float = 0.0


@dataclass
class SharedFunction:
    key: str  # 'lgsl:579'
    matched_on: str  # 'LGSL service 579'
    label: str
    back_office: bool
    bodies: list[BodyFunction]
    min_cost_per_head: float | None = None
    median_cost_per_head: float | None = None
    max_cost_per_head: float | None = None
    quartile_cost_per_head: float | None = None
    total_cost: float = 0.0
    total_fte: float = 0.0
    duplication_cost: float = 0.0
    in_totals: bool = True
    savings: float = 0.0
    parts: tuple = field(default=(), repr=False)


@dataclass
class SystemLicence:
    body: str
    body_name: str
    systems: list[str]
    vendor: str
    product: str
    annual_cost: float | None
    excess: float = 0.0
    savings: float = 0.0


@dataclass
class DuplicatedSystem:
    key: str
    vendor: str
    product: str
    bodies: list[SystemLicence]
    back_office: bool
    total_cost: float = 0.0
    cheapest_cost: float | None = None
    excess_cost: float = 0.0
    savings: float = 0.0


@dataclass
class SupplierAmount:
    body: str
    body_name: str
    amount: float
    payments: int
    names: list[str]


@dataclass
class CommonSupplier:
    key: str
    name: str
    bodies: list[SupplierAmount]
    total: float = 0.0
    payments: int = 0


@dataclass
class RoleGroup:
    function_key: str
    function: str
    grade: str
    fte: dict[str, float]  # body slug -> FTE
    total_fte: float = 0.0
    bodies: int = 0


@dataclass
class ScenarioBody:
    body: str
    body_name: str
    functions: float = 0.0
    systems: float = 0.0
    total: float = 0.0
    share: float = 0.0


@dataclass
class Scenario:
    reduction: float
    method: str
    assumptions: list[str]
    bodies: list[ScenarioBody]
    functions: float = 0.0
    systems: float = 0.0
    total: float = 0.0
    duplication_cost: float = 0.0  # back-office functions, before the reduction
    systems_excess: float = 0.0


@dataclass
class IndicatorScore:
    indicator: str
    label: str
    pillar: str
    polarity: str
    unit: str
    value: float
    year: str
    score: float


@dataclass
class IndexEntry:
    body: str
    body_name: str
    outcome_score: float | None
    pillars: dict[str, float]
    indicators: int
    cost_per_head: float | None
    index: float | None
    rank: int | None
    confidence: str  # 'normal' | 'low' | ''
    reasons: list[str]
    scores: list[IndicatorScore] = field(default_factory=list)


@dataclass
class FunctionIndex:
    key: str
    matched_on: str
    label: str
    bodies_with_outcomes: int
    median_cost_per_head: float | None
    ranked: list[IndexEntry]
    not_ranked: list[IndexEntry]
    excluded_indicators: list[str] = field(default_factory=list)


@dataclass
class BodySummary:
    body: str
    body_name: str
    population: int | None
    shared_functions: int
    back_office_functions: int
    back_office_cost: float
    back_office_cost_per_head: float | None
    position: str
    rank: int | None
    of: int
    savings: float
    share: float
    verdict: str


@dataclass
class Comparison:
    reduction: float
    bodies: list[Body]
    summaries: list[BodySummary]
    shared_functions: list[SharedFunction]
    systems: list[DuplicatedSystem]
    suppliers: list[CommonSupplier]
    roles: list[RoleGroup]
    roles_unassigned: dict[str, float]
    scenario: Scenario
    index: list[FunctionIndex]
    method: dict[str, str]
    notes: list[str]

    def to_dict(self) -> dict:
        # the bodies' tables are the raw rows: leave them out before copying, not after
        data = asdict(replace(self, bodies=[replace(b, tables={}) for b in self.bodies]))
        for body in data["bodies"]:
            body.pop("tables", None)
        return _round(data)

    def body(self, slug: str) -> Body:
        return next(b for b in self.bodies if b.slug == slug)


def _round(obj):
    if isinstance(obj, float):
        return round(obj, 6) if abs(obj) < 1 else round(obj, 2)
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v) for v in obj]
    return obj
