"""Where a sheet's cells are, read from its XML as it streams past: the first
rows that hold values (with their columns, so coordinates stay true), how
many cells and rows there are, and the rectangle calamine will allocate.

Cells are counted however they are written (``<c r="A1">``, ``<c>``,
``<x:c>``): a cell without an ``r`` is placed after the one before it, a row
without one after the row before it, as Excel and calamine place them.
calamine allocates the whole rectangle from the first to the last cell that
holds a value (about 32 bytes a cell), so one value at XFD1048576 beside A1
would ask for 550 GB: the rectangle is bounded as the cells are.
"""
from __future__ import annotations

import functools
import re

HEAD_VALUE_ROWS = 35          # value rows whose columns are kept (raw.HEAD_ROWS and a margin)
MAX_ROWS = 1_048_576          # Excel's last row
MAX_COLUMNS = 16_384          # Excel's last column, XFD
MAX_HEAD_CELLS = 20_000        # cells visited one by one for the first rows, at most (about 0.05 s)

_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*?)(/?)>")
_R_ATTR = re.compile(rb'\sr\s*=\s*["\']([A-Z]*)(\d*)["\']')
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])")
_CELL_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])")
# references begin r=" (no attribute Excel writes on a row or cell ends in r):
# a literal start keeps each search a fast scan
_ROW_R = re.compile(rb'[^>]*?\sr\s*=\s*["\'](\d+)["\']')
_VALUE_REF = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\br="([A-Z]+)(\d+)"[^>]*(?<!/)>'
                        rb'(?!\s*</|\s*<(?:[\w.-]+:)?v\s*/>|\s*<(?:[\w.-]+:)?v>\s*</)')
_ANY_REF = re.compile(rb'r="([A-Z]+)(\d+)"')
_EMPTY_AFTER = re.compile(rb"\s*(?:</|<(?:[\w.-]+:)?v\s*/>|<(?:[\w.-]+:)?v>\s*</)")


def col_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _letters(index: int) -> str:
    s, index = "", index + 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


@functools.lru_cache(maxsize=64)
def _greater(alphabet: str, value: str) -> str:
    """A regex for strings of this alphabet (no leading zeros) greater than ``value``:
    longer ones, or as long and greater at the first place they differ."""
    lo, hi = alphabet[0], alphabet[-1]
    first = alphabet[1] if alphabet == "0123456789" else lo
    n = len(value)
    options = [f"[{first}-{hi}][{lo}-{hi}]{{{n},}}"]
    for i, ch in enumerate(value):
        nxt = alphabet.index(ch) + 1
        if nxt < len(alphabet):
            options.append(re.escape(value[:i]) + f"[{alphabet[nxt]}-{hi}]" + (f"[{lo}-{hi}]{{{n - i - 1}}}" if n - i - 1 else ""))
    return "(?:" + "|".join(options) + ")"


@functools.lru_cache(maxsize=256)
def _above(max_row: int, max_col: int) -> re.Pattern:
    """A reference to a column right of ``max_col`` or a row below ``max_row``."""
    cols = _greater("ABCDEFGHIJKLMNOPQRSTUVWXYZ", _letters(max_col)).encode()
    rows = _greater("0123456789", str(max(max_row, 0))).encode()
    return re.compile(rb'r="(?:(' + cols + rb')\d|[A-Z]+(' + rows + rb')")')


class SheetGrid:
    """Fed a sheet's XML in pieces (``feed``), in order."""

    def __init__(self, max_cells: int, values_only: bool = False) -> None:
        self.max_cells = max_cells
        self.values_only = values_only   # the second pass: place only cells holding values
        self.min_row, self.min_col = MAX_ROWS + 1, MAX_COLUMNS
        self._head_cells = 0
        self.cells = 0            # cell elements, however written
        self.rows = 0             # row elements
        self.max_row = 0          # the last row any cell reaches (1-based)
        self.max_col = -1         # the last column any cell reaches (0-based)
        self.implicit = False     # some rows or cells say not where they are
        self.head: dict[int, list[int]] = {}   # row -> columns holding values, for the first value rows
        self._row = 0             # where the next implicit row and cell go
        self._col = -1
        self._carry = b""

    def off_grid(self) -> bool:
        """A reference past XFD, the last column."""
        return self.max_col >= MAX_COLUMNS

    def too_many_rows(self) -> bool:
        """Rows past Excel's last: by reference, or by counting rows that have none."""
        return self.max_row > MAX_ROWS or (self.implicit and self._row > MAX_ROWS)

    @property
    def first_row(self) -> int | None:
        return min(self.head) if self.head else None

    def area(self) -> int:
        """An upper bound of the cells calamine allocates for the sheet (exact
        after a pass with ``values_only``)."""
        if self.values_only:
            return max(0, self.max_row - self.min_row + 1) * max(0, self.max_col - self.min_col + 1)
        return self.max_row * (self.max_col + 1)

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self._carry + chunk if self._carry else chunk
        cut = len(data)
        if not final:
            # whole cells only: cut before the last cell or row that starts here
            starts = [m.start() for m in (_last(_CELL_START, data), _last(_ROW_START, data)) if m is not None]
            cut = max(starts) if starts and max(starts) > 0 else len(data)
        self._carry, data = data[cut:], data[:cut]
        if not data:
            return
        prefixed = b":" in data    # elements may carry a namespace prefix (x:c)
        cells = _count_cells(data, prefixed)
        rows = data.count(b"<row") + (data.count(b":row") if prefixed else 0)
        self.cells += cells
        self.rows += rows
        # a cell or row that does not say where it is: fewer references than elements
        implicit = data.count(b'r="') < cells + rows
        self.implicit = self.implicit or implicit
        if self.cells > self.max_cells or self.too_many_rows() or self.off_grid():
            return  # the caller refuses the sheet: no need to place its cells
        if self.values_only:
            self._value_bounds(data, implicit)
        elif len(self.head) < HEAD_VALUE_ROWS and self._head_cells < MAX_HEAD_CELLS and _has_values(data):
            self._walk(data, implicit)
        elif implicit:
            self._implicit(data)
        else:
            self._bounds(data)

    def _value_bounds(self, data: bytes, implicit: bool) -> None:
        """The exact rectangle of the cells holding values (a second pass, for a
        sheet whose references reach further than its values may)."""
        if implicit:
            self._walk(data, True)
            return
        refs = _VALUE_REF.findall(data)
        if refs:
            cols = {c for c, _ in refs}
            self.max_col = max(self.max_col, max(col_index(c) for c in cols))
            self.min_col = min(self.min_col, min(col_index(c) for c in cols))
            rows = [int(r) for r in {r for _, r in refs}]
            self.max_row, self.min_row = max(self.max_row, max(rows)), min(self.min_row, min(rows))

    def _bounds(self, data: bytes) -> None:
        """Largest row and column referenced, without visiting every cell:
        the last reference (rows come in order), then one search for any larger."""
        i = data.rfind(b'r="')
        while i >= 0:
            m = _ANY_REF.match(data, i)
            if m:
                self.max_row = max(self.max_row, int(m.group(2)))
                break
            i = data.rfind(b'r="', 0, i)
        pos, hits = 0, 0
        while True:
            m = _above(self.max_row, max(self.max_col, 0)).search(data, pos)
            if not m:
                break
            if m.group(1):
                self.max_col = col_index(m.group(1))
            else:
                self.max_row = int(m.group(2))
            pos, hits = m.end(), hits + 1
            if hits > 64:   # out of order: read every reference of this piece
                refs = _ANY_REF.findall(data)
                self.max_row = max([self.max_row] + [int(r) for r in {r for _, r in refs}])
                self.max_col = max([self.max_col] + [col_index(c) for c in {c for c, _ in refs}])
                break

    def _implicit(self, data: bytes) -> None:
        """Rows and cells without references, row by row (a sheet has at most
        1,048,576 rows): each row reaches as far as it has cells."""
        self._bounds(data)                      # the cells that do say where they are
        parts = data.split(b"<row") if b":row" not in data else _ROW_START.split(data)  # bytes.split is fast
        self._col += _count_cells(parts[0])
        self.max_col = max(self.max_col, self._col)
        for part in parts[1:]:
            m = _ROW_R.match(part)
            self._row = int(m.group(1)) if m else self._row + 1
            self._col = _count_cells(part) - 1
            self.max_col = max(self.max_col, self._col)
        self.max_row = max(self.max_row, self._row)

    def _walk(self, data: bytes, implicit: bool) -> None:
        """Every row and cell in turn, for the first rows that hold values."""
        for m in _TAG.finditer(data):
            kind, attrs, closed = m.group(1), m.group(2), m.group(3)
            ref = _R_ATTR.search(attrs)
            if kind == b"row":
                self._row = int(ref.group(2)) if ref and ref.group(2) else self._row + 1
                self._col = -1
                self.max_row = max(self.max_row, self._row)
                continue
            if ref and ref.group(1):
                self._col = col_index(ref.group(1))
                if ref.group(2):
                    self._row = int(ref.group(2))
            else:
                self._col += 1
            value = not closed and not _EMPTY_AFTER.match(data, m.end())
            if self.values_only:
                if value:
                    self.max_row, self.min_row = max(self.max_row, self._row), min(self.min_row, self._row)
                    self.max_col, self.min_col = max(self.max_col, self._col), min(self.min_col, self._col)
                continue
            self.max_row = max(self.max_row, self._row)
            self.max_col = max(self.max_col, self._col)
            if value:
                self._head_cells += 1
                if self._head_cells > MAX_HEAD_CELLS:
                    return
                if self._row in self.head or len(self.head) < HEAD_VALUE_ROWS:
                    self.head.setdefault(self._row, []).append(self._col)
                elif not implicit:     # the head is complete: the rest by references
                    self._bounds(data[m.start():])
                    return


def _count_cells(data: bytes, prefixed: bool = True) -> int:
    """Cell elements, with or without a namespace prefix (a few other elements
    that start <c, such as <col>, are counted too: a handful, outside the data)."""
    n = data.count(b"<c")
    if prefixed and b":c" in data:
        n += data.count(b":c ") + data.count(b":c>") + data.count(b":c/")
    return n


def _has_values(data: bytes) -> bool:
    return any(marker in data for marker in (b"<v>", b"<v ", b"<is>", b":v>", b":v ", b":is>"))


def _last(pattern: re.Pattern, data: bytes):
    """The last match of a short pattern, looking back from the end in steps."""
    step = 4096
    end = len(data)
    while end > 0:
        start = max(0, end - step)
        found = None
        for found in pattern.finditer(data, start, end):
            pass
        if found is not None:
            return found
        end, step = start, step * 4
    return None
