"""Many sellers in one sandbox: own credentials, catalogue and budget; accounts added live."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests

from emag_sandbox import AccountSpec, Sandbox, seller_accounts
from tests.sandbox.sandbox_helpers import post, read_all, session

SELLERS = 4
PRODUCTS = 30
NAMES = [f"seller_{n:03d}/{a}" for n in range(1, SELLERS + 1) for a in ("main", "fbe")]


def _user(name: str) -> tuple[str, str]:
    """The credentials ``--sellers`` gives the account ``seller_001/main``."""
    user = name.replace("/", "-")
    return user, f"{user}-password"


@pytest.fixture
def fleet() -> Iterator[Sandbox]:
    sb = Sandbox(accounts=seller_accounts(SELLERS, PRODUCTS), rate_limit=0)
    sb.start()
    yield sb
    sb.stop()


def _admin(sb: Sandbox, method: str, action: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{sb.admin_url}/{action}", timeout=10, **kwargs)


def test_seller_accounts_are_named_and_typed_as_the_interface_says():
    specs = seller_accounts(2, 7)
    assert [(s.name, s.username, s.password, s.products, s.fbe) for s in specs] == [
        ("seller_001/main", "seller_001-main", "seller_001-main-password", 7, False),
        ("seller_001/fbe", "seller_001-fbe", "seller_001-fbe-password", 7, True),
        ("seller_002/main", "seller_002-main", "seller_002-main-password", 7, False),
        ("seller_002/fbe", "seller_002-fbe", "seller_002-fbe-password", 7, True),
    ]


def test_each_seller_serves_its_own_catalogue_with_its_own_credentials(fleet):
    assert fleet.account_names() == NAMES
    served: dict[str, list[dict[str, Any]]] = {}
    for name in NAMES:
        products = read_all(session(*_user(name)), fleet)
        assert products == fleet.catalog(name) and len(products) == PRODUCTS
        served[name] = products
    ids = {name: frozenset(p["id"] for p in products) for name, products in served.items()}
    assert len(set(ids.values())) == len(NAMES)  # no two accounts serve the same catalogue
    part_numbers = {name: {p["part_number"] for p in products}
                    for name, products in served.items()}
    # a seller's two accounts sell mostly the same SKUs; two sellers never share one
    assert part_numbers["seller_001/main"] & part_numbers["seller_001/fbe"]
    for one in NAMES:
        for other in NAMES:
            if one.split("/")[0] != other.split("/")[0]:
                assert not part_numbers[one] & part_numbers[other], (one, other)
    warehouses = {name: {s.get("warehouse_id") for p in served[name] for s in p["stock"]}
                  for name in NAMES}
    assert warehouses["seller_003/fbe"] == {2} and 2 not in warehouses["seller_003/main"]


def test_a_wrong_password_fails_that_seller_only(fleet):
    wrong = session("seller_002-main", "seller_001-main-password")  # another seller's password
    assert post(wrong, fleet, "product_offer/count").status_code == 401
    for name in NAMES:
        assert post(session(*_user(name)), fleet, "product_offer/count").status_code == 200
    fleet.set_password("seller_002/main", "rotated")
    codes = {name: post(session(*_user(name)), fleet, "product_offer/count").status_code
             for name in NAMES}
    assert codes == {name: 401 if name == "seller_002/main" else 200 for name in NAMES}
    stats = fleet.stats()
    assert stats["unauthenticated_401"] == 2
    assert stats["accounts"]["seller_002/main"]["requests"]["total"] == 1  # the first round


def test_each_account_has_its_own_budget():
    sb = Sandbox(accounts=seller_accounts(2, 10), rate_limit=3.0)
    sb.start()
    try:
        names = sb.account_names()
        codes: dict[str, list[int]] = {name: [] for name in names}
        start = time.monotonic() + 0.05

        def paced(name: str) -> None:  # 2.5 requests/s: inside 3/s with room for scheduling
            s = session(*_user(name))
            for k in range(5):
                time.sleep(max(0.0, start + 0.4 * k - time.monotonic()))
                codes[name].append(post(s, sb, "product_offer/count").status_code)

        threads = [threading.Thread(target=paced, args=(name,)) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # four accounts at 2.5/s each: 10 requests/s in all, and not one 429
        assert codes == {name: [200] * 5 for name in names}
        for name in names:
            stats = sb.stats()["accounts"][name]
            assert stats["accepted"] == 5 and stats["throttled_429"] == 0
            assert stats["max_requests_in_any_1s_window"] <= 3
        time.sleep(1.05)
        # the budget is real: a burst of four throttles that account, and no other
        burst = session(*_user("seller_001/main"))
        assert [post(burst, sb, "vat/read").status_code for _ in range(4)] == [200] * 3 + [429]
        for name in ("seller_001/fbe", "seller_002/main"):
            s = session(*_user(name))
            assert [post(s, sb, "vat/read").status_code for _ in range(3)] == [200] * 3
    finally:
        sb.stop()


def test_an_account_added_while_serving_is_served_at_once(fleet):
    body = {"name": "acme/main", "username": "acme-main", "password": "acme-pw",
            "products": 25, "fbe": False}
    r = _admin(fleet, "POST", "accounts", json=body)
    assert r.status_code == 201, r.text
    assert r.json() == {"name": "acme/main", "username": "acme-main", "products": 25,
                        "fbe": False, "order_type": 3, "orders": 0, "ip_blocked": False}
    s = session("acme-main", "acme-pw")
    products = read_all(s, fleet)
    assert products == fleet.catalog("acme/main") and len(products) == 25
    own = {p["part_number"] for p in products}
    assert not own & {p["part_number"] for p in fleet.catalog("seller_001/main")}
    assert _admin(fleet, "GET", "config").json()["accounts"]["acme/main"]["products"] == 25
    assert "acme/main" in _admin(fleet, "GET", "health").json()["accounts"]
    assert _admin(fleet, "GET", "stats").json()["accounts"]["acme/main"]["requests"]["total"] == 1
    # a second account of the new seller shares its SKU pool, as a seller's accounts do
    _admin(fleet, "POST", "accounts", json={**body, "name": "acme/fbe", "username": "acme-fbe",
                                            "fbe": True}).raise_for_status()
    assert own & {p["part_number"] for p in fleet.catalog("acme/fbe")}
    assert fleet.config()["accounts"]["acme/fbe"]["order_type"] == 2


@pytest.mark.parametrize(("change", "status", "names"), [
    ({"name": "seller_001/main"}, 409, "seller_001/main"),
    ({"username": "seller_002-fbe"}, 409, "seller_002-fbe"),
    ({"name": ""}, 400, "name"),
    ({"username": None}, 400, "username"),
    ({"username": "a:b"}, 400, "username"),
    ({"password": 7}, 400, "password"),
    ({"products": -1}, 400, "products"),
    ({"products": "10"}, 400, "products"),
    ({"products": True}, 400, "products"),
    ({"fbe": "yes"}, 400, "fbe"),
    ({"colour": "red"}, 400, "colour"),
])
def test_adding_a_duplicate_or_bad_account_is_refused(fleet, change, status, names):
    body = {"name": "new/main", "username": "new-main", "password": "pw", "products": 5,
            "fbe": False, **change}
    r = _admin(fleet, "POST", "accounts", json=body)
    assert r.status_code == status and names in r.json()["error"]
    assert fleet.account_names() == NAMES  # nothing was added


def test_a_missing_field_is_named(fleet):
    r = _admin(fleet, "POST", "accounts", json={"name": "x/main", "username": "x",
                                                 "password": "p"})
    assert r.status_code == 400 and r.json()["error"].startswith("products:")


@pytest.mark.parametrize("encode", [False, True], ids=["plain", "encoded"])
def test_admin_routes_take_account_names_with_a_slash(fleet, encode):
    name = "seller_003/main"
    query = f"account={quote(name, safe='') if encode else name}"
    assert ("%2F" in query) is encode
    for action in ("catalog", "bad_records", "orders", "writes"):
        r = requests.get(f"{fleet.admin_url}/{action}?{query}", timeout=10)
        assert r.status_code == 200, (action, r.text)
    r = requests.get(f"{fleet.admin_url}/catalog?{query}", timeout=10)
    assert r.json() == fleet.catalog(name)
    changed = _admin(fleet, "POST", "mutate", json={"account": name, "deleted": 1}).json()
    assert len(fleet.catalog(name)) == PRODUCTS - 1 and len(changed["deleted"]) == 1
    placed = _admin(fleet, "POST", "orders", json={"account": name, "place": 1}).json()
    assert placed["account"] == name and len(fleet.orders(name)) == len(placed["placed"]) == 1
    offer = fleet.catalog(name)[0]["id"]
    campaign = _admin(fleet, "POST", "campaign", json={"account": name, "ids": [offer]}).json()
    assert campaign == {"account": name, "campaign_ids": [offer]}
    _admin(fleet, "POST", "ip_blocked", json={"account": name}).raise_for_status()
    assert fleet.config()["accounts"][name]["ip_blocked"] is True
    _admin(fleet, "POST", "password", json={"account": name, "password": "p2"}).raise_for_status()
    assert post(session(_user(name)[0], "p2"), fleet, "vat/read").status_code == 200
    assert fleet.catalog("seller_003/fbe") != fleet.catalog(name)  # the other account untouched


def test_added_accounts_and_their_changes_survive_a_restart(tmp_path):
    state = str(tmp_path / "state.json")
    spec = {"name": "late/main", "username": "late", "password": "pw", "products": 12}
    with Sandbox(accounts=seller_accounts(1, 5), rate_limit=0, state_file=state) as sb:
        _admin(sb, "POST", "accounts", json=spec).raise_for_status()
        sb.mutate("late/main", changed=3, added=2)
        evolved = sb.catalog("late/main")
    with Sandbox(accounts=seller_accounts(1, 5), rate_limit=0, state_file=state) as again:
        assert again.account_names() == ["seller_001/main", "seller_001/fbe", "late/main"]
        assert again.catalog("late/main") == evolved and len(evolved) == 14
        assert post(session("late", "pw"), again, "product_offer/count").status_code == 200


def test_orders_arrive_in_an_account_added_while_serving():
    with Sandbox(accounts=[AccountSpec("main", "u", "p", 20)], rate_limit=0,
                 orders_per_hour=36_000) as sb:  # about ten per second per account
        sb.add_account(AccountSpec("late/main", "late", "pw", 20, fbe=False))
        deadline = time.monotonic() + 5
        while not sb.orders("late/main") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sb.orders("late/main")


def _cli(*args: str) -> Any:
    out = subprocess.run([sys.executable, "-m", "emag_sandbox", *args], capture_output=True,
                         text=True, timeout=30, check=True)
    return json.loads(out.stdout)


def test_cli_serves_sellers_next_to_accounts_and_drives_them_by_name():
    proc = subprocess.Popen(
        [sys.executable, "-m", "emag_sandbox", "serve", "--port", "0", "--rate-limit", "0",
         "--sellers", "3", "--seller-products", "7",
         "--account", "acme/main:acme-main:pw:a:5:main"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = (proc.stdout.readline() if proc.stdout else "").strip()
        assert base.endswith("/api-3"), base
        root = base.removesuffix("/api-3")
        config = requests.get(f"{root}/_admin/config", timeout=10).json()["accounts"]
        assert list(config) == ["acme/main", *[f"seller_{n:03d}/{a}" for n in (1, 2, 3)
                                               for a in ("main", "fbe")]]
        assert config["acme/main"] == {**config["acme/main"], "username": "acme-main",
                                       "products": 5, "fbe": False}
        assert {a["products"] for n, a in config.items() if n != "acme/main"} == {7}
        r = requests.post(f"{base}/product_offer/count", json={"data": {}}, timeout=5,
                          auth=("seller_003-fbe", "seller_003-fbe-password"))
        assert r.json()["results"]["noOfItems"] == "7"
        result = _cli("mutate", "--url", root, "--account", "seller_002/main", "--added", "2")
        assert len(result["added"]) == 2
        result = _cli("orders", "--url", root, "--account", "acme/main", "--place", "1")
        assert result["account"] == "acme/main" and len(result["placed"]) == 1
        config = requests.get(f"{root}/_admin/config", timeout=10).json()["accounts"]
        assert config["seller_002/main"]["products"] == 9 and config["acme/main"]["orders"] == 1
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    banner = err.splitlines()
    assert sum("seller_0" in line for line in banner) == 1  # the sellers in one line
    assert any(line.startswith("sellers: 3, seller_001 .. seller_003") for line in banner)
    assert any(line.startswith("account acme/main (MAIN)") for line in banner)


def test_cli_refuses_an_account_that_takes_a_sellers_name():
    out = subprocess.run(
        [sys.executable, "-m", "emag_sandbox", "serve", "--port", "0", "--sellers", "1",
         "--account", "seller_001/main:other:pw:5"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "seller_001/main" in out.stderr
    assert "Traceback" not in out.stderr
