"""Schema drift: keys eMAG adds without notice, at every depth, and a nested value changing type.

eMAG adds keys to its answers over time and says nothing (the API sheet: "Unknown keys appear
over time"). With ``drift=N`` (0 = off) every offer whose id is divisible by N, and every line
of every order whose id is divisible by N, is served with new keys on top of its normal content:

- offers: ``drift_top_level`` at the top; ``drift_nested`` inside every object of ``stock``,
  ``handling_time``, ``availability``, ``images``, ``characteristics``, ``validation_status``,
  ``translation_validation_status`` and inside ``offer_details`` and
  ``offer_validation_status`` (those the record's shape has); ``offer_details.drift_deep``, an
  object one level further down. Two nested values change type:
  ``offer_details.supply_lead_time`` becomes a string (``"14 zile"``) and each
  ``handling_time[].value`` an object (``{"days": 2, "unit": "day"}``);
- order lines: ``drift_nested`` in every object of the order's ``products``.

Every value is a pure function of the offer (id and seed) or of the order line, so the same
item drifts the same way on every read, and switching drift off serves the original record. The
input record is never changed in place: it may share lists with cached SKU content.
"""

from __future__ import annotations

from typing import Any

from emag_sandbox.rng import mix

# Lists of objects that get ``drift_nested`` in each element, and objects that get it directly.
NESTED_LISTS = ("stock", "handling_time", "availability", "images", "characteristics",
                "validation_status", "translation_validation_status")
NESTED_OBJECTS = ("offer_details", "offer_validation_status")
TOP_LEVEL_KEY = "drift_top_level"
NESTED_KEY = "drift_nested"
DEEP_KEY = "drift_deep"
DEEP_NOTES = ("camp nou adaugat de eMAG", "cheie noua, nedocumentata", "adaugat fara anunt")


def check_drift(value: object) -> int:
    """The drift setting: a non-negative integer N (0 = off, 1 = every item)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"drift must be a non-negative integer (0 = off), got {value!r}")
    return value


def drifts(item_id: object, every: int) -> bool:
    """Whether the offer or order with this id drifts under ``drift=every``."""
    return (every > 0 and isinstance(item_id, int) and not isinstance(item_id, bool)
            and item_id % every == 0)


def _value(seed: int, *path: int) -> int:
    """A small deterministic integer for one place of one item."""
    z = seed
    for part in path:
        z = mix(z, part)
    return z % 1000


def drift_offer(record: dict[str, Any], offer_id: int, seed: int) -> dict[str, Any]:
    """``record`` (a well-formed offer as served) with the drifted keys; a new object."""
    base = mix(seed, offer_id)
    rec = dict(record)
    rec[TOP_LEVEL_KEY] = _value(base, 0)
    for place, key in enumerate(NESTED_LISTS, start=1):
        items = rec.get(key)
        if isinstance(items, list):
            rec[key] = [{**item, NESTED_KEY: _value(base, place, i)} if isinstance(item, dict)
                        else item for i, item in enumerate(items)]
    for place, key in enumerate(NESTED_OBJECTS, start=len(NESTED_LISTS) + 1):
        obj = rec.get(key)
        if isinstance(obj, dict):
            rec[key] = {**obj, NESTED_KEY: _value(base, place)}
    details = rec.get("offer_details")
    if isinstance(details, dict):
        details[DEEP_KEY] = {"level": 2, "note": DEEP_NOTES[_value(base, 99) % len(DEEP_NOTES)]}
        lead = details.get("supply_lead_time")
        if isinstance(lead, int) and not isinstance(lead, bool):
            details["supply_lead_time"] = f"{lead} zile"
    handling = rec.get("handling_time")
    if isinstance(handling, list):
        for entry in handling:  # already copies (above)
            days = entry.get("value") if isinstance(entry, dict) else None
            if isinstance(days, int) and not isinstance(days, bool):
                entry["value"] = {"days": days, "unit": "day"}
    return rec


def drift_line(line: dict[str, Any], order_seed: int) -> dict[str, Any]:
    """An order line (``products[]`` of ``order/read``) with ``drift_nested``; a new object."""
    return {**line, NESTED_KEY: _value(order_seed, line["id"])}
