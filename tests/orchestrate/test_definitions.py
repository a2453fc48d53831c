"""The Dagster definitions against meltano.yml, and one job's op, without a server.

Dagster lives in the `dagster` plugin's own virtual environment, not the tests' one, so each
check runs a short script with that environment's Python and reads its JSON answer.
"""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from orchestrate.meltano_project import dagster_name
from tests.support.meltano_project import MELTANO, ROOT
from tests.support.orchestrator import PLUGIN_PYTHON, meltano_yml

DESCRIBE = """
import json
from dagster import build_schedule_context
from orchestrate.definitions import defs
repository = defs.get_repository_def()

def tick(schedule):
    (request,) = schedule.evaluate_tick(build_schedule_context()).run_requests
    return {"run_config": request.run_config, "tags": request.tags}

print(json.dumps({
    "jobs": [{"name": job.name, "tags": dict(job.tags), "description": job.description,
              "ops": [node.name for node in job.nodes]}
             for job in repository.get_all_jobs()],
    "schedules": [{"name": s.name, "cron": s.cron_schedule, "job": s.job_name,
                   "status": s.default_status.value, "tick": tick(s)}
                  for s in repository.schedule_defs],
}))
"""

EXECUTE = """
import json, sys
from dagster import DagsterInstance
from orchestrate.definitions import defs
job = defs.get_job_def(sys.argv[1])
run_config = json.loads(sys.argv[2])
with DagsterInstance.ephemeral() as instance:
    result = job.execute_in_process(run_config=run_config, instance=instance,
                                    raise_on_error=False)
    logs = [entry.user_message for entry in instance.all_logs(result.run_id)]
print(json.dumps({"success": result.success, "logs": logs}))
"""


def _in_plugin_venv(script: str, *args: str, env: dict[str, str] | None = None) -> dict:
    result = subprocess.run([str(PLUGIN_PYTHON), "-c", textwrap.dedent(script), *args],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
                            env={"PATH": "/usr/bin:/bin", "ORCHESTRATE_MELTANO": MELTANO,
                                 **(env or {})})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def described():
    return _in_plugin_venv(DESCRIBE)


def test_one_dagster_job_per_meltano_job(described):
    project = meltano_yml()
    jobs = {job["name"]: job for job in described["jobs"]}
    assert set(jobs) == {dagster_name(job["name"]) for job in project["jobs"]}
    for job in project["jobs"]:
        shown = jobs[dagster_name(job["name"])]
        assert shown["tags"]["meltano/job"] == job["name"]
        assert shown["tags"]["meltano/environment"] == project["default_environment"]
        assert len(shown["ops"]) == 1
        for task in job["tasks"]:
            assert task in shown["description"]


def test_one_stopped_schedule_per_meltano_schedule(described):
    project = meltano_yml()
    jobs = {job["name"]: job for job in described["jobs"]}
    schedules = {schedule["name"]: schedule for schedule in described["schedules"]}
    assert set(schedules) == {dagster_name(s["name"]) for s in project["schedules"]}
    for schedule in project["schedules"]:
        shown = schedules[dagster_name(schedule["name"])]
        assert shown["cron"] == schedule["interval"]
        assert shown["job"] == dagster_name(schedule["job"])
        # stopped until someone starts it: opening the UI never fires a sync
        assert shown["status"] == "STOPPED"
        # what a tick launches: the job with the schedule's env, tagged with its name
        (op,) = jobs[shown["job"]]["ops"]
        assert shown["tick"]["run_config"] == {
            "ops": {op: {"config": {"env": schedule.get("env", {})}}}}
        assert shown["tick"]["tags"]["meltano/schedule"] == schedule["name"]


FAKE_MELTANO = """#!/bin/sh
# `meltano ... run JOB` prints what the op must forward; anything else is the real Meltano
case " $* " in
  *" run "*)
    echo "[info     ] extracting with args: $*"
    echo "[warning  ] TAP_EMAG_FULL_REEMIT=${TAP_EMAG_FULL_REEMIT:-unset}" >&2
    exit "${FAKE_EXIT:-0}";;
esac
exec "$REAL_MELTANO" "$@"
"""


@pytest.fixture
def fake_meltano(tmp_path):
    path = tmp_path / "meltano"
    path.write_text(FAKE_MELTANO)
    path.chmod(0o755)
    return {"ORCHESTRATE_MELTANO": str(path), "REAL_MELTANO": MELTANO}


def test_the_op_forwards_every_line_and_the_run_config_env(fake_meltano):
    job = meltano_yml()["jobs"][0]["name"]
    op = f"meltano_run_{dagster_name(job)}"
    config = {"ops": {op: {"config": {"env": {"TAP_EMAG_FULL_REEMIT": "true"}}}}}
    answer = _in_plugin_venv(EXECUTE, dagster_name(job), json.dumps(config),
                             env={**fake_meltano, "MELTANO_ENVIRONMENT": "prod"})
    assert answer["success"]
    logs = "\n".join(answer["logs"])
    # the environment the orchestrator was started in, then stdout and stderr, line by line
    assert f"extracting with args: --environment=prod --log-format=uncolored run {job}" in logs
    assert "TAP_EMAG_FULL_REEMIT=true" in logs
    assert f"meltano run {job} completed" in logs


def test_a_failed_meltano_run_fails_the_dagster_run(fake_meltano):
    job = meltano_yml()["jobs"][0]["name"]
    answer = _in_plugin_venv(EXECUTE, dagster_name(job), "{}", env={**fake_meltano,
                                                                   "FAKE_EXIT": "3"})
    assert not answer["success"]
    logs = "\n".join(answer["logs"])
    assert "TAP_EMAG_FULL_REEMIT=unset" in logs
    assert f"meltano run {job} exited with 3" in logs
