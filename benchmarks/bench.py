"""Benchmark tap-emag against the eMAG rate-limit floor (`make bench`, `make bench-smoke`).

Each scenario starts the eMAG sandbox as its own process, runs `tap-emag` as its own process
and reads the figures from what they report: the scan time from the tap's `sync_runs` records,
429s from the sandbox, peak RSS from the kernel (wait4), state size from the last STATE
message. The floor of a scan is pages / 3 s (eMAG: 3 requests/s per account, 100 products a
page); two accounts have separate budgets, so their floor is the larger account's.

The load-and-transform scenario starts a local Postgres (scripts/local_postgres.py), loads the
tap's output with target-postgres and runs dbt, then changes 1% of the catalogue and does it
again: the API scan is excluded from those timings. The naive baseline is what a typical
client does: one request at a time, a fixed 0.2 s sleep between pages, one account after the
other.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import requests

from tap_emag.config import EMAG_REQUESTS_PER_SECOND

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MELTANO_DIR = ROOT / ".meltano"
TARGET = MELTANO_DIR / "loaders" / "target-postgres" / "venv" / "bin" / "target-postgres"
DBT = MELTANO_DIR / "utilities" / "dbt" / "venv" / "bin" / "dbt"
CREDENTIALS = {"main": ("bench-main", "bench-main-password"),
               "fbe": ("bench-fbe", "bench-fbe-password")}


@dataclass
class Scenario:
    """One row of the table."""

    name: str
    sizes: dict[str, int]
    latency: float
    rate_limit: float = 3.0
    tap_rate: float = 3.0
    in_flight: int = 8
    kind: str = "scan"  # scan, naive, load, quick or overhead
    orders: int = 0  # quick: orders placed per account before the quick run
    order_seeds: tuple[int, ...] = ()  # quick: the placing seed per account (default 1, 2, ...)


@dataclass
class Result:
    """The figures of one scenario."""

    scenario: Scenario
    pages: int = 0
    wall: float = 0.0
    scan: float = 0.0
    floor: float = 0.0
    products: int = 0
    throttled: int = 0
    retries: int = 0
    rss_mb: float = 0.0
    state_bytes: float = 0.0
    load_transform: str = "-"
    first_wall: float = 0.0  # the first run (no state: reference data read too)
    reference_requests: int | None = None  # category and VAT requests of the second run
    notes: list[str] = field(default_factory=list)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])



def _scan_floor(scenario: Scenario) -> float:
    """The least time eMAG's rate allows a scan: the larger account's pages at its rate.

    Two accounts have a budget each, so they scan side by side.
    """
    return max(math.ceil(n / 100) for n in scenario.sizes.values()) / EMAG_REQUESTS_PER_SECOND

class Sandbox:
    """The sandbox CLI in a child process."""

    def __init__(self, sizes: dict[str, int], latency: float, rate_limit: float) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "emag_sandbox", "serve", "--port", str(self.port),
                   "--latency", str(latency), "--rate-limit", str(rate_limit), "--seed", "5"]
        for name, size in sizes.items():
            user, password = CREDENTIALS[name]
            command += ["--account", f"{name}:{user}:{password}:{size}"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE,  # noqa: S603
                                        stderr=subprocess.DEVNULL, text=True)
        self.process.stdout.readline()
        self.base_url = f"http://127.0.0.1:{self.port}/api-3"
        self.admin = f"http://127.0.0.1:{self.port}/_admin"

    def stats(self) -> dict:
        """Per-account request statistics."""
        return requests.get(f"{self.admin}/stats", timeout=30).json()["accounts"]

    def place_orders(self, account: str, count: int, seed: int) -> set[int]:
        """Place orders now; the offers whose stock they moved."""
        answer = requests.post(f"{self.admin}/orders", json={
            "account": account, "place": count, "seed": seed}, timeout=60)
        answer.raise_for_status()
        return set(answer.json()["product_ids"])

    def reset_stats(self) -> None:
        """Start counting requests from zero."""
        requests.post(f"{self.admin}/reset_stats", timeout=30).raise_for_status()

    def mutate(self, account: str, changed: int) -> None:
        """Change some products' prices or stock."""
        requests.post(f"{self.admin}/mutate", json={"account": account, "changed": changed},
                      timeout=60).raise_for_status()

    def stop(self) -> None:
        """Stop the sandbox process."""
        self.process.terminate()
        self.process.wait(timeout=10)


def tap_config(sandbox: Sandbox, scenario: Scenario) -> dict:
    """The tap's config for a scenario."""
    return {
        "accounts": [{"name": name, "username": CREDENTIALS[name][0],
                      "password": CREDENTIALS[name][1], "base_url": sandbox.base_url}
                     for name in scenario.sizes],
        "requests_per_second": scenario.tap_rate,
        "max_in_flight": scenario.in_flight,
        "progress_interval_seconds": 30,
    }


def run_tap(config: dict, output: Path, state: dict | None = None) -> tuple[float, float]:
    """Run tap-emag; (wall seconds, peak RSS in MB)."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    (workdir / "config.json").write_text(json.dumps(config))
    command = [str(BIN / "tap-emag"), "--config", str(workdir / "config.json")]
    if state is not None:
        (workdir / "state.json").write_text(json.dumps(state))
        command += ["--state", str(workdir / "state.json")]
    started = time.monotonic()
    with output.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)  # noqa: S603
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        msg = f"tap-emag exited {os.waitstatus_to_exitcode(status)}"
        raise RuntimeError(msg)
    return wall, usage.ru_maxrss / 1024


def read_output(path: Path) -> tuple[list[dict], dict]:
    """The sync_runs records and the last state of a tap run."""
    runs, state = [], {}
    with path.open("rb") as lines:
        for line in lines:
            if b'"sync_runs"' in line and b'"RECORD"' in line:
                runs.append(json.loads(line)["record"])
            elif line.startswith(b'{"type":"STATE"'):
                state = json.loads(line)["value"]
    return runs, state


def measure_scan(scenario: Scenario, workdir: Path) -> Result:
    """Two tap runs, as the hourly schedule makes them; the row holds the second one's figures.

    The first runs without state (every product, categories and VAT rates), the second with
    the first's state: its whole process, start to exit, is compared with the page floor.
    """
    result = Result(scenario)
    sandbox = Sandbox(scenario.sizes, scenario.latency, scenario.rate_limit)
    try:
        config = tap_config(sandbox, scenario)
        first = workdir / f"{scenario.name}-first.jsonl"
        result.first_wall, _ = run_tap(config, first)
        _, first_state = read_output(first)
        sandbox.reset_stats()
        output = workdir / f"{scenario.name}.jsonl"
        result.wall, result.rss_mb = run_tap(config, output, first_state)
        runs, state = read_output(output)
        stats = sandbox.stats()
    finally:
        sandbox.stop()
    started = min(datetime.fromisoformat(r["started_at"]) for r in runs)
    finished = max(datetime.fromisoformat(r["finished_at"]) for r in runs)
    result.scan = (finished - started).total_seconds()
    result.pages = sum(r["pages_fetched"] for r in runs)
    result.products = sum(r["products_seen"] for r in runs)
    result.retries = sum(r["retries"] for r in runs)
    result.throttled = sum(s["throttled_429"] for s in stats.values())
    result.reference_requests = sum(
        s["requests"]["by_route"].get(route, 0) for s in stats.values()
        for route in ("category/read", "vat/read"))
    bookmarks = state.get("bookmarks", {}).get("products", {}).get("accounts", {})
    result.state_bytes = (sum(len(b["fingerprints"]) for b in bookmarks.values())
                          / max(result.products, 1))
    result.floor = _scan_floor(scenario)
    return result


def measure_naive(scenario: Scenario) -> Result:
    """One request at a time, 0.2 s between pages, accounts one after the other."""
    result = Result(scenario)
    sandbox = Sandbox(scenario.sizes, scenario.latency, scenario.rate_limit)
    started = time.monotonic()
    try:
        for name in scenario.sizes:
            session = requests.Session()
            session.auth = CREDENTIALS[name]
            page = 1
            while True:
                answer = session.post(f"{sandbox.base_url}/product_offer/read", timeout=60,
                                      json={"data": {"currentPage": page, "itemsPerPage": 100}})
                if answer.status_code == 429:
                    result.throttled += 1
                    time.sleep(1)
                    continue
                rows = answer.json()["results"]
                result.pages += 1
                result.products += len(rows)
                if len(rows) < 100:
                    break
                page += 1
                time.sleep(0.2)
    finally:
        sandbox.stop()
    result.wall = result.scan = time.monotonic() - started
    result.floor = _scan_floor(scenario)
    return result


def measure_load(scenario: Scenario, workdir: Path, *, tap_only: bool = False) -> Result:
    """target-postgres + dbt time for a full load, then for a run with 1% changed.

    The row's tap figures are the full run's (the heavier: every product emitted); the notes
    give both runs' time, peak RSS and STATE messages (each one Meltano stores).
    """
    result = Result(scenario)
    port = start_postgres(workdir / "pgdata")
    sandbox = Sandbox(scenario.sizes, scenario.latency, scenario.rate_limit)
    try:
        config = tap_config(sandbox, scenario)
        full_output = workdir / "load-full.jsonl"
        full_wall, full_rss = run_tap(config, full_output)
        full_runs, state = read_output(full_output)
        full_states = state_messages(full_output)
        full = (0.0, 0.0) if tap_only else load_and_transform(full_output, port, workdir)
        for name, size in scenario.sizes.items():
            sandbox.mutate(name, changed=max(1, size // 100))
        incremental_output = workdir / "load-incremental.jsonl"
        wall, rss = run_tap(config, incremental_output, state)
        runs, final_state = read_output(incremental_output)
        incremental_states = state_messages(incremental_output)
        incremental = ((0.0, 0.0) if tap_only
                       else load_and_transform(incremental_output, port, workdir))
    finally:
        sandbox.stop()
        stop_postgres(workdir / "pgdata")
    result.wall = result.scan = full_wall
    result.rss_mb = max(full_rss, rss)
    result.products = sum(r["products_seen"] for r in full_runs)
    result.pages = sum(r["pages_fetched"] for r in full_runs)
    bookmarks = final_state.get("bookmarks", {}).get("products", {}).get("accounts", {})
    result.state_bytes = (sum(len(b["fingerprints"]) for b in bookmarks.values())
                          / max(result.products, 1))
    changed = sum(r["created"] + r["updated"] + r["deleted"] for r in runs)
    result.load_transform = "not loaded (--tap-only)" if tap_only else (
        f"{incremental[0]:.1f}+{incremental[1]:.1f}s vs {full[0]:.1f}+{full[1]:.1f}s full"
        f" = {sum(incremental) / sum(full):.0%}")
    def loaded(times: tuple[float, float]) -> str:
        return "" if tap_only else f"; target-postgres {times[0]:.1f}s, dbt run {times[1]:.1f}s"

    result.notes += [
        f"full run: tap {full_wall:.1f}s ({result.products / full_wall:,.0f} products/s),"
        f" peak RSS {full_rss:.0f} MB, {full_states[0]} STATE messages (largest"
        f" {full_states[1] / 1e6:.1f} MB){loaded(full)}",
        f"1% changed: tap {wall:.1f}s, peak RSS {rss:.0f} MB, {incremental_states[0]} STATE"
        f" messages (largest {incremental_states[1] / 1e6:.1f} MB), {changed:,} products"
        f" emitted{loaded(incremental)}",
    ]
    return result


def state_messages(path: Path) -> tuple[int, int]:
    """How many STATE messages a tap output holds, and the largest one's bytes."""
    count, largest = 0, 0
    with path.open("rb") as lines:
        for line in lines:
            if line.startswith(b'{"type":"STATE"'):
                count, largest = count + 1, max(largest, len(line))
    return count, largest


def measure_quick(scenario: Scenario, workdir: Path) -> Result:
    """`meltano run emag-quick-sync` after N orders per account, against `emag-sync`.

    Both jobs run whole (Meltano, tap, target-postgres, dbt) on a catalogue already loaded
    by a first scan, as a seller's schedules run them.
    """
    result = Result(scenario)
    port = start_postgres(workdir / "pgdata-quick")
    sandbox = Sandbox(scenario.sizes, scenario.latency, scenario.rate_limit)
    env = meltano_env(sandbox, scenario, port, workdir, "quick")

    def job(name: str) -> float:
        started = time.monotonic()
        subprocess.run([str(BIN / "meltano"), "run", name], cwd=ROOT, env=env,  # noqa: S603
                       check=True, capture_output=True)
        return time.monotonic() - started

    try:
        first_scan = job("emag-sync")
        job("emag-quick-sync")  # its own orders bookmark, as after its first scheduled run
        seeds = scenario.order_seeds or tuple(range(1, len(scenario.sizes) + 1))
        touched = {name: sandbox.place_orders(name, scenario.orders, seed=seeds[index])
                   for index, name in enumerate(scenario.sizes)}
        sandbox.reset_stats()
        quick = job("emag-quick-sync")
        quick_stats = sandbox.stats()
        sandbox.reset_stats()
        scan = job("emag-sync")
        scan_stats = sandbox.stats()
    finally:
        sandbox.stop()
        stop_postgres(workdir / "pgdata-quick")

    def spent(stats: dict) -> tuple[int, int, int]:
        routes = [s["requests"]["by_route"] for s in stats.values()]
        product_reads = sum(r.get("product_offer/read", 0) for r in routes)
        order_reads = sum(v for r in routes for k, v in r.items() if k.startswith("order/"))
        return sum(sum(r.values()) for r in routes), product_reads, order_reads

    offers = sum(map(len, touched.values()))
    quick_total, quick_reads, quick_orders = spent(quick_stats)
    scan_total, scan_pages, _ = spent(scan_stats)
    result.wall = result.scan = quick
    result.products = offers
    result.throttled = sum(s["throttled_429"] for s in quick_stats.values())
    # the floor of a quick run: its reads by id at 3/s per account (accounts in parallel)
    result.floor = max(len(ids) for ids in touched.values()) / EMAG_REQUESTS_PER_SECOND
    result.load_transform = f"whole job {quick:.1f}s vs scan job {scan:.1f}s"
    result.notes += [
        f"{scenario.orders} orders per account touched {offers} offers; the quick job spent"
        f" {quick_total} requests ({quick_reads} product reads by id, no page;"
        f" {quick_orders} on the order budget) in {quick:.1f}s; the hourly scan job on the"
        f" same catalogue {scan_total} requests ({scan_pages} product pages and counts) in"
        f" {scan:.1f}s (the first, full scan job: {first_scan:.1f}s)",
        f"stock age in emag_products after an order: quick sync every 10 minutes, at most"
        f" {600 + quick:.0f}s, {300 + quick:.0f}s on average; hourly scan only, at most"
        f" {3600 + scan:.0f}s, {1800 + scan:.0f}s on average",
    ]
    return result


def start_postgres(data: Path) -> int:
    """A local Postgres (scripts/local_postgres.py) on a free port; the port."""
    port = free_port()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "local_postgres.py"), "start",  # noqa: S603
                    "--data", str(data), "--port", str(port)], check=True, capture_output=True)
    return port


def stop_postgres(data: Path) -> None:
    """Stop it."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "local_postgres.py"), "stop",  # noqa: S603
                    "--data", str(data)], check=False, capture_output=True)


def meltano_env(sandbox: Sandbox, scenario: Scenario, port: int, workdir: Path,
                tag: str) -> dict[str, str]:
    """The environment of `meltano run` against this sandbox and Postgres, state of its own."""
    return {
        **os.environ,
        "MELTANO_DATABASE_URI": f"sqlite:///{workdir / f'meltano-{tag}.db'}",
        "TAP_EMAG_ACCOUNTS": json.dumps([
            {"name": name, "username": CREDENTIALS[name][0], "password": CREDENTIALS[name][1],
             "base_url": sandbox.base_url} for name in scenario.sizes]),
        "TARGET_POSTGRES_SQLALCHEMY_URL": f"postgresql+psycopg://postgres@127.0.0.1:{port}/emag",
        "DBT_POSTGRES_PORT": str(port), "DBT_TARGET_PATH": str(workdir / f"dbt-{tag}"),
        "DBT_LOG_PATH": str(workdir / f"dbt-{tag}-logs"), "EMAG_CONFLICT_STRATEGY": "",
    }


LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT[\d:.]+)Z \[\s*\w+\s*\] (\S+)\s+(.*)$")


def stage_times(stderr: str, launched: float) -> dict[str, float]:
    """Seconds spent in each stage of one `meltano run emag-sync`, from Meltano's log times.

    `launched` is the wall-clock time `meltano run` was started at.
    """
    lines = []
    for line in stderr.splitlines():
        if match := LOG_LINE.match(line):
            at = datetime.fromisoformat(match[1] + "+00:00").timestamp()
            lines.append((at, match[2], match[3]))
    tap = [at for at, name, _ in lines if name == "tap-emag"]
    blocks = [at for at, name, text in lines if name == "meltano" and "Block run completed" in text]
    scans = [float(m[1]) for _, name, text in lines if name == "tap-emag"
             and (m := re.search(r"sync completed in ([\d.]+)s", text))]
    dbt_lines = [(at, text) for at, name, text in lines if name == "dbt"]
    # dbt:run is two dbt invocations in one process: prepare_sources (a run-operation), then run
    dbt_starts = [at for at, text in dbt_lines if "Running with dbt" in text]
    dbt_started = dbt_starts[-1]
    models_started = next(at for at, text in dbt_lines if "Concurrency:" in text)
    models_done = next(at for at, text in dbt_lines if "Finished running" in text)
    return {
        "meltano start": lines[0][0] - launched,
        "to the tap's first line": tap[0] - lines[0][0],
        "tap": tap[-1] - tap[0],
        "product scan (API)": max(scans),
        "target and state after the tap": blocks[0] - tap[-1],
        "dbt start and prepare-sources": dbt_started - blocks[0],
        "dbt parse": models_started - dbt_started,
        "dbt models": models_done - models_started,
        "dbt end and Meltano exit": lines[-1][0] - models_done,
        "whole job": lines[-1][0] - launched,
    }


def measure_overhead(scenario: Scenario, workdir: Path) -> Result:
    """A no-change `meltano run emag-sync` (the hourly run when nothing changed), by stage.

    Three runs: a first, full one and a second to settle the state; the third is measured.
    """
    result = Result(scenario)
    port = start_postgres(workdir / "pgdata-overhead")
    sandbox = Sandbox(scenario.sizes, scenario.latency, scenario.rate_limit)
    env = meltano_env(sandbox, scenario, port, workdir, "overhead")
    try:
        for _ in range(2):
            subprocess.run([str(BIN / "meltano"), "run", "emag-sync"], cwd=ROOT, env=env,  # noqa: S603
                           check=True, capture_output=True)
        launched = time.time()
        run = subprocess.run([str(BIN / "meltano"), "run", "emag-sync"], cwd=ROOT, env=env,  # noqa: S603
                             check=True, capture_output=True, text=True)
    finally:
        sandbox.stop()
        stop_postgres(workdir / "pgdata-overhead")
    stages = stage_times(run.stderr, launched)
    result.wall = stages["whole job"]
    result.scan = stages["product scan (API)"]
    result.floor = _scan_floor(scenario)
    outside = result.wall - result.scan
    result.load_transform = f"{outside:.1f}s of {result.wall:.1f}s outside the scan"
    result.notes.append("no-change job by stage: " + ", ".join(
        f"{name} {seconds:.1f}s" for name, seconds in stages.items()))
    return result


def load_and_transform(output: Path, port: int, workdir: Path) -> tuple[float, float]:
    """Seconds for target-postgres to load `output`, and for `dbt run` after it."""
    config = workdir / "target.json"
    config.write_text(json.dumps({
        "sqlalchemy_url": f"postgresql+psycopg://postgres@127.0.0.1:{port}/emag",
        "default_target_schema": "emag_raw", "load_method": "upsert", "hard_delete": False,
        "add_record_metadata": True, "activate_version": False, "validate_records": False,
        "use_copy": True,
    }))
    started = time.monotonic()
    with output.open("rb") as messages:
        subprocess.run([str(TARGET), "--config", str(config)], stdin=messages,  # noqa: S603
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    loaded = time.monotonic()
    env = {**os.environ, "DBT_POSTGRES_PORT": str(port), "DBT_TARGET_PATH": str(workdir / "dbt"),
           "DBT_LOG_PATH": str(workdir / "dbt-logs"), "DBT_SOURCE_SCHEMA": "emag_raw"}
    subprocess.run([str(DBT), "run", "--project-dir", str(ROOT / "transform"),  # noqa: S603
                    "--profiles-dir", str(ROOT / "transform" / "profiles")], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    return loaded - started, time.monotonic() - loaded


def scenarios(smoke: bool) -> list[Scenario]:
    """The scenarios of the full benchmark, or the tiny ones of the smoke run."""
    if smoke:
        small = {"main": 600}
        return [
            Scenario("one account", small, 0.05),
            Scenario("two accounts", {"main": 600, "fbe": 400}, 0.05),
            Scenario("cpu-bound", {"main": 2000}, 0.0, rate_limit=0, tap_rate=1000, in_flight=4),
            Scenario("load+transform, 1% changed", {"main": 600, "fbe": 400}, 0.0, rate_limit=0,
                     tap_rate=1000, kind="load"),
            Scenario("naive baseline", small, 0.05, kind="naive"),
            Scenario("quick sync job", {"main": 600, "fbe": 400}, 0.05, orders=5,
                     kind="quick"),
            Scenario("no-change run overhead", {"main": 600, "fbe": 400}, 0.05,
                     kind="overhead"),
        ]
    whole_run = [
        Scenario(f"{'one account' if len(sizes) == 1 else 'two accounts'}", sizes, latency)
        for n in (3_000, 20_000)
        for sizes in ({"main": n}, {"main": n, "fbe": n})
        for latency in (0.0, 0.3, 1.0, 1.5)
    ]
    n = 20_000
    return [
        *whole_run,
        Scenario("cpu-bound", {"main": 100_000}, 0.0, rate_limit=0, tap_rate=1000, in_flight=4),
        Scenario("cpu-bound", {"main": 100_000, "fbe": 100_000}, 0.0, rate_limit=0,
                 tap_rate=1000, in_flight=4),
        Scenario("load+transform, 1% changed", {"main": 100_000, "fbe": 100_000}, 0.0,
                 rate_limit=0, tap_rate=1000, in_flight=4, kind="load"),
        Scenario("naive baseline", {"main": n, "fbe": n}, 0.3, kind="naive"),
        # the case: 50 orders touching 80 offers (these seeds, on this seeded sandbox)
        Scenario("quick sync job", {"main": n, "fbe": n}, 0.3, orders=25, order_seeds=(13, 7),
                 kind="quick"),
        Scenario("largest sellers (1,000,000 offers each)",
                 {"main": 1_000_000, "fbe": 1_000_000}, 0.0, rate_limit=0, tap_rate=1000,
                 in_flight=4, kind="load"),
        Scenario("no-change run overhead", {"main": n, "fbe": n}, 0.3, kind="overhead"),
    ]


def table(results: list[Result]) -> str:
    """The results as one Markdown table."""
    header = ("| scenario | accounts | products/account | latency s | pages | process s |"
              " scan s | floor s | process / floor | scan / floor | first run process s |"
              " category+VAT requests | products/s | 429s | retries | tap peak RSS MB |"
              " state B/product | load+transform |")
    lines = [header, "|---" * (header.count("|") - 1) + "|"]
    for r in results:
        s = r.scenario
        sizes = "/".join(f"{v:,}" for v in s.sizes.values())
        limited = bool(r.floor and s.rate_limit)
        process_ratio = f"**{r.wall / r.floor:.3f}**" if limited else "-"
        scan_ratio = f"{r.scan / r.floor:.3f}" if limited else "-"
        rate = f"{r.products / r.scan:,.0f}" if r.scan else "-"
        first = f"{r.first_wall:.1f}" if r.first_wall else "-"
        reference = "-" if r.reference_requests is None else str(r.reference_requests)
        lines.append(
            f"| {s.name} | {len(s.sizes)} | {sizes} | {s.latency:g} | {r.pages} | {r.wall:.1f} |"
            f" {r.scan:.1f} | {r.floor:.1f} | {process_ratio} | {scan_ratio} | {first} |"
            f" {reference} | {rate} | {r.throttled} | {r.retries} | {r.rss_mb:.0f} |"
            f" {r.state_bytes:.1f} | {r.load_transform} |")
    return "\n".join(lines)


def main() -> int:
    """Run the scenarios and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny catalogues (CI)")
    parser.add_argument("--only", help="run scenarios whose name contains this")
    parser.add_argument("--tap-only", action="store_true",
                        help="load+transform rows: the two tap runs only, nothing loaded")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tap-emag-bench-"))
    results = []
    for scenario in scenarios(args.smoke):
        if args.only and args.only not in scenario.name:
            continue
        print(f"... {scenario.name} {scenario.sizes} latency {scenario.latency}", flush=True)
        measure = {"scan": lambda s: measure_scan(s, workdir), "naive": measure_naive,
                   "load": lambda s: measure_load(s, workdir, tap_only=args.tap_only),
                   "quick": lambda s: measure_quick(s, workdir),
                   "overhead": lambda s: measure_overhead(s, workdir)}[scenario.kind]
        results.append(measure(scenario))
    print(f"\nmachine: {platform.node()}, {os.cpu_count()} cores, Python"
          f" {platform.python_version()}, {platform.platform()}")
    print(table(results))
    for r in results:
        for note in r.notes:
            print(f"- {r.scenario.name}: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
