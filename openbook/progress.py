"""Progress on a terminal, silence everywhere else (pipes, files, CI logs).

The stages take a plain callback and know nothing of terminals:

    progress(label, done=None, total=None, rows=None)

- ``label``: what is being worked on (a file and sheet, a step); a new label
  starts a new line, with its own clock;
- ``done`` and ``total``: how far, in any one unit (bytes of a CSV read,
  files checked, bytes uploaded), for the bar and the time left; None when
  not known;
- ``rows``: rows read and checked so far under this label.

Publishing's ``progress(path, done_bytes, total_bytes)`` is the same call.

``progress_line()`` gives the callback that draws one line on stderr (with
rich: rate, bar, time left), or None when stderr is not a terminal or the
user asked for quiet. A stage tests ``if progress`` and so pays nothing when
nobody is watching. Progress goes to stderr: stdout stays the report.
"""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, Optional

from openbook.errors import printable

Callback = Callable[..., None]

# A label longer than this keeps its end (the file name, the sheet).
LABEL_CHARS = 60
# Redraw at most this often when calls come fast (an upload's chunks).
REDRAW_SECONDS = 0.1


def on_terminal(stream=None) -> bool:
    """True when ``stream`` (stderr) is a terminal a person watches: not a
    pipe, a file, a CI log or a terminal that cannot move its cursor."""
    stream = stream if stream is not None else sys.stderr
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError, OSError):   # closed, or not a real stream
        return False


@contextmanager
def progress_line(quiet: bool = False, unit: str = "rows", stream=None) -> Iterator[Optional[Callback]]:
    """The progress callback for one command, or None (quiet, or no terminal).

    ``unit`` says what ``done``/``total`` count when no rows are given:
    "bytes" shows them as sizes with a transfer rate (publishing)."""
    stream = stream if stream is not None else sys.stderr
    if quiet or not on_terminal(stream):
        yield None
        return
    line = _Line(stream, unit)
    try:
        yield line
    finally:
        line.close()


def watched(batches: Callable[..., Iterable], progress: Callback, label: str,
            extent: Optional[Callable[[], tuple[int, int]]] = None) -> Callable[..., Iterator]:
    """``batches`` (a reader's: called, it yields frames) reporting its progress.

    When the consumer asks for the next batch, the last one is read and
    checked: the rows so far are reported, with how far through the source
    ``extent()`` (done, total) says the reader is. A check that reads the
    source a second time (the duplicate search, for the lines concerned)
    shows as "read again" rather than as the bar going back."""
    passes = [0]

    def counted(*args, **kwargs) -> Iterator:
        passes[0] += 1
        name = label if passes[0] == 1 else f"{label} (read again)"
        rows = 0
        progress(name, None, None, rows=0)
        for batch in batches(*args, **kwargs):
            yield batch
            rows += batch.height
            done, total = extent() if extent is not None else (None, None)
            progress(name, done, total, rows=rows)
    return counted


class _Line:
    """One line redrawn in place on stderr, cleared when the command ends."""

    def __init__(self, stream, unit: str):
        from rich.console import Console
        from rich.progress import Progress
        self.console = Console(file=stream, highlight=False, emoji=False)
        # stdout is the report: never redirected into the progress line
        self.bar = Progress(*_columns(unit), console=self.console, transient=True, refresh_per_second=4,
                            redirect_stdout=False, redirect_stderr=False)
        self.bar.start()
        self.task = None
        self.label = None
        self.drawn = 0.0

    def __call__(self, label: str, done: Optional[float] = None, total: Optional[float] = None,
                 rows: Optional[int] = None) -> None:
        label = printable(label)
        label = label if len(label) <= LABEL_CHARS else "..." + label[-(LABEL_CHARS - 3):]
        now = time.monotonic()
        if label != self.label or self.task is None:
            if self.task is not None:
                self.bar.remove_task(self.task)
            # a new step: its own clock, so the rate and time left are its own
            self.task = self.bar.add_task(label, total=total, rows=rows)
            self.label = label
            self.drawn = 0.0
        fields = {"rows": rows} if rows is not None else {}
        self.bar.update(self.task, completed=done or 0, **({"total": total} if total else {}), **fields)
        # rows come once a batch (seconds apart): always drawn; an upload's chunks at most every 0.1 s
        if rows is not None or now - self.drawn >= REDRAW_SECONDS or (total and done is not None and done >= total):
            self.drawn = now
            self.bar.refresh()

    def close(self) -> None:
        self.bar.stop()


def _columns(unit: str) -> list:
    """rich's spinner, label, bar and percentage, then ours: rows and rate, time left.
    rich is imported here, so that a run with no terminal never loads it."""
    from rich.filesize import decimal
    from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, TaskProgressColumn, TextColumn
    from rich.text import Text

    class Amount(ProgressColumn):
        """Rows read and checked and their rate; or, for an upload, bytes and theirs."""

        def render(self, task):
            rows, elapsed = task.fields.get("rows"), task.elapsed or 0.0
            if rows is not None:
                rate = f", {rows / elapsed:,.0f} rows/s" if rows and elapsed > 0 else ""
                return Text(f"{rows:,} rows read and checked{rate}")
            if unit == "bytes" and task.total:
                rate = f", {decimal(int(task.completed / elapsed))}/s" if task.completed and elapsed > 0 else ""
                return Text(f"{decimal(int(task.completed))} of {decimal(int(task.total))}{rate}")
            return Text("")

    class TimeLeft(ProgressColumn):
        """Time left from the share done so far: elapsed x (left / done)."""
        max_refresh = 0.5

        def render(self, task):
            if not task.total or not task.completed or task.completed >= task.total or not task.elapsed:
                return Text("")
            left = task.elapsed * (task.total - task.completed) / task.completed
            minutes, seconds = divmod(int(left + 0.5), 60)
            return Text(f"about {minutes}:{seconds:02d} left")

    return [SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(bar_width=20),
            TaskProgressColumn(), Amount(), TimeLeft()]
