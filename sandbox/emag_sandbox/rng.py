"""Deterministic seed mixing that does not depend on Python's randomised ``hash()``.

Every generated value is a pure function of (sandbox seed, account, index), so two sandboxes
with the same seed serve byte-identical catalogues and any product can be built on its own.
"""

# ruff: noqa: S311  -- seeded, reproducible test data; nothing here is security-relevant

from __future__ import annotations

import hashlib
import random

_MASK = (1 << 64) - 1


def label_seed(*parts: object) -> int:
    """Turn labels (seed, account name, purpose) into a stable 64-bit integer."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def mix(base: int, index: int) -> int:
    """SplitMix64 of ``base + index``: cheap, well-spread per-item seeds."""
    z = (base + (index + 1) * 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def rng_for(base: int, index: int) -> random.Random:
    """A private RNG for one item, independent of generation order."""
    return random.Random(mix(base, index))


_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def scramble36(index: int, width: int, multiplier: int, offset: int) -> str:
    """Bijective base-36 code for ``index`` (unique while index < 36**width).

    ``multiplier`` must be coprime with 36, which makes the affine map a permutation.
    """
    space = 36**width
    value = (index * multiplier + offset) % space
    out = []
    for _ in range(width):
        value, digit = divmod(value, 36)
        out.append(_ALPHABET[digit])
    return "".join(reversed(out))
