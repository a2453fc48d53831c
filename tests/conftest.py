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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Fail any test whose output (stdout, stderr, logs, failure text) shows a password.

    The tests' own output is one more place a secret could leak to (CI logs keep it).
    """
    report = yield
    shown = "\n".join(text for _, text in report.sections)
    failure = report.longreprtext if report.failed else ""
    leaked = [account for account, secret in PASSWORDS.items() if secret in shown + failure]
    if leaked:
        for secret in PASSWORDS.values():
            failure = failure.replace(secret, "***")
            report.sections = [(name, text.replace(secret, "***"))
                               for name, text in report.sections]
        report.outcome = "failed"
        report.longrepr = (f"{failure}\nThe password of {', '.join(leaked)} appeared in this"
                           " test's output (shown here as ***).")
    return report


def pytest_terminal_summary(terminalreporter):
    """Print the reliability scenarios' figures, when any ran (docs/RELIABILITY.md)."""
    from tests.reliability import FIGURES

    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES.table():
            terminalreporter.write_line(line)
