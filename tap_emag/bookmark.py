"""One account's products bookmark: what the last scan saw, what it suspects, where it began.

- `fingerprints`: every product the account is believed to have, with its content digest;
- `suspected`: products a scan missed without a lookup confirming they are gone. A page shift
  (products deleted while the scan pages through the catalogue) hides live products too, so a
  single miss is not a deletion; a second completed scan that misses them again is;
- `origin_run_id`: the run that scanned without a bookmark and started this chain of
  bookmarks. Every later scan emits any product its bookmark does not hold, so a product no
  run has emitted since that origin scan was missed by it and by every later scan: the sync
  log carries this id, and dbt deletes such products (they predate the origin scan, so the
  tap itself cannot name them).
"""

from __future__ import annotations

import struct
import typing as t
from dataclasses import dataclass, field

from tap_emag.fingerprints import Fingerprints, pack, unpack

_ID = struct.Struct("<I")


def encode_ids(ids: t.Iterable[int]) -> str:
    """Sorted product ids as 4 bytes each, base64: about 5.3 bytes of state per id."""
    return pack(b"".join(_ID.pack(product_id) for product_id in sorted(ids)))


def decode_ids(text: str | None) -> set[int]:
    """Read ids written by `encode_ids`."""
    if not text:
        return set()
    return {product_id for (product_id,) in unpack(text, _ID, "suspected id list")}


@dataclass
class Bookmark:
    """The decoded bookmark; `has_baseline` is False for a first run or a lost state."""

    fingerprints: Fingerprints = field(default_factory=Fingerprints)
    suspected: set[int] = field(default_factory=set)
    origin_run_id: str | None = None
    has_baseline: bool = False

    @classmethod
    def decode(cls, state: t.Mapping[str, t.Any] | None) -> Bookmark:
        """The bookmark in an account's state entry; ValueError when it cannot be read."""
        state = state or {}
        text = state.get("fingerprints")
        if not text:
            return cls()
        fingerprints = Fingerprints.decode(text)
        suspected = decode_ids(state.get("suspected"))
        if not all(product_id in fingerprints for product_id in suspected):
            msg = "suspected products missing from the fingerprints in state"
            raise ValueError(msg)
        origin = state.get("origin_run_id")
        if not isinstance(origin, str) or not origin:
            msg = "no origin_run_id beside the fingerprints in state"
            raise ValueError(msg)
        return cls(fingerprints, suspected, origin, has_baseline=True)

    def encode(self, completed_at: str) -> dict[str, t.Any]:
        """The account's state entry."""
        entry: dict[str, t.Any] = {
            "fingerprints": self.fingerprints.encode(),
            "products": len(self.fingerprints),
            "last_completed_scan_at": completed_at,
            "origin_run_id": self.origin_run_id,
        }
        if self.suspected:
            entry["suspected"] = encode_ids(self.suspected)
            entry["products_suspected"] = len(self.suspected)
        return entry
