"""openbook compare: set bodies side by side (see docs/compare.md)."""
from openbook.compare.core import compare

__all__ = ["compare"]
