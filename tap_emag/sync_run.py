"""A sync run: what one tap run did for one account.

One name for one concept: an `AccountSyncRun` is emitted as a record of the `sync_runs` stream,
lands in `emag_raw.sync_runs`, and is a row of the `emag_sync_log` mart.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from dataclasses import dataclass, field

if t.TYPE_CHECKING:
    from tap_emag.emag_api import RequestCounters

MAX_ERRORS = 20
# A sync run's mode: how its scan compared with the bookmark, and what that means (the
# `sync_runs` schema's description is built from this).
MODE_MEANINGS = {
    "full": "no bookmark (first run, --full-refresh, lost state), every product emitted",
    "incremental": "compared with the bookmark, changes emitted",
    "full_reemit": "compared with the bookmark, every product emitted",
    "quick": "no scan, only the products that orders touched re-read by id",
    "skipped": "nothing read, another run of the account was still going",
}
MODES = FULL, INCREMENTAL, FULL_REEMIT, QUICK, SKIPPED = tuple(MODE_MEANINGS)
# the modes of a scan: a run that reads the whole catalogue page by page
SCAN_MODES = (FULL, INCREMENTAL, FULL_REEMIT)
# A sync run's outcome; `skipped`: another run of the account was still going (run_lock.py).
STATUSES = COMPLETED, PARTIAL, FAILED, SKIPPED = ("completed", "partial", "failed", "skipped")


def utc_now() -> str:
    """ISO 8601 UTC timestamp with a zone, as Singer date-times should be."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


@dataclass
class AccountSyncRun:
    """Counts and outcome of one account's product scan in one run."""

    run_id: str
    account: str
    # the account's request budget for products, categories and VAT rates in this run (the
    # requests_per_second setting): the sync log's API floor divides the run's reads by it
    requests_per_second: float
    mode: str = FULL
    filtered: bool = False
    started_at: str = field(default_factory=utc_now)
    finished_at: str | None = None
    status: str = FAILED
    pages_fetched: int = 0
    products_total: int | None = None
    products_seen: int = 0
    emitted: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    suspected: int = 0
    failed_records: int = 0
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    error_messages: list[str] = field(default_factory=list)
    bookmark_origin_run_id: str | None = None
    orders_read: int = 0
    order_requests: int = 0
    products_touched: int | None = None
    products_deferred: int | None = None

    def add_error(self, message: str) -> None:
        """Keep the first errors verbatim, then only count how many more there were."""
        if len(self.error_messages) < MAX_ERRORS:
            self.error_messages.append(message)
        elif len(self.error_messages) == MAX_ERRORS:
            self.error_messages.append("(further errors not listed)")

    def copy_counters(self, counters: RequestCounters,
                      order_counters: RequestCounters | None = None) -> None:
        """Take the account's request counters (every stream of the account in this run).

        Requests, retries and 429s count both budgets; `order_requests` the order budget's.
        """
        orders = order_counters or type(counters)()
        self.requests = counters.requests + orders.requests
        self.retries = counters.retries + orders.retries
        self.throttled = counters.throttled + orders.throttled
        self.order_requests = orders.requests

    def skip(self, reason: str) -> None:
        """Close a run that read nothing, because another run of the account holds it."""
        self.mode = SKIPPED
        self.bookmark_origin_run_id = None
        self.add_error(reason)
        self.finish(SKIPPED)

    def finish(self, status: str) -> None:
        """Close the run with its outcome."""
        self.status = status
        self.finished_at = utc_now()

    def as_record(self, tap_version: str) -> dict[str, t.Any]:
        """The sync_runs record."""
        record = {name: getattr(self, name) for name in self.__dataclass_fields__}
        record["tap_version"] = tap_version
        if not self.has_baseline:  # new, changed and unchanged cannot be told apart
            record.update(created=None, updated=None, unchanged=None)
        return record

    @property
    def has_baseline(self) -> bool:
        """Whether created, updated and unchanged mean anything: a scan against a bookmark."""
        return self.mode in (INCREMENTAL, FULL_REEMIT)


class SyncRuns:
    """Each account's sync run in this invocation, opened by the first stream that reads it."""

    def __init__(self, run_id: str, *, quick: bool, requests_per_second: float) -> None:
        self.run_id = run_id
        self._requests_per_second = requests_per_second
        # a quick run is `quick` from the start: one that fails before reading a product must
        # not be logged (and counted in the scans' figures) as a failed full scan
        self._first_mode = QUICK if quick else FULL
        self._runs: dict[str, AccountSyncRun] = {}

    def of(self, account: str) -> AccountSyncRun:
        """The account's sync run (its row of the sync log), opened on first use."""
        if account not in self._runs:
            self._runs[account] = AccountSyncRun(
                run_id=self.run_id, account=account, mode=self._first_mode,
                requests_per_second=self._requests_per_second)
        return self._runs[account]

    def opened(self) -> list[str]:
        """Accounts whose sync run was opened in this run."""
        return list(self._runs)
