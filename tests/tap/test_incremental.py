"""Incremental sync by content fingerprints against the sandbox.

The issue's scenario: MAIN 5,000 and FBE 3,000 products; a second run emits nothing; after 50
changes, 10 additions and 5 deletions the next run emits exactly those 65.
"""

from __future__ import annotations

import re

import pytest

from emag_sandbox import AccountSpec, Sandbox
from tests.support.tap_runner import PASSWORDS, USERNAMES, run_tap, tap_config


@pytest.fixture(scope="module")
def seller():
    accounts = [
        AccountSpec(name="main", username=USERNAMES["main"], password=PASSWORDS["main"],
                    products=5000),
        AccountSpec(name="fbe", username=USERNAMES["fbe"], password=PASSWORDS["fbe"],
                    products=3000),
    ]
    with Sandbox(accounts=accounts, seed=11, rate_limit=0) as sb:
        yield sb


def _catalogue_ids(sandbox, account: str) -> list[int]:
    return [p["id"] for p in sandbox.catalog(account)]


def test_full_then_unchanged_then_exactly_the_changes(seller):
    config = tap_config(seller)

    first = run_tap(config)
    assert first.error is None
    for account, size in (("main", 5000), ("fbe", 3000)):
        assert first.product_ids(account) == _catalogue_ids(seller, account)
        assert len(first.product_ids(account)) == size
        run = first.sync_run(account)
        assert (run["mode"], run["status"]) == ("full", "completed")
        # no bookmark: new, changed and unchanged cannot be told apart (the sync log reads
        # them from the history), and this run starts the chain of bookmarks
        assert (run["created"], run["updated"], run["unchanged"], run["deleted"]) == (
            None, None, None, 0)
        assert (run["emitted"], run["suspected"]) == (size, 0)
        assert run["bookmark_origin_run_id"] == run["run_id"]
        assert run["products_seen"] == size
        assert run["pages_fetched"] == size // 100 + 1
        assert len(first.bookmark(account)["fingerprints"]) <= 40 * size

    second = run_tap(config, first.state)
    assert second.error is None
    assert second.records("products") == []
    for account, size in (("main", 5000), ("fbe", 3000)):
        run = second.sync_run(account)
        assert (run["mode"], run["status"]) == ("incremental", "completed")
        assert (run["created"], run["updated"], run["unchanged"], run["deleted"]) == (0, 0, size, 0)
        assert run["emitted"] == 0
        assert run["bookmark_origin_run_id"] == first.sync_run(account)["run_id"]

    change = seller.mutate("main", changed=50, added=10, deleted=5, seed=3)
    third = run_tap(config, second.state)
    assert third.error is None
    assert sorted(third.product_ids("main", deleted=False)) == sorted(
        change["changed"] + change["added"])
    assert sorted(third.product_ids("main", deleted=True)) == sorted(change["deleted"])
    assert len(third.records("products")) == 65
    assert third.product_ids("fbe") == []
    main_run = third.sync_run("main")
    assert (main_run["created"], main_run["updated"], main_run["deleted"]) == (10, 50, 5)
    assert main_run["unchanged"] == 5000 - 50 - 5
    assert third.sync_run("fbe")["unchanged"] == 3000

    served = {p["id"]: p for p in seller.catalog("main")}
    for record in third.records("products"):
        if record["_sdc_deleted_at"]:
            assert record["id"] not in served
        else:
            assert record["sale_price"] == pytest.approx(float(served[record["id"]]["sale_price"]))
            assert record["version_observed_at"] and record["content_hash"]

    fourth = run_tap(config, third.state)
    assert fourth.records("products") == []
    assert fourth.sync_run("main")["unchanged"] == 5005


def test_records_carry_account_hash_observation_time_and_run(seller):
    run = run_tap(tap_config(seller, accounts=("fbe",)))
    record = run.records("products")[0]
    assert record["account"] == "fbe"
    assert len(record["content_hash"]) == 16
    assert record["version_observed_at"].endswith("+00:00")
    assert record["run_id"] == run.sync_run("fbe")["run_id"]


def test_without_state_every_product_is_emitted_again(seller):
    config = tap_config(seller, accounts=("fbe",))
    first = run_tap(config)
    again = run_tap(config)  # what --full-refresh does: no state
    assert again.product_ids("fbe") == first.product_ids("fbe")
    assert again.sync_run("fbe")["mode"] == "full"


def test_each_account_has_its_own_bookmark(seller):
    config = tap_config(seller)
    first = run_tap(tap_config(seller, accounts=("main",)))
    both = run_tap(config, first.state)
    assert both.product_ids("main") == []
    assert len(both.product_ids("fbe")) == len(seller.catalog("fbe"))
    assert both.sync_run("main")["mode"] == "incremental"
    assert both.sync_run("fbe")["mode"] == "full"


def test_a_filtered_sync_emits_no_deletions_and_keeps_the_bookmark_whole(seller):
    config = tap_config(seller, accounts=("fbe",))
    full = run_tap(config)
    filtered = run_tap({**config, "filters": {"status": 2}}, full.state)
    run = filtered.sync_run("fbe")
    assert run["filtered"] is True and run["deleted"] == 0
    assert run["products_seen"] < len(seller.catalog("fbe"))
    after = run_tap(config, filtered.state)
    assert after.records("products") == []


def test_run_id_comes_from_meltano_when_set(seller, monkeypatch):
    monkeypatch.setenv("MELTANO_RUN_ID", "4d1c5a52-0000-4000-8000-000000000001")
    run = run_tap(tap_config(seller, accounts=("fbe",)))
    assert run.sync_run("fbe")["run_id"] == "4d1c5a52-0000-4000-8000-000000000001"


def test_progress_lines_and_a_summary_per_account(seller):
    run = run_tap(tap_config(seller, accounts=("fbe",), progress_interval_seconds=0))
    # the count arrives alongside the first pages: from then on lines carry page n/N
    assert re.search(r"fbe: page \d+/30 \(\d+%\), \d+ products", run.logs)
    assert "fbe: page 30/30 (100%), 3000 products" in run.logs
    assert "products/s, ETA" in run.logs
    assert "fbe: full sync completed in" in run.logs
    assert "3000 products seen, 3000 emitted, 0 deleted, 0 suspected" in run.logs
