"""One account's orders: placing them from the catalogue's stock, cancelling, advancing.

Orders are what make an eMAG catalogue move on its own: a new order takes its quantities from
the offers' stock, a cancellation gives them back, and every status change moves the order's
``modified``, the only timestamp a client can poll (``order/read`` by ``modifiedAfter``).

An :class:`Order` core is small and immutable, replaced on change like the catalogue's offers,
so a page snapshot stays consistent while a change runs. The served JSON (customer, payment
amounts, lines) is built when read, from the core and its seed. Every change is a seeded
function of the book's state, so replaying the same calls (a state file) rebuilds the same
orders and the same stock. With schema drift on (:mod:`emag_sandbox.drift`), the lines of an
order whose id is divisible by :attr:`OrderBook.drift_every` carry a key eMAG never documented.
"""

# ruff: noqa: S311  -- seeded, reproducible test data; nothing here is security-relevant

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from emag_sandbox.catalog import Catalog
from emag_sandbox.categories import VAT_RATES
from emag_sandbox.customers import build_customer, locker_details
from emag_sandbox.drift import check_drift, drift_line, drifts
from emag_sandbox.localtime import format_local
from emag_sandbox.products import Offer, money_e4
from emag_sandbox.rng import label_seed, mix

STATUSES = {0: "canceled", 1: "new", 2: "in progress", 3: "prepared", 4: "finalized",
            5: "returned"}
OPEN = frozenset({1, 2, 3})  # what can still be advanced or cancelled
FBE_TYPE, SELLER_TYPE = 2, 3
PAYMENT_MODES = {1: "RAMBURS", 2: "TRANSFER BANCAR", 3: "CARD ONLINE"}
CANCELLATION_REASONS = (1, 2, 3, 15, 16, 17, 18, 19, 20, 24)
FREE_SHIPPING_CENTS = 150_00
SHIPPING_FEES_CENTS = (15_99, 19_99, 14_99)
_VAT = {v["vat_id"]: round(v["vat_rate"] * 10_000) for v in VAT_RATES}  # basis points


@dataclass(frozen=True)
class Line:
    """One order line: an offer of the account and the quantity bought at that price."""

    id: int
    product_id: int
    part_number_key: str
    sku: str
    quantity: int
    price_e4: int  # without VAT, in ten-thousandths of a leu (the offer's sale price)
    vat_bp: int  # VAT in basis points (2100 = 21 %)
    status: int = 1


@dataclass(frozen=True)
class Order:
    """The core of one order; a change replaces it with a new instance."""

    id: int
    type: int
    status: int
    created: int  # epoch seconds
    modified: int
    payment_mode_id: int
    is_complete: int
    seed: int
    customer_id: int
    lines: tuple[Line, ...]
    locker: bool
    cancellation_reason: int | None = None
    finalized: int | None = None


def _weighted(rng: random.Random, table: tuple[tuple[int, int], ...]) -> int:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _amount(cents: int) -> str:
    """What the buyer pays or paid, in RON with two decimals (``"199.98"``)."""
    return f"{cents // 100}.{cents % 100:02d}"


def _vat(bp: int) -> str:
    """VAT as eMAG writes it on a line: ``"0.2100"``."""
    return f"{bp // 10_000}.{bp % 10_000:04d}"


class OrderBook:
    """Orders of one account, ordered by id."""

    def __init__(self, seed: int, account: str, catalog: Catalog, order_type: int,
                 drift_every: int = 0) -> None:
        self.seed = seed
        self.drift_every = check_drift(drift_every)  # 0 = off; see set_drift
        self.account = account
        self.catalog = catalog
        self.order_type = order_type
        self._lock = threading.Lock()
        self._orders: dict[int, Order] = {}
        self._ids: list[int] = []
        self._calls = 0
        base = label_seed(seed, account, "order-ids")
        self._next_id = 300_000_000 + base % 60_000_000
        self._next_line = 600_000_000 + mix(base, 1) % 300_000_000
        self._customer_base = label_seed(seed, "customer")

    def __len__(self) -> int:
        return len(self._ids)

    # ---- reading ----------------------------------------------------------------------

    def select(self, predicate: Callable[[Order], bool] | None = None) -> list[Order]:
        """Snapshot of the orders matching ``predicate`` (all when None), ordered by id."""
        with self._lock:
            orders = [self._orders[i] for i in self._ids]
        return orders if predicate is None else [o for o in orders if predicate(o)]

    def get(self, order_id: int) -> Order | None:
        """The order with this id, if any."""
        with self._lock:
            return self._orders.get(order_id)

    def set_drift(self, every: int) -> None:
        """Serve the lines of every order whose id is divisible by ``every`` drifted (0 = off)."""
        self.drift_every = check_drift(every)

    def open_count(self) -> int:
        """Orders that can still be advanced or cancelled."""
        with self._lock:
            return sum(1 for i in self._ids if self._orders[i].status in OPEN)

    def record(self, order: Order) -> dict[str, Any]:
        """The served JSON object of an order (``order/read``)."""
        rng = random.Random(order.seed)  # the same draws whatever the status: stable values
        emag_club = rng.random() < 0.2
        fee = rng.choice(SHIPPING_FEES_CENTS)
        locker = locker_details(rng)
        lines_total = sum(
            (ln.price_e4 * ln.quantity * (10_000 + ln.vat_bp) + 500_000) // 1_000_000
            for ln in order.lines if ln.status == 1)
        free = order.type == FBE_TYPE or emag_club or lines_total >= FREE_SHIPPING_CENTS
        shipping = 0 if free else fee
        total = lines_total + shipping
        cod = order.payment_mode_id == 1
        paid = not cod or order.status == 4
        created = format_local(order.created)
        lines = [self._line_record(order, ln, created) for ln in order.lines]
        if drifts(order.id, self.drift_every):
            lines = [drift_line(line, order.seed) for line in lines]
        return {
            "id": order.id,
            "status": order.status,
            "is_complete": order.is_complete,
            "type": order.type,
            "payment_mode": PAYMENT_MODES[order.payment_mode_id],
            "payment_mode_id": order.payment_mode_id,
            "delivery_payment_mode": "Ramburs" if cod else "Online",
            "delivery_mode": "pickup" if order.locker else "courier",
            "observation": None,
            "details": (locker if order.locker
                        else {"locker_id": None, "locker_name": None,
                              "locker_delivery_eligible": 0}),
            "date": created,
            "modified": format_local(order.modified),
            "payment_status": 1 if paid else 0,
            "cashed_co": "0.00" if cod else _amount(total),
            "cashed_cod": _amount(total) if cod else "0.00",
            "shipping_tax": _amount(shipping),
            "shipping_tax_voucher_split": [],
            "customer": build_customer(mix(self._customer_base, order.customer_id),
                                       order.customer_id),
            "products": lines,
            "attachments": [],
            "vouchers": [],
            "is_storno": False,
            "cancellation_reason": order.cancellation_reason,
            "emag_club": 1 if emag_club else 0,
            "weekend_delivery": 0,
            "maximum_date_for_shipment": format_local(order.created + 2 * 86_400),
            "finalization_date": None if order.finalized is None else format_local(order.finalized),
        }

    @staticmethod
    def _line_record(order: Order, line: Line, created: str) -> dict[str, Any]:
        price = money_e4(line.price_e4)
        return {
            "id": line.id,
            "product_id": line.product_id,
            "status": line.status,
            "part_number": line.part_number_key,
            "part_number_key": line.part_number_key,
            "ext_part_number": line.sku,
            "quantity": line.quantity,
            "initial_qty": line.quantity,
            "storno_qty": 0,
            "sale_price": price,
            "original_price": price,
            "currency": "RON",
            "vat": _vat(line.vat_bp),
            "details": [],
            "product_voucher_split": [],
            "created": created,
            "modified": created,
        }

    # ---- changes ----------------------------------------------------------------------

    def apply(self, *, place: int = 0, cancel: int = 0, advance: int = 0,
              cancel_ids: Iterable[int] = (), advance_ids: Iterable[int] = (),
              lines: Iterable[Any] = (), seed: int = 0, at: int) -> dict[str, Any]:
        """Advance, then cancel, then place orders at the instant ``at`` (epoch seconds).

        Counts pick among the open orders (new, in progress, prepared) that existed before the
        call, besides the ids given explicitly. ``lines`` (``{"product_id", "quantity"}``
        objects) places one more order, first, of exactly those offers and quantities: a test's
        order on a chosen offer. Everything is checked before anything changes: an unknown or
        closed id, a count larger than the open orders, or a line whose offer is missing, not
        active (status 1) or short of stock, raises ValueError. Placing counted orders stops
        early, without error, when the account has no saleable stock left. Returns
        ``{"placed", "advanced", "canceled"}`` (order ids) and ``"product_ids"`` (the offers
        whose stock moved).
        """
        for label, n in (("place", place), ("cancel", cancel), ("advance", advance)):
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise ValueError(f"{label} must be a non-negative integer")
        cancel_ids, advance_ids = _ids(cancel_ids, "cancel_ids"), _ids(advance_ids, "advance_ids")
        wanted = _lines(lines)
        with self._lock:
            chosen = self._chosen_offers(wanted)
            rng = random.Random(label_seed(self.seed, self.account, "orders", seed, self._calls,
                                           len(self._ids)))
            explicit = set(cancel_ids) | set(advance_ids)
            if len(explicit) != len(cancel_ids) + len(advance_ids):
                raise ValueError("an order id is listed twice (cancel_ids, advance_ids)")
            for order_id in explicit:
                found = self._orders.get(order_id)
                if found is None:
                    raise ValueError(f"account {self.account!r} has no order {order_id}")
                if found.status not in OPEN:
                    raise ValueError(f"order {order_id} is {STATUSES[found.status]}: only new, "
                                     f"in-progress and prepared orders can change")
            candidates = [i for i in self._ids
                          if self._orders[i].status in OPEN and i not in explicit]
            if advance + cancel > len(candidates):
                raise ValueError(f"account {self.account!r} has {len(candidates)} open orders: "
                                 f"cannot advance {advance} and cancel {cancel}")
            picked = rng.sample(candidates, advance + cancel)
            to_advance = sorted([*advance_ids, *picked[:advance]])
            to_cancel = sorted([*cancel_ids, *picked[advance:]])
            self._calls += 1
            touched: set[int] = set()
            for order_id in to_advance:
                self._advance(order_id, at)
            for order_id in to_cancel:
                touched.update(self._cancel(rng, order_id, at))
            placed = []
            if chosen:
                own = self._order(rng, at, chosen)
                placed.append(own.id)
                touched.update(ln.product_id for ln in own.lines)
            for _ in range(place):
                order = self._place(rng, at)
                if order is None:
                    break
                placed.append(order.id)
                touched.update(ln.product_id for ln in order.lines)
        return {"placed": placed, "advanced": to_advance, "canceled": to_cancel,
                "product_ids": sorted(touched)}

    def _advance(self, order_id: int, at: int) -> None:
        old = self._orders[order_id]
        status = old.status + 1
        self._orders[order_id] = replace(
            old, status=status, modified=max(at, old.modified), is_complete=1,
            finalized=max(at, old.modified) if status == 4 else None)

    def _cancel(self, rng: random.Random, order_id: int, at: int) -> list[int]:
        """Status 0; the lines' quantities go back to the offers that still exist."""
        old = self._orders[order_id]
        self._orders[order_id] = replace(old, status=0, modified=max(at, old.modified),
                                         cancellation_reason=rng.choice(CANCELLATION_REASONS))
        returned = []
        for line in old.lines:
            if line.status == 1 and self.catalog.adjust_stock(line.product_id, line.quantity):
                returned.append(line.product_id)
        return returned

    def _chosen_offers(self, wanted: list[tuple[int, int]]) -> list[tuple[Offer, int]]:
        """The offers of explicit order lines, checked: they exist, are active, have the stock."""
        chosen = []
        for product_id, quantity in wanted:
            offer = self.catalog.get(product_id)
            if offer is None:
                raise ValueError(f"account {self.account!r} has no offer {product_id}")
            if offer.status != 1 or offer.stock < quantity:
                raise ValueError(f"offer {product_id} cannot be ordered {quantity} times: status "
                                 f"{offer.status}, stock {offer.stock}")
            chosen.append((offer, quantity))
        return chosen

    def _place(self, rng: random.Random, at: int) -> Order | None:
        """A new order of 1-3 saleable offers, 1-3 units each, taken from their stock."""
        offers = self.catalog.pick_saleable(rng, _weighted(rng, ((1, 70), (2, 22), (3, 8))))
        if not offers:
            return None
        return self._order(rng, at, [(offer, None) for offer in offers])

    def _order(self, rng: random.Random, at: int,
               picks: Sequence[tuple[Offer, int | None]]) -> Order:
        """A new order of these offers (a quantity None is drawn, 1-3 units), from their stock."""
        lines = []
        for offer, wanted in picks:
            quantity = (wanted if wanted is not None
                        else min(offer.stock, _weighted(rng, ((1, 75), (2, 18), (3, 7)))))
            self.catalog.adjust_stock(offer.id, -quantity)
            lines.append(Line(id=self._next_line, product_id=offer.id,
                              part_number_key=offer.sku.part_number_key or "",
                              sku=offer.sku.part_number, quantity=quantity,
                              price_e4=offer.price_e4,
                              vat_bp=_VAT.get(self.catalog.vat_id(offer), 2100)))
            self._next_line += rng.randint(1, 40)
        if self._ids and rng.random() < 0.1:  # a returning buyer
            customer_id = self._orders[rng.choice(self._ids)].customer_id
        else:
            customer_id = rng.randint(1_000_000, 9_999_999)
        order = Order(
            id=self._next_id, type=self.order_type, status=1, created=at, modified=at,
            payment_mode_id=_weighted(rng, ((1, 55), (3, 40), (2, 5))),
            is_complete=0 if rng.random() < 0.1 else 1, seed=rng.getrandbits(64),
            customer_id=customer_id, lines=tuple(lines), locker=rng.random() < 0.35)
        self._next_id += rng.randint(1, 60)  # other sellers' orders take the ids between
        self._orders[order.id] = order
        self._ids.append(order.id)
        return order


def _lines(values: Iterable[Any]) -> list[tuple[int, int]]:
    """Explicit order lines from admin or Python input: ``(product_id, quantity)`` pairs."""
    if isinstance(values, (str, bytes, dict)):
        raise ValueError("lines must be a list of {\"product_id\", \"quantity\"} objects")
    out: list[tuple[int, int]] = []
    for value in values:
        if not isinstance(value, dict) or set(value) - {"product_id", "quantity"}:
            raise ValueError(f"an order line is {{\"product_id\", \"quantity\"}}, got {value!r}")
        numbers = []
        for label in ("product_id", "quantity"):
            number = value.get(label, 1 if label == "quantity" else None)
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise ValueError(f"an order line's {label} must be a positive integer, "
                                 f"got {number!r}")
            numbers.append(number)
        out.append((numbers[0], numbers[1]))
    if len({p for p, _ in out}) != len(out):
        raise ValueError("an offer is listed twice in lines")
    return out


def _ids(values: Iterable[int], label: str) -> list[int]:
    """A list of order ids from admin or Python input."""
    if isinstance(values, (str, bytes)):
        raise ValueError(f"{label} must be a list of order ids")
    out = []
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{label} must be a list of integer order ids, got {value!r}")
        out.append(value)
    return out
