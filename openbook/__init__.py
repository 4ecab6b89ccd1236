"""openbook: validate, package, publish and compare UK open-book data.

The Python API under the command line::

    import openbook
    report = openbook.validate("anytown.xlsx")
    print(report.valid, report.errors)
    result = openbook.package("anytown.xlsx", out_dir="out")
    openbook.publish(result.path, to="catalogue")
    comparison = openbook.compare(["out/anytown-...", "out/brookshire-..."])

The stages are folders, and imports only point down the list:
standard -> read -> check -> report -> datapackage -> publish -> compare -> cli.
"""
from openbook.version import __version__  # noqa: E402,F401

from openbook.errors import OpenbookError  # noqa: E402
# publish and compare are subpackages named like their functions: binding the
# function after the subpackage keeps ``openbook.publish`` the function. Neither
# loads polars, so ``import openbook`` stays light.
from openbook.publish import publish  # noqa: E402
from openbook.compare import compare  # noqa: E402

__all__ = ["OpenbookError", "compare", "package", "publish", "validate"]

_LAZY = {"validate": "openbook.check.validate", "package": "openbook.datapackage.write"}


def __getattr__(name: str):
    """validate and package load polars: only when first used (PEP 562)."""
    if name in _LAZY:
        import importlib
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'openbook' has no attribute {name!r}")
