"""Malformed product records ("bad records") mixed into the served catalogue."""

import json

import pytest
import requests

from emag_sandbox import AccountSpec, Sandbox
from emag_sandbox.bad_records import KINDS
from tests.sandbox.sandbox_helpers import FBE, MAIN, post, read_all, session, start

GPSR = ("manufacturer", "eu_representative", "safety_information")
N = 2 * len(KINDS)  # every kind twice


@pytest.fixture(scope="module")
def sb():
    sandbox = start(bad_records=N)
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def served(sb):
    """The main account's catalogue as a client pages through it over HTTP."""
    return read_all(session(), sb)


def _by_kind(listing):
    return {kind: [e for e in listing if e["kind"] == kind] for kind in KINDS}


def test_every_kind_is_served_in_the_middle_of_the_catalogue(sb, served):
    listing = sb.bad_records("main")
    assert len(served) == 250 + N and len(listing) == N
    assert all(len(entries) == 2 for entries in _by_kind(listing).values())
    positions = [e["position"] for e in listing]
    assert positions == sorted(positions)
    for entry in listing:
        assert served[entry["position"]] == entry["item"]
        assert 0 < entry["position"] < len(served) - 1  # offers on both sides
    pages = {p // 100 for p in positions}
    assert pages == {0, 1, 2}  # spread over every page, not piled on the last one
    bad_positions = set(positions)
    normal = [p for i, p in enumerate(served) if i not in bad_positions]
    assert normal == sb.catalog("main")


def test_each_kind_is_malformed_as_described(sb):
    kinds = _by_kind(sb.bad_records("main"))
    well_formed = {p["id"] for p in sb.catalog("main")}
    for kind, entries in kinds.items():
        for item in (e["item"] for e in entries):
            if kind not in ("missing_id", "null_id"):
                assert isinstance(item["id"], int) and item["id"] not in well_formed, kind
    item = kinds["missing_id"][0]["item"]
    assert "id" not in item and isinstance(item["sale_price"], str) and item["part_number"]
    assert kinds["null_id"][0]["item"]["id"] is None
    for item in (e["item"] for e in kinds["bad_price"]):
        with pytest.raises(ValueError):
            float(item["sale_price"])
        assert item["recommended_price"] == {"value": "x"}
    item = kinds["string_for_list"][0]["item"]
    assert isinstance(item["ean"], str) and len(item["ean"]) == 13 and item["ean"].isdigit()
    assert isinstance(item["images"], str) and item["images"].startswith("https://")
    item = kinds["object_for_number"][0]["item"]
    assert set(item["general_stock"]) == {"value"} and set(item["vat_id"]) == {"id"}
    html = kinds["long_html"][0]["item"]["description"]
    assert 290_000 <= len(html) <= 310_000
    for tag in ("<p>", "<ul><li>", "<table", "&amp;", "&nbsp;"):
        assert tag in html
    item = kinds["unicode"][0]["item"]
    for text in ("ă", "â", "î", "ș", "ț", "Ș", "Ț", "ő", "ű", "Безжични", "🔥📦", "\u200d"):
        assert text in item["name"] + item["description"], text
    assert "Ș" in item["brand"] and "Ő" in item["brand"]
    assert any("🔥" in c["value"] for c in item["characteristics"])
    item = kinds["nulls_everywhere"][0]["item"]
    assert isinstance(item["id"], int) and len(item) > 40
    assert all(v is None for k, v in item.items() if k != "id")
    item = kinds["unknown_keys"][0]["item"]
    assert isinstance(item["eco_label"], str) and isinstance(item["dimensions"], dict)
    assert isinstance(item["tags"], list) and isinstance(item["sale_price"], str)


def test_unicode_goes_over_the_wire_as_php_escapes(sb):
    entry = _by_kind(sb.bad_records("main"))["unicode"][0]
    page, index = divmod(entry["position"], 100)
    r = post(session(), sb, "product_offer/read", {"currentPage": page + 1})
    assert r.content.isascii() and "\\ud83d\\udd25" in r.text  # 🔥 as a surrogate pair
    assert r.json()["results"][index] == entry["item"]


def test_count_includes_bad_records(sb):
    count = post(session(), sb, "product_offer/count", {"itemsPerPage": 100}).json()
    assert count["results"] == {"noOfItems": str(250 + N), "noOfPages": 3, "itemsPerPage": 100}
    fbe = post(session("fbe-user", "fbe-pass"), sb, "product_offer/count").json()["results"]
    assert fbe["noOfItems"] == str(150 + N)
    assert len(read_all(session("fbe-user", "fbe-pass"), sb)) == 150 + N


def test_other_filters_see_bad_items_through_their_core(sb):
    s = session()
    bad = [e["item"] for e in sb.bad_records("main")]  # every bad core is active (status 1)
    active = read_all(s, sb, {"status": 1})
    assert [p for p in active if p in bad] == bad
    assert [p for p in active if p not in bad] == [
        p for p in sb.catalog("main") if p["status"] == 1]
    count = post(s, sb, "product_offer/count", {"status": 1}).json()["results"]
    assert count["noOfItems"] == str(len(active))
    assert not [p for p in read_all(s, sb, {"status": 0}) if p in bad]


def test_id_lookup_finds_bad_items_that_have_an_id(sb):
    s = session()
    with_id = [e for e in sb.bad_records("main") if e["kind"] not in ("missing_id", "null_id")]
    assert len(with_id) == N - 4
    for entry in with_id:
        item = entry["item"]
        found = post(s, sb, "product_offer/read", {"id": item["id"]}).json()["results"]
        assert len(found) == 1 and found[0]["id"] == item["id"], entry["kind"]
        listed = {k: v for k, v in item.items() if k not in GPSR}
        assert {k: v for k, v in found[0].items() if k not in GPSR} == listed
        count = post(s, sb, "product_offer/count", {"id": item["id"]}).json()["results"]
        assert count["noOfItems"] == "1"


def test_catalog_route_lists_only_well_formed_offers(sb):
    plain = Sandbox(accounts=[MAIN, FBE])
    for account in ("main", "fbe"):
        listed = requests.get(f"{sb.admin_url}/catalog", params={"account": account},
                              timeout=5).json()
        assert listed == sb.catalog(account) == plain.catalog(account)
        assert all(isinstance(p["id"], int) for p in listed)


def test_admin_bad_records_route(sb):
    r = requests.get(f"{sb.admin_url}/bad_records", params={"account": "fbe"}, timeout=10)
    assert r.status_code == 200
    listing = r.json()
    assert listing == json.loads(json.dumps(sb.bad_records("fbe")))
    assert [set(e) for e in listing] == [{"kind", "position", "item"}] * N
    assert [e["kind"] for e in listing] == [KINDS[i % len(KINDS)] for i in range(N)]
    assert requests.get(f"{sb.admin_url}/bad_records", timeout=5).status_code == 400
    unknown = requests.get(f"{sb.admin_url}/bad_records", params={"account": "x"}, timeout=5)
    assert unknown.status_code == 400
    assert requests.get(f"{sb.admin_url}/config", timeout=5).json()["bad_records"] == N


def test_same_seed_same_items_and_positions_other_seed_differs():
    def listing(seed):
        return Sandbox(accounts=[MAIN, FBE], seed=seed, bad_records=N).bad_records("main")

    first = listing(42)
    assert first == listing(42)
    assert [e["position"] for e in first] != [e["position"] for e in listing(43)]
    other_account = Sandbox(accounts=[MAIN, FBE], bad_records=N).bad_records("fbe")
    assert [e["item"] for e in other_account] != [e["item"] for e in first]


def test_default_zero_changes_nothing():
    plain = start()
    zero = start(bad_records=0)
    try:
        assert zero.config()["bad_records"] == 0 and zero.bad_records("main") == []
        for sandbox in (plain, zero):
            served = read_all(session(), sandbox)
            assert served == sandbox.catalog("main") == plain.catalog("main")
            count = post(session(), sandbox, "product_offer/count").json()["results"]
            assert count["noOfItems"] == "250"
            status = read_all(session(), sandbox, {"status": 1})
            assert status == [p for p in plain.catalog("main") if p["status"] == 1]
    finally:
        plain.stop()
        zero.stop()


def test_mutations_leave_bad_records_alone(tmp_path):
    path = tmp_path / "state.json"
    sb = Sandbox(accounts=[MAIN, FBE], bad_records=N, state_file=str(path))
    before = [e["item"] for e in sb.bad_records("main")]
    bad_ids = {i["id"] for i in before if i.get("id") is not None}
    result = sb.mutate("main", changed=200, added=40, deleted=30, end_of_life=10, seed=3)
    assert not bad_ids & set().union(*map(set, result.values()))
    after = sb.bad_records("main")
    assert [e["item"] for e in after] == before
    assert len(sb.catalog("main")) == 250 + 40 - 30
    replayed = Sandbox(accounts=[MAIN, FBE], bad_records=N, state_file=str(path))
    assert replayed.bad_records("main") == after
    assert replayed.catalog("main") == sb.catalog("main")
    with pytest.raises(ValueError):  # bad items are no candidates for a mutation
        sb.mutate("main", changed=len(sb.catalog("main")) + 1)
    everything = sb.mutate("main", changed=len(sb.catalog("main")))["changed"]
    assert not bad_ids & set(everything)
    assert [e["item"] for e in sb.bad_records("main")] == before


def test_configure_at_runtime_matches_the_constructor_option(sb):
    runtime = start()
    try:
        runtime.configure(bad_records=N)
        assert runtime.bad_records("main") == sb.bad_records("main")
        assert read_all(session(), runtime) == read_all(session(), sb)
        r = requests.post(f"{runtime.admin_url}/configure", json={"bad_records": 0}, timeout=5)
        assert r.status_code == 200 and r.json()["bad_records"] == 0
        assert read_all(session(), runtime) == runtime.catalog("main")
        for bad in (-1, "3", 1.5, True):
            r = requests.post(f"{runtime.admin_url}/configure", json={"bad_records": bad})
            assert r.status_code == 400, bad
        assert runtime.config()["bad_records"] == 0
    finally:
        runtime.stop()


@pytest.mark.parametrize("products", [0, 1, 2, 5])
def test_tiny_catalogues_still_get_unique_ids(products):
    sb = Sandbox(accounts=[AccountSpec("main", "u", "p", products)], bad_records=N)
    listing = sb.bad_records("main")
    ids = [p["id"] for p in sb.catalog("main")]
    ids += [e["item"]["id"] for e in listing if e["item"].get("id") is not None]
    assert len(ids) == len(set(ids)) == products + N - 4
    assert sorted({e["kind"] for e in listing}) == sorted(KINDS)
    with pytest.raises(ValueError):
        Sandbox(accounts=[MAIN], bad_records=-1)
