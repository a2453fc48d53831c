"""The streams: orders, products (by content fingerprints, or quick), categories, VAT, sync runs."""

from __future__ import annotations

import datetime as dt
import typing as t
from concurrent.futures import ThreadPoolExecutor

from tap_emag import schemas
from tap_emag.base_stream import Context, EmagStream
from tap_emag.emag_api import EmagApiError, as_rows
from tap_emag.emag_time import to_emag
from tap_emag.interleave import Finished, Producer, interleave, read_ahead
from tap_emag.normalize import as_decimal, as_integer
from tap_emag.orders import InvalidOrderError, normalize_order, touched_products
from tap_emag.pagination import ordered_pages
from tap_emag.product_scan import ProductScan
from tap_emag.quick_sync import QuickProductRead
from tap_emag.reference_data import ReferenceRead
from tap_emag.sync_run import FAILED, AccountSyncRun

if t.TYPE_CHECKING:
    from singer_sdk import Tap

    from tap_emag.tap_run import TapRun

ORDER_TYPES = (2, 3)  # fulfilled by eMAG (FBE), by the seller; eMAG answers 3 unless asked
ORDER_PAGE_SIZE = 100


class ProductsStream(EmagStream):
    """Product offers (product_offer/read) of every account, emitting only what changed.

    eMAG has no "modified since" filter, so every run reads the whole catalogue and compares
    each product with the account's bookmark: new and changed products are emitted, unchanged
    ones are not, and products missing from a completed, unfiltered scan are emitted as deleted.
    All accounts are read at once, each in its own thread and rate budget; the stream's state
    holds one bookmark per account (`accounts.<name>`). A quick run re-reads by id only the
    offers its orders touched, and leaves the state as it is.
    """

    name = "products"
    primary_keys = ("account", "id")
    replication_key = None
    schema = schemas.PRODUCTS

    @property
    def partitions(self) -> list[dict[str, t.Any]] | None:
        """None: one sync reads every account (in parallel); bookmarks are per account."""
        return None

    def get_records(self, context: Context) -> t.Iterable[dict[str, t.Any]]:
        """Records of every account as their scans (or quick reads) produce them."""
        if self.run.settings.quick_sync:
            # The scan bookmarks (`accounts`) are left as they are, so a quick run never
            # changes what the next scan compares with, even if both share one Meltano state.
            yield from self._each_account(self._quick_read)
            return
        bookmarks = self.stream_state.setdefault("accounts", {})
        references = self.stream_state.setdefault("reference", {})
        reads: dict[str, ReferenceRead] = {}

        def scan(account: str, sync_run: AccountSyncRun) -> Producer:
            reference = reads[account] = self.run.references.beside_scan(
                account, references.get(account))
            product_scan = ProductScan(
                self.run.clients.client(account), sync_run, dict(bookmarks.get(account) or {}),
                self.run.settings, self.logger, self.run.gpsr, observer=reference.saw)
            return reference.alongside(product_scan.execute)

        def finished(item: Finished) -> None:
            """Store what a scan leaves; written here, in the thread that emits."""
            references[item.name] = reads[item.name].bookmark()
            if item.error is None:
                bookmarks[item.name] = item.result

        yield from self._each_account(scan, finished)

    def _quick_read(self, account: str, sync_run: AccountSyncRun) -> Producer:
        """The offers this run's orders touched, re-read by id: no scan, no state."""
        return QuickProductRead(self.run.clients.client(account), sync_run,
                                self.run.touched.of(account), self.run.settings, self.logger,
                                self.run.gpsr).execute

    def _each_account(self, producer: t.Callable[[str, AccountSyncRun], Producer],
                      finished: t.Callable[[Finished], None] | None = None,
                      ) -> t.Iterator[dict[str, t.Any]]:
        """Every active account's producer at once, in a thread each; their records as they come.

        An account another run holds is left alone (its sync run says by whom); one that
        failed authentication earlier in this run is skipped and its sync run failed. An API
        error ends that account's read only; any other error ends the run.
        """
        producers = {}
        for account in self.run.settings.accounts:
            if self.run.locks.is_skipped(account.name):
                continue
            sync_run = self.run.sync_runs.of(account.name)
            if self.run.failures.is_down(account.name):
                sync_run.add_error("skipped: the account failed authentication earlier in this"
                                   " run")
                sync_run.finish(FAILED)
                continue
            producers[account.name] = producer(account.name, sync_run)
        for item in interleave(producers):
            if not isinstance(item, Finished):
                yield item
                continue
            if finished is not None:
                finished(item)
            if isinstance(item.error, EmagApiError):
                self.log_failure({"account": item.name}, item.error)
            elif item.error is not None:
                self.run.sync_runs.of(item.name).finish(FAILED)
                raise item.error


class ProductGpsrStream(EmagStream):
    """GPSR details (safety text, manufacturer and EU-representative contacts) the reads brought.

    Only reads by id carry them (quick runs; pages carry flags), so they are kept apart from
    the product, whose content must not depend on the read (`gpsr.py`): one row per product,
    field and value, with the time a read last brought it. A read that does not carry a detail
    emits nothing for it, so no page read ever erases what a read by id brought.
    """

    name = "product_gpsr"
    primary_keys = ("account", "id", "field", "value_hash")
    schema = schemas.PRODUCT_GPSR

    def get_records(self, context: Context) -> t.Iterable[dict[str, t.Any]]:
        """The details this run's product reads of one account brought."""
        assert context is not None
        yield from self.run.gpsr.take(context["account"])


class OrdersStream(EmagStream):
    """Orders (order/read) of each account, incremental on their `modified` time.

    eMAG filters orders by `modifiedAfter`/`modifiedBefore` (at most a month apart), so each
    account reads week-long windows from its bookmark to now. A window is read whole, then
    emitted in `modified` order, so the bookmark only ever passes orders that were all read:
    a failure part-way leaves it at the last complete window. A window holding more than
    `window_orders` orders is read again as two halves, to bound memory. MAIN reads the orders it
    fulfils (type 3, eMAG's default), FBE the ones eMAG fulfils (type 2): every account reads
    both types. The offers the orders name are what a quick run re-reads.
    """

    name = "orders"
    primary_keys = ("account", "id")
    replication_key = "modified"
    is_sorted = True
    schema = schemas.ORDERS
    window = dt.timedelta(days=7)
    window_orders = 20_000
    overlap = dt.timedelta(seconds=1)  # eMAG's times have whole seconds: re-read the last one

    def __init__(self, tap: Tap, run: TapRun) -> None:
        super().__init__(tap, run)
        # orders being read in the background while the products are scanned (scan runs)
        self._read_ahead: dict[str, t.Iterator[dict[str, t.Any]]] = {}

    def get_records(self, context: Context) -> t.Iterable[dict[str, t.Any]]:
        """Every order of one account modified since its bookmark."""
        assert context is not None
        account = context["account"]
        if not self.run.is_active(account):
            return
        ahead = self._read_ahead.pop(account, None)
        try:
            yield from ahead if ahead is not None else self.read_orders(
                context, self.bookmark(context))
        except EmagApiError as exc:
            self.log_failure(context, exc)

    def start_reading_ahead(self) -> None:
        """Read every active account's orders from now on, in the background (scan runs).

        Orders have their own budget, so they are read while the products are scanned and
        emitted after them, instead of making the first page wait for them.
        """
        for account in self.run.settings.accounts:
            if self.run.is_active(account.name):
                context = {"account": account.name}
                # the bookmark and the sync run are opened here, in the SDK's thread
                start = self.bookmark(context)
                self.run.sync_runs.of(account.name)
                self._read_ahead[account.name] = read_ahead(
                    self.read_orders(context, start), buffer=self.window_orders,
                    name=f"orders-{account.name}")

    def bookmark(self, context: t.Mapping[str, t.Any]) -> dt.datetime | None:
        """The account's orders bookmark: the newest `modified` emitted so far (None: none).

        Read from the context's state rather than `get_starting_timestamp`: the SDK sets the
        value that returns only once it opens the stream for this context, and a scan reads
        the orders ahead, before that (it would read 30 days back, then emit orders older than
        the bookmark, which the SDK refuses as unsorted).
        """
        value = self.get_context_state(dict(context)).get("replication_key_value")
        return None if value is None else dt.datetime.fromisoformat(str(value))

    def read_orders(self, context: t.Mapping[str, t.Any],
                    start: dt.datetime | None) -> t.Iterator[dict[str, t.Any]]:
        """The account's orders modified since `start` (its bookmark), window by window."""
        account = context["account"]
        sync_run = self.run.sync_runs.of(account)
        # eMAG's times have whole seconds and `modifiedBefore` excludes its own: read through
        # the current second
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=1)
        start = (now - dt.timedelta(days=self.run.settings.orders_lookback_days)
                 if start is None else start - self.overlap)
        while start < now:
            end = min(start + self.window, now)
            for orders in self._windows(context, start, end):
                orders.sort(key=lambda order: (order["modified"], order["id"]))
                for order in orders:
                    sync_run.orders_read += 1
                    self.run.touched.add(account, touched_products(order))
                    yield order
            start = end

    def _windows(self, context: t.Mapping[str, t.Any], start: dt.datetime,
                 end: dt.datetime) -> t.Iterator[list[dict[str, t.Any]]]:
        """The orders of [start, end), window by window, halving a window that is too full."""
        orders = self._window(context, start, end)
        if len(orders) <= self.window_orders or end - start <= dt.timedelta(minutes=1):
            yield orders
            return
        middle = start + (end - start) / 2
        yield from self._windows(context, start, middle)
        yield from self._windows(context, middle, end)

    def _window(self, context: t.Mapping[str, t.Any], start: dt.datetime,
                end: dt.datetime) -> list[dict[str, t.Any]]:
        """The orders of both types modified in [start, end), read whole."""
        account = context["account"]
        client = self.run.clients.order_client(account)
        include = self.run.settings.include_customer_data
        def pages_of(order_type: int) -> list[list[dict[str, t.Any]]]:
            data = {"modifiedAfter": to_emag(start), "modifiedBefore": to_emag(end),
                    "type": order_type}

            def fetch(page: int) -> list[dict[str, t.Any]]:
                return as_rows(client.call("order", "read", {
                    **data, "currentPage": page, "itemsPerPage": ORDER_PAGE_SIZE}))

            return [rows for _, rows in ordered_pages(fetch, page_size=ORDER_PAGE_SIZE,
                                                      known_pages=None, max_in_flight=1)]

        # both types at once: the order budget has room, and latency is the limit
        with ThreadPoolExecutor(max_workers=len(ORDER_TYPES),
                                thread_name_prefix=f"orders-{account}") as pool:
            by_type = list(pool.map(pages_of, ORDER_TYPES))
        orders: dict[int, dict[str, t.Any]] = {}
        for rows in (rows for pages in by_type for rows in pages):
            for raw in rows:
                try:
                    order = normalize_order(raw, include_customer_data=include)
                except InvalidOrderError as exc:
                    self.run.sync_runs.of(account).add_error(f"order skipped: {exc}")
                    continue
                order["account"] = account
                orders[order["id"]] = order
        return list(orders.values())


class _ReferenceStream(EmagStream):
    """A stream of the account's reference data (`ReferenceData`): no request of its own."""

    def reference(self, context: t.Mapping[str, t.Any]) -> ReferenceRead | None:
        """The account's reference read in this run; a failed one is reported once."""
        account = context["account"]
        if not self.run.is_active(account):
            return None
        reference = self.run.references.of(account)
        if (error := self.run.references.unreported_error(account)) is not None:
            self.log_failure(context, error)
        return reference


class CategoriesStream(_ReferenceStream):
    """eMAG categories (category/read) as each account sees them: small, full table."""

    name = "categories"
    primary_keys = ("account", "id")
    schema = schemas.CATEGORIES
    integers = ("id", "parent_id", "is_allowed", "is_ean_mandatory", "is_warranty_mandatory")

    def get_records(self, context: Context) -> t.Iterable[dict[str, t.Any]]:
        """The categories read in this run (none when the scan found them still fresh)."""
        assert context is not None
        reference = self.reference(context)
        if reference is None or reference.error is not None:
            return
        for row in reference.categories or ():
            record = self._record(context["account"], row)
            if record["id"] is not None:
                yield record

    def _record(self, account: str, row: dict[str, t.Any]) -> dict[str, t.Any]:
        record: dict[str, t.Any] = {key: as_integer(row.get(key)) for key in self.integers}
        family_types = row.get("family_types")
        known = {*self.integers, "name", "family_types"}
        record.update(
            account=account,
            name=None if row.get("name") is None else str(row["name"]),
            family_types=[f for f in family_types if isinstance(f, dict)]
            if isinstance(family_types, list) else [],
            extra={k: v for k, v in row.items() if k not in known},
        )
        return record


class VatRatesStream(_ReferenceStream):
    """VAT rates (vat/read), to turn prices without VAT into prices with VAT."""

    name = "vat_rates"
    primary_keys = ("account", "vat_id")
    schema = schemas.VAT_RATES
    known = ("vat_id", "id", "vat_rate", "is_default")

    def get_records(self, context: Context) -> t.Iterable[dict[str, t.Any]]:
        """The VAT rates read in this run (none when the scan found them still fresh)."""
        assert context is not None
        reference = self.reference(context)
        for row in (reference.vat_rates if reference else None) or ():
            vat_id = as_integer(row.get("vat_id", row.get("id")))
            if vat_id is None:
                continue
            default = as_integer(row.get("is_default"))
            yield {
                "account": context["account"],
                "vat_id": vat_id,
                "vat_rate": as_decimal(row.get("vat_rate")),
                "is_default": None if default is None else default == 1,
                "extra": {k: v for k, v in row.items() if k not in self.known},
            }


class SyncRunsStream(EmagStream):
    """One record per account per run: the raw input of the sync log. Emitted last."""

    name = "sync_runs"
    primary_keys = ("run_id", "account")
    schema = schemas.SYNC_RUNS

    def get_records(self, context: Context) -> t.Iterable[dict[str, t.Any]]:
        """The run record of one account, if its products were synced in this run."""
        assert context is not None
        account = context["account"]
        if account in self.run.sync_runs.opened():
            sync_run = self.run.sync_runs.of(account)
            # Requests of every stream of the account in this run, not only the product scan.
            sync_run.copy_counters(*self.run.clients.counters(account))
            yield sync_run.as_record(self.run.tap_version)
