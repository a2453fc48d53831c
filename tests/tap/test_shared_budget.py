"""One account's budget, shared by the processes of a machine: a scan and a quick sync (or a
write-back run) of the same account together stay within eMAG's 3 requests/s."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
import requests

from emag_sandbox import AccountSpec, Sandbox
from tap_emag.paced_http import PacedAdapter
from tap_emag.rate_limit import RateLimiter
from tap_emag.shared_budget import SharedBudget
from tests.support.tap_runner import PASSWORDS, USERNAMES

EACH = 6  # requests per process

# The other process: its own RateLimiter on the same account's budget, nothing else shared.
OTHER_PROCESS = textwrap.dedent("""
    import sys, requests
    from tap_emag.paced_http import PacedAdapter
    from tap_emag.rate_limit import RateLimiter
    url, key, user, password, count = sys.argv[1:6]
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", PacedAdapter(RateLimiter(3, shared_key=key)))
    session.auth = (user, password)
    print("ready", flush=True)
    sys.stdin.readline()
    for page in range(int(count)):
        answer = session.post(url, json={"data": {"currentPage": page + 1}}, timeout=30)
        print(answer.status_code, flush=True)
""")


@pytest.fixture(autouse=True)
def lock_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("TAP_EMAG_LOCK_DIRECTORY", str(tmp_path / "locks"))
    return tmp_path / "locks"


def _sandbox() -> Sandbox:
    account = AccountSpec(name="main", username=USERNAMES["main"], password=PASSWORDS["main"],
                          products=300)
    return Sandbox(accounts=[account], seed=3, rate_limit=3)


@pytest.mark.parametrize("shared", [True, False], ids=["one-budget", "each-its-own"])
def test_two_processes_on_one_account_stay_within_its_budget_together(shared, lock_directory):
    with _sandbox() as sb:
        url = f"{sb.base_url}/product_offer/read"
        # the same key gives the same ledger; without one, each process paces only itself
        key = f"{sb.base_url}\n{USERNAMES['main']}\noffers"
        other = subprocess.Popen(
            [sys.executable, "-c", OTHER_PROCESS, url, key if shared else "", USERNAMES["main"],
             PASSWORDS["main"], str(EACH)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(lock_directory))
        assert other.stdout is not None and other.stdin is not None
        assert other.stdout.readline().strip() == "ready"
        session = requests.Session()
        session.trust_env = False
        session.mount("http://", PacedAdapter(RateLimiter(3, shared_key=key if shared else None)))
        session.auth = (USERNAMES["main"], PASSWORDS["main"])
        started = time.monotonic()
        other.stdin.write("go\n")
        other.stdin.flush()
        statuses = [session.post(url, json={"data": {"currentPage": page + 1}},
                                 timeout=30).status_code for page in range(EACH)]
        statuses += [int(line) for line in other.communicate(timeout=60)[0].split()]
        elapsed = time.monotonic() - started
        stats = sb.stats()["accounts"]["main"]
    if shared:
        assert statuses == [200] * 2 * EACH
        assert stats["throttled_429"] == 0
        assert stats["max_requests_in_any_1s_window"] <= 3
        assert elapsed >= (2 * EACH - 3) / 3  # 12 requests at 3/s: the first 3 go at once
    else:  # the failure the ledger prevents: two paced processes overrun the account together
        assert stats["max_requests_in_any_1s_window"] > 3 or stats["throttled_429"] > 0


def _env(lock_directory) -> dict[str, str]:
    import os

    return {**os.environ, "TAP_EMAG_LOCK_DIRECTORY": str(lock_directory)}


def test_the_ledger_lets_slots_go_then_waits_a_window(tmp_path):
    budget = SharedBudget("key", slots=3, window=0.5, directory=tmp_path)
    started = time.monotonic()
    for _ in range(3):
        budget.take_turn(margin=0.0)
    assert time.monotonic() - started < 0.2
    budget.take_turn(margin=0.0)
    assert time.monotonic() - started >= 0.5
    assert oct(budget.path.stat().st_mode & 0o777) == "0o600"
    # a torn line is skipped, not fatal
    budget.path.write_text("garbage\n")
    budget.take_turn(margin=0.0)
