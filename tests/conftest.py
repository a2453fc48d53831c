"""Shared fixtures: a real eMAG sandbox on a free port, and a way to run the tap in-process."""

from __future__ import annotations

import pytest

from emag_sandbox import AccountSpec, Sandbox
from tests.support.meltano_project import LocalPostgres
from tests.support.secrets_scan import secret_forms
from tests.support.tap_runner import PASSWORDS


@pytest.fixture
def sandbox():
    """A fast sandbox (no rate limits) with a MAIN and an FBE account, and a few orders."""
    accounts = [
        AccountSpec(name="main", username="main-user", password=PASSWORDS["main"], products=500),
        AccountSpec(name="fbe", username="fbe-user", password=PASSWORDS["fbe"], products=300),
    ]
    with Sandbox(accounts=accounts, seed=7, rate_limit=0, order_rate_limit=0) as sb:
        sb.place_orders("main", 12, seed=1)
        sb.place_orders("fbe", 8, seed=2)
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
    forms = secret_forms()
    failure = report.longreprtext if report.failed else ""
    shown = "\n".join(text for _, text in report.sections) + failure
    leaked = sorted({forms[form] for form in forms if form in shown})
    if leaked:
        for form in forms:
            failure = failure.replace(form, "***")
            report.sections = [(name, text.replace(form, "***"))
                               for name, text in report.sections]
        # captured output accumulates over setup, call and teardown: the teardown report
        # sees all of it, so a test that passed with a leak fails there
        if report.failed or report.when == "teardown":
            report.outcome = "failed"
            report.longrepr = (f"{failure}\n{len(leaked)} password(s) appeared in this test's"
                               " output (shown here as ***).")
    return report


def pytest_report_header():
    """The interruption scenarios draw their interruption point from this seed."""
    from tests.support.scenarios import SEED

    return f"reliability seed: {SEED} (replay: RELIABILITY_SEED={SEED})"


def pytest_terminal_summary(terminalreporter):
    """Print the reliability scenarios' figures, when any ran (docs/RELIABILITY.md)."""
    from tests.support.scenarios import FIGURES

    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES.table():
            terminalreporter.write_line(line)
