"""Ordered concurrent page reading (`pagination.ordered_pages`), without a server."""

from __future__ import annotations

import random
import threading
import time

import pytest

from tap_emag.pagination import ordered_pages


def _catalogue_fetcher(total: int, page_size: int, delays: bool = True):
    calls: list[int] = []
    lock = threading.Lock()
    rng = random.Random(3)

    def fetch(page: int) -> list[dict]:
        with lock:
            calls.append(page)
            delay = rng.random() * 0.02 if delays else 0
        time.sleep(delay)  # pages finish out of order
        start = (page - 1) * page_size
        return [{"id": n} for n in range(start, min(start + page_size, total))]

    return fetch, calls


@pytest.mark.parametrize("known_pages", [None, 10])
def test_pages_come_out_in_order_and_stop_at_the_short_page(known_pages):
    fetch, calls = _catalogue_fetcher(total=950, page_size=100)
    pages = list(ordered_pages(fetch, page_size=100, known_pages=known_pages, max_in_flight=4))
    assert [number for number, _ in pages] == list(range(1, 11))
    assert [row["id"] for _, rows in pages for row in rows] == list(range(950))
    if known_pages:
        assert sorted(calls) == list(range(1, 11))  # no request past the known end
    else:
        assert max(calls) <= 10 + 3


def test_a_catalogue_that_grew_during_the_scan_is_read_to_its_end():
    fetch, _ = _catalogue_fetcher(total=1200, page_size=100)
    pages = list(ordered_pages(fetch, page_size=100, known_pages=10, max_in_flight=4))
    assert sum(len(rows) for _, rows in pages) == 1200
    assert pages[-1][0] == 13  # the empty page 13 ends it


def test_an_exact_multiple_of_the_page_size_ends_on_an_empty_page():
    fetch, _ = _catalogue_fetcher(total=300, page_size=100, delays=False)
    pages = list(ordered_pages(fetch, page_size=100, known_pages=None, max_in_flight=2))
    assert [len(rows) for _, rows in pages] == [100, 100, 100, 0]


def test_a_failing_page_stops_the_scan_with_its_error():
    def fetch(page: int) -> list[dict]:
        if page == 3:
            raise RuntimeError("page 3 broke")
        return [{"id": page}] * 10

    seen = []
    with pytest.raises(RuntimeError, match="page 3 broke"):
        for number, _ in ordered_pages(fetch, page_size=10, known_pages=None, max_in_flight=3):
            seen.append(number)
    assert seen == [1, 2]
