"""Per-account request pacing: eMAG counts every call against the account's requests/s budget.

Pacing ahead of time keeps the tap out of 429s instead of reacting to them. Requests are spaced
evenly, one every (1 + margin) / rate seconds, so no one-second window ever holds more than
`rate` of them, and no burst of simultaneous requests queues up at the gateway (a burst's last
request arrives late, which is what lets a window see one request too many).

The gateway counts a request when it arrives, not when this process decided to send it. Between
the two, the sending thread may wait for the interpreter lock while another thread parses a
page; two accounts at 1 s latency measured up to 35 ms there. So a request is only let go once
the request `rate` turns before it has actually been written, a full window (plus the margin)
earlier: a late request holds back the ones after it instead of being crowded by them. The
margin is left for what happens after the bytes leave: the network, and the gateway itself.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
import typing as t
from collections import deque

from tap_emag.shared_budget import SharedBudget

WINDOW_SECONDS = 1.0
MARGIN = 0.02
MARGIN_STEP = 0.02
MAX_MARGIN = 0.25
SEND_WAIT_SECONDS = 0.05  # re-check interval while an earlier request is still being written
BACKGROUND_POLL_SECONDS = 0.01  # how soon a waiting background request notices a change
CATCH_UP_SECONDS = 0.02  # lateness of a release that the next turn absorbs instead of inheriting


class SlotAbandoned(Exception):
    """A background request gave up its wait: what it was for no longer needs it."""


class _Send:
    """One released request; `written_at` is set once its bytes are out."""

    __slots__ = ("written_at",)

    def __init__(self) -> None:
        self.written_at: float | None = None


class RateLimiter:
    """Releases requests one at a time, evenly spaced, and never `rate` + 1 in a window.

    The window is judged from when requests were actually written, not from when they were
    scheduled: a thread that wakes late (a loaded machine, a stall in this process) would
    otherwise be followed by on-time requests, and four of them would fit in a second.
    """

    def __init__(self, rate: float, margin: float = MARGIN, shared_key: str | None = None,
                 ) -> None:
        # A fractional rate rounds down for the window (2.5/s allows 2 in any second); below
        # 1/s the window stretches instead (0.5/s is one request per 2 s).
        self._slots = max(1, math.floor(rate))
        self._window = max(WINDOW_SECONDS, self._slots / rate)
        self._margin = margin
        self._next = 0.0
        self._recent: deque[_Send] = deque(maxlen=self._slots)
        self._lock = threading.Condition()  # guards _next, _margin, _recent, _foreground
        self._turn = threading.Lock()  # one waiting request at a time
        self._foreground = 0  # foreground requests waiting for a turn
        self._local = threading.local()  # this thread's priority (see `background`)
        # the same budget spent by other processes of this machine (a scan and a quick sync)
        self._shared = SharedBudget(shared_key, self._slots, self._window) if shared_key else None

    @property
    def interval(self) -> float:
        """Seconds between two requests of this account."""
        return self._window / self._slots * (1 + self._margin)

    @contextlib.contextmanager
    def slot(self) -> t.Iterator[t.Callable[[float], None]]:
        """Wait for this request's turn; the block writes the request.

        The block may report (monotonic) when the request was written: the block itself may
        end later, after a wait for the interpreter lock. Unreported, the end of the block
        counts. Either way every turn gets a write time, or later turns would wait for it.
        """
        send: _Send | None = None
        reported: list[float] = []
        try:
            send = self._take_turn()
            yield reported.append
        finally:
            if send is not None:
                with self._lock:
                    send.written_at = reported[-1] if reported else time.monotonic()
                    self._lock.notify_all()

    @contextlib.contextmanager
    def background(self, until: threading.Event | None = None) -> t.Iterator[None]:
        """Requests this thread sends in the block go only when no other request waits.

        One budget, two priorities: product pages first; reference data and the count take
        the turns pages leave free (while the last pages are in flight, between runs of
        pages). A request still waiting when `until` is set gives up (SlotAbandoned).
        """
        previous = getattr(self._local, "until", None), getattr(self._local, "background", False)
        self._local.background, self._local.until = True, until
        try:
            yield
        finally:
            self._local.until, self._local.background = previous

    def acquire(self) -> None:
        """Wait for a turn whose request goes out at once."""
        with self.slot():
            pass

    def _take_turn(self) -> _Send:
        if getattr(self._local, "background", False):
            return self._take_background_turn()
        with self._lock:
            self._foreground += 1
        try:
            with self._turn:
                send = self._wait_turn(background=False)
                assert send is not None
                self._take_shared_turn()
                return send
        finally:
            with self._lock:
                self._foreground -= 1
                self._lock.notify_all()

    def _take_background_turn(self) -> _Send:
        until: threading.Event | None = self._local.until
        while True:
            if until is not None and until.is_set():
                raise SlotAbandoned
            with self._turn:
                send = self._wait_turn(background=True, until=until)
                if send is not None:
                    self._take_shared_turn()
                    return send
            with self._lock:  # a foreground request is waiting: let it have the turn
                self._lock.wait(BACKGROUND_POLL_SECONDS)

    def _wait_turn(self, *, background: bool,
                   until: threading.Event | None = None) -> _Send | None:
        """The next turn; None for a background request once a foreground one waits.

        A background request sleeps in short steps, to notice one (or `until`) in time.
        """
        while True:
            with self._lock:
                if background and (self._foreground or (until is not None and until.is_set())):
                    return None
                now = time.monotonic()
                earliest = self._next
                if len(self._recent) == self._slots:
                    oldest = self._recent[0]
                    if oldest.written_at is None:
                        self._lock.wait(SEND_WAIT_SECONDS)
                        continue
                    window = self._window * (1 + self._margin)
                    earliest = max(earliest, oldest.written_at + window)
                wait = earliest - now
                if wait <= 0:
                    # On schedule, or a few ms late (a sleep or the interpreter lock): keep
                    # the schedule, so small delays do not add up over a long scan. Later
                    # than that, start over from now; the window rule above still holds.
                    on_schedule = now - self._next <= CATCH_UP_SECONDS
                    self._next = (self._next if on_schedule else now) + self.interval
                    send = _Send()
                    self._recent.append(send)
                    return send
            # re-checked after the sleep: a 429 may have pushed the turn further out
            time.sleep(min(wait, BACKGROUND_POLL_SECONDS) if background else wait)

    def _take_shared_turn(self) -> None:
        """Wait, holding this process's turn, until other processes leave the budget room."""
        if self._shared is not None:
            with self._lock:
                margin = self._margin
            self._shared.take_turn(margin)

    def pause(self, seconds: float) -> None:
        """Hold every later request of this account back, e.g. for a 429's Retry-After."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)

    def throttled(self, retry_after: float) -> None:
        """React to a 429: pause, and widen the margin for the rest of the run.

        A 429 means the gateway saw more than the budget: the delay between writing here and
        arrival there varied more than the margin allows (a loaded machine, a slow network),
        or another integration spends the same account's budget. Either way, slow down a bit.
        """
        with self._lock:
            self._margin = min(self._margin + MARGIN_STEP, MAX_MARGIN)
        self.pause(retry_after)
