"""Shared fixtures: a real eMAG sandbox on a free port, and a way to run the tap in-process."""

from __future__ import annotations

import pytest

from emag_sandbox import AccountSpec, Sandbox
from tests.pipeline import LocalPostgres
from tests.tap_runner import PASSWORDS


@pytest.fixture
def sandbox():
    """A fast sandbox (no rate limit) with a MAIN and an FBE account."""
    accounts = [
        AccountSpec(name="main", username="main-user", password=PASSWORDS["main"], products=500),
        AccountSpec(name="fbe", username="fbe-user", password=PASSWORDS["fbe"], products=300),
    ]
    with Sandbox(accounts=accounts, seed=7, rate_limit=0) as sb:
        yield sb


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """A real Postgres per test module, started the way `make up` starts it."""
    server = LocalPostgres(tmp_path_factory.mktemp("pgdata"))
    yield server
    server.stop()
