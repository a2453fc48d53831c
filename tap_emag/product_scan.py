"""One account's product scan: read every page, diff against the bookmark, emit what changed.

Runs in its own thread (accounts are read in parallel, each within its own rate budget) and
hands records to `emit`; it never touches the tap's state, it returns the new bookmark, so a
failed scan can leave the previous bookmark untouched.
"""

from __future__ import annotations

import logging
import threading
import typing as t
from concurrent.futures import ThreadPoolExecutor

from tap_emag.bookmark import Bookmark
from tap_emag.config import Settings
from tap_emag.emag_api import EmagAccountClient, EmagApiError, EmagAuthError, as_rows
from tap_emag.fingerprints import FingerprintLog, Fingerprints, content_digest
from tap_emag.gpsr import GpsrRows, detail_rows
from tap_emag.normalize import InvalidProductError, as_integer, normalize_product
from tap_emag.pagination import ordered_pages
from tap_emag.progress import ScanProgress
from tap_emag.rate_limit import SlotAbandoned
from tap_emag.sync_run import (
    COMPLETED,
    FAILED,
    FULL,
    FULL_REEMIT,
    INCREMENTAL,
    PARTIAL,
    AccountSyncRun,
    utc_now,
)

Emit = t.Callable[[dict[str, t.Any]], None]
# Scans of large accounts end together; their bookmarks are encoded one at a time, so the
# full-size copies an encoding makes (about 36 MB per million products) never add up.
_ENCODING = threading.Lock()
Observer = t.Callable[[dict[str, t.Any]], None]


class ProductScan:
    """The product scan of one account in one run."""

    def __init__(self, client: EmagAccountClient, sync_run: AccountSyncRun,
                 bookmark: dict[str, t.Any], settings: Settings, logger: logging.Logger,
                 gpsr: GpsrRows, observer: Observer | None = None) -> None:
        self.client = client
        self.gpsr = gpsr
        self.observer = observer
        self.sync_run = sync_run
        self.settings = settings
        self.logger = logger
        self.account = client.account.name
        sync_run.filtered = bool(settings.filters)
        try:
            self.previous = Bookmark.decode(bookmark)
        except ValueError as exc:
            logger.warning("%s: bookmark unreadable (%s); running a full sync.", self.account, exc)
            self.previous = Bookmark()
        if self.previous.has_baseline:
            sync_run.mode = FULL_REEMIT if settings.full_reemit else INCREMENTAL
            sync_run.bookmark_origin_run_id = self.previous.origin_run_id
        else:
            # Nothing to compare with: every product is emitted, and whether it is new,
            # changed or unchanged is unknown here (the sync log reads it from the history).
            sync_run.mode = FULL
            sync_run.bookmark_origin_run_id = sync_run.run_id
        self.emit_all = settings.full_reemit or not self.previous.has_baseline
        self.suspected: set[int] = set()
        self.seen = FingerprintLog()
        self.observed_at = utc_now()
        self.progress = ScanProgress(self.account, logger, settings.progress_interval)

    def execute(self, emit: Emit) -> dict[str, t.Any] | None:
        """Scan, emitting records; the new bookmark, or None when the scan failed.

        On failure the run is marked failed, nothing is deleted, and the caller keeps the
        previous bookmark: products emitted before the failure are emitted again next time.
        """
        try:
            self._scan(emit)
            seen = self.seen.finish()
            if self.sync_run.filtered:
                # a partial view: nothing can be deleted, nothing stops being suspected
                kept = self.previous.fingerprints.updated_with(seen)
                self.suspected = {product_id for product_id in self.previous.suspected
                                  if product_id not in seen}
            else:
                kept = self._settle_missing(seen, emit)
        except EmagApiError as exc:
            self.sync_run.add_error(exc.detail)
            self.sync_run.finish(FAILED)
            self.logger.error("%s: scan failed after page %d: %s. Its bookmark is kept; no"
                              " deletions are emitted.", self.account, self.progress.pages,
                              exc.detail)
            raise
        finally:
            self.sync_run.copy_counters(self.client.counters)
        self.sync_run.suspected = len(self.suspected)
        self.sync_run.finish(PARTIAL if self.sync_run.failed_records or self.sync_run.filtered
                             else COMPLETED)
        self._log_summary()
        bookmark = Bookmark(kept, self.suspected, self.sync_run.bookmark_origin_run_id)
        # what is no longer needed goes before the encoding's copies come (12 bytes a product)
        self.previous.fingerprints, self.seen = Fingerprints(), FingerprintLog()
        with _ENCODING:
            return bookmark.encode(completed_at=self.observed_at)

    # -- reading -------------------------------------------------------------------------------

    def _scan(self, emit: Emit) -> None:
        settings = self.settings
        sync_run = self.sync_run

        def fetch(page: int) -> list[dict[str, t.Any]]:
            data = {**settings.filters, "currentPage": page, "itemsPerPage": settings.page_size}
            return as_rows(self.client.call("product_offer", "read", data))

        # Against a bookmark, its size bounds the look-ahead and the count only fills the
        # sync log: it is sent in a turn no page wants, and dropped if none came before the
        # last page. Without one, the count bounds the look-ahead and travels with page 1.
        hint = len(self.previous.fingerprints) if self.previous.has_baseline else None
        first_page, pages_done = threading.Event(), threading.Event()

        def count() -> int | None:
            if hint is None:
                return self._count()
            first_page.wait()  # by then every page request the look-ahead allows is queued
            with self.client.limiter.background(until=pages_done):
                return self._count()

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="count") as counter:
            counted = counter.submit(count)

            def total_pages() -> int | None:
                """Pages to request: through the first short one (count or bookmark)."""
                if sync_run.products_total is None and counted.done():
                    sync_run.products_total = counted.result()
                known = sync_run.products_total if sync_run.products_total is not None else hint
                if known is None:
                    return None
                self.progress.total_pages = max(-(-known // settings.page_size), 1)
                # The scan ends on a short page: after a full last page that is one page more,
                # requested with the others instead of after the last answer came back.
                return known // settings.page_size + 1

            pages = ordered_pages(fetch, page_size=settings.page_size, known_pages=total_pages,
                                  max_in_flight=settings.max_in_flight)
            try:
                for page, rows in pages:
                    first_page.set()
                    sync_run.pages_fetched += 1
                    for raw in rows:
                        record = self._record(raw, page)
                        if record is not None:
                            emit(record)
                    self.progress.page_done(page, len(rows))
            finally:
                first_page.set()
                pages_done.set()
        total_pages()  # a count that failed with an auth error fails the scan here too

    def _count(self) -> int | None:
        """Total products for progress and look-ahead; the scan does not depend on it."""
        try:
            results = self.client.call("product_offer", "count", dict(self.settings.filters))
        except EmagAuthError:
            raise
        except SlotAbandoned:
            return None  # the pages were all read before a turn came free
        except EmagApiError as exc:
            self.logger.warning("%s: product_offer/count failed (%s); scanning without a total.",
                                self.account, exc.detail)
            return None
        total = results.get("noOfItems") if isinstance(results, dict) else None
        try:
            return int(total) if total is not None else None
        except (TypeError, ValueError):
            return None

    def _record(self, raw: t.Any, page: int) -> dict[str, t.Any] | None:
        """The record to emit for one item, or None when it is unchanged, repeated or broken."""
        sync_run = self.sync_run
        try:
            record = normalize_product(raw)
        except InvalidProductError as exc:
            sync_run.failed_records += 1
            sync_run.add_error(f"page {page}: record skipped: {exc}")
            return None
        product_id = record["id"]
        if self.seen.seen_recently(product_id):
            return None  # pages shifted while reading: the product was already read
        if self.observer is not None:
            self.observer(record)
        digest = content_digest(record)
        self.seen.add(product_id, digest)
        sync_run.products_seen += 1
        before = self.previous.fingerprints.get(product_id)
        if before is None:
            sync_run.created += 1
        elif before == digest:
            sync_run.unchanged += 1
            if not self.emit_all:
                return None
        else:
            sync_run.updated += 1
        sync_run.emitted += 1
        # The details a page carries (the safety text, where eMAG lets it leak) go with the
        # products the scan emits: an hourly scan does not re-send them for every unchanged
        # offer, and the daily full_reemit scan refreshes them all.
        self.gpsr.add(self.account, detail_rows(
            raw, account=self.account, product_id=product_id, run_id=sync_run.run_id))
        record.update(account=self.account, content_hash=digest.hex(),
                      version_observed_at=self.observed_at, run_id=sync_run.run_id,
                      _sdc_deleted_at=None)
        return record

    # -- deletions -----------------------------------------------------------------------------

    def _settle_missing(self, seen: Fingerprints, emit: Emit) -> Fingerprints:
        """Deletion records for products that completed scans no longer find; the bookmark.

        A product deleted while the scan pages through the catalogue shifts later products one
        place up, so a live product can be missed. A missing product is therefore deleted
        only when a lookup by id (up to `deletion_check_limit` per scan) finds it gone, or
        when the previous scan missed it too. The rest are held in the bookmark as suspected:
        however many products vanish during a scan, no live one is reported deleted.
        """
        previous = self.previous
        missing = previous.fingerprints.missing_from(seen)
        unreadable = self.sync_run.failed_records > 0
        gone: list[int] = []
        to_check: list[int] = []
        for product_id in missing:
            if product_id in previous.suspected and not unreadable:
                gone.append(product_id)  # missed by two completed scans in a row
            else:
                # a first miss; or a second one in a scan with unreadable records, any of
                # which may be this product: only a lookup can tell
                to_check.append(product_id)
        checked, unchecked = (to_check[: self.settings.deletion_check_limit],
                              to_check[self.settings.deletion_check_limit :])
        still_there: list[int] = []
        for product_id, exists in zip(checked, self._lookups(checked), strict=True):
            if exists is False:
                gone.append(product_id)
            elif exists is None:
                unchecked.append(product_id)  # the lookup failed: nothing confirmed
            else:
                still_there.append(product_id)
        # products still listed, or not confirmed gone, stay in the bookmark as they were
        restored = ((product_id, previous.fingerprints.get(product_id))
                    for product_id in (*still_there, *unchecked))
        kept = seen.updated_with(Fingerprints(
            (product_id, digest) for product_id, digest in restored if digest is not None))
        self.suspected = set(unchecked)
        if unchecked:
            self.logger.warning(
                "%s: %d missing products could not be confirmed gone (deletion_check_limit"
                " %d); they stay until the next completed scan misses them again.",
                self.account, len(unchecked), self.settings.deletion_check_limit)
        deleted_at = utc_now()
        for product_id in sorted(gone):
            self.sync_run.deleted += 1
            emit({"account": self.account, "id": product_id, "_sdc_deleted_at": deleted_at,
                  "version_observed_at": deleted_at, "run_id": self.sync_run.run_id,
                  "content_hash": None})
        return kept

    def _lookups(self, product_ids: list[int]) -> list[bool | None]:
        """Whether each product exists, read by id (None: the lookup failed), paced as pages."""
        if not product_ids:
            return []
        workers = min(self.settings.max_in_flight, len(product_ids))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lookup") as pool:
            return list(pool.map(self._exists, product_ids))

    def _exists(self, product_id: int) -> bool | None:
        try:
            rows = as_rows(self.client.call("product_offer", "read", {"id": product_id}))
        except EmagAuthError:
            raise
        except EmagApiError:
            return None
        return any(as_integer(row.get("id")) == product_id for row in rows)

    def _log_summary(self) -> None:
        done = self.sync_run
        # against the bookmark, not eMAG's changes: an offer a quick run already loaded is
        # "changed" here (the sync log counts real changes from the history)
        counts = (f"{done.created} new to the bookmark, {done.updated} differing from it,"
                  f" {done.unchanged} as in it, " if done.has_baseline else "")
        self.logger.info(
            "%s: %s sync %s in %.1fs: %d pages, %d products seen, %d emitted, %s%d deleted,"
            " %d suspected, %d failed, %d retries, %d throttled.",
            self.account, done.mode, done.status, self.progress.elapsed, done.pages_fetched,
            done.products_seen, done.emitted, counts, done.deleted, done.suspected,
            done.failed_records, done.retries, done.throttled,
        )
