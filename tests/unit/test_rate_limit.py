"""Per-account pacing (`rate_limit.RateLimiter`), without a server."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from tap_emag.rate_limit import (
    CATCH_UP_SECONDS,
    MARGIN,
    MARGIN_STEP,
    MAX_MARGIN,
    RateLimiter,
    SlotAbandoned,
)


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, value in enumerate(times):
        while value - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def _release_times(limiter: RateLimiter, *, threads: int, each: int) -> list[float]:
    """When `threads` threads, `each` requests apiece, got through the limiter (sorted)."""
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(each):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return sorted(stamps)


@pytest.mark.parametrize("rate, expected", [(5, 5), (2.5, 2)])
def test_no_one_second_window_holds_more_than_the_rate(rate, expected):
    stamps = _release_times(RateLimiter(rate), threads=3, each=4)
    assert len(stamps) == 12
    assert _max_in_window(stamps) == expected


def test_pause_holds_every_request_back():
    limiter = RateLimiter(100)
    limiter.pause(0.3)
    started = time.monotonic()
    limiter.acquire()
    assert time.monotonic() - started >= 0.29


def _fourth_request_delay(limiter: RateLimiter) -> float:
    started = time.monotonic()
    for _ in range(4):
        limiter.acquire()
    return time.monotonic() - started


def test_requests_are_spaced_evenly():
    limiter = RateLimiter(3)
    stamps = []
    for _ in range(4):
        limiter.acquire()
        stamps.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    # a turn taken a few ms late keeps the schedule: the next gap is that much shorter
    lowest = limiter.interval - CATCH_UP_SECONDS
    assert all(lowest <= gap < limiter.interval + 0.03 for gap in gaps)


def test_each_429_slows_the_pace_a_little_up_to_a_bound():
    calm = RateLimiter(3)
    assert 1 + MARGIN <= _fourth_request_delay(calm) < 1 + MARGIN + 0.04
    throttled = RateLimiter(3)
    for _ in range(5):
        throttled.throttled(0)
    widened = 1 + MARGIN + 5 * MARGIN_STEP
    assert widened <= _fourth_request_delay(throttled) < widened + 0.04
    saturated = RateLimiter(3)
    for _ in range(100):
        saturated.throttled(0)
    assert 1 + MAX_MARGIN <= _fourth_request_delay(saturated) < 1 + MAX_MARGIN + 0.04


def test_a_request_released_late_is_not_followed_by_a_catch_up(monkeypatch):
    """A thread that wakes late (a stall, a loaded machine) moves every later turn back.

    Turns handed out ahead of time would let the requests after a late one go out on their
    original schedule, and four requests would then fit in one second.
    """
    limiter = RateLimiter(3)
    real_sleep = time.sleep
    sleeps = itertools.count()

    def oversleeping(seconds: float) -> None:
        real_sleep(seconds + (0.25 if next(sleeps) == 1 else 0))

    monkeypatch.setattr("tap_emag.rate_limit.time.sleep", oversleeping)
    stamps = _release_times(limiter, threads=4, each=2)
    assert len(stamps) == 8
    lowest = limiter.interval - CATCH_UP_SECONDS
    assert min(b - a for a, b in itertools.pairwise(stamps)) >= lowest
    assert _max_in_window(stamps) == 3


def test_a_request_written_late_holds_back_the_request_a_window_after_it():
    """The gateway counts a request when its bytes arrive, not when its turn came.

    Request 0 takes its turn but is written 0.3 s later (its thread waited for the
    interpreter lock, say). Request 3 must then wait a full window from that write, or the
    gateway would see requests 0 to 3 within one second.
    """
    limiter = RateLimiter(3)
    turn_taken = threading.Event()
    write_time: list[float] = []

    def slow_writer() -> None:
        with limiter.slot() as report_write:
            turn_taken.set()
            time.sleep(0.3)
            write_time.append(time.monotonic())
            report_write(write_time[0])

    late = threading.Thread(target=slow_writer)
    late.start()
    assert turn_taken.wait(5)
    released = []
    for _ in range(3):
        limiter.acquire()
        released.append(time.monotonic())
    late.join()
    assert released[-1] - write_time[0] >= 1.0 * (1 + MARGIN) - 0.002
    assert _max_in_window([write_time[0], *released]) == 3


def test_a_write_reported_early_counts_instead_of_the_end_of_the_block():
    limiter = RateLimiter(3)
    with limiter.slot() as report_write:
        reported = time.monotonic()
        report_write(reported)
        time.sleep(0.2)  # e.g. waiting for the interpreter lock after the write
    for _ in range(3):
        limiter.acquire()
    # from the reported write, not from the end of the block 0.2 s later
    assert time.monotonic() - reported == pytest.approx(1.0 * (1 + MARGIN), abs=0.03)


def test_background_requests_take_only_the_turns_foreground_ones_leave():
    """Reference data and the count never delay a page: pages waiting go first."""
    limiter = RateLimiter(5)
    order: list[str] = []
    lock = threading.Lock()

    def send(name: str, background: bool) -> None:
        if background:
            with limiter.background():
                limiter.acquire()
        else:
            limiter.acquire()
        with lock:
            order.append(name)

    limiter.acquire()  # the budget is in use: everything below waits
    pages = [threading.Thread(target=send, args=(f"page{i}", False)) for i in range(6)]
    extra = threading.Thread(target=send, args=("categories", True))
    extra.start()
    time.sleep(0.01)
    for thread in pages:
        thread.start()
    for thread in (extra, *pages):
        thread.join(5)
    assert order[-1] == "categories" and len(order) == 7


def test_a_background_request_still_waiting_gives_up_when_told():
    limiter = RateLimiter(2)
    done = threading.Event()
    limiter.acquire()
    limiter.acquire()  # the next turn is about a second away
    done.set()
    with limiter.background(until=done), pytest.raises(SlotAbandoned):
        limiter.acquire()
    limiter.acquire()  # a foreground request still gets its turn
