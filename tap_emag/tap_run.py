"""One invocation of the tap: what its streams share, each part holding one thing.

The tap builds one `TapRun` and hands it to every stream, so data flows one way: tap -> run ->
streams -> product scan -> client. Streams share an account's clients through it (and with
them the account's rate budgets and request counters), and the `sync_runs` stream, read last,
finds every account's sync run here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tap_emag.config import Settings
from tap_emag.emag_api import AccountClients, EmagApiError, EmagAuthError
from tap_emag.gpsr import GpsrRows
from tap_emag.quick_sync import TouchedOffers
from tap_emag.reference_data import ReferenceData
from tap_emag.run_lock import AccountLocks
from tap_emag.sync_run import SyncRuns


class AccountFailures:
    """The accounts that failed in this run and what failed; after an auth failure, it is down."""

    def __init__(self, sync_runs: SyncRuns, logger: logging.Logger) -> None:
        self._sync_runs = sync_runs
        self._logger = logger
        self._errors: dict[str, list[str]] = {}
        self._down: set[str] = set()

    def record(self, account_name: str, stream_name: str, error: EmagApiError) -> None:
        """Remember a failed account (in its sync run too); the run goes on with the others."""
        self._errors.setdefault(account_name, []).append(f"{stream_name}: {error.detail}")
        self._sync_runs.of(account_name).add_error(f"{stream_name}: {error.detail}")
        if isinstance(error, EmagAuthError):
            self._down.add(account_name)
        self._logger.error("Account %r failed in stream %s: %s", account_name, stream_name,
                           error.detail)

    def is_down(self, account_name: str) -> bool:
        """Whether the account already failed authentication: its other streams are skipped."""
        return account_name in self._down

    def summary(self) -> str | None:
        """One line naming each failed account and what failed, or None when none did."""
        if not self._errors:
            return None
        lines = "; ".join(f"{name}: {' | '.join(errors)}"
                          for name, errors in sorted(self._errors.items()))
        return f"{len(self._errors)} account(s) failed: {lines}"


@dataclass(frozen=True)
class TapRun:
    """What the streams of one invocation share."""

    run_id: str
    settings: Settings
    tap_version: str
    clients: AccountClients
    sync_runs: SyncRuns
    failures: AccountFailures
    locks: AccountLocks
    touched: TouchedOffers
    references: ReferenceData
    # GPSR details the product reads brought, until the product_gpsr stream emits them
    gpsr: GpsrRows

    @classmethod
    def start(cls, run_id: str, settings: Settings, logger: logging.Logger,
              tap_version: str) -> TapRun:
        """The parts of a new run, nothing read or locked yet."""
        clients = AccountClients(settings, logger, user_agent=f"tap-emag/{tap_version}")
        sync_runs = SyncRuns(run_id, quick=settings.quick_sync,
                             requests_per_second=settings.requests_per_second)
        kind = "quick" if settings.quick_sync else "scan"
        return cls(
            run_id=run_id, settings=settings, tap_version=tap_version, clients=clients,
            sync_runs=sync_runs, failures=AccountFailures(sync_runs, logger),
            locks=AccountLocks(run_id, kind, sync_runs, logger), touched=TouchedOffers(),
            references=ReferenceData(clients, settings), gpsr=GpsrRows(),
        )

    def is_active(self, account_name: str) -> bool:
        """Whether this run still reads the account: not held by another run, not down."""
        return not self.locks.is_skipped(account_name) and not self.failures.is_down(
            account_name)
