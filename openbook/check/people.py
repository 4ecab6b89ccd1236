"""Does a payee name a private person? The evidence, one name at a time.

Used by the named-individual check (privacy.py) over the distinct payees of a
batch, so the Python here runs once per name, not once per line.

The evidence, strongest first:
- a title anywhere in the name ("MR JOHN SMITH", "COOK D S DR", "WARREN RUPERT MR QC");
- a personal-name shape: "Forename Surname" or the ledger order "SURNAME FORENAME"
  (the forename found in the forenames code list), "Surname, Forename", initials and
  a surname ("J Smith", "ROWE J");
- such a name with a trade after it ("DAN WOOLLACOTT FENCING") is a sole trader
  trading under their own name, identifiable, so also reported, with that reason;
- against: a legal form or an organisation word (Ltd, Trust, School, Council...),
  initials followed only by a trade ("K J REFRIGERATION"), three or more initials
  (an acronym: "EXETER C V S", "CULLOMPTON R F C"), a possessive trade name
  ("MR C'S"), and a single word (a surname or a business: nobody can tell).

The forenames list is schemas/codelists/forenames.csv: the first names of the
US Census Bureau's 1990 list of frequently occurring names (public domain; as
shipped in the PyPI package ``names`` 0.3.0) used by at least 0.005% of people,
less words that are more often ordinary or business words (Royal, Hope, Grace,
Will...), plus forenames common in the UK that the US list lacks, added by hand.
Each code's label says which.
"""
from __future__ import annotations

import re
from functools import lru_cache

from openbook.standard.schemas import codelist

TITLES = {"MR", "MRS", "MISS", "MS", "MX", "DR", "DOCTOR", "PROF", "PROFESSOR", "REV", "REVD", "SIR", "DAME",
          "QC", "KC"}

# A legal form or a word only an organisation uses: never a private individual.
ORGANISATION = set("""
LTD LIMITED PLC LLP LLC LP INC INCORPORATED CORP CORPORATION CO COMPANY CIC CIO COUNCIL COUNCILS TRUST TRUSTEES
TRUSTEE SERVICE SERVICES GROUP ASSOCIATION ASSOC SCHOOL SCHOOLS ACADEMY COLLEGE UNIVERSITY NHS HOSPITAL SURGERY
PRACTICE PARTNERS PARTNERSHIP SOCIETY CLUB CHURCH PARISH CHARITY FOUNDATION CENTRE CENTER FEDERATION AGENCY
ASSOCIATES HOLDINGS HLDG HLDGS ENTERPRISE ENTERPRISES INDUSTRIES INTERNATIONAL UK GB EU COMMUNITY COMMUNITIES
CARE HOME HOMES HME HOUSING HOTEL MOTORS GARAGE ESTATE ESTATES FARM FARMS PROPERTIES DEVELOPMENTS SYSTEMS
SOLUTIONS SUPPLIES PRODUCTS NETWORK PROJECT PROJECTS FUND BOARD AUTHORITY DEPARTMENT MINISTRY OFFICE POLICE FIRE
COMMISSION THE OF FOR AND BANK NURSERY NURSERIES PHARMACY DENTAL MEDICAL CLINIC MANAGEMENT TECHNOLOGIES TECHNOLOGY
SHOP STORE STORES MARKET SUPERMARKET CAFE RESTAURANT PUB INN HOUSE MANOR LODGE HALL COURT RESIDENTIAL NURSING
RESOURCES RECRUITMENT STAFFING PERSONNEL LOGISTICS NEWS RADIO PRESS LEARNING LIVING LIFESTYLES HEALTH HEALTHCARE
WELLBEING LABS LABORATORY GALLERY MUSEUM LIBRARY THEATRE CINEMA WORLD GLOBAL EUROPE EUROPEAN BRITISH ENGLAND SCOTLAND
WALES NATIONAL REGIONAL COUNTY CITY BOROUGH DISTRICT FOODSERVICE FOODS WHOLESALE RETAIL DISTRIBUTION INSURANCE
CHAMBERS SOLICITORS ACCOUNTANTS ARCHITECTS SURVEYORS BUSINESS ACCOUNT AC DAYCARE CREATIVE UNIT UNITS CONTRACTS
DIRECT SUPPORT VOLUNTARY ACTION FORUM PARTNERSHIPS INSTITUTE CONSORTIUM COOPERATIVE CO-OP COOP MUTUAL UNION UNIONS
MEWS PROPERTY FACTORS MEMORIALS ORGANISATION ORGANIZATION COMMITTEE AUCTIONS AUCTIONEERS WAREHOUSE INTERIORS POWER ENERGY GAS ELECTRIC WATER
""".split())

# Trades and lines of business: after a person's own name they mark a sole trader;
# after initials only, a business name ("K J REFRIGERATION").
TRADES = set("""
PLUMBER PLUMBERS PLUMBING HEATING ELECTRICAL ELECTRICS ELECTRICIAN ELECTRICIANS BUILDER BUILDERS BUILDING BUILDINGS
CONTRCTR CONTRACTOR CONTRACTORS CONTRACTING CONSTRUCTION JOINERY JOINER CARPENTRY CARPENTER ROOFING ROOFER GLAZING
WINDOWS DOORS FENCING LANDSCAPE LANDSCAPES LANDSCAPING GARDENS GARDENER GARDENERS GARDENING GDN TREE TREES FORESTRY
DECORATING DECORATOR DECORATORS PAINTING PLASTERING TILING FLOORING CARPETS KITCHENS BATHROOMS PLANT HIRE HAULAGE
TRANSPORT TAXI TAXIS TRAVEL COACHES COACH COACHING MINIBUS REMOVALS SKIPS WASTE RECYCLING CLEANING CLEANERS CLEANER
CATERING CATERERS BAKERY BUTCHERS BUTCHER FLORIST FLOWERS PRINTING PRINTERS PRINT SIGNS DESIGN DESIGNS PHOTOGRAPHY
PHOTOGRAPHER VIDEO FILMS MEDIA MUSIC ENTERTAINMENTS ENTERTAINMENT ENTERTAINER EVENTS SPORTS SPORT FITNESS LEISURE
PLAY TOYS ARTS CRAFTS THEATRE DRAMA DANCE TUITION TUTOR TUTORING TRAINING TRAINER LITERACY NUMERACY EDUCATION
SPEECH LANGUAGE THERAPY THERAPIES THERAPIST COUNSELLING COUNSELLOR PSYCHOLOGY PSYCHOLOGIST PHYSIOTHERAPY
CHILDMINDER CHILDMINDERS CHILDMINDING CHILDCARE NANNY CONSULTANCY CONSULTING CONSULTANT CONSULTANTS ASSESSMENTS
INVESTIGATIONS INTERPRETING INTERPRETER TRANSLATION TRANSLATIONS ARCHAEOLOGY ECOLOGY ECOLOGICAL ENVIRONMENTAL
SURVEYS SURVEYING ENGINEERING ENGINEER ENGINEERS MECHANICAL REFRIGERATION AIR CONDITIONING SECURITY ALARMS LOCKSMITH
LOCKSMITHS CCTV PEST CONTROL DRAINAGE DRAINS GROUNDWORKS PAVING SURFACING TARMAC DEMOLITION ASBESTOS SCAFFOLDING
FABRICATION FABRICATIONS WELDING STEEL METALWORK PLATFORMS ACCESS TYRES AUTOS AUTO VEHICLE VEHICLES REPAIRS REPAIR
MAINTENANCE INSTALLATIONS SERVICING WEIGHBRIDGE AGRICULTURAL CONTRACTS FARMING VETS VETERINARY KENNELS EQUESTRIAN
STABLES RIDING SAFETY FIRST AID MARKETING ADVERTISING COMMUNICATIONS WEB DIGITAL COMPUTERS COMPUTING IT SOFTWARE
IR35 BIA SOCIAL WORK WORKS CONFERENCING CATERING MOTORING TYRE LETTINGS HIRE CLEANS
""".split())
LEGAL = {"LTD", "LIMITED", "PLC", "LLP", "LLC", "INC", "CIC", "CIO", "CORP", "CORPORATION", "COMPANY"}

WORD = re.compile(r"[A-Z][A-Z'’\-]*\d*|\d+")
POSSESSIVE = re.compile(r"(?:^|\s)(?:MR|MRS|MISS|MS|DR)\s+[A-Z]['’]S\b")
# Initials at the end that abbreviate an organisation ("Trafford M B C", "CRANLEA N H").
ORG_INITIALS = re.compile(r"\b(?:M\s?B\s?C|B\s?C|C\s?C|D\s?C|P\s?C|T\s?C|N\s?H|C\s?I\s?C|L\s?L\s?P|P\s?L\s?C)\.?$")
SEPARATORS = re.compile(r"\s*(?:/|\bT/A\b|\bTRADING AS\b|\bAT\b|\(|\)|\s-\s)\s*")


@lru_cache(maxsize=1)
def forenames() -> frozenset[str]:
    return frozenset(row["code"].upper() for row in codelist("forenames"))


# Payees repeat across the files of a folder (a council's suppliers, month
# after month): each name is judged once per process.
@lru_cache(maxsize=200_000)
def has_forename(name: str) -> bool:
    """Whether any word of the name is a forename of the list or an initial."""
    words = WORD.findall(name.upper().replace(".", " "))
    return any(len(w) == 1 or w in forenames() for w in words)


@lru_cache(maxsize=200_000)
def evidence(name: str, card_file: bool = False) -> tuple[str, str] | None:
    """(kind, reason) when the name looks like a private person; None otherwise.
    kind: "title", "name", "sole trader"."""
    up = " ".join(name.upper().replace(".", " ").replace(",", " , ").split())
    if not up:
        return None
    words = set(WORD.findall(up))
    if words & LEGAL:
        return None
    person_part = re.split(r"\bT/A\b|\bTRADING AS\b", up)[0]   # "DR A K SAHAL T/A THE FAMILY SURGERY"
    if person_part != up:
        words = set(WORD.findall(person_part))
    titled = words & TITLES
    if titled and not POSSESSIVE.search(up):
        if words & (ORGANISATION - {"AND", "THE", "OF", "AC", "ACCOUNT", "BUSINESS", "HOUSE", "LODGE", "CARE",
                                    "DAYCARE", "HOME", "HME", "HALL", "COURT", "MANOR", "CREATIVE", "UNIT",
                                    "LIVING", "CHAMBERS"}) - {"FOR"}:
            return None
        t = sorted(titled, key=up.find)[0]
        return "title", f'it has the title "{t.title() if len(t) > 2 else t.capitalize()}"'
    if card_file:
        return None   # card payments go to merchants: only a title is evidence there
    if ORG_INITIALS.search(up):
        return None
    found = None
    for entity in re.split(r"/|\bT/A\b|\bTRADING AS\b", up):   # "/" and "T/A" join different names
        if set(WORD.findall(entity)) & ORGANISATION:
            continue                                           # "Allied Publicity Services (Manchester)"
        for part in SEPARATORS.split(entity):
            got = _segment(part)
            if got is not None and (found is None or got[0] == "name"):
                found = got
    return found


def _segment(part: str) -> tuple[str, str] | None:
    comma = "," in part
    tokens = [t for t in WORD.findall(part.replace(",", " "))]
    if not tokens or any(t.isdigit() for t in tokens if t not in TRADES):
        return None
    names = forenames()
    for left, right in zip(part.split("&"), part.split("&")[1:]):
        a, b = (left.split() or [""])[-1], (right.split() or [""])[0]
        if not ((a in names or len(a) == 1) and (b in names or len(b) == 1)):
            return None                    # "SYMES ROBINSON & LEE": a firm, not a couple
    if any(t in ORGANISATION for t in tokens):
        return None
    trades = [t for t in tokens if t in TRADES]
    core = [t for t in tokens if t not in TRADES]
    if not core or len(core) > 4:
        return None
    initials = [t for t in core if len(t) == 1]
    words = [t for t in core if len(t) > 1]
    if not words:
        return None                        # initials alone, or initials and a trade: a business name
    if len(initials) >= 3 and len(words) == 1 and trades == []:
        return None                        # an acronym after a word ("EXETER C V S")
    if initials and len(words) == 1 and len(initials) <= 2:
        if core[0] in initials or core[-1] in initials:
            what = "initials and a surname"
            return ("sole trader", f"{what} followed by a trade") if trades else ("name", f"it is {what}")
        return None
    if initials:
        return None
    if len(words) >= 2 and len(words) <= 3:
        if comma:
            after = part.split(",", 1)[1].split()
            if after and after[0].strip("'’-") in names:
                return "name", f'it is written "Surname, Forename" ("{after[0].title()}" is a common forename)'
            return None
        first, last = words[0], words[-1]
        hit = first if first in names else last if last in names else None
        if hit is None:
            return None
        reason = f'"{hit.title()}" is a common forename'
        if trades:
            return "sole trader", f"it is a personal name ({reason}) followed by a trade"
        return "name", reason
    if len(words) == 4 and words[0] in names and words[1] in names and not trades:
        return "name", f'"{words[0].title()}" is a common forename'
    return None
