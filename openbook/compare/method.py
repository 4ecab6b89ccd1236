"""The method: its constants, and the words every report states, written from those constants.

Each rule's text is made here from the same numbers the code computes with
(MIN_PEERS, QUARTILE, DP, the PVI scaling constants, the pillar weights), so
the page can never say one thing and the code do another. docs/compare.md and
docs/public-value-index.md give the same rules with worked examples.
"""
from __future__ import annotations

REDUCTION = 0.4
QUARTILE = 0.25          # the benchmark: this percentile of cost per unit among peers
MIN_PEERS = 5            # fewer comparable bodies than this: figures only, no cost of duplication claimed
DP = 4                   # cost per head / per unit and benchmarks are rounded to this many decimal places of £
MAX_REPLICATES = 20      # leave-one-out with more peers than this leaves out one of this many groups of peers

# Population bands of the peer groups (openbook.population).
BANDS = [(0, 100_000, "population under 100,000"), (100_000, 250_000, "population 100,000-249,999"),
         (250_000, 500_000, "population 250,000-499,999"), (500_000, None, "population 500,000 or more")]

# The Public Value Index (docs/public-value-index.md)
PVI_SPREAD = 25          # score = 50 + PVI_SPREAD x shrink x z, kept within 0-100
PVI_FLOOR = 0.10         # the scale is at least this share of the median, so a small difference stays small
PVI_SHRINK = 3           # shrink = n / (n + PVI_SHRINK): fewer bodies, scores nearer 50
PVI_MAD = 1.4826         # makes the median absolute deviation comparable to a standard deviation
LOW_CONFIDENCE_INDICATORS = 2
LOW_CONFIDENCE_BODIES = 3
PILLARS = {
    "pursuing-goals": "Pursuing goals",
    "managing-inputs": "Managing inputs",
    "engaging-citizens": "Engaging citizens and users",
    "developing-system-capacity": "Developing system capacity",
}
PILLAR_WEIGHTS = {p: 0.25 for p in PILLARS}  # equal: no pillar of the Public Value Framework outranks another

# The manifesto's claim, quoted as a claim, never as a finding of this tool.
MANIFESTO_SHARE = 0.40
MANIFESTO_TOTAL = 46e9
MANIFESTO_CLAIM = ("The manifesto's claim (not tested by this data): cutting duplication could save about 40%, "
                   "about £46 bn a year across public services.")
MANIFESTO_SCOPE = ("This comparison can speak only to part of that claim: the shared back-office functions and "
                   "duplicated IT systems of the councils compared. It says nothing about central government, the "
                   "NHS, schools or other public services, nor about front-line services.")

STOP_WORDS = {"ltd", "limited", "plc", "llp", "uk", "corporation", "inc"}
TRUE_WORDS = {"yes", "y", "true", "t", "1"}
OUTSOURCED = {"outsourced", "shared-service", "mixed"}


def pct(x: float) -> str:
    return f"{x * 100:g}%"


MATCH_RULE = ("Functions are matched across bodies on the LGSL service URI (LGSLServiceURI); a function "
              "without one is matched on its esd function URI (ESDFunctionURI); a function with neither is "
              "matched on its COFOG code (COFOGCode). URIs are compared by their number (http or https, "
              "trailing slash and case ignored). Where one body has two or more functions with the same code "
              "(the processes of one service, or sub-functions under one esd function), all functions with "
              "that code, in every body, are told apart by their level, then their COFOG code, then their "
              "label. Functions with none of the three codes are not compared. Totals (the summary and the "
              "scenario) use the finest shared level: a body's function is left out of them when one of its "
              "sub-functions is itself shared, so no cost is counted twice.")
PEER_RULE = ("Bodies are compared only with their peers: the same type of body and the same population band "
             f"({'; '.join(b[2] for b in BANDS)}). The type comes, in this order, from a register CSV given "
             "with --register, the package (openbook.organisation.type), an organisation URI that encodes it "
             "(an ONS GSS code such as E07... or an opendatacommunities.org path such as /district-council/), "
             "or a name that says it unambiguously ('... County Council', '... District Council', 'London "
             "Borough of ...', '... Metropolitan Borough Council'). A body whose type none of these gives is "
             "in the group 'type not stated'. Every verdict names the peer group.")
COST_RULE = ("A body's annual cost of a function is the sum of Costs.Actual for its FunctionID (for the "
             "fiscal year matching the package period, else the latest year in the ledger); where the ledger "
             "has no lines for the function, Functions.AnnualCost. FTE is Functions.FTE, else the sum of "
             "Costs.FTE, else the FTE of the roles linked to the function.")
UNIT_RULE = ("Costs are compared per unit: per unit of volume (annual cost / Functions.AnnualVolume) when every "
             "peer gives an AnnualVolume for the function, else per head (annual cost / openbook.population). "
             "Systems are compared per head. Each cost per unit is rounded to "
             f"{DP} decimal places of a pound before anything is computed from it, so the exported figures "
             "reproduce every total.")
DUPLICATION_RULE = (f"Within each peer group, the benchmark is the {QUARTILE * 100:g}th percentile of the peers' "
                    "cost per unit, by linear interpolation between the sorted values (position (n-1) x "
                    f"{QUARTILE:g}, as numpy's default and Excel's PERCENTILE.INC), rounded to {DP} decimal "
                    "places. A body's cost of duplication is max(0, its cost per unit - the benchmark) x its "
                    "units (population, or annual volume). With fewer than "
                    f"{MIN_PEERS} peers no cost of duplication is claimed: the report says 'too few comparable "
                    "bodies' and shows the figures only.")
INTERVAL_RULE = ("Every cost of duplication and saving carries a leave-one-out range: each peer in turn is left "
                 "out of the benchmark (the benchmark is recomputed from the others, and every body, the one "
                 "left out included, is measured against it); the range runs from the lowest to the highest of "
                 "the estimate and these recomputations. It shows how much the figure rests on any one body. "
                 f"With more than {MAX_REPLICATES} peers, the peers in order of slug are dealt into "
                 f"{MAX_REPLICATES} groups (the 1st, {MAX_REPLICATES + 1}st, ... into the first) and each group is "
                 "left out in turn.")
SYSTEM_RULE = ("Vendor and product names are normalised: invisible characters removed, lower case, '&' read as "
               "'and', punctuation removed, and the words ltd, limited, plc, llp, uk, corporation and inc "
               "dropped. A system is duplicated when two or more bodies license the same normalised vendor and "
               "product. Licence costs are compared per head within each peer group, against the same benchmark "
               f"as functions ({QUARTILE * 100:g}th percentile, at least {MIN_PEERS} peers).")
SUPPLIER_RULE = ("Suppliers in each body's spend are matched across bodies by registration number "
                 "(BeneficiaryRegistrationNumber: spaces and punctuation removed, an all-digit number zero-padded "
                 "to 8), then, for lines without one, by normalised name (as vendor names); a name used with one "
                 "registration number elsewhere joins that number. Redacted or withheld names are left out. A "
                 "supplier is common when two or more bodies paid it; amounts are the net sum of spend lines "
                 "(credit notes included).")
RECONCILE_RULE = ("A supplier's package (profile supplier) is never a body. Its open-book cost lines are set "
                  "against what each council's spend says it paid that supplier, per contract: spend lines whose "
                  "ContractReference is the contract's, else (for lines without a reference) whose "
                  "registration number is the SupplierID, else whose normalised name is the supplier's. Costs = "
                  "the supplier's cost lines other than profit; margin = its profit lines, or charges less "
                  "costs where Charge is given; charged = the sum of Charge where given, else costs + margin. "
                  "Unexplained = paid - charged, for the supplier's periods (PeriodStart to PeriodEnd).")
ROLE_RULE = ("Roles are the FTE of junior posts (Number of Posts in FTE) and senior posts (FTE, leaving out "
             "posts marked Eliminated), grouped by the matched function of their FunctionID and by grade "
             "(compared ignoring case and spacing). Roles with no FunctionID are counted separately.")
BACK_OFFICE_RULE = ("A shared function counts as back office when at least half of the bodies performing it "
                    "mark it BackOffice = yes.")
DELIVERY_RULE = ("Each body's DeliveryModel is shown beside its cost; where peers deliver a function differently "
                 "(outsourced, shared-service or mixed against in-house), the function is flagged, because a "
                 "contract price and an in-house cost are not the same thing. Bodies whose packages cover "
                 "different periods are flagged too: figures are not adjusted for inflation.")
COVERAGE_RULE = ("Coverage is the share of a body's total cost (the whole ledger for the year used, else the sum "
                 "of Functions.AnnualCost over functions with no sub-functions) that its shared functions, at "
                 "the finest shared level, account for. The at-a-glance rank compares each body with its peers "
                 "on the same back-office functions: those every ranked peer performs, with a cost per head.")


def scenario_method(reduction: float) -> str:
    r = pct(reduction)
    return (f"Saving = {r} x the cost of duplication of every counted row. A row is counted when it is a shared "
            f"back-office function at the finest shared level, or a duplicated system, in a peer group of at "
            f"least {MIN_PEERS} bodies. Cost of duplication = max(0, cost per unit - benchmark) x units, the "
            f"benchmark being the {QUARTILE * 100:g}th percentile of the peers' cost per unit. The total is the "
            f"sum of the counted rows, which is also the sum over bodies. Its range: {INTERVAL_RULE[0].lower()}"
            f"{INTERVAL_RULE[1:]}")


SCENARIO_ASSUMPTIONS = [
    "Only back-office (administrative and managerial) shared functions are cut; front-line services are not.",
    "Functions are cut at the finest level several bodies share, so no cost is counted twice.",
    f"The {QUARTILE * 100:g}th percentile of cost per unit among a body's peers is achievable by every peer: the "
    "cost above it is treated as duplication.",
    f"Only peer groups of at least {MIN_PEERS} bodies are used; smaller groups show their figures only.",
    "Roles are not added as a separate saving: staff costs are already in the functions' costs.",
    "Duplicated systems are counted whether or not the function they support is back office; a licence cost "
    "may also sit in a function's ledger, so the total is an upper estimate. Both parts are shown separately.",
    "Savings are annual, at the prices of each package's period, before any one-off cost of merging.",
]


def extrapolation_assumptions(population: int, source: str, covered: int) -> list[str]:
    return [f"The population scaled to is {population:,}, as given: {source}.",
            f"The bodies whose peer groups were large enough to count ({covered:,} residents) are taken to "
            "be typical of that population: the same mix of body types, functions and costs per head.",
            "The saving per 100,000 residents is multiplied by the population / 100,000; the range is scaled "
            "the same way. No adjustment is made for the type of body, region or year.",
            "It is an extrapolation, not a measurement: only the bodies compared were measured."]


PVI_RULE = ("See docs/public-value-index.md. Bodies are scaled and ranked within their peer group when every "
            f"peer group with outcome data for the function has at least {LOW_CONFIDENCE_BODIES} such bodies; "
            "otherwise across all the bodies performing it, marked low confidence when they span peer groups. "
            "Indicators measuring cost (a money unit, or a label or ID naming "
            "cost, spend, expenditure or price) are left out: cost is already the index's denominator. "
            "Indicators with no Public Value Framework pillar are left out, so no indicator weighs as a whole "
            "pillar. Each indicator is scaled robustly: z = (value - median) / scale, the scale being the "
            f"larger of {PVI_MAD:g} x the median absolute deviation and {PVI_FLOOR:.0%} of |median|; z is "
            "negated when lower is better; score = 50 + "
            f"{PVI_SPREAD} x n / (n + {PVI_SHRINK}) x z, kept within 0-100 (n = bodies reporting it). "
            "A pillar's score is the mean of its indicators; the outcome score is the weighted mean of the "
            "pillars present, weights " + ", ".join(f"{PILLARS[p]} {w:g}" for p, w in PILLAR_WEIGHTS.items())
            + ". Index = outcome score x (median cost per unit of the bodies ranked together / the body's cost "
            "per unit). Each index has a "
            "leave-one-out range (each other body, or past " + str(MAX_REPLICATES) + " bodies each group of them, "
            "left out in turn) when 3 or more bodies report. Scores "
            f"from fewer than {LOW_CONFIDENCE_INDICATORS} indicators, from fewer than {LOW_CONFIDENCE_BODIES} "
            "bodies, or across peer groups are marked low confidence.")
