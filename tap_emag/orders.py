"""Turn one order/read item into an `orders` record: typed, with its lines, without personal data.

An eMAG order names its buyer (names, phones, e-mail, billing and shipping addresses) in
`customer`, and delivery details (lockers, addresses) in `details`. Sellers need orders for
stock and sales, not for the people behind them, so those, and any key this tap does not know
(which could hold more of the same), are left out unless `include_customer_data` is set. A
line (one offer of the order) keeps the keys this tap does not know, as eMAG sent them: they
describe the offer sold, not the buyer.
"""

from __future__ import annotations

import typing as t

from tap_emag.emag_time import from_emag, iso
from tap_emag.normalize import as_decimal, as_integer

INTEGER_FIELDS = ("status", "type", "payment_mode_id", "payment_status", "is_complete")
DECIMAL_FIELDS = ("cashed_co", "cashed_cod", "shipping_tax", "refunded_amount")
STRING_FIELDS = ("payment_mode", "currency", "delivery_mode")
PERSONAL_FIELDS = ("customer", "details")
LINE_INTEGER_FIELDS = ("id", "product_id", "quantity", "status")
LINE_DECIMAL_FIELDS = ("sale_price", "original_price", "vat")
LINE_STRING_FIELDS = ("part_number", "part_number_key", "ext_part_number", "currency")
KNOWN_FIELDS = frozenset(
    ("id", "date", "modified", "products", "vouchers", *INTEGER_FIELDS, *DECIMAL_FIELDS,
     *STRING_FIELDS, *PERSONAL_FIELDS)
)


class InvalidOrderError(ValueError):
    """The item cannot become a record: no usable id or modification time."""


def normalize_order(raw: t.Any, *, include_customer_data: bool) -> dict[str, t.Any]:
    """One typed order (without account); personal data only when asked for."""
    if not isinstance(raw, dict):
        msg = f"order is a {type(raw).__name__}, not an object"
        raise InvalidOrderError(msg)
    order_id = as_integer(raw.get("id"))
    if order_id is None or order_id < 1:
        msg = "order has no usable id"
        raise InvalidOrderError(msg)
    modified = from_emag(raw.get("modified")) or from_emag(raw.get("date"))
    if modified is None:
        msg = f"order {order_id} has no readable modified or date time"
        raise InvalidOrderError(msg)
    record: dict[str, t.Any] = {
        "id": order_id,
        "date": iso(from_emag(raw.get("date"))),
        "modified": iso(modified),
    }
    record.update({field: as_integer(raw.get(field)) for field in INTEGER_FIELDS})
    record.update({field: as_decimal(raw.get(field)) for field in DECIMAL_FIELDS})
    record.update({field: _text(raw.get(field)) for field in STRING_FIELDS})
    lines = raw.get("products")
    record["lines"] = [_line(line) for line in lines if isinstance(line, dict)] \
        if isinstance(lines, list) else []
    vouchers = raw.get("vouchers")
    record["vouchers"] = [v for v in vouchers if isinstance(v, dict)] \
        if isinstance(vouchers, list) else []
    if include_customer_data:
        for field in PERSONAL_FIELDS:
            record[field] = raw.get(field) if isinstance(raw.get(field), dict) else None
        record["extra"] = {k: v for k, v in raw.items() if k not in KNOWN_FIELDS}
    else:
        record.update({field: None for field in PERSONAL_FIELDS}, extra={})
    return record


def touched_products(record: t.Mapping[str, t.Any]) -> set[int]:
    """The seller's offer ids an order's lines name (what the order moved stock of)."""
    return {line["product_id"] for line in record["lines"] if line["product_id"] is not None}


def _line(raw: dict[str, t.Any]) -> dict[str, t.Any]:
    known = {*LINE_INTEGER_FIELDS, *LINE_DECIMAL_FIELDS, *LINE_STRING_FIELDS, "created",
             "modified"}
    line: dict[str, t.Any] = {key: value for key, value in raw.items() if key not in known}
    line.update({field: as_integer(raw.get(field)) for field in LINE_INTEGER_FIELDS})
    line.update({field: as_decimal(raw.get(field)) for field in LINE_DECIMAL_FIELDS})
    line.update({field: _text(raw.get(field)) for field in LINE_STRING_FIELDS})
    line.update(created=iso(from_emag(raw.get("created"))),
                modified=iso(from_emag(raw.get("modified"))))
    return line


def _text(value: t.Any) -> str | None:
    return None if value is None else str(value)
