"""Orders arriving by themselves while the sandbox serves (``--orders-per-hour``).

A real shop's catalogue moves under the client between two syncs: buyers order, the seller
prepares and ships, some orders are cancelled. Each account gets a background Poisson process
at the configured average rate: every event places one order and, with some probability,
advances one open order (60 %) and cancels another (10 %). The events' waiting times and
their choices are seeded per account, so the same seed gives the same sequence of events;
when they happen follows the wall clock. Every event goes through the same logged call as the
admin API, so a state file replays them.
"""

# ruff: noqa: S311  -- seeded, reproducible test data; nothing here is security-relevant

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable

from emag_sandbox.rng import label_seed

log = logging.getLogger("emag_sandbox")

ADVANCE_SHARE = 0.6
CANCEL_SHARE = 0.1

Step = Callable[[str, random.Random], None]


class OrderFlow:
    """A daemon thread that calls ``step(account, rng)`` at ``rate`` events per hour each."""

    def __init__(self, seed: int, accounts: Iterable[str], step: Step, rate: float = 0.0) -> None:
        self._seed = seed
        self._accounts: list[str] = []
        self._accounts_lock = threading.Lock()
        self._step = step
        self._timing: dict[str, random.Random] = {}
        self._choices: dict[str, random.Random] = {}
        self._wake = threading.Event()
        self._halt = threading.Event()
        for account in accounts:
            self.add(account)
        self._thread: threading.Thread | None = None
        self._rate = 0.0
        self.rate = rate

    def add(self, account: str) -> None:
        """Place orders in one more account too (its first from now on)."""
        with self._accounts_lock:
            if account in self._timing:
                return
            self._timing[account] = random.Random(label_seed(self._seed, account, "flow-times"))
            self._choices[account] = random.Random(
                label_seed(self._seed, account, "flow-choices"))
            self._accounts.append(account)
        self._wake.set()

    @property
    def rate(self) -> float:
        """Average events (orders placed) per hour per account; 0 = none."""
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        if value < 0:
            raise ValueError("orders_per_hour must be >= 0")
        self._rate = float(value)
        self._wake.set()

    def start(self) -> None:
        """Begin placing orders (idle while the rate is 0)."""
        if self._thread is not None:
            return
        self._halt.clear()
        self._thread = threading.Thread(target=self._run, name="emag-sandbox-orders",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop and wait for the thread."""
        self._halt.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _gap(self, account: str) -> float:
        return self._timing[account].expovariate(self._rate / 3600.0)

    def _run(self) -> None:
        due: dict[str, float] = {}
        rate = -1.0
        while not self._halt.is_set():
            self._wake.clear()
            if self._rate != rate:  # (re)schedule from now at the new rate
                rate = self._rate
                due = {}
            if rate > 0 and len(due) < len(self._accounts):  # new accounts start from now
                now = time.monotonic()
                with self._accounts_lock:
                    accounts = list(self._accounts)
                for account in accounts:
                    if account not in due:
                        due[account] = now + self._gap(account)
            if not due:
                self._wake.wait()
                continue
            account = min(due, key=due.__getitem__)
            delay = due[account] - time.monotonic()
            if delay > 0 and self._wake.wait(min(delay, 1.0)):
                continue
            if delay > 1.0:
                continue
            try:
                self._step(account, self._choices[account])
            except Exception:  # a failed event must not end the flow
                log.exception("order flow: event of account %r failed", account)
            due[account] += self._gap(account)
