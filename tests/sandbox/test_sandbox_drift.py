"""Schema drift: keys eMAG adds over time, at every depth, and nested values changing type."""

import re

import pytest
import requests

from emag_sandbox import Sandbox
from tests.sandbox.sandbox_helpers import FBE, MAIN, post, read_all, session, start

GPSR = ("manufacturer", "eu_representative", "safety_information")
NESTED_LISTS = ("stock", "handling_time", "availability", "images", "characteristics",
                "validation_status", "translation_validation_status")
NESTED_OBJECTS = ("offer_details", "offer_validation_status")
SESSIONS = {"main": ("main-user", "main-pass"), "fbe": ("fbe-user", "fbe-pass")}
LEAD_TIME_RE = re.compile(r"^(\d+) zile$")
JUNE_1 = "2025-06-01 10:00:00"


@pytest.fixture(scope="module")
def served():
    """A sandbox with orders in both accounts, and what it serves with drift off."""
    sandbox = start(order_rate_limit=0)
    sandbox.place_orders("main", 12, seed=1, at=JUNE_1)
    sandbox.place_orders("fbe", 6, seed=2, at=JUNE_1)
    plain = {name: sandbox.catalog(name) for name in SESSIONS}
    orders = {name: sandbox.orders(name) for name in SESSIONS}
    yield sandbox, plain, orders
    sandbox.stop()


@pytest.fixture
def sb(served):
    """The module's sandbox, drift switched off again after each test."""
    sandbox = served[0]
    yield sandbox
    sandbox.configure(drift=0)


def configure_drift(sb, n):
    """The admin call a test (or an operator) makes: ``POST /_admin/configure {"drift": n}``."""
    r = requests.post(f"{sb.admin_url}/configure", json={"drift": n}, timeout=5)
    assert r.status_code == 200, r.text
    assert r.json()["drift"] == n
    return r


def drift_keys(value, path=""):
    """Every ``drift_*`` key anywhere in ``value``, by its path."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{path}.{key}" if path else key
            if key.startswith("drift_"):
                found.append(here)
            found += drift_keys(inner, here)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += drift_keys(inner, f"{path}[{i}]")
    return found


def undrift(rec):
    """A drifted offer record as it was before drift (test-side inverse, written apart)."""
    if isinstance(rec, list):
        return [undrift(v) for v in rec]
    if not isinstance(rec, dict):
        return rec
    out = {k: undrift(v) for k, v in rec.items() if not k.startswith("drift_")}
    details = out.get("offer_details")
    if isinstance(details, dict) and isinstance(details.get("supply_lead_time"), str):
        details["supply_lead_time"] = int(LEAD_TIME_RE.match(details["supply_lead_time"])[1])
    for entry in out.get("handling_time") or []:
        if isinstance(entry.get("value"), dict):
            entry["value"] = entry["value"]["days"]
    return out


def without_gpsr(rec):
    return {k: v for k, v in rec.items() if k not in GPSR}


def by_id(s, sb, offer_id):
    found = post(s, sb, "product_offer/read", {"id": offer_id}).json()["results"]
    assert len(found) == 1 and found[0]["id"] == offer_id
    return found[0]


def assert_drifted(rec, plain):
    """Every drifted key in its place, the two type changes, and nothing else changed."""
    assert isinstance(rec["drift_top_level"], int)
    for key in NESTED_LISTS:
        for item in rec.get(key, []):
            assert isinstance(item["drift_nested"], int), (rec["id"], key)
    for key in NESTED_OBJECTS:
        if key in rec:
            assert isinstance(rec[key]["drift_nested"], int), (rec["id"], key)
    if "offer_details" in plain:
        details = rec["offer_details"]
        assert set(details["drift_deep"]) == {"level", "note"}
        assert details["drift_deep"]["level"] == 2 and details["drift_deep"]["note"]
        lead = plain["offer_details"]["supply_lead_time"]
        assert isinstance(lead, int) and details["supply_lead_time"] == f"{lead} zile"
    if "handling_time" in plain:
        days = plain["handling_time"][0]["value"]
        assert isinstance(days, int)
        assert rec["handling_time"][0]["value"] == {"days": days, "unit": "day"}
    assert set(rec) == set(plain) | {"drift_top_level"}
    assert undrift(rec) == plain


def test_drift_is_off_by_default(sb, served):
    _, plain, orders = served
    assert sb.config()["drift"] == 0
    for name, auth in SESSIONS.items():
        s = session(*auth)
        pages = read_all(s, sb)
        assert pages == plain[name] and not drift_keys(pages)
        assert not drift_keys([by_id(s, sb, p["id"]) for p in pages[::25]])
        served_orders = post(s, sb, "order/read", {"type": 2 if name == "fbe" else 3}).json()
        assert served_orders["results"] == orders[name] and not drift_keys(orders[name])
    assert Sandbox(accounts=[MAIN, FBE]).config()["drift"] == 0


@pytest.mark.parametrize("account", ["main", "fbe"])
def test_drift_1_puts_every_key_in_every_place_for_pages_and_id_reads(sb, served, account):
    plain = {p["id"]: p for p in served[1][account]}
    configure_drift(sb, 1)
    s = session(*SESSIONS[account])
    pages = read_all(s, sb)
    assert [p["id"] for p in pages] == list(plain)
    seen = set()
    for rec in pages:
        assert_drifted(rec, plain[rec["id"]])
        seen.update(k for k in (*NESTED_LISTS, *NESTED_OBJECTS)
                    if "drift_nested" in str(rec.get(k)))
        one = by_id(s, sb, rec["id"])
        assert without_gpsr(one) == without_gpsr(rec)  # the same drift, whatever the read
        assert {k: type(one[k]) for k in GPSR if k in one} == {
            k: list if k != "safety_information" else str for k in GPSR if k in rec}
    assert seen == {*NESTED_LISTS, *NESTED_OBJECTS}  # each place met at least once
    listed = requests.get(f"{sb.admin_url}/catalog", params={"account": account},
                          timeout=5).json()
    assert listed == sb.catalog(account) == pages


def test_drift_n_only_drifts_ids_divisible_by_n(sb, served):
    plain = {p["id"]: p for p in served[1]["main"]}
    s = session()
    for n in (3, 7):
        configure_drift(sb, n)
        pages = read_all(s, sb)
        drifted = [p for p in pages if p["id"] % n == 0]
        assert drifted and len(drifted) < len(pages)
        for rec in pages:
            if rec["id"] % n == 0:
                assert_drifted(rec, plain[rec["id"]])
            else:
                assert rec == plain[rec["id"]] and not drift_keys(rec)
        for rec in pages[::20]:
            assert without_gpsr(by_id(s, sb, rec["id"])) == without_gpsr(rec)
        assert sb.catalog("main") == pages


def test_same_offer_same_drift_on_every_read(sb):
    s = session()
    configure_drift(sb, 1)
    first = post(s, sb, "product_offer/read", {"currentPage": 2}).content
    assert post(s, sb, "product_offer/read", {"currentPage": 2}).content == first
    target = sb.catalog("main")[17]["id"]
    one = post(s, sb, "product_offer/read", {"id": target}).content
    assert post(s, sb, "product_offer/read", {"id": target}).content == one
    # the values come from the offer, not from the read or the setting
    configure_drift(sb, 0)
    configure_drift(sb, 1)
    assert post(s, sb, "product_offer/read", {"currentPage": 2}).content == first
    runtime = Sandbox(accounts=[MAIN, FBE])
    runtime.configure(drift=1)
    built = Sandbox(accounts=[MAIN, FBE], drift=1)  # the constructor option serves the same
    assert built.config()["drift"] == 1
    assert built.catalog("main") == runtime.catalog("main")
    assert built.catalog("main") != Sandbox(accounts=[MAIN, FBE]).catalog("main")


def test_switching_drift_off_restores_the_payload_byte_for_byte(sb, served):
    s = session()
    target = sb.catalog("main")[40]["id"]

    def snapshot():
        pages = [post(s, sb, "product_offer/read", {"currentPage": p}).content
                 for p in (1, 2, 3)]
        return (pages, post(s, sb, "product_offer/read", {"id": target}).content,
                post(s, sb, "order/read").content)

    before = snapshot()
    configure_drift(sb, 1)
    during = snapshot()
    assert during[0] != before[0] and during[1] != before[1] and during[2] != before[2]
    assert b"drift_top_level" in during[1] and b"drift_nested" in during[2]
    configure_drift(sb, 0)
    assert snapshot() == before
    assert sb.config()["drift"] == 0 and sb.catalog("main") == served[1]["main"]


@pytest.mark.parametrize("bad", [-1, "x", True, 1.5, "3", None])
def test_bad_drift_values_are_refused(sb, bad):
    configure_drift(sb, 2)
    r = requests.post(f"{sb.admin_url}/configure", json={"drift": bad}, timeout=5)
    assert r.status_code == 400 and "drift" in r.json()["error"], r.text
    with pytest.raises(ValueError, match="drift"):
        sb.configure(drift=bad)
    assert sb.config()["drift"] == 2  # unchanged
    with pytest.raises(ValueError, match="drift"):
        Sandbox(accounts=[MAIN], drift=bad)


def test_a_refused_drift_changes_no_other_setting(sb):
    r = requests.post(f"{sb.admin_url}/configure", json={"latency": 0.5, "drift": -1}, timeout=5)
    assert r.status_code == 400 and sb.config()["latency"] == 0.0


def test_order_lines_get_the_key(sb, served):
    orders = served[2]
    configure_drift(sb, 1)
    for name, auth in SESSIONS.items():
        s = session(*auth)
        got = post(s, sb, "order/read", {"type": 2 if name == "fbe" else 3}).json()["results"]
        assert len(got) == len(orders[name]) and got == sb.orders(name)
        for order, plain in zip(got, orders[name], strict=True):
            assert all(isinstance(line["drift_nested"], int) for line in order["products"])
            assert drift_keys(order) == [f"products[{i}].drift_nested"
                                         for i in range(len(order["products"]))]
            assert undrift(order) == plain
        one = post(s, sb, "order/read", {"id": got[0]["id"], "type": got[0]["type"]}).json()
        assert one["results"] == [got[0]]
    ids = [o["id"] for o in orders["main"]]
    n = next(k for k in range(2, 10) if 0 < sum(i % k == 0 for i in ids) < len(ids))
    configure_drift(sb, n)
    for order, plain in zip(sb.orders("main"), orders["main"], strict=True):
        if order["id"] % n == 0:
            assert drift_keys(order) and undrift(order) == plain
        else:
            assert order == plain
    configure_drift(sb, 0)
    assert sb.orders("main") == orders["main"]


def test_bad_records_do_not_drift():
    sandbox = start(bad_records=9)
    try:
        listing = sandbox.bad_records("main")
        sandbox.configure(drift=1)
        assert sandbox.bad_records("main") == listing
        served = read_all(session(), sandbox)
        for entry in listing:
            assert served[entry["position"]] == entry["item"]
            assert not drift_keys(entry["item"])
        assert sum(1 for p in served if "drift_top_level" in p) == len(served) - 9
    finally:
        sandbox.stop()
