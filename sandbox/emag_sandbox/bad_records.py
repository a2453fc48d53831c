"""Malformed product records ("bad records") mixed into the catalogue on request.

A real integration meets records that break the documented shapes: no id, prices that are not
numbers, strings where lists belong, huge descriptions, emoji, nulls, new keys. Each bad item
is an ordinary offer core built by the normal record builder and then broken in one way, so
everything but the malformed part looks like the rest of the catalogue.

Placement: every bad item gets an unused id inside a gap of the account's *initial* id list
(below the ids that mutations add), spread evenly through the catalogue. The id doubles as the
item's sort key, so pages stay ordered by id; kinds without an id are served where their key
would sort. Everything here is a pure function of the seed, so reruns serve the same items at
the same places.
"""

# ruff: noqa: S311  -- seeded, reproducible test data; nothing here is security-relevant

from __future__ import annotations

import bisect
import functools
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from emag_sandbox import vocab
from emag_sandbox.products import Offer

KINDS = (
    "missing_id", "null_id", "bad_price", "string_for_list", "object_for_number",
    "long_html", "unicode", "nulls_everywhere", "unknown_keys",
)
NO_ID_KINDS = frozenset({"missing_id", "null_id"})
LONG_HTML_CHARS = 300_000
BAD_PRICES = ("12,5 lei", "N/A", "1.299,99 RON", "la cerere")
ZWJ_SEQUENCE = "\U0001F468\u200D\U0001F469\u200D\U0001F467"  # family: man, woman, girl
UNICODE_NAME = "ediție „Țară Șoimilor” ăâî șț 🔥📦 Hőálló űrtartalom · Безжични слушалки"
UNICODE_BRAND = f"Ștefănescu & Fiii · Ősz Kft. · Бързо {ZWJ_SEQUENCE}"
UNICODE_VALUES = (
    "Roșu închis / Țarină 🔥", "Fekete, hőálló, űr 0,5 l", "Черен мат · Безжичен",
    f"Pentru familie {ZWJ_SEQUENCE} 📦", "Ăâî ȘȚ șț",
)


@dataclass(frozen=True)
class BadItem:
    """One malformed item: its kind and the well-formed core it is built from.

    ``offer.id`` is the item's sort key; it is served as the id unless the kind drops it.
    """

    kind: str
    offer: Offer

    @property
    def key(self) -> int:
        """Where the item sorts among the offers (its id when it has one)."""
        return self.offer.id

    @property
    def has_id(self) -> bool:
        """Whether the served item carries an id (and so can be found by an id filter)."""
        return self.kind not in NO_ID_KINDS


def check_count(count: object) -> int:
    """The number of bad items per account: a non-negative integer."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValueError(f"bad_records must be a non-negative integer, got {count!r}")
    return count


# ---- placement ------------------------------------------------------------------------


def plan_keys(ids: Sequence[int], limit: int, ceiling: int, n: int, seed: int) -> list[int]:
    """``n`` unused ids spread evenly through ``ids`` (sorted), ascending.

    Only gaps between ids below ``limit`` are used: mutations add offers from ``limit`` up, so
    a bad id can never collide with a normal offer. When those gaps are full (tiny catalogues)
    the rest count down from ``ceiling - 1``.
    """
    rng = random.Random(seed)
    gaps = max(0, bisect.bisect_left(ids, limit) - 1)  # gap t lies between ids[t], ids[t+1]
    taken: dict[int, int] = {}
    keys: list[int] = []
    spare = ceiling - 1
    for j in range(n):
        key = None
        if gaps:
            start = min(gaps - 1, int((j + rng.uniform(0.15, 0.85)) * gaps / n))
            key = _take_gap(ids, taken, start, gaps)
        if key is None:
            while _contains(ids, spare):
                spare -= 1
            key, spare = spare, spare - 1
        keys.append(key)
    return sorted(keys)


def _take_gap(ids: Sequence[int], taken: dict[int, int], start: int, gaps: int) -> int | None:
    """The next free id in the first gap with room at or after ``start`` (wrapping)."""
    for t in itertools.chain(range(start, gaps), range(start)):
        used = taken.get(t, 0)
        if ids[t + 1] - ids[t] - 1 > used:
            taken[t] = used + 1
            return ids[t] + 1 + used
    return None


def _contains(ids: Sequence[int], value: int) -> bool:
    i = bisect.bisect_left(ids, value)
    return i < len(ids) and ids[i] == value


def served_positions(ids: Sequence[int], keys: Sequence[int]) -> list[int]:
    """0-based served index of each bad key among the offers ``ids`` (both ascending)."""
    return [bisect.bisect_left(ids, key) + j for j, key in enumerate(keys)]


def kind_of(index: int) -> str:
    """The kinds cycle in served order, so any 9 consecutive bad items hold one of each."""
    return KINDS[index % len(KINDS)]


# ---- malformation ---------------------------------------------------------------------


def malform(item: BadItem, record: dict[str, Any]) -> dict[str, Any]:
    """Break the well-formed ``record`` of ``item`` the way its kind says."""
    rng = random.Random(item.offer.seed ^ 0xBAD)
    return _BREAKERS[item.kind](dict(record), rng, item)


def _missing_id(rec: dict[str, Any], _rng: random.Random, _item: BadItem) -> dict[str, Any]:
    del rec["id"]
    return rec


def _null_id(rec: dict[str, Any], _rng: random.Random, _item: BadItem) -> dict[str, Any]:
    rec["id"] = None
    return rec


def _bad_price(rec: dict[str, Any], rng: random.Random, _item: BadItem) -> dict[str, Any]:
    rec["sale_price"] = rng.choice(BAD_PRICES)
    rec["recommended_price"] = {"value": "x"}
    return rec


def _string_for_list(rec: dict[str, Any], rng: random.Random, _item: BadItem) -> dict[str, Any]:
    """A single value where eMAG documents a list: legacy PHP forms post it this way."""
    ean = rec.get("ean") or [f"594{rng.randrange(10**10):010d}"]
    rec["ean"] = ean[0]
    images = rec.get("images") or [{"url": "https://marketplace-static.emag.ro/resources/000/"
                                           f"{rng.randrange(10**6):06d}/main.jpg"}]
    rec["images"] = images[0]["url"]
    return rec


def _object_for_number(rec: dict[str, Any], _rng: random.Random,
                       item: BadItem) -> dict[str, Any]:
    rec["general_stock"] = {"value": item.offer.stock}
    rec["vat_id"] = {"id": rec.get("vat_id", 1)}
    return rec


def _long_html(rec: dict[str, Any], _rng: random.Random, item: BadItem) -> dict[str, Any]:
    rec["description"] = long_html(item.offer.seed)
    return rec


def _unicode(rec: dict[str, Any], rng: random.Random, _item: BadItem) -> dict[str, Any]:
    rec["name"] = f"{rec['name']} \u2013 {UNICODE_NAME} {ZWJ_SEQUENCE}"
    rec["brand"] = rec["brand_name"] = UNICODE_BRAND
    rec["description"] = (f"<p>{UNICODE_NAME}</p><ul>"
                          + "".join(f"<li>{v}</li>" for v in UNICODE_VALUES) + "</ul>")
    names = rng.sample(vocab.CHARACTERISTIC_NAMES, len(UNICODE_VALUES))
    rec["characteristics"] = [{"id": cid, "value": value}
                              for (cid, _name), value in zip(names, UNICODE_VALUES, strict=True)]
    return rec


def _nulls_everywhere(rec: dict[str, Any], _rng: random.Random,
                      _item: BadItem) -> dict[str, Any]:
    return {key: (value if key == "id" else None) for key, value in rec.items()}


def _unknown_keys(rec: dict[str, Any], rng: random.Random, _item: BadItem) -> dict[str, Any]:
    """Keys eMAG may add without notice: a scalar, a nested object and a list."""
    rec["eco_label"] = rng.choice(("A+", "A", "B", "C"))
    rec["dimensions"] = {"w": rng.randint(5, 60), "h": rng.randint(1, 40), "unit": "cm"}
    rec["tags"] = rng.sample(("nou", "promo", "eco", "x", "top"), 2)
    return rec


_BREAKERS: dict[str, Callable[[dict[str, Any], random.Random, BadItem], dict[str, Any]]] = {
    "missing_id": _missing_id,
    "null_id": _null_id,
    "bad_price": _bad_price,
    "string_for_list": _string_for_list,
    "object_for_number": _object_for_number,
    "long_html": _long_html,
    "unicode": _unicode,
    "nulls_everywhere": _nulls_everywhere,
    "unknown_keys": _unknown_keys,
}


# ---- long HTML ------------------------------------------------------------------------

_HTML_SENTENCES = (
    "Produsul este livrat in ambalajul original, cu toate accesoriile incluse.",
    "Materialele folosite respecta standardele europene de siguranta &amp; calitate.",
    "Garantia&nbsp;comerciala se acorda conform legislatiei in vigoare.",
    "Pentru curatare folositi o laveta umeda; nu folositi solventi &quot;agresivi&quot;.",
    "Dimensiunile pot varia cu &plusmn;2&nbsp;mm fata de valorile declarate.",
    "Compatibil cu majoritatea accesoriilor standard &ndash; verificati lista de mai jos.",
)
_HTML_ROWS = (
    ("Putere", "1200&nbsp;W"), ("Tensiune", "220&ndash;240&nbsp;V"), ("Greutate", "1,35&nbsp;kg"),
    ("Material", "Plastic ABS &amp; otel"), ("Culoare", "Negru"), ("Garantie", "24&nbsp;luni"),
)


@functools.lru_cache(maxsize=32)
def long_html(seed: int, size: int = LONG_HTML_CHARS) -> str:
    """About ``size`` characters of product-page HTML (cached: it is served on every read)."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    section = 0
    while total < size:
        section += 1
        block = _html_section(rng, section)
        parts.append(block)
        total += len(block)
    return "".join(parts)


def _html_section(rng: random.Random, number: int) -> str:
    """One heading, paragraph, bullet list and specification table."""
    text = " ".join(rng.choice(_HTML_SENTENCES) for _ in range(rng.randint(2, 5)))
    items = "".join(f"<li>{rng.choice(_HTML_SENTENCES)}</li>" for _ in range(rng.randint(2, 4)))
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>"
                   for k, v in rng.sample(_HTML_ROWS, rng.randint(2, 4)))
    sep = "\r\n" if rng.random() < 0.3 else ""
    return (f"<h3>Sectiunea&nbsp;{number}</h3>{sep}<p>{text}</p>{sep}<ul>{items}</ul>{sep}"
            f'<table class="specs"><tbody>{rows}</tbody></table>{sep}')
