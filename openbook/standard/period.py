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
    '2025-04' (a month), '2025' (a calendar year), or two ISO dates
    '2025-04-01..2025-06-30'."""
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
                        "a month (2025-04), a year (2025) or two dates (2025-04-01..2025-06-30).")

