"""Runs never overlap: the hourly schedule, started by cron while the previous run of the job is
still scanning, reads nothing, says which run holds the accounts, and the sync log records
the skipped run; the running scan finishes as if alone and the next run goes ahead.

Through the real pipeline: `meltano schedule run emag-hourly-sync` (tap-emag, target-postgres,
dbt) against the sandbox at eMAG's 3 requests/s, so the first scan takes long enough to be
caught in the middle.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.support.meltano_project import MeltanoProject, meltano_accounts, sandbox_accounts
from tests.support.sandbox_process import SandboxProcess
from tests.support.scenarios import wait_for_pages

SIZES = {"main": 6000, "fbe": 3000}
SCHEDULE = "emag-hourly-sync"


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(sandbox_accounts(SIZES), "--rate-limit", "3", "--seed", "41",
                        "--latency", "0.05") as sb:
        yield sb


@pytest.fixture(scope="module")
def project(tmp_path_factory, sandbox, postgres):
    return MeltanoProject(tmp_path_factory.mktemp("meltano"), sandbox.base_url, postgres,
                          meltano_accounts(SIZES), requests_per_second=3)


def _sync_log(dsn: str, run_id: str) -> dict[str, tuple]:
    with psycopg.connect(dsn) as connection:
        rows = connection.execute(
            "select account, sync_mode, sync_status, pages_fetched, requests, error_messages"
            " from emag.emag_sync_log where run_id = %s", (run_id,)).fetchall()
    return {row[0]: row[1:] for row in rows}


def _product_reads(sandbox, account: str) -> int:
    routes = sandbox.stats()["accounts"][account]["requests"]["by_route"]
    return int(routes.get("product_offer/read", 0))


def test_a_scheduled_run_during_the_previous_one_skips_and_the_sync_log_says_why(
        sandbox, project, postgres):
    dsn = postgres.dsn_for("emag")
    pages = SIZES["main"] // 100 + 1
    sandbox.admin("reset_stats")
    first = project.start_schedule_run(SCHEDULE)
    try:
        wait_for_pages(sandbox, "main", 5)
        second = project.schedule_run(SCHEDULE)  # cron, an hour later, the scan still going
        first_still_going = first.poll() is None
        _, first_err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, first_err[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]
    assert first_still_going, "the second run must have ended while the first was scanning"
    # it says why, naming the run that holds the accounts
    assert f"skipped: run {first.run_id}" in second.stderr
    assert "is still running a scan of this account" in second.stderr
    # the sandbox saw one scan: the first run's pages (and its count), nothing from the second
    assert _product_reads(sandbox, "main") == pages
    skipped = _sync_log(dsn, second.run_id)
    assert set(skipped) == set(SIZES)
    for mode, status, pages_fetched, requests, errors in skipped.values():
        assert (mode, status, pages_fetched, requests) == ("skipped", "skipped", 0, 0)
        assert first.run_id in errors
    scanned = _sync_log(dsn, first.run_id)
    assert {row[1] for row in scanned.values()} == {"completed"}
    assert scanned["main"][2] == pages

    # the lock went with the first run: the next one scans against the first run's bookmark
    third = project.schedule_run(SCHEDULE)
    assert third.returncode == 0, third.stderr[-3000:]
    after = _sync_log(dsn, third.run_id)
    assert {row[:2] for row in after.values()} == {("incremental", "completed")}
    with psycopg.connect(dsn) as connection:
        origins = connection.execute(
            "select distinct bookmark_origin_run_id from emag.emag_sync_log where run_id = %s",
            (third.run_id,)).fetchall()
    assert origins == [(first.run_id,)]


def test_meltano_refuses_an_unforced_run_of_the_same_job_while_one_is_going(sandbox, project):
    """By hand, without the schedules' MELTANO_RUN_FORCE, Meltano's own guard answers first."""
    first = project.start_schedule_run(SCHEDULE)
    try:
        sandbox.admin("reset_stats")
        wait_for_pages(sandbox, "main", 3)
        by_hand = project.run("emag-sync")
    finally:
        first.communicate(timeout=600)
    assert first.returncode == 0
    assert by_hand.returncode != 0
    assert "is already running" in by_hand.stderr + by_hand.stdout
