"""The demo behind `make demo`: local Postgres and sandbox, the scan, a quick sync, a report.

Every run after the first first applies "a day of changes" to the sandbox catalogue (price and
stock changes, new products, end of life, deletions; seeded, so reproducible), then runs
`meltano run emag-sync`, which then syncs incrementally. Then a few orders come in, and
`meltano run emag-quick-sync` re-reads by id only the offers they touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DSN = "postgresql://postgres@127.0.0.1:55432/emag"
SANDBOX_ADMIN = "http://127.0.0.1:8765/_admin"
ORDERS_PER_ACCOUNT = 10
DAY_OF_CHANGES = {
    "main": {"changed": 50, "added": 10, "deleted": 5, "end_of_life": 3},
    "fbe": {"changed": 20, "added": 5, "deleted": 2, "end_of_life": 1},
}


def _step(title: str, *command: str, env: dict[str, str] | None = None) -> None:
    if title:
        print(f"\n==> {title}", flush=True)
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        sys.exit(f"step failed ({result.returncode}): {' '.join(command)}")


def _already_loaded() -> bool:
    with psycopg.connect(DSN) as connection:
        found = connection.execute("select to_regclass('emag_raw.products')").fetchone()[0]
        if found is None:
            return False
        return connection.execute("select count(*) from emag_raw.products").fetchone()[0] > 0


def _has_local_products() -> bool:
    with psycopg.connect(DSN) as connection:
        found = connection.execute("select to_regclass('local.products')").fetchone()[0]
        if found is None:
            return False
        return connection.execute("select count(*) from local.products").fetchone()[0] > 0


def main() -> None:
    """Run the demo."""
    python = sys.executable
    _step("Local PostgreSQL (data in .pgdata/)", python, "scripts/local_postgres.py", "start")
    _step("eMAG sandbox (state in .sandbox/)", python, "scripts/sandbox_service.py", "start")
    if _already_loaded():
        print("\n==> A day of changes in the sandbox catalogue")
        for account, changes in DAY_OF_CHANGES.items():
            result = requests.post(f"{SANDBOX_ADMIN}/mutate", json={"account": account, **changes},
                                   timeout=60).json()
            print(f"  {account}: " + ", ".join(f"{len(ids)} {kind.replace('_', ' ')}"
                                                for kind, ids in result.items()))
    meltano = str(BIN / "meltano")
    if not _has_local_products():
        _step("Sample local product edits (dbt seed, then local.products)", meltano, "invoke",
              "dbt:seed")
        _step("", meltano, "invoke", "dbt:load-sample-local-products")
    env = {**os.environ, "MELTANO_RUN_ID": str(uuid.uuid4())}
    _step("meltano run emag-sync (tap-emag target-postgres dbt:run)",
          meltano, "run", "emag-sync", env=env)
    print(f"\n==> {ORDERS_PER_ACCOUNT} new orders per account in the sandbox")
    for account in DAY_OF_CHANGES:
        result = requests.post(f"{SANDBOX_ADMIN}/orders", timeout=60,
                               json={"account": account, "place": ORDERS_PER_ACCOUNT}).json()
        print(f"  {account}: {len(result['placed'])} orders, stock moved on"
              f" {len(result['product_ids'])} offers")
    env = {**os.environ, "MELTANO_RUN_ID": str(uuid.uuid4())}
    _step("meltano run emag-quick-sync (the orders, then those offers re-read by id)", meltano,
          "run", "emag-quick-sync", env=env)
    _step("What was built", python, "scripts/report.py")


if __name__ == "__main__":
    main()
