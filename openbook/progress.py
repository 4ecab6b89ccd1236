"""Progress on a terminal, silence everywhere else (CI logs, pipes)."""
from __future__ import annotations

import sys
import time

from openbook.errors import printable


class Progress:
    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream or sys.stderr
        self.active = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.count = 0
        self.started = time.monotonic()

    def step(self, what: str) -> None:
        self.count += 1
        if self.active:
            self.stream.write(f"\r\033[K{self.label} {self.count}: {printable(what)[-70:]}")
            self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.active and self.count:
            self.stream.write("\r\033[K")
            self.stream.flush()
        return False
