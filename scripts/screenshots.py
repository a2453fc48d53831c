"""docs/screenshots/*.png: one screenshot per dashboard page, against the dev database.

Run after `make demo` (`make screenshots`): starts the dashboard as `make dashboard` does, on a
free port, loads every page in headless Chromium (the system's, as the browser tests use it)
and saves the whole page, however long.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PAGES = {  # file name -> url path (the first page is the app's root)
    "sync-health": "",
    "catalogue": "catalogue",
    "main-vs-fbe": "accounts",
    "changes": "changes",
    "conflicts": "conflicts",
}
READY = ('[data-testid="stApp"][data-test-script-state="notRunning"]'
         '[data-test-connection-state="CONNECTED"]')
WIDTH = 1400


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("no Chromium on PATH: `make browser` installs Debian's")


def _serve(port: int) -> subprocess.Popen[str]:
    meltano = str(Path(sys.executable).parent / "meltano")
    process = subprocess.Popen(  # noqa: S603
        [meltano, "--environment=dev", "invoke", "dashboard:serve"], cwd=ROOT,
        env={**os.environ, "DASHBOARD_SERVER_PORT": str(port)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).ok:
                return process
        except requests.ConnectionError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGTERM)
    sys.exit("the dashboard did not start: try `make dashboard` to see why")


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
    port = _free_port()
    server = _serve(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=_chromium(),
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            for name, path in PAGES.items():
                _shoot(page, f"http://127.0.0.1:{port}/{path}", OUT / f"{name}.png")
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
