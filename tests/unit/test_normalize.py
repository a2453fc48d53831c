"""Normalisation of real-shaped payloads (tests/fixtures/product_offer_read.json) and bad input."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from tap_emag import normalize, schemas
from tap_emag.normalize import InvalidProductError, gpsr_details, normalize_product

FIXTURE = Path(__file__).parent.parent / "fixtures" / "product_offer_read.json"


@pytest.fixture(scope="module")
def products() -> dict[int, dict]:
    payload = json.loads(FIXTURE.read_text(), parse_float=Decimal)
    return {item["id"]: normalize_product(item) for item in payload["results"]}


def test_every_fixture_record_normalises_to_the_same_shape(products):
    shapes = {tuple(sorted(record)) for record in products.values()}
    assert len(shapes) == 1
    assert all(record["quality_issues"] == [] for record in products.values())


def test_normalize_reads_every_field_of_the_product_schema_once(products):
    """The schema is the one list of the product's fields: normalize names only the special ones.

    A property added to schemas.PRODUCTS in a shape normalize cannot read by type, or a
    special field the schema no longer has, fails here.
    """
    by_shape = [normalize.STRING_FIELDS, normalize.INTEGER_FIELDS, normalize.DECIMAL_FIELDS,
                normalize.WAREHOUSE_LIST_FIELDS, normalize.STATUS_LIST_FIELDS,
                normalize.OBJECT_FIELDS, normalize.SPECIAL_FIELDS, normalize.DERIVED_FIELDS,
                normalize.STAMPED_FIELDS]
    named = [field for fields in by_shape for field in fields]
    properties = schemas.PRODUCTS["properties"]
    assert sorted(named) == sorted(properties)  # each one once
    for record in products.values():
        assert set(record) == set(properties) - set(normalize.STAMPED_FIELDS)


def test_a_stamped_record_is_valid_against_the_product_schema(products):
    validator = Draft7Validator(schemas.PRODUCTS)
    for record in products.values():
        stamped = {**record, "account": "main", "content_hash": "0" * 16, "run_id": "r",
                   "version_observed_at": "2026-12-05T10:00:00+00:00", "_sdc_deleted_at": None}
        assert [error.message for error in validator.iter_errors(stamped)] == []


def test_prices_are_exact_decimals(products):
    lamp = products[1]
    assert lamp["sale_price"] == Decimal("121.84")
    assert isinstance(lamp["sale_price"], Decimal)
    assert lamp["max_sale_price"] == Decimal("100387.58")
    assert lamp["recommended_price"] is None
    assert products[6]["weight"] == Decimal(0)
    assert products[4294967295]["green_tax"] == Decimal("0.5")


def test_ownership_int_and_bool_become_the_same_codes(products):
    assert products[1]["ownership"] == 1  # sent as true
    assert products[6]["ownership"] == 2
    assert products[4294967295]["ownership"] == 1


def test_validation_errors_are_always_lists_of_objects(products):
    assert products[1]["validation_status"][0]["errors"] == []
    assert products[6]["validation_status"][0]["errors"] == [
        {"status": "error", "doc_id": 46953124, "part_number_key": "D8VY54MBM"}]
    assert products[4294967295]["validation_status"][0] == {
        "value": 8, "description": "Documentation rejected",
        "errors": [{"message": "Imaginea principala lipseste"}]}
    assert products[6]["offer_validation_status"] == {
        "value": 1, "description": "Saleable", "errors": []}


def test_lists_keep_their_shape_with_or_without_warehouse(products):
    assert products[1]["stock"] == [{"warehouse_id": 1, "value": 139}]
    assert products[6]["stock"] == [{"warehouse_id": None, "value": 0}]
    assert products[4294967295]["handling_time"] == []
    assert products[4294967295]["ean"] == []
    assert products[1]["characteristics"][0] == {"id": 6506, "value": "Negru", "tag": None}


def test_gpsr_flags_and_optional_keys(products):
    lamp = products[1]
    assert lamp["has_manufacturer"] is True
    assert lamp["has_eu_representative"] is False
    assert lamp["has_safety_information"] is True
    for field in ("manufacturer", "eu_representative", "safety_information"):
        assert field not in lamp  # details are kept apart from the product (gpsr_details)
    draft = products[4294967295]
    assert draft["part_number_key"] is None
    assert draft["description"] is None
    assert draft["family"] is None
    assert draft["has_manufacturer"] is None


def test_gpsr_lists_from_a_by_id_read():
    raw = {
        "id": 5, "manufacturer": [{"name": "Elindor SRL", "address": "Cluj", "email": "a@b.ro"}],
        "eu_representative": [], "safety_information": False,
    }
    record = normalize_product(raw)
    assert record["has_manufacturer"] is True
    assert record["has_eu_representative"] is False
    assert record["has_safety_information"] is False
    assert gpsr_details(raw) == {
        "manufacturer": [{"name": "Elindor SRL", "address": "Cluj", "email": "a@b.ro"}],
        "eu_representative": []}


def test_a_page_read_carries_no_details_but_a_leaked_safety_text(products):
    fixture = json.loads(FIXTURE.read_text(), parse_float=Decimal)["results"]
    assert gpsr_details(fixture[0]) == {
        "safety_information": "A nu se lasa la indemana copiilor."}
    assert all(gpsr_details(item) == {} for item in fixture[1:])


def test_unknown_keys_are_kept_in_extra():
    record = normalize_product({"id": 9, "sustainability_score": 3, "new_block": {"a": [1]}})
    assert record["extra"] == {"sustainability_score": 3, "new_block": {"a": [1]}}


@pytest.mark.parametrize("raw, reason", [
    ({"name": "no id"}, "no id"),
    ({"id": None}, "no id"),
    ({"id": "abc"}, "not an integer"),
    ({"id": 0}, "not an integer"),
    ({"id": 4294967296}, "not an integer"),
    ({"id": True}, "boolean"),
    ("not an object", "not an object"),
])
def test_products_without_a_usable_id_are_refused_with_a_reason(raw, reason):
    with pytest.raises(InvalidProductError, match=reason):
        normalize_product(raw)


def test_bad_values_become_null_with_a_named_issue():
    record = normalize_product({
        "id": "17",
        "sale_price": "12,50",
        "recommended_price": "abc",
        "min_sale_price": {"value": 1},
        "general_stock": "5",
        "estimated_stock": [3],
        "ean": "5941234567890",
        "stock": "lots",
        "images": {"url": "https://x/1.jpg", "display_type": 1},
        "family": [],
        "reversible_vat_charging": 1,
    })
    assert record["id"] == 17
    assert record["sale_price"] == Decimal("12.50")
    assert record["recommended_price"] is None
    assert record["min_sale_price"] is None
    assert record["general_stock"] == 5
    assert record["estimated_stock"] is None
    assert record["ean"] == ["5941234567890"]
    assert record["stock"] == []
    assert record["images"] == [{"url": "https://x/1.jpg", "display_type": 1}]
    assert record["family"] is None
    assert record["reversible_vat_charging"] is True
    issues = " | ".join(record["quality_issues"])
    for field in ("recommended_price", "min_sale_price", "estimated_stock", "stock"):
        assert field in issues
    # nothing is thrown away: what a typed column could not hold is kept as sent
    assert record["unread"] == {"recommended_price": "abc", "min_sale_price": {"value": 1},
                                "estimated_stock": [3], "stock": "lots"}


def test_long_html_emoji_and_diacritics_are_kept_verbatim():
    description = "<p>Ștergător 🚗 țâșnitor</p>" * 5000
    record = normalize_product(
        {"id": 3, "name": "Aspirator fără sac 😀", "description": description})
    assert record["description"] == description
    assert record["name"] == "Aspirator fără sac 😀"


def test_nulls_everywhere_are_accepted():
    raw = {key: None for key in json.loads(FIXTURE.read_text())["results"][0]}
    raw["id"] = 11
    record = normalize_product(raw)
    assert record["quality_issues"] == []
    assert record["unread"] == {}
    assert record["stock"] == [] and record["validation_status"] == []


@pytest.mark.parametrize("flag", [True, False, 1, 0, None])
def test_a_gpsr_flag_in_any_form_is_no_detail(flag):
    raw = {"id": 5, "safety_information": flag, "manufacturer": flag}
    assert gpsr_details(raw) == {}
    assert normalize_product(raw)["has_safety_information"] is (
        None if flag is None else bool(flag))


def test_gpsr_contacts_of_other_forms_are_kept_as_text():
    details = gpsr_details({"id": 5, "manufacturer": [
        {"name": 123, "address": {"city": "Cluj"}, "email": None, "phone": "0740"}, "Acme"]})
    assert details["manufacturer"] == [
        {"name": "123", "address": '{"city": "Cluj"}', "email": None, "phone": "0740"},
        {"value": "Acme"}]
