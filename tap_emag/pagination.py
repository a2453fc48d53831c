"""Read the pages of one account's catalogue with several requests in flight, in page order.

At eMAG's few requests a second (`config.EMAG_REQUESTS_PER_SECOND`) and a response time of up
to 1.5 s, one request at a time cannot reach the rate limit; a small window of concurrent page
requests (each still paced by the account's rate limiter) does. Pages are handed on strictly
in order, so records and state stay deterministic.
"""

from __future__ import annotations

import typing as t
from concurrent.futures import Future, ThreadPoolExecutor

Page = list[dict[str, t.Any]]


def ordered_pages(
    fetch: t.Callable[[int], Page],
    *,
    page_size: int,
    known_pages: int | t.Callable[[], int | None] | None,
    max_in_flight: int,
) -> t.Iterator[tuple[int, Page]]:
    """Yield (page number, rows) from page 1 until a short or empty page.

    `known_pages` (from product_offer/count; a callable when the count is still on its way)
    bounds the look-ahead so no request is wasted past the end; without it at most
    `max_in_flight - 1` requests look past the end. A catalogue that grew during the scan is
    still read to its end, since only a short page stops the scan.
    """
    pages_known = known_pages if callable(known_pages) else (lambda: known_pages)
    limit: int | None = None
    pending: dict[int, Future[Page]] = {}
    next_page, wanted = 1, 1
    with ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="page") as pool:
        try:
            while True:
                if (total := pages_known()) and (limit is None or total > limit):
                    limit = max(total, wanted)  # a later, larger total (the count) extends it
                while len(pending) < max_in_flight and (limit is None or next_page <= limit):
                    pending[next_page] = pool.submit(fetch, next_page)
                    next_page += 1
                if wanted not in pending:
                    pending[wanted] = pool.submit(fetch, wanted)
                    next_page = wanted + 1
                rows = pending.pop(wanted).result()
                yield wanted, rows
                if len(rows) < page_size:
                    return
                if limit is not None and wanted >= limit:
                    limit = wanted + 1  # the catalogue grew: keep reading one page at a time
                wanted += 1
        finally:
            for future in pending.values():
                future.cancel()
