"""Data protection checks: personal data that must not be published.

All are errors: a file that fails them must be fixed before it is published
(``package`` refuses on them, see ``openbook.check.registry.data_protection_codes``).
"""
from __future__ import annotations

import re

import polars as pl

from openbook.standard.markers import REDACTION_PATTERN
from openbook.check.registry import register
from openbook.check.people import evidence, has_forename
from openbook.check.text import candidates, distinct, free_text, in_fields, is_email_field, short, TYPED
from openbook.regex import for_polars

DP = "data protection"

# --- email addresses --------------------------------------------------------

EMAIL = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"


@register("email-address", "error", DP,
          "An email address in a column that is not an email column (an email column is one whose name "
          "contains \"mail\", such as Contact E-mail). Email addresses identify people.",
          fix="Delete the address from the cell. If a contact is needed, put a team mailbox in the "
              "Contact E-mail column of the senior roles sheet.")
def email_address(frame: pl.DataFrame, info):
    allowed = [n for n, spec in info.fields.items()
               if spec.get("type", "string") not in TYPED and spec.get("format") != "uri"
               and not is_email_field(n, spec)]
    found = candidates(frame, info).filter(in_fields(allowed) & pl.col("value").str.contains(EMAIL))
    return found.with_columns(pl.format(
        'contains the email address "{}". Email addresses are personal data and must not be published '
        'here: delete it (a team mailbox belongs in Contact E-mail).',
        pl.col("value").str.extract(f"({EMAIL})")).alias("message"))


# --- National Insurance numbers ----------------------------------------------

# HMRC: two prefix letters (D, F, I, Q, U, V never; O never second; BG, GB, KN,
# NK, NT, TN, ZZ not allocated), six digits, suffix A to D. Spaces allowed.
NI = (r"(?i)\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")
NI_NOT_ALLOCATED = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]


@register("ni-number", "error", DP,
          "A UK National Insurance number (two letters, six digits, a letter A to D, as HMRC issues them) "
          "in a free-text column.",
          fix="Delete the National Insurance number. Nothing published under the Transparency Code needs one.")
def ni_number(frame: pl.DataFrame, info):
    found = candidates(frame, info).filter(in_fields(free_text(info.schema)))
    found = found.with_columns(pl.col("value").str.extract(for_polars(NI), 0).alias("ni"))
    found = found.filter(pl.col("ni").is_not_null()
                         & ~pl.col("ni").str.to_uppercase().str.slice(0, 2).is_in(NI_NOT_ALLOCATED))
    return found.with_columns(pl.format(
        'contains what looks like a National Insurance number ("{}"). It is personal data: delete it.',
        pl.col("ni")).alias("message"))


# --- phone numbers -----------------------------------------------------------

# A UK number that can reach a person: +44 or 0, then 1 or 2 (geographic) or
# 7 (mobile), then 8 or 9 more digits with spaces, dashes or brackets between.
# 03, 08 and 09 numbers belong to organisations and are not flagged.
PHONE = (r"(?:^|[^\d+])((?:\+44\s?(?:\(0\)\s?)?|\(?0)[127](?:[\s\-)]{0,2}\d){8,9})(?:[^\d]|$)")


@register("phone-number", "error", DP,
          "A UK phone number that can reach a person (07xxx xxxxxx mobiles, 01xxx and 02x landlines, also "
          "written +44) in a free-text column such as Purpose, Beneficiary name, Job title or Notes. The senior "
          "roles Contact Phone column is allowed, and so are 03, 08 and 09 organisation numbers.",
          fix="Delete the number. Contact numbers for senior posts belong in Contact Phone, and should be "
              "a team or switchboard number.")
def phone_number(frame: pl.DataFrame, info):
    fields = [f for f in free_text(info.schema) if f != "Contact Phone"]
    found = candidates(frame, info).filter(in_fields(fields))
    found = found.with_columns(pl.col("value").str.extract(PHONE, 1).alias("phone"))
    digits = pl.col("phone").str.replace_all(r"\D", "").str.replace(r"^440?", "0")
    found = found.filter(pl.col("phone").is_not_null() & digits.str.len_chars().is_between(10, 11))
    return found.with_columns(pl.format(
        'contains what looks like a phone number ("{}"). Phone numbers in free text can identify a '
        'person: delete it.', pl.col("phone").str.strip_chars()).alias("message"))


# --- bank details -------------------------------------------------------------

SORT_WORDS = for_polars(r"(?i)\bsort\s*-?\s*code\b|\bs/c\b")
SORT_CODE = r"(?:^|\D)(\d{2}[-\s]?\d{2}[-\s]?\d{2})(?:\D|$)"
ACCOUNT_WORDS = for_polars(r"(?i)\ba/c\b|\bacc(?:oun)?t\b|\bacct?\s*no\b|\baccount\s*(?:no|number)\b")
ACCOUNT = r"(?:^|\D)(\d{8})(?:\D|$)"
# An 8-digit "account" number alone is usually a customer account with a
# supplier ("EON (A/C NO 36166103)"); a bank account comes with bank words.
BANK_WORDS = for_polars(r"(?i)\bbank\b|\bbuilding\s+society\b|\bbacs\b|\bsort\s*-?\s*code\b|\bs/c\b")
IBAN = r"(?i)\bGB\d{2}\s?[A-Z]{4}(?:\s?\d{4}){3}\s?\d{2}\b"
# Every pattern above needs one of these: one pass with them keeps the few
# cells worth the six exact patterns (free text full of invoice numbers passes
# the shared six-digit pre-filter, so without it all six ran on every purpose).
BANK_PREFILTER = r"(?i)sort|s/c|a/c|acc|gb[0-9]{2}"


@register("bank-details", "error", DP,
          "Bank details in a free-text column: a sort code (12-34-56) next to the words \"sort code\", "
          "an 8-digit account number next to \"account\" or \"a/c\" and a bank word (bank, sort code, "
          "building society, BACS), or a UK IBAN (GB..). A customer account number with a supplier "
          "(\"EON A/C 36166103\") is not flagged.",
          fix="Delete the bank details. They are never part of published spending data.")
def bank_details(frame: pl.DataFrame, info):
    found = candidates(frame, info).filter(in_fields(free_text(info.schema))
                                           & pl.col("value").str.contains(BANK_PREFILTER))
    v = pl.col("value")
    sort = v.str.contains(SORT_WORDS) & v.str.contains(SORT_CODE)
    account = v.str.contains(ACCOUNT_WORDS) & v.str.contains(ACCOUNT) & v.str.contains(BANK_WORDS)
    iban = v.str.contains(for_polars(IBAN))
    found = found.filter(sort | account | iban)
    what = (pl.when(iban).then(pl.lit("an IBAN"))
            .when(sort & account).then(pl.lit("a sort code and account number"))
            .when(sort).then(pl.lit("a sort code")).otherwise(pl.lit("a bank account number")))
    return found.with_columns(pl.format("contains {}. Bank details must not be published: delete them.",
                                        what).alias("message"))


# --- named individuals -------------------------------------------------------

# Words that make a name an organisation or a trade, not a person.
ORGANISATION_WORDS = """
ltd limited plc llp llc lp inc incorporated corp corporation co company cic cio council councils trust trustees
service services group association assoc school schools academy college university nhs hospital surgery practice
partners partnership society club church parish charity foundation centre center federation agency consultant
consultants consultancy consulting solicitors associates holdings enterprise enterprises industries international
uk gb eu community care home homes housing hotel motors garage transport taxi taxis travel estate estates farm farms
properties developments development construction systems solutions supplies products productions network project
fund board authority department ministry office police fire commission the of for and bank studio studios design
media energy water electric electrical electrics plumbing plumbers builder builders cleaning cleaners catering
security training nursery pharmacy dental medical clinic management technologies technology software direct
contractor contractors shop store stores market supermarket cafe restaurant pub advertising fencing
decorators decorating power factors adoption fostering plant hire tools glass glazing roofing joinery carpentry
landscapes landscaping gardens gardening printing print printers signs scaffolding skips waste recycling removals
coaches buses cars vans tyres autos fuels oil gas heating engineering engineers surveys surveyors architects
accountants legal translations interpreting tuition tutoring therapy therapies counselling psychology
physiotherapy nursing laundry foods food bakery butchers dairy flowers florist books stationery computers it
telecom telecoms communications marketing events entertainment music sports leisure fitness photography video
films arts crafts toys furniture carpets flooring kitchens bathrooms windows doors locksmiths alarms cctv safety
pest drainage electricians groundworks paving surfacing demolition asbestos environmental ecology trees tree
forestry agricultural vets veterinary kennels cattery equestrian stables house manor
resources recruitment staffing personnel supply supplier logistics freight couriers news newspapers
radio tv press publishing publishers education learning skills support living lifestyles health healthcare
wellbeing pharma labs laboratory research analytics data digital online web internet cloud mobile phones
adventure outdoor activities camp camps theatre cinema gallery museum library trading traders wholesale retail
distribution installations installation maintenance repairs repair contracts contracting civil civils highways
roads traffic parking lighting signage bridges railway airport marine boats interiors world global europe
european british england english scotland scottish wales welsh national regional county city borough district
"""
ORGANISATION = for_polars(r"(?i)(?:[&+@\d]|\bt/a\b|\btrading as\b|\b(?:"
                + "|".join(sorted(set(ORGANISATION_WORDS.split()), key=len, reverse=True)) + r")\b)")
# Initials at the end that abbreviate an organisation ("Trafford M B C", "CRANLEA N H").
ORGANISATION_INITIALS = for_polars(r"(?i)\b(?:m\s?b\s?c|b\s?c|c\s?c|d\s?c|p\s?c|t\s?c|n\s?h|c\s?i\s?c|l\s?l\s?p|p\s?l\s?c)\.?$")
TITLE = r"(?i)^(?:mr|mrs|miss|ms|mx|dr|prof|rev|sir|dame|lady|lord)\.?\s+[a-z]"
INITIALS_SURNAME = r"(?i)^(?:[a-z]\.?\s+){1,2}[a-z][a-z'’-]+$"            # J Smith, A B Jones
SURNAME_INITIALS = r"(?i)^[a-z][a-z'’-]+(?:\s+[a-z]\.?){1,3}$"            # Smith J, WOOLLACOTT I C
SURNAME_COMMA = r"(?i)^[a-z][a-z'’-]+,\s*[a-z][a-z'’.-]*(?:\s+[a-z][a-z'’.-]*)?$"  # Smith, John
PERSON = f"(?:{TITLE})|(?:{INITIALS_SURNAME})|(?:{SURNAME_INITIALS})|(?:{SURNAME_COMMA})"
INDIVIDUAL_TYPE = r"(?i)^\s*(?:private\s+)?(?:individuals?|indv|indiv|persons?|sole\s*traders?|sole|self[\s-]employed)\s*$"
CARD_TABLE = re.compile(r"card|gpc|\bpcard|p-card", re.I)  # a sheet or file of card payments
NOT_A_NAME = r"(?i)^[\W_]*(?:n/?d|n/?a|na|none|nil|vacant|eliminated|unknown|not applicable|not disclosed|tbc)[\W_]*$"
# Header of a column that holds people's names (junior roles must have none).
NAME_HEADER = (r"(?i)^\s*(?:(?:employee|staff|officer|post\s*holder|postholder|person|member)?\s*(?:full\s*)?names?|"
               r"surname|forenames?|first\s*names?|last\s*names?|given\s*names?|family\s*names?|post\s*holder|"
               r"postholder|employee|incumbent)\s*$")


# A creditor-type column that says what kind of payee a line pays: individuals and
# sole traders, or incorporated bodies. "Business" is no evidence (a sole trader is
# a business), nor is a type that says both ("Sole Trade, Partnership, Ltd").
ORGANISATION_TYPE = (r"(?i)^\s*(?:ltd|limited|plc|llp|cic|chty|charity|charities|company|companies|"
                     r"public\s+body|local\s+authority|government|wga|trust|prsh|parish)\s*$")
PLAIN_NAME = r"^[A-Za-z'’-]+,?(?:\s+[A-Za-z'’.-]+){1,3}$"      # two to four words, nothing else
INITIALS_ONLY = r"^(?:[A-Za-z]\.?\s+)+[A-Za-z]+$"              # "K J REFRIGERATION", "T K PLAY"


def _header_text(info, name: str) -> str:
    """The column's name as the file gives it (the standard name when unknown)."""
    try:
        j = info._match.columns[name]
        return info._raw.head[info._match.header_index][j].strip() or name
    except (AttributeError, KeyError, IndexError, TypeError):
        return name


def _verdicts(names: pl.Series, card_file: bool) -> pl.DataFrame:
    """Over the distinct names: (name, kind, reason) for those that look like a person."""
    rows = []
    skip = names.str.strip_chars().str.contains(for_polars(REDACTION_PATTERN)).fill_null(True) \
        | names.str.strip_chars().str.contains(NOT_A_NAME).fill_null(True)
    for n, s in zip(names.to_list(), skip.to_list()):
        if s or not n.strip():
            continue
        got = evidence(n, card_file)
        rows.append((n, *(got or (None, None)), has_forename(n)))
    return pl.DataFrame(rows, schema={"BeneficiaryName": pl.String, "__kind": pl.String, "__why": pl.String,
                                      "__forename": pl.Boolean}, orient="row")


@register("named-individual", "error", DP,
          "A private individual named as a spend payee: the name has a title anywhere in it (\"Mr\", \"Dr\", "
          "\"Miss\"), the shape of a personal name (\"Forename Surname\", \"SURNAME FORENAME\", \"Surname, "
          "Forename\", \"J Smith\", with forenames from the forenames code list), or is such a name followed by "
          "a trade (a sole trader trading under their own name); or the file's own beneficiary-type column says "
          "individual or sole trader and the name is not a business name. Legal forms and organisation words, "
          "initials followed by a trade (\"K J Refrigeration\"), acronyms and single words are not reported, and "
          "in card-payment files only a title counts. In junior roles, any name column.",
          schemas=("spend", "roles-junior"),
          fix="If the payee is a private individual or an identifiable sole trader, replace the name with a "
              "redaction marker such as \"REDACTED PERSONAL DATA\" (keep the amount and purpose). If it is an "
              "organisation, nothing needs to change. In junior roles, delete the name column: junior posts are "
              "published as counts of posts, never as people.")
def named_individual(frame: pl.DataFrame, info):
    if info.schema == "roles-junior":
        return _junior_names(frame, info)
    if "BeneficiaryName" not in info.present:
        return None
    card_file = (bool(CARD_TABLE.search(info.table)) or "MerchantCategory" in info.present
                 or "MerchantCategoryCode" in info.present)
    # payees repeat from batch to batch: each name is judged once per table
    names = distinct(frame, "BeneficiaryName", info)
    people = info.table_cache.get("people")
    new = names if people is None else names.filter(~names.is_in(people["BeneficiaryName"].implode()))
    if people is None or new.len():
        fresh = _verdicts(new, card_file)
        people = fresh if people is None else pl.concat([people, fresh])
        info.table_cache["people"] = people
    column = _header_text(info, "BeneficiaryName")
    typed = "BeneficiaryType" in info.present
    lines = frame.select("__row", "BeneficiaryName", *(["BeneficiaryType"] if typed else [])) \
        .join(people, on="BeneficiaryName", how="left")
    if typed:
        # the publisher's own type: an organisation type overrules the name's shape (not a title); an
        # individual type confirms a plain name of two to four words with no business word
        # and a forename or an initial in it
        t = pl.col("BeneficiaryType").fill_null("")
        n = pl.col("BeneficiaryName").fill_null("").str.strip_chars()
        plain = (n.str.contains(PLAIN_NAME) & ~n.str.contains(ORGANISATION) & ~n.str.contains(for_polars(REDACTION_PATTERN))
                 & ~n.str.contains(NOT_A_NAME) & ~n.str.contains(INITIALS_ONLY))
        by_type = t.str.contains(INDIVIDUAL_TYPE) & pl.col("__kind").is_null() & plain & pl.col("__forename").fill_null(False)
        lines = lines.with_columns(
            pl.when(t.str.contains(ORGANISATION_TYPE) & (pl.col("__kind") != "title").fill_null(True)).then(None).when(by_type).then(pl.lit("type"))
            .otherwise(pl.col("__kind")).alias("__kind"),
            pl.when(by_type).then(pl.format('the file\'s "{}" column says "{}"', pl.lit(_header_text(
                info, "BeneficiaryType")), pl.col("BeneficiaryType"))).otherwise(pl.col("__why")).alias("__why"))
    hit = lines.filter(pl.col("__kind").is_not_null())
    if not hit.height:
        return None
    sure = (pl.when(pl.col("__kind") == "sole trader")
            .then(pl.lit("looks like a sole trader trading under their own name"))
            .otherwise(pl.lit("looks like a person's name")))
    return hit.select(pl.col("__row").alias("row"), pl.lit("BeneficiaryName").alias("field"),
                      pl.col("BeneficiaryName").alias("value"), pl.format(
        '"{}" in {} {} ({}). The Transparency Code asks for the names of individuals, including sole traders '
        'who can be identified, to be redacted: if this is one, replace the name with "REDACTED PERSONAL DATA" '
        '(keep the amount and purpose); if it is an organisation, nothing needs to change.',
        short(pl.col("BeneficiaryName")), pl.lit(column), sure, pl.col("__why")).alias("message"))


def _junior_names(frame: pl.DataFrame, info):
    """Junior roles: a column of names, or a title-and-name in the text columns."""
    if info.state.get("done"):
        return None
    info.state["done"] = True
    parts = []
    raw, extra = info.raw_cells()
    for j, header in extra:
        if not pl.Series([header]).str.contains(NAME_HEADER).item():
            continue
        col = f"c{j}"
        if col not in raw.columns:
            continue
        cells = raw.filter(pl.col(col).is_not_null() & (pl.col(col) != "")
                           & ~pl.col(col).str.contains(NOT_A_NAME) & ~pl.col(col).str.contains(for_polars(REDACTION_PATTERN)))
        if cells.height:
            parts.append(cells.select(
                pl.col("__row").alias("row"), pl.lit(None, dtype=pl.String).alias("field"),
                pl.col(col).alias("value"), pl.lit(info.absolute(j), dtype=pl.Int64).alias("col"),
                pl.format('The junior roles sheet names a person ("{}") in its "{}" column. Junior posts are '
                          'published as counts of posts, never with names: delete the column.',
                          short(pl.col(col)), pl.lit(header)).alias("message")))
    for name in free_text(info.schema):
        if name in info.present:
            hit = frame.filter(pl.col(name).str.contains(TITLE).fill_null(False)
                               & ~pl.col(name).str.contains(ORGANISATION).fill_null(False))
            if hit.height:
                parts.append(hit.select(
                    pl.col("__row").alias("row"), pl.lit(name).alias("field"), pl.col(name).alias("value"),
                    pl.lit(None, dtype=pl.Int64).alias("col"),
                    pl.format('"{}" looks like a person\'s name. Junior roles must not name anyone: use the '
                              'generic job title instead.', short(pl.col(name))).alias("message")))
    return pl.concat(parts) if parts else None


# --- exact senior salaries ---------------------------------------------------

FLOOR, CEILING = "Actual Pay Floor (£)", "Actual Pay Ceiling (£)"


@register("exact-senior-salary", "error", DP,
          "A senior salary published exactly instead of in a £5,000 band: the Actual Pay Floor must be a "
          "multiple of £5,000 and the Actual Pay Ceiling the floor plus £4,999 (0 and 0, N/D and N/A mean "
          "not disclosed and are allowed).",
          schemas=("roles-senior",),
          fix="Round the pay floor down to a multiple of £5,000 and set the ceiling to the floor plus "
              "£4,999 (pay of £123,456 is published as 120000 and 124999).")
def exact_senior_salary(frame: pl.DataFrame, info):
    if FLOOR not in info.present and CEILING not in info.present:
        return None
    floor = pl.col(FLOOR).cast(pl.Int64, strict=False)
    ceiling = pl.col(CEILING).cast(pl.Int64, strict=False)
    undisclosed = (floor == 0) & (ceiling == 0)
    band_floor = (floor // 5000) * 5000
    floor_bad = floor.is_not_null() & (floor % 5000 != 0) & ~undisclosed.fill_null(False)
    ceiling_bad = (ceiling.is_not_null() & ~undisclosed.fill_null(False)
                   & pl.when(floor.is_not_null() & ~floor_bad).then(ceiling != floor + 4999)
                   .otherwise((ceiling + 1) % 5000 != 0))
    parts = []
    a = frame.filter(floor_bad.fill_null(False))
    if a.height:
        parts.append(a.select(pl.col("__row").alias("row"), pl.lit(FLOOR).alias("field"),
                              pl.col(FLOOR).alias("value"), pl.format(
            "£{} is an exact salary, not a £5,000 band. Publish the pay floor rounded down to a multiple of "
            "£5,000 (here {}) and the ceiling as the floor plus £4,999.", pl.col(FLOOR), band_floor
        ).alias("message")))
    b = frame.filter(ceiling_bad.fill_null(False))
    if b.height:
        expected = pl.when(floor.is_not_null() & ~floor_bad).then(floor + 4999).otherwise(
            (ceiling // 5000) * 5000 + 4999)
        parts.append(b.select(pl.col("__row").alias("row"), pl.lit(CEILING).alias("field"),
                              pl.col(CEILING).alias("value"), pl.format(
            "The pay ceiling £{} does not close a £5,000 band, so it can reveal the exact salary. Use the "
            "floor plus £4,999 (here {}).", pl.col(CEILING), expected).alias("message")))
    return pl.concat(parts) if parts else None
