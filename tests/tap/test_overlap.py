"""An account another run still holds is skipped: nothing read, bookmarks kept, a sync-log row
that names the holder; the other accounts sync as usual."""

from __future__ import annotations

import pytest

from tap_emag.run_lock import AccountLock
from tests.support.tap_runner import USERNAMES, run_tap, tap_config


@pytest.fixture
def main_held_by_another_run(sandbox):
    lock = AccountLock(sandbox.base_url, USERNAMES["main"], "scan")
    assert lock.acquire("run-still-going") is None
    yield
    lock.release()


def _orders_bookmark(state: dict, account: str) -> str:
    (value,) = [p["replication_key_value"] for p in state["bookmarks"]["orders"]["partitions"]
                if p["context"]["account"] == account]
    return value


def test_a_held_account_is_skipped_and_keeps_its_bookmarks(sandbox):
    config = tap_config(sandbox)
    before = run_tap(config)
    sandbox.mutate("main", changed=5, seed=3)
    lock = AccountLock(sandbox.base_url, USERNAMES["main"], "scan")
    assert lock.acquire("run-still-going") is None
    try:
        sandbox.reset_stats()
        run = run_tap(config, before.state)
        stats = sandbox.stats()["accounts"]
    finally:
        lock.release()
    assert run.error is None, run.error
    log = run.sync_run("main")
    assert (log["mode"], log["status"], log["requests"], log["pages_fetched"]) == (
        "skipped", "skipped", 0, 0)
    assert "run run-still-going" in log["error_messages"][0]
    assert "is still running a scan of this account" in log["error_messages"][0]
    assert "skipped: run run-still-going" in run.logs
    # nothing of MAIN read or emitted, its bookmarks as they were; FBE synced as usual
    assert not stats["main"]["requests"]["by_route"]
    assert not [r for stream in ("products", "orders", "categories", "vat_rates")
                for r in run.records(stream) if r["account"] == "main"]
    assert run.bookmark("main") == before.bookmark("main")
    assert _orders_bookmark(run.state, "main") == _orders_bookmark(before.state, "main")
    assert run.sync_run("fbe")["status"] == "completed"
    assert stats["fbe"]["requests"]["by_route"].get("product_offer/read")

    after = run_tap(config, run.state)  # the lock is free again: MAIN is scanned
    assert after.sync_run("main")["mode"] == "incremental"
    assert after.sync_run("main")["bookmark_origin_run_id"] == before.sync_run("main")["run_id"]


def test_a_first_run_skipping_an_account_leaves_it_without_a_bookmark(sandbox,
                                                                      main_held_by_another_run):
    run = run_tap(tap_config(sandbox))
    assert run.error is None, run.error
    assert "main" not in run.state["bookmarks"]["products"]["accounts"]
    assert run.sync_run("main")["status"] == "skipped"
    assert run.bookmark("fbe")


def test_a_quick_run_is_not_held_back_by_a_scan(sandbox, main_held_by_another_run):
    quick = run_tap(tap_config(sandbox, quick_sync=True))
    assert quick.error is None, quick.error
    assert quick.sync_run("main")["mode"] == "quick"
    assert quick.sync_run("main")["status"] == "completed"
