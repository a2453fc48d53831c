"""Headless Chromium for the browser tests, driven by Playwright.

The browser is the system's own (Debian's `chromium`, which `.ci/run` installs): Playwright's
browser download is not reachable from the machines this project is built on. Every request
the page makes to anything but 127.0.0.1 is refused and recorded, so a test also proves the
page needs no internet.
"""

from __future__ import annotations

import contextlib
import shutil
import typing as t
from dataclasses import dataclass, field
from urllib.parse import urlparse

from playwright.sync_api import Page, Route, sync_playwright

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def chromium_path() -> str:
    """The system Chromium, or a clear error naming how to get it."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    msg = "no Chromium on PATH: install Debian's `chromium` (apt-get install -y chromium)"
    raise RuntimeError(msg)


@dataclass
class Browser:
    """One page in a fresh headless Chromium; `outside` lists refused non-local requests."""

    page: Page
    outside: list[str] = field(default_factory=list)


@contextlib.contextmanager
def headless_page(width: int = 1400, height: int = 1000) -> t.Iterator[Browser]:
    """A page in headless Chromium that may only talk to this machine."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            held = Browser(page)

            def only_local(route: Route) -> None:
                url = route.request.url
                host = urlparse(url).hostname or ""
                if url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
                    route.continue_()
                else:
                    held.outside.append(url)
                    route.abort()

            context.route("**/*", only_local)
            yield held
        finally:
            browser.close()
