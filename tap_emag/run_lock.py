"""One scan of an account at a time, on this machine: an OS lock held for the whole run.

Cron starts the hourly scan whether or not the previous one has ended, and the daily full
sync shares its state. Two scans of one account would split its request budget and race on
one bookmark. Meltano's own guard (a running-job row per state id) only covers the same state
id, and a killed run holds it until its heartbeat is 5 minutes stale. `flock` covers every run of
the account on the machine whatever its state id, and the kernel releases it the moment the
holding process ends, however it ends: a lock can never outlive its run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import socket
import tempfile
import typing as t
from pathlib import Path

if t.TYPE_CHECKING:
    from tap_emag.config import Account
    from tap_emag.sync_run import SyncRuns

try:
    import fcntl
except ImportError:  # Windows: no flock; runs are not guarded there
    fcntl = None  # type: ignore[assignment]

LOCK_DIRECTORY_ENV = "TAP_EMAG_LOCK_DIRECTORY"


def lock_directory() -> Path:
    """Where the locks live: one directory per machine, so every project and job shares it."""
    configured = os.environ.get(LOCK_DIRECTORY_ENV)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "tap-emag-locks"


class AccountLock:
    """The lock on one account's `kind` of run (`scan` or `quick`), held until released.

    The file is named by a digest of the API address and the username (no credential is
    written); it holds who has the lock, so a run that finds it taken can say by whom.
    """

    def __init__(self, base_url: str, username: str, kind: str,
                 directory: Path | None = None) -> None:
        digest = hashlib.sha256(f"{base_url}\n{username}\n{kind}".encode()).hexdigest()[:20]
        self.kind = kind
        self.path = (directory or lock_directory()) / f"{kind}-{digest}.lock"
        self._file: t.IO[str] | None = None

    def acquire(self, run_id: str) -> dict[str, t.Any] | None:
        """Take the lock without waiting: None when taken, else what the holder wrote."""
        if fcntl is None:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _read_holder(handle.read())
            handle.close()
            return holder
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({
            "run_id": run_id, "pid": os.getpid(), "host": socket.gethostname(),
            "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }))
        handle.flush()
        self._file = handle
        return None

    def release(self) -> None:
        """Let the next run in (ending the process does the same)."""
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the flock
            self._file = None


class AccountLocks:
    """A run's locks on its accounts, and the accounts it skips because another run holds them.

    A skipped account reads nothing (no orders, no scan, no reference data), keeps its
    bookmarks as they were, and its sync-log row says which run holds it.
    """

    def __init__(self, run_id: str, kind: str, sync_runs: SyncRuns,
                 logger: logging.Logger) -> None:
        self._run_id = run_id
        self._kind = kind
        self._sync_runs = sync_runs
        self._logger = logger
        self._held: list[AccountLock] = []
        self._skipped: set[str] = set()

    def claim(self, accounts: t.Iterable[Account]) -> None:
        """Lock each account; one another run still holds is skipped, and its sync run says so."""
        for account in accounts:
            lock = AccountLock(account.base_url, account.username, self._kind)
            holder = lock.acquire(self._run_id)
            if holder is None:
                self._held.append(lock)
                continue
            self._skipped.add(account.name)
            reason = (f"skipped: {describe_holder(holder)} is still running a {self._kind} of"
                      f" this account; this run read nothing and left its bookmarks to that one")
            self._sync_runs.of(account.name).skip(reason)
            self._logger.warning("Account %r %s.", account.name, reason)

    def release(self) -> None:
        """Let the next run in (the kernel does it anyway when the process ends)."""
        for lock in self._held:
            lock.release()
        self._held.clear()

    def is_skipped(self, account_name: str) -> bool:
        """Whether another run holds the account, so this run leaves it alone."""
        return account_name in self._skipped


def _read_holder(text: str) -> dict[str, t.Any]:
    try:
        holder = json.loads(text)
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


def describe_holder(holder: t.Mapping[str, t.Any]) -> str:
    """`run <id> (pid <n> on <host>, started <time>)`, with what the holder wrote."""
    details = ", ".join(part for part in (
        f"pid {holder['pid']}" + (f" on {holder['host']}" if holder.get("host") else "")
        if holder.get("pid") else "",
        f"started {holder['started_at']}" if holder.get("started_at") else "",
    ) if part)
    run = f"run {holder['run_id']}" if holder.get("run_id") else "another run"
    return f"{run} ({details})" if details else run
