"""The streams: products (incremental by content fingerprints), categories, VAT rates, sync runs."""

from __future__ import annotations

import typing as t

from tap_emag import schemas
from tap_emag.client import EmagApiError, EmagAuthError, EmagStream, as_rows
from tap_emag.fingerprints import Fingerprints, content_digest
from tap_emag.normalize import InvalidProductError, as_decimal, as_integer, normalize_product
from tap_emag.progress import ScanProgress
from tap_emag.run_log import AccountRun, utc_now
from tap_emag.scan import ordered_pages

if t.TYPE_CHECKING:
    from tap_emag.client import EmagAccountClient

Context = t.Mapping[str, t.Any] | None


class ProductsStream(EmagStream):
    """Product offers (product_offer/read) of every account, emitting only what changed.

    eMAG has no "modified since" filter, so every run reads the whole catalogue and compares
    each product with the account's bookmark: new and changed products are emitted, unchanged
    ones are not, and products missing from a completed, unfiltered scan are emitted as deleted.
    """

    name = "products"
    primary_keys = ("account", "id")
    replication_key = None
    schema = schemas.PRODUCTS
    state_partitioning_keys = ("account",)

    def get_records(self, context: Context) -> t.Iterable[dict[str, t.Any]]:
        """Scan one account's catalogue; on an API failure keep its bookmark and stop."""
        assert context is not None
        account = context["account"]
        client = self.client(context)
        state = self.get_context_state(context)
        run = self._tap.start_account_run(account)
        filters = dict(self.config.get("filters") or {})
        run.filtered = bool(filters)
        try:
            previous = Fingerprints.decode(state.get("fingerprints"))
        except ValueError as exc:
            self.logger.warning("%s: bookmark unreadable (%s); running a full sync.", account, exc)
            previous = Fingerprints()
        run.mode = "incremental" if state.get("fingerprints") else "full"
        if self._tap.account_is_down(account):
            run.add_error("skipped: the account failed authentication earlier in this run")
            run.finish("failed")
            return
        progress = ScanProgress(account, self.logger,
                                float(self.config.get("progress_interval_seconds", 5)))
        seen = Fingerprints()
        observed_at = utc_now()
        try:
            yield from self._scan(client, filters, run, progress, previous, seen, observed_at)
            kept = Fingerprints(previous) if run.filtered or run.failed_records else None
            if kept is None:
                yield from self._deletions(client, previous, seen, run)
                kept = Fingerprints()
            kept.update(seen)
        except EmagApiError as exc:
            self._fail(context, run, exc)
            self.logger.error("%s: scan failed after page %d: %s. Its bookmark is kept; no"
                              " deletions are emitted.", account, progress.pages, exc.detail)
            return
        finally:
            self.count_requests(client, run)
        state["fingerprints"] = kept.encode()
        state["products"] = len(kept)
        state["last_completed_scan_at"] = observed_at
        run.finish("partial" if run.failed_records or run.filtered else "completed")
        self.logger.info(
            "%s: %s sync %s in %.1fs: %d pages, %d products seen, %d created, %d updated,"
            " %d unchanged, %d deleted, %d failed, %d retries, %d throttled.",
            account, run.mode, run.status, progress.elapsed, run.pages_fetched, run.products_seen,
            run.created, run.updated, run.unchanged, run.deleted, run.failed_records,
            run.retries, run.throttled,
        )

    def _scan(
        self,
        client: EmagAccountClient,
        filters: dict[str, t.Any],
        run: AccountRun,
        progress: ScanProgress,
        previous: Fingerprints,
        seen: Fingerprints,
        observed_at: str,
    ) -> t.Iterator[dict[str, t.Any]]:
        page_size = int(self.config.get("items_per_page", 100))
        run.products_total = self._count(client, filters)
        if run.products_total is not None:
            progress.total_pages = -(-run.products_total // page_size)

        def fetch(page: int) -> list[dict[str, t.Any]]:
            data = {**filters, "currentPage": page, "itemsPerPage": page_size}
            return as_rows(client.call("product_offer", "read", data))

        pages = ordered_pages(fetch, page_size=page_size, known_pages=progress.total_pages,
                              max_in_flight=int(self.config.get("max_in_flight", 4)))
        for page, rows in pages:
            run.pages_fetched += 1
            for raw in rows:
                record = self._record(raw, page, run, previous, seen, observed_at)
                if record is not None:
                    yield record
            progress.page_done(page, len(rows))

    def _record(
        self,
        raw: t.Any,
        page: int,
        run: AccountRun,
        previous: Fingerprints,
        seen: Fingerprints,
        observed_at: str,
    ) -> dict[str, t.Any] | None:
        """The record to emit for one item, or None when it is unchanged, repeated or broken."""
        try:
            record = normalize_product(raw)
        except InvalidProductError as exc:
            run.failed_records += 1
            run.add_error(f"page {page}: record skipped: {exc}")
            return None
        product_id = record["id"]
        if product_id in seen:
            return None  # pages shifted while reading: the product was already read
        digest = content_digest(record)
        seen[product_id] = digest
        run.products_seen += 1
        before = previous.get(product_id)
        if before == digest:
            run.unchanged += 1
            return None
        if before is None:
            run.created += 1
        else:
            run.updated += 1
        record.update(account=run.account, content_hash=digest.hex(),
                      version_observed_at=observed_at, run_id=run.run_id, _sdc_deleted_at=None)
        return record

    def _count(self, client: EmagAccountClient, filters: dict[str, t.Any]) -> int | None:
        """Total products for progress and look-ahead; the scan does not depend on it."""
        try:
            results = client.call("product_offer", "count", dict(filters))
        except EmagAuthError:
            raise
        except EmagApiError as exc:
            self.logger.warning("%s: product_offer/count failed (%s); scanning without a total.",
                                client.account.name, exc.detail)
            return None
        total = results.get("noOfItems") if isinstance(results, dict) else None
        try:
            return int(total) if total is not None else None
        except (TypeError, ValueError):
            return None

    def _deletions(
        self,
        client: EmagAccountClient,
        previous: Fingerprints,
        seen: Fingerprints,
        run: AccountRun,
    ) -> t.Iterator[dict[str, t.Any]]:
        """Deletion records for products a completed scan no longer found.

        A product deleted while the scan pages through the catalogue shifts later products one
        place up, so one of them can be missed. Each missing product is therefore looked up by
        id (up to `deletion_check_limit`); one that still exists keeps its fingerprint.
        """
        missing = sorted(set(previous) - set(seen))
        check = len(missing) <= int(self.config.get("deletion_check_limit", 100))
        deleted_at = utc_now()
        for product_id in missing:
            if check and self._still_exists(client, product_id):
                seen[product_id] = previous[product_id]
                continue
            run.deleted += 1
            yield {"account": run.account, "id": product_id, "_sdc_deleted_at": deleted_at,
                   "version_observed_at": deleted_at, "run_id": run.run_id,
                   "content_hash": None}

    def _still_exists(self, client: EmagAccountClient, product_id: int) -> bool:
        try:
            rows = as_rows(client.call("product_offer", "read", {"id": product_id}))
        except EmagApiError as exc:
            if isinstance(exc, EmagAuthError):
                raise
            return True  # cannot confirm the deletion: keep the product
        return any(isinstance(row, dict) and row.get("id") == product_id for row in rows)

    def _fail(self, context: t.Mapping[str, t.Any], run: AccountRun, exc: EmagApiError) -> None:
        run.add_error(exc.detail)
        run.finish("failed")
        self.log_failure(context, exc)

    @staticmethod
    def count_requests(client: EmagAccountClient, run: AccountRun) -> None:
        """Copy the account's request counters into its run record."""
        counters = client.counters
        run.requests, run.retries, run.throttled = (
            counters.requests, counters.retries, counters.throttled)


class CategoriesStream(EmagStream):
    """eMAG categories (category/read) as each account sees them: small, full table."""

    name = "categories"
    primary_keys = ("account", "id")
    schema = schemas.CATEGORIES
    integers = ("id", "parent_id", "is_allowed", "is_ean_mandatory", "is_warranty_mandatory")

    def get_records(self, context: Context) -> t.Iterable[dict[str, t.Any]]:
        """Every category page of one account."""
        assert context is not None
        if self._tap.account_is_down(context["account"]):
            return
        try:
            for rows in self.read_pages(context, "category"):
                for row in rows:
                    record = self._record(context["account"], row)
                    if record["id"] is not None:
                        yield record
        except EmagApiError as exc:
            self.log_failure(context, exc)

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


class VatRatesStream(EmagStream):
    """VAT rates (vat/read), to turn prices without VAT into prices with VAT."""

    name = "vat_rates"
    primary_keys = ("account", "vat_id")
    schema = schemas.VAT_RATES
    known = ("vat_id", "id", "vat_rate", "is_default")

    def get_records(self, context: Context) -> t.Iterable[dict[str, t.Any]]:
        """The VAT rates of one account's platform."""
        assert context is not None
        if self._tap.account_is_down(context["account"]):
            return
        try:
            rows = as_rows(self.client(context).call("vat", "read", {}))
        except EmagApiError as exc:
            self.log_failure(context, exc)
            return
        for row in rows:
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
        run = self._tap.account_runs.get(context["account"])
        if run is not None:
            # Requests of every stream of the account in this run, not only the product scan.
            ProductsStream.count_requests(self.client(context), run)
            yield run.as_record(self._tap.plugin_version)
