"""The orchestrator (Dagster) for the tests: started as `make orchestrate` starts it, on a free
port with its own DAGSTER_HOME, and driven through its GraphQL API.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import typing as t
from pathlib import Path

import requests
import yaml

from tests.support.meltano_project import ROOT
from tests.support.sandbox_process import free_port

# where `meltano install` puts the dagster utility's virtual environment
PLUGIN_PYTHON = ROOT / ".meltano" / "utilities" / "dagster" / "venv" / "bin" / "python"
# `dagster dev -m orchestrate.definitions` names the code location after the module
LOCATION = "orchestrate.definitions"
REPOSITORY = "__repository__"
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}


def meltano_yml() -> dict[str, t.Any]:
    """The project file as written (the tests' independent reading of jobs and schedules)."""
    return yaml.safe_load((ROOT / "meltano.yml").read_text())


def make_orchestrate_command(environment: str = "dev") -> str:
    """The command line `make orchestrate` runs, as make prints it (stamps taken as fresh)."""
    # under `make test` the inherited MAKEFLAGS would add "Entering directory" lines
    env = {key: value for key, value in os.environ.items()
           if key not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    result = subprocess.run(
        ["make", "-s", "-n", "--no-print-directory", "-o", ".meltano/.plugins-installed",
         "orchestrate", f"ENV={environment}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    return lines[0]


class DagsterApi:
    """Dagster's GraphQL API at URL: jobs, launches, runs and their logs."""

    def __init__(self, url: str) -> None:
        self.url = url

    def graphql(self, query: str, **variables: t.Any) -> dict[str, t.Any]:
        response = requests.post(f"{self.url}/graphql",
                                 json={"query": query, "variables": variables}, timeout=30)
        response.raise_for_status()
        answer = response.json()
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def job_names(self) -> set[str]:
        data = self.graphql("""{ repositoriesOrError { ... on RepositoryConnection {
            nodes { name location { name } jobs { name } } } } }""")
        return {job["name"] for repository in data["repositoriesOrError"]["nodes"]
                for job in repository["jobs"]}

    def launch(self, job: str) -> str:
        """`launchRun` of JOB with its default config; the new run's id."""
        data = self.graphql("""mutation ($selector: JobOrPipelineSelector!) {
            launchRun(executionParams: {selector: $selector}) {
              __typename
              ... on LaunchRunSuccess { run { runId } }
              ... on PythonError { message }
              ... on RunConfigValidationInvalid { errors { message } }
            } }""", selector={"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY,
                              "jobName": job})
        answer = data["launchRun"]
        assert answer["__typename"] == "LaunchRunSuccess", answer
        return str(answer["run"]["runId"])

    def run_status(self, run_id: str) -> str:
        data = self.graphql("""query ($runId: ID!) { runOrError(runId: $runId) {
            __typename ... on Run { status } } }""", runId=run_id)
        return str(data["runOrError"]["status"])

    def wait_for_run(self, run_id: str, timeout: float = 600) -> str:
        """Poll the run until it ends; its final status."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            status = self.run_status(run_id)
            if status in TERMINAL:
                return status
            time.sleep(1)
        msg = f"run {run_id} still {status} after {timeout} s"
        raise TimeoutError(msg)

    def run_log(self, run_id: str) -> list[str]:
        """Every message of the run's event log (the op's `context.log` lines included)."""
        messages: list[str] = []
        cursor: str | None = None
        while True:
            data = self.graphql("""query ($runId: ID!, $cursor: String) {
                logsForRun(runId: $runId, afterCursor: $cursor) {
                  __typename
                  ... on EventConnection { events { ... on MessageEvent { message } }
                                           cursor hasMore }
                } }""", runId=run_id, cursor=cursor)
            page = data["logsForRun"]
            assert page["__typename"] == "EventConnection", page
            messages += [event["message"] for event in page["events"] if event]
            if not page["hasMore"]:
                return messages
            cursor = page["cursor"]

    def run_history(self) -> list[dict[str, t.Any]]:
        """The runs the instance lists (newest first): id, job, status."""
        data = self.graphql("""{ runsOrError { ... on Runs {
            results { runId jobName status } } } }""")
        return list(data["runsOrError"]["results"])


class DagsterServer(DagsterApi):
    """`make orchestrate`'s command in the background, as a shell script's `&` starts it.

    SIGINT is ignored in the child, as it is for a background job of a non-interactive shell:
    `dagster dev` must still stop on SIGTERM (orchestrate/serve.py resets it).
    """

    def __init__(self, env: t.Mapping[str, str], home: Path, log: Path) -> None:
        self.port = free_port()
        super().__init__(f"http://127.0.0.1:{self.port}")
        self.home = home
        self.log = log
        command = make_orchestrate_command()
        self._log_file = log.open("w")
        self.process = subprocess.Popen(
            ["sh", "-c", f"exec env {command}"], cwd=ROOT,
            env={**env, "DAGSTER_HOME": str(home), "DAGSTER_PORT": str(self.port)},
            stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        self.command = command

    def wait_ready(self, timeout: float = 120) -> float:
        """Seconds until the UI answers and the code location is loaded."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                msg = f"orchestrator exited ({self.process.returncode}): {self.log_tail()}"
                raise RuntimeError(msg)
            try:
                if self.job_names():
                    return time.monotonic() - started
            except (requests.RequestException, KeyError, TypeError):
                pass
            time.sleep(0.5)
        msg = f"orchestrator not ready after {timeout} s: {self.log_tail()}"
        raise TimeoutError(msg)

    def log_tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:]

    def processes(self) -> list[int]:
        """Pids still in the server's process group (dagster dev, webserver, daemon, ...)."""
        result = subprocess.run(["ps", "-eo", "pid=,pgid="], capture_output=True, text=True,
                                check=True)
        pids = []
        for line in result.stdout.splitlines():
            pid, pgid = (int(field) for field in line.split())
            if pgid == self.process.pid:
                pids.append(pid)
        return pids

    def stop(self, timeout: float = 60) -> list[int]:
        """SIGTERM, as a service manager or a test stops it; the pids that were left over."""
        if self.process.poll() is None:
            self.process.terminate()
        leftover: list[int] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leftover = self.processes()
            if self.process.poll() is not None and not leftover:
                break
            time.sleep(0.5)
        if leftover:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log_file.close()
        return leftover

