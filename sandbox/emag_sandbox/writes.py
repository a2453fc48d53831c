"""Offer writes: eMAG's light offer API (``offer/save``), ``offer_stock/{id}``, and their log.

Written from eMAG's documentation (v4.4.9, sections 1.5, 2.6 and 3): the light API takes an
offer ``id`` plus only the keys that change, at most 50 offers per request; a sale price must
lie within the offer's ``min_sale_price`` .. ``max_sale_price``; FBE stock is eMAG's. The
sandbox emulates the three keys a seller's price-and-stock sync sends (``sale_price``,
``status``, ``stock``) and refuses the others by name rather than ignore them silently.

A refusal is per offer: the other offers of the request are applied (eMAG's doc does not say;
the sandbox's assumption, see docs/SANDBOX.md). An applied change replaces the offer's core in
the catalogue, so the next ``product_offer/read`` serves it; the sandbox logs it with its
mutations and orders, so a state file replays it.

Every write request that authenticates is recorded in a :class:`WriteLog` (throttled and
faulted ones too), so a test can assert what a client sent, when, at what rate and with what
answer.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from emag_sandbox.catalog import Catalog
from emag_sandbox.params import MAX_INPUT_VARS, ApiError, count_elements
from emag_sandbox.products import money_e4, price_bounds

SAVE_ROUTE = "offer/save"
STOCK_ROUTE = "offer_stock"  # PATCH offer_stock/{id}
MAX_OFFERS = 50
MAX_STOCK = 65_535
WAREHOUSE_ID = 1  # a seller-fulfilled account has one warehouse
WRITABLE = ("sale_price", "status", "stock")
STATUSES = (0, 1, 2)  # inactive, active, end of life
_E4 = Decimal(10_000)


def route_name(route: str) -> str:
    """The route as statistics and the write log name it: ``offer_stock/123`` -> ``offer_stock``."""
    return STOCK_ROUTE if route.startswith(STOCK_ROUTE + "/") else route


def is_write(route: str) -> bool:
    """Whether ``route`` is one of the emulated write routes."""
    return route_name(route) in (SAVE_ROUTE, STOCK_ROUTE)


def method_for(route: str) -> str:
    """The HTTP method eMAG expects on a write route."""
    return "PATCH" if route_name(route) == STOCK_ROUTE else "POST"


@dataclass(frozen=True)
class OfferChange:
    """One offer of a write request, parsed; ``problem`` is set when a value is malformed."""

    id: Any  # an int when well-formed, else what was sent
    sale_price: int | None = None  # ten-thousandths of a leu
    status: int | None = None
    stock: int | None = None
    problem: str | None = None

    def as_call(self) -> dict[str, Any]:
        """The applied change as the state file keeps it (the price as eMAG's decimal string)."""
        call: dict[str, Any] = {"id": self.id}
        if self.sale_price is not None:
            call["sale_price"] = money_e4(self.sale_price)
        if self.status is not None:
            call["status"] = self.status
        if self.stock is not None:
            call["stock"] = self.stock
        return call

    @classmethod
    def from_call(cls, call: dict[str, Any]) -> OfferChange:
        """The inverse of :meth:`as_call`."""
        price = call.get("sale_price")
        return cls(call["id"], None if price is None else int(Decimal(price) * _E4),
                   call.get("status"), call.get("stock"))


# ---- parsing ----------------------------------------------------------------------------


def offer_entries(route: str, body: dict[str, Any]) -> list[Any]:
    """The offers a write request names, before any checks on them.

    ``offer/save`` takes ``{"data": [offer, ...]}`` (a PHP form body's ``data[0][id]=...``
    arrives as an object with the keys ``"0"``, ``"1"``...); ``offer_stock/{id}`` takes
    ``{"stock": [...]}`` for the offer in the path. Raises :class:`ApiError` for a request
    that names no offer at all.
    """
    if count_elements(body) > MAX_INPUT_VARS:
        raise ApiError(f"Maximum input vars of {MAX_INPUT_VARS} exceeded")
    if route_name(route) == STOCK_ROUTE:
        if "stock" not in body:
            raise ApiError("Missing mandatory parameter 'stock': send {\"stock\": "
                           "[{\"warehouse_id\": 1, \"value\": N}]}")
        path_id = route[len(STOCK_ROUTE) + 1:]
        return [{**body, "id": path_id if _integer(path_id) is None else _integer(path_id)}]
    if "data" not in body:
        raise ApiError("Missing mandatory parameter 'data': send {\"data\": [{\"id\": ...}]}")
    data = body["data"]
    if isinstance(data, dict) and data and all(str(k).isdigit() for k in data):
        data = [data[k] for k in sorted(data, key=int)]
    if not isinstance(data, list) or not data:
        raise ApiError("Invalid parameter 'data': it must be a non-empty list of offers")
    return data


def check_batch(entries: list[Any]) -> None:
    """EMAG's bulk limit: more than 50 offers and the request is refused as a whole."""
    if len(entries) > MAX_OFFERS:
        raise ApiError(f"Maximum {MAX_OFFERS} offers per request exceeded: got {len(entries)}, "
                       f"nothing was saved")


def parse_offer(entry: Any, stock_only: bool = False) -> OfferChange:
    """One offer object; a malformed one comes back with its ``problem``."""
    if not isinstance(entry, dict):
        return OfferChange(entry, problem=f"offer {entry!r}: each offer must be an object "
                                          f"with an id")
    offer_id = _integer(entry.get("id"))
    if offer_id is None or offer_id < 1:
        return OfferChange(entry.get("id"),
                           problem=f"offer {entry.get('id')!r}: id must be a positive integer")
    allowed = ("stock",) if stock_only else WRITABLE
    unknown = sorted(str(k) for k in entry if k != "id" and k not in allowed)
    if unknown:
        what = "offer_stock changes only the stock" if stock_only else (
            f"the sandbox emulates {', '.join(WRITABLE)} only")
        return OfferChange(offer_id, problem=f"offer {offer_id}: {', '.join(unknown)} not "
                                             f"accepted ({what})")
    price: int | None = None
    status: int | None = None
    stock: int | None = None
    if "sale_price" in entry:
        price = _price_e4(entry["sale_price"])
        if price is None:
            return OfferChange(offer_id, problem=f"offer {offer_id}: sale_price must be a number "
                               f"greater than 0 with at most 4 decimals, got "
                               f"{entry['sale_price']!r}")
    if "status" in entry:
        status = _integer(entry["status"])
        if status not in STATUSES:
            return OfferChange(offer_id, problem=f"offer {offer_id}: status must be 0, 1 or 2, "
                                                 f"got {entry['status']!r}")
    if "stock" in entry:
        stock, problem = _stock(entry["stock"])
        if problem:
            return OfferChange(offer_id, problem=f"offer {offer_id}: {problem}")
    return OfferChange(offer_id, price, status, stock)


def _integer(value: Any) -> int | None:
    """An integer, an integral float or a digit string (form bodies send strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _price_e4(value: Any) -> int | None:
    """A sale price in ten-thousandths: > 0 and at most 4 decimals, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or number <= 0:
        return None
    scaled = number * _E4
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def _stock(value: Any) -> tuple[int | None, str | None]:
    """The one warehouse's stock from ``[{"warehouse_id": 1, "value": N}]``, or a problem."""
    shape = 'stock must be a list of one {"warehouse_id": 1, "value": N} object'
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
        return None, f"{shape}, got {value!r}"
    entry = value[0]
    if set(entry) - {"warehouse_id", "value"} or "value" not in entry:
        return None, f"{shape}, got {value!r}"
    if "warehouse_id" in entry and _integer(entry["warehouse_id"]) != WAREHOUSE_ID:
        return None, (f"no warehouse {entry['warehouse_id']!r} (the account has warehouse "
                      f"{WAREHOUSE_ID} only)")
    stock = _integer(entry["value"])
    if stock is None or not 0 <= stock <= MAX_STOCK:
        return None, f"stock value must be an integer 0..{MAX_STOCK}, got {entry['value']!r}"
    return stock, None


# ---- applying ---------------------------------------------------------------------------


def apply(catalog: Catalog, change: OfferChange) -> str | None:
    """Apply one offer's change; returns eMAG's refusal message, or None when applied.

    Checked in this order, the first refusal wins: the id exists, the values are well-formed,
    no stock on a fulfilled-by-eMAG account, no campaign on the offer, the sale price within
    the offer's bounds. A refused offer changes nothing (no key of it is applied). The first
    price write fixes the offer's bounds (:func:`~emag_sandbox.products.price_bounds`).
    Callers hold the sandbox's lock, so nothing changes the offer between check and write.
    """
    well_formed_id = isinstance(change.id, int) and not isinstance(change.id, bool)
    offer = catalog.get(change.id) if well_formed_id else None
    if offer is None:
        return f"offer {change.id}: no such offer" if well_formed_id else change.problem
    if change.problem:
        return change.problem
    if change.stock is not None and catalog.fbe:
        return f"offer {offer.id}: stock of a fulfilled-by-eMAG offer is managed by eMAG"
    if offer.campaign:
        return (f"offer {offer.id}: during a campaign with stock in site, regular offer "
                f"updates are refused")
    new = offer
    if change.sale_price is not None:
        low, high = price_bounds(offer)
        if not low <= change.sale_price <= high:
            return (f"offer {offer.id}: sale_price {money_e4(change.sale_price)} is outside "
                    f"min_sale_price {money_e4(low)} .. max_sale_price {money_e4(high)}")
        new = replace(new, price_e4=change.sale_price, bounds_e4=(low, high))
    if change.status is not None:
        new = replace(new, status=change.status)
    if change.stock is not None:  # what orders reserve (general - estimated) stays reserved
        new = replace(new, stock=change.stock,
                      estimated_stock=max(0, offer.estimated_stock + change.stock - offer.stock))
    catalog.put(new)
    return None


# ---- the log ----------------------------------------------------------------------------


@dataclass
class WriteRequest:
    """One write request as the sandbox received and answered it (JSON-ready via as_dict)."""

    account: str
    method: str
    route: str
    monotonic: float  # arrival on the rate limiter's clock
    time: float  # arrival, epoch seconds
    ids: list[Any] = field(default_factory=list)
    outcome: str = "answered"  # answered | throttled | fault | ip_blocked
    fault: str | None = None
    status: int | None = None
    is_error: bool = False
    messages: list[str] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """What ``GET /_admin/writes`` serves for this request."""
        return {"time": self.time, "monotonic": self.monotonic, "method": self.method,
                "route": self.route, "offers": len(self.ids), "ids": list(self.ids),
                "outcome": self.outcome, "fault": self.fault, "status": self.status,
                "is_error": self.is_error, "messages": list(self.messages),
                "results": [dict(r) for r in self.results]}


class WriteLog:
    """The write requests each account received, in arrival order; thread-safe."""

    def __init__(self, accounts: list[str]) -> None:
        self._lock = threading.Lock()
        self._accounts = list(accounts)
        self._requests: dict[str, list[WriteRequest]] = {a: [] for a in self._accounts}

    def add(self, account: str) -> None:
        """Log an account added while serving."""
        with self._lock:
            if account not in self._requests:
                self._accounts.append(account)
                self._requests[account] = []

    def begin(self, account: str, method: str, route: str, body: dict[str, Any] | None,
              arrived: float) -> WriteRequest:
        """A new record; the offer ids are read from the body if it names any."""
        ids: list[Any] = []
        if body is not None:
            try:
                ids = [e.get("id") if isinstance(e, dict) else e
                       for e in offer_entries(route, body)]
            except ApiError:
                ids = []
        wall = time.time() - (time.monotonic() - arrived)
        return WriteRequest(account, method, route, arrived, wall, ids)

    def finish(self, request: WriteRequest, status: int) -> None:
        """Keep the answered request."""
        request.status = status
        with self._lock:
            self._requests[request.account].append(request)

    def snapshot(self, account: str) -> dict[str, Any]:
        """The account's write requests by arrival, with totals."""
        with self._lock:
            if account not in self._requests:
                raise KeyError(f"unknown account {account!r}; known: {self._accounts}")
            requests = sorted(self._requests[account], key=lambda r: r.monotonic)
            rows = [r.as_dict() for r in requests]
        results = [res for row in rows for res in row["results"]]
        return {"account": account, "requests": rows, "totals": {
            "requests": len(rows),
            "answered": sum(1 for r in rows if r["outcome"] == "answered"),
            "offers_sent": sum(r["offers"] for r in rows),
            "applied": sum(1 for r in results if r["applied"]),
            "refused": sum(1 for r in results if not r["applied"]),
        }}

    def reset(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            for requests in self._requests.values():
                requests.clear()
