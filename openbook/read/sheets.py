"""Legacy .xls and .ods workbooks, through calamine."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from openbook.errors import OpenbookError
from openbook.read.raw import HEAD_ROWS, RawTable, first_line, frame_table

def read_calamine(path: Path) -> list[RawTable]:
    """Legacy .xls and .ods, through calamine, with absolute coordinates."""
    import python_calamine
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise OpenbookError(f"{path}: the workbook could not be read ({first_line(exc)}). "
                            "Open it in Excel or LibreOffice and save it as .xlsx.") from None
    tables = []
    for name in book.sheet_names:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise OpenbookError(f"{path}, sheet '{name}': the sheet could not be read ({first_line(exc)}). "
                                "Save it as .xlsx.") from None
        text_rows = [[cell_text(v) for v in row] for row in rows]
        width = max((len(r) for r in text_rows), default=0)
        if not width:
            tables.append(RawTable(path=str(path), sheet=name, name=name, head=[], head_first_row=1, col_offset=0))
            continue
        columns = {f"c{j}": [r[j] if j < len(r) else None for r in text_rows] for j in range(width)}
        frame = pl.DataFrame(columns, schema={f"c{j}": pl.String for j in range(width)})
        frame = frame.with_columns(pl.all().replace("", None))
        head = [[v or "" for v in r] for r in text_rows[:HEAD_ROWS]]
        tables.append(frame_table(str(path), name, frame, head, 1, 0))
    return tables


def cell_text(value) -> str:
    import datetime as dt
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(round(value, 10))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
