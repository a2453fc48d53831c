"""One invocation of the tap: its settings, accounts, their clients, sync runs and failures.

The tap builds one `TapRun` and hands it to every stream, so data flows one way: tap -> run ->
streams -> product scan -> client. Streams share an account's client through it (and with it
the account's rate budget and request counters), and the `sync_runs` stream, read last, finds
every account's sync run here.
"""

from __future__ import annotations

import logging

from tap_emag.config import Account, Settings
from tap_emag.emag_api import EmagAccountClient, EmagApiError, EmagAuthError
from tap_emag.sync_run import AccountSyncRun


class TapRun:
    """What this run knows about its accounts; every method is per account."""

    def __init__(self, run_id: str, settings: Settings, logger: logging.Logger,
                 tap_version: str) -> None:
        self.run_id = run_id
        self.settings = settings
        self.tap_version = tap_version
        self._logger = logger
        self._clients: dict[str, EmagAccountClient] = {}
        self._sync_runs: dict[str, AccountSyncRun] = {}
        self._failures: dict[str, list[str]] = {}
        self._down: set[str] = set()

    @property
    def accounts(self) -> tuple[Account, ...]:
        """The accounts with credentials, in configured order."""
        return self.settings.accounts

    def client(self, account_name: str) -> EmagAccountClient:
        """The one client of an account, shared by all streams so they share its rate budget."""
        if account_name not in self._clients:
            account = next(a for a in self.accounts if a.name == account_name)
            settings = self.settings
            self._clients[account_name] = EmagAccountClient(
                account,
                requests_per_second=settings.requests_per_second,
                timeout=settings.request_timeout,
                max_retries=settings.max_retries,
                backoff_seconds=settings.retry_backoff_seconds,
                logger=self._logger,
                user_agent=f"tap-emag/{self.tap_version}",
            )
        return self._clients[account_name]

    def start_sync(self, account_name: str) -> AccountSyncRun:
        """Open the account's sync run (its row of the sync log) for this run."""
        sync_run = AccountSyncRun(run_id=self.run_id, account=account_name)
        self._sync_runs[account_name] = sync_run
        return sync_run

    def sync_run(self, account_name: str) -> AccountSyncRun | None:
        """The account's sync run, once its product scan started."""
        return self._sync_runs.get(account_name)

    def record_failure(self, account_name: str, stream_name: str, error: EmagApiError) -> None:
        """Remember a failed account; after an auth failure its other streams are skipped."""
        self._failures.setdefault(account_name, []).append(f"{stream_name}: {error.detail}")
        if isinstance(error, EmagAuthError):
            self._down.add(account_name)
        self._logger.error("Account %r failed in stream %s: %s", account_name, stream_name,
                           error.detail)

    def is_down(self, account_name: str) -> bool:
        """Whether the account already failed authentication in this run."""
        return account_name in self._down

    def failure_summary(self) -> str | None:
        """One line naming each failed account and what failed, or None when none did."""
        if not self._failures:
            return None
        lines = "; ".join(f"{name}: {' | '.join(errors)}"
                          for name, errors in sorted(self._failures.items()))
        return f"{len(self._failures)} account(s) failed: {lines}"
