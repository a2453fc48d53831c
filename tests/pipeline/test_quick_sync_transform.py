"""The dbt project beside the quick sync: orders through target-postgres into the order marts
and the stock cover, a scan's reading that loads after a quick run's, and dbt runs that
overlap (the quick job's and the hourly job's).

The tap of this branch has no orders stream yet: orders and quick-run records are sent to
target-postgres as Singer messages shaped by the tap's schemas (ORDERS as the orders stream
declares it), so the raw tables have the types target-postgres gives them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import time
import typing as t
from decimal import Decimal

import psycopg
import pytest
import yaml

from tap_emag.schemas import ORDERS, PRODUCTS, SYNC_RUNS
from tests.support.meltano_project import (
    MELTANO,
    ROOT,
    MeltanoProject,
    meltano_accounts,
    sandbox_accounts,
)
from tests.support.sandbox_process import SandboxProcess

SIZES = {"main": 60}
UTC = dt.UTC


def _nullable(kind: str, **extra: t.Any) -> dict[str, t.Any]:
    return {"type": [kind, "null"], **extra}


INCREMENTAL_MODELS = ["int_emag__product_versions", "int_emag__products_current",
                      "int_emag__field_resolutions", "int_emag__catalogue_by_day",
                      "int_emag__sync_windows_by_day", "emag_sync_statistics"]


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(sandbox_accounts(SIZES), "--rate-limit", "0", "--seed", "41") as sb:
        yield sb


@pytest.fixture(scope="module")
def project(tmp_path_factory, sandbox, postgres):
    project = MeltanoProject(tmp_path_factory.mktemp("meltano"), sandbox.base_url, postgres,
                             meltano_accounts(SIZES), requests_per_second=100)
    result = project.run("tap-emag", "target-postgres", "dbt:run")
    assert result.returncode == 0, result.stderr[-3000:]
    return project


def _json(message: dict[str, t.Any]) -> str:
    """A Singer message with prices as exact JSON numbers, as the tap writes them."""
    def encode(value: t.Any) -> str:
        if isinstance(value, Decimal):
            return f"<decimal {value}>"
        raise TypeError(value)

    return re.sub(r'"<decimal ([-0-9.]+)>"', r"\1", json.dumps(message, default=encode))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _load(project: MeltanoProject, stream: str, schema: dict[str, t.Any], keys: list[str],
          records: list[dict[str, t.Any]]) -> None:
    """Send one stream's SCHEMA and RECORDs through target-postgres, as a tap run would."""
    messages = [{"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": keys}]
    messages += [{"type": "RECORD", "stream": stream, "record": record,
                  "time_extracted": _iso(dt.datetime.now(UTC))} for record in records]
    result = subprocess.run([MELTANO, "invoke", "target-postgres"], cwd=ROOT, env=project.env,
                            input="".join(_json(message) + "\n" for message in messages),
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]


def _dbt(project: MeltanoProject, *args: str) -> None:
    result = project.invoke("dbt", *(args or ("run",)))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _quick_run(run_id: str, started: dt.datetime, **counts: int) -> dict[str, t.Any]:
    return {"run_id": run_id, "account": "main", "mode": "quick", "status": "completed",
            "started_at": _iso(started), "finished_at": _iso(started + dt.timedelta(seconds=20)),
            "filtered": False, "created": None, "updated": None, "unchanged": None,
            "deleted": 0, "bookmark_origin_run_id": None, **counts}


def _raw_product(postgres, product_id: int) -> dict[str, t.Any]:
    """The product's raw row as the tap's record (without the loader's _sdc columns)."""
    (row,), = postgres.query("select to_jsonb(p) from emag_raw.products as p"
                             " where account = 'main' and id = %s", (product_id,))
    return {key: value for key, value in row.items() if not key.startswith("_sdc_")}


def _live_products(postgres, count: int, offset: int = 0) -> list[int]:
    rows = postgres.query("select id from emag_raw.products where account = 'main' and"
                          " _sdc_deleted_at is null and general_stock > 0 order by id"
                          " limit %s offset %s", (count, offset))
    return [row[0] for row in rows]


def _history(postgres, product_id: int) -> list[tuple[t.Any, ...]]:
    return postgres.query(
        "select version_hash, valid_from, previous_version_hash from"
        " emag_system_of_record.int_emag__product_versions where account = 'main'"
        " and product_id = %s order by valid_from", (product_id,))


def test_orders_reach_the_order_marts_and_the_stock_cover(project, postgres):
    p1, p2 = _live_products(postgres, 2)
    stock, part_number = postgres.query(
        "select general_stock, part_number from emag_raw.products where account = 'main'"
        " and id = %s", (p1,))[0]
    now = dt.datetime.now(UTC).replace(microsecond=0)

    def line(line_id, product_id, quantity, price, status=1):
        return {"id": line_id, "product_id": product_id, "part_number": f"PNK{product_id}",
                "ext_part_number": part_number if product_id == p1 else f"SKU{product_id}",
                "quantity": quantity, "sale_price": Decimal(price), "original_price": None,
                "vat": Decimal("0.21"), "currency": "RON", "status": status,
                "created": _iso(now), "modified": _iso(now)}

    def order(order_id, status, placed, lines, order_type=3, **extra):
        return {"account": "main", "id": order_id, "modified": _iso(now), "date": _iso(placed),
                "status": status, "type": order_type, "payment_mode_id": 1,
                "payment_mode": "COD", "currency": "RON", "lines": lines, "vouchers": [],
                "customer": None, "details": None, "extra": None, **extra}

    orders = [
        order(1, 4, now - dt.timedelta(days=1), [
            line(11, p1, 2, "100.00"), line(12, p2, 1, "50.50"), line(13, p2, 5, "50.50", 0)],
            # the tap loads personal data only when include_customer_data is set
            customer={"name": "Ion Popescu", "phone": "0722000000"}),
        order(2, 0, now - dt.timedelta(days=2), [line(21, p1, 10, "100.00")]),
        order(3, 1, now - dt.timedelta(hours=3), [line(31, p1, 1, "100.00")], order_type=2),
        order(4, 5, now - dt.timedelta(days=2), [line(41, p1, 3, "100.00")]),
        order(5, 2, now - dt.timedelta(days=40), [line(51, p1, 4, "100.00")]),
    ]
    _load(project, "orders", ORDERS, ["account", "id"], orders)
    _load(project, "sync_runs", SYNC_RUNS, ["run_id", "account"],
          [_quick_run("quick-orders", now, products_seen=2, emitted=0, orders_read=5,
                      order_requests=2, products_touched=2, products_deferred=0)])
    _dbt(project)

    totals = postgres.query(
        "select order_id, order_status, fulfilment, line_count, units, revenue,"
        " revenue_with_vat, is_counted_as_sale from emag.emag_orders order by order_id")
    assert totals[0] == (1, "finalized", "seller", 2, 3, Decimal("250.50"), Decimal("303.11"),
                         True)
    assert [row[1:3] for row in totals[1:]] == [
        ("canceled", "seller"), ("new", "fbe"), ("returned", "seller"), ("in_progress", "seller")]
    assert [row[7] for row in totals] == [True, False, True, False, True]
    assert postgres.query("select count(*), count(*) filter (where is_counted_as_sale)"
                          " from emag.emag_order_lines") == [(7, 4)]
    # no personal data in the marts: no such column, no such value
    columns = {row[0] for row in postgres.query(
        "select column_name from information_schema.columns where table_schema = 'emag'"
        " and table_name in ('emag_orders', 'emag_order_lines')")}
    assert not columns & {"customer", "details", "extra", "name", "phone", "email", "address"}
    assert postgres.query("select count(*) from emag.emag_orders as o"
                          " where o::text ilike '%%popescu%%'") == [(0,)]

    # the 40-day-old order is in the daily sales, not in the 7 or 30 days
    assert postgres.query(
        "select sum(units_sold), sum(orders) from emag.emag_product_sales_daily"
        " where account = 'main' and product_id = %s", (p1,)) == [(7, 3)]
    cover = postgres.query(
        "select product_id, units_sold_7d, units_sold_30d, days_of_stock_left,"
        " stock_observed_at from emag.emag_products where account = 'main'"
        " and product_id in (%s, %s) order by product_id = %s desc", (p1, p2, p1))
    assert cover[0][1:4] == (3, 3, round(Decimal(stock) * 28 / 3, 1))
    assert cover[1][1:3] == (1, 1)
    # the tap's full scan read the stock (or a later reading of this version); the quick run
    # confirms nothing
    (scan_started, scan_finished), = postgres.query(
        "select started_at, finished_at from emag.emag_sync_log where sync_mode = 'full'")
    (valid_from,), = postgres.query(
        "select valid_from from emag_system_of_record.int_emag__product_versions"
        " where account = 'main' and product_id = %s", (p1,))
    assert cover[0][4] == max(scan_started, valid_from)
    assert postgres.query("select distinct last_synced_at from emag.emag_products"
                          ) == [(scan_finished,)]
    assert postgres.query(
        "select products_created, products_updated, products_unchanged, orders_read,"
        " products_touched from emag.emag_sync_log where run_id = 'quick-orders'"
        ) == [(0, 0, 2, 5, 2)]
    _dbt(project, "test", "--select", "stg_emag__orders+", "stg_emag__order_lines+",
         "stg_emag__sync_runs")


def test_a_scan_reading_that_loads_after_a_quick_run_fits_into_the_history(project, postgres):
    """A scan started at t1 read X changed (v1), Y unchanged (v0) and Z after an order had
    changed it (v2); a quick run at t2 read all three at v2. The quick run's load and dbt run
    finished first, then the scan's rows landed, in a batch the loader stamped before the
    quick run's. X's v1 fits between v0 and v2, Y gets no second v0, Z's v2 starts at t1 (no
    second copy at t2), and the current values are v2."""
    x, y, z = _live_products(postgres, 3, offset=10)
    v0 = {pid: _history(postgres, pid)[-1][0] for pid in (x, y, z)}
    t0 = max(_history(postgres, pid)[-1][1] for pid in (x, y, z))
    t2 = dt.datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    t1 = t0 + (t2 - t0) / 2
    records = {pid: _raw_product(postgres, pid) for pid in (x, y, z)}

    def record(pid, moment, run_id, **changes):
        return {**records[pid], "version_observed_at": moment.isoformat(), "run_id": run_id,
                **changes}

    _load(project, "products", PRODUCTS, ["account", "id"], [
        record(pid, t2, "quick-late", content_hash=f"quick-{pid}", general_stock=1)
        for pid in (x, y, z)])
    _dbt(project)
    (quick_batch,), = postgres.query("select distinct _sdc_batched_at from emag_raw.products"
                                     " where account = 'main' and id in (%s, %s, %s)", (x, y, z))

    _load(project, "products", PRODUCTS, ["account", "id"], [
        record(x, t1, "scan-late", content_hash="scan-x1", general_stock=7),
        record(y, t1, "scan-late"),
        record(z, t1, "scan-late", content_hash=f"quick-{z}", general_stock=1)])
    with psycopg.connect(postgres.dsn) as connection:  # a batch begun before the quick one
        connection.execute("update emag_raw.products set _sdc_batched_at = %s"
                           " where account = 'main' and id in (%s, %s, %s)",
                           (quick_batch - dt.timedelta(minutes=1), x, y, z))
    _dbt(project)

    history = {pid: [row[0] for row in _history(postgres, pid)] for pid in (x, y, z)}
    assert history == {x: [v0[x], "scan-x1", f"quick-{x}"], y: [v0[y], f"quick-{y}"],
                       z: [v0[z], f"quick-{z}"]}
    assert [row[1:] for row in _history(postgres, x)][1:] == [(t1, v0[x]), (t2, v0[x])]
    assert [row[1:] for row in _history(postgres, z)][1:] == [(t1, v0[z])]
    current = postgres.query(
        "select product_id, content_hash, general_stock, version_observed_at"
        " from emag.emag_products where account = 'main' and product_id in (%s, %s, %s)",
        (x, y, z))
    assert {row[0]: row[1:] for row in current} == {
        x: (f"quick-{x}", 1, t2), y: (f"quick-{y}", 1, t2), z: (f"quick-{z}", 1, t1)}
    assert postgres.query(
        "select sale_price is not null, valid_to from emag.emag_product_history"
        " where account = 'main' and product_id = %s order by valid_from", (x,)
        ) == [(True, t1), (True, t2), (True, None)]


def _change_products(postgres, product_ids: list[int], run_id: str) -> None:
    """What a load does to raw: new content, observed and loaded now."""
    with psycopg.connect(postgres.dsn) as connection:
        connection.execute(
            "update emag_raw.products set content_hash = md5(random()::text),"
            " general_stock = general_stock + 1, run_id = %s,"
            " version_observed_at = clock_timestamp() at time zone 'utc',"
            " _sdc_batched_at = clock_timestamp() at time zone 'utc'"
            " where account = 'main' and id = any(%s)", (run_id, product_ids))


def _start_dbt(project: MeltanoProject, name: str, *args: str,
               command: str = "dbt:run") -> subprocess.Popen[str]:
    """A dbt step of the jobs (`dbt:run`, as they run it: through the build lock) in the
    background, with its own target and log folders (as each Meltano job should have: dbt's
    target folder is not safe to share between runs at once)."""
    env = {**project.env, "DBT_TARGET_PATH": str(project.workdir / f"target-{name}"),
           "DBT_LOG_PATH": str(project.workdir / f"logs-{name}")}
    return subprocess.Popen([MELTANO, "invoke", command, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _duplicates(postgres) -> dict[str, int]:
    keys = {
        "emag_system_of_record.int_emag__product_versions": "account, product_id, valid_from",
        "emag_intermediate.int_emag__products_current": "account, product_id",
        "emag_system_of_record.int_emag__field_resolutions": "account, product_id, field",
        "emag_intermediate.int_emag__catalogue_by_day": "account, stat_date",
        "emag_intermediate.int_emag__sync_windows_by_day": "account, stat_date",
        "emag.emag_sync_statistics": "account, stat_date",
    }
    return {table: postgres.query(f"select count(*) - count(distinct ({key})) from {table}")[0][0]
            for table, key in keys.items()}


def test_incremental_builds_of_two_runs_at_once_record_each_version_once(project, postgres):
    with psycopg.connect(postgres.dsn) as connection:  # local data: field resolutions to build
        connection.execute("insert into local.products (account, product_id, stock)"
                           " select account, id, general_stock + 5 from emag_raw.products"
                           " where account = 'main' order by id limit 10")
    products = _live_products(postgres, 20, offset=20)
    assert len(products) == 20
    for round_ in range(3):
        _change_products(postgres, products, f"overlap-{round_}")
        runs = [_start_dbt(project, side, "--select", *INCREMENTAL_MODELS) for side in "ab"]
        outputs = [run.communicate(timeout=600)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs[0][-3000:] + outputs[1][-3000:]
        assert postgres.query(
            "select count(*), count(distinct product_id) from"
            " emag_system_of_record.int_emag__product_versions where run_id = %s",
            (f"overlap-{round_}",)) == [(20, 20)]
    assert set(_duplicates(postgres).values()) == {0}
    assert postgres.query(
        "select count(*) from emag_system_of_record.int_emag__field_resolutions") == [(60,)]


def test_whole_runs_at_once_both_succeed_and_lose_or_duplicate_nothing(project, postgres):
    """Two complete `dbt:run`s at once (the quick job's and the scan's): without the build lock
    they fail on the views they both replace (dbt-postgres swaps a view by renaming it and
    dropping the old one); with it the second waits, and says so, and both succeed."""
    products = _live_products(postgres, 10, offset=40)
    assert len(products) == 10
    for round_ in range(2):
        _change_products(postgres, products, f"whole-{round_}")
        runs = [_start_dbt(project, side) for side in "ab"]
        outputs = [run.communicate(timeout=600)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs[0][-3000:] + outputs[1][-3000:]
        assert any("waiting for it to finish" in output for output in outputs)
        assert postgres.query(
            "select count(*), count(distinct product_id) from"
            " emag_system_of_record.int_emag__product_versions where run_id = %s",
            (f"whole-{round_}",)) == [(10, 10)]
    assert set(_duplicates(postgres).values()) == {0}


def _lock_key() -> int:
    """The build lock's key, as transform/run_exclusive.py declares it."""
    source = (ROOT / "transform" / "run_exclusive.py").read_text()
    return int(re.search(r"^LOCK_KEY = (\d+)", source, re.M)[1])


def _waiting_for_lock(postgres, step: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not postgres.query("select count(*) from pg_locks where locktype = 'advisory'"
                             " and not granted")[0][0]:
        assert step.poll() is None, step.communicate()[0][-3000:]
        assert time.monotonic() < deadline, "the step never waited for the lock"
        time.sleep(0.2)


def test_a_build_waits_for_the_lock_then_reads_what_was_committed(project, postgres):
    """A build that finds the build lock held (another dbt step writing) waits, and then reads
    the rows committed meanwhile."""
    (product,) = _live_products(postgres, 1, offset=5)
    with psycopg.connect(postgres.dsn) as holder:
        holder.execute("select pg_advisory_lock(%s)", (_lock_key(),))
        holder.execute("update emag_raw.products set content_hash = 'while-locked',"
                       " version_observed_at = now() at time zone 'utc', run_id = 'locked'"
                       " where account = 'main' and id = %s", (product,))
        build = _start_dbt(project, "waiting", "--select", "int_emag__product_versions")
        _waiting_for_lock(postgres, build)
        holder.commit()
        assert build.poll() is None
        holder.execute("select pg_advisory_unlock(%s)", (_lock_key(),))
    output = build.communicate(timeout=300)[0]
    assert build.returncode == 0, output[-3000:]
    assert postgres.query(
        "select version_hash from emag_system_of_record.int_emag__product_versions"
        " where account = 'main' and product_id = %s and run_id = 'locked'", (product,)
        ) == [("while-locked",)]


@pytest.mark.parametrize("step", ["dbt:prepare-sources", "dbt:purge-sync-log"])
def test_the_steps_that_write_outside_dbt_take_the_build_lock(project, postgres, step):
    with psycopg.connect(postgres.dsn, autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(%s)", (_lock_key(),))
        waiting = _start_dbt(project, step.split(":")[1], command=step)
        _waiting_for_lock(postgres, waiting)
        time.sleep(1)
        assert waiting.poll() is None
        holder.execute("select pg_advisory_unlock(%s)", (_lock_key(),))
    output = waiting.communicate(timeout=300)[0]
    assert waiting.returncode == 0, output[-3000:]
    assert "waiting for it to finish" in output


def test_every_dbt_command_that_writes_takes_the_build_lock():
    """Every command of the dbt utility but the read-only ones runs through run_exclusive.py,
    so no two writing dbt steps of the jobs overlap (there is no lock inside the models)."""
    config = yaml.safe_load((ROOT / "meltano.yml").read_text())
    (dbt,) = [u for u in config["plugins"]["utilities"] if u["name"] == "dbt"]
    read_only = {"test", "compile", "debug", "docs-generate"}
    writing = {name: command for name, command in dbt["commands"].items()
               if name not in read_only}
    assert {"run", "build", "seed", "prepare-sources", "create-local-tables", "create-write-log",
            "mark-unlisted-deleted", "purge-sync-log", "load-sample-local-products"} <= set(writing)
    for name, command in writing.items():
        assert command["args"].startswith("$MELTANO_PROJECT_ROOT/transform/run_exclusive.py "), name
    # the build steps of the jobs run the named writes outside dbt's schemas first, in the
    # same holding of the lock (what prepare-sources alone runs)
    prepare = "run-operation prepare_sources"
    assert writing["prepare-sources"]["args"].endswith(f"run_exclusive.py {prepare}")
    for name in ("run", "build"):
        assert writing[name]["args"].endswith(f"run_exclusive.py {prepare} --then {name}"), name
    for name in read_only:
        assert dbt["commands"][name]["args"].split()[0] in {"test", "compile", "debug", "docs"}


def test_dbt_alone_writes_nothing_outside_its_schemas_and_each_step_runs_on_its_own(
        project, postgres):
    """Without the seller's local tables, a bare `dbt run` (dbt_invoker, no run_exclusive.py)
    reads them as empty and does not create them; `dbt:create-local-tables` and
    `dbt:mark-unlisted-deleted`, each run on its own, do their one write. Last in the module:
    it drops the local schema."""
    with psycopg.connect(postgres.dsn, autocommit=True) as connection:
        connection.execute("drop schema local cascade")
    models = ("stg_local__products", "stg_local__conflict_resolutions")
    bare = project.invoke("dbt", "run", "-s", *models)
    assert bare.returncode == 0, (bare.stdout + bare.stderr)[-3000:]
    assert postgres.query("select to_regclass('local.products')") == [(None,)]
    for model in models:
        assert postgres.query(f"select count(*) from emag_staging.{model}") == [(0,)]

    created = project.invoke("dbt:create-local-tables")
    assert created.returncode == 0, (created.stdout + created.stderr)[-3000:]
    assert postgres.query(
        "select count(*) from information_schema.tables where table_schema = 'local'"
        " and table_name in ('products', 'product_conflict_resolutions')") == [(2,)]

    with psycopg.connect(postgres.dsn, autocommit=True) as connection:
        connection.execute("drop schema if exists emag_writes cascade")
    log = project.invoke("dbt:create-write-log")
    assert log.returncode == 0, (log.stdout + log.stderr)[-3000:]
    assert postgres.query("select count(*) from emag_writes.offer_writes") == [(0,)]

    deleted_before = postgres.query(
        "select count(*) from emag_raw.products where _sdc_deleted_at is not null")
    marked = project.invoke("dbt:mark-unlisted-deleted")
    assert marked.returncode == 0, (marked.stdout + marked.stderr)[-3000:]
    # every product of this module's catalogue is listed: nothing to mark
    assert postgres.query(
        "select count(*) from emag_raw.products where _sdc_deleted_at is not null"
    ) == deleted_before
