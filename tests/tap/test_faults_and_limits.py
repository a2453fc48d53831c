"""Rate-limit conformance (the sandbox counts requests per second) and retries under faults."""

from __future__ import annotations

import pytest

from emag_sandbox import AccountSpec, Sandbox
from tap_emag.reference_data import CATEGORY_PAGES_IN_FLIGHT
from tests.support.sandbox_process import SandboxProcess
from tests.support.tap_runner import PASSWORDS, USERNAMES, run_tap, tap_config


def _accounts(main: int, fbe: int) -> list[AccountSpec]:
    return [
        AccountSpec(name="main", username=USERNAMES["main"], password=PASSWORDS["main"],
                    products=main),
        AccountSpec(name="fbe", username=USERNAMES["fbe"], password=PASSWORDS["fbe"],
                    products=fbe),
    ]


@pytest.mark.parametrize("latency", ["0", "0.2", "0.8"])
def test_never_more_than_three_requests_in_any_second(latency):
    accounts = [f"{name}:{USERNAMES[name]}:{PASSWORDS[name]}:{size}"
                for name, size in (("main", 1400), ("fbe", 600))]
    with SandboxProcess(accounts, "--rate-limit", "3", "--latency", latency) as sb:
        run = run_tap(tap_config(sb, requests_per_second=3, max_in_flight=4))
        stats = sb.stats()
        assert run.product_ids("main") == [p["id"] for p in sb.catalog("main")]
    assert run.error is None
    for account in ("main", "fbe"):
        assert stats["accounts"][account]["max_requests_in_any_1s_window"] <= 3
        assert stats["accounts"][account]["throttled_429"] == 0
        assert run.sync_run(account)["throttled"] == 0
    # the accounts are read at the same time, each within its own budget
    main, fbe = run.sync_run("main"), run.sync_run("fbe")
    assert fbe["started_at"] < main["finished_at"] and main["started_at"] < fbe["finished_at"]


def test_429s_are_honoured_and_retried_until_everything_is_read():
    with Sandbox(accounts=_accounts(800, 100), seed=5, rate_limit=3) as sb:
        run = run_tap(tap_config(sb, accounts=("main",), requests_per_second=8,
                                 max_in_flight=4, max_retries=10))
        served = [p["id"] for p in sb.catalog("main")]
        throttled = sb.stats()["accounts"]["main"]["throttled_429"]
    assert run.error is None
    assert run.product_ids("main") == served
    assert throttled > 0
    assert run.sync_run("main")["throttled"] == throttled


@pytest.mark.parametrize("kind", ["429", "500", "502", "503", "504", "timeout", "truncated",
                                  "iserror"])
def test_each_fault_kind_is_retried(kind):
    with Sandbox(accounts=_accounts(600, 100), seed=9, rate_limit=0, fault_rate=0.3,
                 fault_kinds=(kind,), timeout_delay=1.5) as sb:
        # a short timeout only where timeouts are the fault: on a loaded machine it would
        # add timeouts to every other kind's faults, and spend the retries of one call
        run = run_tap(tap_config(sb, accounts=("main",), max_retries=8,
                                 request_timeout=0.5 if kind == "timeout" else 5))
        served = [p["id"] for p in sb.catalog("main")]
        injected = sum(sb.stats()["accounts"]["main"]["faults"].values())
    assert run.error is None, run.error
    assert run.product_ids("main") == served
    assert injected > 0
    assert run.sync_run("main")["retries"] >= injected


def test_mixed_faults_on_two_accounts_lose_nothing():
    with Sandbox(accounts=_accounts(1500, 900), seed=21, rate_limit=0, fault_rate=0.15,
                 timeout_delay=1.0) as sb:
        run = run_tap(tap_config(sb, request_timeout=0.4, max_retries=10))
        for account in ("main", "fbe"):
            assert run.product_ids(account) == [p["id"] for p in sb.catalog(account)]
    assert run.error is None


def test_retries_are_bounded():
    with Sandbox(accounts=_accounts(300, 100), seed=2, rate_limit=0, fault_rate=1.0,
                 fault_kinds=("503",)) as sb:
        run = run_tap(tap_config(sb, accounts=("main",), max_retries=2, max_in_flight=1))
        requests = sb.stats()["accounts"]["main"]["requests"]
    assert run.error is not None
    assert run.sync_run("main")["status"] == "failed"
    # max_retries=2: three attempts per call, for each of the orders of both types (read at
    # once), count, page 1, the first category pages (CATEGORY_PAGES_IN_FLIGHT of them, read
    # at once) and VAT
    calls = 2 + 1 + 1 + CATEGORY_PAGES_IN_FLIGHT + 1
    assert requests["by_route"] == {"order/read": 6, "product_offer/count": 3,
                                    "product_offer/read": 3,
                                    "category/read": 3 * CATEGORY_PAGES_IN_FLIGHT,
                                    "vat/read": 3}
    assert run.sync_run("main")["requests"] == requests["total"] == 3 * calls
    assert run.sync_run("main")["order_requests"] == 6
    assert run.sync_run("main")["retries"] == 2 * calls
