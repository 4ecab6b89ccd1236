"""A mapping: how one publisher's file reads as a table of the standard.

A small YAML file, written by `openbook map FILE` and finished by a person:

    # openbook mapping for DCCSpendingOver500_201308.csv
    table: spend
    columns:                      # the file's heading: the standard's field (~ leaves it out)
      Body: ~
      Name of Body: OrganisationLabel
      Date: PaymentDate
    constants:                    # one value for every row
      OrganisationURI: https://www.devoncc.gov.uk/
    period: 2013-08
    date_format: DD/MM/YYYY

validate and package take it with --mapping FILE, or find FILE.openbook.yaml
(beside the data file) or openbook.yaml (in its folder), which may also hold
the settings of standard/metadata.py (org_name, org_uri, ...).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openbook.errors import OpenbookError
from openbook.standard import schemas as standard

MAPPING_KEYS = {"table", "columns", "constants", "period", "date_format"}
# Date formats a mapping may name; openbook reads all of them anyway, so the
# format documents the file and is checked to be one openbook knows.
DATE_FORMATS = ["DD/MM/YYYY", "DD-MM-YYYY", "DD-Mon-YYYY", "YYYY-MM-DD", "DD/MM/YY", "Excel serial"]
TO_FILL = "FILL IN"
# A heading the mapping leaves out (~) is read with this after it: no table's name for a column.
LEFT_OUT = " (left out by the mapping)"


@dataclass
class Mapping:
    path: Path
    table: str | None = None
    columns: dict[str, str | None] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    period: str | None = None
    date_format: str | None = None
    unfilled: list[str] = field(default_factory=list)   # entries still marked FILL IN

    @property
    def empty(self) -> bool:
        return not (self.table or self.columns or self.constants or self.period)


def find_mapping(data_file: Path) -> Path | None:
    """FILE.openbook.yaml beside the data file, else openbook.yaml in its folder
    (only when it says something about columns or a table)."""
    own = data_file.with_name(data_file.name + ".openbook.yaml")
    if own.is_file():
        return own
    shared = data_file.parent / "openbook.yaml"
    if shared.is_file():
        data = _read(shared)
        if MAPPING_KEYS & {"table", "columns", "constants"} & set(data):
            return shared
    return None


def _read(path: Path) -> dict:
    import yaml
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise OpenbookError(f"{path}: cannot read the mapping ({exc.__class__.__name__}). "
                            "Save it as UTF-8 text.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise OpenbookError(f"{path}{where}: not valid YAML. Write the mapping as 'columns:' then one "
                            "'File heading: StandardField' a line.") from None
    if not isinstance(data, dict):
        raise OpenbookError(f"{path}: a mapping is a set of keys (table, columns, constants, period).")
    return data


def load_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    if not path.is_file():
        raise OpenbookError(f"{path}: no such mapping file. Write one with openbook map DATAFILE.")
    data = _read(path)
    table = data.get("table")
    if table == TO_FILL:
        table = None
    if table is not None and table not in standard.names():
        raise OpenbookError(f"{path}: table {table!r} is not a table of the standard. Use one of: "
                            f"{', '.join(standard.names())}.")
    columns = data.get("columns") or {}
    constants = data.get("constants") or {}
    if not isinstance(columns, dict) or not isinstance(constants, dict):
        raise OpenbookError(f"{path}: 'columns' and 'constants' hold lines such as 'Date: PaymentDate'.")
    fields = {f["name"] for f in standard.load(table)["fields"]} if table else None
    out_cols: dict[str, str | None] = {}
    for heading, target in columns.items():
        target = None if target in (None, "", "~") else str(target).strip()
        if target == TO_FILL:
            target = None
        if target and fields is not None and target not in fields:
            raise OpenbookError(f"{path}: column {heading!r} is mapped to {target!r}, which is not a field of "
                                f"{table}. Run openbook schemas show {table} for the field names.")
        out_cols[str(heading)] = target
    out_consts = {}
    unfilled = ["table"] if data.get("table") == TO_FILL else []
    unfilled += [str(h) for h, t in columns.items() if t == TO_FILL]
    for name, value in constants.items():
        if value == TO_FILL:
            unfilled.append(str(name))
        if value in (None, "", TO_FILL):
            continue
        if fields is not None and name not in fields:
            raise OpenbookError(f"{path}: constant {name!r} is not a field of {table}.")
        out_consts[str(name)] = str(value).strip()
    period = data.get("period")
    if str(period).strip() == TO_FILL:
        unfilled.append("period")
    if period is not None and str(period).strip() not in ("", TO_FILL):
        from openbook.standard.period import parse_period
        parse_period(str(period))   # a clear error now, not later
        period = str(period).strip()
    else:
        period = None
    date_format = data.get("date_format")
    if date_format not in (None, "", TO_FILL) and date_format not in DATE_FORMATS:
        raise OpenbookError(f"{path}: date_format {date_format!r} is not one openbook knows. Use one of: "
                            f"{', '.join(DATE_FORMATS)}.")
    return Mapping(path, table, out_cols, out_consts, period,
                   date_format if date_format not in (None, "", TO_FILL) else None, unfilled)
