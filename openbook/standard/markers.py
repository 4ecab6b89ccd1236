"""What publishers write in place of a value: redaction and non-disclosure markers.

The one definition, read by the checks (as a polars regex) and by compare (as
a Python one): "REDACTED", "Redacted Personal Data", "[withheld]",
"Not disclosed", "N/D"...
"""
from __future__ import annotations

import re

# A cell that starts with a redaction word, after any brackets, stars or spaces.
REDACTION_PATTERN = (r"(?i)^[\[\(\*\s]*(redacted|redaction|withheld|personal data|"
                     r"not disclosed|data protection|removed)\b")
# The organogram guidance's markers for a value not disclosed or not applicable.
NOT_DISCLOSED_PATTERN = r"(?i)^\s*n\s*/?\s*[da]\s*$"

_WITHHELD = re.compile(f"{REDACTION_PATTERN}|{NOT_DISCLOSED_PATTERN[4:]}", re.I)


def withheld(text: str | None) -> bool:
    """True when the text is a redaction or non-disclosure marker, not a value."""
    return bool(text) and bool(_WITHHELD.search(text))
