"""Categories and VAT rates of one account: read alongside its product scan, and only when due.

They change rarely (eMAG's category tree is large: many pages), so reading them on every
hourly run after the scan cost more than the scan's own tail. Here they are read in the
account's own budget at background priority (they take only the turns pages leave free) and
only when the last read is older than `reference_max_age_hours`, or when the scan meets a
category or VAT id the last read did not have. What was read, and when, is kept in the
products stream's state (`reference.<account>`). A run that scans no products (the products
stream not selected) reads them whole when the categories or VAT stream first asks.
"""

from __future__ import annotations

import datetime as dt
import threading
import typing as t
from dataclasses import dataclass, field

from tap_emag.bookmark import decode_ids, encode_ids
from tap_emag.emag_api import EmagAccountClient, EmagApiError, EmagAuthError, as_rows
from tap_emag.normalize import as_integer
from tap_emag.pagination import ordered_pages

if t.TYPE_CHECKING:
    from tap_emag.config import Settings
    from tap_emag.emag_api import AccountClients
    from tap_emag.interleave import Emit, Producer

CATEGORY_PAGE_SIZE = 100
CATEGORY_PAGES_IN_FLIGHT = 4  # background turns: in the tail of a scan, latency is the limit


@dataclass
class ReferenceBookmark:
    """When categories and VAT rates were last read, and the ids they had."""

    read_at: dt.datetime | None = None
    category_ids: set[int] = field(default_factory=set)
    vat_ids: set[int] = field(default_factory=set)

    @classmethod
    def decode(cls, state: t.Mapping[str, t.Any] | None) -> ReferenceBookmark:
        """Read the state's entry; anything unreadable counts as never read."""
        if not state:
            return cls()
        try:
            read_at = dt.datetime.fromisoformat(state["read_at"])
            return cls(read_at, decode_ids(state.get("category_ids")),
                       decode_ids(state.get("vat_ids")))
        except (KeyError, TypeError, ValueError):
            return cls()

    def encode(self) -> dict[str, t.Any]:
        """The state's entry (ids packed: a large tree stays a few KB)."""
        return {"read_at": self.read_at.isoformat() if self.read_at else None,
                "category_ids": encode_ids(self.category_ids),
                "vat_ids": encode_ids(self.vat_ids)}


class ReferenceRead:
    """One account's reference data in one run: decides, reads in the background, keeps rows.

    `execute` runs in its own thread next to the scan (`alongside`); the scan calls `saw` for
    every product and `scan_done` at its end. Rows are kept for the categories and VAT streams,
    which ask `ReferenceData` for them.
    """

    def __init__(self, client: EmagAccountClient, state: t.Mapping[str, t.Any] | None,
                 max_age_hours: float, now: dt.datetime | None = None) -> None:
        self.client = client
        self.previous = ReferenceBookmark.decode(state)
        self.now = now or dt.datetime.now(dt.timezone.utc)
        self.due = (self.previous.read_at is None
                    or self.now - self.previous.read_at >= dt.timedelta(hours=max_age_hours))
        self.categories: list[dict[str, t.Any]] | None = None
        self.vat_rates: list[dict[str, t.Any]] | None = None
        self.error: EmagApiError | None = None
        self.reason = "older than the max age" if self.previous.read_at else "never read"
        self._unknown_categories = threading.Event()
        self._unknown_vat = threading.Event()
        self._scan_done = threading.Event()

    def saw(self, record: t.Mapping[str, t.Any]) -> None:
        """A product of the scan: an id the last read did not have calls for a new read."""
        if self.due:
            return
        category_id = record.get("category_id")
        if category_id is not None and category_id not in self.previous.category_ids:
            self._unknown_categories.set()
        vat_id = record.get("vat_id")
        if vat_id is not None and vat_id not in self.previous.vat_ids:
            self._unknown_vat.set()

    def scan_done(self) -> None:
        """The scan ended (or failed): nothing more can call for a read."""
        self._scan_done.set()

    def alongside(self, scan: Producer) -> Producer:
        """The account's producer: its scan, with this read in a thread of its own beside it."""

        def produce(emit: Emit) -> t.Any:
            thread = threading.Thread(target=self.execute, daemon=True,
                                      name=f"reference-{self.client.account.name}")
            thread.start()
            try:
                return scan(emit)
            finally:
                self.scan_done()
                thread.join()

        return produce

    def execute(self) -> None:
        """Read what is due, at background priority; an API error is kept for the streams."""
        with self.client.limiter.background():
            if not self.due:
                self._wait_for_unknown_ids()
            if self.due or self._unknown_categories.is_set():
                self.categories = self._read(self._read_categories)
            if (self.due or self._unknown_vat.is_set()) and not isinstance(
                    self.error, EmagAuthError):
                self.vat_rates = self._read(
                    lambda: as_rows(self.client.call("vat", "read", {})))

    def _read(self, read: t.Callable[[], list[dict[str, t.Any]]]) -> list[dict[str, t.Any]] | None:
        try:
            return read()
        except EmagApiError as exc:
            self.error = self.error or exc
            return None

    def _wait_for_unknown_ids(self) -> None:
        while not self._scan_done.wait(0.2):
            if self._unknown_categories.is_set() or self._unknown_vat.is_set():
                return

    def _read_categories(self) -> list[dict[str, t.Any]]:
        def fetch(page: int) -> list[dict[str, t.Any]]:
            return as_rows(self.client.call("category", "read", {
                "currentPage": page, "itemsPerPage": CATEGORY_PAGE_SIZE}))

        rows: list[dict[str, t.Any]] = []
        for _, page_rows in ordered_pages(fetch, page_size=CATEGORY_PAGE_SIZE,
                                          known_pages=None,
                                          max_in_flight=CATEGORY_PAGES_IN_FLIGHT):
            rows.extend(page_rows)
        return rows

    @property
    def read_any(self) -> bool:
        """Whether this run read categories or VAT rates."""
        return self.categories is not None or self.vat_rates is not None

    def bookmark(self) -> dict[str, t.Any]:
        """The state entry after this run: moved on only by reads that all succeeded."""
        if self.error is not None or not self.read_any:
            return self.previous.encode()
        categories = (self.previous.category_ids if self.categories is None
                      else _ids(self.categories, "id"))
        vat_ids = self.previous.vat_ids if self.vat_rates is None else _ids(
            self.vat_rates, "vat_id", "id")
        # a read prompted by one unknown id refreshes that set only, not the age of both
        read_at = self.now if self.due else self.previous.read_at
        return ReferenceBookmark(read_at, categories, vat_ids).encode()


class ReferenceData:
    """Each account's reference read in this run: what the categories and VAT streams emit.

    In a scan run with the products stream, the read runs beside the account's scan
    (`beside_scan`), due by its age or by ids the scan meets. Without it, the first of the two
    streams to ask reads it whole, and the other emits the same read: either stream works
    selected alone. A quick run reads none. A failed read is reported once, by the first
    stream that asks.
    """

    def __init__(self, clients: AccountClients, settings: Settings) -> None:
        self._clients = clients
        self._settings = settings
        self._reads: dict[str, ReferenceRead] = {}
        self._reported: set[str] = set()

    def beside_scan(self, account_name: str,
                    state: t.Mapping[str, t.Any] | None) -> ReferenceRead:
        """The account's read for this run, to run alongside its scan."""
        read = ReferenceRead(self._clients.client(account_name), state,
                             self._settings.reference_max_age_hours)
        self._reads[account_name] = read
        return read

    def of(self, account_name: str) -> ReferenceRead | None:
        """The account's read in this run (read now when no scan read it); None in a quick run."""
        if self._settings.quick_sync:
            return None
        if account_name not in self._reads:
            read = ReferenceRead(self._clients.client(account_name), None,
                                 self._settings.reference_max_age_hours)
            read.scan_done()  # no scan: nothing to wait for
            read.execute()
            self._reads[account_name] = read
        return self._reads[account_name]

    def unreported_error(self, account_name: str) -> EmagApiError | None:
        """The read's error, the first time it is asked for (one report per failed read)."""
        read = self._reads.get(account_name)
        if read is None or read.error is None or account_name in self._reported:
            return None
        self._reported.add(account_name)
        return read.error


def _ids(rows: list[dict[str, t.Any]], *keys: str) -> set[int]:
    ids = set()
    for row in rows:
        value = next((row[key] for key in keys if row.get(key) is not None), None)
        if (number := as_integer(value)) is not None and number >= 0:
            ids.add(number)
    return ids
