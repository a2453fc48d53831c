"""Rate limiting, latency, concurrency and injected faults."""

import json
import threading
import time

import pytest
import requests

from emag_sandbox import FAULT_KINDS
from tests.sandbox.sandbox_helpers import post, session, start


def test_burst_gets_429_with_kong_headers_and_stats():
    sb = start(rate_limit=3.0)
    try:
        s = session()
        responses = [post(s, sb, "product_offer/read", {"itemsPerPage": 1}) for _ in range(10)]
        codes = [r.status_code for r in responses]
        assert codes[:3] == [200, 200, 200]
        assert codes.count(429) >= 6
        ok = responses[0]
        assert ok.headers["X-RateLimit-Limit-3second"] == "9"
        assert int(ok.headers["X-RateLimit-Remaining-3second"]) >= 0
        throttled = next(r for r in responses if r.status_code == 429)
        assert throttled.json() == {"message": "API rate limit exceeded"}
        assert throttled.headers["X-RateLimit-Remaining-3second"] == "0"
        assert throttled.headers["Retry-After"] == "1"
        assert "X-RateLimit-Limit-3second" in throttled.headers
        stats = sb.stats()["accounts"]["main"]
        assert stats["requests"]["total"] == 10
        assert stats["accepted"] + stats["throttled_429"] == 10
        assert stats["max_requests_in_any_1s_window"] == 10
        # the FBE account has its own budget
        assert post(session("fbe-user", "fbe-pass"), sb, "vat/read").status_code == 200
        time.sleep(1.05)
        assert post(s, sb, "vat/read").status_code == 200
        sb.reset_stats()
        assert sb.stats()["accounts"]["main"]["max_requests_in_any_1s_window"] == 0
    finally:
        sb.stop()


def test_paced_client_is_never_throttled():
    sb = start(rate_limit=3.0)
    try:
        s = session()
        for _ in range(7):
            assert post(s, sb, "vat/read").status_code == 200
            time.sleep(0.36)
        stats = sb.stats()["accounts"]["main"]
        assert stats["throttled_429"] == 0
        assert stats["max_requests_in_any_1s_window"] <= 3
    finally:
        sb.stop()


def test_latency_and_parallel_requests():
    sb = start(latency=0.3, latency_jitter=0.05)
    try:
        s = session()
        t0 = time.monotonic()
        assert post(s, sb, "vat/read").status_code == 200
        assert 0.24 <= time.monotonic() - t0 < 1.0
        codes: list[int] = []

        def one():
            codes.append(post(session(), sb, "product_offer/read",
                              {"itemsPerPage": 10}).status_code)

        threads = [threading.Thread(target=one) for _ in range(6)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert codes == [200] * 6
        assert time.monotonic() - t0 < 1.2  # served in parallel, not 6 x 0.3 s
        sb.configure(latency=0, latency_jitter=0)
        t0 = time.monotonic()
        post(s, sb, "vat/read")
        assert time.monotonic() - t0 < 0.2
    finally:
        sb.stop()


@pytest.fixture(scope="module")
def faulty():
    sandbox = start(fault_rate=1.0, timeout_delay=0.4)
    yield sandbox
    sandbox.stop()


def _only(sb, kind):
    sb.configure(fault_rate=1.0, fault_kinds=[kind])
    sb.reset_stats()


@pytest.mark.parametrize("kind", ["500", "502", "503", "504"])
def test_fault_5xx_html(faulty, kind):
    _only(faulty, kind)
    r = post(session(), faulty, "product_offer/read")
    assert r.status_code == int(kind)
    assert r.headers["Content-Type"].startswith("text/html")
    assert r.text.startswith("<html>") and f"<h1>{kind} " in r.text
    assert faulty.stats()["accounts"]["main"]["faults"][kind] == 1


def test_fault_429(faulty):
    _only(faulty, "429")
    r = post(session(), faulty, "product_offer/read")
    assert r.status_code == 429 and r.json() == {"message": "API rate limit exceeded"}
    assert r.headers["Retry-After"] == "1"
    stats = faulty.stats()["accounts"]["main"]
    assert stats["faults"]["429"] == 1 and stats["throttled_429"] == 0


def test_fault_iserror(faulty):
    _only(faulty, "iserror")
    r = post(session(), faulty, "product_offer/read")
    assert r.status_code == 200
    assert r.json() == {"isError": True, "messages": ["Internal error. Please try again later."],
                        "results": []}


def test_fault_truncated(faulty):
    _only(faulty, "truncated")
    r = post(session(), faulty, "product_offer/read", {"itemsPerPage": 20})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    assert int(r.headers["Content-Length"]) == len(r.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    faulty.configure(fault_rate=0)
    full = post(session(), faulty, "product_offer/read", {"itemsPerPage": 20})
    assert full.content.startswith(r.content) and len(r.content) == len(full.content) // 2


def test_fault_timeout(faulty):
    _only(faulty, "timeout")
    with pytest.raises(requests.Timeout):
        post(session(), faulty, "vat/read", timeout=0.15)
    t0 = time.monotonic()
    r = post(session(), faulty, "vat/read", timeout=5)
    assert r.status_code == 200 and r.json()["isError"] is False
    assert time.monotonic() - t0 >= 0.35
    assert faulty.stats()["accounts"]["main"]["faults"]["timeout"] == 2


def test_fault_rate_mix_is_reproducible():
    def run():
        sb = start(fault_rate=0.5, fault_kinds=["500", "iserror"], seed=9)
        try:
            s = session()
            return [post(s, sb, "vat/read").status_code for _ in range(30)], sb.stats()
        finally:
            sb.stop()

    (codes1, stats1), (codes2, _) = run(), run()
    assert codes1 == codes2
    faults = stats1["accounts"]["main"]["faults"]
    assert 5 <= faults["500"] + faults["iserror"] <= 25
    assert set(faults) == set(FAULT_KINDS)


def test_unknown_fault_kind_rejected(faulty):
    with pytest.raises(ValueError):
        faulty.configure(fault_kinds=["meteor"])
