"""One account's quick sync: re-read by id the offers that orders touched, instead of scanning.

eMAG has no "modified since" for products, but orders have one, and orders are where stock
moves. A quick run reads the orders changed since its last run (the `orders` stream), then
re-reads each offer they name with `product_offer/read {"id": ...}`, one request of the
account's budget (`requests_per_second`) per offer, up to `quick_sync_max_products` per account;
the rest wait for the next scan.

Every offer read is emitted: a quick run keeps its own Meltano state, apart from the scans', so
it cannot know what the last scan saw, and a stock that went back to an earlier value is a
change all the same. An unchanged offer adds no version to the history (dbt compares content
hashes, which do not depend on the read: the GPSR details a read by id brings go to the
`product_gpsr` stream, `gpsr.py`). A quick run never emits deletions: an offer not found by id
is left to the scans, whose deletion rules need a whole catalogue.
"""

from __future__ import annotations

import logging
import typing as t
from concurrent.futures import ThreadPoolExecutor

from tap_emag.config import Settings
from tap_emag.emag_api import EmagAccountClient, EmagApiError, EmagAuthError, as_rows
from tap_emag.fingerprints import content_digest
from tap_emag.gpsr import GpsrRows, detail_rows
from tap_emag.normalize import InvalidProductError, as_integer, normalize_product
from tap_emag.sync_run import COMPLETED, FAILED, PARTIAL, QUICK, AccountSyncRun, utc_now

Emit = t.Callable[[dict[str, t.Any]], None]


class TouchedOffers:
    """The offers this run's orders moved stock of, per account: what a quick run re-reads."""

    def __init__(self) -> None:
        self._ids: dict[str, set[int]] = {}

    def add(self, account: str, product_ids: set[int]) -> None:
        """Offers an order of the account names."""
        self._ids.setdefault(account, set()).update(product_ids)

    def of(self, account: str) -> set[int]:
        """The account's touched offers so far."""
        return self._ids.get(account, set())


class QuickProductRead:
    """The quick sync of one account's touched offers in one run."""

    def __init__(self, client: EmagAccountClient, sync_run: AccountSyncRun,
                 touched: set[int], settings: Settings, logger: logging.Logger,
                 gpsr: GpsrRows) -> None:
        self.client = client
        self.gpsr = gpsr
        self.sync_run = sync_run
        self.settings = settings
        self.logger = logger
        self.account = client.account.name
        ordered = sorted(touched)
        self.product_ids = ordered[: settings.quick_sync_max_products]
        sync_run.mode = QUICK
        sync_run.products_touched = len(ordered)
        sync_run.products_deferred = len(ordered) - len(self.product_ids)
        self.observed_at = utc_now()

    def execute(self, emit: Emit) -> None:
        """Read each offer by id (paced as pages are) and emit it; raise on an auth failure."""
        run = self.sync_run
        try:
            if self.product_ids:
                workers = min(self.settings.max_in_flight, len(self.product_ids))
                with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="quick") as pool:
                    answers = pool.map(self._fetch, self.product_ids)
                    for product_id, answer in zip(self.product_ids, answers, strict=True):
                        record = self._record(product_id, answer)
                        if record is not None:
                            run.emitted += 1
                            emit(record)
        except EmagAuthError as exc:
            run.add_error(exc.detail)
            run.finish(FAILED)
            raise
        finally:
            run.copy_counters(self.client.counters)
        run.finish(PARTIAL if run.failed_records else COMPLETED)
        self.logger.info(
            "%s: quick sync %s: %d products touched by orders, %d read, %d emitted, %d left for"
            " the next scan, %d failed.", self.account, run.status, run.products_touched,
            run.products_seen, run.emitted, run.products_deferred, run.failed_records)

    def _fetch(self, product_id: int) -> list[dict[str, t.Any]] | EmagApiError:
        """The rows read by id, or the error (an auth failure ends the account's run)."""
        try:
            return as_rows(self.client.call("product_offer", "read", {"id": product_id}))
        except EmagAuthError:
            raise
        except EmagApiError as exc:
            return exc

    def _record(self, product_id: int,
                answer: list[dict[str, t.Any]] | EmagApiError) -> dict[str, t.Any] | None:
        run = self.sync_run
        if isinstance(answer, EmagApiError):
            run.failed_records += 1
            run.add_error(f"product {product_id}: {answer.detail}")
            return None
        raw = next((row for row in answer if as_integer(row.get("id")) == product_id), None)
        if raw is None:
            return None  # gone, or not this seller's: the scans settle deletions
        try:
            record = normalize_product(raw)
        except InvalidProductError as exc:
            run.failed_records += 1
            run.add_error(f"product {product_id}: record skipped: {exc}")
            return None
        run.products_seen += 1
        self.gpsr.add(self.account, detail_rows(
            raw, account=self.account, product_id=product_id, run_id=run.run_id))
        record.update(account=self.account, content_hash=content_digest(record).hex(),
                      version_observed_at=self.observed_at, run_id=run.run_id,
                      _sdc_deleted_at=None)
        return record
