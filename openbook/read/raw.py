"""What every reader returns: a RawTable of string columns with real coordinates.

Coordinates are what a spreadsheet user sees, so a title block, blank leading
columns or blank rows never shift a reported cell."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

import polars as pl


CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
LEGACY_SUFFIXES = {".xls", ".ods"}
SUPPORTED = CSV_SUFFIXES | WORKBOOK_SUFFIXES | LEGACY_SUFFIXES

HEAD_ROWS = 30          # how far down to look for a header row
BATCH_BYTES = 16 * 1024 * 1024  # bytes of CSV text per batch: bounds memory (bench/NOTES.md)
BOMS = ("\ufeff", "\u00ef\u00bb\u00bf")  # a BOM, and a BOM decoded twice (Manchester)


@dataclass
class RawTable:
    path: str                  # the file as the user named it
    sheet: str | None          # sheet name, None for CSV
    name: str                  # sheet name or file stem
    head: list[list[str]]      # the first rows, as text, from the first used row
    head_first_row: int        # absolute 1-based row of head[0]
    col_offset: int            # absolute 0-based column of head column 0
    batches: Callable[[int], Iterator[pl.DataFrame]] | None = None
    """Given the head index of the header row, yields the data rows after it
    as string columns named c0..cN (head column positions)."""
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    extent: Callable[[], tuple[int, int]] | None = None
    """How far the batches have read the source, (done, total) in bytes:
    for progress on a terminal only. None when the reader cannot say."""


def column_letter(index: int) -> str:
    """0-based column index to a spreadsheet letter: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters




def frame_table(path: str, sheet: str, frame: pl.DataFrame, head: list[list[str]],
                 first_row: int, col_offset: int) -> RawTable:
    def batches(header_index: int) -> Iterator[pl.DataFrame]:
        yield frame.slice(header_index + 1)
    return RawTable(path=path, sheet=sheet, name=sheet, head=head, head_first_row=first_row,
                    col_offset=col_offset, batches=batches)



def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0][:160] if text else type(exc).__name__)
