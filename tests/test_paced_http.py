"""The paced adapter: every request a session writes, proxied or not, takes a turn."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from emag_sandbox import AccountSpec, Sandbox
from tap_emag.paced_http import PacedAdapter
from tap_emag.rate_limit import RateLimiter
from tests.tap_runner import PASSWORDS, USERNAMES

THREADS, EACH = 4, 2


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
    account = AccountSpec(name="main", username=USERNAMES["main"], password=PASSWORDS["main"],
                          products=300)
    with Sandbox(accounts=[account], seed=2, rate_limit=3) as sb:
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
