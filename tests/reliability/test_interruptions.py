"""Nothing lost under faults, interruptions and a failing account: real Meltano, real Postgres.

Each scenario ends by comparing Postgres with the sandbox's own catalogue, product by product
and field by field (tests/catalogue_check.py, independent of the tap), and records its figures
(docs/RELIABILITY.md; `make reliability` runs the same scenarios at full size).
"""

from __future__ import annotations

import os
import random
import signal
import typing as t
from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest

from tests.support import catalogue_check, scenarios
from tests.support.catalogue_check import compare, raw_rows
from tests.support.meltano_project import sandbox_accounts
from tests.support.sandbox_process import SandboxProcess
from tests.support.scenarios import (
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

LOAD = ("tap-emag", "target-postgres")
MAIN_JOB = (*LOAD, "dbt:run")
ALL_FAULTS = "429,500,502,503,504,timeout,truncated,iserror"


# -- 1. faults ---------------------------------------------------------------------------------

def test_ten_percent_faults_a_full_sync_loads_exactly_the_catalogue(tmp_path, postgres):
    options = ("--seed", str(SEED % 1000), "--fault-rate", "0.1", "--fault-kinds", ALL_FAULTS,
               "--timeout-delay", "3", "--rate-limit", "0")
    with SandboxProcess(sandbox_accounts(SIZES), *options) as sandbox:
        project = project_for(tmp_path, sandbox, postgres, "faults", requests_per_second=20,
                           request_timeout=2, max_retries=8,
                           items_per_page=scenarios.PAGE_SIZE)
        result = project.run(*MAIN_JOB)
        succeeded(result)
        comparisons = compare_all(sandbox, postgres, project)
        stats = sandbox.stats()
        requests, faults = scenarios.requests_and_faults(stats)
        by_kind = {kind: sum(a["faults"].get(kind, 0) for a in stats["accounts"].values())
                   for kind in ALL_FAULTS.split(",")}
    assert_exact(comparisons)
    dsn = dsn_of(postgres, project)
    with psycopg.connect(dsn) as connection:
        modelled = connection.execute(
            "select account, count(*), count(distinct product_id) from emag.emag_products"
            " group by account order by account").fetchall()
    assert modelled == sorted((account, size, size) for account, size in SIZES.items())
    retries = scenarios.retries_logged(dsn, [result.run_id])
    assert faults >= 0.05 * requests and retries > 0
    assert_no_secrets(project, dsn, result.stdout, result.stderr)
    scenarios.record(Figures.from_comparisons(
        "10% mixed faults, full sync of two accounts", comparisons, requests=requests,
        faults=faults, retries=retries,
        note=", ".join(f"{kind} {n}" for kind, n in by_kind.items() if n)))


def test_the_check_sees_a_changed_a_missing_and_an_extra_product(tmp_path, postgres):
    """The comparison above proves something only if it fails when Postgres is off by one."""
    with SandboxProcess(sandbox_accounts(SIZES), "--seed", "5", "--rate-limit", "0") as sandbox:
        project = project_for(tmp_path, sandbox, postgres, "check", requests_per_second=50)
        succeeded(project.run(*LOAD))
        assert_exact(compare_all(sandbox, postgres, project))
        change = sandbox.mutate("fbe", changed=1, added=1, deleted=1, seed=8)
        main, fbe = compare_all(sandbox, postgres, project)
        # a state that lags behind upstream changes is fine; one that claims a row Postgres
        # lost is not
        state, dsn = project.saved_state(), dsn_of(postgres, project)
        assert scenarios.overclaimed(state, dsn, [main, fbe]) == {}
        lost_row = sandbox.catalog("main")[7]["id"]
        with psycopg.connect(dsn) as connection:
            connection.execute("delete from emag_raw.products where account = 'main'"
                               " and id = %s", (lost_row,))
        main_after = compare_all(sandbox, postgres, project)[0]
        assert scenarios.overclaimed(state, dsn, [main_after, fbe]) == {"main": [lost_row]}
        with psycopg.connect(dsn) as connection:
            rows = raw_rows(connection, "main")
        served = [p for p in sandbox.catalog("main") if p["id"] != lost_row]
    assert main.exact
    assert (fbe.differing, fbe.lost, fbe.unexpected) == (
        change["changed"], change["added"], change["deleted"])
    assert fbe.verified == SIZES["fbe"] - 2
    assert main_after.lost == [lost_row]
    _every_column_is_checked(served, rows)


def _perturbed(value: t.Any) -> t.Any:
    if value is None:
        return "x"
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, Decimal)):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list):
        return value[:-1] if value else ["x"]
    return {**value, "x": 1}


def _every_column_is_checked(served: list[dict[str, t.Any]],
                             rows: list[dict[str, t.Any]]) -> None:
    """A change to any product column of any row, or a deletion, is seen."""
    rows = sorted(rows, key=lambda row: -len(str(row)))  # the fullest row first
    row, others = rows[0], rows[1:]
    assert compare("main", served, rows).exact
    for column in sorted(set(row) - catalogue_check.SYNC_COLUMNS - {"id"}):
        changed = {**row, column: _perturbed(row[column])}
        assert compare("main", served, [changed, *others]).differing == [row["id"]], column
    typed_as_text = {**row, "sale_price": str(row["sale_price"])}
    assert compare("main", served, [typed_as_text, *others]).differing == [row["id"]]
    gone = {**row, "_sdc_deleted_at": datetime.now(tz=UTC)}
    assert compare("main", served, [gone, *others]).falsely_deleted == [row["id"]]
    assert compare("main", served, [row, *rows]).duplicated == [row["id"]]


# -- 2. interruptions --------------------------------------------------------------------------

def _interrupted(tmp_path, postgres, name: str, interrupt: t.Callable[[t.Any, t.Any], None],
                 *, full_refresh: bool = False, env: t.Mapping[str, str] | None = None) -> None:
    """Full run; changes; a run interrupted part-way; then a run that must converge.

    The tap is interrupted at a random page of an incremental run. The target and Postgres are
    interrupted in a full-refresh run (every product re-sent, as the nightly schedule does),
    once a random number of its rows are committed: the load is then half done for real.
    """
    rng = random.Random(SEED)
    options = ("--seed", str(SEED % 1000), "--rate-limit", "3")
    with SandboxProcess(sandbox_accounts(SIZES), *options) as sandbox:
        project = project_for(tmp_path, sandbox, postgres, name, requests_per_second=3)
        project.env.update(env or {})
        dsn = dsn_of(postgres, project)
        first = project.run(*LOAD)
        succeeded(first)
        sandbox.mutate("main", changed=25, added=12, deleted=6, seed=rng.randrange(1000))
        sandbox.mutate("fbe", changed=10, added=4, deleted=3, seed=rng.randrange(1000))
        sandbox.admin("reset_stats")

        pages = SIZES["main"] // 100 + 1
        process = project.start_run(*(("--full-refresh",) if full_refresh else ()), *LOAD)
        try:
            if full_refresh:
                wanted = rng.randrange(1, sum(SIZES.values()) // 2)
                done = scenarios.wait_for_commits(dsn, process.run_id, wanted)
                where = f"once {done:,} of its rows were committed"
            else:
                page = rng.randrange(2, pages - 1)
                scenarios.wait_for_pages(sandbox, "main", page)
                where = f"at MAIN page {page} of {pages}"
            tap = scenarios.find_child(process.pid, "tap-emag")
            interrupt(process, postgres)
            stdout, stderr = process.communicate(timeout=600)
            # the tap holds its accounts' run lock until it exits, a few seconds after Meltano
            # when its output is gone (requests in flight end first): the next run, which a
            # schedule starts minutes later, would skip the accounts (tests/tap/test_overlap.py)
            scenarios.wait_exited(tap, timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            postgres.start()  # a no-op unless the scenario stopped it
        assert process.returncode != 0, "the interrupted run must fail"
        with psycopg.connect(dsn) as connection:
            partial = [compare(a, sandbox.catalog(a), raw_rows(connection, a)) for a in SIZES]
            (committed,), = connection.execute(
                "select count(*) from emag_raw.products where run_id = %s",
                (process.run_id,)).fetchall()
        if full_refresh:  # interrupted half-way, not before its first or after its last commit
            assert 0 < committed < sum(c.expected for c in partial), committed
        assert scenarios.overclaimed(project.saved_state(), dsn, partial) == {}
        assert [c.falsely_deleted for c in partial] == [[], []]
        assert [c.duplicated for c in partial] == [[], []]

        final = project.run(*LOAD)
        succeeded(final)
        comparisons = compare_all(sandbox, postgres, project)
        requests, faults = scenarios.requests_and_faults(sandbox.stats())
    assert_exact(comparisons)
    assert scenarios.overclaimed(project.saved_state(), dsn, comparisons) == {}
    assert_no_secrets(project, dsn, first.stdout, first.stderr, stdout, stderr, final.stdout,
                      final.stderr)
    scenarios.record(Figures.from_comparisons(
        name.replace("_", " "), comparisons, requests=requests, faults=faults,
        retries=scenarios.retries_logged(dsn, [final.run_id]),
        note=f"interrupted {where}, {committed:,} rows of that run committed (seed {SEED})"))


def test_tap_killed_at_a_random_page_then_the_next_run_converges(tmp_path, postgres):
    def kill_tap(process, _postgres) -> None:
        os.kill(scenarios.find_child(process.pid, "tap-emag"), signal.SIGKILL)

    _interrupted(tmp_path, postgres, "tap_killed_with_sigkill", kill_tap)


def test_target_killed_mid_batch_then_the_next_run_converges(tmp_path, postgres):
    def kill_target(process, _postgres) -> None:
        os.kill(scenarios.find_child(process.pid, "target-postgres"), signal.SIGKILL)

    _interrupted(tmp_path, postgres, "target_postgres_killed_mid_batch", kill_target,
                 full_refresh=True, env={"TARGET_POSTGRES_BATCH_SIZE_ROWS": "100"})


def test_postgres_stopped_during_a_load_then_the_next_run_converges(tmp_path, postgres):
    def stop_postgres(_process, server) -> None:
        server.stop()

    _interrupted(tmp_path, postgres, "postgres_stopped_during_load", stop_postgres,
                 full_refresh=True, env={"TARGET_POSTGRES_BATCH_SIZE_ROWS": "100"})


# -- 3. one account down -----------------------------------------------------------------------

def _account_rows(dsn: str, account: str) -> list[tuple[t.Any, ...]]:
    with psycopg.connect(dsn) as connection:
        return connection.execute(
            "select p::text from emag_raw.products p where account = %s order by id",
            (account,)).fetchall()


@pytest.mark.parametrize("failure, message", [
    ("wrong_password", "Invalid username or password"),
    ("ip_not_whitelisted", "not whitelisted"),
])
def test_one_account_down_the_other_syncs_and_its_data_is_untouched(tmp_path, postgres,
                                                                     failure, message):
    with SandboxProcess(sandbox_accounts(SIZES), "--seed", "31", "--rate-limit", "0") as sandbox:
        project = project_for(tmp_path, sandbox, postgres, f"down_{failure}",
                           requests_per_second=20)
        dsn = dsn_of(postgres, project)
        succeeded(project.run(*MAIN_JOB))
        fbe_before = _account_rows(dsn, "fbe")
        state_before = project.saved_state()
        sandbox.mutate("main", changed=15, added=5, deleted=4, seed=3)
        sandbox.mutate("fbe", changed=15, added=5, deleted=4, seed=4)
        if failure == "wrong_password":
            sandbox.admin("password", account="fbe", password="Rotated-by-the-seller-9")
        else:
            sandbox.admin("ip_blocked", account="fbe", blocked=True)
        second = project.run(*MAIN_JOB)
        with psycopg.connect(dsn) as connection:
            main = compare("main", sandbox.catalog("main"), raw_rows(connection, "main"))
        requests, faults = scenarios.requests_and_faults(sandbox.stats())
        singer = project.invoke("tap-emag") if failure == "wrong_password" else None

    assert second.returncode != 0
    assert main.exact, main.summary()
    assert _account_rows(dsn, "fbe") == fbe_before
    state = project.saved_state()
    assert scenarios.bookmarked(state)["fbe"] == scenarios.bookmarked(state_before)["fbe"]
    with psycopg.connect(dsn) as connection:
        log = dict(connection.execute(
            "select account, sync_status || ': ' || coalesce(error_messages::text, '')"
            " from emag.emag_sync_log where run_id = %s", (second.run_id,)).fetchall())
    assert log["main"].startswith("completed")
    assert log["fbe"].startswith("failed") and message in log["fbe"]
    outputs = [second.stdout, second.stderr]
    if singer is not None:  # the Singer messages themselves, failure message included
        assert '"status": "failed"' in singer.stdout or '"status":"failed"' in singer.stdout
        outputs += [singer.stdout, singer.stderr]
    assert_no_secrets(project, dsn, *outputs, extra=("Rotated-by-the-seller-9",))
    scenarios.record(Figures.from_comparisons(
        f"FBE down ({failure.replace('_', ' ')}), MAIN syncs", [main],
        requests=requests, faults=faults,
        retries=scenarios.retries_logged(dsn, [second.run_id]),
        note=f"FBE rows unchanged: {len(fbe_before)}; exit code {second.returncode}"))


# -- 4. bad records ----------------------------------------------------------------------------

BAD_PER_KIND = 2


def _issues(row: dict[str, t.Any]) -> str:
    return " | ".join(row["quality_issues"] or [])


def _check_bad_row(kind: str, item: dict[str, t.Any], row: dict[str, t.Any]) -> None:
    """How each malformed item must land: read where possible, the rest named."""
    if kind == "bad_price":
        assert row["sale_price"] is None and row["recommended_price"] is None
        assert "sale_price" in _issues(row) and "recommended_price" in _issues(row)
    elif kind == "string_for_list":
        assert row["ean"] == [item["ean"]]
        assert row["images"] == [] and "images" in _issues(row)
    elif kind == "object_for_number":
        assert row["general_stock"] is None and row["vat_id"] is None
        assert "general_stock" in _issues(row) and "vat_id" in _issues(row)
    elif kind in ("long_html", "unicode"):
        for name in ("name", "brand", "description"):
            assert row[name] == item[name]
        assert [c["value"] for c in row["characteristics"]] == \
            [c["value"] for c in item["characteristics"]]
        assert not row["quality_issues"]
    elif kind == "nulls_everywhere":
        assert row["name"] is None and row["sale_price"] is None and row["ean"] == []
    elif kind == "unknown_keys":
        assert set(row["extra"]) == {key for key in item if key not in
                                     catalogue_check.KNOWN}
        assert row["extra"]["dimensions"] == item["dimensions"]
    else:
        pytest.fail(f"unexpected kind {kind} loaded")


def test_bad_records_are_read_or_counted_and_every_other_record_loads(tmp_path, postgres):
    options = ("--seed", "41", "--rate-limit", "0", "--bad-records", str(9 * BAD_PER_KIND))
    with SandboxProcess(sandbox_accounts(SIZES), *options) as sandbox:
        project = project_for(tmp_path, sandbox, postgres, "bad_records", requests_per_second=50)
        result = project.run(*MAIN_JOB)
        succeeded(result)
        dsn = dsn_of(postgres, project)
        comparisons, loaded_bad = [], 0
        with psycopg.connect(dsn) as connection:
            for account in SIZES:
                bad = sandbox.admin_get("bad_records", account=account)
                bad_ids = {b["item"]["id"]: b for b in bad if b["item"].get("id") is not None}
                rows = raw_rows(connection, account)
                good_rows = [row for row in rows if row["id"] not in bad_ids]
                comparisons.append(compare(account, sandbox.catalog(account), good_rows))
                by_id = {row["id"]: row for row in rows}
                for product_id, entry in bad_ids.items():
                    _check_bad_row(entry["kind"], entry["item"], by_id[product_id])
                loaded_bad += len(bad_ids)
                assert len(bad_ids) == 7 * BAD_PER_KIND
            log = connection.execute(
                "select account, sync_status, failed_records, error_messages::text"
                " from emag.emag_sync_log where run_id = %s order by account",
                (result.run_id,)).fetchall()
        requests, faults = scenarios.requests_and_faults(sandbox.stats())
    assert_exact(comparisons)
    assert [row[0] for row in log] == sorted(SIZES)
    for account, status, failed, messages in log:
        assert (status, failed) == ("partial", 2 * BAD_PER_KIND), account
        assert messages.count("record skipped") == 2 * BAD_PER_KIND
        assert "no id" in messages
    assert_no_secrets(project, dsn, result.stdout, result.stderr)
    scenarios.record(Figures.from_comparisons(
        "bad records mixed into the catalogue", comparisons, requests=requests, faults=faults,
        retries=scenarios.retries_logged(dsn, [result.run_id]),
        note=f"{9 * BAD_PER_KIND} bad records per account: {loaded_bad} loaded with their"
             f" issues named, {4 * BAD_PER_KIND} without an id counted as failed"))
