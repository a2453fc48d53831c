"""Deletions without false ones: a missing product is deleted when a lookup finds it gone or
when two completed scans in a row miss it; the rest are held in the bookmark as suspected.

A clean-up during a scan is made for real: the sandbox deletes products while the tap pages
through the catalogue, so later products shift up and some live ones are never served.
"""

from __future__ import annotations

import typing as t

import pytest

from tap_emag.bookmark import Bookmark, decode_ids, encode_ids
from tap_emag.emag_api import EmagAccountClient, RetriableEmagError
from tests.support.tap_runner import run_tap, tap_config


def _watch_calls(monkeypatch, *, on_page: t.Callable[[int], None] | None = None,
                 failing_lookups: bool = False) -> dict[str, list[int]]:
    """Record the ids served in pages and the ids looked up; optionally act before a page."""
    original = EmagAccountClient.call
    seen: dict[str, list[int]] = {"served": [], "looked_up": []}

    def call(self, resource, action, data):
        is_read = (resource, action) == ("product_offer", "read")
        if is_read and "id" in data:
            seen["looked_up"].append(data["id"])
            if failing_lookups:
                raise RetriableEmagError(self.account.name, "lookup failed (test)")
        if is_read and "currentPage" in data and on_page is not None:
            on_page(data["currentPage"])
        results = original(self, resource, action, data)
        if is_read and "currentPage" in data:
            seen["served"] += [row.get("id") for row in results]
        return results

    monkeypatch.setattr(EmagAccountClient, "call", call)
    return seen


def _ids(sandbox, account: str) -> list[int]:
    return [p["id"] for p in sandbox.catalog(account)]


def test_a_clean_up_during_the_scan_larger_than_the_limit_deletes_no_live_product(
        sandbox, monkeypatch):
    config = tap_config(sandbox, accounts=("main",), deletion_check_limit=3, max_in_flight=1)
    full = run_tap(config)
    gone: set[int] = set()

    def clean_up(page: int) -> None:
        if page == 3 and not gone:  # pages 1-2 are read: deletions there shift the rest up
            gone.update(sandbox.mutate("main", deleted=40, seed=21)["deleted"])

    calls = _watch_calls(monkeypatch, on_page=clean_up)
    first = run_tap(config, full.state)
    live = set(_ids(sandbox, "main"))
    shifted_out = live - set(calls["served"])
    assert shifted_out, "the clean-up should have hidden live products from the scan"
    run = first.sync_run("main")
    deleted = set(first.product_ids("main", deleted=True))
    assert deleted <= gone, f"live products reported deleted: {sorted(deleted - gone)}"
    assert len(calls["looked_up"]) == 3  # the limit
    suspected = Bookmark.decode(first.bookmark("main")).suspected
    assert shifted_out - set(calls["looked_up"]) <= suspected
    assert run["suspected"] == len(suspected) == first.bookmark("main")["products_suspected"]
    assert run["deleted"] == len(deleted)

    monkeypatch.undo()  # the next scans see every live product again
    second = run_tap(config, first.state)
    assert second.product_ids("main", deleted=False) == []  # suspects found again: unchanged
    # products deleted from pages already read were seen by the first scan: the second is
    # the first to miss them, so they are suspected or confirmed there, deleted by the third
    third = run_tap(config, second.state)
    deleted_later = {pid for run in (second, third) for pid in run.product_ids("main",
                                                                             deleted=True)}
    assert deleted | deleted_later == gone
    assert not deleted & deleted_later
    assert third.sync_run("main")["suspected"] == 0
    assert "suspected" not in third.bookmark("main")


def test_a_product_missed_by_two_completed_scans_is_deleted_without_a_lookup(
        sandbox, monkeypatch):
    config = tap_config(sandbox, accounts=("fbe",), deletion_check_limit=0)
    full = run_tap(config)
    gone = sandbox.mutate("fbe", deleted=4, seed=22)["deleted"]
    first = run_tap(config, full.state)
    assert first.product_ids("fbe", deleted=True) == []
    assert first.sync_run("fbe")["suspected"] == 4

    calls = _watch_calls(monkeypatch)
    second = run_tap(config, first.state)
    assert sorted(second.product_ids("fbe", deleted=True)) == sorted(gone)
    assert calls["looked_up"] == []
    assert second.sync_run("fbe")["deleted"] == 4


def test_a_failed_lookup_confirms_nothing(sandbox, monkeypatch):
    config = tap_config(sandbox, accounts=("fbe",))
    full = run_tap(config)
    gone = sandbox.mutate("fbe", deleted=2, seed=23)["deleted"]
    _watch_calls(monkeypatch, failing_lookups=True)
    first = run_tap(config, full.state)
    assert first.product_ids("fbe", deleted=True) == []
    assert Bookmark.decode(first.bookmark("fbe")).suspected == set(gone)


def test_a_filtered_scan_keeps_suspects_it_did_not_see(sandbox, monkeypatch):
    config = tap_config(sandbox, accounts=("fbe",), deletion_check_limit=0)
    full = run_tap(config)
    gone = set(sandbox.mutate("fbe", deleted=3, seed=24)["deleted"])
    first = run_tap(config, full.state)
    filtered = run_tap({**config, "filters": {"status": 1}}, first.state)
    assert filtered.product_ids("fbe", deleted=True) == []
    assert Bookmark.decode(filtered.bookmark("fbe")).suspected == gone
    after = run_tap(config, filtered.state)
    assert set(after.product_ids("fbe", deleted=True)) == gone


def test_full_reemit_emits_everything_and_still_deletes_and_counts(sandbox):
    config = tap_config(sandbox, accounts=("main",))
    full = run_tap(config)
    change = sandbox.mutate("main", changed=3, added=2, deleted=2, seed=25)
    reemit = run_tap({**config, "full_reemit": True}, full.state)
    run = reemit.sync_run("main")
    assert run["mode"] == "full_reemit"
    assert reemit.product_ids("main", deleted=False) == _ids(sandbox, "main")
    assert sorted(reemit.product_ids("main", deleted=True)) == change["deleted"]
    size = len(_ids(sandbox, "main"))
    assert (run["created"], run["updated"], run["unchanged"], run["deleted"]) == (
        2, 3, size - 5, 2)
    assert run["emitted"] == size
    assert run["bookmark_origin_run_id"] == full.sync_run("main")["run_id"]
    after = run_tap(config, reemit.state)
    assert after.records("products") == []


def test_without_a_bookmark_the_run_starts_a_new_chain(sandbox):
    config = tap_config(sandbox, accounts=("fbe",))
    first = run_tap(config)
    again = run_tap({**config, "full_reemit": True})  # a lost state, on the daily schedule
    run = again.sync_run("fbe")
    assert run["mode"] == "full" and run["bookmark_origin_run_id"] == run["run_id"]
    assert run["bookmark_origin_run_id"] != first.sync_run("fbe")["run_id"]
    assert again.bookmark("fbe")["origin_run_id"] == run["run_id"]


def test_suspects_cost_about_five_bytes_of_state_each():
    ids = set(range(1_000, 101_000, 10))
    encoded = encode_ids(ids)
    assert decode_ids(encoded) == ids
    assert len(encoded) <= 5.4 * len(ids) + 4


@pytest.mark.parametrize("entry, problem", [
    ({"fingerprints": "v1:", "suspected": "v1:AQAAAA=="}, "missing from the fingerprints"),
    ({"fingerprints": "v1:", "suspected": "v9:AQAAAA=="}, "unsupported suspected id list format"),
    ({"fingerprints": "v1:", "suspected": "v1:AQAA"}, "suspected id list state is truncated"),
    ({"fingerprints": "v1:"}, "no origin_run_id beside the fingerprints"),
])
def test_an_unreadable_suspect_list_is_an_error_naming_it(entry, problem):
    with pytest.raises(ValueError, match=problem):
        Bookmark.decode(entry)


def test_an_unreadable_bookmark_means_a_full_sync_with_a_warning(sandbox):
    config = tap_config(sandbox, accounts=("fbe",))
    state = {"bookmarks": {"products": {"accounts": {"fbe": {
        "fingerprints": "v1:", "suspected": "v1:AQAAAA=="}}}}}
    run = run_tap(config, state)
    assert run.sync_run("fbe")["mode"] == "full"
    assert "bookmark unreadable (suspected products missing from the fingerprints" in run.logs
