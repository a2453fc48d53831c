"""Auth, envelope, pagination, parameters, filters and the small read resources."""

import base64

import pytest
import requests

from tests.sandbox.sandbox_helpers import post, read_all, session, start


@pytest.fixture(scope="module")
def sb():
    sandbox = start()
    yield sandbox
    sandbox.stop()


def test_missing_credentials_401_not_counted(sb):
    sb.reset_stats()
    r = requests.post(f"{sb.base_url}/product_offer/read", json={"data": {}}, timeout=5)
    assert r.status_code == 401
    body = r.json()
    assert body["isError"] is True and body["messages"] and body["results"] == []
    assert session("main-user", "nope").post(f"{sb.base_url}/product_offer/read",
                                             json={"data": {}}).status_code == 401
    assert session("ghost", "main-pass").post(f"{sb.base_url}/vat/read",
                                              json={"data": {}}).status_code == 401
    garbage = {"Authorization": "Basic !!!notbase64"}
    assert requests.post(f"{sb.base_url}/vat/read", headers=garbage).status_code == 401
    no_colon = {"Authorization": "Basic " + base64.b64encode(b"main-user").decode()}
    assert requests.post(f"{sb.base_url}/vat/read", headers=no_colon).status_code == 401
    stats = sb.stats()
    assert stats["unauthenticated_401"] == 5
    assert stats["accounts"]["main"]["requests"]["total"] == 0
    assert stats["main"] == stats["accounts"]["main"]


def test_account_chosen_by_credentials(sb):
    main = post(session(), sb, "product_offer/count").json()["results"]
    fbe = post(session("fbe-user", "fbe-pass"), sb, "product_offer/count").json()["results"]
    assert main["noOfItems"] == "250" and fbe["noOfItems"] == "150"


def test_password_change_and_ip_block(sb):
    s = session()
    sb.set_password("main", "rotated")
    try:
        assert post(s, sb, "vat/read").status_code == 401
        assert post(session("main-user", "rotated"), sb, "vat/read").status_code == 200
    finally:
        sb.set_password("main", "main-pass")
    sb.reset_stats()
    sb.set_ip_blocked("main", True)
    try:
        r = post(s, sb, "product_offer/read")
        assert r.status_code == 200
        body = r.json()
        assert body["isError"] is True and "whitelist" in body["messages"][0]
        assert body["results"] == []
    finally:
        sb.set_ip_blocked("main", False)
    stats = sb.stats()["accounts"]["main"]
    assert stats["requests"]["total"] == 1 and stats["ip_blocked"] == 1
    assert post(s, sb, "product_offer/read").json()["isError"] is False


def test_envelope_and_php_style_json(sb):
    r = post(session(), sb, "product_offer/read", {"itemsPerPage": 5})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    body = r.json()
    assert set(body) == {"isError", "messages", "results"}
    assert body["isError"] is False and body["messages"] == []
    assert len(body["results"]) == 5
    assert "\\/" in r.text and "https://" not in r.text  # slashes escaped like json_encode


def test_pagination_order_short_last_page_and_past_end(sb):
    s = session()
    everything = read_all(s, sb)
    ids = [p["id"] for p in everything]
    assert len(ids) == 250 and ids == sorted(ids) and len(set(ids)) == 250
    assert ids[-1] == 4294967295  # the maximum id, as in the real fixture
    page3 = post(s, sb, "product_offer/read", {"currentPage": 3, "itemsPerPage": 100})
    assert len(page3.json()["results"]) == 50
    past = post(s, sb, "product_offer/read", {"currentPage": 4, "itemsPerPage": 100}).json()
    assert past["isError"] is False and past["results"] == []
    default = post(s, sb, "product_offer/read", {}).json()["results"]
    assert [p["id"] for p in default] == ids[:100]
    small = post(s, sb, "product_offer/read", {"currentPage": 7, "itemsPerPage": 7}).json()
    assert [p["id"] for p in small["results"]] == ids[42:49]
    assert everything == sb.catalog("main")


@pytest.mark.parametrize("data, word", [
    ({"itemsPerPage": 101}, "itemsPerPage"),
    ({"itemsPerPage": 0}, "itemsPerPage"),
    ({"currentPage": 0}, "currentPage"),
    ({"currentPage": "abc"}, "currentPage"),
    ({"itemsPerPage": 2.5}, "itemsPerPage"),
    ({"status": "active"}, "status"),
])
def test_invalid_parameters_are_iserror(sb, data, word):
    r = post(session(), sb, "product_offer/read", data)
    assert r.status_code == 200
    body = r.json()
    assert body["isError"] is True and word in body["messages"][0]


def test_data_is_mandatory_and_body_must_parse(sb):
    s = session()
    for body in ({}, {"data": "x"}, {"data": [1, 2]}, {"filters": {"status": 1}}):
        r = post(s, sb, "product_offer/read", body=body).json()
        assert r["isError"] is True and "data" in r["messages"][0]
    r = s.post(f"{sb.base_url}/product_offer/read", data=b"{not json",
               headers={"Content-Type": "application/json"}).json()
    assert r["isError"] is True and "JSON" in r["messages"][0]
    assert post(s, sb, "vat/read", body={}).json()["isError"] is False


def test_form_encoded_body_and_case_sensitive_unknown_keys(sb):
    s = session()
    r = s.post(f"{sb.base_url}/product_offer/read",
               data={"data[currentPage]": "2", "data[itemsPerPage]": "10"}).json()
    assert r["isError"] is False
    assert [p["id"] for p in r["results"]] == [p["id"] for p in sb.catalog("main")[10:20]]
    # "Status" is not "status": unknown keys are ignored
    r = post(s, sb, "product_offer/count", {"Status": 1, "colour": "red"}).json()
    assert r["results"]["noOfItems"] == "250"


def test_input_vars_limit(sb):
    r = post(session(), sb, "product_offer/read", {"id": 1, "junk": list(range(4001))}).json()
    assert r["isError"] is True and "4000" in r["messages"][0]


def test_unknown_route_404_and_get_405(sb):
    s = session()
    r = post(s, sb, "product_offer/explode")
    assert r.status_code == 404 and r.json()["isError"] is True
    assert s.get(f"{sb.base_url}/product_offer/read").status_code == 405
    assert requests.get(sb.base_url.replace("/api-3", "/other")).status_code == 404


def test_count_sends_noofitems_as_string(sb):
    r = post(session(), sb, "product_offer/count", {"itemsPerPage": 30}).json()["results"]
    assert r == {"noOfItems": "250", "noOfPages": 9, "itemsPerPage": 30}


def test_filters_status_and_stock(sb):
    s = session()
    catalog = sb.catalog("main")
    for status in (0, 1, 2):
        got = read_all(s, sb, {"status": status})
        assert [p["id"] for p in got] == [p["id"] for p in catalog if p["status"] == status]
        count = post(s, sb, "product_offer/count", {"status": status}).json()["results"]
        assert count["noOfItems"] == str(len(got))
    low = read_all(s, sb, {"general_stock": 5})
    assert low and all(0 <= p["general_stock"] <= 5 for p in low)
    assert len(low) == sum(1 for p in catalog if p["general_stock"] <= 5)
    est = read_all(s, sb, {"estimated_stock": 0})
    assert all(p["estimated_stock"] == 0 for p in est)
    ok = read_all(s, sb, {"validation_status": 9, "offer_validation_status": 1})
    assert ok and all(p["validation_status"][0]["value"] == 9 for p in ok)
    assert all(p["offer_validation_status"]["value"] == 1 for p in ok)


def test_filters_part_number_and_pnk(sb):
    s = session()
    target = next(p for p in sb.catalog("main") if p["part_number_key"])
    by_pn = post(s, sb, "product_offer/read", {"part_number": target["part_number"]}).json()
    assert [p["id"] for p in by_pn["results"]] == [target["id"]]
    by_pnk = post(s, sb, "product_offer/read",
                  {"part_number_key": target["part_number_key"]}).json()
    assert target["id"] in [p["id"] for p in by_pnk["results"]]


def test_id_filter_returns_gpsr_lists(sb):
    s = session()
    listed = sb.catalog("main")
    with_flags = [p for p in listed if "manufacturer" in p]
    assert all(isinstance(p["manufacturer"], bool) for p in with_flags)
    assert all(isinstance(p["eu_representative"], bool) for p in with_flags)
    target = next(p for p in with_flags if p["manufacturer"] is True)
    one = post(s, sb, "product_offer/read", {"id": target["id"]}).json()["results"]
    assert len(one) == 1
    detail = one[0]
    assert isinstance(detail["manufacturer"], list) and detail["manufacturer"]
    assert set(detail["manufacturer"][0]) == {"name", "address", "email"}
    assert isinstance(detail["eu_representative"], list)
    assert isinstance(detail["safety_information"], str)
    rest = {k: v for k, v in detail.items()
            if k not in ("manufacturer", "eu_representative", "safety_information")}
    assert rest == {k: v for k, v in target.items() if k in rest}
    assert post(s, sb, "product_offer/read", {"id": 3}).json()["results"] in ([], one)


def test_category_vat_and_handling_time(sb):
    s = session()
    count = post(s, sb, "category/count").json()["results"]
    n = int(count["noOfItems"])
    assert 150 <= n <= 250
    cats = []
    for page in range(1, count["noOfPages"] + 1):
        cats += post(s, sb, "category/read", {"currentPage": page}).json()["results"]
    assert len(cats) == n and [c["id"] for c in cats] == sorted(c["id"] for c in cats)
    ids = {c["id"] for c in cats}
    assert all(c["parent_id"] is None or c["parent_id"] in ids for c in cats)
    assert {"id", "name", "is_allowed", "parent_id", "is_ean_mandatory",
            "is_warranty_mandatory", "family_types"} <= set(cats[0])
    assert {p["category_id"] for p in sb.catalog("main")} <= ids
    one = post(s, sb, "category/read", {"id": cats[5]["id"]}).json()["results"]
    assert len(one) == 1 and one[0]["characteristics"]
    vat = post(s, sb, "vat/read").json()["results"]
    assert [(v["vat_id"], v["vat_rate"]) for v in vat] == [(1, 0.21), (2, 0.11), (3, 0.0)]
    ht = post(s, sb, "handling_time/read").json()
    assert ht["isError"] is False and ht["results"]


def test_admin_api(sb):
    health = requests.get(f"{sb.admin_url}/health", timeout=5).json()
    assert health["status"] == "ok" and health["accounts"] == ["main", "fbe"]
    cat = requests.get(f"{sb.admin_url}/catalog", params={"account": "fbe"}, timeout=5).json()
    assert cat == sb.catalog("fbe")
    r = requests.post(f"{sb.admin_url}/configure", json={"latency": 0.0}, timeout=5)
    assert r.status_code == 200 and r.json()["latency"] == 0.0
    bad = requests.post(f"{sb.admin_url}/configure", json={"bogus": 1}, timeout=5)
    assert bad.status_code == 400
    assert requests.post(f"{sb.admin_url}/password",
                         json={"account": "fbe", "password": "fbe-pass"}).ok
    assert requests.post(f"{sb.admin_url}/ip_blocked",
                         json={"account": "fbe", "blocked": False}).ok
    assert requests.post(f"{sb.admin_url}/reset_stats").ok
    assert requests.get(f"{sb.admin_url}/stats").json()["unauthenticated_401"] == 0
