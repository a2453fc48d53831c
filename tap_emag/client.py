"""The base stream of every eMAG stream: one partition per account, read through the run.

Streams get the tap's `TapRun` when they are built and reach accounts, clients and failures
through it only; the HTTP client itself is in `emag_api`.
"""

from __future__ import annotations

import typing as t

from singer_sdk import Stream
from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_emag.emag_api import EmagAccountClient, EmagApiError, as_rows
from tap_emag.pagination import ordered_pages

if t.TYPE_CHECKING:
    from singer_sdk import Tap

    from tap_emag.tap_run import TapRun

Context = t.Mapping[str, t.Any] | None
REFERENCE_PAGE_SIZE = 100


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
        return [{"account": account.name} for account in self.run.accounts]

    def client(self, context: Context) -> EmagAccountClient:
        """The HTTP client of the partition's account."""
        if not context:
            msg = f"stream {self.name} is read per account and needs an account context"
            raise ValueError(msg)
        return self.run.client(context["account"])

    def read_pages(
        self, context: t.Mapping[str, t.Any], resource: str, data: dict[str, t.Any] | None = None
    ) -> t.Iterator[list[dict[str, t.Any]]]:
        """Pages of a small paginated resource, one request at a time, in page order."""
        client = self.client(context)

        def fetch(page: int) -> list[dict[str, t.Any]]:
            return as_rows(client.call(resource, "read", {
                **(data or {}), "currentPage": page, "itemsPerPage": REFERENCE_PAGE_SIZE}))

        for _, rows in ordered_pages(fetch, page_size=REFERENCE_PAGE_SIZE, known_pages=None,
                                     max_in_flight=1):
            yield rows

    def log_failure(self, context: t.Mapping[str, t.Any], error: EmagApiError) -> None:
        """Record an account's failure: the run goes on with the other accounts."""
        self.run.record_failure(context["account"], self.name, error)
