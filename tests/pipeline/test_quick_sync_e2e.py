"""The quick sync end to end: `meltano run emag-quick-sync` (tap-emag--quick, target-postgres,
dbt) brings the stock of every offer that orders touched into emag.emag_products, reads no
product page, loads orders exactly and no personal data; and a quick run overlapping an hourly
scan leaves the history without duplicates and the catalogue exact.

The sandbox runs at eMAG's budgets (3 requests/s, 12/s for orders). How long the quick job
takes is measured by `make bench` (docs/BENCHMARKS.md), not asserted here.
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.support.meltano_project import MeltanoProject, meltano_accounts, sandbox_accounts
from tests.support.sandbox_process import SandboxProcess
from tests.support.scenarios import wait_for_pages

SIZES = {"main": 1500, "fbe": 900}
SCAN_JOB = "emag-sync"
QUICK_JOB = "emag-quick-sync"


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(sandbox_accounts(SIZES), "--rate-limit", "3", "--seed", "29",
                        "--latency", "0.05") as sb:
        yield sb


@pytest.fixture(scope="module")
def project(tmp_path_factory, sandbox, postgres):
    return MeltanoProject(tmp_path_factory.mktemp("meltano"), sandbox.base_url, postgres,
                          meltano_accounts(SIZES))


@pytest.fixture(scope="module")
def primed(project):
    """A scan, then a first quick run (its own orders bookmark): both jobs have state."""
    for job in (SCAN_JOB, QUICK_JOB):
        result = project.run(job)
        assert result.returncode == 0, result.stderr[-3000:]
    return project


def _place(sandbox, account: str, count: int, seed: int) -> set[int]:
    return set(sandbox.admin("orders", account=account, place=count, seed=seed)["product_ids"])


def _stock(dsn: str, account: str, product_ids) -> dict[int, int]:
    with psycopg.connect(dsn) as connection:
        rows = connection.execute(
            "select product_id, general_stock from emag.emag_products"
            " where account = %s and product_id = any(%s)", (account, sorted(product_ids)),
        ).fetchall()
    return dict(rows)


def _served_stock(sandbox, account: str) -> dict[int, int]:
    return {p["id"]: p["general_stock"] for p in sandbox.catalog(account)}


def _duplicate_versions(dsn: str) -> list[tuple]:
    """Consecutive versions of a product with the same content: history should have none."""
    with psycopg.connect(dsn) as connection:
        return connection.execute("""
            select account, product_id, valid_from from (
                select account, product_id, valid_from, version_hash,
                       lag(version_hash) over (partition by account, product_id
                                               order by valid_from) as before
                from emag_system_of_record.int_emag__product_versions
            ) as versions where version_hash = before""").fetchall()


def test_one_quick_run_brings_the_stock_of_every_touched_offer(primed, sandbox, postgres):
    # the case: 50 orders touching 80 offers (the sandbox is seeded: these seeds place
    # 30 MAIN orders on 49 offers and 20 FBE orders on 31)
    touched = {"main": _place(sandbox, "main", 30, seed=11),
               "fbe": _place(sandbox, "fbe", 20, seed=45)}
    assert sum(map(len, touched.values())) == 80
    sandbox.admin("reset_stats")
    result = primed.run(QUICK_JOB)
    assert result.returncode == 0, result.stderr[-3000:]
    dsn = postgres.dsn_for("emag")
    stats = sandbox.stats()["accounts"]
    for account, offers in touched.items():
        served = _served_stock(sandbox, account)
        assert _stock(dsn, account, offers) == {i: served[i] for i in offers}
        routes = stats[account]["requests"]["by_route"]
        # reads by id only: as many product reads as offers re-read, no page, no count
        assert "product_offer/count" not in routes and "category/read" not in routes
        assert routes["product_offer/read"] >= len(offers)
        assert routes["product_offer/read"] - len(offers) <= 10  # the bookmark's second
    log = postgres.query(
        "select account, sync_mode, sync_status, products_deferred from emag.emag_sync_log"
        " where run_id = %s order by account", (result.run_id,))
    assert log == [("fbe", "quick", "completed", 0), ("main", "quick", "completed", 0)]


def test_orders_and_lines_load_exactly(primed, sandbox, postgres):
    for account in SIZES:
        served = {o["id"]: o for o in sandbox.admin_get("orders", account=account)}
        loaded = postgres.query(
            "select order_id, order_status_code, order_type from emag.emag_orders"
            " where account = %s", (account,))
        assert {row[0]: row[1:] for row in loaded} == {
            i: (o["status"], o["type"]) for i, o in served.items()}
        lines = postgres.query(
            "select order_id, product_id, quantity, sale_price from emag.emag_order_lines"
            " where account = %s", (account,))
        assert sorted(lines) == sorted(
            (i, line["product_id"], line["quantity"], Decimal(line["sale_price"]))
            for i, o in served.items() for line in o["products"])


def test_no_customer_personal_data_in_any_table(primed, sandbox, postgres):
    personal = set()
    for account in SIZES:
        for order in sandbox.admin_get("orders", account=account):
            customer = order["customer"]
            personal |= {str(customer[key]) for key in (
                "name", "email", "phone_1", "billing_street", "shipping_street",
                "shipping_contact") if customer.get(key)}
    assert personal
    with psycopg.connect(postgres.dsn_for("emag")) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema not in ('pg_catalog', 'information_schema')").fetchall()
        found = []
        for schema, table in tables:
            text = connection.execute(
                f'select coalesce(string_agg(t::text, chr(10)), \'\') from "{schema}"."{table}" t'
            ).fetchone()[0]
            found += [(schema, table, value) for value in personal if value in text]
    assert found == []


def test_a_quick_run_during_a_scan_leaves_history_and_catalogue_exact(primed, sandbox,
                                                                        postgres):
    dsn = postgres.dsn_for("emag")
    sandbox.admin("configure", latency=0.4)  # a scan of several seconds, to run a quick one in
    try:
        sandbox.admin("reset_stats")
        scan = primed.start_run(SCAN_JOB, extra_env={"TAP_EMAG_MAX_IN_FLIGHT": "1"})
        wait_for_pages(sandbox, "main", 3)
        # orders during the scan: some of their offers were read already, some not yet
        touched = {("main", i) for i in _place(sandbox, "main", 15, seed=21)}
        touched |= {("fbe", i) for i in _place(sandbox, "fbe", 10, seed=22)}
        assert scan.poll() is None, "the scan ended before the quick run started"
        quick = primed.run(QUICK_JOB)
        assert quick.returncode == 0, quick.stderr[-3000:]
        _, stderr = scan.communicate(timeout=900)
        assert scan.returncode == 0, stderr[-3000:]
    finally:
        sandbox.admin("configure", latency=0.0)
    assert _duplicate_versions(dsn) == []
    # the next scan, after both, emits only offers the orders changed, and the catalogue in
    # emag_products is eMAG's, product by product
    after = primed.run(SCAN_JOB)
    assert after.returncode == 0, after.stderr[-3000:]
    emitted = postgres.query(
        "select account, id from emag_raw.products where run_id = %s", (after.run_id,))
    assert set(emitted) <= touched
    for account in SIZES:
        served = _served_stock(sandbox, account)
        assert _stock(dsn, account, served) == served
    assert _duplicate_versions(dsn) == []


def test_two_dbt_builds_at_once_take_turns_and_both_succeed(primed):
    """The quick job's dbt step can start during the scan job's: the second one waits."""
    first = primed.start_dbt("run")
    second = primed.start_dbt("run")
    outcomes = [(*process.communicate(timeout=900), process.returncode)
                for process in (first, second)]
    for _, stderr, returncode in outcomes:
        assert returncode == 0, stderr[-3000:]
    assert any("waiting for it to finish" in stderr for _, stderr, _ in outcomes)
