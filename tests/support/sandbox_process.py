"""The sandbox as its own process, as eMAG is a server of its own.

Timing checks (requests per second as the server sees them) need the server out of the
tap's process: in one process both sides share one interpreter lock, which delays the
server's arrival clock by tens of milliseconds and would measure the test, not the tap.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import typing as t
from decimal import Decimal

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SandboxProcess:
    """`emag-sandbox serve` in a child process, driven through its /_admin API.

    ``accounts`` are `--account` values, `NAME:USERNAME:PASSWORD:PRODUCTS[:fbe|:main]`.
    """

    def __init__(self, accounts: t.Iterable[str], *options: str) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "emag_sandbox", "serve", "--port", str(self.port)]
        for account in accounts:
            command += ["--account", account]
        self._process = subprocess.Popen(
            [*command, *options], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        ready = self._process.stdout.readline() if self._process.stdout else ""
        if str(self.port) not in ready:
            self.stop()
            msg = f"sandbox did not start: {ready!r}"
            raise RuntimeError(msg)
        self.base_url = f"http://127.0.0.1:{self.port}/api-3"
        self.admin_url = f"http://127.0.0.1:{self.port}/_admin"

    def stats(self) -> dict[str, t.Any]:
        return requests.get(f"{self.admin_url}/stats", timeout=10).json()

    def catalog(self, account: str) -> list[dict[str, t.Any]]:
        response = requests.get(f"{self.admin_url}/catalog", params={"account": account},
                                timeout=60)
        response.raise_for_status()
        return json.loads(response.text, parse_float=Decimal)  # exact, as served

    def mutate(self, account: str, **changes: int) -> dict[str, list[int]]:
        response = requests.post(f"{self.admin_url}/mutate",
                                 json={"account": account, **changes}, timeout=60)
        response.raise_for_status()
        return response.json()

    def writes(self, account: str) -> dict[str, t.Any]:
        """The offer writes the account received: `{"requests": [...], "totals": {...}}`."""
        return t.cast(dict[str, t.Any], self.admin_get("writes", account=account))

    def admin_get(self, action: str, **query: str) -> t.Any:
        """GET /_admin/ACTION?QUERY (e.g. bad_records)."""
        response = requests.get(f"{self.admin_url}/{action}", params=query, timeout=60)
        response.raise_for_status()
        return response.json()

    def admin(self, action: str, **body: t.Any) -> dict[str, t.Any]:
        """POST /_admin/ACTION (configure, password, ip_blocked, reset_stats...)."""
        response = requests.post(f"{self.admin_url}/{action}", json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
