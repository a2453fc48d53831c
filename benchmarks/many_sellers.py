"""Benchmark many sellers on Dagster (`make bench-many-sellers`).

Three figures, on the cluster of tests/orchestrate/test_many_sellers.py (Postgres, Redis, the
daemon, Celery workers on simulated hosts, one sandbox process serving every seller at eMAG's
3 requests/s per account):
1. Sellers per hour per worker, against the floor. A seller's floor is its busiest account's
   requests / 3 per second (its accounts run at once); with W workers of C runs each, the floor
   of S sellers is the sum of their floors / (W x C). Requests are the sandbox's own counts.
2. Memory per concurrent seller: the workers' proportional set size (PSS, every process of
   every worker) sampled each second, less the idle workers', divided by the loads running.
3. dbt over the union: `meltano invoke dbt:run` with EMAG_SELLERS of 50 and of 500 sellers,
   their raw schemas copied from a loaded seller (capped at --union-products per account), on
   an empty warehouse (dbt's schemas dropped: a first build), then once more with nothing new.
Writes the figures as JSON (--output) and prints a Markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support

import psycopg

from tap_emag.config import EMAG_REQUESTS_PER_SECOND
from tests.support.cluster import Cluster, Host, secrets_lines, seller_name
from tests.support.meltano_project import LocalPostgres, MeltanoProject
from tests.support.sandbox_process import SandboxProcess

LOAD_JOB = "emag_seller_load"
MARTS_JOB = "emag_marts_build"


def pss_kib(pid: int) -> int:
    """The process's proportional set size (shared pages split among their users), KiB."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class MemorySampler(threading.Thread):
    """Every second: the workers' total PSS and how many seller loads they are running."""

    def __init__(self, hosts: list[Host]) -> None:
        super().__init__(daemon=True)
        self.hosts = hosts
        self.samples: list[tuple[int, int]] = []  # (loads running, PSS KiB)
        self.done = threading.Event()

    def sample(self) -> tuple[int, int]:
        """(loads running, PSS KiB of every worker process) now."""
        loads, total = 0, 0
        for host in self.hosts:
            key = next(key for key in host.processes if key.startswith("worker"))
            for pid, command in host.tree(key):
                total += pss_kib(pid)
                loads += " run --state-id-suffix=" in command
        return loads, total

    def run(self) -> None:
        """Sample until told to stop."""
        while not self.done.wait(1.0):
            self.samples.append(self.sample())


def seller_floor(stats: dict, seller: str) -> tuple[float, int]:
    """The seller's floor (seconds) and its requests: its busiest account at 3/s."""
    counts = [account["requests"]["total"] for name, account in stats["accounts"].items()
              if name.startswith(f"{seller}/")]
    return max(counts) / EMAG_REQUESTS_PER_SECOND, sum(counts)


def measure_loads(args: argparse.Namespace, folder: Path, postgres: LocalPostgres,
                  ) -> tuple[dict, MeltanoProject]:
    """Load every seller through the cluster; throughput against the floor, and memory."""
    sellers = [seller_name(number) for number in range(1, args.sellers + 1)]
    with SandboxProcess([], "--sellers", str(args.sellers), "--seller-products",
                        str(args.products), "--seed", "5") as sandbox:
        registry, secrets = folder / "sellers.yml", folder / "secrets.env"
        registry.write_text(f"base_url: {sandbox.base_url}\nsellers:\n" + "".join(
            f"  - name: {seller}\n" for seller in sellers))
        secrets.write_text("\n".join(line for seller in sellers
                                     for line in secrets_lines(seller)) + "\n")
        project = MeltanoProject(folder / "meltano", sandbox.base_url, postgres, {},
                                 database=postgres.create_database("many_emag"))
        cluster = Cluster(folder, postgres, project.env, registry, secrets, hosts=args.workers,
                          overrides={"DAGSTER_WORKER_CONCURRENCY": str(args.concurrency),
                                     "EMAG_MAX_CONCURRENT_RUNS":
                                         str(args.workers * args.concurrency),
                                     "EMAG_SENSOR_INTERVAL_SECONDS": "5"})
        try:
            cluster.start()
            sampler = MemorySampler(cluster.hosts)
            idle = sampler.sample()[1]
            sampler.start()

            def loaded() -> list[dict] | None:
                runs = cluster.runs(LOAD_JOB)
                done = [run for run in runs if run["status"] == "SUCCESS"]
                failed = [run for run in runs if run["status"] == "FAILURE"]
                if failed:
                    msg = f"a load failed: {failed[0]}\n{cluster.logs()}"
                    raise RuntimeError(msg)
                return runs if len(done) == len(sellers) else None

            runs = cluster.wait(loaded, 3600, "every seller's load")
            sampler.done.set()
            stats = sandbox.stats()
        finally:
            cluster.stop()
    wall = max(run["endTime"] for run in runs) - min(run["startTime"] for run in runs)
    floors = {seller: seller_floor(stats, seller) for seller in sellers}
    slots = args.workers * args.concurrency
    floor = sum(seconds for seconds, _ in floors.values()) / slots
    per_load = [(pss - idle) / loads for loads, pss in sampler.samples if loads]
    busy = [loads for loads, _ in sampler.samples]
    return {
        "sellers": len(sellers), "products_per_account": args.products,
        "workers": args.workers, "runs_per_worker": args.concurrency,
        "requests": sum(count for _, count in floors.values()),
        "wall_seconds": round(wall, 1), "floor_seconds": round(floor, 1),
        "ratio_to_floor": round(wall / floor, 2),
        "sellers_per_hour_per_worker": round(len(sellers) * 3600 / wall / args.workers, 1),
        "floor_sellers_per_hour_per_worker":
            round(len(sellers) * 3600 / floor / args.workers, 1),
        "mean_load_seconds": round(sum(run["endTime"] - run["startTime"] for run in runs)
                                   / len(runs), 1),
        "idle_workers_pss_mib": round(idle / 1024, 1),
        "peak_loads_running": max(busy, default=0),
        "pss_per_running_load_mib": round(sorted(per_load)[len(per_load) // 2] / 1024, 1)
        if per_load else None,
    }, project


def copy_sellers(postgres: LocalPostgres, count: int, products: int) -> list[str]:
    """COUNT simulated sellers: seller_001's raw schema copied, PRODUCTS per account kept."""
    tables = [row[0] for row in postgres.query(
        "select table_name from information_schema.tables where table_schema = %s",
        ("emag_raw__seller_001",), database="many_emag")]
    names = [f"sim_{number:04d}" for number in range(1, count + 1)]
    statements = []
    for name in names:
        schema = f"emag_raw__{name}"
        statements.append(f"drop schema if exists {schema} cascade; create schema {schema};")
        for table in tables:
            where = ""  # names are our own (seller_001's tables, sim_NNNN): no user input
            if table in ("products", "product_gpsr"):  # both keyed by (account, id)
                where = (f" where (id, account) in (select id, account from (select id, "  # noqa: S608
                         f"account, row_number() over (partition by account order by id) as n "
                         f"from emag_raw__seller_001.products) kept where n <= {products})")
            statements.append(f"create table {schema}.{table} as select * from "  # noqa: S608
                              f"emag_raw__seller_001.{table}{where};")
    with psycopg.connect(postgres.dsn_for("many_emag"), autocommit=True) as connection:
        connection.execute("\n".join(statements))
    return names


def drop_outputs(postgres: LocalPostgres, keep: str) -> None:
    """Drop every schema dbt built (and raw schemas not matching KEEP): a first build again."""
    schemas = [row[0] for row in postgres.query(
        "select schema_name from information_schema.schemata where (schema_name = 'emag' "
        "or schema_name like 'emag\\_%%') and schema_name not like %s", (keep,),
        database="many_emag")]
    with psycopg.connect(postgres.dsn_for("many_emag"), autocommit=True) as connection:
        for schema in schemas:
            connection.execute(f"drop schema {schema} cascade")


def measure_union(project: MeltanoProject, postgres: LocalPostgres, sizes: list[int],
                  products: int) -> list[dict]:
    """dbt:run over SIZE simulated sellers on an empty warehouse, then again (nothing new)."""
    names = copy_sellers(postgres, max(sizes), products)
    results = []
    for size in sizes:
        drop_outputs(postgres, keep="emag\\_raw\\_\\_sim\\_%")
        for attempt in ("first", "again"):
            started = time.monotonic()
            result = project.invoke("dbt:run", extra_env={"EMAG_SELLERS": ",".join(names[:size])})
            seconds = time.monotonic() - started
            if result.returncode != 0:
                msg = f"dbt:run over {size} sellers failed:\n{result.stdout[-4000:]}"
                raise RuntimeError(msg)
            rows = postgres.query("select count(*), count(distinct seller) from emag.emag_products",
                                  database="many_emag")[0]
            results.append({"sellers": size, "build": attempt, "seconds": round(seconds, 1),
                            "emag_products_rows": rows[0], "sellers_in_marts": rows[1]})
    return results


def main() -> int:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sellers", type=int, default=24)
    parser.add_argument("--products", type=int, default=1000, help="per account")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2, help="runs per worker")
    parser.add_argument("--union-sizes", default="50,500")
    parser.add_argument("--union-products", type=int, default=40, help="per account")
    parser.add_argument("--output", default=".bench-many-sellers.json")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-many-sellers-"))
    postgres = LocalPostgres(folder / "pgdata")
    try:
        loads, project = measure_loads(args, folder, postgres)
        print(json.dumps(loads, indent=2), flush=True)
        project.env = {**project.env, "DBT_TARGET_PATH": str(folder / "dbt-union")}
        union = measure_union(project, postgres, [int(size) for size in
                                                  args.union_sizes.split(",")],
                              args.union_products)
    finally:
        postgres.stop()
    report = {"machine": f"{platform.node()}: {os.cpu_count()} cores, Python "
                         f"{platform.python_version()}", "loads": loads, "union": union}
    Path(args.output).write_text(json.dumps(report, indent=2))
    print(json.dumps(union, indent=2))
    print(f"\n| sellers | products/account | workers x runs | requests | wall | floor | ratio "
          f"| sellers/h/worker (floor) | PSS per running load |\n|---|---|---|---|---|---|---|"
          f"---|---|\n| {loads['sellers']} | {loads['products_per_account']} | "
          f"{loads['workers']} x {loads['runs_per_worker']} | {loads['requests']} | "
          f"{loads['wall_seconds']} s | {loads['floor_seconds']} s | "
          f"{loads['ratio_to_floor']}x | {loads['sellers_per_hour_per_worker']} "
          f"({loads['floor_sellers_per_hour_per_worker']}) | "
          f"{loads['pss_per_running_load_mib']} MiB |")
    for row in union:
        print(f"dbt:run over {row['sellers']} sellers ({row['build']} build): "
              f"{row['seconds']} s, {row['emag_products_rows']} rows of "
              f"{row['sellers_in_marts']} sellers in emag_products")
    return 0


if __name__ == "__main__":
    sys.exit(main())
