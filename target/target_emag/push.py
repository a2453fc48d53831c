"""One account's planned changes, guarded, checked against eMAG, written and confirmed.

In order, each step settling some changes for good (their `outcome`):
1. guards (`plan.guard`), then the per-run limit of offers: `guarded`;
2. a dry run, or an account whose writes are off: `dry_run`, nothing sent;
3. each offer read again: eMAG already shows the planned value, `confirmed` (nothing to
   send); eMAG's value is no longer the one the plan started from (an order took stock since
   the scan), `stale`: not overwritten, the next plan starts from the new value;
4. the rest in `offer/save` batches of at most 50 offers, only the fields that change. A batch
   that fails in transit may or may not have landed: its offers are read back first, and only
   those that do not show the change are sent again, so no write is sent twice. An offer
   eMAG refuses is `refused` with eMAG's message; the others in its batch go on;
5. every written offer read back: `confirmed` when it shows the value, else `mismatched`.
Reads (steps 3 and 5, and the read-back of a failed batch) go by id, one request per offer,
or, when that costs more, as one pass over the catalogue's pages (100 offers a request): 10,000
changes in a catalogue of 10,000 cost 100 requests a pass instead of 10,000. Every request goes
through the account's client: its pacing, and the budget it shares with the tap's reads of the
same account on this machine.
"""

from __future__ import annotations

import functools
import logging
import re
import time
import typing as t
from collections import defaultdict

from tap_emag.emag_api import (
    EmagAccountClient,
    EmagAuthError,
    FatalEmagError,
    RetriableEmagError,
    as_rows,
)
from tap_emag.normalize import InvalidProductError, product_id
from target_emag.plan import PlannedChange, comparable, guard
from target_emag.settings import WriteAccount, WriteSettings

# the field of product_offer/read that holds each writable field's value
READ_FIELD = {"sale_price": "sale_price", "stock": "general_stock", "status": "status"}
OFFER_MESSAGE = re.compile(r"^offer (\d+): (.*)$")
PAGE_SIZE = 100  # eMAG's largest page of product_offer/read
# below this many offers, reading them by id costs less than asking the catalogue's size
COUNT_WORTH_ASKING = 3


class AccountPush:
    """The run's changes of one account."""

    def __init__(self, account: WriteAccount, client: EmagAccountClient,
                 settings: WriteSettings, logger: logging.Logger) -> None:
        self.account = account
        self.client = client
        self.settings = settings
        self.logger = logger
        self.batches = 0

    def run(self, changes: list[PlannedChange]) -> None:
        """Settle every change; raises EmagAuthError (the account fails, nothing more sent)."""
        for change in changes:
            reason = guard(change, self.account, self.settings)
            if reason:
                change.settle("guarded", reason)
        pending = self._within_offer_limit([c for c in changes if c.outcome is None])
        if self.settings.dry_run or not self.account.writes_enabled:
            why = ("dry run: nothing sent (dry_run is on)" if self.settings.dry_run
                   else f"dry run: writes are off for account {self.account.account.name!r}")
            for change in pending:
                change.settle("dry_run", why)
            return
        by_offer = self._still_planned(pending)
        offers = sorted(by_offer)
        size = self.settings.batch_size
        written: dict[int, list[PlannedChange]] = {}
        for start in range(0, len(offers), size):
            written.update(self._write({offer: by_offer[offer]
                                        for offer in offers[start:start + size]}))
        self._confirm(written)

    def _within_offer_limit(self, changes: list[PlannedChange]) -> list[PlannedChange]:
        limit = self.settings.max_offers_per_run
        kept: list[PlannedChange] = []
        offers: set[int] = set()
        for change in sorted(changes, key=lambda c: (c.product_id, c.field)):
            if change.product_id not in offers and len(offers) >= limit:
                change.settle("guarded", f"max_offers_per_run: more than {limit} offers this run")
                continue
            offers.add(change.product_id)
            kept.append(change)
        return kept

    def _still_planned(self, changes: list[PlannedChange]) -> dict[int, list[PlannedChange]]:
        """The changes still to send once eMAG's current values are read again."""
        grouped: dict[int, list[PlannedChange]] = defaultdict(list)
        for change in changes:
            grouped[change.product_id].append(change)
        to_send: dict[int, list[PlannedChange]] = {}
        shown = self._read_offers(set(grouped))
        for offer, offer_changes in grouped.items():
            current = shown.get(offer)
            for change in offer_changes:
                if current is None:
                    change.settle("stale", "the offer is no longer on eMAG")
                    continue
                now = _shown_value(change, current)
                if now == change.planned_value:
                    change.read_back_value = now
                    change.settle("confirmed", "eMAG already had this value: nothing sent")
                elif now != change.emag_value:
                    change.read_back_value = now
                    change.settle("stale", f"eMAG's value changed since the plan ("
                                  f"{change.emag_value} -> {now}): not overwritten")
                else:
                    to_send.setdefault(offer, []).append(change)
        return to_send

    def _write(self, batch: dict[int, list[PlannedChange]]) -> dict[int, list[PlannedChange]]:
        """Send one batch; the changes eMAG accepted, to be confirmed by a read."""
        self.batches += 1
        for changes in batch.values():
            for change in changes:
                change.batch_number = self.batches
                change.sent_value = change.planned_value
        unsent = dict(batch)
        for attempt in range(self.settings.max_retries + 1):
            payload = [{"id": offer, **{c.field: c.api_value() for c in changes}}
                       for offer, changes in unsent.items()]
            try:
                _, messages, _ = self.client.send_once("offer", "save", payload)
            except EmagAuthError:
                raise
            except FatalEmagError as error:
                self._settle_all(unsent, "refused", error.detail)
                return {}
            except RetriableEmagError as error:
                self.logger.warning("%s: offer/save batch %d attempt %d failed: %s; reading "
                                    "back before sending again", self.account.account.name,
                                    self.batches, attempt + 1, error.detail)
                unsent = self._not_landed(unsent)
                if not unsent:
                    return {}
                time.sleep(_backoff(self.settings.retry_backoff_seconds, attempt))
                continue
            self._refusals(unsent, messages)
            return {offer: kept for offer, changes in unsent.items()
                    if (kept := [c for c in changes if c.outcome is None])}
        self._settle_all(unsent, "failed", f"offer/save failed {self.settings.max_retries + 1}"
                         " times in transit")
        return {}

    def _refusals(self, batch: dict[int, list[PlannedChange]], messages: list[str]) -> None:
        """Per-offer refusals in eMAG's messages; a message naming no offer refuses the batch."""
        for message in messages:
            matched = OFFER_MESSAGE.match(message)
            if matched is None:
                self._settle_all(batch, "refused", message)
                return
            for change in batch.get(int(matched.group(1)), []):
                change.settle("refused", message)

    def _not_landed(self, batch: dict[int, list[PlannedChange]]) -> dict[int, list[PlannedChange]]:
        """Read back a batch that failed in transit; keep the offers that still lack the change."""
        left: dict[int, list[PlannedChange]] = {}
        shown = self._read_offers(set(batch))
        for offer, changes in batch.items():
            current = shown.get(offer)
            for change in changes:
                now = _shown_value(change, current)
                if now == change.planned_value:
                    change.read_back_value = now
                    change.settle("confirmed", "landed although its request failed in transit")
                else:
                    left.setdefault(offer, []).append(change)
        return left

    def _confirm(self, written: dict[int, list[PlannedChange]]) -> None:
        shown = self._read_offers(set(written))
        for offer, changes in written.items():
            current = shown.get(offer)
            for change in changes:
                now = _shown_value(change, current)
                change.read_back_value = now
                if now == change.planned_value:
                    change.settle("confirmed")
                else:
                    change.settle("mismatched", f"accepted, but eMAG shows {now} after the write")

    def _read_offers(self, offers: set[int]) -> dict[int, dict[str, t.Any]]:
        """The offers as eMAG shows them now (an offer eMAG no longer has is left out)."""
        if not offers:
            return {}
        pages = self._page_count if len(offers) >= COUNT_WORTH_ASKING else None
        if pages is not None and pages < len(offers):
            shown: dict[int, dict[str, t.Any]] = {}
            for page in range(1, pages + 1):
                rows = as_rows(self.client.call("product_offer", "read", {
                    "currentPage": page, "itemsPerPage": PAGE_SIZE}))
                shown.update({offer: row for row in rows if (offer := _id(row)) in offers})
            return shown
        return {offer: row for offer in sorted(offers) if (row := self._read(offer)) is not None}

    @functools.cached_property
    def _page_count(self) -> int | None:
        """Pages of the whole catalogue, or None when eMAG does not say (then: by id).

        Asked once a run, not before each pass: the push adds and removes no offers.
        """
        try:
            results = self.client.call("product_offer", "count", {"itemsPerPage": PAGE_SIZE})
        except (EmagAuthError, RetriableEmagError):
            raise
        except FatalEmagError:
            return None
        if not isinstance(results, dict):
            return None
        try:
            items = int(results["noOfItems"])
        except (KeyError, TypeError, ValueError):
            return None
        return -(-items // PAGE_SIZE)

    def _read(self, offer: int) -> dict[str, t.Any] | None:
        """The offer as eMAG shows it now; None when eMAG has no such offer.

        A read still failing after the client's retries fails the account's run (raised): no
        write goes out on a value that could not be checked.
        """
        try:
            rows = as_rows(self.client.call("product_offer", "read", {"id": offer}))
        except (EmagAuthError, RetriableEmagError):
            raise
        except FatalEmagError as error:
            self.logger.warning("%s: offer %d cannot be read: %s", self.account.account.name,
                                offer, error.detail)
            return None
        return next((row for row in rows if _id(row) == offer), None)

    @staticmethod
    def _settle_all(batch: dict[int, list[PlannedChange]], outcome: str, message: str) -> None:
        for changes in batch.values():
            for change in changes:
                if change.outcome is None:
                    change.settle(outcome, message)


def _shown_value(change: PlannedChange, offer: t.Mapping[str, t.Any] | None) -> str | None:
    """What eMAG shows for the change's field, in the plan's comparable text; None: no offer."""
    if offer is None:
        return None
    return comparable(change.field, offer.get(READ_FIELD[change.field]))


def _id(row: t.Mapping[str, t.Any]) -> int | None:
    """The offer id of a row eMAG sent, parsed as the tap parses it; None when it has none."""
    try:
        return product_id(row)
    except InvalidProductError:
        return None


def _backoff(first: float, attempt: int) -> float:
    return float(first * 2.0 ** attempt)
