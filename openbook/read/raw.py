"""What every reader returns: a RawTable of string columns with real coordinates.

Coordinates are what a spreadsheet user sees, so a title block, blank leading
columns or blank rows never shift a reported cell."""
from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterator, TypeVar

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




T = TypeVar("T")


def read_ahead(items: Callable[[], Iterator[T]]) -> Iterator[T]:
    """The items of ``items()``, each next one made in a thread while the
    caller works on this one. A CSV's blocks are read, decoded and cut at
    record ends in Python; checking a batch is mostly polars, which lets go
    of the interpreter while it works, so the two overlap on a second core
    (11.6 s to 10.8 s on a 1M-row ledger; bench/NOTES.md). One item waits at most. An
    error in making one is raised where the caller asks for the next; closing
    this iterator stops the thread. OPENBOOK_READ_AHEAD=0 turns it off."""
    if os.environ.get("OPENBOOK_READ_AHEAD") == "0":
        yield from items()
        return
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items():
                if not hand(("item", item)):
                    return
            hand(("end", None))
        except BaseException as exc:   # raised again in the caller's thread
            hand(("error", exc))

    thread = threading.Thread(target=work, name="openbook-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "item":
                yield value
            elif kind == "end":
                return
            else:
                raise value
    finally:
        stop.set()
        thread.join()


def frame_table(path: str, sheet: str, frame: pl.DataFrame, head: list[list[str]],
                 first_row: int, col_offset: int) -> RawTable:
    def batches(header_index: int) -> Iterator[pl.DataFrame]:
        yield frame.slice(header_index + 1)
    return RawTable(path=path, sheet=sheet, name=sheet, head=head, head_first_row=first_row,
                    col_offset=col_offset, batches=batches)



def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0][:160] if text else type(exc).__name__)
