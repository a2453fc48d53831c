"""The base stream of every eMAG stream: one partition per account, read through the run.

Streams get the tap's `TapRun` when they are built and reach accounts, clients and failures
through it only. The SDK template's `client.py` holds a REST base stream; eMAG's API does not
fit `RESTStream` (docs/ARCHITECTURE.md), so the HTTP client is in `emag_api` and this module
holds only the base stream.
"""

from __future__ import annotations

import typing as t

from singer_sdk import Stream
from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_emag.emag_api import EmagAccountClient, EmagApiError

if t.TYPE_CHECKING:
    from singer_sdk import Tap

    from tap_emag.tap_run import TapRun

Context = t.Mapping[str, t.Any] | None


class EmagStream(Stream):
    """A stream with one partition per configured account, read through that account's client."""

    # Records leave `normalize` (and each stream's record builder) already typed to the
    # schema, so the SDK's per-record conformance walk would change nothing.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: Tap, run: TapRun) -> None:
        super().__init__(tap)
        self.run = run

    @property
    def partitions(self) -> list[dict[str, t.Any]] | None:
        """One partition per account: bookmarks and failures stay per account."""
        return [{"account": account.name} for account in self.run.settings.accounts]

    def client(self, context: Context) -> EmagAccountClient:
        """The HTTP client of the partition's account."""
        if not context:
            msg = f"stream {self.name} is read per account and needs an account context"
            raise ValueError(msg)
        return self.run.clients.client(context["account"])

    def log_failure(self, context: t.Mapping[str, t.Any], error: EmagApiError) -> None:
        """Record an account's failure: the run goes on with the other accounts."""
        self.run.failures.record(context["account"], self.name, error)
