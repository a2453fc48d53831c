"""Per-account sliding-window rate limiting, as eMAG's Kong gateway applies it.

Besides deciding 429s it records every arrival (throttled ones included) so the sandbox can
report the busiest 1-second window a client produced: tests assert clients stay within budget.
"""

from __future__ import annotations

import bisect
import math
import threading
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
    accepted: list[float] = field(default_factory=list)  # sorted arrival times
    arrivals: list[float] = field(default_factory=list)  # sorted, throttled ones included
    latest: float = float("-inf")
    max_in_1s: int = 0


def _trim(times: list[float], before: float) -> None:
    """Drop the times at or before ``before`` (the list is sorted)."""
    del times[: bisect.bisect_right(times, before)]


def _in_window(times: list[float], end: float, span: float) -> int:
    """How many times fall in the half-open window ``(end - span, end]``."""
    return bisect.bisect_right(times, end) - bisect.bisect_right(times, end - span)


def _busiest_with(times: list[float], at: float, span: float) -> int:
    """The most times, ``at`` included, in any ``span``-long window that holds ``at``.

    Arrival stamps come from the kernel, so two requests handled out of order by the
    sandbox's threads are still judged in the order they arrived: a window may end after
    ``at``, at a request that arrived later but was handled first.
    """
    later = times[bisect.bisect_right(times, at): bisect.bisect_left(times, at + span)]
    return max(_in_window(times, end, span) for end in (at, *later)) + 1


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
        """Record an arrival (at ``now``, monotonic) and decide whether it passes."""
        with self._lock:
            state = self._accounts.setdefault(account, _Account())
            state.latest = max(state.latest, now)
            # arrivals may be handled out of order; a second of slack keeps late ones judged
            horizon = state.latest - max(self._span, HEADER_WINDOW) - WINDOW
            _trim(state.arrivals, horizon)
            _trim(state.accepted, horizon)
            state.max_in_1s = max(state.max_in_1s, _busiest_with(state.arrivals, now, WINDOW))
            bisect.insort(state.arrivals, now)
            if self._capacity == 0:
                return Decision(True, None, None)
            limit_3s = max(1, round(self._rate * HEADER_WINDOW))
            if _busiest_with(state.accepted, now, self._span) > self._capacity:
                return Decision(False, limit_3s, 0)
            bisect.insort(state.accepted, now)
            in_3s = _in_window(state.accepted, now, HEADER_WINDOW)
            return Decision(True, limit_3s, max(0, limit_3s - in_3s))

    def max_in_1s(self, account: str) -> int:
        """Most arrivals of ``account`` in any 1-second window since the last reset."""
        with self._lock:
            state = self._accounts.get(account)
            return state.max_in_1s if state else 0

    def reset_stats(self) -> None:
        """Forget the busiest-window record (the live budget is kept)."""
        with self._lock:
            for state in self._accounts.values():
                state.arrivals.clear()
                state.max_in_1s = 0
