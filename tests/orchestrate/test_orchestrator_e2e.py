"""The orchestrator end to end: `make orchestrate`'s command on a free port, the Dagster UI in
headless Chromium lists meltano.yml's jobs, `emag-sync` launched from the UI's launchpad runs
`meltano run emag-sync` against a sandbox and a real Postgres, the run's page shows the tap's
lines, its log and the run history are read back through the GraphQL API too, and SIGTERM
stops the whole server.
"""

from __future__ import annotations

import re

import pytest

from orchestrate.meltano_project import dagster_name
from tests.support.browser import headless_page
from tests.support.meltano_project import MeltanoProject, meltano_accounts, sandbox_accounts
from tests.support.orchestrator import LOCATION, DagsterServer, meltano_yml
from tests.support.sandbox_process import SandboxProcess
from tests.support.secrets_scan import secret_forms

SIZES = {"main": 300, "fbe": 200}
JOB = "emag-sync"


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(sandbox_accounts(SIZES), "--rate-limit", "0", "--seed", "41") as sb:
        yield sb


@pytest.fixture(scope="module")
def project(tmp_path_factory, sandbox, postgres):
    return MeltanoProject(tmp_path_factory.mktemp("meltano"), sandbox.base_url, postgres,
                          meltano_accounts(SIZES))


@pytest.fixture(scope="module")
def server(tmp_path_factory, project):
    folder = tmp_path_factory.mktemp("dagster")
    dagster = DagsterServer(project.env, home=folder / "home", log=folder / "dagster.log")
    try:
        dagster.wait_ready()
        yield dagster
    finally:
        leftover = dagster.stop()
    assert leftover == [], f"processes left after SIGTERM: {leftover}"


def _launch_from_launchpad(page, url: str, job: str) -> str:
    """Open the job's launchpad, press Launch Run, and return the run id the UI opens."""
    # on a first visit Dagster's "Join the Dagster community" dialog covers the page
    page.add_locator_handler(page.get_by_role("button", name="Skip"),
                             lambda skip: skip.click())
    page.goto(f"{url}/locations/{LOCATION}/jobs/{job}/playground")
    # Playwright's click waits until the button is enabled: the UI has checked the run config
    page.get_by_role("button", name="Launch Run").click(timeout=60_000)
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}"), timeout=60_000)
    return page.url.rsplit("/runs/", 1)[1].split("?")[0]


def test_the_ui_lists_the_jobs_and_runs_emag_sync(server, postgres):
    jobs = [dagster_name(job["name"]) for job in meltano_yml()["jobs"]]
    with headless_page() as browser:
        page = browser.page
        page.goto(f"{server.url}/jobs")
        for job in jobs:
            page.get_by_text(job, exact=True).first.wait_for(timeout=60_000)

        run_id = _launch_from_launchpad(page, server.url, dagster_name(JOB))
        status = server.wait_for_run(run_id)
        log = server.run_log(run_id)
        assert status == "SUCCESS", "\n".join(log[-40:]) + server.log_tail()

        # the run's page shows the tap's summary of each account among Meltano's lines
        page.goto(f"{server.url}/runs/{run_id}")
        page.get_by_placeholder("Filter…").fill("products seen")
        for account, size in SIZES.items():
            page.get_by_text(re.compile(rf"{account}: \w+ sync completed .* {size} products seen")
                             ).first.wait_for(timeout=60_000)
        # and the runs list (the history) has it
        page.goto(f"{server.url}/runs")
        page.get_by_text(run_id[:8]).first.wait_for(timeout=60_000)
        assert browser.outside == []

    # Meltano's output, line by line: the tap's summary of each account, the target and dbt,
    # then the op's verdict
    text = "\n".join(log)
    for account, size in SIZES.items():
        assert re.search(rf"\] tap-emag +.*{account}: \w+ sync completed .* {size} products seen",
                         text), text[-3000:]
    for plugin in ("target-postgres", "dbt"):
        assert re.search(rf"\] {plugin} +\S", text), text[-3000:]
    assert f"meltano run {JOB} completed" in text
    history = {run["runId"]: run for run in server.run_history()}
    assert history[run_id]["jobName"] == dagster_name(JOB)
    assert history[run_id]["status"] == "SUCCESS"

    products = dict(postgres.query(
        "select account, count(*) from emag.emag_products group by account"))
    assert products == SIZES
    completed = {account for (account,) in postgres.query(
        "select account from emag.emag_sync_log where sync_status = 'completed'")}
    assert completed == set(SIZES)

    # no password in what Dagster stored (run records, event logs, captured output) or printed
    forms = secret_forms()
    for path in [server.log, *server.home.rglob("*")]:
        if path.is_file():
            content = path.read_bytes().decode(errors="replace")
            assert not [form for form in forms if form in content], path
