"""The demo behind `make demo`: local Postgres and sandbox, the scan, a quick sync, a report.

Every run after the first first applies "a day of changes" to the sandbox catalogue (price and
stock changes, new products, end of life, deletions; seeded, so reproducible), then runs
`meltano run emag-sync`, which then syncs incrementally. Then a few orders come in, and
`meltano run emag-quick-sync` re-reads by id only the offers they touched. Last, the
write-back: the seller's own price for one offer (local.products, local_priority), the plan,
`meltano run emag-push` as a dry run (nothing sent), then for real, each outcome from the write
log.
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
# the fields the demo's write-back may plan (dbt var emag_write_fields, docs/WRITE_BACK.md)
WRITE_FIELDS = '{"main": ["sale_price", "stock"]}'
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
    _write_back(meltano)
    _step("What was built", python, "scripts/report.py")


def _write_back(meltano: str) -> None:
    """A price of the seller's own, planned, pushed as a dry run, then for real."""
    with psycopg.connect(DSN, autocommit=True) as connection:
        offer = connection.execute(
            "select product_id, sale_price from emag.emag_products where account = 'main'"
            " and not is_deleted and sale_price * 1.05 < max_sale_price"
            " and product_id not in (select product_id from local.products"
            " where product_id is not null) order by product_id limit 1").fetchone()
        if offer is None:
            print("\n==> Write-back: no offer left to give a price of the seller's own")
            return
        price = round(offer[1] * 105 / 100, 2)
        print(f"\n==> Write-back: the seller's own price for offer {offer[0]}: {offer[1]} ->"
              f" {price} (local.products, local_priority)")
        connection.execute(
            "insert into local.products (account, product_id, sale_price, conflict_strategy)"
            " values ('main', %s, %s, 'local_priority')", (offer[0], price))
    env = {**os.environ, "EMAG_WRITE_FIELDS": WRITE_FIELDS}
    _step("The plan (dbt:run with emag_write_fields)", meltano, "invoke", "dbt:run", env=env)
    _step("meltano run emag-push: a dry run, nothing sent", meltano, "run", "emag-push",
          env=env)
    _show_writes()
    _step("meltano run emag-push, for real (TARGET_EMAG_DRY_RUN=false)", meltano, "run",
          "emag-push", env={**env, "TARGET_EMAG_DRY_RUN": "false"})
    _show_writes()


def _show_writes() -> None:
    with psycopg.connect(DSN) as connection:
        rows = connection.execute(
            "select product_id, field, emag_value, planned_value, outcome, message"
            " from emag.emag_offer_writes where is_latest_attempt order by recorded_at desc"
            " limit 5").fetchall()
    for offer, field, emag, planned, outcome, message in rows:
        print(f"  offer {offer} {field}: {emag} -> {planned}: {outcome}"
              f"{f' ({message})' if message else ''}")


if __name__ == "__main__":
    main()
