"""Orders as eMAG sends them: local times to UTC, exact money, lines, and no personal data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tap_emag.emag_time import from_emag, to_emag
from tap_emag.orders import InvalidOrderError, normalize_order, touched_products

CUSTOMER = {"id": 7, "name": "Ion Popescu", "phone_1": "0722111222",
            "email": "ion.popescu@example.ro", "shipping_street": "Str. Lalelelor 3"}
ORDER = {
    "id": 501, "status": 1, "type": 3, "date": "2026-07-01 12:00:00",
    "modified": "2026-07-01 12:30:05", "payment_mode_id": 1, "payment_mode": "COD",
    "cashed_cod": "238.0000", "shipping_tax": "19.99", "customer": CUSTOMER,
    "details": {"locker_name": "easybox Lalelelor"}, "delivery_address_hint": "door 2",
    "products": [
        {"id": 1, "product_id": 1234, "part_number": "D33HD4MBM", "ext_part_number": "SKU-1",
         "quantity": 2, "sale_price": "100.0000", "vat": "0.1900", "currency": "RON",
         "status": 1, "created": "2026-07-01 12:00:00", "modified": "2026-07-01 12:00:00"},
        {"id": 2, "product_id": "99", "quantity": "1", "sale_price": "19.5", "status": 0},
        "not a line",
    ],
}


def test_local_times_become_utc_across_daylight_saving():
    assert from_emag("2026-07-01 12:00:00") == dt.datetime(2026, 7, 1, 9, tzinfo=dt.timezone.utc)
    assert from_emag("2026-12-01 12:00:00") == dt.datetime(2026, 12, 1, 10,
                                                           tzinfo=dt.timezone.utc)
    assert to_emag(dt.datetime(2026, 12, 1, 10, tzinfo=dt.timezone.utc)) == "2026-12-01 12:00:00"
    assert from_emag("") is None and from_emag("01/07/2026") is None and from_emag(None) is None


def test_an_order_is_typed_with_exact_money_and_its_lines():
    record = normalize_order(ORDER, include_customer_data=False)
    assert record["id"] == 501 and record["status"] == 1 and record["type"] == 3
    assert record["modified"] == "2026-07-01T09:30:05+00:00"
    assert record["cashed_cod"] == Decimal("238.0000")
    first, second = record["lines"]
    assert first["sale_price"] == Decimal("100.0000") and first["vat"] == Decimal("0.1900")
    assert first["part_number"] == "D33HD4MBM" and first["ext_part_number"] == "SKU-1"
    assert (second["product_id"], second["quantity"], second["status"]) == (99, 1, 0)
    assert touched_products(record) == {1234, 99}


def test_personal_data_is_left_out_unless_asked_for():
    plain = normalize_order(ORDER, include_customer_data=False)
    assert plain["customer"] is None and plain["details"] is None and plain["extra"] == {}
    text = repr(plain)
    assert not any(value in text for value in ("Popescu", "0722111222", "Lalelelor", "door 2"))
    full = normalize_order(ORDER, include_customer_data=True)
    assert full["customer"] == CUSTOMER
    assert full["extra"] == {"delivery_address_hint": "door 2"}


@pytest.mark.parametrize("raw", [None, [], {"status": 1}, {"id": "x"},
                                 {"id": 5, "modified": "yesterday"}])
def test_orders_without_an_id_or_a_time_are_refused(raw):
    with pytest.raises(InvalidOrderError):
        normalize_order(raw, include_customer_data=False)
