"""A product's content identity: the same whichever read fetched it, changed by any drift.

The identity is the hash of the normalised record (`content_digest(normalize_product(raw))`):
the bookmark's fingerprint, the `content_hash` column and so the history's versions.
"""

from __future__ import annotations

import copy
import json
import typing as t
from decimal import Decimal
from pathlib import Path

import pytest

from tap_emag.fingerprints import content_digest
from tap_emag.gpsr import detail_rows
from tap_emag.normalize import normalize_product

FIXTURE = Path(__file__).parent.parent / "fixtures" / "product_offer_read.json"


def _lamp() -> dict[str, t.Any]:
    """The fixture's fullest product, as a page read serves it."""
    return json.loads(FIXTURE.read_text(), parse_float=Decimal)["results"][0]


def identity(raw: dict[str, t.Any]) -> bytes:
    return content_digest(normalize_product(copy.deepcopy(raw)))


def test_the_same_payload_read_twice_has_the_same_identity():
    first, again = _lamp(), json.loads(json.dumps(_lamp(), default=str), parse_float=Decimal)
    assert identity(first) == identity(again)
    reordered = dict(reversed(list(first.items())))  # key order is not content
    assert identity(reordered) == identity(first)


def test_a_read_by_id_and_a_page_read_of_an_unchanged_offer_have_one_identity():
    page = _lamp()
    by_id = {**page,
             "manufacturer": [{"name": "Elindor SRL", "address": "Cluj", "email": "a@b.ro"}],
             "eu_representative": [],
             "safety_information": "A nu se lasa la indemana copiilor."}
    page_without_leak = {**page, "safety_information": True}
    assert identity(by_id) == identity(page) == identity(page_without_leak)
    # the details are rows of their own, only from the reads that carry them
    rows = detail_rows(by_id, account="main", product_id=1, run_id="r")
    assert {row["field"] for row in rows} == {
        "manufacturer", "eu_representative", "safety_information"}
    assert detail_rows(page_without_leak, account="main", product_id=1, run_id="r") == []
    leaked = detail_rows(page, account="main", product_id=1, run_id="r")
    assert [row["field"] for row in leaked] == ["safety_information"]
    by_field = {row["field"]: row for row in rows}
    assert by_field["safety_information"]["value_hash"] == leaked[0]["value_hash"]


def test_a_gpsr_flag_change_is_a_change():
    page = _lamp()
    assert identity({**page, "eu_representative": True}) != identity(page)


def _set(path: tuple[t.Any, ...], value: t.Any) -> t.Callable[[dict[str, t.Any]], None]:
    def change(raw: dict[str, t.Any]) -> None:
        target: t.Any = raw
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return change


# (where, a change eMAG might make there, where its value must be found in the record)
NEW_KEYS = [
    ("top level", ("eco_label",), ("extra", "eco_label")),
    ("stock entry", ("stock", 0, "reserved"), ("stock", 0, "reserved")),
    ("handling time entry", ("handling_time", 0, "unit"), ("handling_time", 0, "unit")),
    ("availability entry", ("availability", 0, "label"), ("availability", 0, "label")),
    ("offer_details", ("offer_details", "drift"), ("offer_details", "drift")),
    ("offer_details, second level", ("offer_details", "deep"), ("offer_details", "deep")),
    ("validation status entry", ("validation_status", 0, "since"),
     ("validation_status", 0, "since")),
    ("translation status entry", ("translation_validation_status", 0, "since"),
     ("translation_validation_status", 0, "since")),
    ("offer validation status", ("offer_validation_status", "since"),
     ("offer_validation_status", "since")),
    ("image", ("images", 0, "width"), ("images", 0, "width")),
    ("characteristic", ("characteristics", 0, "unit"), ("characteristics", 0, "unit")),
    ("validation error", ("validation_status", 0, "errors"), ("validation_status", 0, "errors")),
]
VALUES: dict[str, t.Any] = {
    "offer_details, second level": {"level": 2, "note": {"level": 3}},
    "validation error": [{"message": "x", "code": 7}],
}


@pytest.mark.parametrize(("where", "path", "found"), NEW_KEYS, ids=[n[0] for n in NEW_KEYS])
def test_a_new_key_at_any_depth_is_kept_and_changes_the_identity(where, path, found):
    raw = _lamp()
    value = VALUES.get(where, "drift-1")
    _set(path, value)(raw)
    record = normalize_product(copy.deepcopy(raw))
    held: t.Any = record
    for step in found:
        held = held[step]
    assert held == value
    assert record["quality_issues"] == []
    assert identity(raw) != identity(_lamp())
    changed = copy.deepcopy(raw)
    _set(path, "drift-2" if where not in VALUES else {"other": 1})(changed)
    assert identity(changed) != identity(raw)  # and so does a change of its value


TYPE_CHANGES = [
    ("stock value becomes an object", ("stock", 0, "value"), {"available": 139, "reserved": 2}),
    ("handling time value becomes a list", ("handling_time", 0, "value"), [1, 2]),
    ("validation value becomes text", ("validation_status", 0, "value"), "nine"),
    ("offer_details value becomes text", ("offer_details", "supply_lead_time"), "14 zile"),
    ("image display type becomes an object", ("images", 0, "display_type"), {"main": True}),
]


@pytest.mark.parametrize(("what", "path", "value"), TYPE_CHANGES, ids=[c[0] for c in TYPE_CHANGES])
def test_a_nested_value_changing_type_is_kept_and_changes_the_identity(what, path, value):
    raw = _lamp()
    _set(path, value)(raw)
    record = normalize_product(copy.deepcopy(raw))
    field = path[0]
    if field == "offer_details":  # an open object: kept in place, as sent
        assert record[field][path[1]] == value
    else:  # a typed column: nulled, named, and kept as sent in `unread`
        assert record["unread"][field] == raw[field]
        assert any(issue.startswith(f"{field}:") for issue in record["quality_issues"])
    assert identity(raw) != identity(_lamp())


def test_an_equal_value_in_another_form_is_the_same_content():
    """eMAG's forms of one value (documented: decimal strings, ownership int or bool)."""
    raw = _lamp()
    assert identity({**raw, "sale_price": "121.84"}) == identity(raw)  # "121.8400"
    assert identity({**raw, "ownership": 1}) == identity(raw)  # true


def test_unknown_keys_of_order_lines_are_kept():
    from tap_emag.orders import normalize_order

    order = normalize_order({
        "id": 1, "modified": "2026-12-01 10:00:00",
        "products": [{"id": 5, "product_id": 9, "quantity": 1, "sale_price": "10.0000",
                      "drift_nested": {"a": 1}}],
    }, include_customer_data=False)
    assert order["lines"][0]["drift_nested"] == {"a": 1}
    assert order["lines"][0]["product_id"] == 9
