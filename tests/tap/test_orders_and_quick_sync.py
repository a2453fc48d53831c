"""Orders and the quick sync, against the sandbox: exact orders, no personal data, the offers
orders touched re-read by id (no page), the cap, and scan bookmarks left alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tap_emag.emag_time import from_emag
from tests.support.tap_runner import run_tap, tap_config


def _expected_touches(sandbox, account: str, state: dict) -> set[int]:
    """Offers named by the orders a run with this state reads: modified since its bookmark
    (whole seconds: the bookmark's own second is read again)."""
    (bookmark,) = [p["replication_key_value"] for p in state["bookmarks"]["orders"]["partitions"]
                   if p["context"]["account"] == account]
    since = dt.datetime.fromisoformat(bookmark) - dt.timedelta(seconds=1)
    return {line["product_id"] for order in sandbox.orders(account)
            if from_emag(order["modified"]) >= since for line in order["products"]}


def test_orders_load_exactly_with_both_types_and_exact_money(sandbox):
    run = run_tap(tap_config(sandbox))
    assert run.error is None, run.error
    for account, order_type in (("main", 3), ("fbe", 2)):
        served = {o["id"]: o for o in sandbox.orders(account)}
        loaded = {o["id"]: o for o in run.records("orders") if o["account"] == account}
        assert set(loaded) == set(served) and served
        for order_id, order in loaded.items():
            expected = served[order_id]
            assert order["type"] == expected["type"] == order_type
            assert order["status"] == expected["status"]
            assert order["modified"] == from_emag(expected["modified"]).isoformat()
            assert [(line["product_id"], line["quantity"], Decimal(str(line["sale_price"])))
                    for line in order["lines"]] == [
                (line["product_id"], line["quantity"], Decimal(line["sale_price"]))
                for line in expected["products"]]
        assert run.sync_run(account)["orders_read"] == len(served)


def test_no_personal_data_leaves_the_tap_unless_asked_for(sandbox):
    personal = set()
    for account in ("main", "fbe"):
        for order in sandbox.orders(account):
            customer = order["customer"]
            personal |= {str(customer[key]) for key in (
                "name", "email", "phone_1", "billing_street", "shipping_street")
                if customer.get(key)}
    assert personal
    plain = run_tap(tap_config(sandbox))
    assert not [value for value in personal if value in plain.stdout]
    full = run_tap(tap_config(sandbox, include_customer_data=True))
    assert all(order["customer"] for order in full.records("orders"))


def test_the_next_run_reads_only_orders_changed_since_its_bookmark(sandbox):
    config = tap_config(sandbox)
    first = run_tap(config)
    newest_before = max(from_emag(o["modified"]) for o in sandbox.orders("main"))
    change = sandbox.change_orders("main", place=3, cancel=1, advance=1, seed=9)
    second = run_tap(config, first.state)
    assert second.error is None, second.error
    served = {o["id"]: o for o in sandbox.orders("main")}
    emitted = {o["id"]: o for o in second.records("orders") if o["account"] == "main"}
    changed = {*change["placed"], *change["canceled"], *change["advanced"]}
    # every changed order is read again, as it is now (a change in the same whole second
    # as the order's last one leaves `modified` as it was: the status still tells)
    assert changed <= set(emitted)
    for order_id in changed:
        assert emitted[order_id]["status"] == served[order_id]["status"]
    # the bookmark's own second is read again (whole-second times); nothing older
    since = newest_before - dt.timedelta(seconds=1)
    assert all(from_emag(served[order_id]["modified"]) >= since for order_id in emitted)


def test_a_quick_run_rereads_by_id_exactly_the_offers_orders_touched(sandbox):
    scan = run_tap(tap_config(sandbox))
    quick_config = tap_config(sandbox, quick_sync=True)
    primed = run_tap(quick_config)  # a first quick run: its own orders bookmark
    changed = {account: set(sandbox.change_orders(account, place=4, cancel=1, seed=3)
                            ["product_ids"]) for account in ("main", "fbe")}
    touched = {account: _expected_touches(sandbox, account, primed.state)
               for account in ("main", "fbe")}
    assert all(changed[account] <= touched[account] for account in touched)
    sandbox.reset_stats()
    quick = run_tap(quick_config, primed.state)
    assert quick.error is None, quick.error
    stats = sandbox.stats()["accounts"]
    for account in ("main", "fbe"):
        catalogue = {p["id"]: p for p in sandbox.catalog(account)}
        emitted = {p["id"]: p for p in quick.records("products") if p["account"] == account}
        assert set(emitted) == touched[account]
        for product_id, record in emitted.items():
            assert record["general_stock"] == catalogue[product_id]["general_stock"]
        routes = stats[account]["requests"]["by_route"]
        # one read by id per touched offer: no page, no count, no categories or VAT
        assert routes.get("product_offer/read") == len(touched[account])
        assert set(routes) == {"order/read", "product_offer/read"}
        log = quick.sync_run(account)
        assert log["mode"] == "quick" and log["status"] == "completed"
        assert log["products_touched"] == len(touched[account])
        assert log["products_deferred"] == 0 and log["deleted"] == 0
        assert log["created"] is None
    assert "accounts" not in quick.state["bookmarks"].get("products", {})
    assert scan.state["bookmarks"]["products"]["accounts"]


def test_a_quick_run_leaves_the_scan_bookmarks_as_they_were(sandbox):
    """Even sharing one state with the scans, a quick run never changes their bookmark."""
    scan = run_tap(tap_config(sandbox))
    sandbox.change_orders("main", place=2, seed=4)
    quick = run_tap(tap_config(sandbox, quick_sync=True), scan.state)
    assert quick.state["bookmarks"]["products"] == scan.state["bookmarks"]["products"]
    assert not [p for p in quick.records("products") if p.get("_sdc_deleted_at")]


def test_touched_offers_beyond_the_cap_wait_for_the_next_scan(sandbox):
    quick_config = tap_config(sandbox, quick_sync=True, quick_sync_max_products=2)
    primed = run_tap(quick_config)
    sandbox.change_orders("main", place=5, seed=5)
    touched = _expected_touches(sandbox, "main", primed.state)
    assert len(touched) > 2
    quick = run_tap(quick_config, primed.state)
    emitted = {p["id"] for p in quick.records("products") if p["account"] == "main"}
    assert emitted == set(sorted(touched)[:2])
    log = quick.sync_run("main")
    assert (log["products_touched"], log["products_deferred"]) == (len(touched),
                                                                   len(touched) - 2)


def test_a_quick_run_that_fails_before_any_product_is_logged_as_quick(sandbox):
    """A failed quick run must not count as a failed scan in the sync log and its statistics."""
    config = tap_config(sandbox, quick_sync=True)
    config["accounts"][1]["password"] = "Not-the-fbe-pass-1"
    quick = run_tap(config)
    assert (quick.sync_run("fbe")["mode"], quick.sync_run("fbe")["status"]) == ("quick",
                                                                              "failed")
    assert (quick.sync_run("main")["mode"], quick.sync_run("main")["status"]) == ("quick",
                                                                               "completed")


def test_a_scan_reads_orders_from_its_bookmark_not_from_the_lookback(sandbox):
    """A scan reads orders ahead, before the SDK opens the orders stream: from the bookmark
    still, so an order older than the bookmark is never read again (nor emitted out of order)."""
    hour_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    sandbox.change_orders("main", place=2, seed=21, at=hour_ago)
    config = tap_config(sandbox)
    first = run_tap(config)
    (bookmark,) = [p["replication_key_value"]
                   for p in first.state["bookmarks"]["orders"]["partitions"]
                   if p["context"]["account"] == "main"]
    second = run_tap(config, first.state)
    assert second.error is None, second.error
    since = dt.datetime.fromisoformat(bookmark) - dt.timedelta(seconds=1)
    emitted = [o for o in second.records("orders") if o["account"] == "main"]
    assert emitted  # the bookmark's own second is read again
    assert all(dt.datetime.fromisoformat(o["modified"]) >= since for o in emitted)
