"""Shared pytest configuration."""
# Real servers (moto S3, CKAN) for the publish tests: see tests/conftest_servers.py.
from conftest_servers import ckan_server, s3_server, servers_workdir  # noqa: F401
