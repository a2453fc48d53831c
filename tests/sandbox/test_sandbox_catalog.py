"""Catalogue determinism, realism (every fixture quirk), mutations and state-file replay."""

import json
import pathlib
import re
import time

import pytest

from emag_sandbox import AccountSpec, Sandbox
from tests.sandbox.sandbox_helpers import FBE, MAIN, post, read_all, session, start

FIXTURE = pathlib.Path(__file__).parents[1] / "fixtures" / "product_offer_read.json"
PRICE = re.compile(r"^\d+\.\d{4}$")


@pytest.fixture(scope="module")
def big():
    """A few thousand products: enough for every quirk to show up."""
    return Sandbox(accounts=[AccountSpec("main", "u", "p", 3000),
                             AccountSpec("fbe", "f", "q", 2000)]).catalog("main")


def test_same_seed_same_catalogue_other_seed_or_account_differs():
    a = Sandbox(accounts=[MAIN, FBE], seed=42)
    b = Sandbox(accounts=[MAIN, FBE], seed=42)
    c = Sandbox(accounts=[MAIN, FBE], seed=43)
    assert a.catalog("main") == b.catalog("main")
    assert a.catalog("fbe") == b.catalog("fbe")
    assert a.catalog("main") != c.catalog("main")
    main_ids = {p["id"] for p in a.catalog("main")}
    fbe_ids = {p["id"] for p in a.catalog("fbe")}
    assert a.catalog("main")[:20] != a.catalog("fbe")[:20]
    assert main_ids != fbe_ids


def test_main_and_fbe_share_skus_but_not_offers():
    sb = Sandbox(accounts=[AccountSpec("main", "u", "p", 1000),
                           AccountSpec("fbe", "f", "q", 1000)])
    main = {p["part_number"]: p for p in sb.catalog("main")}
    fbe = {p["part_number"]: p for p in sb.catalog("fbe")}
    assert len(main) == 1000 and len(fbe) == 1000  # SKUs unique within an account
    shared = set(main) & set(fbe)
    assert 400 <= len(shared) <= 900
    sku = next(iter(sorted(shared)))
    assert main[sku]["name"].split(",")[0] == fbe[sku]["name"].split(",")[0]
    assert main[sku]["ean"] == fbe[sku]["ean"]
    assert sum(main[k]["sale_price"] != fbe[k]["sale_price"] for k in shared) > len(shared) / 2
    assert all(s.get("warehouse_id", 2) == 2 for p in fbe.values() for s in p["stock"])


def test_fixture_quirks_all_present(big):
    fixture_keys = set().union(*(r.keys() for r in json.loads(FIXTURE.read_text())["results"]))
    served_keys = set().union(*(p.keys() for p in big))
    assert fixture_keys <= served_keys
    assert "sustainability_score" in served_keys  # an unknown, new key

    def has(pred):
        return any(pred(p) for p in big)

    assert has(lambda p: p["ownership"] is True)
    assert has(lambda p: type(p["ownership"]) is int and p["ownership"] == 1)
    assert has(lambda p: p["ownership"] == 2)
    assert has(lambda p: p["part_number_key"] is None)
    assert has(lambda p: re.fullmatch(r"D[0-9A-Z]{5}MBM", p["part_number_key"] or ""))
    errors = [v["errors"] for p in big for v in p["validation_status"]]
    assert None in errors
    assert any(isinstance(e, dict) for e in errors)
    assert any(isinstance(e, list) and e and "message" in e[0] for e in errors)
    assert has(lambda p: "warehouse_id" not in p["stock"][0])
    assert has(lambda p: "warehouse_id" in p["stock"][0])
    assert has(lambda p: p["stock"] == [{"value": 0}])
    assert has(lambda p: "brand_name" not in p and "description" not in p)  # minimal record
    assert has(lambda p: "weight" in p and "manufacturer" not in p)  # legacy record
    assert has(lambda p: p.get("green_tax") is not None)
    assert has(lambda p: p["images"] == []) and has(lambda p: p["ean"] == [])
    assert has(lambda p: any(i["display_type"] == 0 for i in p["images"]))
    assert has(lambda p: any("tag" in c for c in p.get("characteristics", [])))
    assert has(lambda p: p.get("family") is None) and has(lambda p: p.get("family"))
    assert has(lambda p: p["recommended_price"] is None)
    assert has(lambda p: p["buy_button_rank"] is None)
    assert has(lambda p: p.get("commission") is not None)
    assert has(lambda p: isinstance(p.get("safety_information"), str))
    assert has(lambda p: re.search(r"[ăâîșț]", p["name"]))
    assert {p["status"] for p in big} == {0, 1, 2}
    assert {p["vat_id"] for p in big} == {1, 2, 3}
    assert {p["offer_validation_status"]["value"] for p in big} == {1, 2}
    assert has(lambda p: "\r\n" in p.get("description", ""))
    for p in big:
        assert PRICE.match(p["sale_price"]) and p["currency"] == "RON"
        assert p["recommended_price"] is None or PRICE.match(p["recommended_price"])
        assert isinstance(p["validation_status"], list)
        assert isinstance(p["offer_validation_status"], dict)
        assert all(len(e) == 13 and e.isdigit() for e in p["ean"])
    ids = [p["id"] for p in big]
    assert ids == sorted(ids) and ids[-1] == 4294967295 and ids[:3] != [1, 2, 3]


def test_mutate_counts_disjoint_and_visible_over_http():
    sb = start()
    try:
        before = {p["id"]: p for p in sb.catalog("main")}
        result = sb.mutate("main", changed=30, added=10, deleted=5, end_of_life=4, seed=7)
        assert {k: len(v) for k, v in result.items()} == {
            "changed": 30, "added": 10, "deleted": 5, "end_of_life": 4}
        sets = [set(v) for v in result.values()]
        assert sum(len(s) for s in sets) == len(set().union(*sets))
        served = {p["id"]: p for p in read_all(session(), sb)}
        assert len(served) == 250 + 10 - 5
        assert not set(result["deleted"]) & set(served)
        assert set(result["added"]) <= set(served) and not set(result["added"]) & set(before)
        for i in result["changed"]:
            assert served[i] != before[i]
            assert served[i]["part_number"] == before[i]["part_number"]
        assert all(served[i]["status"] == 2 for i in result["end_of_life"])
        untouched = set(before) - set().union(*sets)
        assert all(served[i] == before[i] for i in untouched)
        count = post(session(), sb, "product_offer/count").json()["results"]["noOfItems"]
        assert count == "255"
        gone = post(session(), sb, "product_offer/read", {"id": result["deleted"][0]}).json()
        assert gone["results"] == []
        assert sb.catalog("fbe") == Sandbox(accounts=[MAIN, FBE]).catalog("fbe")
        with pytest.raises(ValueError):
            sb.mutate("main", changed=10_000)
        with pytest.raises(KeyError):
            sb.mutate("nobody", changed=1)
    finally:
        sb.stop()


def test_changes_move_buy_button_ranks_as_competitors_do():
    """A day of changes wins and loses buy buttons; such a change touches nothing else."""
    sb = Sandbox(accounts=[AccountSpec("main", "u", "p", 5000)], seed=5)
    before = {p["id"]: p for p in sb.catalog("main")}
    changed = sb.mutate("main", changed=400, seed=3)["changed"]
    after = {p["id"]: p for p in sb.catalog("main")}
    moved = [i for i in changed
             if before[i]["buy_button_rank"] != after[i]["buy_button_rank"]]
    assert any(before[i]["buy_button_rank"] == 1 for i in moved)  # lost
    assert any(after[i]["buy_button_rank"] == 1 for i in moved)  # won
    for i in moved:
        new_rank = after[i]["buy_button_rank"]
        assert 1 <= new_rank <= after[i]["number_of_offers"]
        assert {k for k in after[i] if after[i][k] != before[i].get(k)} <= {
            "buy_button_rank", "best_offer_sale_price", "best_offer_recommended_price"}
        if new_rank == 1 and "best_offer_sale_price" in after[i]:  # not in every shape
            assert after[i]["best_offer_sale_price"] == after[i]["sale_price"]


def test_mutate_is_deterministic_and_admin_endpoint_works():
    a, b = Sandbox(accounts=[MAIN]), start(accounts=[MAIN])
    try:
        ra = [a.mutate("main", changed=20, added=3, deleted=2, seed=s) for s in (1, 1, 2)]
        rb = []
        for s in (1, 1, 2):
            r = session().post(f"{b.admin_url}/mutate", json={
                "account": "main", "changed": 20, "added": 3, "deleted": 2, "seed": s})
            rb.append(r.json())
        assert ra == rb and ra[0] != ra[1]
        assert a.catalog("main") == b.catalog("main")
    finally:
        b.stop()


def test_state_file_replay(tmp_path):
    path = tmp_path / "state" / "emag.json"
    first = Sandbox(accounts=[MAIN, FBE], state_file=str(path))
    first.mutate("main", changed=10, added=5, deleted=3)
    first.mutate("fbe", changed=4, end_of_life=2, seed=99)
    first.mutate("main", changed=7)
    saved = json.loads(path.read_text())
    assert [m["account"] for m in saved["mutations"]] == ["main", "fbe", "main"]
    second = Sandbox(accounts=[MAIN, FBE], state_file=str(path))
    assert second.catalog("main") == first.catalog("main")
    assert second.catalog("fbe") == first.catalog("fbe")
    assert second.catalog("main") != Sandbox(accounts=[MAIN, FBE]).catalog("main")
    second.mutate("main", added=1)
    assert len(json.loads(path.read_text())["mutations"]) == 4


def test_large_catalogue_starts_fast():
    t0 = time.monotonic()
    sb = Sandbox(accounts=[AccountSpec("main", "u", "p", 100_000)], rate_limit=0)
    assert time.monotonic() - t0 < 6
    sb.start()
    try:
        s = session("u", "p")
        last = post(s, sb, "product_offer/read", {"currentPage": 1000}).json()["results"]
        assert len(last) == 100 and last[-1]["id"] == 4294967295
        t0 = time.monotonic()
        for page in range(1, 21):
            assert len(post(s, sb, "product_offer/read", {"currentPage": page})
                       .json()["results"]) == 100
        assert time.monotonic() - t0 < 2.5
    finally:
        sb.stop()
