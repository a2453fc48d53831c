"""The ``order/read`` and ``order/count`` filters, validated as eMAG documents them (v4.4.9 §5).

Dates are Bucharest wall-clock ``YYYY-mm-dd HH:ii:ss`` strings. ``...After`` is inclusive and
``...Before`` exclusive, so consecutive windows ``[a, b)``, ``[b, c)`` never read an order
twice. A ``...Before`` needs its ``...After`` and the window may span at most one calendar
month; ``...After`` alone reads up to now. ``type`` is 3 (seller-fulfilled) when not given, so
Fulfilled-by-eMAG orders come back only when asked for. A null value is the same as an absent
key (PHP's ``isset``). Problems raise :class:`~emag_sandbox.params.ApiError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emag_sandbox.localtime import add_month, parse_local
from emag_sandbox.orders import FBE_TYPE, SELLER_TYPE, STATUSES, Order
from emag_sandbox.params import ApiError, as_int

DEFAULT_TYPE = SELLER_TYPE
TYPES = (FBE_TYPE, SELLER_TYPE)


def _present(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _date(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return parse_local(value)
    except ValueError:
        raise ApiError(f"Invalid value for '{key}': expected a date as YYYY-mm-dd HH:ii:ss "
                       f"(eMAG's local time), got {value!r}") from None


def _window(data: dict[str, Any], field: str) -> tuple[int | None, int | None]:
    """``(after, before)`` of the ``{field}After``/``{field}Before`` pair, checked."""
    after_key, before_key = f"{field}After", f"{field}Before"
    after, before = _date(data, after_key), _date(data, before_key)
    if before is None:
        return after, None
    if after is None:
        raise ApiError(f"Filter '{before_key}' requires '{after_key}': send both to read a "
                       f"window of at most one month")
    if before < after:
        raise ApiError(f"Invalid interval: '{before_key}' ({data[before_key]}) is earlier than "
                       f"'{after_key}' ({data[after_key]})")
    if before > add_month(after):
        raise ApiError(f"Invalid interval: '{after_key}' to '{before_key}' may span at most "
                       f"one month, got {data[after_key]} to {data[before_key]}")
    return after, before


def _statuses(data: dict[str, Any]) -> set[int] | None:
    """``status``: one value or a list (a form body sends ``status[]=1&status[]=2``)."""
    if "status" not in data:
        return None
    raw = data["status"]
    values = list(raw.values()) if isinstance(raw, dict) else raw
    if not isinstance(values, list):
        values = [values]
    if not values:
        raise ApiError("Invalid value for 'status': the list is empty")
    out = set()
    for value in values:
        status = as_int({"status": value}, "status")
        if status not in STATUSES:
            raise ApiError(f"Invalid value for 'status': {value!r} is not one of "
                           f"{sorted(STATUSES)} (0 canceled, 1 new, 2 in progress, "
                           f"3 prepared, 4 finalized, 5 returned)")
        out.add(status)
    return out


def order_predicate(raw: dict[str, Any]) -> Callable[[Order], bool]:
    """Compile the order filters into one predicate; unknown keys are ignored."""
    data = _present(raw)
    checks: list[Callable[[Order], bool]] = []
    order_type = as_int(data, "type")
    order_type = DEFAULT_TYPE if order_type is None else order_type
    if order_type not in TYPES:
        raise ApiError(f"Invalid value for 'type': must be 2 (fulfilled by eMAG) or "
                       f"3 (fulfilled by the seller), got {order_type}")
    checks.append(lambda o: o.type == order_type)
    order_id = as_int(data, "id")
    if order_id is not None:
        checks.append(lambda o: o.id == order_id)
    statuses = _statuses(data)
    if statuses is not None:
        checks.append(lambda o: o.status in statuses)
    mode = as_int(data, "payment_mode_id")
    if mode is not None:
        checks.append(lambda o: o.payment_mode_id == mode)
    complete = as_int(data, "is_complete")
    if complete is not None:
        if complete not in (0, 1):
            raise ApiError(f"Invalid value for 'is_complete': must be 0 or 1, got {complete}")
        checks.append(lambda o: o.is_complete == complete)
    for field in ("created", "modified"):
        after, before = _window(data, field)
        if after is not None or before is not None:
            checks.append(_in_window(field, after, before))
    return lambda o: all(check(o) for check in checks)


def _in_window(attr: str, after: int | None, before: int | None) -> Callable[[Order], bool]:
    """``after <= order.attr < before`` (either bound may be missing)."""
    low = after if after is not None else -(2**63)
    high = before if before is not None else 2**63

    def check(order: Order) -> bool:
        value: int = getattr(order, attr)
        return low <= value < high

    return check
