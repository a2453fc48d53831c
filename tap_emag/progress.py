"""Progress lines for long scans: a 100,000-product account takes minutes at the rate limit."""

from __future__ import annotations

import logging
import time


class ScanProgress:
    """Logs page n/N, percentage, products/s and ETA for one account every few seconds."""

    def __init__(self, account: str, logger: logging.Logger, interval: float) -> None:
        self._account = account
        self._logger = logger
        self._interval = interval
        self._started = time.monotonic()
        self._last_log = self._started
        self.total_pages: int | None = None
        self.pages = 0
        self.products = 0

    def page_done(self, page: int, products: int) -> None:
        """Count a page and log when the interval has passed."""
        self.pages = max(self.pages, page)
        self.products += products
        now = time.monotonic()
        if now - self._last_log >= self._interval:
            self._last_log = now
            self._logger.info("%s", self.line(now))

    def line(self, now: float | None = None) -> str:
        """One progress line."""
        elapsed = max((now or time.monotonic()) - self._started, 1e-6)
        rate = self.products / elapsed
        if self.total_pages:
            share = min(self.pages / self.total_pages, 1.0)
            eta = elapsed * (1 - share) / share if share else float("nan")
            return (f"{self._account}: page {self.pages}/{self.total_pages} ({share:.0%}),"
                    f" {self.products} products, {rate:.0f} products/s, ETA {eta:.0f}s")
        return (f"{self._account}: page {self.pages}, {self.products} products,"
                f" {rate:.0f} products/s")

    @property
    def elapsed(self) -> float:
        """Seconds since the scan started."""
        return time.monotonic() - self._started
