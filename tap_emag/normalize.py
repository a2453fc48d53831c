"""Turn one product_offer/read item into a record of stable shape and exact types.

eMAG's payloads vary: prices are decimal strings, `ownership` is an int or a bool, validation
`errors` are null, an object or a list, GPSR fields are flags or full lists depending on the
filter, optional keys come and go, and new keys appear over time. A record leaves here with the
same shape every time and nothing eMAG sent is dropped: keys we do not know are kept where they
came (top-level ones in `extra`, nested ones inside their object), a value that could not be read
as its type is nulled, named in `quality_issues` and kept as sent in `unread`, and only a product
without a usable `id` is refused.

The product record is the product's content identity (its hash is the bookmark's fingerprint and
the history's version), so it holds only what every read of the product carries. GPSR details
come only in reads by id; pages carry completion flags. The flags are in the record (derived from
the details in reads by id); the details themselves are read by `gpsr_details`, kept apart.
"""

from __future__ import annotations

import json
import typing as t
from decimal import Decimal, InvalidOperation

from tap_emag import schemas
from tap_emag.schemas import GPSR_DETAIL_FIELDS

# Which field is read how follows from the product's schema (`schemas.PRODUCTS`), the one list
# of its fields; only the fields below are named here.
# Read one by one in `normalize_product`: their shape needs more than their schema type.
SPECIAL_FIELDS = (
    "id", "ean", "images", "characteristics", "attachments", "offer_validation_status",
    "ownership", "reversible_vat_charging",
)
# Made here, not read from an item key of that name.
DERIVED_FIELDS = ("extra", "quality_issues", "unread", *(f"has_{f}" for f in GPSR_DETAIL_FIELDS))
# Set by the reader after normalising (the scan, the quick sync, a deletion).
STAMPED_FIELDS = ("account", "content_hash", "version_observed_at", "run_id", "_sdc_deleted_at")
_PROPERTIES: dict[str, dict[str, t.Any]] = schemas.PRODUCTS["properties"]
_NAMED = frozenset(SPECIAL_FIELDS + DERIVED_FIELDS + STAMPED_FIELDS)


def _type(spec: t.Mapping[str, t.Any]) -> str | None:
    types = spec.get("type")
    named = [name for name in (types if isinstance(types, list) else [types]) if name != "null"]
    return named[0] if len(named) == 1 else None


def _fields(shape: t.Callable[[t.Mapping[str, t.Any]], bool]) -> tuple[str, ...]:
    """The product's fields of one shape, in schema order, but those named above."""
    return tuple(name for name, spec in _PROPERTIES.items()
                 if name not in _NAMED and shape(spec))


STRING_FIELDS = _fields(lambda spec: _type(spec) == "string" and "format" not in spec)
INTEGER_FIELDS = _fields(lambda spec: _type(spec) == "integer")
DECIMAL_FIELDS = _fields(lambda spec: _type(spec) == "number")
WAREHOUSE_LIST_FIELDS = _fields(
    lambda spec: spec.get("items") == schemas.WAREHOUSE_VALUE.to_dict())
STATUS_LIST_FIELDS = _fields(
    lambda spec: spec.get("items") == schemas.VALIDATION_STATUS.to_dict())
OBJECT_FIELDS = _fields(lambda spec: _type(spec) == "object" and not spec.get("properties"))
# the GPSR details that are contact lists (the other one, the safety text, is a string)
GPSR_CONTACT_FIELDS = tuple(field for field in GPSR_DETAIL_FIELDS if field != "safety_information")
# every key of an item read into a typed field; the rest go to `extra`
KNOWN_FIELDS = frozenset(
    STRING_FIELDS + INTEGER_FIELDS + DECIMAL_FIELDS + WAREHOUSE_LIST_FIELDS
    + STATUS_LIST_FIELDS + OBJECT_FIELDS + SPECIAL_FIELDS + GPSR_DETAIL_FIELDS
)
MAX_ID = 4294967295
# ownership: 1 (or true) = the seller may update the content, 2 (or false) = may not.
OWNERSHIP_BY_BOOL = {True: 1, False: 2}


class InvalidProductError(ValueError):
    """The item cannot become a record (no usable id); it is counted as failed."""


class _Issues(list[str]):
    """What could not be read, and the top-level fields it was read from."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: set[str] = set()

    def note(self, field: str, problem: str, value: t.Any) -> None:
        shown = repr(value)
        self.append(f"{field}: {problem} ({shown[:60]}{'...' if len(shown) > 60 else ''})")
        self.fields.add(field)


def product_id(raw: t.Any) -> int:
    """The seller's product id, or InvalidProductError saying why there is none."""
    if not isinstance(raw, dict):
        msg = f"product is a {type(raw).__name__}, not an object"
        raise InvalidProductError(msg)
    if "id" not in raw or raw["id"] is None:
        msg = "product has no id"
        raise InvalidProductError(msg)
    value = raw["id"]
    if isinstance(value, bool):
        msg = "product id is a boolean"
        raise InvalidProductError(msg)
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None or not 1 <= number <= MAX_ID:
        msg = f"product id {str(value)[:40]!r} is not an integer between 1 and {MAX_ID}"
        raise InvalidProductError(msg)
    return number


def normalize_product(raw: t.Any) -> dict[str, t.Any]:
    """One typed record from one API item (without account, hash or sync metadata)."""
    issues = _Issues()
    record: dict[str, t.Any] = {"id": product_id(raw)}
    for field in STRING_FIELDS:
        record[field] = _string(raw.get(field), field, issues)
    for field in INTEGER_FIELDS:
        record[field] = _integer(raw.get(field), field, issues)
    for field in DECIMAL_FIELDS:
        record[field] = _decimal(raw.get(field), field, issues)
    record["ean"] = [
        text for item in _as_list(raw.get("ean"), "ean", issues)
        if (text := _string(item, "ean", issues))
    ]
    for field in WAREHOUSE_LIST_FIELDS:
        record[field] = [
            _with_unknown(item, {
                "warehouse_id": _integer(item.get("warehouse_id"), field, issues),
                "value": _integer(item.get("value"), field, issues)})
            for item in _objects(raw.get(field), field, issues)
        ]
    record["images"] = [
        _with_unknown(item, {
            "url": _string(item.get("url"), "images", issues),
            "display_type": _integer(item.get("display_type"), "images", issues)})
        for item in _objects(raw.get("images"), "images", issues)
    ]
    record["characteristics"] = [
        _with_unknown(item, {
            "id": _integer(item.get("id"), "characteristics", issues),
            "value": _string(item.get("value"), "characteristics", issues),
            "tag": _string(item.get("tag"), "characteristics", issues)})
        for item in _objects(raw.get("characteristics"), "characteristics", issues)
    ]
    record["attachments"] = _objects(raw.get("attachments"), "attachments", issues)
    for field in OBJECT_FIELDS:
        record[field] = _object(raw.get(field), field, issues)
    for field in STATUS_LIST_FIELDS:
        record[field] = [_status(item, field, issues)
                         for item in _objects(raw.get(field), field, issues)]
    offer_status = raw.get("offer_validation_status")
    if isinstance(offer_status, list):  # seen as a one-item list in some payloads
        offer_status = offer_status[0] if offer_status else None
    record["offer_validation_status"] = (
        None if offer_status is None
        else _status(offer_status if isinstance(offer_status, dict) else {"value": offer_status},
                     "offer_validation_status", issues)
    )
    record["ownership"] = _ownership(raw.get("ownership"), issues)
    record["reversible_vat_charging"] = _boolean(
        raw.get("reversible_vat_charging"), "reversible_vat_charging", issues)
    for field in GPSR_DETAIL_FIELDS:
        record[f"has_{field}"] = _gpsr_flag(raw.get(field))
    record["extra"] = {key: value for key, value in raw.items() if key not in KNOWN_FIELDS}
    record["quality_issues"] = list(issues)
    # what a typed column could not hold, as eMAG sent it: a change there is a change too
    record["unread"] = {field: raw[field] for field in sorted(issues.fields) if field in raw}
    return record


def gpsr_details(raw: dict[str, t.Any]) -> dict[str, t.Any]:
    """The GPSR details this read carries, by field: safety text, contact lists as sent.

    Reads by id carry them all; pages carry flags, and now and then the safety text itself
    (seen in real payloads). A field the read does not carry is absent, never empty: an
    absent detail is not a removed one.
    """
    details: dict[str, t.Any] = {}
    safety = raw.get("safety_information")
    if isinstance(safety, str):  # anything else (true, 1, 0, ...) is a flag
        details["safety_information"] = safety
    for field in GPSR_CONTACT_FIELDS:
        value = raw.get(field)
        if isinstance(value, (list, dict)):
            items = [value] if isinstance(value, dict) else value
            details[field] = [_contact(item) for item in items]
    return details


def _contact(item: t.Any) -> dict[str, t.Any]:
    """A GPSR contact with text name, address and e-mail, other keys as sent.

    A value of another form is kept as its JSON text, and an item that is no object becomes
    `{"value": item}`: nothing is dropped, and the row still loads against its schema.
    """
    if not isinstance(item, dict):
        return {"value": item}
    contact = dict(item)
    for key in ("name", "address", "email"):
        value = contact.get(key)
        if value is not None and not isinstance(value, str):
            contact[key] = (str(value) if isinstance(value, (int, Decimal))
                            else json.dumps(value, default=str, ensure_ascii=False))
    return contact


def as_integer(value: t.Any) -> int | None:
    """An integer from eMAG's int, bool or numeric-string forms; None when it is not one."""
    return _integer(value, "", _Issues())


def as_decimal(value: t.Any) -> Decimal | None:
    """An exact number from eMAG's decimal strings or numbers; None when it is not one."""
    return _decimal(value, "", _Issues())


# -- field readers ---------------------------------------------------------------------------

def _string(value: t.Any, field: str, issues: _Issues) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    issues.note(field, "expected text", value)
    return None


def _integer(value: t.Any, field: str, issues: _Issues) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value).strip()) if isinstance(value, (str, Decimal)) else None
    except InvalidOperation:
        number = None
    if number is not None and number.is_finite() and number == number.to_integral_value():
        return int(number)
    issues.note(field, "expected an integer", value)
    return None


def _decimal(value: t.Any, field: str, issues: _Issues) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        number: Decimal | None = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            number = None
    else:
        number = None
    if number is None or not number.is_finite():
        issues.note(field, "expected a decimal number", value)
        return None
    return number


def _boolean(value: t.Any, field: str, issues: _Issues) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1"):
        return str(value) == "1"
    issues.note(field, "expected a boolean", value)
    return None


def _as_list(value: t.Any, field: str, issues: _Issues) -> list[t.Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
        return [value]  # a lone value where eMAG usually sends a list of them
    issues.note(field, "expected a list", value)
    return []


def _objects(value: t.Any, field: str, issues: _Issues) -> list[dict[str, t.Any]]:
    if value is None:
        return []
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list):
        issues.note(field, "expected a list of objects", value)
        return []
    objects = [item for item in items if isinstance(item, dict)]
    if len(objects) != len(items):
        issues.note(field, "dropped items that are not objects", items)
    return objects


def _object(value: t.Any, field: str, issues: _Issues) -> dict[str, t.Any] | None:
    if value is None or isinstance(value, dict):
        return value
    if value == [] or value == "":
        return None  # PHP serialises an empty map as []
    issues.note(field, "expected an object", value)
    return None


def _with_unknown(item: dict[str, t.Any], typed: dict[str, t.Any]) -> dict[str, t.Any]:
    """A nested object's typed keys, with the keys eMAG added that we do not know, as sent.

    On the hot path (every stock entry, image and status of every product): an object with
    only known keys, the usual case, is the typed one as it is.
    """
    if item.keys() <= typed.keys():
        return typed
    return {**{key: value for key, value in item.items() if key not in typed}, **typed}


def _status(item: dict[str, t.Any], field: str, issues: _Issues) -> dict[str, t.Any]:
    """`{value, description, errors}` with errors always a list of objects."""
    errors = item.get("errors")
    if errors is None or errors == "":
        error_list: list[dict[str, t.Any]] = []
    elif isinstance(errors, dict):
        error_list = [errors]
    elif isinstance(errors, list):
        error_list = [e if isinstance(e, dict) else {"message": str(e)} for e in errors]
    else:
        error_list = [{"message": str(errors)}]
    return _with_unknown(item, {
        "value": _integer(item.get("value"), field, issues),
        "description": _string(item.get("description"), field, issues),
        "errors": error_list,
    })


def _ownership(value: t.Any, issues: _Issues) -> int | None:
    if isinstance(value, bool):
        return OWNERSHIP_BY_BOOL[value]
    return _integer(value, "ownership", issues)


def _gpsr_flag(value: t.Any) -> bool | None:
    """A GPSR completion flag: sent as such in pages, read from the details in reads by id."""
    return None if value is None else bool(value)
