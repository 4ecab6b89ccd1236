"""The one URL dispatcher: which target module serves an address.

    target("catalogue")                                 a folder (local.py)
    target("s3://bucket/prefix")                        S3 or S3-compatible (s3.py)
    target("ckan+https://host")                         a CKAN site (ckan.py)
    target("ckan+https://host/organization/NAME")       ...to read one organisation back

Each target module has the same two functions: ``publish(pkg, to, ...)``
writes a package, and ``packages(source)`` reads packages back (what
``compare`` counts). Both publish and compare come through here.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from openbook.errors import OpenbookError, scrub

KINDS = ("local", "s3", "ckan")


@dataclass(frozen=True)
class Target:
    kind: str  # one of KINDS: the module in openbook.publish that serves it
    address: str  # as the user gave it

    @property
    def module(self) -> ModuleType:
        return importlib.import_module(f"openbook.publish.{self.kind}")

    def packages(self, **options) -> list:
        """The packages found at this address (openbook.datapackage.contract.Package)."""
        return self.module.packages(self.address, **options)


def target(address: str) -> Target:
    """The Target an address names; OpenbookError for an unknown kind of address."""
    text = str(address)
    lowered = text.lower()
    if lowered.startswith("s3://"):
        return Target("s3", text)
    if lowered.startswith(("ckan+http://", "ckan+https://")):
        return Target("ckan", text)
    if "://" in text:
        raise OpenbookError(f"{scrub(text)}: unknown kind of target. Use a folder path, s3://bucket/prefix "
                            "or ckan+https://host.")
    return Target("local", text)
