#!/usr/bin/env python3
"""Generate the example open-book submissions in examples/.

    .venv/bin/python examples/generate.py            # writes into examples/
    .venv/bin/python examples/generate.py OUT_DIR    # writes into OUT_DIR

Everything is drawn from ``random.Random`` with fixed seeds and written with
openpyxl; workbook properties and zip timestamps are pinned, so running the
script twice gives byte-identical files. The figures in README.md ("Planted
overlaps", the planted-error table) and in expected-overlaps.json /
expected-errors.json are computed here from the same data, so they are always
right.

All organisations, people, suppliers and figures are fictional. Vendor and
product names of well-known software are used only so that the systems
inventory looks like a real one; their costs are invented.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import random
import re
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

SEED = 20251128
FIXED_TIME = dt.datetime(2025, 11, 28, 9, 0, 0)
PERIOD = "2025-26"
FISCAL_YEAR = "2025/26"
YEAR_START = dt.date(2025, 4, 1)
YEAR_END = dt.date(2026, 3, 31)
SNAPSHOT = dt.date(2025, 9, 30)
LICENCE = "OGL-UK-3.0"

MONEY = "#,##0.00"
WHOLE = "#,##0"
DATE = "dd/mm/yyyy"
FTE_FMT = "0.0#"

SHEETS = ["About", "Functions", "Costs", "Roles (senior)", "Roles (junior)", "Systems", "Spend", "Outcomes"]

# ----------------------------------------------------------------- councils

COUNCILS = [
    dict(slug="anytown-borough-council", name="Anytown Borough Council", short="Anytown",
         uri="https://www.anytown.gov.uk/", domain="anytown.gov.uk", population=98400,
         post_prefix="ATN", id_style="template", spend_rows=2300, seed=1,
         description="Open-book data of Anytown Borough Council for 2025-26: the council's functions and what "
                     "they cost, its senior and junior roles, IT systems, payments over £500 and performance "
                     "indicators. Revenues and benefits are delivered by Kestrel Managed Services Ltd under "
                     "contract ATN-C-2023-0147."),
    dict(slug="brookshire-district-council", name="Brookshire District Council", short="Brookshire",
         uri="https://www.brookshire.gov.uk/", domain="brookshire.gov.uk", population=121700,
         post_prefix="BDC", id_style="template", spend_rows=2750, seed=2,
         description="Open-book data of Brookshire District Council for 2025-26. Waste and recycling collection "
                     "is contracted to Greenway Environmental Services Ltd; payroll is a shared service."),
    dict(slug="castleford-city-council", name="Castleford City Council", short="Castleford",
         uri="https://www.castleford.gov.uk/", domain="castleford.gov.uk", population=214300,
         post_prefix="CCC", id_style="numbered", spend_rows=4600, seed=3,
         description="Open-book data of Castleford City Council (a unitary authority) for 2025-26, including "
                     "adult social care. Leisure centres are run by Castleford Active Leisure Trust."),
]
ALL = ("Anytown", "Brookshire", "Castleford")

# ----------------------------------------------------------------- functions
# key, parent, level, label, short name, ESD function code (top level), ESD function id (URI),
# LGSL service id (None: not a service), COFOG, SeRCOP division, statutory basis, back office,
# owning unit, base FTE per 100k population (leaves only), employee cost per FTE, councils.
# LGSL ids 59, 69, 137 and 1520 are from the esd list; the others are illustrative (see README).
F = [
    ("CORP", None, "function", "Corporate services", "Corporate", 42, 42, None, "01", "Central services", "duty", True, "Chief Executive's Office", 0, 0, ALL),
    ("CORP-MGT", "CORP", "service", "Corporate management team", "Corporate Management", 42, 52, 1001, "01.1", "Central services", "duty", True, "Chief Executive's Office", 0, 0, ALL),
    ("FIN", "CORP", "sub-function", "Finance", "Finance", 42, 52, None, "01.1", "Central services", "duty", True, "Finance", 0, 0, ALL),
    ("FIN-AP", "FIN", "service", "Accounts payable", "Accounts Payable", 42, 52, 1002, "01.1", "Central services", "discretionary", True, "Finance", 0, 0, ALL),
    ("FIN-AP-INV", "FIN-AP", "process", "Invoice registration and matching", "Accounts Payable", 42, 52, 1002, "01.1", "Central services", "discretionary", True, "Finance", 4.5, 34000, ALL),
    ("FIN-AP-PAY", "FIN-AP", "process", "Supplier payment runs and remittances", "Payments", 42, 52, 1002, "01.1", "Central services", "discretionary", True, "Finance", 2.0, 36000, ALL),
    ("FIN-AR", "FIN", "service", "Income collection and debt recovery", "Income and Recovery", 42, 52, 1520, "01.1", "Central services", "power", True, "Finance", 4.0, 35000, ALL),
    ("FIN-PAY", "FIN", "service", "Payroll and pensions administration", "Payroll", 42, 52, 1003, "01.1", "Central services", "discretionary", True, "Finance", 3.5, 35000, ALL),
    ("FIN-ACC", "FIN", "service", "Financial planning, accounts and audit", "Finance", 42, 52, 1004, "01.1", "Central services", "duty", True, "Finance", 9.0, 47000, ALL),
    ("FIN-PROC", "FIN", "service", "Procurement and contract management", "Procurement", 6, 14, 1005, "01.3", "Central services", "discretionary", True, "Finance", 4.0, 45000, ALL),
    ("REV", "CORP", "sub-function", "Revenues and benefits", "Revenues and Benefits", 42, 56, None, "01.1", "Central services", "duty", True, "Revenues and Benefits", 0, 0, ALL),
    ("REV-CT", "REV", "service", "Council tax", "Council Tax", 42, 56, 1006, "01.1", "Central services", "duty", True, "Revenues and Benefits", 0, 0, ALL),
    ("REV-CT-BIL", "REV-CT", "process", "Council tax billing and discounts", "Council Tax", 42, 56, 59, "01.1", "Central services", "duty", True, "Revenues and Benefits", 8.0, 33000, ALL),
    ("REV-CT-REC", "REV-CT", "process", "Council tax recovery", "Council Tax Recovery", 42, 56, 1007, "01.1", "Central services", "duty", True, "Revenues and Benefits", 5.0, 34000, ALL),
    ("REV-NNDR", "REV", "service", "Business rates billing and collection", "Business Rates", 6, 9, 1008, "01.1", "Central services", "duty", True, "Revenues and Benefits", 4.0, 35000, ALL),
    ("REV-HB", "REV", "service", "Housing benefit and council tax support administration", "Benefits", 1, 3, 69, "10.6", "Central services", "duty", True, "Revenues and Benefits", 14.0, 34000, ALL),
    ("HR", "CORP", "sub-function", "Human resources", "HR", 42, 52, None, "01.3", "Central services", "discretionary", True, "Human Resources", 0, 0, ALL),
    ("HR-ADV", "HR", "service", "HR advice, recruitment and employee relations", "HR", 42, 52, 1009, "01.3", "Central services", "discretionary", True, "Human Resources", 6.0, 40000, ALL),
    ("ICT", "CORP", "sub-function", "ICT and digital", "ICT", 42, 52, None, "01.3", "Central services", "discretionary", True, "ICT and Digital", 0, 0, ALL),
    ("ICT-SD", "ICT", "service", "Service desk and end-user computing", "ICT Support", 42, 52, 1010, "01.3", "Central services", "discretionary", True, "ICT and Digital", 6.0, 38000, ALL),
    ("ICT-INF", "ICT", "service", "Infrastructure, networks and hosting", "ICT Infrastructure", 42, 52, 1011, "01.3", "Central services", "discretionary", True, "ICT and Digital", 5.0, 48000, ALL),
    ("LEG", "CORP", "sub-function", "Legal and democratic services", "Legal", 42, 50, None, "01.1", "Central services", "duty", True, "Legal and Democratic Services", 0, 0, ALL),
    ("LEG-LS", "LEG", "service", "Legal services", "Legal", 42, 52, 1012, "01.3", "Central services", "discretionary", True, "Legal and Democratic Services", 6.0, 52000, ALL),
    ("LEG-ELE", "LEG", "service", "Elections and electoral registration", "Electoral Services", 42, 50, 1013, "01.1", "Central services", "duty", False, "Legal and Democratic Services", 3.0, 34000, ALL),
    ("CUS-CC", "CORP", "service", "Customer contact centre", "Customer Services", 42, 47, 1014, "01.3", "Central services", "discretionary", True, "Customer Services", 16.0, 29000, ALL),
    ("ENV", None, "function", "Environmental services", "Environment", 30, 30, None, "05", "Environmental and regulatory services", "duty", False, "Environmental Services", 0, 0, ALL),
    ("WST", "ENV", "sub-function", "Waste management", "Waste", 30, 38, None, "05.1", "Environmental and regulatory services", "duty", False, "Environmental Services", 0, 0, ALL),
    ("WST-RES", "WST", "service", "Household residual waste collection", "Waste Collection", 30, 38, 1015, "05.1", "Environmental and regulatory services", "duty", False, "Environmental Services", 30.0, 31000, ALL),
    ("WST-REC", "WST", "service", "Dry recycling and garden waste collection", "Recycling", 30, 39, 1016, "05.1", "Environmental and regulatory services", "duty", False, "Environmental Services", 28.0, 31000, ALL),
    ("STR-CLN", "ENV", "service", "Street cleansing", "Street Cleansing", 30, 40, 1017, "05.1", "Environmental and regulatory services", "duty", False, "Environmental Services", 18.0, 29000, ALL),
    ("PRK-GM", "ENV", "service", "Parks and grounds maintenance", "Grounds Maintenance", 30, 36, 1018, "08.1", "Cultural and related services", "power", False, "Environmental Services", 15.0, 30000, ALL),
    ("EH-FS", "ENV", "service", "Food safety and hygiene inspection", "Environmental Health", 30, 34, 1019, "07.4", "Environmental and regulatory services", "duty", False, "Environmental Health", 5.0, 44000, ALL),
    ("PLN", None, "function", "Planning and building control", "Planning", 99, 99, None, "06.2", "Planning and development services", "duty", False, "Planning", 0, 0, ALL),
    ("PLN-DC", "PLN", "service", "Development management (planning applications)", "Planning", 99, 101, 1020, "06.2", "Planning and development services", "duty", False, "Planning", 12.0, 45000, ALL),
    ("PLN-BC", "PLN", "service", "Building control", "Building Control", 99, 100, 1021, "06.2", "Planning and development services", "duty", False, "Planning", 5.0, 43000, ALL),
    ("HOU", None, "function", "Housing", "Housing", 66, 66, None, "10.6", "Housing services", "duty", False, "Housing", 0, 0, ALL),
    ("HOU-HL", "HOU", "service", "Homelessness prevention and relief", "Housing Options", 66, 68, 1022, "10.6", "Housing services", "duty", False, "Housing", 10.0, 36000, ALL),
    ("HOU-DFG", "HOU", "service", "Disabled facilities grants", "Home Adaptations", 66, 70, 137, "10.6", "Housing services", "duty", False, "Housing", 2.0, 38000, ALL),
    ("LEI", None, "function", "Leisure and culture", "Leisure", 72, 72, None, "08", "Cultural and related services", "power", False, "Culture and Leisure", 0, 0, ALL),
    ("LEI-LIB", "LEI", "service", "Library service", "Libraries", 72, 76, 1023, "08.2", "Cultural and related services", "duty", False, "Culture and Leisure", 14.0, 28000, ("Anytown", "Castleford")),
    ("LEI-SPT", "LEI", "service", "Leisure centres and sports development", "Leisure", 72, 80, 1024, "08.1", "Cultural and related services", "power", False, "Culture and Leisure", 3.0, 33000, ALL),
    ("TRN", None, "function", "Transport", "Transport", 105, 105, None, "04.5", "Highways and transport services", "power", False, "Parking Services", 0, 0, ("Brookshire",)),
    ("TRN-PARK", "TRN", "service", "Off-street car parking", "Parking", 105, 110, 1025, "04.5", "Highways and transport services", "power", False, "Parking Services", 8.0, 30000, ("Brookshire",)),
    ("ASC", None, "function", "Adult social care", "Adult Social Care", 58, 58, None, "10", "Adult Social Care", "duty", False, "Adult Social Care", 0, 0, ("Castleford",)),
    ("ASC-ACM", "ASC", "service", "Assessment and care management", "Social Work", 58, 59, 1026, "10.2", "Adult Social Care", "duty", False, "Adult Social Care", 22.0, 41000, ("Castleford",)),
    ("ASC-HC", "ASC", "service", "Home care for older people", "Home Care", 58, 59, 1027, "10.2", "Adult Social Care", "duty", False, "Adult Social Care", 6.0, 30000, ("Castleford",)),
]
FKEYS = ["key", "parent", "level", "label", "short", "esd_code", "esd_id", "lgsl", "cofog", "sercop",
         "statutory", "backoffice", "unit", "fte100k", "cost_per_fte", "councils"]
FUNCS = [dict(zip(FKEYS, row)) for row in F]
FBYKEY = {f["key"]: f for f in FUNCS}

# delivery model per council (default in-house)
DELIVERY = {
    "Anytown": {"REV": "outsourced", "REV-CT": "outsourced", "REV-CT-BIL": "outsourced", "REV-CT-REC": "outsourced",
                "REV-NNDR": "outsourced", "REV-HB": "outsourced", "ICT-INF": "mixed", "CORP": "mixed"},
    "Brookshire": {"WST": "outsourced", "WST-RES": "outsourced", "WST-REC": "outsourced", "ENV": "mixed",
                   "FIN-PAY": "shared-service", "LEG-LS": "shared-service"},
    "Castleford": {"LEI-SPT": "outsourced", "ASC-HC": "outsourced", "ASC": "mixed", "LEI": "mixed"},
}
# annual volumes for unit costs: key -> (per 100k population, description)
VOLUMES = {"FIN-AP-INV": 21000, "FIN-PAY": None, "REV-CT-BIL": 44000, "WST-RES": 2250000,
           "PLN-DC": 1150, "LEI-LIB": 310000, "REV-HB": 5200}

# ----------------------------------------------------------------- senior posts
# id, title, grade, floor (Anytown basis), reports to (id or XX), function key, profession, unit, job/team function
SENIOR = [
    ("01", "Chief Executive", "SCS3", 145000, "XX", "CORP-MGT", "Policy", "Chief Executive's Office",
     "Head of paid service; leads the council's management team and advises councillors"),
    ("02", "Director of Resources (Section 151 Officer)", "SCS2", 115000, "01", "CORP-MGT", "Finance", "Resources",
     "Responsible for the proper administration of the council's financial affairs"),
    ("03", "Director of Place", "SCS2", 110000, "01", "CORP-MGT", "Operational Delivery", "Place",
     "Leads environmental services, planning and regulatory services"),
    ("04", "Director of Communities", "SCS2", 110000, "01", "CORP-MGT", "Operational Delivery", "Communities",
     "Leads housing, customer services, culture and leisure"),
    ("05", "Head of Finance (Deputy Section 151 Officer)", "SCS1A", 85000, "02", "FIN-ACC", "Finance", "Finance",
     "Budget setting, statutory accounts, treasury management and the finance transactional teams"),
    ("06", "Head of Revenues and Benefits", "SCS1A", 75000, "02", "REV-CT-BIL", "Tax Professionals", "Revenues and Benefits",
     "Council tax, business rates and housing benefit"),
    ("07", "Head of Human Resources", "SCS1A", 75000, "02", "HR-ADV", "Human Resources", "Human Resources",
     "HR policy, recruitment, employee relations and workforce development"),
    ("08", "Head of ICT and Digital", "SCS1A", 80000, "02", "ICT-INF", "Information Technology", "ICT and Digital",
     "ICT strategy, infrastructure, cyber security and digital services"),
    ("09", "Head of Legal and Democratic Services (Monitoring Officer)", "SCS1A", 85000, "01", "LEG-LS", "Law",
     "Legal and Democratic Services", "Legal advice to the council, elections, committee services"),
    ("10", "Head of Procurement", "SCS1", 60000, "05", "FIN-PROC", "Procurement", "Finance",
     "Procurement strategy, tendering and contract management"),
    ("11", "Transactional Finance Manager", "SCS1", 55000, "05", "FIN-AP-INV", "Finance", "Finance",
     "Accounts payable, income collection and payroll"),
    ("12", "Head of Customer Services", "SCS1A", 70000, "04", "CUS-CC", "Operational Delivery", "Customer Services",
     "Contact centre, face-to-face and online customer services"),
    ("13", "Head of Environmental Services", "SCS1A", 80000, "03", "WST-RES", "Operational Delivery", "Environmental Services",
     "Waste and recycling, street cleansing, parks and grounds maintenance"),
    ("14", "Waste and Recycling Manager", "SCS1", 55000, "13", "WST-REC", "Operational Delivery", "Environmental Services",
     "Collection rounds, fleet and depot operations"),
    ("15", "Head of Planning and Building Control", "SCS1A", 80000, "03", "PLN-DC", "Planning", "Planning",
     "Development management, building control and planning enforcement"),
    ("16", "Head of Environmental Health", "SCS1", 65000, "03", "EH-FS", "Science and Engineering", "Environmental Health",
     "Food safety, health and safety enforcement, pollution control"),
    ("17", "Head of Housing (job share)", "SCS1A", 75000, "04", "HOU-HL", "Operational Delivery", "Housing",
     "Housing options, homelessness and home adaptations"),
    ("18", "Head of Housing (job share)", "SCS1A", 75000, "04", "HOU-HL", "Operational Delivery", "Housing",
     "Housing options, homelessness and home adaptations"),
    ("19", "Head of Culture and Leisure", "SCS1", 65000, "04", "LEI-SPT", "Other", "Culture and Leisure",
     "Leisure centres, sports development, libraries and the leisure contract"),
]
SENIOR_EXTRA = {
    "Brookshire": [("20", "Parking Services Manager", "SCS1", 50000, "03", "TRN-PARK", "Operational Delivery",
                    "Parking Services", "Car parks, enforcement and permits")],
    "Castleford": [("20", "Director of Adult Social Care", "SCS2", 130000, "01", "ASC-ACM", "Operational Delivery",
                    "Adult Social Care", "Statutory director of adult social services"),
                   ("21", "Head of Adult Social Care Operations", "SCS1A", 85000, "20", "ASC-ACM", "Operational Delivery",
                    "Adult Social Care", "Assessment, care management and safeguarding"),
                   ("22", "Head of Commissioning", "SCS1A", 80000, "20", "ASC-HC", "Procurement", "Adult Social Care",
                    "Commissioning of home care and residential care")],
}
# leaf function key -> the senior post its junior staff report to
JUNIOR_REPORTS = {
    "CORP-MGT": "01", "FIN-AP-INV": "11", "FIN-AP-PAY": "11", "FIN-AR": "11", "FIN-PAY": "11", "FIN-ACC": "05",
    "FIN-PROC": "10", "REV-CT-BIL": "06", "REV-CT-REC": "06", "REV-NNDR": "06", "REV-HB": "06", "HR-ADV": "07",
    "ICT-SD": "08", "ICT-INF": "08", "LEG-LS": "09", "LEG-ELE": "09", "CUS-CC": "12", "WST-RES": "14",
    "WST-REC": "14", "STR-CLN": "13", "PRK-GM": "13", "EH-FS": "16", "PLN-DC": "15", "PLN-BC": "15",
    "HOU-HL": "17", "HOU-DFG": "18", "LEI-LIB": "19", "LEI-SPT": "19", "TRN-PARK": "20", "ASC-ACM": "21",
    "ASC-HC": "22",
}
# NJC-style local grades: (grade, min, max)
GRADES = [("Grade 3", 24790, 25584), ("Grade 4", 25989, 27711), ("Grade 5", 28163, 31537),
          ("Grade 6", 32076, 35745), ("Grade 7", 36363, 39862), ("Grade 8", 40777, 44075),
          ("Grade 9", 45091, 49282)]
PROFESSION = {"FIN": "Finance", "REV": "Tax Professionals", "HR": "Human Resources", "ICT": "Information Technology",
              "LEG": "Law", "CUS": "Operational Delivery", "WST": "Operational Delivery", "STR": "Operational Delivery",
              "PRK": "Operational Delivery", "EH": "Science and Engineering", "PLN": "Planning", "HOU": "Operational Delivery",
              "LEI": "Operational Delivery", "TRN": "Operational Delivery", "ASC": "Operational Delivery",
              "CORP": "Policy"}

FIRST = ["Alison", "Bernard", "Catherine", "Daniel", "Eleanor", "Farid", "Gemma", "Harjit", "Imogen", "Jonathan",
         "Katarzyna", "Laurence", "Miriam", "Nathaniel", "Olufemi", "Priya", "Quentin", "Rosalind", "Siobhan",
         "Tobias", "Ursula", "Vikram", "Wendy", "Yusuf", "Zara", "Bethan", "Callum", "Deirdre", "Emeka", "Fiona",
         "Graham", "Hannah", "Ifeoma", "Jasper", "Keira", "Lionel", "Morwenna", "Niamh", "Oscar", "Philippa",
         "Rhodri", "Saskia", "Tamsin", "Wilfred", "Aurelia", "Barnaby", "Cressida", "Dominic", "Esme", "Fergus",
         "Gwendolyn", "Hamish", "Isadora", "Jago", "Lavinia", "Malachy", "Ottilie", "Peregrine", "Rosamund", "Tristram"]
LAST = ["Ashworth", "Blackwood", "Carrington", "Delacourt", "Everleigh", "Fairbairn", "Greenhalgh", "Hollingworth",
        "Ingleby", "Jessop", "Kettlewell", "Lomax", "Maddox", "Northcott", "Oyelaran", "Pemberton", "Quarmby",
        "Ravenscroft", "Sowerby", "Thistlethwaite", "Underhill", "Varley", "Whitworth", "Yardley", "Abernethy",
        "Brackenbury", "Cholmondeley", "Dunsford", "Etherington", "Fotheringham", "Gillingham", "Haverstock",
        "Illingworth", "Kilbride", "Lathbury", "Merriweather", "Netherwood", "Ormerod", "Penhaligon", "Rushworth",
        "Sedgwick", "Tolhurst", "Wainwright", "Atherley", "Bellingham", "Calloway", "Dewhurst", "Entwistle"]

# ----------------------------------------------------------------- spend: trades, suppliers
CIPFA = {  # code -> (group, detailed type)
    "5011": ("employees", "Agency staff"), "5013": ("employees", "Training"),
    "5021": ("premises", "Repairs and maintenance of buildings"), "5022": ("premises", "Energy costs"),
    "5023": ("premises", "Rents and rates"), "5024": ("premises", "Cleaning and domestic supplies"),
    "5025": ("premises", "Security"),
    "5031": ("transport", "Hire of vehicles"), "5032": ("transport", "Fuel"), "5033": ("transport", "Vehicle repairs and maintenance"),
    "5041": ("supplies-and-services", "Equipment, furniture and materials"), "5042": ("supplies-and-services", "Catering"),
    "5043": ("supplies-and-services", "Printing, stationery and general office expenses"),
    "5044": ("supplies-and-services", "Services: professional and consultancy"),
    "5045": ("supplies-and-services", "Communications and computing"), "5046": ("supplies-and-services", "Subscriptions"),
    "5047": ("supplies-and-services", "Insurance"), "5048": ("supplies-and-services", "Postage"),
    "5051": ("third-party-payments", "Private contractors"), "5052": ("third-party-payments", "Other local authorities"),
    "5053": ("third-party-payments", "Voluntary associations"),
    "5061": ("transfer-payments", "Payments to individuals"),
    "5101": ("supplies-and-services", "Capital works and equipment"),
}
# trade: name words, codes, purposes, function keys, lognormal mu, sigma, capital share, beneficiary type
TRADES = {
    "waste": (["Waste Services", "Recycling", "Skip Hire", "Environmental"], ["5051", "5041"],
              ["Disposal of residual waste", "Recycling gate fees", "Skip hire", "Wheeled bin purchase",
               "Clinical waste collection", "Fly-tipping clearance"], ["WST-RES", "WST-REC", "STR-CLN"], 8.3, 1.1, 0.04),
    "fleet": (["Commercial Vehicles", "Fleet Services", "Tyres", "Truck and Van"], ["5031", "5033"],
              ["Refuse collection vehicle hire", "Vehicle servicing and repairs", "Tyre replacement",
               "Sweeper hire", "Vehicle MOT and inspection"], ["WST-RES", "WST-REC", "STR-CLN", "PRK-GM"], 7.8, 1.0, 0.08),
    "fuel": (["Fuels", "Oil and Fuel"], ["5032"], ["Diesel for refuse fleet", "HVO fuel delivery", "Fuel cards"],
             ["WST-RES", "WST-REC", "STR-CLN"], 8.4, 0.7, 0.0),
    "grounds": (["Landscapes", "Tree Surgery", "Horticulture", "Grounds Care"], ["5051", "5041"],
                ["Tree works", "Grass cutting", "Play area inspection and repair", "Bedding plants",
                 "Grounds maintenance materials"], ["PRK-GM"], 7.6, 1.0, 0.06),
    "building": (["Building Services", "Roofing", "Electrical Contractors", "Plumbing and Heating", "Construction"],
                 ["5021"], ["Responsive building repairs", "Boiler servicing", "Roof repairs", "Fire alarm maintenance",
                            "Electrical testing", "Legionella testing"],
                 ["CUS-CC", "LEI-LIB", "LEI-SPT", "WST-RES", "HOU-HL", "TRN-PARK"], 7.7, 1.1, 0.10),
    "cleaning": (["Cleaning Services", "Facilities"], ["5024", "5025"], ["Office cleaning", "Window cleaning",
                                                                         "Washroom services", "Security guarding"],
                 ["CUS-CC", "LEI-LIB", "HOU-HL"], 7.2, 0.8, 0.0),
    "it": (["IT Solutions", "Digital", "Networks", "Data Systems", "Technology"], ["5045", "5101"],
           ["Software licences", "Laptop replacement", "Network support", "Cyber security services",
            "Telephony charges", "Cloud hosting", "Mobile phone contract"], ["ICT-SD", "ICT-INF"], 8.0, 1.2, 0.12),
    "consult": (["Consulting", "Associates", "Advisory"], ["5044"],
                ["Consultancy support", "Specialist advice", "Independent review", "Interim management support",
                 "Valuation services"], ["FIN-ACC", "PLN-DC", "HR-ADV", "FIN-PROC", "CORP-MGT"], 8.4, 1.1, 0.0),
    "legal": (["Chambers", "Solicitors", "Legal"], ["5044"], ["Counsel fees", "External legal advice",
                                                             "Land registry searches", "Legal representation"],
              ["LEG-LS"], 7.9, 1.0, 0.0),
    "agency": (["Recruitment", "Staffing", "Personnel"], ["5011"], ["Agency staff", "Interim staff cover",
                                                                   "Temporary staff"],
               ["FIN-ACC", "REV-HB", "CUS-CC", "WST-RES", "WST-REC", "PLN-DC", "ASC-ACM", "HOU-HL", "LEG-LS"],
               7.9, 0.9, 0.0),
    "training": (["Training", "Learning"], ["5013"], ["Staff training course", "Professional qualification fees",
                                                     "Leadership development programme"],
                 ["HR-ADV", "ASC-ACM", "EH-FS"], 7.1, 0.7, 0.0),
    "print": (["Print", "Office Supplies", "Mailing"], ["5043", "5048"],
              ["Printing of annual bills", "Stationery", "Postage", "Ballot paper printing", "Poll card printing",
               "Envelopes"], ["REV-CT-BIL", "REV-NNDR", "LEG-ELE", "FIN-AP-INV", "CUS-CC"], 7.4, 1.0, 0.0),
    "catering": (["Catering"], ["5042"], ["Catering for training event", "Refreshments for count staff"],
                 ["LEG-ELE", "HR-ADV"], 6.8, 0.5, 0.0),
    "temp_acc": (["Lettings", "Property Management", "Guest House"], ["5051"],
                 ["Nightly-paid temporary accommodation", "Bed and breakfast accommodation", "Hostel placements"],
                 ["HOU-HL"], 7.5, 0.8, 0.0),
    "adapt": (["Home Improvements", "Stairlifts", "Mobility"], ["5101"],
              ["Stairlift installation", "Level access shower", "Ramp installation", "Through-floor lift"],
              ["HOU-DFG"], 8.6, 0.6, 1.0),
    "charity": (["Community Trust", "Advice Centre", "Foundation"], ["5053"],
                ["Grant: debt and welfare advice", "Grant: community transport", "Grant: food bank support",
                 "Grant: tenancy sustainment service"], ["HOU-HL", "REV-HB"], 8.7, 0.8, 0.0),
    "books": (["Books", "Library Supplies"], ["5041"], ["Book stock", "E-book licences", "Library stock processing"],
              ["LEI-LIB"], 7.3, 0.7, 0.0),
    "leisure": (["Leisure Equipment", "Pool Services"], ["5041", "5021"], ["Gym equipment maintenance",
                                                                           "Pool plant servicing", "Sports equipment"],
                ["LEI-SPT"], 7.5, 0.8, 0.15),
    "care": (["Care", "Homecare", "Care Homes", "Support Services"], ["5051"],
             ["Home care services", "Residential care placement", "Nursing care placement", "Supported living",
              "Respite care"], ["ASC-HC", "ASC-ACM"], 9.0, 1.0, 0.0),
    "parking": (["Parking Services", "Cash Collection"], ["5051", "5041"],
                ["Pay and display machine maintenance", "Cash collection service", "Car park resurfacing",
                 "Permit printing"], ["TRN-PARK"], 7.6, 0.9, 0.10),
    "lab": (["Laboratories", "Analytical Services"], ["5044"], ["Food sampling analysis", "Water sampling",
                                                               "Noise monitoring equipment hire"],
            ["EH-FS"], 6.9, 0.6, 0.0),
    "surveyors": (["Surveyors", "Building Consultancy"], ["5044"], ["Structural engineer report",
                                                                     "Building control fee-earning work"],
                  ["PLN-BC", "PLN-DC"], 7.6, 0.8, 0.0),
    "enforcement": (["Enforcement Agents", "Collection Services"], ["5044"], ["Enforcement agent fees",
                                                                             "Trace services", "Debt recovery services"],
                    ["REV-CT-REC", "FIN-AR"], 7.2, 0.8, 0.0),
    "bank": (["Payment Services"], ["5044"], ["Card processing charges", "Payment gateway fees"],
             ["FIN-AR", "FIN-AP-PAY"], 7.4, 0.7, 0.0),
}
PLACE_WORDS = ["Ashdown", "Beacon", "Birchwood", "Bramble", "Calderbrook", "Chiltern", "Cobalt", "Crescent", "Dalesway",
               "Edenvale", "Elmfield", "Fernhill", "Foxglove", "Granite", "Greystone", "Hawthorn", "Heronsgate",
               "Highfield", "Ironbridge", "Juniper", "Lakeside", "Larchwood", "Linden", "Marston", "Meadowbank",
               "Millbrook", "Oakridge", "Orchard", "Pennant", "Quarrybank", "Redwood", "Riverside", "Rowan", "Saxon",
               "Severnside", "Sherbourne", "Silverdale", "Stonebridge", "Summit", "Thornbury", "Trentvale",
               "Valley", "Wessex", "Westbury", "Willowbank", "Windmill", "Yewtree", "Amberley", "Bluebell",
               "Copperfield", "Drayton", "Eastgate", "Fairway", "Goldcrest", "Harrowgate", "Kingfisher", "Longacre",
               "Moorland", "Newbridge", "Oldcastle", "Parkside", "Queensway", "Ridgeway", "Southfield", "Tamar",
               "Upland", "Wolds", "Alder", "Beckside", "Cedar", "Dovecote", "Elder", "Fieldfare", "Glenmore"]
SUFFIXES = ["Ltd", "Limited", "Ltd", "Ltd", "Limited", "plc", "Group Ltd", "UK Ltd", "& Co Ltd"]
CHARITY_SUFFIXES = ["", " CIO", ""]

# the planted common suppliers: canonical name -> (spelling used by each council, trade, VAT, functions, lines)
COMMON_SUPPLIERS = {
    "Civica UK Ltd": (("Civica UK Ltd", "CIVICA UK LIMITED", "Civica UK Limited"), "it",
                      ["ICT-INF", "REV-CT-BIL"], ["Revenues and benefits system support and maintenance",
                                                  "Software licences", "Library management system licence"]),
    "Microsoft Ltd": (("Microsoft Limited", "Microsoft Ltd", "MICROSOFT LIMITED"), "it", ["ICT-SD", "ICT-INF"],
                      ["Microsoft 365 licences", "Azure consumption charges"]),
    "Oracle Corporation UK Ltd": (("Oracle Corporation UK Ltd", "Oracle Corporation UK Limited",
                                   "ORACLE CORPORATION UK LTD"), "it", ["FIN-ACC"],
                                  ["ERP cloud subscription", "ERP support services"]),
    "Pennine Office Supplies Ltd": (("Pennine Office Supplies Ltd",) * 3, "print",
                                    ["FIN-AP-INV", "CUS-CC", "REV-CT-BIL", "HR-ADV"],
                                    ["Stationery", "Printer consumables", "Office furniture"]),
    "Caldervale Recruitment Ltd": (("Caldervale Recruitment Ltd", "Caldervale Recruitment Ltd",
                                    "Caldervale Recruitment Limited"), "agency",
                                   ["FIN-ACC", "CUS-CC", "PLN-DC", "HOU-HL"], ["Agency staff", "Interim staff cover"]),
    "Brightwater Energy Supply Ltd": (("Brightwater Energy Supply Ltd",) * 3, "energy",
                                      ["CUS-CC", "WST-RES", "LEI-SPT"], ["Electricity supply", "Gas supply"]),
    "Harbourside Legal LLP": (("Harbourside Legal LLP",) * 3, "legal", ["LEG-LS"],
                              ["External legal advice", "Counsel fees"]),
    "Castlegate Insurance plc": (("Castlegate Insurance plc", "Castlegate Insurance PLC", "Castlegate Insurance plc"),
                                 "insurance", ["FIN-ACC"], ["Insurance premium instalment", "Insurance excess payment"]),
}
COMMON_CODES = {"it": "5045", "print": "5043", "agency": "5011", "energy": "5022", "legal": "5044", "insurance": "5047"}
COMMON_LINES = {"Anytown": 14, "Brookshire": 16, "Castleford": 22}  # lines per common supplier

# contracts: council -> (supplier, contract ref, function keys, monthly pence range, trade code)
CONTRACTS = {
    "Brookshire": ("Greenway Environmental Services Ltd", "BDC/2019/WST/01", ["WST-RES", "WST-REC"],
                   (14_500_000, 16_000_000), "5051", "Waste and recycling collection contract: monthly payment"),
    "Castleford": ("Castleford Active Leisure Trust", "CCC-LEI-2021-004", ["LEI-SPT"],
                   (9_000_000, 9_600_000), "5051", "Leisure management contract: monthly management fee"),
}
KESTREL = "Kestrel Managed Services Ltd"
KESTREL_REF = "ATN-C-2023-0147"
KESTREL_FUNCS = ["REV-CT-BIL", "REV-CT-REC", "REV-NNDR", "REV-HB"]

GPC_MERCHANTS = [("Station Parade Hardware", "Hardware stores", "5251"), ("Market Street Stationers", "Stationery stores", "5111"),
                 ("Northern Rail Tickets", "Passenger railways", "4112"), ("The Corner Kitchen", "Caterers", "5811"),
                 ("Softkey Online Store", "Computer software stores", "5734"), ("Parkside Florists", "Florists", "5992"),
                 ("Riverside Car Park", "Parking lots and garages", "7523"), ("Print Express Online", "Business services", "7399")]
GPC_PURPOSES = ["Sundry supplies", "Rail fare for training course", "Refreshments for public consultation event",
                "Replacement keys", "Software subscription", "Parking for site visit", "Printing for public notice"]

REDACTED = "REDACTED - personal data"
REDACTED_PURPOSES = [("HOU-HL", "Homelessness prevention fund payment", "5061"),
                     ("REV-HB", "Discretionary housing payment", "5061"),
                     ("ASC-ACM", "Direct payment for care and support", "5061"),
                     ("HOU-DFG", "Disabled facilities grant payment", "5061")]

# ----------------------------------------------------------------- outcomes
# id, label, function key, pillar, unit, polarity, (low, high) value range, decimals
INDICATORS = [
    ("OB-AP-01", "Invoices paid within 30 days (%)", "FIN-AP-PAY", "managing-inputs", "%", "higher-is-better", (88, 99), 1),
    ("OB-PAY-01", "Cost per payslip (£)", "FIN-PAY", "managing-inputs", "£", "lower-is-better", None, 2),
    ("OB-AR-01", "Sundry debt over 90 days old (%)", "FIN-AR", "managing-inputs", "%", "lower-is-better", (8, 25), 1),
    ("OB-CT-01", "Council tax collection rate (%)", "REV-CT-REC", "pursuing-goals", "%", "higher-is-better", (94.5, 98.5), 1),
    ("OB-NNDR-01", "Business rates collection rate (%)", "REV-NNDR", "pursuing-goals", "%", "higher-is-better", (95.0, 99.2), 1),
    ("OB-HB-01", "Average days to process new benefit claims", "REV-HB", "engaging-citizens", "days", "lower-is-better", (12, 28), 1),
    ("OB-WST-01", "Missed bin collections per 100,000", "WST-RES", "pursuing-goals", "per 100,000 collections", "lower-is-better", (25, 95), 0),
    ("OB-WST-02", "Household waste sent for reuse, recycling or composting (%)", "WST-REC", "pursuing-goals", "%", "higher-is-better", (38, 58), 1),
    ("OB-STR-01", "Streets with unacceptable levels of litter (%)", "STR-CLN", "pursuing-goals", "%", "lower-is-better", (3, 12), 1),
    ("OB-PLN-01", "Major planning applications decided in time (%)", "PLN-DC", "pursuing-goals", "%", "higher-is-better", (70, 98), 1),
    ("OB-PLN-02", "Minor planning applications decided in time (%)", "PLN-DC", "pursuing-goals", "%", "higher-is-better", (65, 95), 1),
    ("OB-HOU-01", "Households in temporary accommodation per 1,000 households", "HOU-HL", "pursuing-goals", "per 1,000 households", "lower-is-better", (0.8, 4.5), 2),
    ("OB-CC-01", "Calls answered within 60 seconds (%)", "CUS-CC", "engaging-citizens", "%", "higher-is-better", (55, 90), 1),
    ("OB-ICT-01", "Service desk tickets resolved at first contact (%)", "ICT-SD", "developing-system-capacity", "%", "higher-is-better", (55, 85), 1),
    ("OB-HR-01", "Average working days lost to sickness per FTE", "HR-ADV", "developing-system-capacity", "days", "lower-is-better", (7, 12), 1),
    ("OB-EH-01", "Food premises rated 4 or 5 for hygiene (%)", "EH-FS", "pursuing-goals", "%", "higher-is-better", (85, 97), 1),
    ("OB-LIB-01", "Library visits per 1,000 population", "LEI-LIB", "engaging-citizens", "visits per 1,000 population", "higher-is-better", (1800, 3600), 0),
    ("OB-ASC-01", "Social care-related quality of life score", "ASC-ACM", "pursuing-goals", "score", "higher-is-better", (18.5, 19.8), 1),
    ("OB-PARK-01", "Penalty charge notices cancelled on appeal (%)", "TRN-PARK", "engaging-citizens", "%", "lower-is-better", (2, 9), 1),
]

# ----------------------------------------------------------------- systems
# canonical (vendor, product), key: per council (vendor, product) spelling, function key, base cost, hosting
SYSTEMS_SHARED = [
    ("Oracle", "Oracle Fusion Cloud ERP", "FIN-ACC", 210000, "cloud", "Financial ledger, purchasing, accounts payable and receivable",
     {"Anytown": ("Oracle", "Oracle Fusion Cloud ERP"), "Brookshire": ("Oracle Corporation UK Ltd", "Oracle Fusion Cloud ERP"),
      "Castleford": ("Oracle Corporation UK Limited", "Oracle fusion cloud ERP")}),
    ("Civica", "Civica Revenues and Benefits", "REV-CT-BIL", 145000, "on-premises", "Council tax, business rates and benefits administration",
     {"Anytown": ("Civica UK Ltd", "Civica Revenues & Benefits"), "Brookshire": ("CIVICA UK LIMITED", "CIVICA Revenues and Benefits"),
      "Castleford": ("Civica", "Civica Revenues and Benefits")}),
    ("Microsoft", "Microsoft 365", "ICT-SD", 260000, "cloud", "Email, office applications, Teams and document storage",
     {"Anytown": ("Microsoft", "Microsoft 365"), "Brookshire": ("Microsoft Limited", "Microsoft 365"),
      "Castleford": ("Microsoft Ltd", "Microsoft 365")}),
    ("MHR", "iTrent", "FIN-PAY", 68000, "cloud", "HR records and payroll",
     {"Anytown": ("MHR International UK Ltd", "iTrent"), "Brookshire": ("MHR International UK Limited", "iTrent"),
      "Castleford": ("MHR International", "ITrent")}),
    ("Salesforce", "Salesforce Service Cloud", "CUS-CC", 92000, "cloud", "Customer relationship management for the contact centre",
     {"Anytown": ("Salesforce", "Salesforce Service Cloud"), "Brookshire": ("Salesforce UK Ltd", "Salesforce Service Cloud"),
      "Castleford": ("Salesforce UK Limited", "Salesforce service cloud")}),
    ("Esri", "ArcGIS Enterprise", "ICT-INF", 38000, "hybrid", "Geographic information system",
     {"Anytown": ("Esri UK Ltd", "ArcGIS Enterprise"), "Brookshire": ("ESRI (UK) Limited", "ArcGIS Enterprise"),
      "Castleford": ("Esri UK", "ArcGIS Enterprise")}),
    ("Idox", "Idox Uniform", "PLN-DC", 74000, "on-premises", "Planning and building control case management",
     {"Anytown": ("Idox Software Ltd", "Idox Uniform"), "Castleford": ("IDOX Software Limited", "IDOX Uniform")}),
    ("Bartec", "Bartec Collective", "WST-RES", 41000, "cloud", "Waste collection rounds, in-cab devices and missed bin reports",
     {"Anytown": ("Bartec Auto ID Ltd", "Bartec Collective"), "Brookshire": ("Bartec Auto ID Limited", "Bartec Collective")}),
    ("ServiceNow", "ServiceNow ITSM", "ICT-SD", 56000, "cloud", "IT service management and service desk",
     {"Brookshire": ("ServiceNow UK Ltd", "ServiceNow ITSM"), "Castleford": ("ServiceNow", "ServiceNow ITSM")}),
    ("Civica", "Spydus", "LEI-LIB", 33000, "cloud", "Library management system",
     {"Anytown": ("Civica UK Ltd", "Spydus"), "Castleford": ("Civica UK Limited", "Spydus")}),
    ("Netcall", "Liberty Converse", "CUS-CC", 47000, "cloud", "Contact centre telephony",
     {"Brookshire": ("Netcall Technology Ltd", "Liberty Converse"), "Castleford": ("Netcall Technology Limited", "Liberty Converse")}),
    ("Proactis", "Proactis P2P", "FIN-PROC", 29000, "cloud", "E-procurement and purchase-to-pay",
     {"Anytown": ("Proactis Ltd", "Proactis P2P"), "Brookshire": ("PROACTIS LIMITED", "Proactis P2P")}),
    ("Iken", "Iken Case Management", "LEG-LS", 21000, "cloud", "Legal case management",
     {"Brookshire": ("Iken Business Ltd", "Iken Case Management"), "Castleford": ("Iken Business Limited", "Iken Case Management")}),
]
SYSTEM_NAMES = {"FIN-ACC": "Finance system", "REV-CT-BIL": "Revenues and benefits system", "ICT-SD": "Office and collaboration",
                "FIN-PAY": "HR and payroll system", "CUS-CC": "Customer contact system", "ICT-INF": "Corporate infrastructure",
                "PLN-DC": "Planning system", "WST-RES": "Waste management system", "LEI-LIB": "Library management system",
                "FIN-PROC": "E-procurement", "LEG-LS": "Legal case management", "LEG-ELE": "Electoral management system",
                "TRN-PARK": "Parking system", "ASC-ACM": "Social care case management", "ASC-HC": "Care finance system",
                "LEI-SPT": "Leisure management system", "REV-HB": "Citizen self-service portal"}
SYSTEMS_UNIQUE = {
    "Anytown": [("Jadu Ltd", "Jadu Continuum CMS", "CUS-CC", 24000, "cloud", "Public website and online forms"),
                ("Xpress Software Solutions Ltd", "Xpress Electoral Management", "LEG-ELE", 18000, "on-premises", "Electoral register and elections"),
                ("Ideagen plc", "Pentana Audit", "FIN-ACC", 12000, "cloud", "Internal audit and risk management"),
                ("Kestrel Managed Services Ltd", "Kestrel Citizen Portal", "REV-HB", 15000, "cloud", "Online benefit claims and council tax self-service (provided under the revenues and benefits contract)")],
    "Brookshire": [("Tascomi Ltd", "Tascomi Planning", "PLN-DC", 52000, "cloud", "Planning and building control case management"),
                   ("Chipside Ltd", "Chipside Parking", "TRN-PARK", 36000, "cloud", "Parking permits and penalty charge notices"),
                   ("GOSS Interactive Ltd", "GOSS iCM", "CUS-CC", 26000, "cloud", "Public website and online forms"),
                   ("Halarose Ltd", "Halarose Electoral Management", "LEG-ELE", 17000, "on-premises", "Electoral register and elections")],
    "Castleford": [("Liquidlogic Ltd", "Liquidlogic Adults' Social Care System", "ASC-ACM", 240000, "hybrid", "Adult social care case records and care planning"),
                   ("OLM Systems Ltd", "ContrOCC", "ASC-HC", 85000, "on-premises", "Care finance: provider payments and client charging"),
                   ("Whitespace Work Software Ltd", "Whitespace Waste Management", "WST-RES", 58000, "cloud", "Waste collection rounds and in-cab devices"),
                   ("Legend Club Management Systems Ltd", "Legend Leisure Management", "LEI-SPT", 31000, "cloud", "Leisure centre bookings and memberships (client side)"),
                   ("Modern Democracy Ltd", "Committee Manager", "LEG-LS", 14000, "cloud", "Committee papers and decisions")],
}

# ============================================================================ helpers


def pounds(pence: int) -> float:
    return round(pence / 100, 2)


def lognormal_pence(rng: random.Random, mu: float, sigma: float, floor: float = 500.0) -> int:
    while True:
        x = math.exp(rng.gauss(mu, sigma))
        if x >= floor and x < 2_000_000:
            return int(round(x * 100))


def letter(index0: int) -> str:
    return get_column_letter(index0 + 1)


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[list]
    formats: dict[str, str] = field(default_factory=dict)   # field -> number format
    title: str | None = None       # a title block: title in the first row, a blank row, then the header
    col_offset: int = 0            # blank leading columns
    widths: dict[str, int] = field(default_factory=dict)

    @property
    def header_row(self) -> int:
        return 3 if self.title else 1

    def cell(self, row_obj, fieldname: str) -> str:
        """A1 address of a field of a row (found by identity)."""
        i = next(k for k, r in enumerate(self.rows) if r is row_obj)
        return f"{letter(self.col_offset + self.header.index(fieldname))}{self.header_row + 1 + i}"

    def row_number(self, row_obj) -> int:
        i = next(k for k, r in enumerate(self.rows) if r is row_obj)
        return self.header_row + 1 + i


def write_workbook(path: Path, sheets: list[Sheet], title: str) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for s in sheets:
        ws = wb.create_sheet(s.name)
        r0 = s.header_row
        c0 = s.col_offset + 1
        if s.title:
            ws.cell(row=1, column=c0, value=s.title).font = Font(bold=True, size=14)
        for j, h in enumerate(s.header):
            c = ws.cell(row=r0, column=c0 + j, value=h)
            c.font = Font(bold=True)
        fmts = [s.formats.get(h) for h in s.header]
        for i, row in enumerate(s.rows):
            for j, v in enumerate(row):
                if v is None or v == "":
                    continue
                c = ws.cell(row=r0 + 1 + i, column=c0 + j, value=v)
                if isinstance(v, str):
                    c.data_type = "s"   # never a formula: text stays text
                elif fmts[j]:
                    c.number_format = fmts[j]
                elif isinstance(v, dt.date):
                    c.number_format = DATE
        for j, h in enumerate(s.header):
            ws.column_dimensions[letter(s.col_offset + j)].width = s.widths.get(h, min(max(len(h) + 2, 12), 40))
        ws.freeze_panes = ws.cell(row=r0 + 1, column=c0)
    wb.properties.creator = "openbook examples/generate.py"
    wb.properties.title = title
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.lastModifiedBy = "openbook examples/generate.py"
    buf = io.BytesIO()
    wb.save(buf)
    _pin_zip(buf.getvalue(), path)


def _pin_zip(data: bytes, path: Path) -> None:
    """Rewrite the xlsx zip with fixed timestamps and the fixed modified time, so it is byte-stable."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", body)
                body = re.sub(rb"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=(2025, 11, 28, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    path.write_bytes(out.getvalue())


# ============================================================================ council data


class Council:
    def __init__(self, spec: dict):
        self.spec = spec
        self.name = spec["name"]
        self.short = spec["short"]
        self.uri = spec["uri"]
        self.rng = random.Random(SEED * 10 + spec["seed"])
        self.scale = spec["population"] / 100000
        self.funcs = [f for f in FUNCS if self.short in f["councils"]]
        self.keys = {f["key"] for f in self.funcs}
        self.fid = self._function_ids()
        self.children = defaultdict(list)
        for f in self.funcs:
            if f["parent"]:
                self.children[f["parent"]].append(f["key"])
        self.leaves = [f["key"] for f in self.funcs if not self.children[f["key"]]]

    # ---------------------------------------------------------------- ids
    def _function_ids(self) -> dict[str, str]:
        if self.spec["id_style"] == "template":
            return {f["key"]: "F-" + f["key"] for f in self.funcs}
        ids, counters = {}, defaultdict(int)
        for f in self.funcs:
            prefix = f["key"].split("-")[0]
            if f["parent"] is None:
                ids[f["key"]] = "CC-" + prefix
            else:
                counters[prefix] += 1
                ids[f["key"]] = f"CC-{prefix}-{counters[prefix]:02d}"
        return ids

    def post(self, n: str) -> str:
        return self.spec["post_prefix"] + n

    # ---------------------------------------------------------------- build everything
    def build(self):
        self.build_roles()
        self.build_spend()
        self.build_costs()
        self.build_functions()
        self.build_systems()
        self.build_outcomes()

    # ---------------------------------------------------------------- roles
    def build_roles(self):
        rng = self.rng
        factor = {"Anytown": 1.0, "Brookshire": 1.05, "Castleford": 1.25}[self.short]
        posts = SENIOR + SENIOR_EXTRA.get(self.short, [])
        posts = [p for p in posts if p[5] in self.keys]
        names = set()
        self.senior = []   # dicts
        for (n, title, grade, floor, reports, fkey, prof, unit, jobfn) in posts:
            floor = int(round(floor * factor * rng.uniform(0.97, 1.04) / 5000)) * 5000
            while True:
                nm = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                if nm not in names:
                    names.add(nm)
                    break
            job_share = "job share" in title
            self.senior.append(dict(
                ref=self.post(n), n=n, name=nm, grade=grade, title=title.replace(" (job share)", ""), jobfn=jobfn,
                unit=unit, fkey=fkey, prof=prof, reports=("XX" if reports == "XX" else self.post(reports)),
                fte=0.5 if job_share else 1.0, floor=floor, ceiling=floor + 4999,
                phone=f"01632 960{rng.randint(100, 999)}",
                email=f"{unit.lower().replace(chr(39), '').replace(' and ', '-').replace(' ', '-')}@{self.spec['domain']}"))
        shares = [p for p in self.senior if p["fte"] == 0.5]
        if len(shares) == 2:
            shares[0]["notes"] = f"Job share with post {shares[1]['ref']}"
            shares[1]["notes"] = f"Job share with post {shares[0]['ref']}"
            shares[1]["floor"], shares[1]["ceiling"] = shares[0]["floor"], shares[0]["ceiling"]
        # junior staff: per leaf function, FTE in tenths
        self.junior = []
        self.leaf_fte_tenths = {}
        senior_fte = defaultdict(int)
        for p in self.senior:
            senior_fte[p["fkey"]] += int(p["fte"] * 10)
        for key in self.leaves:
            f = FBYKEY[key]
            model = DELIVERY[self.short].get(key, "in-house")
            if key == "CORP-MGT":
                target = 20 + rng.randint(0, 10)  # business support for the management team
            elif model == "outsourced":
                target = rng.randint(10, 25)      # the client-side contract team
            else:
                target = int(round(f["fte100k"] * self.scale * rng.uniform(0.85, 1.15) * 10))
            jt = max(target - senior_fte[key], 10)
            reports_to = self.post(JUNIOR_REPORTS[key])
            if model == "outsourced":
                grades = [("Contract Monitoring Officer", GRADES[5])]
            else:
                short = f["short"]
                grades = [(f"{short} Assistant", GRADES[rng.randint(0, 1)]),
                          (f"{short} Officer", GRADES[rng.randint(2, 3)]),
                          (f"Senior {short} Officer", GRADES[rng.randint(4, 5)])]
                if jt < 40:
                    grades = grades[1:]
                if jt < 20:
                    grades = grades[:1]
            # split jt tenths over the grades, the middle grade largest
            weights = [rng.uniform(0.6, 1.4) * (2 if "Officer" in g[0] and "Senior" not in g[0] else 1) for g in grades]
            parts = [max(5, int(jt * w / sum(weights))) for w in weights]
            parts[-1] = jt - sum(parts[:-1])
            if parts[-1] < 5:
                parts = [jt] + [0] * (len(parts) - 1)
            for (title, (grade, lo, hi)), tenths in zip(grades, parts):
                if tenths <= 0:
                    continue
                self.junior.append(dict(unit=f["unit"], reports=reports_to, grade=grade, lo=lo, hi=hi, title=title,
                                        fte=tenths / 10, prof=PROFESSION[key.split("-")[0]], fkey=key))
            self.leaf_fte_tenths[key] = senior_fte[key] + sum(p for p in parts if p > 0)
        # salary cost of reports: junior posts reporting directly
        cost = defaultdict(float)
        for j in self.junior:
            cost[j["reports"]] += (j["lo"] + j["hi"]) / 2 * j["fte"]
        for p in self.senior:
            p["cost_reports"] = int(round(cost.get(p["ref"], 0)))   # 0: no junior staff report to the post

    def employee_cost_pence(self, key: str) -> int:
        """Pay plus on-costs (employer NI and pension, 30%) of the staff of a leaf function."""
        total = 0.0
        for p in self.senior:
            if p["fkey"] == key:
                total += (p["floor"] + 2500) * p["fte"] * 1.30
        for j in self.junior:
            if j["fkey"] == key:
                total += (j["lo"] + j["hi"]) / 2 * j["fte"] * 1.30
        return int(round(total * 100))

    # ---------------------------------------------------------------- suppliers and spend
    def build_spend(self):
        rng = self.rng
        idx = ALL.index(self.short)
        # each council draws its own suppliers from a disjoint slice of the name space, so that only
        # the planted common suppliers (and contract suppliers) are shared
        name_rng = random.Random(SEED + 7)
        pool = []
        for trade, spec in TRADES.items():
            for w in spec[0]:
                for p in PLACE_WORDS:
                    pool.append((trade, p, w))
        name_rng.shuffle(pool)
        mine = [t for k, t in enumerate(pool) if k % 3 == idx]
        suppliers = []
        used = set()
        for trade, spec in TRADES.items():
            funcs = [k for k in spec[3] if k in self.keys]
            if not funcs:
                continue
            n = max(3, int(round({"care": 14, "temp_acc": 6, "charity": 6, "building": 12, "it": 10,
                                  "consult": 9, "agency": 6}.get(trade, 5) * (0.9 + 0.25 * idx))))
            cands = [t for t in mine if t[0] == trade]
            for (_, p, w) in cands[:n]:
                if trade == "charity":
                    nm = f"{p} {w}{rng.choice(CHARITY_SUFFIXES)}"
                    btype = "Charity"
                else:
                    suffix = rng.choice(SUFFIXES if trade not in ("legal", "consult") else ["LLP", "Ltd", "LLP"])
                    nm = f"{p} {w} {suffix}"
                    btype = {"LLP": "Limited liability partnership", "plc": "Public limited company"}.get(
                        suffix, "Private limited company")
                if nm in used:
                    continue
                used.add(nm)
                suppliers.append(dict(name=nm, trade=trade, type=btype, funcs=funcs,
                                      weight=rng.uniform(0.3, 3.0)))
        # a neighbouring county council and a government body, as real ledgers have
        county = {"Anytown": "Anyshire County Council", "Brookshire": "Brookshire County Council",
                  "Castleford": "West Castleford Combined Authority"}[self.short]
        suppliers.append(dict(name=county, trade="consult", type="Local authority",
                              funcs=[k for k in ("ICT-INF", "LEG-LS", "FIN-ACC") if k in self.keys], weight=1.0,
                              codes=["5052"], purposes=["Shared service recharge", "Contribution to joint scheme"]))
        for k, s in enumerate(suppliers):
            s["id"] = f"{(idx + 1) * 100000 + 137 * (k + 1):06d}"
            if s["type"] in ("Private limited company", "Public limited company", "Limited liability partnership"):
                s["vat"] = f"{rng.randint(100000000, 999999999)}"
                s["reg"] = f"{rng.randint(1000000, 15999999):08d}"
            elif s["type"] == "Charity":
                s["vat"] = None
                s["reg"] = f"{rng.randint(1000000, 1199999)}"
            else:
                s["vat"] = None
                s["reg"] = None
        self.suppliers = suppliers
        runs = [d for d in (YEAR_START + dt.timedelta(days=i) for i in range((YEAR_END - YEAR_START).days + 1))
                if d.weekday() in (1, 3) and d not in (dt.date(2025, 12, 25), dt.date(2026, 1, 1))]
        lines = []

        def line(date, sup_name, sup, purpose, code, amount_pence, fkey, capital=False, card="No", contract=None,
                 btype=None, merchant=None):
            group, detail = CIPFA[code]
            if capital:
                group = "supplies-and-services" if group != "premises" else group
            lines.append(dict(date=date, name=sup_name, sup=sup, purpose=purpose, code=code, group=group,
                              detail=detail, pence=amount_pence, fkey=fkey,
                              cr="Capital" if capital else "Revenue", card=card, contract=contract,
                              btype=btype or (sup["type"] if sup else None), merchant=merchant))

        weights = [s["weight"] for s in suppliers]
        n_random = self.spec["spend_rows"]
        for _ in range(n_random):
            s = rng.choices(suppliers, weights)[0]
            trade = TRADES[s["trade"]]
            codes = s.get("codes") or trade[1]
            code = rng.choice(codes)
            purpose = rng.choice(s.get("purposes") or trade[2])
            fkey = rng.choice(s["funcs"])
            pence = lognormal_pence(rng, trade[4], trade[5])
            capital = code == "5101" or rng.random() < trade[6] * 0.5
            if code == "5101":
                capital = True
            if rng.random() < 0.03:
                pence = -pence
                purpose = f"Credit note: {purpose.lower()}"
            line(rng.choice(runs), s["name"], s, purpose, code, pence, fkey, capital=capital)
        # redacted payments to individuals (~2%)
        red = [r for r in REDACTED_PURPOSES if r[0] in self.keys]
        for _ in range(int(round(n_random * 0.02))):
            fkey, purpose, code = rng.choice(red)
            line(rng.choice(runs), REDACTED, None, purpose, code, lognormal_pence(rng, 6.9, 0.6), fkey,
                 capital=(fkey == "HOU-DFG"), btype="Individual")
        # card transactions, some below £500
        for _ in range(24 + 6 * idx):
            m = rng.choice(GPC_MERCHANTS)
            fkey = rng.choice([k for k in ("CUS-CC", "HR-ADV", "PRK-GM", "EH-FS", "LEG-ELE", "ICT-SD") if k in self.keys])
            pence = lognormal_pence(rng, 4.3, 0.9, floor=5.0)
            pence = min(pence, 95000)
            line(rng.choice(runs), m[0], None, rng.choice(GPC_PURPOSES), "5041", pence, fkey, card="GPC",
                 btype="Card merchant", merchant=(m[1], m[2]))
        # the planted common suppliers
        self.common_names = {}
        for canon, (spellings, trade, funcs, purposes) in COMMON_SUPPLIERS.items():
            nm = spellings[idx]
            self.common_names[canon] = nm
            funcs = [k for k in funcs if k in self.keys]
            sup = dict(name=nm, trade=trade, type="Public limited company" if "plc" in nm.lower() else
                       ("Limited liability partnership" if "LLP" in nm else "Private limited company"),
                       id=f"{(idx + 1) * 100000 + 90000 + list(COMMON_SUPPLIERS).index(canon)}",
                       vat=str(random.Random(canon).randint(100000000, 999999999)),
                       reg=f"{random.Random(canon + 'reg').randint(1000000, 15999999):08d}")
            self.suppliers.append(sup)
            mu = {"it": 8.8, "print": 6.9, "agency": 7.8, "energy": 8.5, "legal": 7.9, "insurance": 9.3}[trade]
            for _ in range(COMMON_LINES[self.short]):
                line(rng.choice(runs), nm, sup, rng.choice(purposes), COMMON_CODES[trade],
                     lognormal_pence(rng, mu + 0.2 * idx, 0.6), rng.choice(funcs))
        # contracts with monthly payments
        months = [(2025 + (m > 12), (m - 1) % 12 + 1) for m in range(4, 16)]
        if self.short in CONTRACTS:
            cname, ref, funcs, (lo, hi), code, purpose = CONTRACTS[self.short]
            sup = dict(name=cname, trade="contract", type="Charity" if "Trust" in cname else "Private limited company",
                       id=f"{(idx + 1) * 100000 + 99001}", vat=f"{rng.randint(100000000, 999999999)}",
                       reg=f"{rng.randint(1000000, 15999999):08d}")
            self.suppliers.append(sup)
            for (y, mth) in months:
                d = _third_thursday(y, mth)
                total = rng.randint(lo, hi)
                split = [total] if len(funcs) == 1 else [total * 55 // 100, total - total * 55 // 100]
                for k, part in zip(funcs, split):
                    line(d, cname, sup, f"{purpose} ({FBYKEY[k]['label'].lower()})" if len(funcs) > 1 else purpose,
                         code, part, k, contract=ref)
        if self.short == "Anytown":
            self.kestrel = build_kestrel(random.Random(SEED + 99))
            sup = dict(name=KESTREL, trade="contract", type="Private limited company", id="199001",
                       vat="318452907", reg="09876543")
            self.suppliers.append(sup)
            for (y, mth) in months:
                d = _third_thursday(y, mth)
                for k in KESTREL_FUNCS:
                    pence = self.kestrel["monthly"][(y, mth, k)]
                    line(d, KESTREL, sup, f"Revenues and benefits contract: {FBYKEY[k]['label'].lower()}",
                         "5051", pence, k, contract=KESTREL_REF)
        lines.sort(key=lambda l: (l["date"], l["name"], l["pence"]))
        tn = {"Anytown": 4100000, "Brookshire": 7300000, "Castleford": 2200000}[self.short]
        for l in lines:
            tn += rng.randint(1, 40)
            l["tn"] = str(tn)
        self.spend = lines

    # ---------------------------------------------------------------- costs
    def build_costs(self):
        rng = self.rng
        spend = defaultdict(int)
        for l in self.spend:
            if l["cr"] == "Revenue":
                spend[(l["fkey"], l["group"])] += l["pence"]
        self.costs = []
        self.leaf_cost = {}
        order = ["employees", "premises", "transport", "supplies-and-services", "third-party-payments",
                 "transfer-payments", "support-services", "capital-financing"]
        abbrev = {"employees": "EMP", "premises": "PRM", "transport": "TRN", "supplies-and-services": "SUP",
                  "third-party-payments": "TPP", "transfer-payments": "TRF", "support-services": "SSR",
                  "capital-financing": "CAP"}
        descr = {"employees": "Staff pay, employer's national insurance and pension",
                 "premises": "Buildings, energy, cleaning and security",
                 "transport": "Vehicle hire, fuel and repairs",
                 "supplies-and-services": "Equipment, ICT, professional services, printing and postage",
                 "third-party-payments": "Payments to contractors, other authorities and voluntary organisations",
                 "transfer-payments": "Payments to individuals",
                 "support-services": "Recharge for central support services",
                 "capital-financing": "Depreciation and capital financing charges"}
        for key in self.leaves:
            f = FBYKEY[key]
            amounts = {}
            emp = self.employee_cost_pence(key)
            agency = spend.get((key, "employees"), 0)
            amounts["employees"] = emp + agency
            for g in order[1:6]:
                s = spend.get((key, g), 0)
                if s > 0:
                    # accruals, payments under £500 and year-end adjustments on top of the £500+ payments
                    amounts[g] = int(round(s * rng.uniform(1.02, 1.10)))
            if "supplies-and-services" not in amounts:
                amounts["supplies-and-services"] = int(round(rng.uniform(3000, 12000) * 100 * self.scale))
            if not f["backoffice"]:
                direct = sum(amounts.values())
                amounts["support-services"] = int(round(direct * rng.uniform(0.07, 0.12)))
            if key in ("WST-RES", "WST-REC", "LEI-SPT", "PRK-GM") and DELIVERY[self.short].get(key) != "outsourced":
                amounts["capital-financing"] = int(round(rng.uniform(40000, 160000) * 100 * self.scale))
            fid = self.fid[key]
            for g in order:
                if g not in amounts:
                    continue
                actual = amounts[g]
                budget = int(round(actual * rng.uniform(0.94, 1.06) / 10000)) * 10000
                self.costs.append(dict(fkey=key, group=g, id=f"{fid}-{abbrev[g]}", descr=descr[g],
                                       budget=budget, actual=actual,
                                       fte=self.leaf_fte_tenths[key] / 10 if g == "employees" else None,
                                       notes="Includes agency staff" if g == "employees" and agency else None))
            self.leaf_cost[key] = sum(amounts.values())

    # ---------------------------------------------------------------- functions
    def build_functions(self):
        rng = self.rng
        cost, fte = dict(self.leaf_cost), dict(self.leaf_fte_tenths)

        def total(key):
            if key in cost:
                return cost[key], fte[key]
            c = t = 0
            for ch in self.children[key]:
                a, b = total(ch)
                c, t = c + a, t + b
            cost[key], fte[key] = c, t
            return c, t
        for f in self.funcs:
            total(f["key"])
        self.func_cost, self.func_fte = cost, fte
        headcount = sum(p["fte"] for p in self.senior) + sum(j["fte"] for j in self.junior)
        self.functions = []
        for f in self.funcs:
            key = f["key"]
            vol = VOLUMES.get(key, 0)
            volume = unit_cost = None
            if key == "FIN-PAY":
                volume = int(round(headcount * 2.5 * 12))  # payslips: staff, casuals, members, pensioners, schools
            elif vol:
                volume = int(round(vol * self.scale * rng.uniform(0.9, 1.1)))
            if volume:
                unit_cost = round(cost[key] / 100 / volume, 2)
            self.functions.append(dict(
                key=key, id=self.fid[key], parent=self.fid[f["parent"]] if f["parent"] else None, level=f["level"],
                label=f["label"], descr=None, esd_code=str(f["esd_code"]),
                esd_uri=f"http://id.esd.org.uk/function/{f['esd_id']}",
                lgsl=f"http://id.esd.org.uk/service/{f['lgsl']}" if f["lgsl"] else None,
                cofog=f["cofog"], sercop=f["sercop"], statutory=f["statutory"], unit=f["unit"],
                backoffice=f["backoffice"], delivery=DELIVERY[self.short].get(key, "in-house"),
                fte=fte[key] / 10, cost=cost[key], volume=volume, unit_cost=unit_cost))
        self.unit_costs = {fn["key"]: fn["unit_cost"] for fn in self.functions}

    # ---------------------------------------------------------------- systems
    def build_systems(self):
        rng = self.rng
        rows = []
        for (cv, cp, fkey, base, hosting, purpose, per) in SYSTEMS_SHARED:
            if self.short in per and fkey in self.keys:
                v, p = per[self.short]
                rows.append(dict(canon=(cv, cp), vendor=v, product=p, fkey=fkey, hosting=hosting, purpose=purpose,
                                 cost=int(round(base * (0.6 + 0.4 * self.scale) * rng.uniform(0.85, 1.15))) * 100))
        for (v, p, fkey, base, hosting, purpose) in SYSTEMS_UNIQUE[self.short]:
            rows.append(dict(canon=None, vendor=v, product=p, fkey=fkey, hosting=hosting, purpose=purpose,
                             cost=int(round(base * rng.uniform(0.9, 1.1))) * 100))
        routes = ["G-Cloud 14", "G-Cloud 13", "CCS RM6259 Vertical Application Solutions", "Direct award",
                  "Open tender", "CCS RM6098 Technology Products and Associated Services 2"]
        for k, r in enumerate(rows):
            r["id"] = f"SYS-{k + 1:03d}"
            r["name"] = SYSTEM_NAMES.get(r["fkey"], r["purpose"].split(" (")[0])
            r["units"] = FBYKEY[r["fkey"]]["unit"] + ("; All services" if r["fkey"] in ("ICT-SD", "FIN-ACC") else "")
            r["year"] = rng.randint(2012, 2024)
            r["shared"] = "Yes" if r["fkey"] in ("ICT-SD", "ICT-INF", "FIN-ACC", "CUS-CC") else "No"
            r["ai"] = "Yes" if r["product"] in ("Salesforce Service Cloud", "Microsoft 365", "Liberty Converse") else "No"
            r["route"] = rng.choice(routes)
            r["contract"] = f"{self.spec['post_prefix']}-ICT-{r['year']}-{rng.randint(10, 99)}"
        self.systems = rows

    # ---------------------------------------------------------------- outcomes
    def build_outcomes(self):
        rng = self.rng
        rows = []
        for (iid, label, fkey, pillar, unit, pol, rng_vals, dec) in INDICATORS:
            if fkey not in self.keys:
                continue
            if iid == "OB-PAY-01":
                value = self.unit_costs["FIN-PAY"]
            else:
                lo, hi = rng_vals
                value = round(rng.uniform(lo, hi), dec)
                if dec == 0:
                    value = int(value)
            rows.append(dict(iid=iid, label=label, fkey=fkey, pillar=pillar, value=value, unit=unit, pol=pol,
                             exp=self.func_cost[fkey],
                             source=f"{self.uri}council/performance"))
        self.outcomes = rows

    # ---------------------------------------------------------------- sheets
    def sheets(self) -> list[Sheet]:
        s = self.spec
        about = Sheet("About", ["Field", "Value"], [
            ["Organisation name", self.name], ["Organisation URI", self.uri], ["Period", PERIOD],
            ["Population", s["population"]], ["Licence", LICENCE],
            ["Contact email", f"transparency@{s['domain']}"], ["Description", s["description"]]],
            formats={"Value": WHOLE}, widths={"Field": 20, "Value": 100})
        fh = ["OrganisationURI", "FunctionID", "ParentID", "Level", "Label", "Description", "ESDFunctionCode",
              "ESDFunctionURI", "LGSLServiceURI", "COFOGCode", "SeRCOPServiceDivision", "StatutoryBasis", "OwningUnit",
              "BackOffice", "DeliveryModel", "FTE", "AnnualCost", "AnnualVolume", "UnitCost"]
        frows = [[self.uri, f["id"], f["parent"], f["level"], f["label"], f["descr"], f["esd_code"], f["esd_uri"],
                  f["lgsl"], f["cofog"], f["sercop"], f["statutory"], f["unit"], f["backoffice"], f["delivery"],
                  f["fte"], pounds(f["cost"]), f["volume"], f["unit_cost"]] for f in self.functions]
        functions = Sheet("Functions", fh, frows, formats={"FTE": FTE_FMT, "AnnualCost": MONEY, "AnnualVolume": WHOLE,
                                                            "UnitCost": MONEY},
                          col_offset=1 if self.short == "Anytown" else 0, widths={"Label": 45, "OrganisationURI": 30})
        ch = ["OrganisationURI", "FiscalYear", "FunctionID", "SubjectiveGroup", "CostLineID", "Description", "Budget",
              "Actual", "FTE", "Notes"]
        crows = [[self.uri, FISCAL_YEAR, self.fid[c["fkey"]], c["group"], c["id"], c["descr"], pounds(c["budget"]),
                  pounds(c["actual"]), c["fte"], c["notes"]] for c in self.costs]
        costs = Sheet("Costs", ch, crows, formats={"Budget": MONEY, "Actual": MONEY, "FTE": FTE_FMT},
                      title=f"{self.name}: cost of functions by subjective group, {FISCAL_YEAR}" if self.short == "Anytown" else None,
                      widths={"Description": 50})
        sh = ["Post Unique Reference", "Name", "Grade (or equivalent)", "Job Title", "Job/Team Function",
              "Parent Department", "Organisation", "Unit", "Contact Phone", "Contact E-mail", "Reports to Senior Post",
              "Salary Cost of Reports (£)", "FTE", "Actual Pay Floor (£)", "Actual Pay Ceiling (£)",
              "Professional/Occupational Group", "Notes", "OrganisationURI", "SnapshotDate", "FunctionID"]
        srows = [[p["ref"], p["name"], p["grade"], p["title"], p["jobfn"], self.name, self.name, p["unit"], p["phone"],
                  p["email"], p["reports"], p["cost_reports"], p["fte"], p["floor"], p["ceiling"], p["prof"],
                  p.get("notes"), self.uri, SNAPSHOT, self.fid[p["fkey"]]] for p in self.senior]
        senior = Sheet("Roles (senior)", sh, srows, formats={"Salary Cost of Reports (£)": WHOLE, "FTE": FTE_FMT,
                                                             "Actual Pay Floor (£)": WHOLE, "Actual Pay Ceiling (£)": WHOLE,
                                                             "SnapshotDate": DATE})
        jh = ["Parent Department", "Organisation", "Unit", "Reporting Senior Post", "Grade", "Payscale Minimum (£)",
              "Payscale Maximum (£)", "Generic Job Title", "Number of Posts in FTE", "Professional/Occupational Group",
              "OrganisationURI", "SnapshotDate", "FunctionID"]
        jrows = [[self.name, self.name, j["unit"], j["reports"], j["grade"], j["lo"], j["hi"], j["title"], j["fte"],
                  j["prof"], self.uri, SNAPSHOT, self.fid[j["fkey"]]] for j in self.junior]
        junior = Sheet("Roles (junior)", jh, jrows, formats={"Payscale Minimum (£)": WHOLE, "Payscale Maximum (£)": WHOLE,
                                                             "Number of Posts in FTE": FTE_FMT, "SnapshotDate": DATE})
        yh = ["OrganisationURI", "SystemID", "SystemName", "Product", "Vendor", "Purpose", "FunctionID", "UsedByUnits",
              "Hosting", "YearAdopted", "SharedAcrossUnits", "AIEnabled", "ProcurementRoute", "ContractReference",
              "AnnualCost"]
        yrows = [[self.uri, r["id"], r["name"], r["product"], r["vendor"], r["purpose"], self.fid[r["fkey"]], r["units"],
                  r["hosting"], r["year"], r["shared"], r["ai"], r["route"], r["contract"], pounds(r["cost"])]
                 for r in self.systems]
        systems = Sheet("Systems", yh, yrows, formats={"AnnualCost": MONEY, "YearAdopted": "0"})
        sph = SPEND_HEADER
        sprows = [self.spend_row(l) for l in self.spend]
        spend = Sheet("Spend", sph, sprows, formats={"PaymentDate": DATE, "Amount": MONEY, "IrrecoverableVATAmount": MONEY},
                      title=(f"{self.name}: payments over £500 and card transactions, April 2025 to March 2026"
                             if self.short == "Castleford" else None),
                      widths={"Purpose": 45, "BeneficiaryName": 36})
        oh = ["OrganisationURI", "FunctionID", "FiscalYear", "IndicatorID", "IndicatorLabel", "Pillar", "Value", "Unit",
              "Polarity", "Expenditure", "Source"]
        orows = [[self.uri, self.fid[o["fkey"]], FISCAL_YEAR, o["iid"], o["label"], o["pillar"], o["value"], o["unit"],
                  o["pol"], pounds(o["exp"]), o["source"]] for o in self.outcomes]
        outcomes = Sheet("Outcomes", oh, orows, formats={"Expenditure": MONEY}, widths={"IndicatorLabel": 50})
        return [about, functions, costs, senior, junior, systems, spend, outcomes]

    def spend_row(self, l) -> list:
        sup = l["sup"] or {}
        f = FBYKEY[l["fkey"]]
        return [self.uri, self.name, l["date"], l["tn"], f["unit"], f["sercop"], l["name"], sup.get("id"),
                l["btype"], sup.get("reg"), sup.get("vat"), l["purpose"], CIPFA_LABELS[l["group"]], l["code"], l["detail"],
                l["merchant"][0] if l["merchant"] else None, l["merchant"][1] if l["merchant"] else None,
                pounds(l["pence"]), None, l["cr"], l["card"], l["contract"], self.fid[l["fkey"]], "GBP"]


# CIPFA's words for each subjective group, from the standard's code list
with open(Path(__file__).resolve().parent.parent / "schemas" / "codelists" / "cipfa-expense-groups.csv",
          encoding="utf-8") as _f:
    CIPFA_LABELS = {r["code"]: r["label"] for r in csv.DictReader(_f)}

SPEND_HEADER = ["OrganisationURI", "OrganisationLabel", "PaymentDate", "TransactionNumber", "OrganisationalUnit",
                "ServiceCategoryLabel", "BeneficiaryName", "BeneficiaryID", "BeneficiaryType",
                "BeneficiaryRegistrationNumber", "VATRegistrationNumber", "Purpose", "ExpenditureCategory",
                "CIPFAExpenditureCode", "CIPFADetailedExpenditureType", "MerchantCategory", "MerchantCategoryCode",
                "Amount", "IrrecoverableVATAmount", "CapitalOrRevenue", "CardTransaction", "ContractReference",
                "FunctionID", "Currency"]


def _third_thursday(y: int, m: int) -> dt.date:
    d = dt.date(y, m, 1)
    d += dt.timedelta(days=(3 - d.weekday()) % 7)
    return d + dt.timedelta(days=14)


# ============================================================================ the supplier's submission

LABOUR = [("Service Manager", 0.25, 410), ("Team Leader", 1.0, 265), ("Revenues Officer", 4.0, 175),
          ("Recovery Officer", 2.0, 180), ("Benefits Assessor", 5.0, 185), ("Systems Analyst", 0.5, 320)]
KESTREL_LABOUR = {"REV-CT-BIL": ["Team Leader", "Revenues Officer"],
                  "REV-CT-REC": ["Recovery Officer"],
                  "REV-NNDR": ["Revenues Officer"],
                  "REV-HB": ["Service Manager", "Benefits Assessor", "Systems Analyst"]}
QUARTERS = [(dt.date(2025, 4, 1), dt.date(2025, 6, 30)), (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
            (dt.date(2025, 10, 1), dt.date(2025, 12, 31)), (dt.date(2026, 1, 1), dt.date(2026, 3, 31))]


def build_kestrel(rng: random.Random) -> dict:
    """Cost lines per quarter and function; the monthly invoices to Anytown are derived from them, so the
    supplier's quarterly costs (profit included) equal Anytown's payments to Kestrel in that quarter."""
    lab = {r: (fte, rate) for r, fte, rate in LABOUR}
    lines = []
    monthly = {}
    for qi, (start, end) in enumerate(QUARTERS):
        days = 62 if qi != 3 else 61
        for k in KESTREL_FUNCS:
            q_lines = []
            for role in KESTREL_LABOUR[k]:
                fte, rate = lab[role]
                fte = round(fte * {"REV-HB": 1.6, "REV-CT-BIL": 1.2}.get(k, 0.8) * rng.uniform(0.9, 1.1), 2)
                qty = round(fte * days, 1)
                cost = int(round(qty * rate * 100))
                q_lines.append(dict(element="labour", role=role, fte=fte, qty=qty, rate=float(rate), unit=float(rate),
                                    cost=cost, allowable=True, driver="Working days", tier=2,
                                    deliverable=FBYKEY[k]["label"]))
            labour = sum(l["cost"] for l in q_lines)
            if k in ("REV-CT-BIL", "REV-HB"):
                hw = int(round(labour * rng.uniform(0.05, 0.08)))
                q_lines.append(dict(element="hardware-software", role=None, fte=None, qty=None, rate=None, unit=None,
                                    cost=hw, allowable=True, driver="Licences and devices", tier=2,
                                    deliverable=FBYKEY[k]["label"]))
            if k in ("REV-CT-BIL", "REV-NNDR"):
                bi = int(round(labour * rng.uniform(0.04, 0.07)))
                q_lines.append(dict(element="bought-in-services", role=None, fte=None, qty=None, rate=None, unit=None,
                                    cost=bi, allowable=True, driver="Print and post of bills", tier=2,
                                    deliverable=FBYKEY[k]["label"]))
            oh = int(round(labour * 0.14))
            q_lines.append(dict(element="overheads", role=None, fte=None, qty=None, rate=None, unit=None, cost=oh,
                                allowable=True, driver="14% of labour cost", tier=2, deliverable=FBYKEY[k]["label"]))
            base = sum(l["cost"] for l in q_lines)
            profit = int(round(base * 0.075))
            q_lines.append(dict(element="profit", role=None, fte=None, qty=None, rate=None, unit=None, cost=profit,
                                allowable=True, driver="7.5% margin on cost", tier=2, deliverable=FBYKEY[k]["label"]))
            total = base + profit
            m1 = total // 3
            m2 = total // 3
            m3 = total - m1 - m2
            for (mth, part) in zip([start.month, start.month + 1, start.month + 2], [m1, m2, m3]):
                monthly[(start.year, mth, k)] = part
            for n, l in enumerate(q_lines, 1):
                l.update(start=start, end=end, fkey=k, line=f"Q{qi + 1}-{KESTREL_FUNCS.index(k) + 1}{n:02d}")
            lines.extend(q_lines)
    return dict(lines=lines, monthly=monthly)


def supplier_sheets(anytown: Council) -> list[Sheet]:
    k = anytown.kestrel
    about = Sheet("About", ["Field", "Value"], [
        ["Organisation name", KESTREL], ["Organisation URI", "https://kestrel-managed-services.example.com/"],
        ["Contracting authority", anytown.name], ["Contracting authority URI", anytown.uri],
        ["Contract reference", KESTREL_REF], ["Period", PERIOD], ["Licence", LICENCE],
        ["Contact email", "openbook@kestrel-managed-services.example.com"],
        ["Description", "Open-book cost lines of Kestrel Managed Services Ltd for the Anytown Borough Council "
                        "revenues and benefits contract, 2025-26, by quarter and function. Each quarter's cost "
                        "lines (profit included) add up to what Anytown paid Kestrel in that quarter."]],
        widths={"Field": 28, "Value": 100})
    h = ["OrganisationURI", "ContractReference", "SupplierName", "SupplierID", "PeriodStart", "PeriodEnd", "LineID",
         "Deliverable", "CostElement", "GradeRole", "FTE", "Quantity", "Rate", "UnitCost", "Cost", "Charge",
         "Allowable", "CostDriver", "OBCMTier", "FunctionID"]
    rows = [[anytown.uri, KESTREL_REF, KESTREL, "09876543", l["start"], l["end"], l["line"], l["deliverable"],
             l["element"], l["role"], l["fte"], l["qty"], l["rate"], l["unit"], pounds(l["cost"]), None,
             "Yes" if l["allowable"] else "No", l["driver"], l["tier"], anytown.fid[l["fkey"]]] for l in k["lines"]]
    costs = Sheet("Supplier costs", h, rows, formats={"PeriodStart": DATE, "PeriodEnd": DATE, "FTE": FTE_FMT,
                                                      "Quantity": "#,##0.0", "Rate": MONEY, "UnitCost": MONEY,
                                                      "Cost": MONEY, "Charge": MONEY}, widths={"Deliverable": 45})
    council_sheets = anytown.sheets()
    fsheet = council_sheets[1]
    keep = {"REV"} | set(KESTREL_FUNCS) | {"REV-CT"}
    frows = [list(r) for r, f in zip(fsheet.rows, anytown.functions) if f["key"] in keep]
    for r in frows:   # the excerpt's top function has no parent within it
        if r[fsheet.header.index("FunctionID")] == anytown.fid["REV"]:
            r[fsheet.header.index("ParentID")] = None
    functions = Sheet("Functions", fsheet.header, frows, formats=fsheet.formats)
    return [about, costs, functions]


# ============================================================================ the with-errors copy


@dataclass
class Planted:
    sheet: str
    cell: str
    row: int
    field: str
    code: str
    kind: str        # "schema" or "quality"
    what: str


def plant_errors(anytown: Council) -> tuple[list[Sheet], list[Planted]]:
    sheets = anytown.sheets()
    by = {s.name: s for s in sheets}
    fn, co, se, ju, sp = by["Functions"], by["Costs"], by["Roles (senior)"], by["Roles (junior)"], by["Spend"]
    col = lambda s, name: s.header.index(name)
    todo = []   # (sheet, row object, field, code, kind, what)

    def set_(s, row, name, value, code, kind, what):
        row[col(s, name)] = value
        todo.append((s, row, name, code, kind, what))

    # spend rows to spoil: ordinary company payments, spread through the year
    ordinary = [r for r in sp.rows if r[col(sp, "CardTransaction")] == "No" and r[col(sp, "BeneficiaryType")]
                in ("Private limited company",) and r[col(sp, "Amount")] > 900 and not r[col(sp, "ContractReference")]]
    pick = iter(ordinary[40::60])
    set_(sp, next(pick), "PaymentDate", "31/02/2025", "type-error", "schema", "Not a real date (31 February), typed as text")
    set_(sp, next(pick), "Amount", "twelve hundred", "type-error", "schema", "Amount written in words, not a number")
    set_(sp, next(pick), "BeneficiaryName", None, "constraint-error", "schema", "Required BeneficiaryName left blank")
    set_(sp, next(pick), "CapitalOrRevenue", "Capitol", "constraint-error", "schema",
         "CapitalOrRevenue is not one of C, R, Capital, Revenue (misspelt)")
    set_(sp, next(pick), "FunctionID", "F-FIN-XX", "foreign-key", "schema", "FunctionID F-FIN-XX is not in the Functions sheet")
    r = next(pick)
    set_(sp, r, "BeneficiaryName", "Mr John Smith", "named-individual", "quality",
         "Payment to a private individual, named instead of redacted")
    for name in ("BeneficiaryID", "BeneficiaryRegistrationNumber", "VATRegistrationNumber"):
        r[col(sp, name)] = None
    r[col(sp, "BeneficiaryType")] = "Individual"
    set_(sp, next(pick), "Purpose", "Refund of overpayment, contact j.bloggs@example.com", "email-address", "quality",
         "An email address in free text")
    set_(sp, next(pick), "Purpose", "Relocation expenses claim AB123456C", "ni-number", "quality",
         "A National Insurance number in free text")
    set_(sp, next(pick), "Purpose", "Emergency call-out, site contact 07700 900123", "phone-number", "quality",
         "A UK phone number in free text")
    set_(sp, next(pick), "Purpose", "Paid to sort code 12-34-56 account 12345678", "bank-details", "quality",
         "Bank sort code and account number in free text")
    set_(sp, next(pick), "BeneficiaryName", '=HYPERLINK("http://example.com/invoice","View invoice")',
         "formula-injection", "quality", "Supplier name starting with = (a formula when the file is opened)")
    set_(sp, next(pick), "Amount", 245.0, "below-threshold", "quality",
         "A £245.00 payment that is not a card transaction (below the £500 threshold)")
    set_(sp, next(pick), "PaymentDate", dt.date(2027, 1, 14), "date-outside-period", "quality",
         "Payment date in 2027, outside the 2025-26 period")
    r = next(pick)
    set_(sp, r, "IrrecoverableVATAmount", round(r[col(sp, "Amount")] + 150.0, 2), "vat-exceeds-amount", "quality",
         "Irrecoverable VAT larger than the (net) amount")
    # an identical duplicate line, straight after its original
    orig = next(pick)
    dup = list(orig)
    sp.rows.insert(next(k for k, x in enumerate(sp.rows) if x is orig) + 1, dup)
    todo.append((sp, dup, "TransactionNumber", "duplicate-line", "quality", "The line above, entered twice (identical row)"))

    # functions: a pattern error and a duplicated primary key
    ehs = next(r for r in fn.rows if r[col(fn, "FunctionID")] == anytown.fid["EH-FS"])
    set_(fn, ehs, "COFOGCode", "7.1", "constraint-error", "schema", "COFOGCode 7.1 does not match NN.N (should be 07.4)")
    original = next(r for r in fn.rows if r[col(fn, "FunctionID")] == anytown.fid["PLN-BC"])
    extra = list(original)
    extra[col(fn, "Label")] = "Building control (entered twice)"
    fn.rows.append(extra)
    todo.append((fn, extra, "FunctionID", "primary-key", "schema", "FunctionID F-PLN-BC appears twice (duplicate primary key)"))

    # costs: a duplicated CostLineID (primary key OrganisationURI + FiscalYear + CostLineID)
    emp = next(k for k, r in enumerate(co.rows) if r[col(co, "FunctionID")] == anytown.fid["WST-RES"]
               and r[col(co, "SubjectiveGroup")] == "premises")
    prev = co.rows[emp - 1]
    set_(co, co.rows[emp], "CostLineID", prev[col(co, "CostLineID")], "primary-key", "schema",
         f"CostLineID {prev[col(co, 'CostLineID')]} used twice (duplicate primary key)")

    # senior roles
    rows = {r[0]: r for r in se.rows}
    set_(se, rows[anytown.post("14")], "Reports to Senior Post", anytown.post("99"), "reports-to-missing", "quality",
         f"Reports to {anytown.post('99')}, a post that does not exist")
    set_(se, rows[anytown.post("16")], "Reports to Senior Post", "XX", "top-post-count", "quality",
         "A second top post (reports to XX): the organogram has two roots")
    r = rows[anytown.post("10")]
    set_(se, r, "Actual Pay Floor (£)", 87342, "exact-senior-salary", "quality",
         "An exact salary (87,342) instead of a £5,000 band")
    r[col(se, "Actual Pay Ceiling (£)")] = 87342
    # junior roles
    jr = ju.rows[len(ju.rows) // 2]
    set_(ju, jr, "Payscale Maximum (£)", jr[col(ju, "Payscale Minimum (£)")] - 1500, "payscale-order", "quality",
         "Payscale maximum below the minimum")

    planted = [Planted(s.name, s.cell(row, name), s.row_number(row), name, code, kind, what)
               for (s, row, name, code, kind, what) in todo]
    planted.sort(key=lambda p: (SHEETS.index(p.sheet), p.row))
    return sheets, planted


# ============================================================================ the CSV ledger export

CSV_COLUMNS = [  # header as the ledger writes it, spend field
    ("OrganisationURI", "OrganisationURI"), ("OrganisationLabel", "OrganisationLabel"),
    ("Service Area", "OrganisationalUnit"), ("Payment Date", "PaymentDate"), ("Transaction No", "TransactionNumber"),
    ("Supplier Name", "BeneficiaryName"), ("Supplier ID", "BeneficiaryID"), ("VAT Number", "VATRegistrationNumber"),
    ("Expense Type", "Purpose"), ("CIPFA Code", "CIPFAExpenditureCode"),
    ("Detailed Expenditure Type", "CIPFADetailedExpenditureType"), ("Amount", "Amount"), ("Cap/Rev", "CapitalOrRevenue"),
    ("Purchase Card", "CardTransaction"), ("Contract Ref", "ContractReference"), ("Function", "FunctionID"),
    ("Currency Code", "Currency")]


def money_text(v: float) -> str:
    s = f"£{abs(v):,.2f}"
    return "-" + s if v < 0 else s


def write_ledger_csv(anytown: Council, path: Path) -> int:
    sheet = anytown.sheets()[6]
    idx = {h: i for i, h in enumerate(sheet.header)}
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([h for h, _ in CSV_COLUMNS])
    n = 0
    for r in sheet.rows:
        d = r[idx["PaymentDate"]]
        if not (d.year == 2025 and d.month == 4):
            continue
        row = []
        for _, f in CSV_COLUMNS:
            v = r[idx[f]]
            if f == "PaymentDate":
                v = v.strftime("%d/%m/%Y")
            elif f == "Amount":
                v = money_text(v)
            elif f == "CapitalOrRevenue":
                v = v[0]   # C / R, as ledgers abbreviate
            row.append("" if v is None else v)
        w.writerow(row)
        n += 1
    path.write_bytes(out.getvalue().encode("cp1252"))
    return n


# ============================================================================ overlaps and README


def overlaps(councils: list[Council]) -> dict:
    names = {c.short: c.name for c in councils}
    # shared functions: by LGSL service URI where there is one, else ESD function URI + label
    shared_funcs = []
    for f in FUNCS:
        present = [c for c in councils if f["key"] in c.keys]
        if len(present) < 2:
            continue
        entry = {"key": f["key"], "label": f["label"], "level": f["level"],
                 "lgsl": f"http://id.esd.org.uk/service/{f['lgsl']}" if f["lgsl"] else None,
                 "esd": f"http://id.esd.org.uk/function/{f['esd_id']}", "cofog": f["cofog"], "councils": {}}
        for c in present:
            fn = next(x for x in c.functions if x["key"] == f["key"])
            entry["councils"][c.name] = {"FunctionID": fn["id"], "FTE": fn["fte"], "AnnualCost": pounds(fn["cost"])}
        shared_funcs.append(entry)
    systems = []
    for (cv, cp, fkey, *_rest, per) in SYSTEMS_SHARED:
        entry = {"vendor": cv, "product": cp, "normalised": normalise(cv) + " / " + normalise(cp), "councils": {}}
        for c in councils:
            for r in c.systems:
                if r["canon"] == (cv, cp):
                    entry["councils"][c.name] = {"Vendor": r["vendor"], "Product": r["product"],
                                                 "FunctionID": c.fid[r["fkey"]], "AnnualCost": pounds(r["cost"])}
        if len(entry["councils"]) >= 2:
            systems.append(entry)
    suppliers = []
    for canon in COMMON_SUPPLIERS:
        entry = {"supplier": canon, "normalised": normalise(canon), "councils": {}}
        for c in councils:
            nm = c.common_names[canon]
            lines = [l for l in c.spend if l["name"] == nm]
            entry["councils"][c.name] = {"BeneficiaryName": nm, "lines": len(lines),
                                         "total": pounds(sum(l["pence"] for l in lines))}
        suppliers.append(entry)
    indicators = []
    for (iid, label, fkey, pillar, unit, pol, *_r) in INDICATORS:
        entry = {"IndicatorID": iid, "label": label, "pillar": pillar, "unit": unit, "polarity": pol, "councils": {}}
        for c in councils:
            for o in c.outcomes:
                if o["iid"] == iid:
                    entry["councils"][c.name] = {"FunctionID": c.fid[fkey], "Value": o["value"]}
        if len(entry["councils"]) >= 2:
            indicators.append(entry)
    return {"councils": names, "functions": shared_funcs, "systems": systems, "suppliers": suppliers,
            "indicators": indicators}


SUFFIX_RE = re.compile(r"\b(ltd|limited|plc|llp|uk|corporation|international|technology|software|business|auto id)\b")


def normalise(name: str) -> str:
    """A reference normaliser: what a vendor/supplier matcher has to achieve on these examples."""
    s = name.lower().replace("&", " and ").replace(".com", "")
    s = re.sub(r"[^a-z0-9 ]", " ", s)
    s = SUFFIX_RE.sub(" ", s)
    return " ".join(s.split())


def fmt_money(v) -> str:
    return "" if v is None else f"£{v:,.2f}"


def readme(councils: list[Council], ov: dict, planted: list[Planted], counts: dict, csv_rows: int,
           kestrel_lines: int) -> str:
    names = [c.name for c in councils]
    L = []
    a = L.append
    a("# Example open-book submissions")
    a("")
    a("Realistic, entirely fictional submissions under the open-book standard (`schemas/`), for trying openbook, "
      "for the tests (`tests/test_examples.py`) and for demos. **Do not edit the files by hand**: they are written by "
      "`examples/generate.py` (seeded, deterministic) and this README, `expected-overlaps.json` and "
      "`expected-errors.json` are written by the same run, so every figure below is computed from the data.")
    a("")
    a("```")
    a(".venv/bin/python examples/generate.py          # rewrites everything in examples/")
    a(".venv/bin/python cli.py validate examples/anytown-borough-council.xlsx")
    a(".venv/bin/python cli.py validate examples/anytown-with-errors.xlsx")
    a("```")
    a("")
    a("## Files")
    a("")
    a("| File | What it is | Rows |")
    a("|---|---|---|")
    for c in councils:
        n = counts[c.name]
        a(f"| `{c.spec['slug']}.xlsx` | {c.name} (population {c.spec['population']:,}, {c.uri}), period {PERIOD}: "
          f"sheets {', '.join(SHEETS)} | " + ", ".join(f"{k} {v:,}" for k, v in n.items()) + " |")
    a(f"| `kestrel-managed-services-supplier-costs.xlsx` | Supplier open-book submission of {KESTREL} for its "
      f"Anytown revenues and benefits contract `{KESTREL_REF}`: sheets About, Supplier costs, Functions (the Anytown "
      f"functions it delivers) | Supplier costs {kestrel_lines} |")
    a(f"| `anytown-with-errors.xlsx` | The Anytown workbook with {len(planted)} planted problems, each at a known "
      "cell (table below) | as Anytown, plus 2 rows |")
    a(f"| `anytown-spend-2025-04.csv` | One month (April 2025) of Anytown's spend as a finance system exports it: "
      "cp1252, `£1,234.56` amounts, dd/mm/yyyy dates, CRLF line ends, real-world header names (all of them "
      f"`x-aliases` in `schemas/spend.json`) | {csv_rows:,} |")
    a("| `expected-overlaps.json` | The planted overlaps below, as data, for tests | |")
    a("| `expected-errors.json` | The planted problems below, as data, for tests | |")
    a("")
    a("### How the council workbooks are laid out")
    a("")
    a("- **About**: two columns `Field`, `Value`: Organisation name, Organisation URI, Period, Population, "
      "Licence, Contact email (a team mailbox), Description. The packager reads it; the validator skips it.")
    a("- Every other sheet has the schema field names as its header row, real dates (`dd/mm/yyyy`) and real "
      "numbers (`#,##0.00` for money). To exercise the readers' coordinates: Anytown's **Functions** sheet starts "
      "in column B (column A is blank), Anytown's **Costs** and Castleford's **Spend** have a title in A1, a blank "
      "row and the header in row 3.")
    a("- `FunctionID`s differ between councils (Anytown and Brookshire use `F-FIN-AP`, Castleford `CC-FIN-02`); "
      "the same service always carries the same LGSL/ESD/COFOG codes, which is what comparison matches on.")
    a("- **Roles (senior)** and **Roles (junior)** carry a `FunctionID` column: the function the post works in "
      "(an open-book extension of the organogram format).")
    a("- Senior posts with no junior staff reporting to them have `Salary Cost of Reports (£)` 0.")
    a("- **Spend** `ExpenditureCategory` holds CIPFA's label for the subjective group (`Supplies and services`), "
      "as ledgers print it; **Costs** `SubjectiveGroup` holds the code-list code (`supplies-and-services`).")
    a("- LGSL service ids 59, 69, 137 and 1520 are from the esd list; the other LGSL ids (1001-1027) are "
      "illustrative placeholders. ESD function ids and COFOG codes are real.")
    a("")
    a("### Invariants (checked by `tests/test_examples.py`)")
    a("")
    a("- Every `FunctionID` in Costs, Spend, Systems, Outcomes and both Roles sheets exists in Functions; every "
      "`ParentID` exists; every junior `Reporting Senior Post` and every senior `Reports to Senior Post` (except the "
      "one top post, `XX`) is a senior post.")
    a("- **Costs** has lines only for leaf functions (functions with no children). For each leaf function, the sum "
      "of `Actual` over its cost lines equals its `Functions.AnnualCost` to the penny; the `employees` line carries "
      "the function's `FTE`. A parent function's `AnnualCost` and `FTE` are the sums over its children.")
    a("- A leaf function's `FTE` is the FTE of the senior and junior posts whose `FunctionID` is that function; "
      "its `employees` cost is their pay (band floor + £2,500 for senior posts, payscale midpoint for junior "
      "posts) plus 30% on-costs, plus agency staff paid through Spend.")
    a("- The non-staff cost lines are the function's revenue Spend in that subjective group plus 2-10% (payments "
      "under £500 and accruals); front-line functions also carry a support-services recharge. Capital spend is "
      "not in Costs.")
    a("- Spend: payments of £500 or more, about 3% credit notes (negative), about 2% payments to individuals "
      "with the beneficiary redacted, and a few card (GPC) transactions, some under £500.")
    a(f"- Kestrel's quarterly cost lines (profit included) add up, per function and quarter, to what Anytown paid "
      f"Kestrel under `{KESTREL_REF}` in that quarter (Spend lines with that ContractReference).")
    a("- `Cost per payslip (£)` in Outcomes equals the payroll function's `UnitCost` (AnnualCost / AnnualVolume).")
    a("")
    a("## Planted errors in `anytown-with-errors.xlsx`")
    a("")
    a("Everything else in the file is valid. Codes: schema problems are reported by the validation engine; "
      "the others by the quality checks (`openbook/checks`). Cells are as Excel shows them.")
    a("")
    a("| Sheet!Cell | What is wrong | Problem code |")
    a("|---|---|---|")
    for p in planted:
        a(f"| {p.sheet}!{p.cell} | {p.what} | `{p.code}` |")
    a("")
    a("## Planted overlaps")
    a("")
    a("What a cross-organisation comparison should find. All figures are computed by `generate.py` from the "
      "generated data (also in `expected-overlaps.json`).")
    a("")
    a("### Shared functions")
    a("")
    a("Matched on the LGSL service URI where the function has one, else on the ESD function URI and COFOG code. "
      "FTE and annual cost per council.")
    a("")
    a("| Function | LGSL / ESD | COFOG | " + " | ".join(names) + " |")
    a("|---|---|---|" + "---|" * len(names))
    for e in ov["functions"]:
        cells = []
        for n in names:
            x = e["councils"].get(n)
            cells.append(f"`{x['FunctionID']}`: {x['FTE']:g} FTE, {fmt_money(x['AnnualCost'])}" if x else "not provided")
        code = e["lgsl"] or e["esd"]
        a(f"| {e['label']} ({e['level']}) | {code.replace('http://id.esd.org.uk/', '')} | {e['cofog']} | " + " | ".join(cells) + " |")
    a("")
    a("### Duplicated systems")
    a("")
    a("The same product from the same vendor, spelt differently; a normaliser must merge each row (the "
      "`normalised` key is what `generate.normalise` produces). Annual cost per council.")
    a("")
    a("| Vendor / product (normalised) | " + " | ".join(names) + " |")
    a("|---|" + "---|" * len(names))
    for e in ov["systems"]:
        cells = []
        for n in names:
            x = e["councils"].get(n)
            cells.append(f"{x['Vendor']} / {x['Product']}: {fmt_money(x['AnnualCost'])}" if x else "")
        a(f"| {e['vendor']} / {e['product']} (`{e['normalised']}`) | " + " | ".join(cells) + " |")
    a("")
    a("### Common suppliers")
    a("")
    a("Suppliers paid by all three councils (no other supplier is shared). Total spend per council, "
      "exact to the penny, credit notes included; number of lines in brackets.")
    a("")
    a("| Supplier (normalised) | " + " | ".join(names) + " |")
    a("|---|" + "---|" * len(names))
    for e in ov["suppliers"]:
        cells = [f"{e['councils'][n]['BeneficiaryName']}: {fmt_money(e['councils'][n]['total'])} "
                 f"({e['councils'][n]['lines']})" for n in names]
        a(f"| {e['supplier']} (`{e['normalised']}`) | " + " | ".join(cells) + " |")
    a("")
    a("### Shared outcome indicators")
    a("")
    a("Same `IndicatorID` in each council's Outcomes sheet, linked to the same service.")
    a("")
    a("| IndicatorID | Indicator | Polarity | Pillar | " + " | ".join(names) + " |")
    a("|---|---|---|---|" + "---|" * len(names))
    for e in ov["indicators"]:
        cells = [f"{e['councils'][n]['Value']:g}" if n in e["councils"] else "" for n in names]
        a(f"| {e['IndicatorID']} | {e['label']} | {e['polarity']} | {e['pillar']} | " + " | ".join(cells) + " |")
    a("")
    return "\n".join(L)


# ============================================================================ main


def generate(out_dir: str | Path) -> dict:
    """Write every example into out_dir. Returns a summary (row counts, planted errors, overlaps)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    councils = [Council(spec) for spec in COUNCILS]
    counts = {}
    for c in councils:
        c.build()
        sheets = c.sheets()
        write_workbook(out / f"{c.spec['slug']}.xlsx", sheets, f"{c.name}: open-book data {PERIOD}")
        counts[c.name] = {s.name: len(s.rows) for s in sheets if s.name != "About"}
    anytown = councils[0]
    sup = supplier_sheets(anytown)
    write_workbook(out / "kestrel-managed-services-supplier-costs.xlsx", sup,
                   f"{KESTREL}: open-book costs {KESTREL_REF} {PERIOD}")
    err_sheets, planted = plant_errors(anytown)
    write_workbook(out / "anytown-with-errors.xlsx", err_sheets, f"{anytown.name}: open-book data {PERIOD} (with errors)")
    csv_rows = write_ledger_csv(anytown, out / "anytown-spend-2025-04.csv")
    ov = overlaps(councils)
    (out / "expected-overlaps.json").write_text(json.dumps(ov, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "expected-errors.json").write_text(json.dumps(
        {"file": "anytown-with-errors.xlsx", "problems": [p.__dict__ for p in planted]}, indent=2, ensure_ascii=False)
        + "\n", encoding="utf-8")
    (out / "README.md").write_text(readme(councils, ov, planted, counts, csv_rows, len(sup[1].rows)) + "\n",
                                   encoding="utf-8")
    return {"counts": counts, "planted": planted, "overlaps": ov, "csv_rows": csv_rows,
            "supplier_lines": len(sup[1].rows)}


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    summary = generate(out)
    for name, n in summary["counts"].items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in n.items()))
    print(f"Supplier costs: {summary['supplier_lines']} lines; ledger CSV: {summary['csv_rows']} rows; "
          f"planted problems: {len(summary['planted'])}")
    print(f"Written to {out}")


if __name__ == "__main__":
    main(sys.argv)
