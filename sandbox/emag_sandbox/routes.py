"""The emulated ``/api-3`` resources: each returns the ``results`` of a successful call.

Bad input raises :class:`~emag_sandbox.params.ApiError`; unknown routes return None so the
server can answer 404. Order routes read an account's :class:`OrderBook` instead of its
catalogue, and are listed apart (:data:`ORDER_ROUTES`): they also have their own rate budget.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from emag_sandbox.catalog import Catalog
from emag_sandbox.categories import HANDLING_TIMES, VAT_RATES, category_characteristics
from emag_sandbox.order_params import order_predicate
from emag_sandbox.orders import OrderBook
from emag_sandbox.params import as_int, get_data, offer_predicate, pagination

Handler = Callable[[dict[str, Any], Catalog, list[dict[str, Any]]], Any]
OrderHandler = Callable[[dict[str, Any], OrderBook], Any]
ORDER_PREFIX = "order/"  # eMAG's gateway gives every order route the order budget


def _count_result(total: int, per_page: int) -> dict[str, Any]:
    """EMAG's count answer; ``noOfItems`` is a string, as real responses sometimes send it."""
    return {"noOfItems": str(total), "noOfPages": -(-total // per_page), "itemsPerPage": per_page}


def offer_read(body: dict[str, Any], catalog: Catalog, _cats: list[dict[str, Any]]) -> Any:
    """``product_offer/read``: filtered page, ordered by id (bad items included, if any)."""
    data = get_data(body, required=True)
    page, per_page = pagination(data)
    predicate, offer_id = offer_predicate(data)
    offset = (page - 1) * per_page
    if predicate is None:
        entries = catalog.page(offset, per_page)
    else:
        entries = catalog.matching(predicate, offer_id is not None)[offset : offset + per_page]
    detail = offer_id is not None
    return [catalog.record(e, detail=detail) for e in entries]


def offer_count(body: dict[str, Any], catalog: Catalog, _cats: list[dict[str, Any]]) -> Any:
    """``product_offer/count`` for the same filters; it counts what read would serve."""
    data = get_data(body, required=True)
    _, per_page = pagination(data)
    predicate, offer_id = offer_predicate(data)
    if predicate is None:
        total = catalog.served_count()
    else:
        total = len(catalog.matching(predicate, offer_id is not None))
    return _count_result(total, per_page)


def _category_filter(data: dict[str, Any], cats: list[dict[str, Any]]) -> tuple[list, bool]:
    cat_id = as_int(data, "id")
    parent = as_int(data, "parent_id")
    out = cats
    if cat_id is not None:
        out = [c for c in out if c["id"] == cat_id]
    if parent is not None:
        out = [c for c in out if c["parent_id"] == parent]
    return out, cat_id is not None


def category_read(body: dict[str, Any], _catalog: Catalog, cats: list[dict[str, Any]]) -> Any:
    """``category/read``; reading one category by id adds its characteristics."""
    data = get_data(body, required=True)
    page, per_page = pagination(data)
    selected, by_id = _category_filter(data, cats)
    chunk = copy.deepcopy(selected[(page - 1) * per_page : page * per_page])
    if by_id:
        for cat in chunk:
            cat["characteristics"] = category_characteristics(cat)
    return chunk


def category_count(body: dict[str, Any], _catalog: Catalog, cats: list[dict[str, Any]]) -> Any:
    """``category/count``."""
    data = get_data(body, required=True)
    _, per_page = pagination(data)
    selected, _ = _category_filter(data, cats)
    return _count_result(len(selected), per_page)


def vat_read(body: dict[str, Any], _catalog: Catalog, _cats: list[dict[str, Any]]) -> Any:
    """``vat/read``: Romanian rates since August 2025 (21 %, 11 %, 0 %)."""
    get_data(body, required=False)
    return copy.deepcopy(VAT_RATES)


def handling_time_read(body: dict[str, Any], _c: Catalog, _cats: list[dict[str, Any]]) -> Any:
    """``handling_time/read``: the handling-time values a seller may use."""
    get_data(body, required=False)
    return copy.deepcopy(HANDLING_TIMES)


ROUTES: dict[str, Handler] = {
    "product_offer/read": offer_read,
    "product_offer/count": offer_count,
    "category/read": category_read,
    "category/count": category_count,
    "vat/read": vat_read,
    "handling_time/read": handling_time_read,
}


def order_read(body: dict[str, Any], book: OrderBook) -> Any:
    """``order/read``: filtered page of orders, ordered by id ascending."""
    data = get_data(body, required=True)
    page, per_page = pagination({k: v for k, v in data.items() if v is not None})
    selected = book.select(order_predicate(data))
    return [book.record(o) for o in selected[(page - 1) * per_page : page * per_page]]


def order_count(body: dict[str, Any], book: OrderBook) -> Any:
    """``order/count`` for the same filters."""
    data = get_data(body, required=True)
    _, per_page = pagination({k: v for k, v in data.items() if v is not None})
    return _count_result(len(book.select(order_predicate(data))), per_page)


ORDER_ROUTES: dict[str, OrderHandler] = {
    "order/read": order_read,
    "order/count": order_count,
}
