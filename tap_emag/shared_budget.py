"""One account's request budget shared by every process on this machine that calls it.

eMAG counts an account's requests together, whoever sends them: a scan, the quick sync that
overlaps it every 10 minutes, a write-back run. Each process paces itself (`RateLimiter`), but
two processes at 3/s each would send 6/s. So before a request goes out, its process also takes
a turn in the account's ledger: a small file, under the same directory as the run locks (one
per machine, `TAP_EMAG_LOCK_DIRECTORY`), holding the times of the account's latest requests
from every process, read and written under `flock`. A request may go once the `slots`-th
latest one is a full window (plus the margin) old, the rule each `RateLimiter` keeps within its
own process. Times are `time.monotonic()`, one clock for every process of the machine (Linux's
CLOCK_MONOTONIC). Processes on other machines are not covered, as with the run locks.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from tap_emag.run_lock import lock_directory

try:
    import fcntl
except ImportError:  # Windows: no flock
    fcntl = None  # type: ignore[assignment]

MAX_SLEEP_SECONDS = 0.25  # re-read the ledger at least this often while waiting


class SharedBudget:
    """The ledger of one budget of one account on this machine.

    `key` names it: the API address, the username and which of the account's budgets (eMAG
    gives order routes one of their own); only its digest is written, no credential.
    """

    def __init__(self, key: str, slots: int, window: float,
                 directory: Path | None = None) -> None:
        digest = hashlib.sha256(key.encode()).hexdigest()[:20]
        self.path = (directory or lock_directory()) / f"budget-{digest}.ledger"
        self._slots = slots
        self._window = window

    def take_turn(self, margin: float) -> None:
        """Wait until a request of this account may go out from here, and record it."""
        if fcntl is None:  # no flock (Windows): each process paces only itself
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            wait = self._try_take(self._window * (1 + margin))
            if wait <= 0:
                return
            time.sleep(min(wait, MAX_SLEEP_SECONDS))

    def _try_take(self, window: float) -> float:
        """Record a request now and return 0, or return how long to wait first."""
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            recent = _times(os.pread(descriptor, 4096, 0))
            now = time.monotonic()
            recent = [moment for moment in recent if moment > now - window]
            if len(recent) >= self._slots:
                return recent[-self._slots] + window - now
            recent = [*recent[-(self._slots - 1):], now] if self._slots > 1 else [now]
            data = "".join(f"{moment:.6f}\n" for moment in recent).encode()
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, data, 0)
            return 0.0
        finally:
            os.close(descriptor)  # releases the flock


def _times(data: bytes) -> list[float]:
    """The ledger's times, oldest first; a line that does not read (a torn write) is skipped."""
    moments: list[float] = []
    for line in data.decode("ascii", errors="replace").splitlines():
        try:
            moments.append(float(line))
        except ValueError:
            continue
    return sorted(moments)
