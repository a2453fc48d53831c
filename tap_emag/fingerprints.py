"""The per-account bookmark: which products the last completed scan saw, and their content.

eMAG cannot say what changed since a time, so the tap remembers a fingerprint of every product
(its id and an 8-byte hash of its normalised content) and compares each scan against it. Packed
as 12 bytes per product and base64-encoded, that is 16 bytes of state per product; in memory,
12 bytes too (arrays, not a dict), so a million offers per account fit in a small process.
"""

from __future__ import annotations

import base64
import bisect
import collections
import hashlib
import heapq
import itertools
import struct
import sys
import typing as t
from array import array
from decimal import Decimal

import orjson

FORMAT = "v1"
_ENTRY = struct.Struct("<I8s")
SMALL_UPDATE = 10_000  # up to this many entries, an update inserts in place


def _canonical(value: t.Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # "121.8400" and "121.84" are one price
    msg = f"cannot hash {type(value).__name__}"
    raise TypeError(msg)


def content_digest(record: t.Mapping[str, t.Any]) -> bytes:
    """8 bytes that change whenever anything in the normalised product changes."""
    canonical = orjson.dumps(record, default=_canonical, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(canonical, digest_size=8).digest()


def pack(packed: bytes) -> str:
    """Fixed-size binary entries as state text: a format tag, then base64."""
    return f"{FORMAT}:{base64.b64encode(packed).decode('ascii')}"


def packed_bytes(text: str, entry_size: int, what: str) -> bytes:
    """The bytes of text written by `pack`; anything else is an error naming the problem."""
    prefix, _, payload = text.partition(":")
    if prefix != FORMAT:
        msg = f"unsupported {what} format {prefix[:10]!r} in state"
        raise ValueError(msg)
    packed = base64.b64decode(payload, validate=True)
    if len(packed) % entry_size:
        msg = f"{what} state is truncated"
        raise ValueError(msg)
    return packed


def unpack(text: str, entry: struct.Struct, what: str) -> t.Iterator[tuple[t.Any, ...]]:
    """The entries of text written by `pack`."""
    return entry.iter_unpack(packed_bytes(text, entry.size, what))


class Fingerprints:
    """Product id -> 8-byte content digest for one account, sorted by id, 12 bytes each.

    Held as three arrays (ids, and the digest's two 32-bit halves) rather than a dict: a
    dict of a million entries took about 150 bytes each, and a scan holds two (what the
    bookmark says, what it saw) per account.
    """

    __slots__ = ("_hi", "_ids", "_lo")
    _ids: array[int]
    _lo: array[int]
    _hi: array[int]

    def __init__(self, entries: t.Iterable[tuple[int, bytes]] = ()) -> None:
        log = FingerprintLog()
        for product_id, digest in entries:
            log.add(product_id, digest)
        done = log.finish()
        self._ids, self._lo, self._hi = done._ids, done._lo, done._hi

    @classmethod
    def _of(cls, ids: array[int], lo: array[int], hi: array[int]) -> Fingerprints:
        made = cls.__new__(cls)
        made._ids, made._lo, made._hi = ids, lo, hi
        return made

    def __len__(self) -> int:
        return len(self._ids)

    def _index(self, product_id: int) -> int | None:
        index = bisect.bisect_left(self._ids, product_id)
        return index if index < len(self._ids) and self._ids[index] == product_id else None

    def __contains__(self, product_id: object) -> bool:
        return isinstance(product_id, int) and self._index(product_id) is not None

    def get(self, product_id: int) -> bytes | None:
        """The product's digest, or None when it is not held."""
        index = self._index(product_id)
        return None if index is None else _digest(self._lo[index], self._hi[index])

    def ids(self) -> array[int]:
        """The product ids, ascending."""
        return self._ids

    def items(self) -> t.Iterator[tuple[int, bytes]]:
        """(id, digest), by id."""
        for product_id, lo, hi in zip(self._ids, self._lo, self._hi, strict=True):
            yield product_id, _digest(lo, hi)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprints):
            return NotImplemented
        return (self._ids, self._lo, self._hi) == (other._ids, other._lo, other._hi)

    __hash__ = None  # type: ignore[assignment]

    def missing_from(self, other: Fingerprints) -> list[int]:
        """Ids held here that `other` does not hold, ascending (one walk of both)."""
        theirs, count = other.ids(), len(other)
        missing, j = [], 0
        for product_id in self._ids:
            while j < count and theirs[j] < product_id:
                j += 1
            if j == count or theirs[j] != product_id:
                missing.append(product_id)
        return missing

    def updated_with(self, newer: Fingerprints) -> Fingerprints:
        """These entries, with `newer`'s added or replacing them."""
        if len(newer) <= SMALL_UPDATE:  # a few products put back: insert them in place
            ids, lo, hi = array("I", self._ids), array("I", self._lo), array("I", self._hi)
            for product_id, new_lo, new_hi in zip(newer._ids, newer._lo, newer._hi,
                                                  strict=True):
                index = bisect.bisect_left(ids, product_id)
                if index < len(ids) and ids[index] == product_id:
                    lo[index], hi[index] = new_lo, new_hi
                else:
                    ids.insert(index, product_id)
                    lo.insert(index, new_lo)
                    hi.insert(index, new_hi)
            return Fingerprints._of(ids, lo, hi)
        log = FingerprintLog()
        for product_id, digest in newer.items():
            log.add(product_id, digest)
        for product_id, digest in self.items():
            if product_id not in newer:
                log.add(product_id, digest)
        return log.finish()

    def encode(self) -> str:
        """Compact text for the STATE message: `<I8s` entries by id, so equal is equal.

        Built with as few full-size copies as it can (a million entries: 12 MB packed, 16 MB
        of base64): scans of large accounts end together, and their copies add up.
        """
        words = array("I", [0]) * (3 * len(self._ids))
        words[0::3], words[1::3], words[2::3] = self._ids, self._lo, self._hi
        if sys.byteorder != "little":
            words.byteswap()
        encoded = base64.b64encode(memoryview(words))
        del words
        text = encoded.decode("ascii")
        del encoded
        return f"{FORMAT}:{text}"

    @classmethod
    def decode(cls, text: str | None) -> Fingerprints:
        """Read state written by `encode` (the entries are checked like any other state)."""
        if not text:
            return cls()
        packed = packed_bytes(text, _ENTRY.size, "fingerprint")
        words = array("I")
        words.frombytes(packed)
        if sys.byteorder != "little":
            words.byteswap()
        ids = words[0::3]
        if any(a >= b for a, b in itertools.pairwise(ids)):  # written sorted: sort it again
            return cls._of(*FingerprintLog.from_arrays(ids, words[1::3], words[2::3]))
        return cls._of(ids, words[1::3], words[2::3])


class FingerprintLog:
    """What a scan saw, in the order it saw it; `finish` sorts it into Fingerprints.

    Pages shift while a scan reads them (products added before the current page push the
    last ones of a page onto the next), so a product can come twice, a page or so apart:
    `seen_recently` tells, over the last `window` ids. `finish` drops any other repeat.
    """

    def __init__(self, window: int = 5_000) -> None:
        self._ids, self._lo, self._hi = array("I"), array("I"), array("I")
        self._recent: collections.deque[int] = collections.deque(maxlen=window)
        self._recent_set: set[int] = set()

    def __len__(self) -> int:
        return len(self._ids)

    def seen_recently(self, product_id: int) -> bool:
        """Whether the product came among the last `window` products of this scan."""
        return product_id in self._recent_set

    def add(self, product_id: int, digest: bytes) -> None:
        """Record one product and its digest."""
        lo, hi = _HALVES.unpack(digest)
        self._ids.append(product_id)
        self._lo.append(lo)
        self._hi.append(hi)
        if len(self._recent) == self._recent.maxlen:
            self._recent_set.discard(self._recent[0])
        self._recent.append(product_id)
        self._recent_set.add(product_id)

    def finish(self) -> Fingerprints:
        """Everything recorded, sorted by id, the first of any repeated id kept."""
        return Fingerprints._of(*self.from_arrays(self._ids, self._lo, self._hi))

    @staticmethod
    def from_arrays(ids: array[int], lo: array[int],
                    hi: array[int]) -> tuple[array[int], array[int], array[int]]:
        """The entries sorted by id (stable: the first of a repeated id comes first), unique.

        Already in order (eMAG's usual page order), the arrays are taken as they are. Else
        runs of `SORT_RUN` entries are sorted and merged: sorting a million at once needs a
        list of a million Python ints (about 165 MB more at its peak, measured), runs 3 MB.
        """
        if all(a < b for a, b in itertools.pairwise(ids)):
            return ids, lo, hi
        runs = []
        for start in range(0, len(ids), SORT_RUN):
            order = sorted(range(start, min(start + SORT_RUN, len(ids))), key=ids.__getitem__)
            runs.append(zip(array("I", (ids[i] for i in order)),
                            array("I", (lo[i] for i in order)),
                            array("I", (hi[i] for i in order)), strict=True))
        out_ids, out_lo, out_hi = array("I"), array("I"), array("I")
        for product_id, digest_lo, digest_hi in heapq.merge(*runs, key=_first):
            if out_ids and out_ids[-1] == product_id:
                continue
            out_ids.append(product_id)
            out_lo.append(digest_lo)
            out_hi.append(digest_hi)
        return out_ids, out_lo, out_hi


_HALVES = struct.Struct("<II")
SORT_RUN = 65_536


def _first(entry: tuple[int, int, int]) -> int:
    return entry[0]


def _digest(lo: int, hi: int) -> bytes:
    return _HALVES.pack(lo, hi)
