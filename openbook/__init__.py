"""openbook: validate, package, publish and compare UK open-book data.

The Python API under the command line::

    import openbook
    report = openbook.validate("anytown.xlsx")
    print(report.valid, report.errors)
"""
__version__ = "0.1.0"

from .errors import OpenbookError  # noqa: E402
from .validate import validate  # noqa: E402

__all__ = ["OpenbookError", "validate"]
