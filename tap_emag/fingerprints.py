"""The per-account bookmark: which products the last completed scan saw, and their content.

eMAG cannot say what changed since a time, so the tap remembers a fingerprint of every product
(its id and an 8-byte hash of its normalised content) and compares each scan against it. Packed
as 12 bytes per product and base64-encoded, that is 16 bytes of state per product.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import typing as t
from decimal import Decimal

import orjson

FORMAT = "v1"
_ENTRY = struct.Struct("<I8s")


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


def unpack(text: str, entry: struct.Struct, what: str) -> t.Iterator[tuple[t.Any, ...]]:
    """The entries of text written by `pack`; anything else is an error naming the problem."""
    prefix, _, payload = text.partition(":")
    if prefix != FORMAT:
        msg = f"unsupported {what} format {prefix[:10]!r} in state"
        raise ValueError(msg)
    packed = base64.b64decode(payload, validate=True)
    if len(packed) % entry.size:
        msg = f"{what} state is truncated"
        raise ValueError(msg)
    return entry.iter_unpack(packed)


class Fingerprints(dict[int, bytes]):
    """Product id -> content digest, for one account."""

    def encode(self) -> str:
        """Compact text for the STATE message, sorted so equal contents give equal state."""
        return pack(b"".join(_ENTRY.pack(key, self[key]) for key in sorted(self)))

    @classmethod
    def decode(cls, text: str | None) -> Fingerprints:
        """Read state written by `encode`."""
        return cls(unpack(text, _ENTRY, "fingerprint")) if text else cls()
