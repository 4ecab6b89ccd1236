"""openbook: validate, package, publish and compare UK open-book data.

The Python API under the command line::

    import openbook
    report = openbook.validate("anytown.xlsx")
    print(report.valid, report.errors)
    result = openbook.package("anytown.xlsx", out_dir="out")
    openbook.publish(result.path, to="catalogue")
    comparison = openbook.compare(["out/anytown-...", "out/brookshire-..."])
"""
__version__ = "0.1.0"

# Each stage lives in a module of the same name; importing a function from
# its module binds the module's name here first, then the function, so
# openbook.package is the function (``from openbook.package import ...`` still works).
from .compare import compare  # noqa: E402
from .errors import OpenbookError  # noqa: E402
from .package import package  # noqa: E402
from .publish import publish  # noqa: E402
from .validate import validate  # noqa: E402

__all__ = ["OpenbookError", "compare", "package", "publish", "validate"]
