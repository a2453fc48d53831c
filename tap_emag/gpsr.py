"""GPSR details, kept apart from the product: rows of the `product_gpsr` stream.

eMAG sends a product's manufacturer and EU-representative contacts and its safety text only
when the product is read by id; pages carry completion flags. Were they part of the product
record, a read by id and a page read of an unchanged offer would be two versions of it, and
each page read would erase what the last read by id brought. So each detail a read carries
becomes a row of its own, keyed by account, product, field and the value's hash, with the time
it was read: a read that does not carry a detail writes nothing, and when loads land out of
order the newest `read_at` per product and field still says which value is current.

Quick runs bring them for every offer they re-read. Scans read pages, which carry at most the
safety text (where eMAG lets it leak), and send it with the products they emit: an hourly scan
does not re-send it for every unchanged offer, the daily full_reemit scan sends it for all. The
rows wait in a spooled file until the `product_gpsr` stream, read after the products, emits
them: a few MB in memory, the rest on disk, however large the catalogue.
"""

from __future__ import annotations

import json
import tempfile
import threading
import typing as t
from decimal import Decimal

from tap_emag.fingerprints import content_digest
from tap_emag.normalize import gpsr_details
from tap_emag.singer_output import dumps
from tap_emag.sync_run import utc_now

IN_MEMORY_BYTES = 4 * 1024 * 1024


def detail_rows(raw: dict[str, t.Any], *, account: str, product_id: int,
                run_id: str) -> list[dict[str, t.Any]]:
    """One `product_gpsr` row per GPSR detail the read carries (none for most page reads)."""
    details = gpsr_details(raw)
    if not details:
        return []
    read_at = utc_now()
    return [{
        "account": account, "id": product_id, "field": field,
        "value_hash": content_digest({"value": value}).hex(),
        # the text in its column, the contacts in theirs (a typed column each)
        "safety_information": value if field == "safety_information" else None,
        "contacts": None if field == "safety_information" else value,
        "read_at": read_at, "run_id": run_id,
    } for field, value in details.items()]


class GpsrRows:
    """The rows read in this run, per account, until the stream emits them (thread-safe)."""

    def __init__(self) -> None:
        self._files: dict[str, tempfile.SpooledTemporaryFile[bytes]] = {}
        self._lock = threading.Lock()

    def add(self, account: str, rows: t.Iterable[dict[str, t.Any]]) -> None:
        """Keep rows of one account."""
        lines = b"".join(dumps(row) + b"\n" for row in rows)
        if not lines:
            return
        with self._lock:
            spool = self._files.get(account)
            if spool is None:
                # closed in take(), after the stream emitted its rows
                spool = self._files[account] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
                    max_size=IN_MEMORY_BYTES, prefix="tap-emag-gpsr-")
            spool.write(lines)

    def take(self, account: str) -> t.Iterator[dict[str, t.Any]]:
        """The account's rows, once: the spool is closed (and its file removed) after."""
        with self._lock:
            spool = self._files.pop(account, None)
        if spool is None:
            return
        with spool:
            spool.seek(0)
            for line in spool:
                yield json.loads(line, parse_float=Decimal)  # prices stay exact
