"""Shared pytest configuration.

Markers (setup.cfg): ``server`` for tests that need the real S3 or CKAN
servers (any test using the s3_server or ckan_server fixture is marked by
itself), ``browser`` for tests that drive headless Chromium.
`make test-fast` runs everything else.
"""
import pytest

# Real servers (moto S3, CKAN) for the publish tests: see tests/conftest_servers.py.
from conftest_servers import ckan_server, s3_server, servers_workdir  # noqa: F401

SERVER_FIXTURES = {"s3_server", "ckan_server"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.server)
