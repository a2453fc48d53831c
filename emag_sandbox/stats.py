"""Request counters per account, readable by tests and the admin endpoint."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

from emag_sandbox.faults import FAULT_KINDS


class Stats:
    """Thread-safe counters; the busiest-window figure comes from the rate limiter."""

    def __init__(self, accounts: Iterable[str]) -> None:
        self._lock = threading.Lock()
        self._accounts = list(accounts)
        self.reset()

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self._total: Counter[str] = Counter()
            self._routes: dict[str, Counter[str]] = {a: Counter() for a in self._accounts}
            self._accepted: Counter[str] = Counter()
            self._throttled: Counter[str] = Counter()
            self._blocked: Counter[str] = Counter()
            self._faults: dict[str, Counter[str]] = {a: Counter() for a in self._accounts}
            self._unauthenticated = 0

    def arrival(self, account: str, route: str) -> None:
        """An authenticated request reached the account (throttled or not)."""
        with self._lock:
            self._total[account] += 1
            self._routes[account][route] += 1

    def accepted(self, account: str) -> None:
        """The request passed the rate limiter."""
        with self._lock:
            self._accepted[account] += 1

    def throttled(self, account: str) -> None:
        """The rate limiter answered 429."""
        with self._lock:
            self._throttled[account] += 1

    def fault(self, account: str, kind: str) -> None:
        """A fault of ``kind`` was injected."""
        with self._lock:
            self._faults[account][kind] += 1

    def blocked(self, account: str) -> None:
        """The simulated IP whitelist rejected the call."""
        with self._lock:
            self._blocked[account] += 1

    def unauthenticated(self) -> None:
        """A request had missing or wrong credentials (HTTP 401)."""
        with self._lock:
            self._unauthenticated += 1

    def snapshot(self, max_windows: dict[str, int]) -> dict[str, Any]:
        """Counters as plain JSON-ready data.

        Shape: ``{"accounts": {name: {...}}, "unauthenticated_401": n}``, plus each account
        mirrored at the top level for convenience (``stats["main"]``).
        """
        with self._lock:
            accounts = {
                name: {
                    "requests": {"total": self._total[name],
                                 "by_route": dict(sorted(self._routes[name].items()))},
                    "accepted": self._accepted[name],
                    "throttled_429": self._throttled[name],
                    "ip_blocked": self._blocked[name],
                    "faults": {kind: self._faults[name][kind] for kind in FAULT_KINDS},
                    "faults_total": sum(self._faults[name].values()),
                    "max_requests_in_any_1s_window": max_windows.get(name, 0),
                }
                for name in self._accounts
            }
            out: dict[str, Any] = {"accounts": accounts,
                                   "unauthenticated_401": self._unauthenticated}
        for name, value in accounts.items():
            out.setdefault(name, value)
        return out
