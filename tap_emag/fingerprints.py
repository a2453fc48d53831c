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


class Fingerprints(dict[int, bytes]):
    """Product id -> content digest, for one account."""

    def encode(self) -> str:
        """Compact text for the STATE message, sorted so equal contents give equal state."""
        packed = b"".join(_ENTRY.pack(key, self[key]) for key in sorted(self))
        return f"{FORMAT}:{base64.b64encode(packed).decode('ascii')}"

    @classmethod
    def decode(cls, text: str | None) -> Fingerprints:
        """Read state written by `encode`; anything else is an error naming the problem."""
        if not text:
            return cls()
        prefix, _, payload = text.partition(":")
        if prefix != FORMAT:
            msg = f"unsupported fingerprint format {prefix[:10]!r} in state"
            raise ValueError(msg)
        packed = base64.b64decode(payload, validate=True)
        if len(packed) % _ENTRY.size:
            msg = "fingerprint state is truncated"
            raise ValueError(msg)
        return cls(_ENTRY.iter_unpack(packed))
