"""The dashboard in a real browser, on a database the real pipeline filled.

The pipeline: a full scan of the sandbox (MAIN and FBE), the seller's own edits (two under the
manual strategy: open conflicts), a quick sync in which FBE's password is wrong (a failed run
with its error), a day of changes in the sandbox and a second, incremental scan, then orders
and a quick sync (its build allows write-back of sale prices, after target-emag's write log
recorded a refusal and a confirmation). The dashboard is started as a seller starts it
(`meltano invoke dashboard:serve`), every page is loaded in headless Chromium, and what it
shows is checked against the marts on the same database: the pages select, filter and sort
mart columns, and each rule behind a figure (the API floor, what needs attention, what a
version changed, what differs between two accounts) is the mart's, checked by its dbt unit
tests. No page may show an exception, make a request that leaves the machine, or show the
database password.
"""

from __future__ import annotations

import os
import re
import time
from decimal import Decimal

import psycopg
import pytest

from tests.support.browser import headless_page
from tests.support.dashboard import (
    DashboardServer,
    charts,
    count,
    exceptions,
    metrics,
    open_page,
    table,
)
from tests.support.meltano_project import MeltanoProject, meltano_accounts, sandbox_accounts
from tests.support.sandbox_process import SandboxProcess
from tests.support.tap_runner import PASSWORDS

SIZES = {"main": 300, "fbe": 200}
ACCOUNTS = sorted(SIZES)
# the dashboard's database password: a test password, so conftest fails any test whose output
# shows it (the test Postgres trusts local connections and ignores it)
DB_PASSWORD = PASSWORDS["main"]


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(sandbox_accounts(SIZES), "--rate-limit", "0", "--seed", "31") as sb:
        yield sb


def _ok(result):
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory, sandbox, postgres):
    """The pipeline's runs; returns what the sandbox changed and which offers orders touched."""
    project = MeltanoProject(tmp_path_factory.mktemp("meltano"), sandbox.base_url, postgres,
                             meltano_accounts(SIZES), requests_per_second=100)
    _ok(project.run("emag-sync"))
    main = [p for p in sandbox.catalog("main") if p.get("status") == 1][:2]
    fbe = [p for p in sandbox.catalog("fbe") if p.get("status") == 1][:1]
    with psycopg.connect(postgres.dsn) as connection:
        connection.execute(
            "insert into local.products (account, product_id, stock, conflict_strategy)"
            " values ('main', %s, %s, 'manual')", (main[0]["id"], main[0]["general_stock"] + 7))
        connection.execute(
            "insert into local.products (account, product_id, name, conflict_strategy)"
            " values ('fbe', %s, %s, 'manual')", (fbe[0]["id"], fbe[0]["name"] + " (local)"))
        connection.execute(
            "insert into local.products (account, product_id, sale_price, conflict_strategy)"
            " values ('main', %s, %s, 'local_priority')",
            (main[1]["id"], Decimal(main[1]["sale_price"]) + 1))
    sandbox.admin("password", account="fbe", password="not-the-password")
    failed = project.run("emag-quick-sync")
    assert failed.returncode != 0
    sandbox.admin("password", account="fbe", password=PASSWORDS["fbe"])
    mutated = {account: sandbox.mutate(account, changed=20, added=4, deleted=3, end_of_life=2)
               for account in ACCOUNTS}
    _ok(project.run("emag-sync"))
    touched = {account: set(sandbox.admin("orders", account=account, place=6, seed=3)
                            ["product_ids"]) for account in ACCOUNTS}
    _write_log(postgres, main[1]["id"], fbe[0]["id"])
    # main's price win (local_priority) is planned; the build reads the var from the env
    quick = _ok(project.run("emag-quick-sync", extra_env={
        "EMAG_WRITE_FIELDS": '{"main": ["sale_price", "stock"], "fbe": ["sale_price"]}'}))
    return {"project": project, "mutated": mutated, "touched": touched,
            "quick_run": quick.run_id}


def _write_log(postgres, main_id: int, fbe_id: int) -> None:
    """target-emag's write log as it records runs: main's price refused after a dry run (so
    planned again), an FBE price confirmed."""
    with psycopg.connect(postgres.dsn) as connection:
        # dbt:run's prepare_sources created the log, empty, before the first build
        assert connection.execute("select count(*) from emag_writes.offer_writes").fetchone() \
            == (0,)
        for run, account, product_id, outcome, message, minutes in (
                ("w1", "main", main_id, "dry_run", None, 20),
                ("w2", "main", main_id, "refused",
                 f"offer {main_id}: sale_price 1 is outside min_sale_price 2 .. max_sale_price 3",
                 10),
                ("w2", "fbe", fbe_id, "confirmed", None, 10)):
            connection.execute(
                "insert into emag_writes.offer_writes values (%s, %s, %s, 'sale_price', '1',"
                " '2', now() at time zone 'utc' - interval '1 hour', %s, %s, %s, null, %s, 1,"
                " now() at time zone 'utc' - make_interval(mins => %s))",
                (run, account, product_id, None if outcome == "dry_run" else "2", outcome,
                 message, outcome == "dry_run", minutes))


@pytest.fixture(scope="module")
def dashboard(pipeline, postgres):
    server = DashboardServer(pipeline["project"].env, {
        "DASHBOARD_DB_HOST": "127.0.0.1", "DASHBOARD_DB_PORT": str(postgres.port),
        "DASHBOARD_DB_USER": "postgres", "DASHBOARD_DB_NAME": "emag",
        "DASHBOARD_DB_PASSWORD": DB_PASSWORD})
    yield server
    server.stop()
    assert DB_PASSWORD not in server.output()


@pytest.fixture(scope="module")
def browser():
    with headless_page(width=1400, height=1600) as held:
        yield held


@pytest.fixture
def page(browser, dashboard):
    """The browser's page; after the test, nothing left the machine and no secret showed."""
    yield browser.page
    assert browser.outside == []
    assert DB_PASSWORD not in browser.page.content()


def _clean(page, url):
    assert exceptions(page) == [], url
    assert "Traceback" not in page.inner_text("body")


def _one(postgres, sql, params=()):
    (row,) = postgres.query(sql, params)
    return row


def _int(shown: str) -> int:
    return int(shown.replace(",", ""))


def _seconds(shown: str) -> int:
    number, unit = shown.split(" ")
    return int(number) * {"s": 1, "min": 60, "h": 3600, "d": 86400}[unit]


def test_sync_health_shows_each_account_last_run_and_the_month(page, dashboard, postgres):
    open_page(page, dashboard.url, ".st-key-runs-30d", charts=2)
    _clean(page, "sync health")
    # one seller in the marts: no seller filter
    assert page.query_selector(".st-key-seller") is None
    for account in ACCOUNTS:
        mode, status, duration, ratio, rate, speed, age = _one(
            postgres,
            "select sync_mode, sync_status, duration_seconds, api_floor_ratio,"
            " requests_per_second, products_per_second,"
            " extract(epoch from (now() at time zone 'utc' - finished_at))"
            " from emag.emag_sync_log where account = %s order by started_at desc limit 1",
            (account,))
        # the floor is at the rate the tap ran with (the pipeline's setting), not a constant
        assert rate == 100 and ratio > 0
        scope = f".st-key-last-run-{account}"
        assert page.inner_text(f"{scope} p").strip() == f"{account} · {mode} · {status}"
        shown = metrics(page, scope)
        assert shown["Duration"] == f"{float(duration):,.1f} s"
        assert shown["Products/s"] == f"{speed:,.1f}"
        assert shown["Against the API floor"] == f"{ratio}x"
        # the page was drawn a moment ago: its age may lag the query's by the unit
        assert abs(_seconds(shown["Finished"].removesuffix(" ago")) - age) <= 60
    runs, failed, changes, throttled, retries = _one(
        postgres,
        "select count(*), count(*) filter (where sync_status = 'failed'),"
        " sum(products_changed), sum(throttled_responses), sum(retries)"
        " from emag.emag_sync_log")
    assert failed >= 1  # the run with FBE's wrong password
    assert {key: count(value) for key, value in metrics(page, ".st-key-runs-30d").items()} == {
        "Runs": runs, "Failed runs": failed, "Products changed": changes,
        "HTTP 429s": throttled, "Retries": retries}
    errors = postgres.query(
        "select account, sync_status, error_messages from emag.emag_sync_log"
        " where sync_status in ('failed', 'partial') order by started_at desc, account")
    shown_errors = table(page, "failed-runs")
    assert [(row["account"], row["sync_status"], row["errors"])
            for row in shown_errors] == [tuple(row) for row in errors]
    assert any("401" in row["errors"] or "password" in row["errors"].lower()
               for row in shown_errors)


def test_catalogue_health_matches_the_statistics_and_lists_what_needs_attention(
        page, dashboard, postgres):
    open_page(page, f"{dashboard.url}/catalogue", ".st-key-attention-main", charts=3)
    _clean(page, "catalogue")
    for account in ACCOUNTS:
        stats = _one(
            postgres,
            "select products_total, products_active, products_saleable, products_in_stock,"
            " validation_approved, validation_rejected, offers_invalid_price, buy_button_wins,"
            " offers_with_competitors, gpsr_complete from emag.emag_sync_statistics"
            " where is_current and account = %s", (account,))
        shown = metrics(page, f".st-key-catalogue-{account}")
        assert [count(shown[label]) for label in (
            "Offers", "Active", "Saleable", "In stock", "Documentation approved",
            "Documentation rejected", "Invalid price", "Buy-button wins", "With competitors",
            "GPSR complete")] == list(stats)
        attention = _one(
            postgres,
            "select count(*) filter (where has_invalid_price),"
            " count(*) filter (where has_rejected_documentation),"
            " count(*) filter (where is_active_out_of_stock),"
            " count(*) filter (where has_lost_buy_button)"
            " from emag.emag_products_needing_attention where account = %s", (account,))
        # two marts, one set of codes: the list agrees with the statistics
        assert attention[0] == stats[6] and attention[1] == stats[5]
        shown = metrics(page, f".st-key-attention-{account}")
        assert [count(shown[label]) for label in (
            "Invalid price", "Documentation rejected", "Active, out of stock",
            "Lost the buy button (24 h)")] == list(attention)
    assert sum(count(v) for v in metrics(page, ".st-key-attention-main").values()) > 0
    first = table(page, "attention-table")[0]
    assert (first["account"], _int(first["product_id"]), first["part_number"]) == postgres.query(
        "select account, product_id, part_number from emag.emag_products_needing_attention"
        " order by account, product_id limit 1")[0]


def test_main_vs_fbe_counts_the_differences_per_sku(page, dashboard, postgres):
    open_page(page, f"{dashboard.url}/accounts", ".st-key-table-price-table", charts=1)
    _clean(page, "accounts")
    expected = _one(postgres, """
        select
            count(*) filter (where is_in_account and is_in_other_account),
            count(*) filter (where not is_in_other_account),
            count(*) filter (where not is_in_account),
            count(*) filter (where has_price_difference),
            count(*) filter (where has_stock_difference),
            count(*) filter (where has_status_difference)
        from emag.emag_catalog_by_sku where account = 'main' and other_account = 'fbe'""")
    assert expected[0] > 0 and expected[3] > 0
    shown = metrics(page, ".st-key-sku-figures")
    assert [count(shown[label]) for label in (
        "SKUs in both", "Only in main", "Only in fbe", "Price differs", "Stock differs",
        "Status differs")] == list(expected)
    part_number, main_price, fbe_price = postgres.query(
        "select part_number, sale_price, other_sale_price from emag.emag_catalog_by_sku"
        " where account = 'main' and other_account = 'fbe' and has_price_difference"
        " order by part_number limit 1")[0]
    first = table(page, "price-table")[0]
    assert first["part_number"] == part_number
    assert Decimal(first["main_price"].replace(",", "")) == main_price
    assert Decimal(first["fbe_price"].replace(",", "")) == fbe_price


def test_changes_show_the_last_run_the_day_and_one_product(page, dashboard, postgres,
                                                          pipeline):
    open_page(page, f"{dashboard.url}/changes", ".st-key-table-product-history-table",
              charts=1)
    _clean(page, "changes")
    # the last run is the quick sync: the stock of every offer its orders touched
    for account in ACCOUNTS:
        shown = metrics(page, f".st-key-last-run-{account}")
        versions = _one(postgres, "select count(*) from emag.emag_product_history"
                        " where run_id = %s and account = %s",
                        (pipeline["quick_run"], account))[0]
        assert count(shown["Versions"]) == versions
        assert count(shown["Stock changed"]) == len(pipeline["touched"][account])
        assert count(shown["New"]) == count(shown["Deleted"]) == 0
    # the last 24 hours: everything this test loaded
    for account in ACCOUNTS:
        shown = metrics(page, f".st-key-last-24h-{account}")
        versions, products, new, deleted, price, stock, status = _one(postgres, """
            select count(*), count(distinct product_id), count(*) filter (where is_new),
                   count(*) filter (where is_deletion), count(*) filter (where has_price_change),
                   count(*) filter (where has_stock_change),
                   count(*) filter (where has_status_change)
            from emag.emag_product_changes where account = %s""", (account,))
        mutated = pipeline["mutated"][account]
        assert count(shown["Versions"]) == versions
        assert count(shown["New"]) == new == products == SIZES[account] + len(mutated["added"])
        assert count(shown["Deleted"]) == deleted == len(mutated["deleted"])
        assert count(shown["Price changed"]) == price > 0
        assert count(shown["Stock changed"]) == stock > 0
        assert count(shown["Status changed"]) == status >= len(mutated["end_of_life"])
    # one product's history, picked by its id: a product the day of changes changed
    product_id = pipeline["mutated"]["main"]["changed"][0]
    page.fill(".st-key-product-id input", f"main/{product_id}")
    page.press(".st-key-product-id input", "Enter")
    page.wait_for_function(
        "id => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .gtitle')]"
        ".some(t => t.textContent.startsWith('main / ' + id + ':'))", arg=str(product_id),
        timeout=30_000)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30_000)
    history = postgres.query("select sale_price, general_stock from emag.emag_product_history"
                             " where account = 'main' and product_id = %s order by valid_from",
                             (product_id,))
    assert len(history) >= 2
    expected = [(price, stock) for price, stock in history]
    deadline = time.monotonic() + 20  # the grid redraws after the script has run
    while True:
        shown = [(Decimal(row["sale_price"].replace(",", "")), _int(row["general_stock"]))
                 for row in table(page, "product-history-table")]
        if shown == expected or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert shown == expected
    assert charts(page) == 1
    _clean(page, "changes, one product")


def test_conflicts_show_both_values_and_how_to_decide(page, dashboard, postgres):
    open_page(page, f"{dashboard.url}/conflicts", '[data-testid="stCode"]')
    _clean(page, "conflicts")
    counts = dict(postgres.query(
        "select status, count(*) from emag.emag_product_conflicts group by status"))
    shown = metrics(page, ".st-key-conflict-figures")
    assert count(shown["Open (waiting for you)"]) == counts.get("open", 0) == 2
    assert count(shown["Decided by you"]) == counts.get("resolved", 0)
    assert count(shown["Settled by the strategy"]) == counts.get("auto_resolved", 0) >= 1
    expected = postgres.query(
        "select account, product_id, field, emag_value, local_value"
        " from emag.emag_product_conflicts where status = 'open'"
        " order by detected_at, account, product_id, field")
    rows = table(page, "open-conflicts")
    assert [(r["account"], _int(r["product_id"]), r["field"], r["emag_value"], r["local_value"])
            for r in rows] == [tuple(row) for row in expected]
    account, product_id, field, _, _ = expected[0]
    statement = page.inner_text('[data-testid="stCode"]:has-text("insert into")')
    assert re.search(rf"values \('{account}', {product_id}, '{field}', 'emag',", statement)


def test_write_back_shows_the_plan_and_eMAGs_answers(page, dashboard, postgres):
    open_page(page, f"{dashboard.url}/write-back", ".st-key-table-refused-writes")
    _clean(page, "write-back")
    counts = postgres.query("select account, field, count(*) from emag.emag_offer_updates"
                            " group by account, field order by account, field")
    assert ("main", "sale_price", 1) in counts  # the local_priority price, refused before
    for account, field, offers in counts:
        assert count(metrics(page, f".st-key-plan-{account}")[field]) == offers
    plan = postgres.query("select account, product_id, field, emag_value, planned_value,"
                          " last_sent_outcome from emag.emag_offer_updates"
                          " order by account, product_id, field")
    assert [(r["account"], _int(r["product_id"]), r["field"], r["emag_value"],
             r["planned_value"], r["last_sent_outcome"]) for r in table(page, "plan")] == plan
    outcomes = dict(postgres.query("select outcome, count(*) from emag.emag_offer_writes"
                                   " where is_latest_attempt and account = 'main'"
                                   " group by outcome"))
    assert outcomes == {"refused": 1}
    assert {label: count(shown) for label, shown
            in metrics(page, ".st-key-outcomes-main").items()} == outcomes
    refused = postgres.query("select account, product_id, message from emag.emag_offer_writes"
                             " where outcome = 'refused' order by recorded_at desc")
    assert [(r["account"], _int(r["product_id"]), r["message"])
            for r in table(page, "refused-writes")] == refused


@pytest.fixture(scope="module")
def two_sellers(pipeline, postgres):
    """The sync log and statistics of two sellers in a schema of their own: the pipeline's
    seller as `acme`, and `zeta`, a copy of its main account (accounts qualified, as seller
    mode builds them). A dashboard on that schema."""
    with psycopg.connect(postgres.dsn) as connection:
        connection.execute("create schema two_sellers")
        for mart in ("emag_sync_log", "emag_sync_statistics"):
            connection.execute(f"create table two_sellers.{mart} as select * from emag.{mart}"
                               " where account = 'main'")
            connection.execute(f"update two_sellers.{mart}"
                               " set seller = 'zeta', account = 'zeta/' || account")
            connection.execute(f"insert into two_sellers.{mart} select * from emag.{mart}")
            connection.execute(f"update two_sellers.{mart}"
                               " set seller = 'acme', account = 'acme/' || account"
                               " where seller = 'default'")
    server = DashboardServer(pipeline["project"].env, {
        "DASHBOARD_DB_HOST": "127.0.0.1", "DASHBOARD_DB_PORT": str(postgres.port),
        "DASHBOARD_DB_USER": "postgres", "DASHBOARD_DB_NAME": "emag",
        "DASHBOARD_DB_SCHEMA": "two_sellers", "DASHBOARD_DB_PASSWORD": DB_PASSWORD})
    yield server
    server.stop()


def test_the_seller_filter_narrows_the_page_to_one_seller(browser, two_sellers, postgres):
    page = browser.page
    open_page(page, two_sellers.url, ".st-key-runs-30d", charts=2)
    _clean(page, "sync health, all sellers")
    last_runs = '[class*="st-key-last-run-"]'
    shown = {element.get_attribute("class").split("st-key-last-run-")[1].split()[0]
             for element in page.query_selector_all(last_runs)}
    assert shown == {"acme-main", "acme-fbe", "zeta-main"}
    runs = dict(postgres.query("select seller, count(*) from two_sellers.emag_sync_log"
                               " where started_at >= now() at time zone 'utc'"
                               " - interval '30 days' group by seller"))
    assert count(metrics(page, ".st-key-runs-30d")["Runs"]) == runs["acme"] + runs["zeta"]
    page.click(".st-key-seller [role='combobox']")
    page.get_by_role("option", name="zeta").click()
    page.wait_for_function(f"() => document.querySelectorAll('{last_runs}').length === 1",
                           timeout=30_000)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30_000)
    assert page.query_selector(".st-key-last-run-zeta-main") is not None
    assert count(metrics(page, ".st-key-runs-30d")["Runs"]) == runs["zeta"]
    _clean(page, "sync health, zeta")
    assert browser.outside == []


def test_a_missing_setting_is_named_on_the_page(browser, tmp_path):
    """Without an environment (no `dev` settings) the page names what to set, and stops."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DASHBOARD_", "PG"))}
    env["MELTANO_DATABASE_URI"] = f"sqlite:///{tmp_path / 'meltano.db'}"
    server = DashboardServer(env, {"DASHBOARD_DB_PASSWORD": DB_PASSWORD}, "--no-environment")
    try:
        # a deep link as the server's first request: the page runs inside app.py
        open_page(browser.page, f"{server.url}/changes", '[data-testid="stAlert"]')
        alert = browser.page.inner_text('[data-testid="stAlert"]')
    finally:
        server.stop()
    for name in ("db_host (DASHBOARD_DB_HOST)", "db_user (DASHBOARD_DB_USER)",
                 "db_name (DASHBOARD_DB_NAME)"):
        assert name in alert
    assert "db_port" not in alert  # it has a default
    assert exceptions(browser.page) == [] and browser.outside == []
    assert DB_PASSWORD not in browser.page.content() + server.output()
