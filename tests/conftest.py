"""Shared test configuration: hypothesis profiles and common fixtures."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
settings.register_profile("dev", max_examples=20, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: A date on which `woda_sharing.testing.example_agreement` is current.
EXAMPLE_TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def charter() -> dict[str, Any]:
    """A fresh valid example charter (wire form)."""
    from woda_sharing.testing import example_charter

    return example_charter()


@pytest.fixture
def agreement(charter: dict[str, Any]) -> dict[str, Any]:
    """A fresh valid example agreement under `charter` (wire form)."""
    from woda_sharing.testing import example_agreement

    return example_agreement(charter)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """One private PostgreSQL server for the whole session (the register's and the service's tests)."""
    import shutil
    import subprocess

    from tests.register.conftest import PostgresServer

    server = PostgresServer()
    try:
        server.start()
    except subprocess.CalledProcessError as e:
        shutil.rmtree(server.root, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {e.stderr.decode(errors='replace')}")
    try:
        yield server
    finally:
        server.stop()
