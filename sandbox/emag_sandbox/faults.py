"""Fault injection: the failures a client of eMAG meets in production.

Draws come from a dedicated RNG seeded from the sandbox seed, so a run with the same seed and
the same request order injects the same faults.
"""

# ruff: noqa: S311  -- seeded, reproducible test data; nothing here is security-relevant

from __future__ import annotations

import random
import threading
from collections.abc import Iterable

from emag_sandbox.rng import label_seed

FAULT_KINDS = ("429", "500", "502", "503", "504", "timeout", "truncated", "iserror")

_REASONS = {
    "500": "Internal Server Error",
    "502": "Bad Gateway",
    "503": "Service Temporarily Unavailable",
    "504": "Gateway Time-out",
}


def validate_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """Normalise a kinds list (a comma string is accepted), rejecting unknown names."""
    if isinstance(kinds, str):
        kinds = [k for k in kinds.split(",") if k.strip()]
    out = tuple(str(k).strip() for k in kinds)
    unknown = [k for k in out if k not in FAULT_KINDS]
    if unknown:
        raise ValueError(f"unknown fault kinds {unknown}; known: {', '.join(FAULT_KINDS)}")
    return out


def html_error(kind: str) -> bytes:
    """The HTML page an nginx/Kong proxy answers with on a 5xx."""
    title = f"{kind} {_REASONS[kind]}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n").encode()


class FaultInjector:
    """Decides, per eligible request, whether and how it fails."""

    def __init__(self, seed: int, rate: float, kinds: Iterable[str]) -> None:
        self._rng = random.Random(label_seed(seed, "faults"))
        self._lock = threading.Lock()
        self.configure(rate, kinds)

    def configure(self, rate: float | None = None, kinds: Iterable[str] | None = None) -> None:
        """Change the rate and/or kinds at runtime."""
        with self._lock:
            if rate is not None:
                if not 0.0 <= rate <= 1.0:
                    raise ValueError("fault_rate must be between 0 and 1")
                self.rate = float(rate)
            if kinds is not None:
                self.kinds = validate_kinds(kinds)

    def draw(self) -> str | None:
        """The fault kind for this request, or None to serve it normally."""
        with self._lock:
            if self.rate <= 0 or not self.kinds:
                return None
            if self._rng.random() >= self.rate:
                return None
            return self._rng.choice(self.kinds)
