"""One planned change (a row of the mart emag_offer_updates) and the guards it must pass.

Values travel as the conflict models' comparable text (prices without trailing zeros,
integers as text), so eMAG's value read back compares with the plan's as the models compare.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from target_emag.settings import WRITABLE_FIELDS, WriteAccount, WriteSettings

MAX_STOCK = 65535
STATUSES = ("0", "1", "2")


@dataclass
class PlannedChange:
    """An offer's field, eMAG's value as planned from, the value to write, and the outcome."""

    account: str
    product_id: int
    field: str
    emag_value: str | None
    planned_value: str
    planned_emag_read_at: dt.datetime | None
    min_sale_price: Decimal | None = None
    max_sale_price: Decimal | None = None
    outcome: str | None = None
    message: str | None = None
    sent_value: str | None = None
    read_back_value: str | None = None
    batch_number: int | None = None

    @classmethod
    def from_record(cls, record: t.Mapping[str, t.Any]) -> PlannedChange:
        """A record of the plan; a record that cannot be one says which column is wrong."""
        missing = [name for name in ("account", "product_id", "field", "planned_value")
                   if record.get(name) in (None, "")]
        if missing:
            raise ValueError(f"a planned change lacks {', '.join(missing)}")
        return cls(
            account=str(record["account"]),
            product_id=int(record["product_id"]),
            field=str(record["field"]),
            emag_value=None if record.get("emag_value") is None else str(record["emag_value"]),
            planned_value=str(record["planned_value"]),
            planned_emag_read_at=_timestamp(record.get("emag_read_at")),
            min_sale_price=_decimal(record.get("min_sale_price")),
            max_sale_price=_decimal(record.get("max_sale_price")),
        )

    def settle(self, outcome: str, message: str | None = None) -> None:
        """Give the change its outcome (the write log's vocabulary) and why."""
        self.outcome, self.message = outcome, message

    def api_value(self) -> t.Any:
        """The value as offer/save takes it."""
        if self.field == "sale_price":
            return float(Decimal(self.planned_value))
        if self.field == "stock":
            return [{"warehouse_id": 1, "value": int(self.planned_value)}]
        return int(self.planned_value)


def guard(change: PlannedChange, account: WriteAccount | None,
          settings: WriteSettings) -> str | None:
    """Why this change must not be sent (a guard's name and reason), or None."""
    if account is None:
        return f"account {change.account!r} is not configured in target-emag"
    if change.field not in WRITABLE_FIELDS:
        return f"field {change.field!r} is not writable ({', '.join(WRITABLE_FIELDS)})"
    if change.field == "stock" and account.fulfilled_by_emag:
        return "fbe_stock: eMAG manages the stock of a fulfilled-by-eMAG account"
    problem = _value_problem(change)
    if problem:
        return problem
    if change.field == "sale_price":
        return _price_guard(change, settings.max_price_change_percent)
    return None


def _value_problem(change: PlannedChange) -> str | None:
    value = change.planned_value
    if change.field == "sale_price":
        price = _decimal(value)
        if price is None or price <= 0:
            return f"invalid_value: sale_price {value!r} is not a positive number"
    elif change.field == "stock":
        if not value.isdigit() or int(value) > MAX_STOCK:
            return f"invalid_value: stock {value!r} is not a whole number 0..{MAX_STOCK}"
    elif value not in STATUSES:
        return f"invalid_value: status {value!r} is not 0, 1 or 2"
    return None


def _price_guard(change: PlannedChange, max_change_percent: float) -> str | None:
    price = Decimal(change.planned_value)
    low, high = change.min_sale_price, change.max_sale_price
    if (low is not None and price < low) or (high is not None and price > high):
        return (f"price_bounds: sale_price {change.planned_value} is outside min_sale_price "
                f"{low} .. max_sale_price {high}")
    current = _decimal(change.emag_value)
    if current is not None and current > 0:
        moved = abs(price - current) / current * 100
        if moved > Decimal(str(max_change_percent)):
            return (f"max_price_change: sale_price {change.emag_value} -> {change.planned_value}"
                    f" moves {moved:.1f}%, more than max_price_change_percent "
                    f"{max_change_percent:g}")
    return None


def comparable(field_name: str, raw: t.Any) -> str | None:
    """The value eMAG shows for a field, in the comparable text of the plan."""
    if raw is None:
        return None
    if field_name == "sale_price":
        price = _decimal(raw)
        return None if price is None else format(price.normalize(), "f")
    try:
        return str(int(raw))
    except (TypeError, ValueError):
        return str(raw)


def _decimal(value: t.Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _timestamp(value: t.Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
