"""The planned changes, pushed account by account at the end of their batch.

Records of any stream with the plan's columns: tap-postgres reading the mart
emag_offer_updates, or a seller's own ERP table.
"""

from __future__ import annotations

import typing as t
from collections import defaultdict

from singer_sdk.sinks import BatchSink

from tap_emag.emag_api import EmagApiError, EmagAuthError
from target_emag.plan import PlannedChange
from target_emag.push import AccountPush

if t.TYPE_CHECKING:
    from target_emag.target import TargetEmag


class PlannedChangesSink(BatchSink):
    """Holds a stream's planned changes; `process_batch` pushes them and logs every outcome."""

    MAX_SIZE_DEFAULT = 1_000_000  # a run's whole plan in one batch: the per-run limits hold

    def __init__(self, target: TargetEmag, stream_name: str, schema: dict[str, t.Any],
                 key_properties: t.Sequence[str] | None) -> None:
        super().__init__(target, stream_name, schema, key_properties)
        self.target = target

    def process_record(self, record: dict[str, t.Any], context: dict[str, t.Any]) -> None:
        """Keep the change (a record that is not one stops the run, naming what is wrong)."""
        context.setdefault("records", []).append(PlannedChange.from_record(record))

    def process_batch(self, context: dict[str, t.Any]) -> None:
        """Push each account's changes, then log every outcome; fail if an account failed."""
        target = self.target
        changes: list[PlannedChange] = context.get("records", [])
        by_account: dict[str, list[PlannedChange]] = defaultdict(list)
        for change in changes:
            by_account[change.account].append(change)
        failed: list[str] = []
        for name, account_changes in sorted(by_account.items()):
            account = target.settings.accounts.get(name)
            try:
                if account is None:
                    for change in account_changes:
                        change.settle("guarded", f"account {name!r} is not configured in"
                                      " target-emag")
                    continue
                push = AccountPush(account, target.client(name), target.settings, self.logger)
                push.run(account_changes)
            except EmagApiError as error:
                kind = "refused access" if isinstance(error, EmagAuthError) else "failed"
                self.logger.error("Account %r %s: %s; nothing more is sent to it this run.",
                                  name, kind, error.detail)
                failed.append(name)
                for change in account_changes:
                    if change.outcome is None:
                        change.settle("failed", f"account {kind}: {error.detail}")
            finally:
                self._summarise(name, account_changes)
        target.write_log.record(target.run_id, changes, dry_run=target.settings.dry_run)
        if failed:
            raise SystemExit(f"target-emag: account(s) {', '.join(failed)} failed; the others"
                             " were written and every outcome is in the write log")

    def _summarise(self, account: str, changes: list[PlannedChange]) -> None:
        counts: dict[str, int] = defaultdict(int)
        for change in changes:
            counts[change.outcome or "unsettled"] += 1
        self.logger.info("%s: %s", account, ", ".join(
            f"{outcome} {count}" for outcome, count in sorted(counts.items())))
