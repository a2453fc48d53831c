"""Per-account sliding-window rate limiting, as eMAG's Kong gateway applies it.

Besides deciding 429s it records every arrival (throttled ones included) so the sandbox can
report the busiest 1-second window a client produced: tests assert clients stay within budget.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field

WINDOW = 1.0
HEADER_WINDOW = 3.0


@dataclass(frozen=True)
class Decision:
    """Outcome of one arrival; ``limit_3s`` is None when the limiter is off."""

    allowed: bool
    limit_3s: int | None
    remaining_3s: int | None


@dataclass
class _Account:
    accepted_window: deque[float] = field(default_factory=deque)
    accepted_3s: deque[float] = field(default_factory=deque)
    arrivals_1s: deque[float] = field(default_factory=deque)
    max_in_1s: int = 0


def _trim(times: deque[float], now: float, span: float) -> None:
    """Keep the arrivals in the half-open window ``(now - span, now]``."""
    while times and times[0] <= now - span:
        times.popleft()


class RateLimiter:
    """Sliding window over accepted arrivals; ``rate`` requests per second, 0 = unlimited.

    An integer rate ``r`` allows at most ``floor(r)`` accepted requests in any 1.0 s; a rate
    below 1 allows one request per ``1/r`` seconds.
    """

    def __init__(self, rate: float) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, _Account] = {}
        self.rate = rate

    @property
    def rate(self) -> float:
        """Requests per second per account (0 = unlimited)."""
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        if value < 0:
            raise ValueError("rate_limit must be >= 0")
        self._rate = float(value)
        if value == 0:
            self._capacity, self._span = 0, WINDOW
        elif value < 1:
            self._capacity, self._span = 1, WINDOW / value
        else:
            self._capacity, self._span = math.floor(value), WINDOW

    def arrive(self, account: str, now: float) -> Decision:
        """Record an arrival and decide whether it passes."""
        with self._lock:
            state = self._accounts.setdefault(account, _Account())
            _trim(state.arrivals_1s, now, WINDOW)
            state.arrivals_1s.append(now)
            state.max_in_1s = max(state.max_in_1s, len(state.arrivals_1s))
            if self._capacity == 0:
                return Decision(True, None, None)
            limit_3s = max(1, round(self._rate * HEADER_WINDOW))
            _trim(state.accepted_window, now, self._span)
            _trim(state.accepted_3s, now, HEADER_WINDOW)
            if len(state.accepted_window) >= self._capacity:
                return Decision(False, limit_3s, 0)
            state.accepted_window.append(now)
            state.accepted_3s.append(now)
            return Decision(True, limit_3s, max(0, limit_3s - len(state.accepted_3s)))

    def max_in_1s(self, account: str) -> int:
        """Most arrivals of ``account`` in any 1-second window since the last reset."""
        with self._lock:
            state = self._accounts.get(account)
            return state.max_in_1s if state else 0

    def reset_stats(self) -> None:
        """Forget the busiest-window record (the live budget is kept)."""
        with self._lock:
            for state in self._accounts.values():
                state.arrivals_1s.clear()
                state.max_in_1s = 0
