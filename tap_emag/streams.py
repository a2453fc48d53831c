"""The streams: products (incremental by content fingerprints), categories, VAT rates, sync runs."""

from __future__ import annotations

import typing as t

from tap_emag import schemas
from tap_emag.client import Context, EmagStream
from tap_emag.emag_api import EmagApiError, as_rows
from tap_emag.interleave import Finished, interleave
from tap_emag.normalize import as_decimal, as_integer
from tap_emag.product_scan import ProductScan
from tap_emag.sync_run import FAILED


class ProductsStream(EmagStream):
    """Product offers (product_offer/read) of every account, emitting only what changed.

    eMAG has no "modified since" filter, so every run reads the whole catalogue and compares
    each product with the account's bookmark: new and changed products are emitted, unchanged
    ones are not, and products missing from a completed, unfiltered scan are emitted as deleted.
    All accounts are read at once, each in its own thread and rate budget; the stream's state
    holds one bookmark per account (`accounts.<name>`).
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
        """Records of every account as their scans produce them."""
        bookmarks = self.stream_state.setdefault("accounts", {})
        producers = {}
        for account in self.run.accounts:
            sync_run = self.run.start_sync(account.name)
            if self.run.is_down(account.name):
                sync_run.add_error("skipped: the account failed authentication earlier in this"
                                   " run")
                sync_run.finish(FAILED)
                continue
            scan = ProductScan(self.run.client(account.name), sync_run,
                               dict(bookmarks.get(account.name) or {}), self.run.settings,
                               self.logger)
            producers[account.name] = scan.execute
        for item in interleave(producers):
            if not isinstance(item, Finished):
                yield item
            elif item.error is None:
                bookmarks[item.name] = item.result  # written here, in the thread that emits
            elif isinstance(item.error, EmagApiError):
                self.log_failure({"account": item.name}, item.error)
            else:
                failed = self.run.sync_run(item.name)
                if failed is not None:
                    failed.finish(FAILED)
                raise item.error


class CategoriesStream(EmagStream):
    """eMAG categories (category/read) as each account sees them: small, full table."""

    name = "categories"
    primary_keys = ("account", "id")
    schema = schemas.CATEGORIES
    integers = ("id", "parent_id", "is_allowed", "is_ean_mandatory", "is_warranty_mandatory")

    def get_records(self, context: Context) -> t.Iterable[dict[str, t.Any]]:
        """Every category page of one account."""
        assert context is not None
        if self.run.is_down(context["account"]):
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
        if self.run.is_down(context["account"]):
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
        sync_run = self.run.sync_run(context["account"])
        if sync_run is not None:
            # Requests of every stream of the account in this run, not only the product scan.
            sync_run.copy_counters(self.client(context).counters)
            yield sync_run.as_record(self.run.tap_version)
