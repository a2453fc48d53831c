"""Benchmark target-emag against eMAG's write floor (`make bench-write-back`).

N price changes on one account, pushed while a tap scan of the same account runs: the two
share the account's 3 requests/s (the shared budget), as a push beside the hourly scan does.
The write floor is eMAG's limit on the writes alone: ceil(N / 50) requests at 3/s (10,000
changes: 200 requests, 67 s). The push also reads each offer before and after (step 3 and 5 of
target/target_emag/push.py; one pass over the catalogue's pages when that is cheaper than by
id), and the scan takes its share of the budget: the table gives the floor of everything the
two processes sent together as well. Figures come from the sandbox's own counts.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support
from bench import (
    BIN,
    CREDENTIALS,
    Sandbox,
    start_postgres,
    stop_postgres,
)

from tap_emag.config import EMAG_REQUESTS_PER_SECOND
from tests.support.target_input import run_target, target_config, write_account

OFFERS_PER_WRITE = 50


def plan(sandbox: Sandbox, changes: int) -> list[dict[str, object]]:
    """`changes` price rises of 5% on offers whose bounds allow them, as the mart's rows."""
    catalog = requests.get(f"{sandbox.admin}/catalog", params={"account": "main"},
                           timeout=600).json()
    rows = []
    for offer in catalog:
        price, high = offer.get("sale_price"), offer.get("max_sale_price")
        if not price or not high or Decimal(price) * Decimal("1.05") >= Decimal(high):
            continue
        planned = (Decimal(price) * Decimal("1.05")).quantize(Decimal("0.01"))
        rows.append({"account": "main", "product_id": offer["id"], "field": "sale_price",
                     "emag_value": format(Decimal(price).normalize(), "f"),
                     "planned_value": format(planned.normalize(), "f"),
                     "emag_read_at": "2026-12-05T10:00:00",
                     "min_sale_price": offer["min_sale_price"], "max_sale_price": high})
        if len(rows) == changes:
            return rows
    msg = f"only {len(rows)} offers can take a 5% rise; make the catalogue larger"
    raise RuntimeError(msg)


def main() -> int:
    """Run the push beside a scan and print the row."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--catalogue", type=int, default=12_000)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tap-emag-bench-write-"))
    env = {**os.environ, "TAP_EMAG_LOCK_DIRECTORY": str(workdir / "locks")}
    port = start_postgres(workdir / "pgdata")
    sandbox = Sandbox({"main": args.catalogue}, args.latency, EMAG_REQUESTS_PER_SECOND)
    user, password = CREDENTIALS["main"]
    account = {"name": "main", "username": user, "password": password,
               "base_url": sandbox.base_url}
    try:
        rows = plan(sandbox, args.changes)
        config = target_config(
            [write_account(**account)], f"postgresql://postgres@127.0.0.1:{port}/emag",
            dry_run=False, max_offers_per_run=args.changes, max_price_change_percent=10)
        (workdir / "tap.json").write_text(json.dumps({"accounts": [account]}))
        sandbox.reset_stats()
        scan = subprocess.Popen([str(BIN / "tap-emag"), "--config", str(workdir / "tap.json")],  # noqa: S603
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        push = run_target(workdir, config, rows, env=env, timeout=None)
        push_seconds = time.monotonic() - started
        scan.wait(timeout=3600)
        both_seconds = time.monotonic() - started
        writes = requests.get(f"{sandbox.admin}/writes", params={"account": "main"},
                              timeout=60).json()
        stats = sandbox.stats()["main"]
    finally:
        sandbox.stop()
        stop_postgres(workdir / "pgdata")
    if push.returncode != 0:
        print(push.stderr[-3000:], file=sys.stderr)
        return 1
    requests_total = stats["requests"]["total"]
    write_requests = len(writes["requests"])
    write_floor = math.ceil(args.changes / OFFERS_PER_WRITE) / EMAG_REQUESTS_PER_SECOND
    all_floor = requests_total / EMAG_REQUESTS_PER_SECOND
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}")
    print("| changes | catalogue | latency s | write requests | offers applied | push s |"
          " write floor s | push / write floor | requests of push + scan | both done s |"
          " floor of all requests s | both / that floor | 429s | max requests in a second |")
    print("|---" * 14 + "|")
    print(f"| {args.changes:,} | {args.catalogue:,} | {args.latency:g} | {write_requests} |"
          f" {writes['totals']['applied']:,} | {push_seconds:.1f} | {write_floor:.1f} |"
          f" **{push_seconds / write_floor:.2f}** | {requests_total} | {both_seconds:.1f} |"
          f" {all_floor:.1f} | {both_seconds / all_floor:.2f} | {stats['throttled_429']} |"
          f" {stats['max_requests_in_any_1s_window']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
