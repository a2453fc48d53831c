"""docs/screenshots/*.png: one screenshot per dashboard page, against the dev database.

Run after `make demo` (`make screenshots`): starts the dashboard as `make dashboard` does, on a
free port, loads every page in headless Chromium (the system's, as the browser tests use it)
and saves the whole page, however long. The server and the browser are the browser tests'
own (tests/support), so the pictures show what the tests check.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python scripts/screenshots.py` puts only scripts/ on the path
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page  # noqa: E402

from tests.support.browser import headless_page  # noqa: E402
from tests.support.dashboard import READY, DashboardServer  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PAGES = {  # file name -> url path (the first page is the app's root)
    "sync-health": "",
    "catalogue": "catalogue",
    "main-vs-fbe": "accounts",
    "changes": "changes",
    "conflicts": "conflicts",
}
WIDTH = 1400


def _shoot(page: Page, url: str, path: Path) -> None:
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_timeout(2500)  # plotly draws after the script ends
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": int(height) + 120})
    page.wait_for_timeout(1500)  # charts redraw at the new size
    page.screenshot(path=str(path))
    print(f"  {path.relative_to(ROOT)}")


def main() -> None:
    """Serve the dashboard, screenshot every page, stop it."""
    OUT.mkdir(parents=True, exist_ok=True)
    # no DASHBOARD_DB_* of our own: the dev environment's settings, as `make dashboard`
    server = DashboardServer(os.environ, {}, "--environment=dev")
    try:
        with headless_page(width=WIDTH) as browser:
            for name, path in PAGES.items():
                _shoot(browser.page, f"{server.url}/{path}", OUT / f"{name}.png")
            if browser.outside:
                sys.exit(f"the pages asked for the internet: {browser.outside}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
