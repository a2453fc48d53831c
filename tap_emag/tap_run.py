"""One invocation of the tap: its settings, accounts, their clients, sync runs and failures.

The tap builds one `TapRun` and hands it to every stream, so data flows one way: tap -> run ->
streams -> product scan -> client. Streams share an account's client through it (and with it
the account's rate budget and request counters), and the `sync_runs` stream, read last, finds
every account's sync run here.
"""

from __future__ import annotations

import logging
import typing as t

from tap_emag.config import Account, Settings
from tap_emag.emag_api import EmagAccountClient, EmagApiError, EmagAuthError
from tap_emag.gpsr import GpsrRows
from tap_emag.reference_data import ReferenceRead
from tap_emag.run_lock import AccountLock, describe_holder
from tap_emag.sync_run import FULL, QUICK, AccountSyncRun


class TapRun:
    """What this run knows about its accounts; every method is per account."""

    def __init__(self, run_id: str, settings: Settings, logger: logging.Logger,
                 tap_version: str) -> None:
        self.run_id = run_id
        self.settings = settings
        self.tap_version = tap_version
        self._logger = logger
        self._clients: dict[str, EmagAccountClient] = {}
        self._order_clients: dict[str, EmagAccountClient] = {}
        self._touched: dict[str, set[int]] = {}
        self._sync_runs: dict[str, AccountSyncRun] = {}
        self._failures: dict[str, list[str]] = {}
        self._down: set[str] = set()
        self._skipped: set[str] = set()
        self._locks: list[AccountLock] = []
        self._references: dict[str, ReferenceRead] = {}
        # GPSR details the product reads brought, until the product_gpsr stream emits them
        self.gpsr = GpsrRows()
        # orders being read in the background while the products are scanned (scan runs)
        self.orders_read_ahead: dict[str, t.Iterator[dict[str, t.Any]]] = {}

    @property
    def accounts(self) -> tuple[Account, ...]:
        """The accounts with credentials, in configured order."""
        return self.settings.accounts

    def client(self, account_name: str) -> EmagAccountClient:
        """The one client of an account, shared by all streams so they share its rate budget."""
        if account_name not in self._clients:
            self._clients[account_name] = self._new_client(
                account_name, self.settings.requests_per_second)
        return self._clients[account_name]

    def order_client(self, account_name: str) -> EmagAccountClient:
        """The account's client for order routes: eMAG gives them a budget of their own."""
        if account_name not in self._order_clients:
            self._order_clients[account_name] = self._new_client(
                account_name, self.settings.order_requests_per_second)
        return self._order_clients[account_name]

    def _new_client(self, account_name: str, requests_per_second: float) -> EmagAccountClient:
        account = next(a for a in self.accounts if a.name == account_name)
        settings = self.settings
        return EmagAccountClient(
            account,
            requests_per_second=requests_per_second,
            timeout=settings.request_timeout,
            max_retries=settings.max_retries,
            backoff_seconds=settings.retry_backoff_seconds,
            logger=self._logger,
            user_agent=f"tap-emag/{self.tap_version}",
        )

    def sync_run(self, account_name: str) -> AccountSyncRun:
        """The account's sync run (its row of the sync log), opened by its first stream."""
        if account_name not in self._sync_runs:
            # a quick run is `quick` from the start: one that fails before reading a product
            # must not be logged (and counted in the scans' figures) as a failed full scan
            self._sync_runs[account_name] = AccountSyncRun(
                run_id=self.run_id, account=account_name,
                mode=QUICK if self.settings.quick_sync else FULL,
                requests_per_second=self.settings.requests_per_second)
        return self._sync_runs[account_name]

    def synced_accounts(self) -> list[str]:
        """Accounts whose sync run was opened in this run."""
        return list(self._sync_runs)

    def counters_into(self, account_name: str) -> None:
        """Copy the requests of every stream of the account (both budgets) into its run."""
        orders = self._order_clients.get(account_name)
        self.sync_run(account_name).copy_counters(
            self.client(account_name).counters, orders.counters if orders else None)

    def start_reference(self, account_name: str, state: dict[str, object] | None) -> ReferenceRead:
        """The account's reference data for this run (read beside its scan, when due)."""
        reference = ReferenceRead(self.client(account_name), state,
                                  self.settings.reference_max_age_hours)
        self._references[account_name] = reference
        return reference

    def reference(self, account_name: str) -> ReferenceRead | None:
        """What the scan's reference read got; None when the account was not scanned."""
        return self._references.get(account_name)

    def touch(self, account_name: str, product_ids: set[int]) -> None:
        """Remember offers whose stock orders moved (the products a quick run re-reads)."""
        self._touched.setdefault(account_name, set()).update(product_ids)

    def touched(self, account_name: str) -> set[int]:
        """The offers the orders read in this run named, for one account."""
        return self._touched.get(account_name, set())

    def record_failure(self, account_name: str, stream_name: str, error: EmagApiError) -> None:
        """Remember a failed account; after an auth failure its other streams are skipped."""
        self._failures.setdefault(account_name, []).append(f"{stream_name}: {error.detail}")
        self.sync_run(account_name).add_error(f"{stream_name}: {error.detail}")
        if isinstance(error, EmagAuthError):
            self._down.add(account_name)
        self._logger.error("Account %r failed in stream %s: %s", account_name, stream_name,
                           error.detail)

    def is_down(self, account_name: str) -> bool:
        """Whether the account already failed authentication in this run."""
        return account_name in self._down

    def claim_accounts(self) -> None:
        """Lock each account for this run; one that another run still holds is skipped.

        A skipped account reads nothing (no orders, no scan, no reference data), keeps its
        bookmarks as they were, and its sync-log row says which run holds it.
        """
        kind = "quick" if self.settings.quick_sync else "scan"
        for account in self.accounts:
            lock = AccountLock(account.base_url, account.username, kind)
            holder = lock.acquire(self.run_id)
            if holder is None:
                self._locks.append(lock)
                continue
            self._skipped.add(account.name)
            reason = (f"skipped: {describe_holder(holder)} is still running a {kind} of this"
                      f" account; this run read nothing and left its bookmarks to that one")
            self.sync_run(account.name).skip(reason)
            self._logger.warning("Account %r %s.", account.name, reason)

    def release_accounts(self) -> None:
        """Let the next run in (the kernel does it anyway when the process ends)."""
        for lock in self._locks:
            lock.release()
        self._locks.clear()

    def is_skipped(self, account_name: str) -> bool:
        """Whether another run holds the account, so this run leaves it alone."""
        return account_name in self._skipped

    def is_active(self, account_name: str) -> bool:
        """Whether this run still reads the account: neither down nor skipped."""
        return account_name not in self._down and account_name not in self._skipped

    def failure_summary(self) -> str | None:
        """One line naming each failed account and what failed, or None when none did."""
        if not self._failures:
            return None
        lines = "; ".join(f"{name}: {' | '.join(errors)}"
                          for name, errors in sorted(self._failures.items()))
        return f"{len(self._failures)} account(s) failed: {lines}"
