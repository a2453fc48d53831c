"""How the op runs Meltano, without Dagster: the command, the lines it forwards, and where it
finds Meltano (orchestrate/meltano_run.py and meltano_project.py need only the standard
library, so these run in the tests' own environment)."""

from __future__ import annotations

import logging
import sys

from orchestrate import meltano_project
from orchestrate.meltano_run import run_command, stream_run
from tests.support.meltano_project import MELTANO, ROOT
from tests.support.orchestrator import meltano_yml

CHILD = r"""
import sys
print("\x1b[2m2026-12-02T10:00:00Z\x1b[0m [info     ] tap-emag   main: scanning", flush=True)
print("2026-12-02T10:00:01Z [warning  ] tap-emag   slow answer", file=sys.stderr, flush=True)
print("", flush=True)
print("2026-12-02T10:00:02Z [error    ] meltano    Run failed", file=sys.stderr, flush=True)
sys.exit(3)
"""


def test_the_command_names_the_environment_and_the_job():
    assert run_command("/p/meltano", "prod", "emag-sync") == [
        "/p/meltano", "--environment=prod", "--log-format=uncolored", "run", "emag-sync"]


def test_every_line_reaches_the_callback_in_order_at_its_level():
    seen: list[tuple[int, str]] = []
    result = stream_run([sys.executable, "-c", CHILD], ROOT, {}, lambda *line: seen.append(line))
    assert result.returncode == 3
    assert seen == [
        (logging.INFO, "2026-12-02T10:00:00Z [info     ] tap-emag   main: scanning"),
        (logging.WARNING, "2026-12-02T10:00:01Z [warning  ] tap-emag   slow answer"),
        (logging.ERROR, "2026-12-02T10:00:02Z [error    ] meltano    Run failed"),
    ]
    assert result.tail == tuple(line for _, line in seen)


def test_meltano_is_asked_for_the_jobs_and_schedules_of_meltano_yml(monkeypatch):
    monkeypatch.setenv(meltano_project.MELTANO_EXECUTABLE_VARIABLE, MELTANO)
    monkeypatch.delenv("MELTANO_ENVIRONMENT", raising=False)
    project = meltano_project.load_project()
    written = meltano_yml()
    assert project.meltano == MELTANO
    assert project.environment == written["default_environment"]
    assert [(job.name, list(job.tasks)) for job in project.jobs] == [
        (job["name"], job["tasks"]) for job in written["jobs"]]
    assert [(s.name, s.job, s.cron, dict(s.env)) for s in project.schedules] == [
        (s["name"], s["job"], s["interval"], s.get("env", {})) for s in written["schedules"]]


def test_without_a_configured_meltano_the_projects_own_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv(meltano_project.MELTANO_EXECUTABLE_VARIABLE, raising=False)
    own = tmp_path / ".venv" / "bin" / "meltano"
    own.parent.mkdir(parents=True)
    own.write_text("")
    assert meltano_project.meltano_executable(tmp_path) == str(own)
