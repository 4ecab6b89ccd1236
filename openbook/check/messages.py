"""Plain-English messages for schema problems: what is wrong, then how to fix it.

Each problem row carries a ``detail`` (which constraint, which first row);
the message is written here, once, for a finance officer to read.
"""
from __future__ import annotations

TYPE_HINTS = {
    "date": ("is not a real date", "Use a date such as 28/02/2025"),
    "datetime": ("is not a date and time", "Use a date and time such as 28/02/2025 14:30"),
    "number": ("is not an amount or number", "Use a number such as 1234.56 (a £ sign and commas are fine)"),
    "integer": ("is not a whole number", "Use a whole number such as 45000, without pence"),
    "boolean": ("is not yes or no", "Use Yes or No"),
    "year": ("is not a year", "Use a four-digit year such as 2024"),
}
FORMAT_HINTS = {
    "email": ("is not an email address", "Use an address such as finance@anytown.gov.uk"),
    "uri": ("is not a web address", "Use a full address starting with https://"),
    "uuid": ("is not a UUID", "Use a value such as 123e4567-e89b-12d3-a456-426614174000"),
}


def _title(field: dict | None, name: str | None) -> str:
    """How a column is named in a message: its title, and its name where the title
    does not already say it ("Amount (£)", not "Amount (£) (Amount)")."""
    title = (field or {}).get("title")
    if title and name and title != name:
        squashed = "".join(ch for ch in title.lower() if ch.isalnum())
        if name.lower() in squashed:
            return title
        return f"{title} ({name})"
    return title or name or "this column"


def _example(field: dict | None) -> str:
    return f' such as "{field["example"]}"' if field and field.get("example") else ""


def message(code: str, field: dict | None, value: str | None, detail: str | None, name: str | None) -> str:
    v = f'"{value}"' if value is not None else "The value"
    title = _title(field, name)
    if code == "type-error":
        ftype = (field or {}).get("type", "string")
        fmt = (field or {}).get("format", "default")
        what, fix = FORMAT_HINTS.get(fmt) if ftype == "string" and fmt in FORMAT_HINTS else TYPE_HINTS.get(
            ftype, (f"is not a valid {ftype}", "Correct the value"))
        return f"{v} {what}. {fix}."
    if code == "constraint-error":
        kind, _, arg = (detail or "").partition(":")
        if kind == "required":
            desc = (field or {}).get("description", "")
            hint = f" {desc.split('. ')[0].rstrip('.')}." if desc else ""
            return f"{title} is empty but must be filled in.{hint}"
        if kind == "enum":
            allowed = (field or {}).get("constraints", {}).get("enum", [])
            shown = ", ".join(str(a) for a in allowed[:12]) + (", ..." if len(allowed) > 12 else "")
            near = [a for a in allowed if value is not None and str(a).lower() == value.lower()]
            if near:
                return f'{v} is not written as the standard expects. Use "{near[0]}".'
            return f"{v} is not one of the allowed values for {title}. Use one of: {shown}."
        if kind == "pattern":
            return f"{v} is not in the form {title} needs. Use a value{_example(field)}."
        if kind == "minimum":
            return f"{v} is below the lowest allowed value ({arg}) for {title}. Check the value."
        if kind == "maximum":
            return f"{v} is above the highest allowed value ({arg}) for {title}. Check the value."
        if kind == "minLength":
            return f"{v} is shorter than {arg} characters, the least {title} allows."
        if kind == "maxLength":
            return f"{v} is longer than {arg} characters, the most {title} allows. Shorten it."
        return f"{v} breaks the rule {detail} for {title}."
    if code == "variant-value":
        return (f'{v} is read as "{detail}", the way the standard writes it for {title}, and a package '
                f'holds "{detail}". Write "{detail}" to match the standard.')
    if code == "primary-key":
        return (f"This row repeats {detail or 'the key of an earlier row'}. Each row must have its own "
                "key: correct or remove the duplicate.")
    if code == "unique-error":
        return f"{v} appears more than once in {title} ({detail}). Each value must be unique."
    if code in ("foreign-key", "foreign-key-case"):
        return f"{v} {detail}"
    if code == "missing-label":
        return (f"The required column {title} is missing. Add a column headed \"{name}\" "
                "to the header row." + (f" {detail}" if detail else ""))
    if code == "extra-label":
        return (f"The column \"{value}\" is not part of the standard, so it is not checked and will not be "
                "published. Rename it if it should be one of the standard columns, or ignore this warning.")
    if code == "duplicate-label":
        return (f"The column \"{value}\" is a second copy of {title}. Remove one of them, "
                "or rename it if it holds something else.")
    if code == "blank-label":
        return "This column has data but no heading. Give it a heading or delete the column."
    if code == "blank-row":
        return "This row is empty. Delete it, or fill it in if data is missing."
    if code == "source-error":
        return f"This file could not be read: {detail} The other files were still checked."
    if code == "missing-resource":
        return detail or "A required table is missing."
    return detail or code
