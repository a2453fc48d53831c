"""Offer writes: offer/save (light) and offer_stock/{id} as a client sees them through HTTP.

Refusals per offer (bounds, FBE stock, unknown id, malformed values, campaigns), the 50-offer
limit, the 3 requests/s budget shared with reads, the read routes showing what was applied,
the write log of /_admin/writes, orders on a chosen offer, and the state-file replay.
"""

import argparse
import time
from decimal import Decimal

import pytest
import requests

from emag_sandbox import AccountSpec, Sandbox
from emag_sandbox.cli import _account
from tests.sandbox.sandbox_helpers import FBE, MAIN, post, session, start
from tests.support.sandbox_process import SandboxProcess

FBE_SESSION = ("fbe-user", "fbe-pass")


def save(s, sb, offers):
    """POST offer/save with ``{"data": offers}``; returns the decoded envelope."""
    r = post(s, sb, "offer/save", offers)
    assert r.status_code == 200, r.text
    return r.json()


def patch_stock(s, sb, offer_id, value, warehouse_id=1):
    r = s.patch(f"{sb.base_url}/offer_stock/{offer_id}",
                json={"stock": [{"warehouse_id": warehouse_id, "value": value}]}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def read_offer(s, sb, offer_id):
    body = post(s, sb, "product_offer/read", {"id": offer_id}).json()
    assert body["isError"] is False, body
    (record,) = body["results"]
    return record


def offers(sb, account="main", *, wide=None, minimum_stock=0):
    """Records of the account, optionally only those with the wide default bounds (or not)."""
    out = []
    for rec in sb.catalog(account):
        if "min_sale_price" not in rec or rec["general_stock"] < minimum_stock:
            continue
        if wide is None or (rec["min_sale_price"] == "1.0000") == wide:
            out.append(rec)
    return out


def unknown_id(sb, account="main"):
    """The smallest id the account has no offer with."""
    taken = {r["id"] for r in sb.catalog(account)}
    return next(i for i in range(1, len(taken) + 2) if i not in taken)


@pytest.fixture
def sb():
    sandbox = start()
    yield sandbox
    sandbox.stop()


# ---- applied changes --------------------------------------------------------------------


def test_save_applies_price_status_and_stock_as_the_read_routes_show_them(sb):
    s = session()
    a, b = offers(sb, wide=True, minimum_stock=5)[:2]
    reserved = a["general_stock"] - a["estimated_stock"]
    body = save(s, sb, [{"id": a["id"], "sale_price": 82.6364, "status": 0,
                         "stock": [{"warehouse_id": 1, "value": 40}]},
                        {"id": b["id"], "sale_price": "19.9"}])
    assert body == {"isError": False, "messages": [],
                    "results": [{"id": a["id"], "applied": True},
                                {"id": b["id"], "applied": True}]}
    after = read_offer(s, sb, a["id"])
    assert after["sale_price"] == "82.6364"
    assert after["status"] == 0
    assert after["general_stock"] == 40
    assert after["stock"][0]["value"] == 40
    assert after["estimated_stock"] == 40 - reserved  # what orders reserved stays reserved
    assert read_offer(s, sb, b["id"])["sale_price"] == "19.9000"
    # the rest of the record is untouched, and a page read and the admin catalogue agree
    untouched = {k: v for k, v in a.items()
                 if k not in ("sale_price", "status", "general_stock", "estimated_stock",
                              "stock", "availability", "recommended_price",
                              "best_offer_sale_price",
                              "best_offer_recommended_price", "manufacturer",
                              "eu_representative", "safety_information")}
    assert {k: after[k] for k in untouched} == untouched
    listed = next(r for r in sb.catalog("main") if r["id"] == a["id"])
    assert listed["sale_price"] == "82.6364" and listed["general_stock"] == 40
    # the status filter of product_offer/read sees the new status
    inactive = post(s, sb, "product_offer/read", {"status": 0, "itemsPerPage": 100}).json()
    assert a["id"] in [r["id"] for r in inactive["results"]]


def test_an_offer_with_only_its_id_changes_nothing_and_is_applied(sb):
    s = session()
    a = offers(sb)[0]
    assert save(s, sb, [{"id": a["id"]}])["results"] == [{"id": a["id"], "applied": True}]
    assert read_offer(s, sb, a["id"])["sale_price"] == a["sale_price"]


# ---- refusals ---------------------------------------------------------------------------


def test_refused_offers_leave_the_others_applied_with_one_message_each(sb):
    s = session()
    narrow = offers(sb, wide=False)[0]
    ok_a, ok_b, bad_neg, bad_stock, bad_status, bad_key = offers(sb, wide=True)[:6]
    too_high = Decimal(narrow["max_sale_price"]) + Decimal("0.0001")
    unknown = unknown_id(sb)
    body = save(s, sb, [
        {"id": ok_a["id"], "sale_price": 10},
        {"id": narrow["id"], "sale_price": str(too_high)},
        {"id": unknown, "status": 1},
        {"id": bad_neg["id"], "sale_price": -5},
        {"id": bad_stock["id"], "stock": [{"warehouse_id": 1, "value": 65536}]},
        {"id": bad_status["id"], "status": 3},
        {"id": bad_key["id"], "vat_id": 2},
        {"id": ok_b["id"], "status": 2},
    ])
    assert body["isError"] is True
    assert body["results"] == [
        {"id": ok_a["id"], "applied": True}, {"id": narrow["id"], "applied": False},
        {"id": unknown, "applied": False}, {"id": bad_neg["id"], "applied": False},
        {"id": bad_stock["id"], "applied": False}, {"id": bad_status["id"], "applied": False},
        {"id": bad_key["id"], "applied": False}, {"id": ok_b["id"], "applied": True}]
    assert body["messages"][:3] == [
        f"offer {narrow['id']}: sale_price {too_high} is outside min_sale_price "
        f"{narrow['min_sale_price']} .. max_sale_price {narrow['max_sale_price']}",
        f"offer {unknown}: no such offer",
        f"offer {bad_neg['id']}: sale_price must be a number greater than 0 with at most 4 "
        f"decimals, got -5",
    ]
    assert body["messages"][3].startswith(f"offer {bad_stock['id']}: stock value must be an "
                                          f"integer 0..65535")
    assert body["messages"][4] == f"offer {bad_status['id']}: status must be 0, 1 or 2, got 3"
    assert body["messages"][5].startswith(f"offer {bad_key['id']}: vat_id not accepted")
    assert len(body["messages"]) == 6
    assert read_offer(s, sb, ok_a["id"])["sale_price"] == "10.0000"
    assert read_offer(s, sb, ok_b["id"])["status"] == 2
    for refused in (narrow, bad_neg, bad_stock, bad_status, bad_key):
        now = read_offer(s, sb, refused["id"])
        assert (now["sale_price"], now["status"], now["general_stock"]) == (
            refused["sale_price"], refused["status"], refused["general_stock"])


def test_a_refused_key_refuses_the_whole_offer(sb):
    s = session()
    narrow = offers(sb, wide=False)[0]
    body = save(s, sb, [{"id": narrow["id"], "status": 0, "sale_price": "0.0100"}])
    assert body["isError"] is True and body["results"] == [{"id": narrow["id"],
                                                            "applied": False}]
    assert read_offer(s, sb, narrow["id"])["status"] == narrow["status"]


def test_more_than_50_offers_are_refused_as_a_whole(sb):
    s = session()
    records = offers(sb, wide=True)[:51]
    before = sb.catalog("main")
    body = save(s, sb, [{"id": r["id"], "sale_price": 11} for r in records])
    assert body["isError"] is True and body["results"] == []
    assert "Maximum 50 offers per request" in body["messages"][0]
    assert sb.catalog("main") == before
    body = save(s, sb, [{"id": r["id"], "sale_price": 11} for r in records[:50]])
    assert body["isError"] is False and len(body["results"]) == 50


@pytest.mark.parametrize("bad_body", [{}, {"data": {"id": 1}}, {"data": []}, {"data": "x"}])
def test_a_request_without_a_list_of_offers_is_an_error(sb, bad_body):
    r = post(session(), sb, "offer/save", body=bad_body)
    assert r.status_code == 200
    assert r.json()["isError"] is True and r.json()["results"] == []


def test_fbe_stock_is_refused_but_its_price_is_written(sb):
    s = session(*FBE_SESSION)
    a, b = offers(sb, "fbe", wide=True)[:2]
    body = save(s, sb, [{"id": a["id"], "stock": [{"warehouse_id": 1, "value": 7}]},
                        {"id": b["id"], "sale_price": 123.45}])
    assert body["messages"] == [
        f"offer {a['id']}: stock of a fulfilled-by-eMAG offer is managed by eMAG"]
    assert body["results"] == [{"id": a["id"], "applied": False},
                               {"id": b["id"], "applied": True}]
    assert read_offer(s, sb, a["id"])["general_stock"] == a["general_stock"]
    assert read_offer(s, sb, b["id"])["sale_price"] == "123.4500"
    body = patch_stock(s, sb, a["id"], 7)
    assert body["isError"] is True
    assert body["messages"] == [
        f"offer {a['id']}: stock of a fulfilled-by-eMAG offer is managed by eMAG"]


def test_the_first_price_write_fixes_the_bounds_it_was_checked_against(sb):
    s = session()
    narrow = offers(sb, wide=False)[0]
    low, high = Decimal(narrow["min_sale_price"]), Decimal(narrow["max_sale_price"])
    assert save(s, sb, [{"id": narrow["id"], "sale_price": str(high)}])["isError"] is False
    after = read_offer(s, sb, narrow["id"])
    assert (after["min_sale_price"], after["max_sale_price"]) == (
        narrow["min_sale_price"], narrow["max_sale_price"])
    # 140 % of the new price would be inside bounds that followed the price: still refused
    body = save(s, sb, [{"id": narrow["id"], "sale_price": str(high * Decimal("1.4"))}])
    assert body["isError"] is True and "is outside" in body["messages"][0]
    assert save(s, sb, [{"id": narrow["id"], "sale_price": str(low)}])["isError"] is False


# ---- offer_stock ------------------------------------------------------------------------


def test_offer_stock_patch_writes_the_stock_of_one_offer(sb):
    s = session()
    a = offers(sb, minimum_stock=4)[0]
    reserved = a["general_stock"] - a["estimated_stock"]
    body = patch_stock(s, sb, a["id"], 0)
    assert body == {"isError": False, "messages": [], "results": [{"id": a["id"],
                                                                    "applied": True}]}
    after = read_offer(s, sb, a["id"])
    assert after["general_stock"] == 0 and after["stock"][0]["value"] == 0
    assert after["estimated_stock"] == max(0, 0 - reserved)
    assert patch_stock(s, sb, a["id"], 65535)["isError"] is False
    assert read_offer(s, sb, a["id"])["general_stock"] == 65535
    refused = patch_stock(s, sb, a["id"], -1)
    assert refused["isError"] is True and refused["results"] == [{"id": a["id"],
                                                                  "applied": False}]
    assert "stock value must be an integer 0..65535" in refused["messages"][0]
    assert "no warehouse 2" in patch_stock(s, sb, a["id"], 5, warehouse_id=2)["messages"][0]
    missing = unknown_id(sb)
    assert patch_stock(s, sb, missing, 5)["messages"] == [f"offer {missing}: no such offer"]
    r = s.patch(f"{sb.base_url}/offer_stock/{a['id']}", json={"sale_price": 3}, timeout=10)
    assert r.json()["isError"] is True and "'stock'" in r.json()["messages"][0]
    r = s.post(f"{sb.base_url}/offer_stock/{a['id']}", json={"stock": []}, timeout=10)
    assert r.status_code == 405 and r.headers["Allow"] == "PATCH"
    r = s.patch(f"{sb.base_url}/offer/save", json={"data": [{"id": a["id"]}]}, timeout=10)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


# ---- the shared budget ------------------------------------------------------------------


def test_reads_and_writes_share_the_3_per_second_budget():
    sb = start(rate_limit=3.0)
    try:
        s = session()
        a = next(r for r in offers(sb) if r["status"] != 0)  # the Python API: no budget spent
        codes = [post(s, sb, "product_offer/read", {"itemsPerPage": 1}).status_code,
                 post(s, sb, "offer/save", [{"id": a["id"], "status": 0}]).status_code,
                 post(s, sb, "product_offer/read", {"itemsPerPage": 1}).status_code,
                 post(s, sb, "offer/save", [{"id": a["id"], "status": 2}]).status_code,
                 s.patch(f"{sb.base_url}/offer_stock/{a['id']}",
                         json={"stock": [{"warehouse_id": 1, "value": 3}]},
                         timeout=10).status_code]
        assert codes == [200, 200, 200, 429, 429]
        stats = sb.stats()["main"]
        assert stats["throttled_429"] == 2
        assert stats["requests"]["by_route"] == {"offer/save": 2, "offer_stock": 1,
                                                 "product_offer/read": 2}
        time.sleep(1.05)
        now = read_offer(s, sb, a["id"])
        assert now["status"] == 0 and now["general_stock"] == a["general_stock"]
        log = sb.writes("main")
        assert [(w["route"], w["outcome"], w["status"]) for w in log["requests"]] == [
            ("offer/save", "answered", 200), ("offer/save", "throttled", 429),
            (f"offer_stock/{a['id']}", "throttled", 429)]
        assert log["requests"][1]["results"] == [] and log["requests"][1]["ids"] == [a["id"]]
    finally:
        sb.stop()


# ---- the write log ----------------------------------------------------------------------


def test_admin_writes_reports_each_request_with_its_offers_and_answers(sb):
    s = session()
    narrow = offers(sb, wide=False)[0]
    a, b = [r for r in offers(sb, wide=True) if r["status"] == 1][:2]
    t0 = time.time()
    save(s, sb, [{"id": a["id"], "sale_price": 5}, {"id": narrow["id"], "sale_price": "0.0001"}])
    patch_stock(s, sb, b["id"], 12)
    sb.configure(fault_rate=1.0, fault_kinds=["500"])
    assert post(s, sb, "offer/save", [{"id": b["id"], "status": 0}]).status_code == 500
    sb.configure(fault_rate=0.0)
    log = requests.get(f"{sb.admin_url}/writes", params={"account": "main"}, timeout=10).json()
    first, second, third = log["requests"]
    assert t0 - 0.1 <= first["time"] <= second["time"] <= third["time"] <= time.time()
    assert first["monotonic"] < second["monotonic"] < third["monotonic"]
    assert first == {**first, "method": "POST", "route": "offer/save", "offers": 2,
                     "ids": [a["id"], narrow["id"]], "outcome": "answered", "fault": None,
                     "status": 200, "is_error": True}
    assert first["results"] == [
        {"id": a["id"], "applied": True, "message": None},
        {"id": narrow["id"], "applied": False, "message": first["messages"][0]}]
    assert first["messages"][0].startswith(f"offer {narrow['id']}: sale_price 0.0001 is "
                                           f"outside")
    assert second == {**second, "method": "PATCH", "route": f"offer_stock/{b['id']}",
                      "offers": 1, "ids": [b["id"]], "is_error": False,
                      "results": [{"id": b["id"], "applied": True, "message": None}]}
    assert third == {**third, "outcome": "fault", "fault": "500", "status": 500,
                     "ids": [b["id"]], "results": []}
    assert read_offer(s, sb, b["id"])["status"] == 1  # the faulted request changed nothing
    assert log["totals"] == {"requests": 3, "answered": 2, "offers_sent": 4, "applied": 2,
                             "refused": 1}
    assert sb.writes("fbe")["requests"] == []
    requests.post(f"{sb.admin_url}/reset_stats", timeout=10)
    assert sb.writes("main")["requests"] == []
    r = requests.get(f"{sb.admin_url}/writes", timeout=10)
    assert r.status_code == 400


# ---- an order between plan and push, campaigns ------------------------------------------


def test_an_order_on_a_chosen_offer_takes_its_stock_as_orders_do(sb):
    s = session()
    a = offers(sb, minimum_stock=3)[0]
    save(s, sb, [{"id": a["id"], "status": 1}])
    r = requests.post(f"{sb.admin_url}/orders", timeout=10, json={
        "account": "main", "lines": [{"product_id": a["id"], "quantity": 2}]})
    assert r.status_code == 200, r.text
    (order,) = r.json()["orders"]
    assert [(ln["product_id"], ln["quantity"]) for ln in order["products"]] == [(a["id"], 2)]
    assert r.json()["product_ids"] == [a["id"]]
    after = read_offer(s, sb, a["id"])
    assert after["general_stock"] == a["general_stock"] - 2
    assert after["estimated_stock"] == max(0, a["estimated_stock"] - 2)
    too_many = requests.post(f"{sb.admin_url}/orders", timeout=10, json={
        "account": "main", "lines": [{"product_id": a["id"], "quantity": 70000}]})
    assert too_many.status_code == 400 and "cannot be ordered" in too_many.json()["error"]
    assert read_offer(s, sb, a["id"])["general_stock"] == a["general_stock"] - 2


def test_an_offer_in_a_campaign_refuses_regular_updates(sb):
    s = session()
    a, b = offers(sb, wide=True)[:2]
    r = requests.post(f"{sb.admin_url}/campaign", timeout=10,
                      json={"account": "main", "ids": [a["id"]], "on": True})
    assert r.json() == {"account": "main", "campaign_ids": [a["id"]]}
    body = save(s, sb, [{"id": a["id"], "sale_price": 9}, {"id": b["id"], "sale_price": 9}])
    assert body["messages"] == [f"offer {a['id']}: during a campaign with stock in site, "
                                f"regular offer updates are refused"]
    assert body["results"] == [{"id": a["id"], "applied": False},
                               {"id": b["id"], "applied": True}]
    assert patch_stock(s, sb, a["id"], 1)["isError"] is True
    requests.post(f"{sb.admin_url}/campaign", timeout=10,
                  json={"account": "main", "ids": [a["id"]], "on": False})
    assert save(s, sb, [{"id": a["id"], "sale_price": 9}])["isError"] is False
    bad = requests.post(f"{sb.admin_url}/campaign", timeout=10,
                        json={"account": "main", "ids": [unknown_id(sb)]})
    assert bad.status_code == 400 and "has no offers" in bad.json()["error"]


# ---- persistence and the account spec ---------------------------------------------------


def test_state_file_replays_writes_campaigns_and_chosen_orders(tmp_path):
    path = str(tmp_path / "state.json")
    first = Sandbox(accounts=[MAIN, FBE], state_file=path, rate_limit=0)
    first.start()
    try:
        s = session()
        a, b = offers(first, wide=True, minimum_stock=2)[:2]
        save(s, first, [{"id": a["id"], "sale_price": 41.5, "status": 1,
                         "stock": [{"value": 9}]}])
        first.change_orders("main", lines=[{"product_id": a["id"], "quantity": 1}])
        first.set_campaign("main", [b["id"]])
        expected = first.catalog("main")
    finally:
        first.stop()
    second = Sandbox(accounts=[MAIN, FBE], state_file=path, rate_limit=0)
    assert second.catalog("main") == expected
    replayed = next(r for r in second.catalog("main") if r["id"] == a["id"])
    assert (replayed["sale_price"], replayed["general_stock"]) == ("41.5000", 8)
    with second:
        assert save(session(), second, [{"id": b["id"], "status": 0}])["isError"] is True


@pytest.mark.parametrize(("spec", "password", "fbe"), [
    ("shop:u:p:10", "p", None),
    ("shop:u:p:10:fbe", "p", True),
    ("fbe2:u:p:w:10:main", "p:w", False),
    ("shop:u:p:fbe:10", "p:fbe", None),
])
def test_account_spec_says_who_fulfils(spec, password, fbe):
    parsed = _account(spec)
    assert (parsed.password, parsed.products, parsed.fbe) == (password, 10, fbe)


def test_account_spec_without_products_is_an_error():
    with pytest.raises(argparse.ArgumentTypeError):
        _account("shop:u:p:fbe")


def test_fbe_from_the_spec_decides_stock_writes():
    sb = start(accounts=[AccountSpec("store", "store-user", "store-pass", 30, fbe=True)])
    try:
        s = session("store-user", "store-pass")
        a = sb.catalog("store")[0]
        assert sb.config()["accounts"]["store"]["fbe"] is True
        assert patch_stock(s, sb, a["id"], 1)["isError"] is True
    finally:
        sb.stop()


def test_the_cli_spec_marks_an_account_fbe_for_a_sandbox_process():
    with SandboxProcess(["shop:shop-user:pw:20:fbe", "fbe-store:fbe-user:pw:20:main"],
                        "--rate-limit", "0") as sandbox:
        accounts = sandbox.admin_get("config")["accounts"]
        assert (accounts["shop"]["fbe"], accounts["fbe-store"]["fbe"]) == (True, False)
        offer_id = sandbox.catalog("fbe-store")[0]["id"]
        r = requests.patch(f"{sandbox.base_url}/offer_stock/{offer_id}", auth=("fbe-user", "pw"),
                           json={"stock": [{"warehouse_id": 1, "value": 4}]}, timeout=10)
        assert r.json()["isError"] is False
        assert sandbox.writes("fbe-store")["totals"]["applied"] == 1
