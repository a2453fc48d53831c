"""target-emag writing for real, against the sandbox, through its CLI: what it sends is counted
by the sandbox (/_admin/writes), what eMAG then shows is read back as a client reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing as t
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import requests

from emag_sandbox import AccountSpec, Sandbox
from tests.support.tap_runner import PASSWORDS, USERNAMES
from tests.support.target_input import run_target, target_config, write_account


@pytest.fixture
def sb():
    accounts = [AccountSpec(name="main", username=USERNAMES["main"], password=PASSWORDS["main"],
                            products=200, fbe=False)]
    with Sandbox(accounts=accounts, seed=17, rate_limit=0) as sandbox:
        yield sandbox


def _read(sb: Sandbox, offer: int) -> dict[str, object]:
    answer = requests.post(f"{sb.base_url}/product_offer/read", json={"data": {"id": offer}},
                           auth=(USERNAMES["main"], PASSWORDS["main"]), timeout=10).json()
    return answer["results"][0]


def _offers(sb: t.Any, count: int) -> list[dict[str, object]]:
    """Offers whose price bounds leave room for a 10% rise, with stock."""
    usable = [row for row in sb.catalog("main")
              if row.get("max_sale_price") and row.get("min_sale_price")
              and Decimal(row["sale_price"]) * Decimal("1.1") < Decimal(row["max_sale_price"])
              and row["general_stock"] > 2]
    assert len(usable) >= count
    return usable[:count]


def _text(value: object) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def _plan(row: dict[str, object], field: str, planned: str, **overrides: object
          ) -> dict[str, object]:
    emag = {"sale_price": _text(row["sale_price"]), "stock": str(row["general_stock"]),
            "status": str(row["status"])}[field]
    return {"account": "main", "product_id": row["id"], "field": field, "emag_value": emag,
            "planned_value": planned, "emag_read_at": "2026-12-05T10:00:00",
            "min_sale_price": row["min_sale_price"], "max_sale_price": row["max_sale_price"],
            **overrides}


def _push(tmp_path: Path, sb: Sandbox, postgres, rows: list[dict[str, object]],
          password: str = PASSWORDS["main"], env: dict[str, str] | None = None,
          **settings: object) -> subprocess.CompletedProcess[str]:
    defaults = {"write_log_schema": "push_writes", "dry_run": False,
                "retry_backoff_seconds": 0.01,
                # the sandbox here has no rate limit; pacing has its own test
                "requests_per_second": 500}
    config = target_config([write_account("main", USERNAMES["main"], password, sb.base_url)],
                           postgres.dsn_for("emag"), **{**defaults, **settings})
    return run_target(tmp_path, config, rows, env=env)


def _log(postgres) -> dict[tuple[int, str], tuple[str, str | None]]:
    """The latest outcome and message per offer and field."""
    with psycopg.connect(postgres.dsn_for("emag")) as connection:
        rows = connection.execute(
            "select product_id, field, outcome, message from push_writes.offer_writes "
            "order by recorded_at").fetchall()
    return {(offer, field): (outcome, message) for offer, field, outcome, message in rows}


@pytest.fixture(autouse=True)
def clean_log(postgres):
    with psycopg.connect(postgres.dsn_for("emag"), autocommit=True) as connection:
        connection.execute("drop schema if exists push_writes cascade")


def test_a_push_sends_each_change_once_in_batches_and_confirms_it(tmp_path, sb, postgres):
    rows = _offers(sb, 60)
    plan = [_plan(row, "sale_price", _text(Decimal(row["sale_price"]) * Decimal("1.05")))
            for row in rows]
    plan += [_plan(rows[0], "stock", "1"), _plan(rows[1], "status", "0")]
    result = _push(tmp_path, sb, postgres, plan)
    assert result.returncode == 0, result.stderr[-3000:]
    sent = sb.writes("main")["requests"]
    assert [request["offers"] for request in sent] == [50, 10]  # 60 offers, at most 50 a request
    # 60 offers of a 200-offer catalogue: each check reads its 2 pages, not 60 offers by id
    # (a count, asked once a run, 2 pages, 2 writes, 2 pages)
    assert sb.stats()["accounts"]["main"]["requests"]["total"] == 7
    assert sorted(i for request in sent for i in request["ids"]) == sorted(r["id"] for r in rows)
    assert all(request["outcome"] == "answered" and not request["is_error"] for request in sent)
    logged = _log(postgres)
    assert {outcome for outcome, _ in logged.values()} == {"confirmed"}
    assert len(logged) == 62
    shown = _read(sb, rows[0]["id"])
    assert _text(shown["sale_price"]) == plan[0]["planned_value"]
    assert shown["general_stock"] == 1
    assert _read(sb, rows[1]["id"])["status"] == 0

    # right after, the same plan (the next scan has not run): eMAG has it, nothing is sent
    again = _push(tmp_path, sb, postgres, plan)
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(sb.writes("main")["requests"]) == 2
    assert {message for _, message in _log(postgres).values()} == {
        "eMAG already had this value: nothing sent"}


def test_a_refused_offer_is_recorded_and_the_rest_applied(tmp_path, sb, postgres):
    good, bad = _offers(sb, 2)
    # the plan's bounds are out of date: eMAG's own bounds refuse the price, not the guard
    too_high = _text(Decimal(bad["max_sale_price"]) + 1)
    plan = [_plan(good, "sale_price", _text(Decimal(good["sale_price"]) * Decimal("1.05"))),
            _plan(bad, "sale_price", too_high, max_sale_price=str(Decimal(too_high) * 2))]
    sb_value = _text(bad["sale_price"])
    result = _push(tmp_path, sb, postgres, plan, max_price_change_percent=10**9)
    assert result.returncode == 0, result.stderr[-3000:]
    logged = _log(postgres)
    assert logged[(good["id"], "sale_price")][0] == "confirmed"
    outcome, message = logged[(bad["id"], "sale_price")]
    assert outcome == "refused"
    assert message.startswith(f"offer {bad['id']}: sale_price")
    assert _text(_read(sb, bad["id"])["sale_price"]) == sb_value
    assert len(sb.writes("main")["requests"]) == 1  # a refusal is not retried


def test_an_order_between_plan_and_push_is_not_overwritten(tmp_path, sb, postgres):
    (row,) = _offers(sb, 1)
    plan = [_plan(row, "stock", str(row["general_stock"] + 10))]
    placed = requests.post(f"{sb.admin_url}/orders", timeout=10, json={
        "account": "main", "lines": [{"product_id": row["id"], "quantity": 1}]})
    assert placed.status_code == 200, placed.text
    result = _push(tmp_path, sb, postgres, plan)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome, message = _log(postgres)[(row["id"], "stock")]
    assert outcome == "stale" and "changed since the plan" in message
    assert sb.writes("main")["requests"] == []
    assert _read(sb, row["id"])["general_stock"] == row["general_stock"] - 1


def test_a_wrong_password_fails_the_account_sends_nothing_and_shows_no_password(
        tmp_path, sb, postgres):
    (row,) = _offers(sb, 1)
    wrong = "Wrong-Pass-0042"
    result = _push(tmp_path, sb, postgres, [_plan(row, "status", "0")], password=wrong)
    assert result.returncode != 0
    assert "main" in result.stderr and "refused access" in result.stderr
    assert wrong not in result.stderr + result.stdout
    assert sb.writes("main")["requests"] == []
    outcome, message = _log(postgres)[(row["id"], "status")]
    assert outcome == "failed" and wrong not in message


def test_faults_in_transit_never_apply_a_change_twice_and_all_land(tmp_path, sb, postgres):
    """500s (nothing applied) and answers cut short (applied, the answer lost) on reads and
    writes alike: a batch that failed is read back, and only what did not land is sent again."""
    rows = _offers(sb, 60)
    plan = [_plan(row, "sale_price", _text(Decimal(row["sale_price"]) * Decimal("1.05")))
            for row in rows]
    sb.configure(fault_rate=0.3, fault_kinds=["500", "truncated"])
    # batches of 5: twelve write requests, so that some fail (the draws follow the seed)
    result = _push(tmp_path, sb, postgres, plan, max_retries=10, batch_size=5)
    sb.configure(fault_rate=0.0)
    assert result.returncode == 0, result.stderr[-3000:]
    sent = sb.writes("main")["requests"]
    applied: dict[int, int] = {}
    for request in sent:
        for offer in request["results"]:
            if offer["applied"]:
                applied[offer["id"]] = applied.get(offer["id"], 0) + 1
    faulted = {request["fault"] for request in sent if request["outcome"] == "fault"}
    assert faulted == {"500", "truncated"}, "the seed gives this test writes failing both ways"
    assert applied == {row["id"]: 1 for row in rows}, "each change applied exactly once"
    assert {outcome for outcome, _ in _log(postgres).values()} == {"confirmed"}
    for row, change in zip(rows, plan, strict=True):
        assert _text(_read(sb, row["id"])["sale_price"]) == change["planned_value"]


def test_a_push_and_a_scan_of_one_account_share_its_3_requests_per_second(tmp_path, postgres):
    """The target and the tap, two processes on one account at once, at eMAG's 3/s budget:
    together never more than 3 requests in a second, no 429."""
    from tests.support.sandbox_process import SandboxProcess

    spec = f"main:{USERNAMES['main']}:{PASSWORDS['main']}:600:main"
    locks = tmp_path / "locks"
    env = {**os.environ, "TAP_EMAG_LOCK_DIRECTORY": str(locks)}
    with SandboxProcess([spec], "--rate-limit", "3", "--seed", "5") as sandbox:
        rows = [row for row in _offers(sandbox, 8)]
        plan = [_plan(row, "stock", str(row["general_stock"] + 1)) for row in rows]
        tap_config = tmp_path / "tap.json"
        tap_config.write_text(json.dumps({"accounts": [
            {"name": "main", "username": USERNAMES["main"], "password": PASSWORDS["main"],
             "base_url": sandbox.base_url}]}))
        scan = subprocess.Popen([str(Path(sys.executable).parent / "tap-emag"), "--config",
                                 str(tap_config)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        push = _push(tmp_path, sandbox, postgres, plan, requests_per_second=3, env=env)
        _, scan_errors = scan.communicate(timeout=300)
        stats = sandbox.stats()["accounts"]["main"]
    assert push.returncode == 0, push.stderr[-3000:]
    assert scan.returncode == 0, scan_errors[-3000:]
    assert {outcome for outcome, _ in _log(postgres).values()} == {"confirmed"}
    assert stats["throttled_429"] == 0
    assert stats["max_requests_in_any_1s_window"] <= 3
    # both ran at once: the scan's 6 pages, the push's two passes over them and its write
    assert stats["requests"]["total"] >= 3 * 6 + 1
