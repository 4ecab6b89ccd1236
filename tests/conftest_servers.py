"""Session fixtures that start real servers on 127.0.0.1 for the publish tests.

    s3_server    moto in server mode; yields its endpoint URL
    ckan_server  CKAN 2.12 + PostgreSQL + Redis + a Solr stand-in; yields a
                 CkanServer (url, token of a sysadmin, org: an existing organisation)

Each server starts once per test session, only if a test asks for it, and is
stopped by process id at the end (tests/servers/launch.py). They are
installed by tests/servers/install.sh (`make test` runs it). When they are
not installed, the tests that need them fail if CI=true and are skipped,
with the reason, otherwise.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from servers import launch


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"test servers unavailable (CI=true, so this is an error): {reason}", pytrace=False)
    pytest.skip(f"test servers unavailable: {reason}")


@pytest.fixture(scope="session")
def servers_workdir():
    # Not under pytest's tmp_path: PostgreSQL runs as the 'postgres' user when
    # we are root, and must be able to reach its folder.
    path = Path(tempfile.mkdtemp(prefix="openbook-servers-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_server(servers_workdir):
    """The endpoint URL of a moto S3 server (any credentials are accepted)."""
    try:
        moto = launch.MotoServer(servers_workdir)
    except launch.ServersUnavailable as exc:
        _unavailable(str(exc))
    moto.start()
    try:
        yield moto.url
    finally:
        moto.stop()


@dataclass
class CkanServer:
    url: str  # the site, e.g. http://127.0.0.1:5001
    token: str  # a sysadmin's API token
    org: str  # an organisation that exists (the test packages' slug)
    stack: launch.Ckan

    @property
    def target(self) -> str:
        return "ckan+" + self.url

    def stop(self) -> None:
        """Stop the CKAN web server (the database and files stay)."""
        self.stack.stop_ckan()

    def start(self) -> None:
        self.stack.start_ckan()


@pytest.fixture(scope="session")
def ckan_server(servers_workdir):
    try:
        stack = launch.Ckan(servers_workdir, max_resource_size_mb=1)
    except launch.ServersUnavailable as exc:
        _unavailable(str(exc))
    try:
        stack.start()
        yield CkanServer(stack.url, stack.token, stack.ORG, stack)
    finally:
        stack.stop()
