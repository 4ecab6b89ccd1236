"""The period a submission covers: a financial year, a month, a year or two dates."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from openbook.errors import OpenbookError

@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    def describe(self) -> str:
        return f"{self.label} ({self.start.day} {self.start:%b %Y} to {self.end.day} {self.end:%b %Y})"


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def parse_period(text: str) -> Period:
    """'2025-26' or '2025/26' (financial year 1 Apr 2025 to 31 Mar 2026),
    '2025-04' (a month), '2025-Q1' (a calendar quarter, January to March),
    '2025-26 Q1' (a quarter of a financial year, April to June), '2025' (a
    calendar year), or two ISO dates '2025-04-01..2025-06-30'."""
    t = str(text).strip()
    try:
        m = re.fullmatch(r"(?:FY\s*)?(\d{4})[-/](\d{2}|\d{4})", t, re.I)
        if m:
            year, second = int(m.group(1)), m.group(2)
            nxt = int(second) if len(second) == 4 else None
            if (len(second) == 2 and int(second) == (year + 1) % 100) or nxt == year + 1:
                return Period(dt.date(year, 4, 1), dt.date(year + 1, 3, 31), t)
            if len(second) == 2 and 1 <= int(second) <= 12:
                month = int(second)
                return Period(dt.date(year, month, 1), _month_end(year, month), t)
        m = re.fullmatch(r"(\d{4})[-/ ]?Q([1-4])", t, re.I)
        if m:   # a calendar quarter: 2025-Q1 is January to March 2025 (the report shows the dates)
            year, q = int(m.group(1)), int(m.group(2))
            return Period(dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q), t)
        m = re.fullmatch(r"(\d{4})[-/](\d{2})[-/ ]?Q([1-4])", t, re.I)
        if m and int(m.group(2)) == (int(m.group(1)) + 1) % 100:
            # a quarter of a financial year: 2025-26 Q1 is April to June 2025
            year, q = int(m.group(1)), int(m.group(3))
            start_month = 4 + 3 * (q - 1)
            sy, sm = (year, start_month) if start_month <= 12 else (year + 1, start_month - 12)
            return Period(dt.date(sy, sm, 1), _month_end(sy, sm + 2), t)
        m = re.fullmatch(r"(\d{4})", t)
        if m:
            year = int(m.group(1))
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), t)
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|to)\s*(\d{4}-\d{2}-\d{2})", t)
        if m:
            start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
            if start <= end:
                return Period(start, end, t)
    except ValueError:
        pass
    raise OpenbookError(f"period {text!r}: not a period openbook can read. Use a financial year (2025-26), "
                        "a month (2025-04), a quarter (2025-Q1, or 2025-26 Q1 for April to June), a year (2025) "
                        "or two dates (2025-04-01..2025-06-30).")



MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                           "nov", "dec"])}


def month(year: int, month: int) -> Period:
    return Period(dt.date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")


def period_from_name(name: str) -> tuple[Period | None, str | None]:
    """The period a file's name states, as (period, None), or (None, why not)
    when the name holds none or an ambiguous one: '2022-09.csv' (a month),
    'DCCSpendingOver500_201308.csv' (a month), 'spend-2026-27.csv' (a
    financial year), 'spend-april-2025.csv'. A full date (an organogram's
    snapshot '2011-09-30') is not a period; '2011-12' could be December 2011
    or the financial year 2011-12, so it is left to --period."""
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", str(name))
    if re.search(r"(?<!\d)(19|20)\d{2}[-_.](0[1-9]|1[0-2])[-_.](0[1-9]|[12]\d|3[01])(?!\d)", stem):
        return None, None
    found: list[Period] = []
    ambiguous: list[str] = []
    for m in re.finditer(r"(?<!\d)((?:19|20)\d{2})[-_/]?(\d{2})(?!\d)", stem):
        year, second = int(m.group(1)), int(m.group(2))
        separated = len(m.group(0)) == 7
        fy = separated and second == (year + 1) % 100      # 201112 is December 2011, never a year
        is_month = 1 <= second <= 12
        if fy and is_month:
            ambiguous.append(m.group(0))
        elif fy:
            found.append(parse_period(f"{year}-{second:02d}"))
        elif is_month:
            found.append(month(year, second))
    for m in re.finditer(r"(?i)(?<![a-z])(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[-_ ]?((?:19|20)\d{2})"
                         r"(?!\d)", stem):
        found.append(month(int(m.group(2)), MONTHS[m.group(1).lower()]))
    found = list(dict.fromkeys(found))
    if len(found) == 1 and not ambiguous:
        return found[0], None
    if ambiguous or len(found) > 1:
        what = ", ".join(ambiguous + [f.label for f in found])
        return None, f"the file name's {what} could be more than one period"
    return None, None
