"""The paced adapter: every request a session writes, proxied or not, takes a turn."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from emag_sandbox import AccountSpec, Sandbox
from tap_emag.paced_http import PacedAdapter
from tap_emag.rate_limit import MARGIN, RateLimiter
from tests.support.tap_runner import PASSWORDS, USERNAMES

THREADS, EACH = 4, 2


def _sandbox(products: int) -> Sandbox:
    account = AccountSpec(name="main", username=USERNAMES["main"], password=PASSWORDS["main"],
                          products=products)
    return Sandbox(accounts=[account], seed=2, rate_limit=3)


def _session(limiter: RateLimiter) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    adapter = PacedAdapter(limiter)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.auth = (USERNAMES["main"], PASSWORDS["main"])
    return session


@pytest.mark.parametrize("via_proxy", [False, True], ids=["direct", "via-proxy"])
def test_requests_from_many_threads_are_paced_at_the_gateway(via_proxy):
    with _sandbox(300) as sb:
        limiter = RateLimiter(3)
        if via_proxy:  # the sandbox answers absolute-URI requests, as a forward proxy sees them
            url = "http://emag.invalid/api-3/product_offer/read"
            proxies = {"http": sb.base_url.rsplit("/", 1)[0]}
        else:
            url, proxies = f"{sb.base_url}/product_offer/read", {}
        statuses: list[int] = []

        def work() -> None:
            session = _session(limiter)
            for page in range(EACH):
                answer = session.post(url, json={"data": {"currentPage": page + 1}},
                                      proxies=proxies, timeout=30)
                statuses.append(answer.status_code)

        started = time.monotonic()
        threads = [threading.Thread(target=work) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        stats = sb.stats()["accounts"]["main"]
    assert statuses == [200] * THREADS * EACH
    assert stats["throttled_429"] == 0
    assert stats["max_requests_in_any_1s_window"] <= 3
    # 8 requests at 3/s: the last one cannot leave before 7 turns have passed
    assert elapsed >= (THREADS * EACH - 1) * limiter.interval - 0.01


def test_a_request_whose_body_is_written_late_counts_from_the_body():
    """Headers and body leave in separate writes; the gateway may take the request in only
    once the body is there, so the window runs from the end of the last write."""
    with _sandbox(100) as sb:
        limiter = RateLimiter(3)
        url = f"{sb.base_url}/product_offer/read"
        turn_taken = threading.Event()
        body_done: list[float] = []

        def slow_body():
            turn_taken.set()  # the headers are written once the turn is taken
            yield b'{"data": '
            time.sleep(0.3)
            yield b'{"currentPage": 1}}'
            body_done.append(time.monotonic())

        slow = threading.Thread(target=lambda: _session(limiter).post(url, data=slow_body(),
                                                                      timeout=30))
        slow.start()
        assert turn_taken.wait(5)
        session = _session(limiter)
        for _ in range(3):
            session.post(url, json={"data": {"currentPage": 1}}, timeout=30)
        answered = time.monotonic()
        slow.join()
    # the third request after the slow one went out a window after its body, not its headers
    assert answered - body_done[0] >= 1.0 * (1 + MARGIN) - 0.01
