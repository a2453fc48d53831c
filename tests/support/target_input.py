"""target-emag run as Meltano runs it: its config in a file, the plan on stdin as the Singer
messages tap-postgres sends reading the mart emag_offer_updates. Shared by the target's tests
and benchmarks/write_back.py, so that both feed it the same input."""

from __future__ import annotations

import json
import subprocess
import sys
import typing as t
from pathlib import Path

TARGET = str(Path(sys.executable).parent / "target-emag")
STREAM = "emag-emag_offer_updates"  # what tap-postgres names the mart's stream


def plan_messages(rows: t.Sequence[t.Mapping[str, t.Any]]) -> str:
    """The plan's rows as Singer JSON lines: a SCHEMA naming their columns, a RECORD a row."""
    schema = {"type": "SCHEMA", "stream": STREAM, "key_properties": [],
              "schema": {"type": "object", "properties": {name: {} for name in rows[0]}}}
    records = ({"type": "RECORD", "stream": STREAM, "record": row} for row in rows)
    return "\n".join(json.dumps(message) for message in [schema, *records]) + "\n"


def write_account(name: str, username: str, password: str, base_url: str,
                  **settings: t.Any) -> dict[str, t.Any]:
    """One entry of target-emag's `accounts`, its writes on (off is the default)."""
    return {"name": name, "username": username, "password": password, "base_url": base_url,
            "writes_enabled": True, **settings}


def target_config(accounts: t.Sequence[t.Mapping[str, t.Any]], write_log_url: str,
                  **settings: t.Any) -> dict[str, t.Any]:
    """target-emag's config: the accounts, the write log's database, any other setting."""
    return {"accounts": list(accounts), "write_log_url": write_log_url, **settings}


def run_target(workdir: Path, config: t.Mapping[str, t.Any],
               rows: t.Sequence[t.Mapping[str, t.Any]], *, env: t.Mapping[str, str] | None = None,
               timeout: float | None = 300) -> subprocess.CompletedProcess[str]:
    """target-emag's CLI on the rows, its config written to workdir/target.json."""
    path = workdir / "target.json"
    path.write_text(json.dumps(config))
    return subprocess.run([TARGET, "--config", str(path)], input=plan_messages(rows),
                          capture_output=True, text=True, timeout=timeout, check=False, env=env)
