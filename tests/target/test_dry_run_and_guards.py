"""target-emag as Meltano runs it (its CLI, Singer messages on stdin), on a dry run: it plans,
guards and records every change in the write log, and sends eMAG nothing."""

from __future__ import annotations

import psycopg
import pytest

from emag_sandbox import AccountSpec, Sandbox
from tests.support.tap_runner import PASSWORDS, USERNAMES
from tests.support.target_input import run_target, target_config, write_account


def _change(account: str, offer: int, field: str, emag: str, planned: str,
            **extra: object) -> dict[str, object]:
    return {"account": account, "product_id": offer, "field": field, "emag_value": emag,
            "planned_value": planned, "emag_read_at": "2026-12-05T10:00:00",
            "min_sale_price": "10", "max_sale_price": "100", **extra}


@pytest.fixture
def accounts_sandbox():
    accounts = [
        AccountSpec(name=name, username=USERNAMES[name], password=PASSWORDS[name], products=20)
        for name in ("main", "fbe")
    ]
    with Sandbox(accounts=accounts, seed=11, rate_limit=0) as sb:
        yield sb


def _config(sb: Sandbox, postgres, **settings: object) -> dict[str, object]:
    return target_config(
        [write_account("main", USERNAMES["main"], PASSWORDS["main"], sb.base_url),
         write_account("fbe", USERNAMES["fbe"], PASSWORDS["fbe"], sb.base_url,
                       fulfilled_by_emag=True)],
        postgres.dsn_for("emag"), write_log_schema="dry_run_writes", **settings)


def test_a_dry_run_sends_nothing_and_logs_what_it_would_do(tmp_path, accounts_sandbox,
                                                           postgres):
    before = accounts_sandbox.stats()["accounts"]
    rows = [
        _change("main", 1, "sale_price", "50", "55"),
        _change("main", 2, "sale_price", "50", "150"),  # above max_sale_price
        _change("main", 3, "sale_price", "50", "20"),  # a 60% cut
        _change("main", 4, "stock", "3", "9"),
        _change("fbe", 5, "stock", "3", "9"),  # eMAG manages FBE stock
        _change("main", 6, "status", "1", "7"),  # no such status
        _change("shop2", 7, "stock", "1", "2"),  # an account target-emag does not know
    ]
    result = run_target(tmp_path, _config(accounts_sandbox, postgres), rows)
    assert result.returncode == 0, result.stderr[-3000:]
    after = accounts_sandbox.stats()["accounts"]
    assert after == before, "a dry run sends eMAG nothing, not even a read"
    with psycopg.connect(postgres.dsn_for("emag")) as connection:
        logged = connection.execute(
            "select account, product_id, field, outcome, message, dry_run, sent_value "
            "from dry_run_writes.offer_writes order by product_id").fetchall()
    outcomes = {(row[0], row[1]): row[3] for row in logged}
    assert outcomes == {("main", 1): "dry_run", ("main", 2): "guarded", ("main", 3): "guarded",
                        ("main", 4): "dry_run", ("fbe", 5): "guarded", ("main", 6): "guarded",
                        ("shop2", 7): "guarded"}
    messages = {row[1]: row[4] for row in logged}
    assert messages[2].startswith("price_bounds:")
    assert messages[3].startswith("max_price_change:")
    assert messages[5].startswith("fbe_stock:")
    assert messages[6].startswith("invalid_value:")
    assert "not configured" in messages[7]
    assert all(row[5] is True and row[6] is None for row in logged)
    assert PASSWORDS["main"] not in result.stderr + result.stdout


def test_a_record_without_an_offer_id_names_the_missing_column(tmp_path, accounts_sandbox,
                                                               postgres):
    row = _change("main", 1, "sale_price", "50", "55")
    row["product_id"] = None
    result = run_target(tmp_path, _config(accounts_sandbox, postgres), [row])
    assert result.returncode != 0
    assert "lacks product_id" in result.stderr
