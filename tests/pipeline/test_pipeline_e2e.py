"""End to end through Meltano: sandbox -> tap-emag -> target-postgres -> dbt, in real Postgres.

Runs the main job (`meltano run tap-emag target-postgres dbt:run`) twice with catalogue changes
in between, and checks that exactly those changes reached the raw tables and the models.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.meltano_project import MeltanoProject, meltano_accounts, sandbox_accounts
from tests.support.sandbox_process import SandboxProcess

SIZES = {"main": 1200, "fbe": 700}
MAIN_JOB = ("tap-emag", "target-postgres", "dbt:run")


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(sandbox_accounts(SIZES), "--rate-limit", "0", "--seed", "17") as sb:
        yield sb


@pytest.fixture(scope="module")
def project(tmp_path_factory, sandbox, postgres):
    accounts = meltano_accounts(SIZES)
    return MeltanoProject(tmp_path_factory.mktemp("meltano"), sandbox.base_url, postgres,
                          accounts, requests_per_second=100)


@pytest.fixture(scope="module")
def first_run(project):
    result = project.run(*MAIN_JOB)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _served(sandbox, account):
    return {product["id"]: product for product in sandbox.catalog(account)}


def test_first_run_loads_every_product_of_both_accounts(first_run, postgres, sandbox):
    for account, size in SIZES.items():
        raw = postgres.query("select count(*), count(_sdc_deleted_at) from emag_raw.products"
                             " where account = %s", (account,))
        assert raw == [(size, 0)]
        modelled = postgres.query("select count(*) from emag.emag_products where account = %s",
                                  (account,))
        assert modelled == [(size,)]
        assert postgres.query(
            "select sync_mode, sync_status, products_created from emag.emag_sync_log"
            " where account = %s and run_id = %s", (account, first_run.run_id),
        ) == [("full", "completed", size)]


def test_products_match_the_api_field_by_field(first_run, postgres, sandbox):
    served = _served(sandbox, "main")
    sample = sorted(served)[::97]
    rows = postgres.query(
        """select product_id, part_number, part_number_key, product_name, sale_price,
                  recommended_price, general_stock, offer_status, validation_status,
                  offer_validation_status, ean_codes, vat_rate, sale_price_with_vat
           from emag.emag_products where account = 'main' and product_id = any(%s)""",
        (sample,),
    )
    assert len(rows) == len(sample)
    for (product_id, part_number, pnk, name, price, recommended, stock, status, validation,
         offer_validation, ean, vat_rate, price_with_vat) in rows:
        api = served[product_id]
        assert part_number == api["part_number"]
        assert pnk == api.get("part_number_key")
        assert name == api["name"]
        assert price == Decimal(api["sale_price"])
        expected_recommended = api.get("recommended_price")
        assert recommended == (Decimal(expected_recommended) if expected_recommended else None)
        assert stock == api["general_stock"]
        assert status == api["status"]
        assert validation == api["validation_status"][0]["value"]
        assert offer_validation == api["offer_validation_status"]["value"]
        assert list(ean or []) == list(api.get("ean") or [])
        if vat_rate is not None:
            assert price_with_vat == round(price * (1 + vat_rate), 2)


def test_second_run_brings_exactly_the_changes(first_run, project, postgres, sandbox):
    change = sandbox.mutate("main", changed=7, added=3, deleted=2, end_of_life=1, seed=4)
    second = project.run(*MAIN_JOB)
    assert second.returncode == 0, second.stderr[-3000:]

    emitted = postgres.query("select id, _sdc_deleted_at is not null from emag_raw.products"
                             " where run_id = %s", (second.run_id,))
    live = sorted(product_id for product_id, deleted in emitted if not deleted)
    gone = sorted(product_id for product_id, deleted in emitted if deleted)
    assert live == sorted(change["changed"] + change["added"] + change["end_of_life"])
    assert gone == sorted(change["deleted"])

    assert postgres.query(
        "select sync_mode, products_created, products_updated, products_deleted,"
        " products_unchanged from emag.emag_sync_log where account = 'main' and run_id = %s",
        (second.run_id,),
    ) == [("incremental", 3, 8, 2, SIZES["main"] - 10)]
    assert postgres.query(
        "select products_created + products_updated + products_deleted from emag.emag_sync_log"
        " where account = 'fbe' and run_id = %s", (second.run_id,)) == [(0,)]

    served = _served(sandbox, "main")
    for product_id in change["changed"]:
        (price, stock, name), = postgres.query(
            "select sale_price, general_stock, product_name from emag.emag_products"
            " where account = 'main' and product_id = %s", (product_id,))
        api = served[product_id]
        assert (price, stock, name) == (Decimal(api["sale_price"]), api["general_stock"],
                                        api["name"])
        versions = postgres.query(
            "select count(*) from emag.emag_product_history where account = 'main'"
            " and product_id = %s", (product_id,))
        assert versions == [(2,)]
    for product_id in change["deleted"]:
        (is_deleted, deleted_at, name, is_saleable), = postgres.query(
            "select is_deleted, deleted_at, product_name, is_saleable from emag.emag_products"
            " where account = 'main' and product_id = %s", (product_id,))
        assert is_deleted and deleted_at is not None and not is_saleable
        assert name  # the last known values are kept
    (status,), = postgres.query(
        "select offer_status from emag.emag_products where account = 'main'"
        " and product_id = %s", (change["end_of_life"][0],))
    assert status == 2
    assert postgres.query("select count(*) from emag.emag_products where account = 'main'"
                          ) == [(SIZES["main"] + 3,)]
