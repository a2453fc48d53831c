"""The :class:`Sandbox`: accounts, catalogues and the request pipeline of the emulated API.

Pipeline of an ``/api-3`` call, in eMAG's order: credentials (401, free) -> rate limit (429,
counted) -> latency -> injected fault -> IP whitelist -> route and parameters -> envelope.
Order routes (``order/...``) are judged by their own limiter (12 requests/s per account), all
other routes, the offer writes included, by the general one (3 requests/s), as eMAG's gateway
does. Every write request is also recorded in the account's write log (:mod:`writes`).
"""

# ruff: noqa: S311  -- seeded, reproducible test data; nothing here is security-relevant

from __future__ import annotations

import base64
import binascii
import logging
import random
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from emag_sandbox import admin, localtime, state, writes
from emag_sandbox.accounts import DEFAULT_ACCOUNTS, AccountExists, AccountSpec, seller_of
from emag_sandbox.bad_records import check_count
from emag_sandbox.catalog import Catalog
from emag_sandbox.categories import build_categories, category_ids_by_name
from emag_sandbox.drift import check_drift
from emag_sandbox.faults import FAULT_KINDS, FaultInjector, html_error
from emag_sandbox.order_flow import ADVANCE_SHARE, CANCEL_SHARE, OrderFlow
from emag_sandbox.orders import FBE_TYPE, SELLER_TYPE, OrderBook
from emag_sandbox.params import ApiError, parse_body
from emag_sandbox.products import SellerPool
from emag_sandbox.ratelimit import Decision, RateLimiter
from emag_sandbox.rng import label_seed
from emag_sandbox.routes import ORDER_PREFIX, ORDER_ROUTES, ROUTES
from emag_sandbox.server import Response, SandboxHTTPServer, encode_json, envelope
from emag_sandbox.stats import Stats
from emag_sandbox.writes import OfferChange, WriteLog, WriteRequest

log = logging.getLogger("emag_sandbox")

API_PREFIX = "/api-3"
IP_BLOCKED_MESSAGE = (
    "Access denied: your IP address is not whitelisted for this account. "
    "Add it in the Marketplace platform under Profile > Technical details.")
AUTH_FAILED = {"isError": True, "messages": ["Invalid username or password"], "results": []}
THROTTLED_BODY = b'{"message":"API rate limit exceeded"}'


@dataclass
class _Account:
    spec: AccountSpec
    password: str
    catalog: Catalog
    orders: OrderBook
    ip_blocked: bool = False


class Sandbox:
    """A local eMAG Marketplace API; usable as a context manager."""

    def __init__(
        self,
        accounts: Iterable[AccountSpec] | None = None,
        seed: int = 42,
        rate_limit: float = 3.0,
        latency: float = 0.0,
        latency_jitter: float = 0.0,
        fault_rate: float = 0.0,
        fault_kinds: Iterable[str] = FAULT_KINDS,
        timeout_delay: float = 30.0,
        state_file: str | None = None,
        bad_records: int = 0,
        order_rate_limit: float = 12.0,
        orders_per_hour: float = 0.0,
        drift: int = 0,
    ) -> None:
        specs = list(accounts) if accounts is not None else list(DEFAULT_ACCOUNTS)
        if not specs:
            raise ValueError("at least one account is needed")
        for field_name in ("name", "username"):
            values = [getattr(s, field_name) for s in specs]
            if len(set(values)) != len(values):
                twice = sorted({v for v in values if values.count(v) > 1})
                raise ValueError(f"account {field_name}s must be unique: {twice} repeat")
        self.seed = seed
        self.state_file = state_file
        self._bad_records = check_count(bad_records)
        self._drift = check_drift(drift)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._categories = build_categories(seed)
        self._category_ids = category_ids_by_name(self._categories)
        self._pools: dict[str | None, SellerPool] = {}
        self._accounts: dict[str, _Account] = {}
        for spec in specs:
            self._accounts[spec.name] = self._new_account(spec)
        self._by_username = {a.spec.username: a for a in self._accounts.values()}
        self._limiter = RateLimiter(rate_limit)
        self._order_limiter = RateLimiter(order_rate_limit)
        self._flow = OrderFlow(seed, self._accounts, self._flow_step, orders_per_hour)
        self._faults = FaultInjector(seed, fault_rate, fault_kinds)
        self._latency_rng = random.Random(label_seed(seed, "latency"))
        self.latency = latency
        self.latency_jitter = latency_jitter
        self.timeout_delay = timeout_delay
        self._stats = Stats(self._accounts)
        self._writes = WriteLog(list(self._accounts))
        self._mutations: list[dict[str, Any]] = []
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base = ""
        if state_file:
            self._replay(state.load(state_file))

    def _new_account(self, spec: AccountSpec) -> _Account:
        """Build an account's catalogue and order book from the seed and its name.

        Accounts named ``<seller>/<account>`` draw from that seller's SKU pool, the others
        from the sandbox's own: two sellers never sell the same SKUs, one seller's MAIN and
        FBE accounts mostly do.
        """
        seller = seller_of(spec.name)
        pool = self._pools.get(seller)
        if pool is None:
            pool = self._pools[seller] = SellerPool(self.seed, seller)
        fbe = spec.fbe if spec.fbe is not None else "fbe" in spec.name.lower()
        catalog = Catalog(self.seed, spec.name, spec.products, pool, self._category_ids, fbe,
                          self._bad_records, self._drift)
        book = OrderBook(self.seed, spec.name, catalog, FBE_TYPE if fbe else SELLER_TYPE,
                         self._drift)
        return _Account(spec, spec.password, catalog, book)

    # ---- lifecycle --------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; returns :attr:`base_url`."""
        if self._server is not None:
            raise RuntimeError("sandbox already started")
        self._stop.clear()
        server = SandboxHTTPServer((host, port), self)
        self._server = server
        bound = server.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        self._base = f"http://{shown}:{bound}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="emag-sandbox", daemon=True)
        self._thread.start()
        self._flow.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving, cut open connections and wake any sleeping request."""
        server, self._server = self._server, None
        if server is None:
            return
        self._flow.stop()
        self._stop.set()
        server.stopping.set()
        server.shutdown()
        server.close_all()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Sandbox:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What a client uses as its eMAG base URL (``.../api-3``)."""
        return self._base + API_PREFIX

    @property
    def admin_url(self) -> str:
        """Root of the admin API (``.../_admin``)."""
        return self._base + "/_admin"

    @property
    def port(self) -> int | None:
        """The bound port while serving."""
        return self._server.server_address[1] if self._server else None

    # ---- control ----------------------------------------------------------------------

    def account_names(self) -> list[str]:
        """Account names in declaration order."""
        return list(self._accounts)

    def add_account(self, spec: AccountSpec) -> dict[str, Any]:
        """Serve one more account from now on, its catalogue built like the others'.

        AccountExists (a ValueError) when the name or the username is taken. Persisted when
        ``state_file``, so a restarted sandbox serves it again. Returns the account as
        :meth:`config` lists it, with its ``name``.
        """
        with self._lock:
            if spec.name in self._accounts:
                raise AccountExists(f"an account named {spec.name!r} exists")
            if spec.username in self._by_username:
                raise AccountExists(f"an account with username {spec.username!r} exists")
            self._add(self._new_account(spec))
            self._mutations.append({"op": "account", "account": spec.name,
                                    "username": spec.username, "password": spec.password,
                                    "products": spec.products, "fbe": spec.fbe})
            if self.state_file:
                state.save(self.state_file, self.seed, self._mutations)
        return {"name": spec.name, **self._account_config(self._accounts[spec.name])}

    def _add(self, acct: _Account) -> None:
        """Register a built account everywhere requests and reports look it up."""
        name = acct.spec.name
        self._stats.add(name)
        self._writes.add(name)
        self._accounts[name] = acct
        self._by_username[acct.spec.username] = acct
        self._flow.add(name)

    def _account(self, name: str) -> _Account:
        try:
            return self._accounts[name]
        except KeyError:
            names = list(self._accounts)
            known = names if len(names) <= 10 else [*names[:10], f"... {len(names)} in all"]
            raise KeyError(f"unknown account {name!r}; known: {known}") from None

    def mutate(self, account: str, changed: int = 0, added: int = 0, deleted: int = 0,
               end_of_life: int = 0, seed: int | None = None) -> dict[str, list[int]]:
        """Change the catalogue (see :meth:`Catalog.mutate`); persisted when ``state_file``."""
        acct = self._account(account)
        with self._lock:
            if seed is None:
                seed = sum(1 for m in self._mutations
                           if m["account"] == account and m.get("op", "mutate") == "mutate")
            call = {"account": account, "changed": changed, "added": added, "deleted": deleted,
                    "end_of_life": end_of_life, "seed": seed}
            result = acct.catalog.mutate(changed, added, deleted, end_of_life, seed)
            self._mutations.append(call)
            if self.state_file:
                state.save(self.state_file, self.seed, self._mutations)
        return result

    def _replay(self, calls: list[dict[str, Any]]) -> None:
        """Re-apply the logged calls (mutations, orders, writes) in their original order."""
        for call in calls:
            if call.get("op") == "account":
                self._replay_account(call)
                continue
            if call.get("account") not in self._accounts:
                log.warning("state file: skipping a call on unknown account %r", call)
                continue
            acct = self._accounts[call["account"]]
            if call.get("op") == "orders":
                acct.orders.apply(
                    place=call.get("place", 0), cancel=call.get("cancel", 0),
                    advance=call.get("advance", 0), cancel_ids=call.get("cancel_ids", ()),
                    advance_ids=call.get("advance_ids", ()), lines=call.get("lines", ()),
                    seed=call.get("seed", 0), at=call["at"])
            elif call.get("op") == "offers":
                for change in call["changes"]:
                    refusal = writes.apply(acct.catalog, OfferChange.from_call(change))
                    if refusal:
                        log.warning("state file: a logged write no longer applies: %s", refusal)
            elif call.get("op") == "campaign":
                self._set_campaign(acct, call["ids"], call["on"])
            else:
                acct.catalog.mutate(
                    call.get("changed", 0), call.get("added", 0), call.get("deleted", 0),
                    call.get("end_of_life", 0), call.get("seed", 0))
            self._mutations.append(dict(call))

    def _replay_account(self, call: dict[str, Any]) -> None:
        """Add a logged account again, unless the command line already declares it."""
        spec = AccountSpec(call["account"], call["username"], call["password"], call["products"],
                           fbe=call.get("fbe"))
        known = self._accounts.get(spec.name)
        if known is None and spec.username not in self._by_username:
            self._add(self._new_account(spec))
        elif known is None or known.spec != spec:
            log.warning("state file: account %r clashes with a declared one; keeping the "
                        "declared one", spec.name)
        self._mutations.append(dict(call))

    # ---- orders -----------------------------------------------------------------------

    def change_orders(
        self, account: str, place: int = 0, cancel: int = 0, advance: int = 0,
        cancel_ids: Iterable[int] = (), advance_ids: Iterable[int] = (),
        lines: Iterable[dict[str, int]] = (),
        seed: int | None = None, at: int | float | str | datetime | None = None,
    ) -> dict[str, Any]:
        """Advance, cancel and place orders in one logged call (what the admin API does).

        ``place`` new orders take 1-3 saleable offers of the account, 1-3 units each, from
        their stock; ``lines`` (``[{"product_id", "quantity"}]``) places one more order of
        exactly those offers (active, with the stock), as a buyer of a chosen offer would;
        ``cancel`` / ``cancel_ids`` set status 0 and give the units back;
        ``advance`` / ``advance_ids`` move 1 -> 2 -> 3 -> 4. Counts pick, with the seed, among
        the open orders (status 1-3) that existed before the call. ``at`` (epoch seconds, a
        Bucharest ``YYYY-mm-dd HH:ii:ss`` or a datetime; default now) is the time written to
        ``date`` of new orders and ``modified`` of changed ones (never moved backwards).
        ``seed`` defaults to the number of order calls already applied to the account.
        Persisted when ``state_file``. Returns ``{"account", "seed", "at", "placed",
        "advanced", "canceled", "product_ids", "orders"}``: order ids, the offers whose stock
        moved, and the touched orders as ``order/read`` serves them.
        """
        acct = self._account(account)
        instant = localtime.to_epoch(at)
        with self._lock:
            if seed is None:
                seed = sum(1 for m in self._mutations
                           if m["account"] == account and m.get("op") == "orders")
            call: dict[str, Any] = {
                "op": "orders", "account": account, "place": place, "cancel": cancel,
                "advance": advance, "cancel_ids": list(cancel_ids),
                "advance_ids": list(advance_ids), "seed": seed, "at": instant}
            own_lines = [dict(line) for line in lines]
            if own_lines:
                call["lines"] = own_lines
            result = acct.orders.apply(place=place, cancel=cancel, advance=advance,
                                       cancel_ids=call["cancel_ids"],
                                       advance_ids=call["advance_ids"], lines=own_lines,
                                       seed=seed, at=instant)
            self._mutations.append(call)
            if self.state_file:
                state.save(self.state_file, self.seed, self._mutations)
        touched = sorted({*result["placed"], *result["advanced"], *result["canceled"]})
        book = acct.orders
        return {"account": account, "seed": seed, "at": localtime.format_local(instant),
                **result, "orders": [book.record(o) for o in map(book.get, touched) if o]}

    def place_orders(self, account: str, count: int = 1, seed: int | None = None,
                     at: int | float | str | datetime | None = None) -> list[dict[str, Any]]:
        """Place ``count`` new orders now (or ``at``); returns them as ``order/read`` serves them.

        Fewer come back when the account runs out of saleable stock.
        """
        placed: list[dict[str, Any]] = self.change_orders(account, place=count, seed=seed,
                                                          at=at)["orders"]
        return placed

    def cancel_orders(self, account: str, count: int = 0, ids: Iterable[int] = (),
                      seed: int | None = None,
                      at: int | float | str | datetime | None = None) -> list[dict[str, Any]]:
        """Cancel the orders ``ids`` and ``count`` more open ones; returns them as served."""
        canceled: list[dict[str, Any]] = self.change_orders(
            account, cancel=count, cancel_ids=ids, seed=seed, at=at)["orders"]
        return canceled

    def advance_orders(self, account: str, count: int = 0, ids: Iterable[int] = (),
                       seed: int | None = None,
                       at: int | float | str | datetime | None = None) -> list[dict[str, Any]]:
        """Move the orders ``ids`` and ``count`` more open ones one status on (1 -> 2 -> 3 -> 4)."""
        advanced: list[dict[str, Any]] = self.change_orders(
            account, advance=count, advance_ids=ids, seed=seed, at=at)["orders"]
        return advanced

    def orders(self, account: str) -> list[dict[str, Any]]:
        """Every order of the account (both types, every status) as served, ordered by id."""
        book = self._account(account).orders
        return [book.record(o) for o in book.select()]

    def _flow_step(self, account: str, rng: random.Random) -> None:
        """One ``--orders-per-hour`` event: place one order, sometimes advance and cancel."""
        advance = 1 if rng.random() < ADVANCE_SHARE else 0
        cancel = 1 if rng.random() < CANCEL_SHARE else 0
        open_now = self._account(account).orders.open_count()
        advance = min(advance, open_now)
        cancel = min(cancel, open_now - advance)
        self.change_orders(account, place=1, advance=advance, cancel=cancel)

    # ---- offer writes ------------------------------------------------------------------

    def writes(self, account: str) -> dict[str, Any]:
        """The write requests the account received since the last reset (see :class:`WriteLog`).

        ``{"account", "requests": [...], "totals": {...}}``; each request has its arrival
        (``time``, epoch seconds, and ``monotonic``), ``method``, ``route``, ``offers``,
        ``ids``, ``outcome`` (answered, throttled, fault, ip_blocked), ``fault``, ``status``,
        ``is_error``, ``messages`` and ``results`` (``{"id", "applied", "message"}`` per offer).
        """
        self._account(account)
        return self._writes.snapshot(account)

    def set_campaign(self, account: str, ids: Iterable[int], on: bool = True) -> list[int]:
        """Put offers in a campaign with stock in site (or take them out); logged, persisted.

        While in one, an offer refuses regular updates (``offer/save``, ``offer_stock``).
        Returns every id of the account now in a campaign. An unknown id changes nothing.
        """
        acct = self._account(account)
        wanted = list(ids)
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in wanted):
            raise ValueError(f"ids must be a list of integer offer ids, got {wanted!r}")
        if not isinstance(on, bool):
            raise ValueError(f"on must be true or false, got {on!r}")
        with self._lock:
            missing = [i for i in wanted if acct.catalog.get(i) is None]
            if missing:
                raise ValueError(f"account {account!r} has no offers {missing}")
            self._set_campaign(acct, wanted, on)
            self._mutations.append({"op": "campaign", "account": account, "ids": wanted,
                                    "on": on})
            if self.state_file:
                state.save(self.state_file, self.seed, self._mutations)
        return [o.id for o in acct.catalog.select(lambda o: o.campaign)]

    @staticmethod
    def _set_campaign(acct: _Account, ids: Iterable[int], on: bool) -> None:
        for offer_id in ids:
            offer = acct.catalog.get(offer_id)
            if offer is not None:
                acct.catalog.put(replace(offer, campaign=on))

    def _apply_writes(self, acct: _Account, changes: list[OfferChange]) -> list[str | None]:
        """Apply a request's offers in order; log the applied ones like mutations and orders."""
        with self._lock:
            refusals = [writes.apply(acct.catalog, change) for change in changes]
            applied = [c.as_call() for c, r in zip(changes, refusals, strict=True) if r is None]
            if applied:
                self._mutations.append({"op": "offers", "account": acct.spec.name,
                                        "changes": applied})
                if self.state_file:
                    state.save(self.state_file, self.seed, self._mutations)
        return refusals

    def configure(self, **settings: Any) -> None:
        """Change settings at runtime (tests flip faults and limits mid-run).

        Accepts any of rate_limit, order_rate_limit, orders_per_hour, latency, latency_jitter,
        fault_rate, fault_kinds, timeout_delay, bad_records, drift. ``drift=N`` (0 = off)
        serves every offer, and the lines of every order, whose id is divisible by N with the
        keys eMAG adds over time (see :mod:`emag_sandbox.drift`).
        """
        known = {"rate_limit", "order_rate_limit", "orders_per_hour", "latency",
                 "latency_jitter", "fault_rate", "fault_kinds", "timeout_delay", "bad_records",
                 "drift"}
        unknown = set(settings) - known
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(known)}")
        for key in ("latency", "latency_jitter", "timeout_delay", "order_rate_limit",
                    "orders_per_hour"):
            if key in settings and float(settings[key]) < 0:
                raise ValueError(f"{key} must be >= 0")
        if "bad_records" in settings:
            check_count(settings["bad_records"])
        if "drift" in settings:
            check_drift(settings["drift"])
        if "rate_limit" in settings:
            self._limiter.rate = float(settings["rate_limit"])
        if "order_rate_limit" in settings:
            self._order_limiter.rate = float(settings["order_rate_limit"])
        if "orders_per_hour" in settings:
            self._flow.rate = float(settings["orders_per_hour"])
        self._faults.configure(
            None if settings.get("fault_rate") is None else float(settings["fault_rate"]),
            settings.get("fault_kinds"))
        for key in ("latency", "latency_jitter", "timeout_delay"):
            if key in settings:
                setattr(self, key, float(settings[key]))
        if "bad_records" in settings:
            for acct in list(self._accounts.values()):
                acct.catalog.set_bad_records(settings["bad_records"])
            self._bad_records = settings["bad_records"]
        if "drift" in settings:
            for acct in list(self._accounts.values()):
                acct.catalog.set_drift(settings["drift"])
                acct.orders.set_drift(settings["drift"])
            self._drift = settings["drift"]

    def config(self) -> dict[str, Any]:
        """Current runtime settings."""
        return {"seed": self.seed, "rate_limit": self._limiter.rate,
                "order_rate_limit": self._order_limiter.rate,
                "orders_per_hour": self._flow.rate, "latency": self.latency,
                "latency_jitter": self.latency_jitter, "fault_rate": self._faults.rate,
                "fault_kinds": list(self._faults.kinds), "timeout_delay": self.timeout_delay,
                "state_file": self.state_file, "bad_records": self._bad_records,
                "drift": self._drift,
                "accounts": {n: self._account_config(a)
                             for n, a in list(self._accounts.items())}}

    @staticmethod
    def _account_config(acct: _Account) -> dict[str, Any]:
        return {"username": acct.spec.username, "products": len(acct.catalog),
                "fbe": acct.catalog.fbe, "order_type": acct.orders.order_type,
                "orders": len(acct.orders), "ip_blocked": acct.ip_blocked}

    def set_password(self, account: str, password: str) -> None:
        """Change an account's password (old credentials then get 401)."""
        self._account(account).password = password

    def set_ip_blocked(self, account: str, blocked: bool = True) -> None:
        """Simulate a non-whitelisted client IP for the account."""
        self._account(account).ip_blocked = blocked

    def stats(self) -> dict[str, Any]:
        """Counters per account and overall (see :class:`~emag_sandbox.stats.Stats`)."""
        windows = {name: {"general": self._limiter.max_in_1s(name),
                          "orders": self._order_limiter.max_in_1s(name)}
                   for name in list(self._accounts)}
        return self._stats.snapshot(windows)

    def reset_stats(self) -> None:
        """Zero the counters and the busiest-window record, and empty the write log."""
        self._stats.reset()
        self._writes.reset()
        self._limiter.reset_stats()
        self._order_limiter.reset_stats()

    def catalog(self, account: str) -> list[dict[str, Any]]:
        """The well-formed products exactly as an unfiltered ``product_offer/read`` serves them.

        Bad items are left out: this is what a correct client should load.
        """
        return self._account(account).catalog.records()

    def bad_records(self, account: str) -> list[dict[str, Any]]:
        """The account's bad items: ``{"kind", "position", "item"}`` in served order."""
        return self._account(account).catalog.bad_listing()

    def categories(self) -> list[dict[str, Any]]:
        """The category tree as ``category/read`` serves it."""
        return [dict(c) for c in self._categories]

    # ---- request pipeline -------------------------------------------------------------

    def dispatch(self, method: str, path: str, headers: Any, raw: bytes,
                 client_ip: str, received_at: float | None = None) -> Response:
        """Answer one HTTP request (called from server threads).

        ``received_at`` (monotonic) is when the request reached the server, if the server
        knows it more exactly than now: the rate limit judges arrivals, as the gateway does.
        """
        parts = urlsplit(path)
        if parts.path == "/_admin" or parts.path.startswith("/_admin/"):
            return admin.handle(self, method, parts.path, parts.query, raw, client_ip)
        if not parts.path.startswith(API_PREFIX + "/"):
            return Response(404, envelope([], [f"Not found: {parts.path}"], error=True))
        route = parts.path[len(API_PREFIX) + 1:].strip("/")
        acct = self._authenticate(headers.get("Authorization", ""))
        if acct is None:
            self._stats.unauthenticated()
            return Response(401, encode_json(AUTH_FAILED),
                            headers={"WWW-Authenticate": 'Basic realm="eMAG Marketplace API"'})
        arrived = received_at if received_at is not None else time.monotonic()
        if not writes.is_write(route):
            return self._call(acct, method, route, raw, headers, arrived, None)
        try:
            body: dict[str, Any] | None = parse_body(raw, headers.get("Content-Type", ""))
        except ApiError:
            body = None
        record = self._writes.begin(acct.spec.name, method, route, body, arrived)
        response = self._call(acct, method, route, raw, headers, arrived, record)
        self._writes.finish(record, response.status)
        return response

    def _call(self, acct: _Account, method: str, route: str, raw: bytes, headers: Any,
              arrived: float, record: WriteRequest | None) -> Response:
        """An authenticated call from the rate limit on; ``record`` notes a write's fate."""
        name = acct.spec.name
        budget = "orders" if route.startswith(ORDER_PREFIX) else "general"
        limiter = self._order_limiter if budget == "orders" else self._limiter
        self._stats.arrival(name, writes.route_name(route), budget)
        decision = limiter.arrive(name, arrived)
        if not decision.allowed:
            self._stats.throttled(name, budget)
            if record is not None:
                record.outcome = "throttled"
            return self._throttled(decision)
        self._stats.accepted(name, budget)
        rl_headers = self._rate_headers(decision)
        self._sleep_latency()
        kind = self._faults.draw()
        if kind is not None:
            self._stats.fault(name, kind)
            if record is not None:
                record.outcome, record.fault = "fault", kind
                record.is_error = kind == "iserror"
            return self._fault(kind, decision, rl_headers,
                               lambda: self._serve(acct, method, route, raw, headers, rl_headers,
                                                   record))
        return self._serve(acct, method, route, raw, headers, rl_headers, record)

    def _authenticate(self, header: str) -> _Account | None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, sep, password = base64.b64decode(token.strip(), validate=True) \
                .decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        acct = self._by_username.get(user)
        if not sep or acct is None or password != acct.password:
            return None
        return acct

    @staticmethod
    def _rate_headers(decision: Decision) -> dict[str, str]:
        if decision.limit_3s is None:
            return {}
        return {"X-RateLimit-Limit-3second": str(decision.limit_3s),
                "X-RateLimit-Remaining-3second": str(decision.remaining_3s)}

    def _throttled(self, decision: Decision) -> Response:
        limit = decision.limit_3s if decision.limit_3s is not None else 9
        return Response(429, THROTTLED_BODY, headers={
            "X-RateLimit-Limit-3second": str(limit),
            "X-RateLimit-Remaining-3second": "0",
            "Retry-After": "1",
        })

    def _sleep_latency(self) -> None:
        if self.latency <= 0 and self.latency_jitter <= 0:
            return
        with self._lock:
            jitter = self._latency_rng.uniform(-self.latency_jitter, self.latency_jitter)
        delay = max(0.0, self.latency + jitter)
        if delay:
            self._stop.wait(delay)

    def _fault(self, kind: str, decision: Decision, rl_headers: dict[str, str],
               serve: Any) -> Response:
        if kind == "429":
            return self._throttled(decision)
        if kind in ("500", "502", "503", "504"):
            return Response(int(kind), html_error(kind), "text/html")
        if kind == "iserror":
            return Response(200, envelope([], ["Internal error. Please try again later."],
                                          error=True), headers=rl_headers)
        if kind == "timeout":
            if self._stop.wait(self.timeout_delay):
                return Response(0, None)
            return serve()
        real: Response = serve()  # "truncated": the real answer, cut in half
        body = real.body or b""
        return Response(real.status, body[: len(body) // 2], real.content_type, real.headers)

    def _serve(self, acct: _Account, method: str, route: str, raw: bytes, headers: Any,
               rl_headers: dict[str, str], record: WriteRequest | None = None) -> Response:
        if acct.ip_blocked:
            self._stats.blocked(acct.spec.name)
            if record is not None:
                record.outcome = "ip_blocked"
            return Response(200, envelope([], [IP_BLOCKED_MESSAGE], error=True),
                            headers=rl_headers)
        if record is not None:
            return self._serve_write(acct, method, route, raw, headers, rl_headers, record)
        handler = ROUTES.get(route)
        order_handler = ORDER_ROUTES.get(route) if handler is None else None
        if handler is None and order_handler is None:
            return Response(404, envelope([], [f"Invalid resource or action: {route}"],
                                          error=True), headers=rl_headers)
        if method != "POST":
            return Response(405, envelope([], [f"Method {method} not allowed: use POST"],
                                          error=True), headers={**rl_headers, "Allow": "POST"})
        try:
            body = parse_body(raw, headers.get("Content-Type", ""))
            if handler is not None:
                results = handler(body, acct.catalog, self._categories)
            elif order_handler is not None:
                results = order_handler(body, acct.orders)
        except ApiError as exc:
            return Response(200, envelope([], [str(exc)], error=True), headers=rl_headers)
        except Exception:  # a sandbox bug must still answer like a server, not hang
            log.exception("internal error serving %s", route)
            return Response(500, envelope([], ["Internal server error"], error=True))
        return Response(200, envelope(results), headers=rl_headers)

    def _serve_write(self, acct: _Account, method: str, route: str, raw: bytes, headers: Any,
                     rl_headers: dict[str, str], record: WriteRequest) -> Response:
        """``offer/save`` or ``offer_stock/{id}``: per-offer refusals, the others applied."""
        allowed = writes.method_for(route)
        if method != allowed:
            return Response(405, envelope([], [f"Method {method} not allowed: use {allowed}"],
                                          error=True), headers={**rl_headers, "Allow": allowed})
        try:
            entries = writes.offer_entries(route, parse_body(raw, headers.get("Content-Type", "")))
            writes.check_batch(entries)
        except ApiError as exc:
            record.is_error, record.messages = True, [str(exc)]
            return Response(200, envelope([], [str(exc)], error=True), headers=rl_headers)
        stock_only = writes.route_name(route) == writes.STOCK_ROUTE
        changes = [writes.parse_offer(entry, stock_only) for entry in entries]
        refusals = self._apply_writes(acct, changes)
        messages = [r for r in refusals if r is not None]
        record.is_error, record.messages = bool(messages), messages
        record.results = [{"id": c.id, "applied": r is None, "message": r}
                          for c, r in zip(changes, refusals, strict=True)]
        results = [{"id": c.id, "applied": r is None}
                   for c, r in zip(changes, refusals, strict=True)]
        return Response(200, envelope(results, messages, error=bool(messages)),
                        headers=rl_headers)
