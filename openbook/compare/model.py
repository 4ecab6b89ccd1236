"""The comparison's data model: plain dataclasses. Every field is documented in docs/compare.md.

Costs per unit and benchmarks are rounded (method.DP) when computed, so the
exports reproduce every total; money is rounded to the penny only when written out.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass


@dataclass
class Body:
    slug: str
    name: str
    uri: str | None
    population: int | None
    period: str | None
    profile: str
    packages: list[str] = field(default_factory=list)
    body_type: str = ""
    type_source: str = ""
    band: str = ""
    peer_group: str = ""
    total_cost: float | None = None
    tables: dict[str, list[dict]] = field(default_factory=dict, repr=False)
    spend: list = field(default_factory=list, repr=False)  # spend.SpendFile: where its spend lines are


@dataclass
class Measured:
    """One body's figure in a peer-group benchmark (a function's cost, or a system's licence)."""
    body: str  # slug
    body_name: str
    peer_group: str = ""
    measure: str = ""  # 'head' | 'unit of volume' | '' (not measured)
    units: float | None = None  # population, or annual volume
    per_unit: float | None = None  # cost / units, rounded to method.DP
    benchmark: float | None = None
    duplication_cost: float | None = None  # max(0, per_unit - benchmark) x units; None when not claimed
    duplication_low: float | None = None
    duplication_high: float | None = None
    counted: bool = False  # counts toward the scenario
    status: str = ""  # 'counted', or why not
    savings: float = 0.0
    savings_low: float = 0.0
    savings_high: float = 0.0
    loo: dict[str, float] = field(default_factory=dict, repr=False)  # body left out -> duplication cost


@dataclass
class BodyFunction(Measured):
    function_ids: list[str] = field(default_factory=list)
    label: str = ""
    back_office: bool = False
    delivery: str = ""
    fte: float | None = None
    fte_source: str | None = None
    annual_cost: float | None = None
    cost_source: str | None = None
    population: int | None = None
    volume: float | None = None
    cost_per_head: float | None = None
    in_totals: bool = True  # False when a finer shared function of this body holds its cost


@dataclass
class PeerBenchmark:
    peer_group: str
    bodies: int
    measure: str
    minimum: float | None = None
    median: float | None = None
    maximum: float | None = None
    benchmark: float | None = None
    claimed: bool = False
    reason: str = ""
    duplication_cost: float = 0.0
    duplication_low: float = 0.0
    duplication_high: float = 0.0
    delivery: list[str] = field(default_factory=list)


@dataclass
class SharedFunction:
    key: str  # 'lgsl:579'
    matched_on: str  # 'LGSL service 579'
    label: str
    back_office: bool
    bodies: list[BodyFunction]
    peers: list[PeerBenchmark] = field(default_factory=list)
    total_cost: float = 0.0
    total_fte: float = 0.0
    duplication_cost: float = 0.0
    in_totals: bool = True
    savings: float = 0.0
    flags: list[str] = field(default_factory=list)
    parts: tuple = field(default=(), repr=False)


@dataclass
class SystemLicence(Measured):
    systems: list[str] = field(default_factory=list)
    vendor: str = ""
    product: str = ""
    annual_cost: float | None = None


@dataclass
class DuplicatedSystem:
    key: str
    vendor: str
    product: str
    bodies: list[SystemLicence]
    peers: list[PeerBenchmark] = field(default_factory=list)
    total_cost: float = 0.0
    duplication_cost: float = 0.0
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
    matched_on: str  # 'registration number 09876543' | 'name'
    bodies: list[SupplierAmount]
    total: float = 0.0
    payments: int = 0


@dataclass
class ContractReconciliation:
    supplier: str
    supplier_package: str
    registration_number: str
    contract: str
    council: str  # body slug, '' when no body compared has the contracting authority's URI
    council_name: str
    period_start: str
    period_end: str
    cost_lines: int
    costs: float
    margin: float
    margin_share: float | None
    charged: float
    paid: float | None
    payments: int
    matched_by: dict[str, int]  # 'contract reference' | 'registration number' | 'name' -> spend lines
    unexplained: float | None
    status: str


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
    peer_group: str
    functions: float = 0.0
    systems: float = 0.0
    total: float = 0.0
    low: float = 0.0
    high: float = 0.0
    share: float = 0.0


@dataclass
class PeerGroup:
    name: str
    bodies: list[str]
    claimed: bool  # at least method.MIN_PEERS bodies
    savings: float = 0.0


@dataclass
class Scenario:
    reduction: float
    method: str
    assumptions: list[str]
    bodies: list[ScenarioBody]
    functions: float = 0.0
    systems: float = 0.0
    total: float = 0.0
    low: float = 0.0
    high: float = 0.0
    duplication_cost: float = 0.0  # functions and systems counted, before the reduction
    claimed: bool = False
    population_covered: int = 0
    per_100k: float | None = None
    per_100k_low: float | None = None
    per_100k_high: float | None = None
    statement: str = ""


@dataclass
class Extrapolation:
    population: int | None
    source: str
    total: float | None
    low: float | None
    high: float | None
    assumptions: list[str]
    manifesto_claim: str
    manifesto_scope: str
    share_of_manifesto: float | None
    statement: str


@dataclass
class IndicatorScore:
    indicator: str
    label: str
    pillar: str
    polarity: str
    unit: str
    value: float
    year: str
    median: float
    scale: float
    reporting: int
    score: float


@dataclass
class IndexEntry:
    body: str
    body_name: str
    peer_group: str
    outcome_score: float | None
    pillars: dict[str, float]
    indicators: int
    cost_per_unit: float | None
    index: float | None
    rank: int | None
    confidence: str  # 'normal' | 'low' | ''
    reasons: list[str]
    index_low: float | None = None
    index_high: float | None = None
    scope: str = ""  # the bodies it is scaled and ranked among: its peer group, or 'across all bodies'
    median_cost_per_unit: float | None = None  # the median of that scope
    scores: list[IndicatorScore] = field(default_factory=list)


@dataclass
class FunctionIndex:
    key: str
    matched_on: str
    label: str
    measure: str
    scope: str  # 'within each peer group' | 'across all bodies'
    bodies_with_outcomes: int
    median_cost_per_unit: float | None
    peer_groups: int
    pillar_weights: dict[str, float]
    ranked: list[IndexEntry]
    not_ranked: list[IndexEntry]
    excluded_indicators: list[str] = field(default_factory=list)


@dataclass
class BodySummary:
    body: str
    body_name: str
    peer_group: str
    peers: int
    population: int | None
    period: str | None
    shared_functions: int
    back_office_functions: int
    back_office_cost: float
    total_cost: float | None
    coverage: float | None
    lacks: list[str]
    compared_on: int
    compared_cost_per_head: float | None
    position: str
    rank: int | None
    of: int
    savings: float
    savings_low: float
    savings_high: float
    share: float
    flags: list[str]
    verdict: str


@dataclass
class Comparison:
    reduction: float
    bodies: list[Body]
    peer_groups: list[PeerGroup]
    summaries: list[BodySummary]
    shared_functions: list[SharedFunction]
    systems: list[DuplicatedSystem]
    suppliers: list[CommonSupplier]
    reconciliations: list[ContractReconciliation]
    roles: list[RoleGroup]
    roles_unassigned: dict[str, float]
    scenario: Scenario
    extrapolation: Extrapolation
    index: list[FunctionIndex]
    method: dict[str, str]
    notes: list[str]

    def to_dict(self) -> dict:
        # one pass (dataclasses.asdict would first deep-copy the working state it then drops):
        # the bodies' tables and spend are their inputs, loo and parts working state, not results
        return _plain(self)

    def body(self, slug: str) -> Body:
        return next(b for b in self.bodies if b.slug == slug)


_WORKING = {"loo", "parts"}
_INPUTS = {"tables", "spend"}


_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(obj, rnd: bool = True):
    """What dataclasses.asdict gives, without the working state, with floats rounded: money to
    the penny; costs per unit and scores keep method.DP places (they are computed at that
    precision). Values inside tuples are copied as they are (asdict's tuples were never rounded)."""
    kind = type(obj)
    if kind is float:
        return round(obj, 6) if rnd else obj
    if kind is str or kind is int or kind is bool or obj is None:
        return obj
    if kind is list:
        return [_plain(v, rnd) for v in obj]
    if kind is dict:
        return {k: _plain(v, rnd) for k, v in obj.items() if not (rnd and k in _WORKING)}
    names = _FIELDS.get(kind)
    if names is None and is_dataclass(obj) and not isinstance(obj, type):
        skip = _WORKING | (_INPUTS if issubclass(kind, Body) else set())
        names = _FIELDS[kind] = tuple(f.name for f in fields(obj) if f.name not in skip)
    if names is not None:
        return {name: _plain(getattr(obj, name), rnd) for name in names}
    if isinstance(obj, float):
        return round(obj, 6) if rnd else obj
    if isinstance(obj, dict):
        return {k: _plain(v, rnd) for k, v in obj.items() if not (rnd and k in _WORKING)}
    if isinstance(obj, list):
        return [_plain(v, rnd) for v in obj]
    if isinstance(obj, tuple):
        return type(obj)(_plain(v, False) for v in obj)
    return obj
