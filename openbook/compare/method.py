"""The method in words: constants and the rules every report states (docs/compare.md)."""
from __future__ import annotations





REDUCTION = 0.4
QUARTILE = 0.25
LOW_CONFIDENCE_INDICATORS = 2
LOW_CONFIDENCE_BODIES = 3

PILLARS = {
    "pursuing-goals": "Pursuing goals",
    "managing-inputs": "Managing inputs",
    "engaging-citizens": "Engaging citizens and users",
    "developing-system-capacity": "Developing system capacity",
    "": "Pillar not given",
}

MATCH_RULE = ("Functions are matched across bodies on the LGSL service URI (LGSLServiceURI); a function "
              "without one is matched on its esd function URI (ESDFunctionURI); a function with neither is "
              "matched on its COFOG code (COFOGCode). URIs are compared by their number (http or https, "
              "trailing slash and case ignored). Where one body has two or more functions with the same code "
              "(the processes of one service, or sub-functions under one esd function), all functions with "
              "that code, in every body, are told apart by their level, then their COFOG code, then their "
              "label. Functions with none of the three codes are not compared. Totals (the summary and the "
              "scenario) use the finest shared level: a body's function is left out of them when one of its "
              "sub-functions is itself shared, so no cost is counted twice.")
COST_RULE = ("A body's annual cost of a function is the sum of Costs.Actual for its FunctionID (for the "
             "fiscal year matching the package period, else the latest year in the ledger); where the ledger "
             "has no lines for the function, Functions.AnnualCost. FTE is Functions.FTE, else the sum of "
             "Costs.FTE, else the FTE of the roles linked to the function. Cost per head = annual cost / "
             "population (openbook.population in the package metadata).")
DUPLICATION_RULE = ("The most efficient quartile is the 25th percentile of cost per head across the bodies "
                    "performing the function, by linear interpolation between the sorted values (position "
                    "(n-1) x 0.25, as numpy's default and Excel's PERCENTILE.INC). A body's cost of duplication "
                    "is max(0, its cost per head - that quartile) x its population; the function's is the sum "
                    "over bodies.")
SYSTEM_RULE = ("Vendor and product names are normalised: lower case, '&' read as 'and', punctuation removed, "
               "and the words ltd, limited, plc, uk, corporation and inc dropped. A system is duplicated when "
               "two or more bodies license the same normalised vendor and product. Its excess cost is the sum "
               "of the bodies' annual costs less the cheapest body's cost (what one licence would cost if the "
               "bodies shared the cheapest one); each body's excess is its cost less the cheapest.")
SUPPLIER_RULE = ("Beneficiary names in each body's spend are normalised as vendor names are; redacted or "
                 "withheld names are left out. A supplier is common when two or more bodies paid it; "
                 "amounts are the net sum of spend lines (credit notes included).")
ROLE_RULE = ("Roles are the FTE of junior posts (Number of Posts in FTE) and senior posts (FTE, leaving out "
             "posts marked Eliminated), grouped by the matched function of their FunctionID and by grade "
             "(compared ignoring case and spacing). Roles with no FunctionID are counted separately.")
BACK_OFFICE_RULE = ("A shared function counts as back office when at least half of the bodies performing it "
                    "mark it BackOffice = yes.")


def scenario_method(reduction: float) -> str:
    pct = f"{reduction * 100:g}%"
    return (f"Savings = {pct} x the cost of duplication of each shared back-office function (the cost above the "
            f"most efficient quartile) + {pct} x the excess cost of each duplicated system (the sum of the "
            f"bodies' licence costs less the cheapest body's). Each body's saving is {pct} of its own cost "
            f"above the quartile plus {pct} of its own system cost above the cheapest; the total is the sum "
            "over bodies.")


SCENARIO_ASSUMPTIONS = [
    "Only back-office (administrative and managerial) shared functions are cut; front-line services are not.",
    "Functions are cut at the finest level several bodies share (a service's processes rather than the "
    "service, a sub-function's services rather than the sub-function), so no cost is counted twice.",
    "The most efficient quartile of cost per head is achievable by every body: the cost above it is "
    "treated as duplication.",
    "Roles are not added as a separate saving: staff costs are already in the functions' costs (the "
    "employees lines of the ledger), so adding them would count them twice.",
    "Duplicated systems are counted whether or not the function they support is back office; a system's "
    "licence cost may also sit in a function's ledger, in which case the two parts overlap and the total "
    "is an upper estimate. Both parts are shown separately.",
    "Savings are annual, at today's prices, before any one-off cost of merging functions or systems.",
    "Bodies with no population in their package metadata have no cost per head and are left out of the "
    "function figures.",
]

PVI_RULE = ("See docs/public-value-index.md. Each indicator is scaled 0-100 across the bodies reporting it "
            "(min-max; lower-is-better inverted; all equal = 50); scores are averaged within each Public "
            "Value Framework pillar, then the pillars present are averaged into an outcome score. Index = "
            "outcome score x (median cost per head / the body's cost per head). Bodies are ranked by index; "
            "a body with no outcome data for the function, or no cost per head, is not ranked. Scores from "
            "fewer than 2 indicators, or from fewer than 3 bodies, are marked low confidence.")

STOP_WORDS = {"ltd", "limited", "plc", "llp", "uk", "corporation", "inc"}
TRUE_WORDS = {"yes", "y", "true", "t", "1"}
