"""The dashboard as a seller starts it (`meltano invoke dashboard:serve`), and reading its
pages in headless Chromium: the figures of st.metric, the cells of tables, charts drawn."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
import typing as t

import requests
from playwright.sync_api import Page

from tests.support.meltano_project import MELTANO, ROOT
from tests.support.sandbox_process import free_port

READY = ('[data-testid="stApp"][data-test-script-state="notRunning"]'
         '[data-test-connection-state="CONNECTED"]')


class DashboardServer:
    """`meltano invoke dashboard:serve` on a free port, against the given database."""

    def __init__(self, env: t.Mapping[str, str], database: t.Mapping[str, str],
                 *meltano_options: str) -> None:
        """`database`: the DASHBOARD_DB_* variables (none: the environment's settings)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "DASHBOARD_SERVER_PORT": str(self.port), **database}
        self._log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (read at the end)
        # its own process group: meltano starts streamlit as a child, both are stopped
        self.process = subprocess.Popen([MELTANO, *meltano_options, "invoke", "dashboard:serve"],
                                        cwd=ROOT, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                msg = f"the dashboard exited: {self.output()[-3000:]}"
                raise RuntimeError(msg)
            try:
                if requests.get(f"{self.url}/_stcore/health", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        self.stop()
        msg = "the dashboard did not answer within 90 s"
        raise RuntimeError(msg)

    def output(self) -> str:
        """What meltano and streamlit printed (after stop)."""
        self._log.seek(0)
        return self._log.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


DRAWN_CHARTS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .filter(chart => chart.querySelector('.main-svg')).length"""


def open_page(page: Page, url: str, shown: str, charts: int = 0) -> None:
    """Load a dashboard page; wait until `shown` (a CSS selector) is there, the script has
    finished and `charts` charts are drawn."""
    page.goto(url)
    page.wait_for_selector(shown, timeout=60_000)
    page.wait_for_selector(READY, timeout=60_000)
    if charts:
        page.wait_for_function(f"n => ({DRAWN_CHARTS})() >= n", arg=charts, timeout=60_000)


def exceptions(page: Page) -> list[str]:
    """The Streamlit exceptions a page shows (an error in a page's code shows as one)."""
    return [element.inner_text() for element in
            page.query_selector_all('[data-testid="stException"]')]


def metrics(page: Page, scope: str) -> dict[str, str]:
    """Label -> shown value of the metrics inside the element `scope` (a CSS selector)."""
    found = {}
    for metric in page.query_selector_all(f'{scope} [data-testid="stMetric"]'):
        label = metric.query_selector('[data-testid="stMetricLabel"]')
        value = metric.query_selector('[data-testid="stMetricValue"]')
        assert label is not None and value is not None
        found[label.inner_text().strip()] = value.inner_text().strip()
    return found


def count(shown: str) -> int:
    """A metric's count as shown ('1,234')."""
    return int(shown.replace(",", ""))


def table(page: Page, key: str) -> list[dict[str, str]]:
    """The rows a table shows (the ones drawn: small tables, or the first screenful)."""
    scope = f".st-key-table-{key}"
    if page.query_selector(f'{scope} [data-testid="stDataFrame"]'):
        page.wait_for_selector(f'{scope} [role="gridcell"]', state="attached",
                               timeout=30_000)
    headers = [cell.inner_text().strip() for cell in
               page.query_selector_all(f'{scope} [role="columnheader"]')]
    rows = []
    for row in page.query_selector_all(f'{scope} tbody [role="row"]'):
        cells = [cell.inner_text().strip() for cell in row.query_selector_all('[role="gridcell"]')]
        rows.append(dict(zip(headers, cells, strict=False)))
    return rows


def charts(page: Page) -> int:
    """How many plotly charts are drawn (a chart has several `.main-svg` layers)."""
    return int(page.evaluate(DRAWN_CHARTS))
