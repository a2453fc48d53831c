"""Arrivals are judged by when requests reached the sandbox, not when a thread got to them."""

from __future__ import annotations

import io
import socket
import sys
import time

import pytest

from emag_sandbox.arrival import StampedReader, enable_kernel_stamps
from emag_sandbox.ratelimit import RateLimiter

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="kernel stamps are Linux-only")


@linux_only
def test_a_request_read_late_is_stamped_with_its_arrival():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        assert enable_kernel_stamps(listener)
        with socket.create_connection(listener.getsockname()) as client:
            server_side, _ = listener.accept()
            with server_side:
                reader = StampedReader(server_side)
                lines = io.BufferedReader(reader)
                # Linux switches receive stamping on for the whole stack lazily once the first
                # socket asks: the very first segments may come unstamped (the sandbox then
                # uses the time it handles the request). Wait until stamps flow.
                for _ in range(50):
                    reader.expect_request()
                    client.sendall(b"GET / HTTP/1.1\r\n")
                    lines.readline()
                    if reader.request_received_at is not None:
                        break
                    time.sleep(0.02)
                for _ in range(2):  # two requests on one keep-alive connection
                    reader.expect_request()
                    sent = time.monotonic()
                    client.sendall(b"POST /api-3/product_offer/read HTTP/1.1\r\n")
                    time.sleep(0.2)  # the serving thread is busy elsewhere
                    assert lines.readline().startswith(b"POST ")
                    assert reader.request_received_at is not None
                    assert sent <= reader.request_received_at + 0.001
                    assert reader.request_received_at - sent < 0.05


def test_arrivals_handled_out_of_order_are_judged_in_arrival_order():
    limiter = RateLimiter(3)
    for arrived in (10.6, 10.9, 11.0):
        assert limiter.arrive("main", arrived).allowed
    # arrived at 10.5 but handled last: (10.0, 11.0] would hold four accepted requests
    assert not limiter.arrive("main", 10.5).allowed
    assert limiter.max_in_1s("main") == 4
    # arrived before any window that is already full
    assert limiter.arrive("main", 9.4).allowed
    assert limiter.arrive("main", 11.61).allowed


def test_in_order_arrivals_keep_the_sliding_window():
    limiter = RateLimiter(3)
    assert [limiter.arrive("main", t).allowed for t in (0.0, 0.1, 0.2, 0.3, 1.0, 1.05)] == [
        True, True, True, False, True, False]
    assert limiter.arrive("main", 1.101).allowed
