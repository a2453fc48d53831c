"""The dbt project on real loads: conflict rules, manual resolution, data and unit tests,
sqlfluff, docs, retention and the Meltano schedules."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal

import psycopg
import pytest

from tests.support.meltano_project import (
    MELTANO,
    ROOT,
    MeltanoProject,
    meltano_accounts,
    sandbox_accounts,
)
from tests.support.sandbox_process import SandboxProcess

SIZES = {"main": 400, "fbe": 300}


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(sandbox_accounts(SIZES), "--rate-limit", "0", "--seed", "23") as sb:
        yield sb


@pytest.fixture(scope="module")
def project(tmp_path_factory, sandbox, postgres):
    accounts = meltano_accounts(SIZES)
    project = MeltanoProject(tmp_path_factory.mktemp("meltano"), sandbox.base_url, postgres,
                             accounts, requests_per_second=100)
    result = project.run("tap-emag", "target-postgres", "dbt:run")
    assert result.returncode == 0, result.stderr[-3000:]
    return project


@pytest.fixture(scope="module")
def local_edits(project, postgres, sandbox):
    """Local data on three main products: an older price edit, a newer name edit, a stock
    edit under a per-product manual strategy. Returns the eMAG products they edit."""
    products = [p for p in sandbox.catalog("main") if p.get("status") == 1][:3]
    price, name, stock = products
    local_price = Decimal(price["sale_price"]) + Decimal("10.5")
    with psycopg.connect(postgres.dsn) as connection:
        connection.execute(
            "insert into local.products (account, product_id, sale_price, updated_at)"
            " values ('main', %s, %s, '2020-01-01 00:00:00+00')", (price["id"], local_price))
        connection.execute(
            "insert into local.products (account, part_number, name, updated_at)"
            " values ('main', %s, %s, now() + interval '1 day')",
            (name["part_number"], name["name"] + " (local)"))
        connection.execute(
            "insert into local.products (account, product_id, stock, conflict_strategy)"
            " values ('main', %s, %s, 'manual')", (stock["id"], stock["general_stock"] + 7))
    return {"price": (price, local_price), "name": (name, name["name"] + " (local)"),
            "stock": (stock, stock["general_stock"] + 7)}


def _dbt_run(project, strategy):
    result = project.invoke("dbt:run", extra_env={"EMAG_CONFLICT_STRATEGY": strategy})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def _resolved(postgres, product_id):
    (row,) = postgres.query(
        "select resolved_name, resolved_sale_price, resolved_stock, resolution_rule,"
        " resolution_winner, has_open_conflict from emag.emag_products where account = 'main'"
        " and product_id = %s", (product_id,))
    return row


@pytest.mark.parametrize("strategy, price_wins, name_wins", [
    ("emag_priority", "emag", "emag"),
    ("local_priority", "local", "local"),
    ("newest_wins", "emag", "local"),
])
def test_switching_the_strategy_changes_the_resolved_values(project, postgres, local_edits,
                                                            strategy, price_wins, name_wins):
    _dbt_run(project, strategy)
    (price_product, local_price) = local_edits["price"]
    (name_product, local_name) = local_edits["name"]
    _, resolved_price, _, rules, winners, _ = _resolved(postgres, price_product["id"])
    expected = local_price if price_wins == "local" else Decimal(price_product["sale_price"])
    assert resolved_price == expected
    assert (rules["sale_price"], winners["sale_price"]) == (strategy, price_wins)
    assert (rules["name"], winners["name"]) == ("no_local_value", "emag")
    resolved_name, _, _, rules, winners, _ = _resolved(postgres, name_product["id"])
    assert resolved_name == (local_name if name_wins == "local" else name_product["name"])
    assert (rules["name"], winners["name"]) == (strategy, name_wins)
    # the per-product manual strategy ignores the project's strategy
    stock_product, _ = local_edits["stock"]
    _, _, resolved_stock, rules, winners, open_conflict = _resolved(postgres, stock_product["id"])
    assert (rules["stock"], winners["stock"]) == ("manual", "pending") and open_conflict
    assert resolved_stock == stock_product["general_stock"]
    # local wins or not, nothing is written back to eMAG by default (var emag_write_fields)
    assert postgres.query("select count(*) from emag.emag_offer_updates") == [(0,)]


def test_a_manual_decision_closes_the_conflict(project, postgres, local_edits):
    _dbt_run(project, "manual")
    price_product, local_price = local_edits["price"]
    (status, emag_value, local_value), = postgres.query(
        "select status, emag_value, local_value from emag.emag_product_conflicts"
        " where account = 'main' and product_id = %s and field = 'sale_price'",
        (price_product["id"],))
    assert status == "open"
    assert Decimal(emag_value) == Decimal(price_product["sale_price"])
    assert Decimal(local_value) == local_price
    assert _resolved(postgres, price_product["id"])[1] == Decimal(price_product["sale_price"])

    with psycopg.connect(postgres.dsn) as connection:
        connection.execute(
            "insert into local.product_conflict_resolutions (account, product_id, field, winner,"
            " decided_by) values ('main', %s, 'sale_price', 'local', 'pricing team')",
            (price_product["id"],))
    _dbt_run(project, "manual")
    (status, resolved_at), = postgres.query(
        "select status, resolved_at from emag.emag_product_conflicts where account = 'main'"
        " and product_id = %s and field = 'sale_price'", (price_product["id"],))
    assert status == "resolved" and resolved_at is not None
    _, resolved_price, _, rules, winners, _ = _resolved(postgres, price_product["id"])
    assert resolved_price == local_price
    assert (rules["sale_price"], winners["sale_price"]) == ("manual", "local")


def test_the_write_back_plan_holds_only_the_fields_the_var_allows(project, postgres,
                                                                  local_edits):
    """Allowed (EMAG_WRITE_FIELDS, as a Meltano environment sets it), main's price
    (local_priority) is planned, as the comparable text of the conflict models, and nothing
    else; a field eMAG cannot take stops the compilation. (Nothing by default: above.)"""
    price_product, local_price = local_edits["price"]
    planned = project.invoke("dbt:run", extra_env={
        "EMAG_CONFLICT_STRATEGY": "local_priority",
        "EMAG_WRITE_FIELDS": '{"main": ["sale_price"], "fbe": ["stock"]}'})
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr[-3000:]
    rows = postgres.query(
        "select account, product_id, field, emag_value::numeric, planned_value::numeric,"
        " resolution_rule, emag_read_at is not null from emag.emag_offer_updates")
    assert rows == [("main", price_product["id"], "sale_price",
                     Decimal(price_product["sale_price"]), local_price, "local_priority", True)]
    refused = project.invoke("dbt", "parse", "--vars",
                             '{"emag_write_fields": {"main": ["sale_price", "name"]}}')
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "account 'main' names 'name', which target-emag cannot write" in output


def test_the_system_of_record_is_a_folder_and_schema_of_its_own(project, postgres):
    """The tables raw cannot give back: never rebuilt (full_refresh false, set on the folder),
    in the schema emag_system_of_record, and no other model is kept from --full-refresh."""
    listed = project.invoke("dbt", "ls", "--resource-type", "model", "--output", "json",
                            "--output-keys", "name", "config", "original_file_path")
    assert listed.returncode == 0, listed.stdout[-3000:]
    lines = (listed.stdout + listed.stderr).splitlines()  # meltano logs dbt's output
    models = [json.loads(line[line.index("{"):]) for line in lines if '"config"' in line]
    kept = {model["name"] for model in models if model["config"]["full_refresh"] is False}
    assert kept == {"int_emag__product_versions", "int_emag__field_resolutions"}
    assert {model["original_file_path"].split("/")[1] for model in models
            if model["name"] in kept} == {"system_of_record"}
    assert set(postgres.query(
        "select table_name from information_schema.tables"
        " where table_schema = 'emag_system_of_record'")) == {(name,) for name in kept}


def test_dbt_data_and_unit_tests_pass_on_real_data(project):
    result = project.invoke("dbt:test")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    listed = project.invoke("dbt", "ls", "--resource-type", "unit_test")
    assert listed.returncode == 0
    # one unit test per strategy, the per-product override, four for manual resolution, four
    # for the deletion of unlisted products (one: quick runs confirm nothing), one for the
    # conflicts' status, four for the history's out-of-order loads, four for orders and sales,
    # two for the stock cover, three for the sync log (quick runs, counted yet, the API
    # floor), one each for the attention list and the changes, two for the catalogue by SKU
    # (one in seller mode), one for the seller of single-seller mode, two for the write-back
    # plan and one for the write log's latest attempts
    assert (listed.stdout + listed.stderr).count("unit_test:emag.") == 35


def test_every_mart_holds_the_sandbox_catalogue(project, postgres):
    for account, size in SIZES.items():
        assert postgres.query("select count(*) from emag.emag_products where account = %s",
                              (account,)) == [(size,)]
        (current,), = postgres.query(
            "select products_total from emag.emag_sync_statistics where account = %s"
            " and is_current", (account,))
        assert current == size
    skus = postgres.query("select count(*), count(*) filter (where missing_in is null)"
                          " from emag.emag_catalog_by_sku")
    assert skus[0][1] > 0  # the two accounts share SKUs
    assert postgres.query("select count(distinct account) from emag.emag_sync_log") == [(2,)]
    assert postgres.query("select count(*) from emag.emag_product_history where is_current"
                          ) == [(sum(SIZES.values()),)]
    # a tap without the orders stream: the order marts exist, empty; nothing sold
    assert postgres.query("select count(*) from emag.emag_orders") == [(0,)]
    assert postgres.query("select count(*) from emag.emag_products where units_sold_30d > 0"
                          " or days_of_stock_left is not null") == [(0,)]


def test_old_sync_log_rows_are_purged_by_the_cleanup_job(project, postgres):
    with psycopg.connect(postgres.dsn) as connection:
        connection.execute(
            "insert into emag_raw.sync_runs (run_id, account, mode, status, started_at,"
            " finished_at) values ('old-run', 'main', 'full', 'completed',"
            " now() at time zone 'utc' - interval '40 days',"
            " now() at time zone 'utc' - interval '40 days')")
    kept_before = postgres.query("select count(*) from emag_raw.sync_runs"
                                 " where run_id <> 'old-run'")
    result = project.run("emag-log-cleanup", extra_env={"EMAG_LOG_RETENTION_DAYS": "30"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert postgres.query("select count(*) from emag_raw.sync_runs where run_id = 'old-run'"
                          ) == [(0,)]
    assert postgres.query("select count(*) from emag_raw.sync_runs") == kept_before
    assert postgres.query("select count(*) from emag.emag_sync_log where run_id = 'old-run'"
                          ) == [(0,)]


def test_sql_passes_sqlfluff_with_the_dbt_templater(project):
    result = project.invoke("sqlfluff:lint")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "All Finished" in result.stdout + result.stderr


def test_dbt_docs_generate(project):
    result = project.invoke("dbt:docs-generate")
    assert result.returncode == 0, result.stdout[-3000:]
    catalog = json.loads((project.dbt_target / "catalog.json").read_text())
    assert "model.emag.emag_products" in catalog["nodes"]
    assert "resolution_winner" in catalog["nodes"]["model.emag.emag_products"]["columns"]


def _minutes(spec: str) -> set[int]:
    """The minutes a cron minute field names (n, a-b/step)."""
    first, _, step = spec.partition("/")
    low, _, high = first.partition("-")
    return set(range(int(low), int(high or low) + 1, int(step or 1)))


def test_four_schedules_at_off_round_minutes():
    result = subprocess.run([MELTANO, "schedule", "list", "--format=json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=True)
    schedules = {s["name"]: s for s in json.loads(result.stdout)["schedules"]["job"]}
    assert set(schedules) == {"emag-hourly-sync", "emag-daily-full-sync",
                              "emag-quick-sync-every-10-minutes", "emag-daily-log-cleanup"}
    for schedule in schedules.values():
        minute = schedule["cron_interval"].split()[0]
        assert minute not in ("0", "00", "*")
    assert schedules["emag-hourly-sync"]["cron_interval"].split()[1] == "*"
    assert schedules["emag-daily-full-sync"]["cron_interval"].split()[1] == "2"
    # a re-emit that keeps the bookmark, not a stateless --full-refresh (which loses deletions)
    assert schedules["emag-daily-full-sync"]["env"]["TAP_EMAG_FULL_REEMIT"] == "true"
    # the sync runs leave overlaps to the tap's per-account lock, which logs a skipped run
    for name in ("emag-hourly-sync", "emag-daily-full-sync", "emag-quick-sync-every-10-minutes"):
        assert schedules[name]["env"]["MELTANO_RUN_FORCE"] == "true"
    assert schedules["emag-daily-log-cleanup"]["job"]["tasks"] == ["dbt:purge-sync-log"]
    # the quick sync: every 10 minutes, never at a round minute nor with the hourly scan
    quick = schedules["emag-quick-sync-every-10-minutes"]
    minutes = _minutes(quick["cron_interval"].split()[0])
    assert len(minutes) == 6 and sorted(minutes)[1] - sorted(minutes)[0] == 10
    assert 0 not in minutes and not minutes & _minutes(
        schedules["emag-hourly-sync"]["cron_interval"].split()[0])
    assert quick["job"]["tasks"] == ["tap-emag--quick target-postgres dbt:run"]
    assert schedules["emag-hourly-sync"]["job"]["tasks"] == [
        "tap-emag target-postgres dbt:run"]
