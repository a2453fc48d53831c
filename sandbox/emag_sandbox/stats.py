"""Request counters per account, readable by tests and the admin endpoint.

eMAG gives each account two rate budgets: order routes (12 requests/s) and everything else
(3 requests/s). Counters are kept per budget as well as in total, so a test can tell that a
client reading orders spent none of its product budget, and the reverse.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

from emag_sandbox.faults import FAULT_KINDS

BUDGETS = ("general", "orders")


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
            self._by_budget: dict[str, Counter[tuple[str, str]]] = {
                a: Counter() for a in self._accounts}
            self._blocked: Counter[str] = Counter()
            self._faults: dict[str, Counter[str]] = {a: Counter() for a in self._accounts}
            self._unauthenticated = 0

    def add(self, account: str) -> None:
        """Count an account added while serving, from zero."""
        with self._lock:
            if account in self._routes:
                return
            self._accounts.append(account)
            self._routes[account] = Counter()
            self._by_budget[account] = Counter()
            self._faults[account] = Counter()

    def arrival(self, account: str, route: str, budget: str = "general") -> None:
        """An authenticated request reached the account (throttled or not)."""
        with self._lock:
            self._total[account] += 1
            self._routes[account][route] += 1
            self._by_budget[account][budget, "requests"] += 1

    def accepted(self, account: str, budget: str = "general") -> None:
        """The request passed the rate limiter of its budget."""
        with self._lock:
            self._accepted[account] += 1
            self._by_budget[account][budget, "accepted"] += 1

    def throttled(self, account: str, budget: str = "general") -> None:
        """The rate limiter of the request's budget answered 429."""
        with self._lock:
            self._throttled[account] += 1
            self._by_budget[account][budget, "throttled_429"] += 1

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

    def snapshot(self, max_windows: dict[str, dict[str, int]]) -> dict[str, Any]:
        """Counters as plain JSON-ready data; ``max_windows[account][budget]`` from the limiters.

        Shape: ``{"accounts": {name: {...}}, "unauthenticated_401": n}``, plus each account
        mirrored at the top level for convenience (``stats["main"]``). An account's
        ``max_requests_in_any_1s_window`` is that of the general (3/s) budget; ``budgets``
        holds ``requests``, ``accepted``, ``throttled_429`` and the busiest window per budget.
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
                    "max_requests_in_any_1s_window": max_windows.get(name, {}).get("general", 0),
                    "budgets": {
                        budget: {
                            **{key: self._by_budget[name][budget, key]
                               for key in ("requests", "accepted", "throttled_429")},
                            "max_requests_in_any_1s_window":
                                max_windows.get(name, {}).get(budget, 0),
                        }
                        for budget in BUDGETS
                    },
                }
                for name in list(self._accounts)
            }
            out: dict[str, Any] = {"accounts": accounts,
                                   "unauthenticated_401": self._unauthenticated}
        for name, value in accounts.items():
            out.setdefault(name, value)
        return out
