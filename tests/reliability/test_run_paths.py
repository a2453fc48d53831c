"""Exactly eMAG's catalogue on every path a seller takes: real Meltano, Postgres and dbt.

- no ghost (a product eMAG no longer lists still live) after `--full-refresh`, the daily
  schedule as cron starts it, or a lost Meltano state;
- no false deletion when more products vanish during a scan than `deletion_check_limit` can
  confirm;
- history, first observations, conflict detection times, kept values and manual decisions
  survive `dbt run --full-refresh` and `dbt build --full-refresh`.

`make reliability` runs them at full size (docs/RELIABILITY.md).
"""

from __future__ import annotations

import random
import typing as t

import psycopg

from tests.support import scenarios
from tests.support.catalogue_check import Comparison
from tests.support.meltano_project import sandbox_accounts
from tests.support.sandbox_process import SandboxProcess
from tests.support.scenarios import (
    SCALE,
    SEED,
    SIZES,
    Figures,
    assert_exact,
    compare_all,
    dsn_of,
    project_for,
    succeeded,
)
from tests.support.secrets_scan import assert_no_secrets

# what a seller runs: the load, then dbt:run (prepare-sources marks unlisted products deleted)
MAIN_JOB = ("tap-emag", "target-postgres", "dbt:run")


def _catalogue_in_models(sandbox: t.Any, dsn: str) -> dict[str, dict[str, list[int]]]:
    """emag.emag_products against the catalogue: ghosts, false deletions, missing products."""
    problems: dict[str, dict[str, list[int]]] = {}
    with psycopg.connect(dsn) as connection:
        for account in SIZES:
            listed = {product["id"] for product in sandbox.catalog(account)}
            rows = dict(connection.execute(
                "select product_id, is_deleted from emag.emag_products where account = %s",
                (account,)).fetchall())
            found = {
                "ghosts": sorted(pid for pid, gone in rows.items() if not gone
                                 and pid not in listed),
                "false deletions": sorted(pid for pid, gone in rows.items() if gone
                                          and pid in listed),
                "missing": sorted(listed - rows.keys()),
            }
            (total,), = connection.execute(
                "select products_total from emag.emag_sync_statistics where is_current"
                " and account = %s", (account,)).fetchall()
            if total != len(listed):
                found["statistics products_total"] = [total, len(listed)]
            problems[account] = {kind: ids for kind, ids in found.items() if ids}
    return {account: found for account, found in problems.items() if found}


def _assert_catalogue_everywhere(sandbox: t.Any, postgres: t.Any,
                                 project: t.Any) -> list[Comparison]:
    """Raw and modelled tables hold exactly the catalogue: no ghost, no false deletion."""
    comparisons = compare_all(sandbox, postgres, project)
    assert_exact(comparisons)
    assert _catalogue_in_models(sandbox, dsn_of(postgres, project)) == {}
    return comparisons


def _sync_log(dsn: str, run_id: str) -> dict[str, dict[str, t.Any]]:
    with psycopg.connect(dsn) as connection:
        cursor = connection.execute(
            "select account, sync_mode, sync_status, products_seen, products_emitted,"
            " products_created, products_updated, products_deleted, products_suspected"
            " from emag.emag_sync_log where run_id = %s", (run_id,))
        names = [column.name for column in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _changes(sandbox: t.Any, rng: random.Random, *, deleted: int, added: int = 0,
             changed: int = 0) -> dict[str, dict[str, list[int]]]:
    return {account: sandbox.mutate(account, deleted=deleted, added=added, changed=changed,
                                    seed=rng.randrange(10**6))
            for account in SIZES}


def _ghosts_in_raw(sandbox: t.Any, postgres: t.Any, project: t.Any) -> int:
    return sum(len(c.unexpected) for c in compare_all(sandbox, postgres, project))


# -- 1. ghosts ---------------------------------------------------------------------------------

def test_no_ghost_after_a_full_refresh_the_daily_schedule_or_a_lost_state(tmp_path, postgres):
    rng = random.Random(SEED)
    deletions = 3 if SCALE == "ci" else 60
    with SandboxProcess(sandbox_accounts(SIZES), "--seed", str(SEED % 1000),
                        "--rate-limit", "0") as sandbox:
        project = project_for(tmp_path, sandbox, postgres, "ghosts", requests_per_second=50)
        dsn = dsn_of(postgres, project)
        outputs: list[str] = []

        def run(*args: str) -> t.Any:
            result = project.run(*args)
            outputs.extend((result.stdout, result.stderr))
            succeeded(result)
            return result

        run(*MAIN_JOB)

        # `meltano run --full-refresh`: no state, nothing to compare with
        change = _changes(sandbox, rng, deleted=deletions, added=2, changed=4)
        stateless = run("--full-refresh", *MAIN_JOB)
        unlisted_after_stateless = _ghosts_in_raw(sandbox, postgres, project)
        log = _sync_log(dsn, stateless.run_id)
        for account in SIZES:  # a full re-emit is told from real creations
            assert (log[account]["sync_mode"], log[account]["products_created"],
                    log[account]["products_updated"]) == ("full", 2, 4), log[account]
        _changes(sandbox, rng, deleted=2)
        confirming = run(*MAIN_JOB)
        _assert_catalogue_everywhere(sandbox, postgres, project)
        log = _sync_log(dsn, confirming.run_id)
        for account in SIZES:  # the tap's 2, and the ones dbt confirmed
            assert log[account]["products_deleted"] == 2 + deletions, log[account]

        # the daily full sync, as cron starts it
        change = _changes(sandbox, rng, deleted=deletions, added=2, changed=4)
        scheduled = project.schedule_run("emag-daily-full-sync")
        outputs.extend((scheduled.stdout, scheduled.stderr))
        succeeded(scheduled)
        _assert_catalogue_everywhere(sandbox, postgres, project)  # at once: it kept the state
        log = _sync_log(dsn, scheduled.run_id)
        for account in SIZES:
            listed = len(sandbox.catalog(account))
            assert (log[account]["sync_mode"], log[account]["products_emitted"],
                    log[account]["products_created"], log[account]["products_updated"],
                    log[account]["products_deleted"]) == (
                "full_reemit", listed, 2, len(change[account]["changed"]), deletions)

        # a lost Meltano state (a new system database)
        _changes(sandbox, rng, deleted=deletions)
        project.env["MELTANO_DATABASE_URI"] = f"sqlite:///{tmp_path / 'new-meltano.db'}"
        lost = run(*MAIN_JOB)
        assert {row["sync_mode"] for row in _sync_log(dsn, lost.run_id).values()} == {"full"}
        run(*MAIN_JOB)
        comparisons = _assert_catalogue_everywhere(sandbox, postgres, project)
        requests, faults = scenarios.requests_and_faults(sandbox.stats())
    assert_no_secrets(project, dsn, *outputs)
    scenarios.record(Figures.from_comparisons(
        "ghosts: --full-refresh, the daily schedule, a lost state", comparisons,
        requests=requests, faults=faults,
        retries=scenarios.retries_logged(dsn, project.run_ids),
        note=f"{deletions} deleted per account before each, 2 more after the full refresh;"
             f" unlisted right after the stateless run:"
             f" {unlisted_after_stateless}, all deleted by the next run"))


# -- 2. a clean-up during a scan ---------------------------------------------------------------

def test_a_clean_up_larger_than_the_check_limit_during_a_scan_deletes_no_live_product(
        tmp_path, postgres):
    rng = random.Random(SEED + 1)
    limit, clean_up = (10, 120) if SCALE == "ci" else (100, 1500)
    options = ("--seed", str(SEED % 1000), "--rate-limit", "3")
    with SandboxProcess(sandbox_accounts(SIZES), *options) as sandbox:
        project = project_for(tmp_path, sandbox, postgres, "clean_up", requests_per_second=3,
                              deletion_check_limit=limit)
        dsn = dsn_of(postgres, project)
        succeeded(project.run(*MAIN_JOB))
        pages = SIZES["main"] // 100 + 1
        at_page = rng.randrange(pages // 4, pages // 2)
        sandbox.admin("reset_stats")
        process = project.start_run(*MAIN_JOB)
        scenarios.wait_for_pages(sandbox, "main", at_page)
        gone = set(sandbox.mutate("main", deleted=clean_up, seed=rng.randrange(10**6))
                   ["deleted"])
        stdout, stderr = process.communicate(timeout=900)
        assert process.returncode == 0, stderr[-4000:]
        during = _sync_log(dsn, process.run_id)["main"]
        comparisons = compare_all(sandbox, postgres, project)
        assert [c.falsely_deleted for c in comparisons] == [[], []]
        assert _catalogue_in_models(sandbox, dsn).get("main", {}).get("false deletions") is None
        # more products went missing than the limit could confirm: the rest wait
        assert during["products_suspected"] > 0, during
        assert during["products_deleted"] <= limit

        later = [project.run(*MAIN_JOB) for _ in range(2)]
        for result in later:
            succeeded(result)
        comparisons = _assert_catalogue_everywhere(sandbox, postgres, project)
        with psycopg.connect(dsn) as connection:
            listed = [p["id"] for p in sandbox.catalog("main")]
            (false_versions,), = connection.execute(
                "select count(*) from emag.emag_product_history where account = 'main'"
                " and is_deleted and product_id = any(%s)", (listed,)).fetchall()
            (deleted_rows,), = connection.execute(
                "select count(*) from emag_raw.products where account = 'main'"
                " and _sdc_deleted_at is not null and id = any(%s)", (list(gone),)).fetchall()
        requests, faults = scenarios.requests_and_faults(sandbox.stats())
    assert false_versions == 0  # no false deletion ever reached the history
    assert deleted_rows == len(gone)
    assert_no_secrets(project, dsn, stdout, stderr, *(r.stdout + r.stderr for r in later))
    scenarios.record(Figures.from_comparisons(
        "clean-up larger than deletion_check_limit during a scan", comparisons,
        requests=requests, faults=faults,
        retries=scenarios.retries_logged(dsn, project.run_ids),
        note=f"{clean_up} MAIN products deleted at page {at_page}/{pages}, limit {limit}:"
             f" {during['products_deleted']} deleted, {during['products_suspected']} suspected"
             f" in that run; false deletions 0 in raw, models and history; all {len(gone)}"
             " deleted within the next two runs"))


# -- 3. dbt --full-refresh ---------------------------------------------------------------------

HISTORY_SQL = ("select account, product_id, valid_from, valid_to, content_hash, is_deleted"
               " from emag.emag_product_history order by 1, 2, 3")
PRODUCTS_SQL = ("select account, product_id, part_number, product_name, sale_price, is_deleted,"
                " deleted_at, first_seen_at, version_observed_at, last_changed_at,"
                " resolved_name, resolved_sale_price, resolved_stock, resolution_rule,"
                " resolution_winner,"
                " has_open_conflict from emag.emag_products order by 1, 2")
CONFLICTS_SQL = ("select account, product_id, field, emag_value, local_value, resolved_value,"
                 " status, detected_at, resolved_at from emag.emag_product_conflicts"
                 " order by 1, 2, 3")


def _snapshot(dsn: str) -> dict[str, list[tuple[t.Any, ...]]]:
    with psycopg.connect(dsn) as connection:
        return {name: connection.execute(sql).fetchall() for name, sql in (
            ("history", HISTORY_SQL), ("products", PRODUCTS_SQL),
            ("conflicts", CONFLICTS_SQL))}


def _manual_prices(dsn: str, sandbox: t.Any, rng: random.Random) -> set[int]:
    """The seller's own price on 60 MAIN products, to be decided by hand (manual)."""
    products = rng.sample([p for p in sandbox.catalog("main") if p["status"] == 1], 60)
    with psycopg.connect(dsn) as connection:
        for product in products:
            connection.execute(
                "insert into local.products (account, product_id, sale_price, conflict_strategy)"
                " values ('main', %s, %s::numeric + 1, 'manual')",
                (product["id"], product["sale_price"]))
    return {product["id"] for product in products}


def _decided_and_newer(dsn: str, sandbox: t.Any, untouched: list[int]) -> tuple[int, int]:
    """A stock conflict decided for the local side, and a local name newer than eMAG's."""
    by_id = {p["id"]: p for p in sandbox.catalog("main")}
    decided, newer = (by_id[pid] for pid in untouched[:2])
    with psycopg.connect(dsn) as connection:
        connection.execute(
            "insert into local.products (account, product_id, stock, conflict_strategy)"
            " values ('main', %s, %s, 'manual')", (decided["id"], decided["general_stock"] + 9))
        connection.execute(
            "insert into local.products (account, product_id, name, conflict_strategy)"
            " values ('main', %s, %s, 'newest_wins')", (newer["id"], newer["name"] + " (shop)"))
    return decided["id"], newer["id"]


def test_what_cannot_be_rebuilt_survives_a_dbt_full_refresh(tmp_path, postgres):
    rng = random.Random(SEED + 2)
    with SandboxProcess(sandbox_accounts(SIZES), "--seed", str(SEED % 1000),
                        "--rate-limit", "0") as sandbox:
        project = project_for(tmp_path, sandbox, postgres, "dbt_full_refresh",
                              requests_per_second=50)
        dsn = dsn_of(postgres, project)
        outputs: list[str] = []

        def succeeded_with_output(result: t.Any) -> None:
            outputs.extend((result.stdout, result.stderr))
            succeeded(result)

        succeeded_with_output(project.run(*MAIN_JOB))
        manual = _manual_prices(dsn, sandbox, rng)
        succeeded_with_output(project.invoke("dbt:run"))  # their conflicts open
        # a quarter of the catalogue changes (some manual prices among them: the value kept
        # while the conflict is open now differs from eMAG's) and some products go
        changed = len(sandbox.catalog("main")) // 4
        change = sandbox.mutate("main", changed=changed, deleted=20, seed=rng.randrange(10**6))
        sandbox.mutate("fbe", changed=changed // 2, deleted=10, seed=rng.randrange(10**6))
        succeeded_with_output(project.run(*MAIN_JOB))
        untouched = [p["id"] for p in sandbox.catalog("main") if p["status"] == 1
                     and p["id"] not in manual and p["id"] not in change["changed"]]
        decided, newer = _decided_and_newer(dsn, sandbox, untouched)
        succeeded_with_output(project.invoke("dbt:run"))
        with psycopg.connect(dsn) as connection:
            connection.execute(
                "insert into local.product_conflict_resolutions (account, product_id, field,"
                " winner, decided_by) values ('main', %s, 'stock', 'local', 'ana')", (decided,))
        # the daily full sync re-emits everything (raw then says "observed now" everywhere),
        # and its dbt run applies the decision
        succeeded_with_output(project.schedule_run("emag-daily-full-sync"))
        before = _snapshot(dsn)

        for command in ("dbt:run", "dbt:build"):
            result = project.invoke(command, "--full-refresh")
            outputs.extend((result.stdout, result.stderr))
            assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
            after = _snapshot(dsn)
            for name in before:
                assert after[name] == before[name], f"{name} changed by {command} --full-refresh"
        comparisons = compare_all(sandbox, postgres, project)

    products = {(row[0], row[1]): row for row in before["products"]}
    conflicts = {(row[0], row[1], row[2]): row for row in before["conflicts"]}
    versions = len(before["history"])
    products_count = len(products)
    assert versions > products_count  # changes and deletions are versions of their own
    decision = conflicts[("main", decided, "stock")]
    assert (decision[6], products[("main", decided)][12]) == ("resolved", int(decision[4]))
    kept = [row for key, row in conflicts.items() if key[2] == "sale_price"
            and key[1] in manual and row[5] != row[3]]
    assert kept and all(row[6] == "open" for row in kept)  # an old value kept, still open
    assert products[("main", newer)][10].endswith(" (shop)")  # local is newer than eMAG
    deleted = [row for row in products.values() if row[5]]
    assert len(deleted) == 30 and all(row[2] and row[3] and row[4] for row in deleted)
    assert_exact(comparisons)
    assert_no_secrets(project, dsn, *outputs)
    scenarios.record(Figures.from_comparisons(
        "dbt run/build --full-refresh after history, decisions and deletions", comparisons,
        requests=0, faults=0, retries=0,
        note=f"history {versions:,} versions before and after both rebuilds; 1 decision kept"
             f" (resolved), {len(kept)} kept values of open conflicts kept, 30 deleted products"
             " keep their values, newest_wins still local"))
