"""One dbt build over many sellers (seller mode, docs/DBT_PACKAGE.md): each seller's raw
schema `emag_raw__<seller>` read as one union, the accounts qualified, a seller column in the
marts. One tap run loads emag_raw; its tables are copied into two sellers' schemas (the second
with other prices, without the fbe account and without a column); the third seller has no
schema yet. Then the Meltano dbt utility builds with EMAG_SELLERS=a,b,c."""

from __future__ import annotations

import json

import psycopg
import pytest

from tests.support.meltano_project import MeltanoProject, meltano_accounts, sandbox_accounts
from tests.support.sandbox_process import SandboxProcess

SIZES = {"main": 30, "fbe": 20}
SELLERS = "a,b,c"
# every raw table but vat_rates, which no seller holds: the base schema's table is read
COPIED = ("products", "product_gpsr", "sync_runs", "categories")


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(sandbox_accounts(SIZES), "--rate-limit", "0", "--seed", "5") as sb:
        yield sb


@pytest.fixture(scope="module")
def project(tmp_path_factory, sandbox, postgres):
    """The raw data of sellers a and b, and the marts of a build in seller mode."""
    project = MeltanoProject(tmp_path_factory.mktemp("meltano"), sandbox.base_url, postgres,
                             meltano_accounts(SIZES), requests_per_second=100)
    loaded = project.run("tap-emag", "target-postgres")
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    with psycopg.connect(postgres.dsn) as connection:
        for seller in ("a", "b"):
            connection.execute(f"create schema emag_raw__{seller}")
            for table in COPIED:
                connection.execute(f"create table emag_raw__{seller}.{table}"
                                   f" as select * from emag_raw.{table}")
        # b: the same product ids with other prices, main only, and a column a has
        connection.execute("update emag_raw__b.products set sale_price = sale_price + 1")
        for table in COPIED:
            connection.execute(f"delete from emag_raw__b.{table} where account = 'fbe'")
        connection.execute("alter table emag_raw__b.products drop column brand_name")
    built = project.invoke("dbt:build", extra_env={"EMAG_SELLERS": SELLERS})
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-3000:]
    return project


def _raw_products(postgres, seller):
    return set(postgres.query(
        f"select %s || '/' || account, id, sale_price, _sdc_deleted_at is not null"
        f" from emag_raw__{seller}.products", (seller,)))


def test_every_sellers_rows_are_its_raw_rows(project, postgres):
    for seller in ("a", "b"):
        marts = set(postgres.query(
            "select account, product_id, sale_price, is_deleted from emag.emag_products"
            " where seller = %s", (seller,)))
        assert marts == _raw_products(postgres, seller)
    assert postgres.query("select seller, count(*) from emag.emag_products group by seller"
                          " order by seller") == [("a", sum(SIZES.values())),
                                                  ("b", SIZES["main"])]
    # the seller column is the seller part of every qualified account; c has no schema
    assert postgres.query("select count(*) from emag.emag_products"
                          " where account not like seller || '/%%'") == [(0,)]
    # a's brand names, b's column missing: typed nulls
    assert postgres.query(
        "select seller, count(brand_name) > 0 from emag.emag_products group by seller"
        " order by seller") == [("a", True), ("b", False)]


def test_the_same_product_ids_stay_apart(project, postgres):
    """Both sellers list the same ids: two rows each, with each seller's own price."""
    rows = postgres.query(
        "select a.sale_price + 1 = b.sale_price from emag.emag_products as a"
        " inner join emag.emag_products as b on a.product_id = b.product_id"
        " where a.account = 'a/main' and b.account = 'b/main'")
    assert len(rows) == SIZES["main"] and all(same for same, in rows)
    # the catalogue by SKU pairs one seller's accounts only (a/main with a/fbe)
    assert postgres.query("select distinct seller, account, other_account"
                          " from emag.emag_catalog_by_sku order by account") == [
        ("a", "a/fbe", "a/main"), ("a", "a/main", "a/fbe")]
    assert postgres.query("select count(*) from emag.emag_product_history"
                          " where is_current") == [(sum(SIZES.values()) + SIZES["main"],)]


def test_the_sync_log_holds_each_sellers_runs(project, postgres):
    for seller in ("a", "b"):
        raw = postgres.query(f"select %s || '/' || account, run_id, status"
                             f" from emag_raw__{seller}.sync_runs order by 1, 2", (seller,))
        assert raw
        assert postgres.query("select account, run_id, sync_status from emag.emag_sync_log"
                              " where seller = %s order by 1, 2", (seller,)) == raw
    # the history counted each account's products in its own run (the load_xid read from
    # xmin through the union), though a and b share run ids
    assert postgres.query("select account, products_created from emag.emag_sync_log"
                          " order by account") == [
        ("a/fbe", SIZES["fbe"]), ("a/main", SIZES["main"]), ("b/main", SIZES["main"])]


def test_a_table_no_seller_holds_is_read_from_the_base_schema(project, postgres):
    assert set(postgres.query("select account, vat_id from emag_staging.stg_emag__vat_rates")
               ) == set(postgres.query("select account, vat_id from emag_raw.vat_rates"))


def test_the_sources_stay_the_models_dependencies(project):
    manifest = json.loads((project.dbt_target / "manifest.json").read_text())
    for table in ("products", "sync_runs", "vat_rates"):
        assert f"source.emag.emag.{table}" in (
            manifest["nodes"][f"model.emag.stg_emag__{table}"]["depends_on"]["nodes"])


def test_the_log_cleanup_purges_every_sellers_sync_log(project, postgres):
    with psycopg.connect(postgres.dsn) as connection:
        for seller in ("a", "b"):
            connection.execute(
                f"insert into emag_raw__{seller}.sync_runs (run_id, account, mode, status,"
                " started_at) values ('old-run', 'main', 'full', 'completed',"
                " now() at time zone 'utc' - interval '40 days')")
    purged = project.invoke("dbt:purge-sync-log", extra_env={"EMAG_SELLERS": SELLERS})
    assert purged.returncode == 0, purged.stdout[-3000:] + purged.stderr[-3000:]
    for seller in ("a", "b"):
        assert postgres.query(f"select count(*) from emag_raw__{seller}.sync_runs"
                              " where run_id = 'old-run'") == [(0,)]


def test_unlisted_products_are_marked_deleted_in_their_sellers_schema(project, postgres):
    """Two later completed stateless scans of b/main that emitted nothing: b's products were
    missed twice. The next build's prepare_sources marks them deleted in emag_raw__b only; a,
    with the same ids in an account of the same name, keeps them live."""
    with psycopg.connect(postgres.dsn) as connection:
        for run, minutes in (("later-1", 1), ("later-2", 2)):
            connection.execute(
                "insert into emag_raw__b.sync_runs (run_id, account, mode, status, started_at,"
                " finished_at, requests_per_second) values (%s, 'main', 'full', 'completed',"
                " now() at time zone 'utc' + %s * interval '1 minute',"
                " now() at time zone 'utc' + %s * interval '1 minute' + interval '10 seconds', 3)",
                (run, minutes, minutes))
    built = project.invoke("dbt:run", extra_env={"EMAG_SELLERS": SELLERS})
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-3000:]
    assert "Deleted 30 products of account b/main" in built.stdout + built.stderr
    assert postgres.query("select count(*) filter (where _sdc_deleted_at is null), count(*)"
                          " from emag_raw__b.products") == [(0, SIZES["main"])]
    assert postgres.query("select count(*) from emag_raw__a.products"
                          " where _sdc_deleted_at is not null") == [(0,)]
    assert postgres.query(
        "select seller, count(*) filter (where is_deleted), count(*) from emag.emag_products"
        " group by seller order by seller") == [
        ("a", 0, sum(SIZES.values())), ("b", SIZES["main"], SIZES["main"])]
