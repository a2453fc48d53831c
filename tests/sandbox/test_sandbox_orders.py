"""Orders: order/read and order/count filters, stock taken and given back, the 12/s budget,
state-file replay, the admin API and the --orders-per-hour flow."""

import json
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
import requests

from emag_sandbox import AccountSpec, Sandbox
from emag_sandbox.localtime import add_month, format_local, parse_local
from tests.sandbox.sandbox_helpers import FBE, MAIN, post, session, start

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DECIMAL_RE = re.compile(r"^\d+\.\d+$")
FBE_SESSION = ("fbe-user", "fbe-pass")

# The fixture's history of the main account (Bucharest times)
JUNE_1, JUNE_15, JULY_10 = "2025-06-01 10:00:00", "2025-06-15 12:00:00", "2025-07-10 08:00:00"
ADVANCED_AT, CANCELED_AT = "2025-07-12 09:00:00", "2025-07-13 18:30:00"


def read(s, sb, data=None):
    """POST order/read and return the decoded envelope (HTTP 200 asserted)."""
    r = post(s, sb, "order/read", data or {})
    assert r.status_code == 200, r.text
    return r.json()


def ids(body):
    assert body["isError"] is False, body
    return [o["id"] for o in body["results"]]


@pytest.fixture(scope="module")
def sb():
    sandbox = start(order_rate_limit=0)
    june1 = sandbox.place_orders("main", 4, seed=1, at=JUNE_1)
    june15 = sandbox.place_orders("main", 4, seed=2, at=JUNE_15)
    july20 = sandbox.place_orders("main", 4, seed=3, at=JULY_10)
    sandbox.advance_orders("main", ids=[june1[0]["id"], june15[0]["id"]], at=ADVANCED_AT)
    sandbox.cancel_orders("main", ids=[june1[1]["id"]], at=CANCELED_AT)
    sandbox.place_orders("fbe", 3, seed=4, at=JUNE_15)
    sandbox.history = {"june1": [o["id"] for o in june1], "june15": [o["id"] for o in june15],
                       "july10": [o["id"] for o in july20]}
    yield sandbox
    sandbox.stop()


# ---- shape ------------------------------------------------------------------------------


def test_order_shape_and_lines_name_the_accounts_offers():
    sandbox = start()
    try:
        before = {p["id"]: p for p in sandbox.catalog("main")}
        placed = sandbox.place_orders("main", 5, seed=11, at=JUNE_1)
        served = read(session(), sandbox)["results"]
        assert served == placed == sandbox.orders("main")
        for order in served:
            assert {"id", "status", "type", "date", "modified", "payment_mode_id", "payment_mode",
                    "payment_status", "cashed_co", "cashed_cod", "shipping_tax", "is_complete",
                    "customer", "details", "products", "vouchers"} <= set(order)
            assert order["status"] == 1 and order["type"] == 3
            assert order["date"] == order["modified"] == JUNE_1
            assert DATE_RE.match(order["date"])
            assert order["payment_mode_id"] in (1, 2, 3) and isinstance(order["payment_mode"], str)
            for key in ("cashed_co", "cashed_cod", "shipping_tax"):
                assert isinstance(order[key], str) and DECIMAL_RE.match(order[key])
            assert order["is_complete"] in (0, 1) and order["vouchers"] == []
            assert isinstance(order["details"], dict)
            customer = order["customer"]
            for key in ("id", "name", "company", "gender", "phone_1", "email", "billing_name",
                        "billing_phone", "billing_street", "billing_city", "billing_country",
                        "billing_postal_code", "shipping_contact", "shipping_phone",
                        "shipping_street", "shipping_city", "shipping_country",
                        "shipping_postal_code"):
                assert key in customer, key
            assert customer["email"].endswith("@marketplace.emag.ro")  # masked, as eMAG does
            assert re.match(r"^07\d{8}$", customer["phone_1"])
            assert customer["billing_country"] == "RO"
            assert 1 <= len(order["products"]) <= 3
            for line in order["products"]:
                offer = before[line["product_id"]]  # the seller's own offer id
                assert line["part_number"] == offer["part_number_key"] is not None  # the PNK
                assert line["ext_part_number"] == offer["part_number"]  # the seller SKU
                assert line["sale_price"] == offer["sale_price"]  # without VAT, when ordered
                assert 1 <= line["quantity"] <= 3 and line["status"] == 1
                assert line["currency"] == "RON" and re.match(r"^0\.\d{4}$", line["vat"])
                assert line["created"] == line["modified"] == JUNE_1
        line_ids = [ln["id"] for o in served for ln in o["products"]]
        assert len(set(line_ids)) == len(line_ids)
        assert [o["id"] for o in served] == sorted({o["id"] for o in served})
    finally:
        sandbox.stop()


def test_same_seed_same_orders_and_customers():
    def run():
        sandbox = Sandbox(accounts=[MAIN, FBE], seed=7)
        sandbox.place_orders("main", 6, at=JUNE_1)
        sandbox.cancel_orders("main", 2, at=JUNE_15)
        return sandbox.orders("main"), sandbox.catalog("main")

    assert run() == run()


# ---- type -------------------------------------------------------------------------------


def test_type_defaults_to_3_and_fbe_orders_come_only_when_asked(sb):
    main, fbe = session(), session(*FBE_SESSION)
    every_main = ids(read(main, sb))
    assert len(every_main) == 12
    assert every_main == ids(read(main, sb, {"type": 3}))
    assert ids(read(main, sb, {"type": 2})) == []
    assert ids(read(fbe, sb)) == []  # FBE orders are type 2: the default type 3 hides them
    fbe_orders = read(fbe, sb, {"type": 2})["results"]
    assert len(fbe_orders) == 3 and {o["type"] for o in fbe_orders} == {2}
    assert post(fbe, sb, "order/count", {"type": 2}).json()["results"]["noOfItems"] == "3"
    bad = read(main, sb, {"type": 1})
    assert bad["isError"] is True and "'type'" in bad["messages"][0]


def test_fbe_flag_on_the_account_spec_makes_type_2_orders():
    sandbox = Sandbox(accounts=[AccountSpec("store-two", "u", "p", 100, fbe=True),
                                AccountSpec("fbe-but-main", "v", "p", 100, fbe=False)])
    assert {o["type"] for o in sandbox.place_orders("store-two", 2)} == {2}
    assert {o["type"] for o in sandbox.place_orders("fbe-but-main", 2)} == {3}
    accounts = sandbox.config()["accounts"]
    assert accounts["store-two"]["order_type"] == 2 and accounts["fbe-but-main"]["order_type"] == 3


# ---- dates ------------------------------------------------------------------------------


def test_created_window_after_inclusive_before_exclusive(sb):
    s, h = session(), sb.history
    assert ids(read(s, sb, {"createdAfter": JUNE_1, "createdBefore": JUNE_15})) == h["june1"]
    assert ids(read(s, sb, {"createdAfter": JUNE_15, "createdBefore": JULY_10})) == h["june15"]
    assert ids(read(s, sb, {"createdAfter": "2025-06-01 10:00:01",
                            "createdBefore": "2025-06-15 12:00:01"})) == h["june15"]
    assert ids(read(s, sb, {"createdAfter": JULY_10})) == h["july10"]  # After alone: up to now
    assert ids(read(s, sb, {"createdAfter": "2025-07-10 08:00:01"})) == []


def test_modified_window(sb):
    s, h = session(), sb.history
    changed = sorted([h["june1"][0], h["june15"][0], h["june1"][1]])
    assert ids(read(s, sb, {"modifiedAfter": ADVANCED_AT})) == changed
    assert ids(read(s, sb, {"modifiedAfter": CANCELED_AT})) == [h["june1"][1]]
    unchanged_july = ids(read(s, sb, {"modifiedAfter": JULY_10,
                                      "modifiedBefore": ADVANCED_AT}))
    assert unchanged_july == h["july10"]
    count = post(s, sb, "order/count", {"modifiedAfter": "2025-06-01 00:00:00",
                                        "modifiedBefore": "2025-07-01 00:00:00"})
    assert count.json()["results"]["noOfItems"] == "5"  # june1 and june15 but the 3 changed


@pytest.mark.parametrize("field", ["created", "modified"])
def test_before_without_after_is_an_error_naming_the_filter(sb, field):
    for route in ("order/read", "order/count"):
        r = post(session(), sb, route, {f"{field}Before": JUNE_15})
        assert r.status_code == 200
        body = r.json()
        assert body["isError"] is True and body["results"] == []
        assert f"'{field}Before'" in body["messages"][0]
        assert f"'{field}After'" in body["messages"][0]


@pytest.mark.parametrize("field", ["created", "modified"])
def test_window_longer_than_one_month_is_an_error(sb, field):
    s = session()
    after = f"{field}After"
    before = f"{field}Before"
    ok = read(s, sb, {after: "2025-01-31 10:00:00", before: "2025-02-28 10:00:00"})
    assert ok["isError"] is False  # one calendar month exactly (day clamped)
    long = read(s, sb, {after: "2025-01-31 10:00:00", before: "2025-02-28 10:00:01"})
    assert long["isError"] is True and "one month" in long["messages"][0]
    assert before in long["messages"][0]
    backwards = read(s, sb, {after: JUNE_15, before: JUNE_1})
    assert backwards["isError"] is True and "earlier" in backwards["messages"][0]
    assert ids(read(s, sb, {after: JUNE_15, before: JUNE_15})) == []  # empty, not an error


@pytest.mark.parametrize("value", ["2025-06-01", "2025-06-01T10:00:00", "2025-13-01 00:00:00",
                                   "2025-06-01 25:00:00", "01.06.2025 10:00:00", 1748761200,
                                   ["2025-06-01 10:00:00"]])
def test_malformed_date_is_an_error(sb, value):
    body = read(session(), sb, {"createdAfter": value})
    assert body["isError"] is True
    assert "'createdAfter'" in body["messages"][0] and "YYYY-mm-dd HH:ii:ss" in body["messages"][0]


def test_dates_are_bucharest_local_time():
    winter, summer = parse_local("2025-01-15 12:00:00"), parse_local("2025-07-15 12:00:00")
    assert datetime.fromtimestamp(winter, timezone.utc).hour == 10  # EET, UTC+2
    assert datetime.fromtimestamp(summer, timezone.utc).hour == 9  # EEST, UTC+3
    switch = parse_local("2025-03-30 02:59:59")  # DST starts 03:00 -> 04:00
    assert format_local(switch + 1) == "2025-03-30 04:00:00"
    assert format_local(add_month(parse_local("2025-12-31 23:00:00"))) == "2026-01-31 23:00:00"
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        bucharest = zoneinfo.ZoneInfo("Europe/Bucharest")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no tz database here")
    for epoch in range(1_735_689_600, 1_798_761_600, 3_607 * 17):  # 2025..2026, odd steps
        want = datetime.fromtimestamp(epoch, bucharest).strftime("%Y-%m-%d %H:%M:%S")
        assert format_local(epoch) == want


# ---- other filters ----------------------------------------------------------------------


def test_status_filter_one_value_or_a_list(sb):
    s, h = session(), sb.history
    canceled = [h["june1"][1]]
    advanced = sorted([h["june1"][0], h["june15"][0]])
    assert ids(read(s, sb, {"status": 0})) == canceled
    assert ids(read(s, sb, {"status": "2"})) == advanced
    assert ids(read(s, sb, {"status": [0, 2]})) == sorted(canceled + advanced)
    assert len(ids(read(s, sb, {"status": 1}))) == 9
    assert ids(read(s, sb, {"status": [4, 5]})) == []
    form = session().post(f"{sb.base_url}/order/read",
                          data="data[status][]=0&data[status][]=2",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert ids(form.json()) == sorted(canceled + advanced)
    for bad in (7, [1, 9], [], "new"):
        body = read(s, sb, {"status": bad})
        assert body["isError"] is True and "'status'" in body["messages"][0]


def test_id_payment_mode_and_is_complete_filters(sb):
    s = session()
    orders = sb.orders("main")
    target = orders[5]
    assert read(s, sb, {"id": target["id"]})["results"] == [target]
    assert ids(read(s, sb, {"id": 1})) == []
    for mode in (1, 2, 3):
        want = [o["id"] for o in orders if o["payment_mode_id"] == mode]
        assert ids(read(s, sb, {"payment_mode_id": mode})) == want
    for flag in (0, 1):
        want = [o["id"] for o in orders if o["is_complete"] == flag]
        assert ids(read(s, sb, {"is_complete": flag})) == want
    assert read(s, sb, {"is_complete": 2})["isError"] is True
    assert ids(read(s, sb, {"status": 1, "createdAfter": JUNE_15,
                            "createdBefore": JULY_10})) == sb.history["june15"][1:]
    assert ids(read(s, sb, {"modifiedBefore": None, "id": None})) == [o["id"] for o in orders]


# ---- pagination and count ---------------------------------------------------------------


def test_pagination_count_and_id_order(sb):
    s = session()
    every = ids(read(s, sb))
    assert every == sorted(every) and len(every) == 12
    pages = [ids(read(s, sb, {"itemsPerPage": 5, "currentPage": p})) for p in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [5, 5, 2, 0]
    assert [i for page in pages for i in page] == every
    count = post(s, sb, "order/count", {"itemsPerPage": 5}).json()
    assert count["isError"] is False
    assert count["results"] == {"noOfItems": "12", "noOfPages": 3, "itemsPerPage": 5}
    assert post(s, sb, "order/count", {"status": 0}).json()["results"]["noOfItems"] == "1"
    for bad in ({"itemsPerPage": 0}, {"itemsPerPage": 101}, {"currentPage": 0}):
        assert read(s, sb, bad)["isError"] is True
    missing = post(s, sb, "order/read", body={})
    assert missing.json()["isError"] is True and "data" in missing.json()["messages"][0]


# ---- stock ------------------------------------------------------------------------------


def _stock(s, sb, offer_id):
    product = post(s, sb, "product_offer/read", {"id": offer_id}).json()["results"][0]
    return product["general_stock"], product["stock"][0]["value"], product["estimated_stock"]


def test_orders_take_stock_and_cancellations_give_it_back():
    sandbox = start()
    try:
        s = session()
        order = sandbox.place_orders("main", 1, seed=3)[0]
        before = {p["id"]: p for p in sandbox.catalog("main")}  # after the order
        sandbox2 = Sandbox(accounts=[MAIN, FBE])  # the same catalogue, no order yet
        fresh = {p["id"]: p for p in sandbox2.catalog("main")}
        for line in order["products"]:
            pid, qty = line["product_id"], line["quantity"]
            general, listed, _ = _stock(s, sandbox, pid)
            assert general == listed == fresh[pid]["general_stock"] - qty
            assert before[pid]["general_stock"] == general
        canceled = sandbox.cancel_orders("main", ids=[order["id"]])[0]
        assert canceled["status"] == 0 and canceled["id"] == order["id"]
        for line in order["products"]:
            pid = line["product_id"]
            general, listed, _ = _stock(s, sandbox, pid)
            assert general == listed == fresh[pid]["general_stock"]
        assert sandbox.catalog("main") == sandbox2.catalog("main")
    finally:
        sandbox.stop()


def test_an_account_sells_out_then_places_no_more():
    sandbox = Sandbox(accounts=[AccountSpec("main", "u", "p", 12)], seed=3)
    units = sum(p["general_stock"] for p in sandbox.catalog("main")
                if p["status"] == 1 and p["part_number_key"])
    placed = sandbox.place_orders("main", 500)
    assert 0 < len(placed) < 500
    sold = sum(ln["quantity"] for o in placed for ln in o["products"])
    assert sold <= units
    assert sandbox.place_orders("main", 3) == []
    assert all(p["general_stock"] >= 0 for p in sandbox.catalog("main"))


# ---- status changes ---------------------------------------------------------------------


def test_status_changes_move_modified():
    sandbox = Sandbox(accounts=[MAIN, FBE])
    order = sandbox.place_orders("main", 1, at=JUNE_1)[0]
    oid = order["id"]
    seen = []
    for step, at in enumerate(("2025-06-01 11:00:00", "2025-06-02 09:30:00",
                               "2025-06-03 16:45:00"), start=2):
        (advanced,) = sandbox.advance_orders("main", ids=[oid], at=at)
        assert advanced["status"] == step and advanced["modified"] == at
        assert advanced["date"] == JUNE_1
        seen.append(advanced["modified"])
    assert seen == sorted(seen)
    assert advanced["status"] == 4 and advanced["finalization_date"] == "2025-06-03 16:45:00"
    with pytest.raises(ValueError, match="finalized"):
        sandbox.advance_orders("main", ids=[oid])
    with pytest.raises(ValueError, match="finalized"):
        sandbox.cancel_orders("main", ids=[oid])
    other = sandbox.place_orders("main", 1, at=JUNE_1)[0]
    (canceled,) = sandbox.cancel_orders("main", ids=[other["id"]], at=JUNE_15)
    assert canceled["status"] == 0 and canceled["modified"] == JUNE_15
    assert canceled["cancellation_reason"] is not None
    # modified never goes back, even when a change is dated earlier
    third = sandbox.place_orders("main", 1, at=JUNE_15)[0]
    (late,) = sandbox.advance_orders("main", ids=[third["id"]], at=JUNE_1)
    assert late["modified"] == JUNE_15
    # now by default
    fourth = sandbox.place_orders("main", 1)[0]
    assert abs(parse_local(fourth["date"]) - time.time()) < 5
    with pytest.raises(ValueError, match="open orders"):
        sandbox.cancel_orders("main", 10)
    with pytest.raises(ValueError, match="no order"):
        sandbox.cancel_orders("main", ids=[1])


# ---- rate limits and stats --------------------------------------------------------------


def test_order_routes_have_their_own_12_per_second_budget():
    sandbox = start(rate_limit=3.0, order_rate_limit=12.0)
    try:
        s = session()
        t0 = time.monotonic()
        products = [post(s, sandbox, "product_offer/read", {"itemsPerPage": 1}).status_code
                    for _ in range(4)]
        orders = [post(s, sandbox, "order/read", {"itemsPerPage": 1}) for _ in range(13)]
        elapsed = time.monotonic() - t0
        assert products[:3] == [200, 200, 200]
        codes = [r.status_code for r in orders]
        assert codes[:12] == [200] * 12  # the 3/s budget being spent does not matter
        assert orders[0].headers["X-RateLimit-Limit-3second"] == "36"
        if elapsed < 0.9:  # the machine kept up: all of it happened within one second
            assert products[3] == 429
            assert codes[12] == 429
            assert orders[12].json() == {"message": "API rate limit exceeded"}
            assert orders[12].headers["Retry-After"] == "1"
        stats = sandbox.stats()["accounts"]["main"]
        general, budget = stats["budgets"]["general"], stats["budgets"]["orders"]
        assert general["requests"] == 4 and budget["requests"] == 13
        assert budget["accepted"] + budget["throttled_429"] == 13 and budget["accepted"] >= 12
        assert stats["requests"]["by_route"] == {"order/read": 13, "product_offer/read": 4}
        assert stats["max_requests_in_any_1s_window"] <= 4  # the general budget only
        if elapsed < 0.9:
            assert budget["max_requests_in_any_1s_window"] == 13  # arrivals, throttled included
        # the FBE account has its own order budget too
        assert post(session(*FBE_SESSION), sandbox, "order/count").status_code == 200
    finally:
        sandbox.stop()


def test_order_rate_limit_zero_is_unlimited_and_configurable():
    sandbox = start(rate_limit=3.0, order_rate_limit=0)
    try:
        s = session()
        assert [post(s, sandbox, "order/count").status_code for _ in range(25)] == [200] * 25
        assert sandbox.stats()["main"]["budgets"]["general"]["requests"] == 0
        sandbox.configure(order_rate_limit=2)
        assert sandbox.config()["order_rate_limit"] == 2.0
        t0 = time.monotonic()
        codes = [post(s, sandbox, "order/count").status_code for _ in range(6)]
        assert codes[:2] == [200, 200]
        if time.monotonic() - t0 < 0.9:
            assert codes[2:] == [429] * 4
        with pytest.raises(ValueError):
            sandbox.configure(order_rate_limit=-1)
    finally:
        sandbox.stop()


# ---- state file -------------------------------------------------------------------------


def test_state_file_replays_orders_and_their_stock(tmp_path):
    path = str(tmp_path / "state.json")
    first = Sandbox(accounts=[MAIN, FBE], seed=5, state_file=path)
    first.mutate("main", changed=10, added=2, deleted=3)
    first.place_orders("main", 6)
    first.advance_orders("main", 2)
    first.mutate("main", changed=5)
    first.cancel_orders("main", 1)
    first.place_orders("fbe", 2, at=JUNE_1)
    expected = {a: (first.orders(a), first.catalog(a)) for a in ("main", "fbe")}
    logged = json.loads((tmp_path / "state.json").read_text())["mutations"]
    assert [c.get("op", "mutate") for c in logged] == [
        "mutate", "orders", "orders", "mutate", "orders", "orders"]
    again = Sandbox(accounts=[MAIN, FBE], seed=5, state_file=path)
    assert {a: (again.orders(a), again.catalog(a)) for a in ("main", "fbe")} == expected
    # the next calls carry on alike: same default seeds, same ids
    assert again.place_orders("main", 2, at=JULY_10) == first.place_orders("main", 2, at=JULY_10)


# ---- admin API and CLI ------------------------------------------------------------------


def test_admin_orders_endpoint():
    sandbox = start()
    try:
        url = f"{sandbox.admin_url}/orders"
        r = requests.post(url, json={"account": "main", "place": 4, "seed": 9, "at": JUNE_1},
                          timeout=10)
        assert r.status_code == 200, r.text
        done = r.json()
        assert done["account"] == "main" and done["seed"] == 9 and done["at"] == JUNE_1
        assert len(done["placed"]) == 4 and done["advanced"] == done["canceled"] == []
        lines = [ln for o in done["orders"] for ln in o["products"]]
        assert done["product_ids"] == sorted({ln["product_id"] for ln in lines})
        listing = requests.get(url, params={"account": "main"}, timeout=10).json()
        assert listing == done["orders"] == sandbox.orders("main")
        r = requests.post(url, json={"account": "main", "advance": 1, "cancel": 2,
                                     "place": 1, "at": JUNE_15}, timeout=10)
        done = r.json()
        assert len(done["advanced"]) == 1 and len(done["canceled"]) == 2
        assert len(done["placed"]) == 1 and len(done["orders"]) == 4
        statuses = {o["id"]: o["status"] for o in done["orders"]}
        assert [statuses[i] for i in done["canceled"]] == [0, 0]
        assert statuses[done["advanced"][0]] == 2
        r = requests.post(url, json={"account": "main", "advance_ids": done["advanced"]},
                          timeout=10)
        assert r.json()["orders"][0]["status"] == 3
        for bad in ({"account": "nope", "place": 1}, {"account": "main", "placed": 1},
                    {"account": "main", "cancel": 50}, {"account": "main", "place": -1},
                    {"account": "main", "cancel_ids": done["canceled"]},
                    {"account": "main", "place": 1, "at": "yesterday"}):
            r = requests.post(url, json=bad, timeout=10)
            assert r.status_code == 400 and "error" in r.json(), bad
        assert requests.get(url, timeout=10).status_code == 400  # no ?account=
    finally:
        sandbox.stop()


def test_orders_per_hour_places_orders_while_serving():
    sandbox = start(accounts=[MAIN, FBE], orders_per_hour=0)
    try:
        assert sandbox.orders("main") == []
        sandbox.configure(orders_per_hour=36_000)  # ten an hour... per second
        assert sandbox.config()["orders_per_hour"] == 36_000
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if len(sandbox.orders("main")) >= 5 and len(sandbox.orders("fbe")) >= 5:
                break
            time.sleep(0.1)
        main = sandbox.orders("main")
        assert len(main) >= 5 and {o["type"] for o in main} == {3}
        assert {o["type"] for o in sandbox.orders("fbe")} == {2}
        sandbox.configure(orders_per_hour=0)
        time.sleep(0.3)
        settled = len(sandbox.orders("main"))
        time.sleep(0.5)
        assert len(sandbox.orders("main")) == settled
    finally:
        sandbox.stop()


def _serve(*extra):
    proc = subprocess.Popen(
        [sys.executable, "-m", "emag_sandbox", "--port", "0", "--rate-limit", "0",
         "--account", "main:cli-main:cli-pass:300", "--account", "fbe:cli-fbe:pw:200", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    assert line.endswith("/api-3"), (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc, line.removesuffix("/api-3")


def _stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


def test_cli_orders_options_and_command():
    proc, root = _serve("--orders-per-hour", "7200", "--order-rate-limit", "5")
    try:
        config = requests.get(f"{root}/_admin/config", timeout=5).json()
        assert config["orders_per_hour"] == 7200 and config["order_rate_limit"] == 5
        out = subprocess.run(
            [sys.executable, "-m", "emag_sandbox", "orders", "--url", root, "--account", "main",
             "--place", "2", "--seed", "4", "--at", JUNE_1],
            capture_output=True, text=True, timeout=30, check=True)
        result = json.loads(out.stdout)
        assert len(result["placed"]) == 2 and result["at"] == JUNE_1
        r = requests.post(f"{root}/api-3/order/count",
                          json={"data": {"createdAfter": JUNE_1,
                                         "createdBefore": "2025-06-02 00:00:00"}},
                          auth=("cli-main", "cli-pass"), timeout=5)
        assert r.json()["results"]["noOfItems"] == "2"
    finally:
        _stop(proc)
    for bad in (["--orders-per-hour", "-1"], ["--order-rate-limit", "fast"]):
        out = subprocess.run([sys.executable, "-m", "emag_sandbox", *bad],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 2 and "non-negative number" in out.stderr
    out = subprocess.run([sys.executable, "-m", "emag_sandbox", "serve", "--help"],
                         capture_output=True, text=True, timeout=30, check=True)
    assert "--orders-per-hour N" in out.stdout and "--order-rate-limit" in out.stdout
