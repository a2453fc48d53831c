"""Does Postgres hold exactly the sandbox's catalogue? An independent check, by content hash.

The expected row of every product is read here straight from what the sandbox serves, from the
column contract docs/SYNC.md documents (one column per API field; decimal strings as exact
numbers; `ownership` true = 1; GPSR flags as `has_*`, their details in `product_gpsr`, not
here; validation `errors` always a list; unknown top-level keys in `extra`, unknown nested keys
kept in their object). Nothing is imported from `tap_emag`: a check that reused the tap's
own reading of the API would agree with any mistake in it.

Both sides are reduced to canonical JSON (numbers as normalised decimal text, keys sorted)
and hashed, so one comparison covers every field of every product.
"""

from __future__ import annotations

import functools
import hashlib
import json
import typing as t
from dataclasses import dataclass, field
from decimal import Decimal

from psycopg.types.json import set_json_loads

SCALARS = (
    "part_number", "part_number_key", "name", "brand", "brand_name", "description", "url",
    "currency", "category_id", "vendor_category_id", "warranty", "vat_id", "status",
    "general_stock", "estimated_stock", "number_of_offers", "buy_button_rank",
    "genius_eligibility", "genius_eligibility_type", "genius_computed", "auto_translated",
    "recyclewarranties", "reversible_vat_charging",
)
NUMBERS = (
    "sale_price", "recommended_price", "min_sale_price", "max_sale_price",
    "best_offer_sale_price", "best_offer_recommended_price", "weight", "green_tax",
)
OBJECTS = ("offer_details", "commission", "family")
LISTS = ("stock", "handling_time", "availability", "attachments", "ean")
STATUS_LISTS = ("validation_status", "translation_validation_status")
GPSR_LISTS = ("manufacturer", "eu_representative")
SPECIAL = ("id", "images", "characteristics", "offer_validation_status", "ownership",
           "safety_information")
KNOWN = frozenset(SCALARS + NUMBERS + OBJECTS + LISTS + STATUS_LISTS + GPSR_LISTS + SPECIAL)
# Columns that describe the sync rather than the product.
SYNC_COLUMNS = frozenset({
    "account", "content_hash", "version_observed_at", "run_id",
    "_sdc_batched_at", "_sdc_deleted_at", "_sdc_extracted_at", "_sdc_received_at",
    "_sdc_sequence", "_sdc_table_version", "_sdc_sync_started_at",
})


def _project(entry: dict[str, t.Any], keys: tuple[str, ...]) -> dict[str, t.Any]:
    """A nested object: its documented keys always (null when absent), any other key as sent."""
    return {**entry, **{key: entry.get(key) for key in keys}}


def _status(entry: dict[str, t.Any]) -> dict[str, t.Any]:
    errors = entry.get("errors")
    if errors is None:
        errors = []
    elif isinstance(errors, dict):
        errors = [errors]
    return {**_project(entry, ("value", "description")), "errors": errors}


def expected_row(item: dict[str, t.Any]) -> dict[str, t.Any]:
    """The product's columns as the documented contract says they load, from the served item."""
    row: dict[str, t.Any] = {"id": item["id"]}
    for name in SCALARS + OBJECTS:
        row[name] = item.get(name)
    for name in NUMBERS:
        row[name] = None if item.get(name) is None else Decimal(str(item[name]))
    for name in LISTS:
        row[name] = item.get(name) or []
    row["images"] = [_project(i, ("url", "display_type")) for i in item.get("images") or []]
    row["characteristics"] = [_project(c, ("id", "value", "tag"))
                              for c in item.get("characteristics") or []]
    for name in ("stock", "handling_time", "availability"):
        row[name] = [_project(e, ("warehouse_id", "value")) for e in row[name]]
    for name in STATUS_LISTS:
        row[name] = [_status(entry) for entry in item.get(name) or []]
    offer_status = item.get("offer_validation_status")
    row["offer_validation_status"] = None if offer_status is None else _status(offer_status)
    ownership = item.get("ownership")
    row["ownership"] = {True: 1, False: 2}.get(ownership, ownership) \
        if isinstance(ownership, bool) else ownership
    # GPSR: flags only; a read by id sends the details instead, and they load apart
    for name in (*GPSR_LISTS, "safety_information"):
        value = item.get(name)
        row[f"has_{name}"] = None if value is None else bool(value)
    row["extra"] = {key: value for key, value in item.items() if key not in KNOWN}
    row["quality_issues"] = []  # a well-formed product loads without any
    row["unread"] = {}
    return row


def _plain(value: t.Any) -> t.Any:
    """Numbers of any form as tagged decimal text: 121.8400, 121.84 and 1.2184E+2 agree, and
    none of them equals the string "121.84"."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        return {"$number": format(number.normalize(), "f") if number else "0"}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    msg = f"unexpected {type(value).__name__} in a product"
    raise TypeError(msg)


def row_hash(row: t.Mapping[str, t.Any]) -> str:
    """Hash of every product column (sync columns excluded)."""
    content = {key: value for key, value in row.items() if key not in SYNC_COLUMNS}
    text = json.dumps(_plain(content), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Comparison:
    """Postgres against the catalogue, for one account."""

    account: str
    expected: int = 0
    verified: int = 0
    lost: list[int] = field(default_factory=list)
    unexpected: list[int] = field(default_factory=list)
    duplicated: list[int] = field(default_factory=list)
    differing: list[int] = field(default_factory=list)
    falsely_deleted: list[int] = field(default_factory=list)
    verified_ids: set[int] = field(default_factory=set)
    expected_ids: set[int] = field(default_factory=set)

    @property
    def exact(self) -> bool:
        return not (self.lost or self.unexpected or self.duplicated or self.differing
                    or self.falsely_deleted) and self.verified == self.expected

    def summary(self) -> str:
        return (f"{self.account}: {self.verified}/{self.expected} verified, lost"
                f" {self.lost[:5]}, unexpected {self.unexpected[:5]}, duplicated"
                f" {self.duplicated[:5]}, differing {self.differing[:5]}, falsely deleted"
                f" {self.falsely_deleted[:5]}")


def raw_rows(connection: t.Any, account: str, schema: str = "emag_raw") -> list[dict[str, t.Any]]:
    """Every row of the account in the raw products table, deleted ones included.

    JSON numbers inside jsonb columns are read as exact decimals, not floats, so a number
    that lost digits on the way in cannot hide behind float rounding here.
    """
    set_json_loads(functools.partial(json.loads, parse_float=Decimal), connection)
    cursor = connection.execute(
        f"select * from {schema}.products where account = %s", (account,))
    names = [column.name for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def compare(account: str, served: t.Iterable[dict[str, t.Any]],
            rows: t.Iterable[dict[str, t.Any]]) -> Comparison:
    """Every served product must be one live row with the same content hash; nothing else live."""
    expected = {item["id"]: row_hash(expected_row(item)) for item in served}
    result = Comparison(account, expected=len(expected), expected_ids=set(expected))
    seen: dict[int, int] = {}
    for row in rows:
        product_id = row["id"]
        seen[product_id] = seen.get(product_id, 0) + 1
        if row.get("_sdc_deleted_at") is not None:
            if product_id in expected:
                result.falsely_deleted.append(product_id)
            continue
        if product_id not in expected:
            result.unexpected.append(product_id)
        elif row_hash(row) != expected[product_id]:
            result.differing.append(product_id)
        else:
            result.verified += 1
            result.verified_ids.add(product_id)
    result.duplicated = sorted(pid for pid, n in seen.items() if n > 1)
    result.lost = sorted(set(expected) - set(seen))
    return result


def column_contract_gaps(row: t.Mapping[str, t.Any]) -> set[str]:
    """Product columns of a loaded row that this check does not know, and the reverse."""
    sample = expected_row({"id": 1})
    columns = set(row) - SYNC_COLUMNS
    return columns ^ set(sample)
