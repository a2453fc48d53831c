"""Per-account request pacing: eMAG counts every call against 3 requests/s per account.

Pacing ahead of time keeps the tap out of 429s instead of reacting to them. A sliding log of
the last N send times guarantees that no one-second window ever holds more than N requests;
a small margin absorbs the jitter between sending here and arrival at eMAG's gateway.
"""

from __future__ import annotations

import threading
import time
from collections import deque

WINDOW_SECONDS = 1.0
MARGIN_STEP_SECONDS = 0.02
MAX_MARGIN_SECONDS = 0.25


class RateLimiter:
    """Blocks callers so that at most `rate` requests start in any window (thread-safe)."""

    def __init__(self, rate: float, margin_seconds: float = 0.03) -> None:
        # A fractional rate rounds down (2.5/s allows 2 in any second); below 1/s the window
        # stretches instead (0.5/s is one request per 2 s).
        self._slots = max(1, int(rate))
        self._window = max(WINDOW_SECONDS, self._slots / rate) + margin_seconds
        self._max_window = self._window - margin_seconds + MAX_MARGIN_SECONDS
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self._paused_until = 0.0

    def acquire(self) -> float:
        """Wait for a free slot and claim it; returns the seconds spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= self._window:
                    self._sent.popleft()
                wait = self._paused_until - now
                if wait <= 0 and len(self._sent) >= self._slots:
                    wait = self._window - (now - self._sent[0])
                if wait <= 0:
                    self._sent.append(now)
                    return waited
            time.sleep(wait)
            waited += wait

    def pause(self, seconds: float) -> None:
        """Hold every request of this account back, e.g. for a 429's Retry-After."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def throttled(self, retry_after: float) -> None:
        """React to a 429: pause, and widen the margin for the rest of the run.

        A 429 means the gateway saw more than the budget: the delay between pacing here and
        arrival there varied more than the margin allows (a loaded machine, a slow network),
        or another integration spends the same account's budget. Either way, slow down a bit.
        """
        self.pause(retry_after)
        with self._lock:
            self._window = min(self._window + MARGIN_STEP_SECONDS, self._max_window)
