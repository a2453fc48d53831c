"""Schema drift end to end: keys eMAG adds at any depth, and a nested value that changes type,
reach Postgres through the real tap, target-postgres and dbt, and change the content identity;
the same payload read again changes nothing.

The sandbox's `drift` setting (docs/SANDBOX.md) makes every offer and order whose id is a
multiple of N carry new keys at every nesting level, `offer_details.supply_lead_time` as text
and `handling_time[].value` as an object.
"""

from __future__ import annotations

import pytest

from tests.support.meltano_project import MeltanoProject, meltano_accounts, sandbox_accounts
from tests.support.sandbox_process import SandboxProcess

SIZES = {"main": 90, "fbe": 60}
EVERY = 3
SCAN_JOB = "emag-sync"
QUICK_JOB = "emag-quick-sync"
# (raw column, jsonb path to the drifted key) for the keys added inside nested objects
NESTED = (
    ("stock[1]", "{drift_nested}"),
    ("handling_time[1]", "{drift_nested}"),
    ("availability[1]", "{drift_nested}"),
    ("images[1]", "{drift_nested}"),
    ("characteristics[1]", "{drift_nested}"),
    ("validation_status[1]", "{drift_nested}"),
    ("translation_validation_status[1]", "{drift_nested}"),
    ("offer_validation_status", "{drift_nested}"),
    ("offer_details", "{drift_nested}"),
    ("offer_details", "{drift_deep,level}"),
    ("extra", "{drift_top_level}"),
)


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(sandbox_accounts(SIZES), "--rate-limit", "0", "--seed", "37") as sb:
        yield sb


@pytest.fixture(scope="module")
def drifted(tmp_path_factory, sandbox, postgres):
    """A scan without drift, then drift switched on and scanned twice, and a quick run."""
    project = MeltanoProject(tmp_path_factory.mktemp("meltano"), sandbox.base_url, postgres,
                             meltano_accounts(SIZES))
    runs = {}
    for name, drift in (("before", 0), ("drifted", EVERY), ("again", EVERY)):
        sandbox.admin("configure", drift=drift)
        result = project.run(SCAN_JOB)
        assert result.returncode == 0, result.stderr[-3000:]
        runs[name] = result.run_id
    orders = {account: sandbox.admin("orders", account=account, place=12, seed=5)
              for account in SIZES}
    result = project.run(QUICK_JOB)
    assert result.returncode == 0, result.stderr[-3000:]
    runs["quick"] = result.run_id
    return runs, orders


def _drifting(sandbox, account: str) -> set[int]:
    return {p["id"] for p in sandbox.catalog(account) if p["id"] % EVERY == 0}


def test_drift_changes_the_identity_of_exactly_the_drifted_offers(drifted, sandbox, postgres):
    runs, _ = drifted
    for account in SIZES:
        # the history, not raw: the quick run re-read some of them since (raw keeps its run id)
        emitted = {row[0] for row in postgres.query(
            "select product_id from emag_system_of_record.int_emag__product_versions"
            " where account = %s and run_id = %s", (account, runs["drifted"]))}
        assert emitted == _drifting(sandbox, account)
        # the scans' versions (the quick run after them records the orders' stock changes)
        versions = dict(postgres.query(
            "select product_id, count(*) from emag_system_of_record.int_emag__product_versions"
            " where account = %s and run_id = any(%s) group by product_id",
            (account, [runs["before"], runs["drifted"], runs["again"]])))
        assert {pid for pid, count in versions.items() if count == 2} == emitted
        assert set(versions.values()) == {1, 2}


def test_the_same_drifted_payload_read_again_is_not_a_change(drifted, postgres):
    runs, _ = drifted
    rows = postgres.query(
        "select account, emitted, updated, unchanged from emag_raw.sync_runs"
        " where run_id = %s order by account", (runs["again"],))
    assert [(account, emitted, updated) for account, emitted, updated, _ in rows] == [
        ("fbe", 0, 0), ("main", 0, 0)]
    assert {account: unchanged for account, _, _, unchanged in rows} == SIZES


def _has(record: dict, column: str) -> bool:
    """Whether the served record has the place a drifted key goes (shapes differ)."""
    key = column.split("[")[0]
    return key == "extra" or bool(record.get(key))


def test_new_keys_at_every_depth_reach_postgres(drifted, sandbox, postgres):
    for account in SIZES:
        served = [p for p in sandbox.catalog(account) if p["id"] % EVERY == 0]
        for column, path in NESTED:
            held = postgres.query(
                f"select id from emag_raw.products where account = %s"
                f" and ({column}) #> %s is not null", (account, path))
            expected = {p["id"] for p in served if _has(p, column)}
            assert expected, (column, "no drifted offer has it: the test checks nothing")
            assert {row[0] for row in held} == expected, (column, path)


def test_a_nested_value_that_changed_type_reaches_postgres(drifted, sandbox, postgres):
    for account in SIZES:
        served = {p["id"]: p for p in sandbox.catalog(account)
                  if p["id"] % EVERY == 0 and p.get("offer_details") and p.get("handling_time")}
        assert served
        rows = postgres.query(
            "select id, offer_details -> 'supply_lead_time', handling_time[1] -> 'value',"
            " unread -> 'handling_time', quality_issues"
            " from emag_raw.products where account = %s and id = any(%s)",
            (account, sorted(served)))
        assert len(rows) == len(served)
        for product_id, lead_time, typed, unread, issues in rows:
            sent = served[product_id]
            # an open object keeps the new type in place; a typed column is nulled and the
            # value eMAG sent is kept in `unread`, named in quality_issues
            assert lead_time == sent["offer_details"]["supply_lead_time"]
            assert isinstance(lead_time, str)
            assert typed is None
            assert unread == sent["handling_time"]
            assert any(issue.startswith("handling_time:") for issue in issues)


def test_new_keys_of_order_lines_reach_postgres(drifted, postgres):
    _, orders = drifted
    for account in SIZES:
        drifting = postgres.query(
            "select id, bool_and(line ? 'drift_nested')"
            " from emag_raw.orders, unnest(lines) as line"
            " where account = %s and id %% %s = 0 group by id", (account, EVERY))
        others = postgres.query(
            "select count(*) from emag_raw.orders, unnest(lines) as line"
            " where account = %s and id %% %s <> 0 and line ? 'drift_nested'", (account, EVERY))
        placed = {order["id"] for order in orders[account]["orders"]}
        assert {order_id for order_id in placed if order_id % EVERY == 0} <= {
            order_id for order_id, _ in drifting}
        assert drifting and all(held for _, held in drifting)
        assert others == [(0,)]
