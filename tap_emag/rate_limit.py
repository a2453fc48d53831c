"""Per-account request pacing: eMAG counts every call against 3 requests/s per account.

Pacing ahead of time keeps the tap out of 429s instead of reacting to them. Requests are spaced
evenly, one every (1 + margin) / rate seconds, so no one-second window ever holds more than
`rate` of them, and no burst of simultaneous requests queues up at the gateway (a burst's last
request arrives late, which is what lets a window see one request too many). The margin absorbs
the jitter between sending here and arrival there.
"""

from __future__ import annotations

import math
import threading
import time

WINDOW_SECONDS = 1.0
MARGIN = 0.03
MARGIN_STEP = 0.02
MAX_MARGIN = 0.25


class RateLimiter:
    """Releases requests one at a time, each at least `interval` after the previous release.

    Turns are measured from when the previous request was actually released, not from when
    it was scheduled: a thread that wakes late (a loaded machine, a stall in this process)
    would otherwise be followed by on-time requests, and four of them would fit in a second.
    """

    def __init__(self, rate: float, margin: float = MARGIN) -> None:
        # A fractional rate rounds down for the window (2.5/s allows 2 in any second); below
        # 1/s the window stretches instead (0.5/s is one request per 2 s).
        slots = max(1, math.floor(rate))
        self._base = max(WINDOW_SECONDS, slots / rate) / slots
        self._margin = margin
        self._next = 0.0
        self._lock = threading.Lock()  # guards _next and _margin
        self._turn = threading.Lock()  # one waiting request at a time

    @property
    def interval(self) -> float:
        """Seconds between two requests of this account."""
        return self._base * (1 + self._margin)

    def acquire(self) -> float:
        """Wait for this request's turn; returns the seconds spent waiting."""
        started = time.monotonic()
        with self._turn:
            while True:
                with self._lock:
                    now = time.monotonic()
                    wait = self._next - now
                    if wait <= 0:
                        self._next = now + self.interval
                        return now - started
                # re-checked after the sleep: a 429 may have pushed the turn further out
                time.sleep(wait)

    def pause(self, seconds: float) -> None:
        """Hold every later request of this account back, e.g. for a 429's Retry-After."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)

    def throttled(self, retry_after: float) -> None:
        """React to a 429: pause, and widen the margin for the rest of the run.

        A 429 means the gateway saw more than the budget: the delay between pacing here and
        arrival there varied more than the margin allows (a loaded machine, a slow network),
        or another integration spends the same account's budget. Either way, slow down a bit.
        """
        with self._lock:
            self._margin = min(self._margin + MARGIN_STEP, MAX_MARGIN)
        self.pause(retry_after)
