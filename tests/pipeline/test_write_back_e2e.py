"""Write-back through the real pipeline: Meltano, Postgres, dbt, tap-postgres, target-emag and
the sandbox. Local edits under local_priority and a manual decision for local -> the plan holds
exactly those changes -> a dry run sends nothing -> a real push sends exactly them, in requests
of at most 50, within 3 requests/s -> the next scan sees eMAG equal to the local values and the
conflicts closed -> a second push sends nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import psycopg
import pytest

from tests.support.meltano_project import MeltanoProject, meltano_accounts, sandbox_accounts
from tests.support.sandbox_process import SandboxProcess

SIZES = {"main": 120, "fbe": 40}
WRITE_FIELDS = {"main": ["sale_price", "stock"], "fbe": ["sale_price", "stock"]}
PRICED = 55  # offers of main whose price the seller sets (more than one request of 50)


@pytest.fixture(scope="module")
def sandbox():
    accounts = [f"{spec}:{'fbe' if spec.startswith('fbe') else 'main'}"
                for spec in sandbox_accounts(SIZES)]
    with SandboxProcess(accounts, "--rate-limit", "3", "--seed", "23") as sb:
        yield sb


@pytest.fixture(scope="module")
def project(tmp_path_factory, sandbox, postgres):
    project = MeltanoProject(tmp_path_factory.mktemp("write-back"), sandbox.base_url, postgres,
                             meltano_accounts(SIZES))
    accounts = json.loads(project.env["TAP_EMAG_ACCOUNTS"])
    for account in accounts:
        account["writes_enabled"] = True
        account["fulfilled_by_emag"] = account["name"] == "fbe"
    project.env.update({
        "TARGET_EMAG_ACCOUNTS": json.dumps(accounts),
        "TARGET_EMAG_WRITE_LOG_URL": postgres.dsn,
        "TAP_POSTGRES_SQLALCHEMY_URL": postgres.dsn.replace("postgres@", "postgres:@"),
        "EMAG_WRITE_FIELDS": json.dumps(WRITE_FIELDS),
        "TAP_EMAG_LOCK_DIRECTORY": str(project.workdir / "locks"),
    })
    _ok(project.run("tap-emag", "target-postgres", "dbt:run"))
    return project


def _ok(result) -> None:
    assert result.returncode == 0, result.stderr[-4000:]


def _offers(postgres, account: str) -> list[tuple[int, Decimal, Decimal, Decimal, int]]:
    return postgres.query(
        "select product_id, sale_price, min_sale_price, max_sale_price, general_stock "
        "from emag.emag_products where account = %s and not is_deleted "
        "and min_sale_price is not null and max_sale_price is not null "
        "and sale_price * 1.05 < max_sale_price and general_stock > 3 order by product_id",
        (account,))


def _price(value: Decimal) -> str:
    return format(value.normalize(), "f")


def test_the_plan_is_pushed_confirmed_and_not_sent_again(project, postgres, sandbox):
    main = _offers(postgres, "main")[:PRICED + 1]
    fbe = _offers(postgres, "fbe")[:1]
    assert len(main) == PRICED + 1 and fbe
    prices = {offer: (price * Decimal("1.05")).quantize(Decimal("0.01"))
              for offer, price, *_ in main[:PRICED]}
    manual_offer, *_, manual_stock = main[PRICED]
    fbe_offer, *_, fbe_stock = fbe[0]
    with psycopg.connect(postgres.dsn, autocommit=True) as connection:
        for offer, price in prices.items():
            connection.execute(
                "insert into local.products (account, product_id, sale_price, conflict_strategy)"
                " values ('main', %s, %s, 'local_priority')", (offer, price))
        connection.execute(  # a conflict decided by hand, below
            "insert into local.products (account, product_id, stock, conflict_strategy) "
            "values ('main', %s, %s, 'manual')", (manual_offer, manual_stock + 7))
        connection.execute(  # FBE stock: planned, but never sent
            "insert into local.products (account, product_id, stock, conflict_strategy) "
            "values ('fbe', %s, %s, 'local_priority')", (fbe_offer, fbe_stock + 5))
    _ok(project.invoke("dbt:run"))  # the manual conflict is detected
    with psycopg.connect(postgres.dsn, autocommit=True) as connection:
        connection.execute(
            "insert into local.product_conflict_resolutions (account, product_id, field, winner)"
            " values ('main', %s, 'stock', 'local')", (manual_offer,))
    _ok(project.invoke("dbt:run"))

    plan = postgres.query("select account, product_id, field, planned_value "
                          "from emag.emag_offer_updates order by 1, 2, 3")
    expected = sorted([("main", offer, "sale_price", _price(price))
                       for offer, price in prices.items()]
                      + [("main", manual_offer, "stock", str(manual_stock + 7)),
                         ("fbe", fbe_offer, "stock", str(fbe_stock + 5))])
    assert plan == expected

    # a dry run (target-emag's default) sends nothing, and logs what it would send
    _ok(project.run("tap-postgres", "target-emag"))
    assert sandbox.writes("main")["requests"] == [] == sandbox.writes("fbe")["requests"]
    dry = postgres.query("select outcome, count(*) from emag_writes.offer_writes group by 1")
    assert dict(dry) == {"dry_run": PRICED + 1, "guarded": 1}

    # the real push
    _ok(project.run("tap-postgres", "target-emag", extra_env={"TARGET_EMAG_DRY_RUN": "false"}))
    sent = sandbox.writes("main")["requests"]
    assert [request["offers"] for request in sent] == [50, PRICED + 1 - 50]
    assert sorted(i for request in sent for i in request["ids"]) == sorted(
        [*prices, manual_offer])
    assert sandbox.writes("fbe")["requests"] == []
    stats = sandbox.stats()["accounts"]["main"]
    assert stats["throttled_429"] == 0 and stats["max_requests_in_any_1s_window"] <= 3
    outcomes = dict(postgres.query(
        "select outcome, count(*) from emag.emag_offer_writes where is_latest_attempt group by 1"))
    assert outcomes == {"confirmed": PRICED + 1, "guarded": 1}
    # a second push right away sends nothing: the plan leaves out what eMAG confirmed
    _ok(project.run("tap-postgres", "target-emag", extra_env={"TARGET_EMAG_DRY_RUN": "false"}))
    assert len(sandbox.writes("main")["requests"]) == 2

    # the next scan sees eMAG equal to the local values, the conflicts closed
    _ok(project.run("tap-emag", "target-postgres", "dbt:run"))
    shown = dict(postgres.query(
        "select product_id, sale_price from emag.emag_products where account = 'main' "
        "and product_id = any(%s)", (list(prices),)))
    assert {offer: Decimal(value) for offer, value in shown.items()} == prices
    open_conflicts = postgres.query(
        "select count(*) from emag.emag_product_conflicts where account = 'main' "
        "and product_id = any(%s)", ([*prices, manual_offer],))
    assert open_conflicts == [(0,)]
    assert postgres.query("select count(*) from emag.emag_offer_updates "
                          "where account = 'main'") == [(0,)]
