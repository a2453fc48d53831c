"""Run the tap in-process against a sandbox and read back its Singer messages."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import typing as t
from dataclasses import dataclass, field

from tap_emag.tap import AccountsFailedError, TapEmag

# Test-only credentials for the local sandbox; the tests search all output for them.
PASSWORDS = {"main": "Main-S3cret-pass!", "fbe": "Fbe-S3cret-pass!"}
USERNAMES = {"main": "main-user", "fbe": "fbe-user"}


def tap_config(sandbox: t.Any, accounts: t.Iterable[str] = ("main", "fbe"),
               **settings: t.Any) -> dict[str, t.Any]:
    """Config for the named sandbox accounts, fast retries, no request pacing unless asked."""
    config: dict[str, t.Any] = {
        "accounts": [
            {"name": name, "username": USERNAMES[name], "password": PASSWORDS[name],
             "base_url": sandbox.base_url}
            for name in accounts
        ],
        "requests_per_second": 50,
        "order_requests_per_second": 50,
        "retry_backoff_seconds": 0.01,
        "request_timeout": 5,
        "progress_interval_seconds": 0,
    }
    config.update(settings)
    return config


@dataclass
class TapResult:
    """Everything one tap run wrote."""

    messages: list[dict[str, t.Any]]
    stdout: str
    logs: str
    error: Exception | None = None
    state: dict[str, t.Any] = field(default_factory=dict)

    def records(self, stream: str) -> list[dict[str, t.Any]]:
        """RECORD payloads of one stream, in order."""
        return [m["record"] for m in self.messages
                if m["type"] == "RECORD" and m["stream"] == stream]

    def product_ids(self, account: str, *, deleted: bool | None = None) -> list[int]:
        """Ids of emitted products of one account (only deletions, or only live ones)."""
        return [r["id"] for r in self.records("products") if r["account"] == account
                and (deleted is None or bool(r.get("_sdc_deleted_at")) == deleted)]

    def sync_run(self, account: str) -> dict[str, t.Any]:
        """The sync_runs record of one account."""
        (run,) = [r for r in self.records("sync_runs") if r["account"] == account]
        return run

    def bookmark(self, account: str) -> dict[str, t.Any]:
        """The products bookmark of one account in the final state."""
        return self.state["bookmarks"]["products"]["accounts"][account]


def selecting(*streams: str) -> dict[str, t.Any]:
    """The tap's catalog with only the named streams selected."""
    catalog = TapEmag(config={}, validate_config=False).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


def run_tap(config: dict[str, t.Any], state: dict[str, t.Any] | None = None,
            catalog: dict[str, t.Any] | None = None) -> TapResult:
    """One sync, capturing stdout (Singer messages) and the tap's log output."""
    stdout = io.StringIO()
    log_stream = io.StringIO()
    handler = logging.StreamHandler(log_stream)
    # The CLI logs at INFO; in-process the tap's loggers inherit the root's WARNING.
    tap_logger = logging.getLogger(TapEmag.name)
    tap_logger.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    error: Exception | None = None
    try:
        with contextlib.redirect_stdout(stdout):
            tap = TapEmag(config=copy.deepcopy(config), state=copy.deepcopy(state),
                          catalog=copy.deepcopy(catalog))
            try:
                tap.sync_all()
            except AccountsFailedError as exc:
                error = exc
    finally:
        root.removeHandler(handler)
        tap_logger.setLevel(logging.NOTSET)
    messages = [json.loads(line) for line in stdout.getvalue().splitlines() if line.strip()]
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    return TapResult(messages=messages, stdout=stdout.getvalue(), logs=log_stream.getvalue(),
                  error=error, state=states[-1] if states else {})
