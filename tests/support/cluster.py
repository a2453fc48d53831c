"""Many sellers on Dagster for the tests: Redis, the daemon, the webserver and Celery workers on
"hosts" that share nothing but Postgres and Redis, each started with the README's command
(`meltano invoke dagster:<command>`), in its own process group so a host can be killed whole.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import typing as t
from pathlib import Path

import requests

from tests.support.meltano_project import MELTANO, ROOT, LocalPostgres
from tests.support.orchestrator import DagsterApi
from tests.support.sandbox_process import free_port


def seller_name(number: int) -> str:
    """The sandbox's name for its NUMBERth seller (`emag-sandbox serve --sellers N`)."""
    return f"seller_{number:03d}"


def secrets_lines(seller: str, wrong_password: bool = False) -> list[str]:
    """The seller's logins as the sandbox serves them, as EMAG_SECRETS_FILE lines."""
    lines = []
    for account in ("main", "fbe"):
        prefix = f"EMAG_{seller}_{account}".upper()
        password = "not-the-password" if wrong_password else f"{seller}-{account}-password"
        lines += [f"{prefix}_USERNAME={seller}-{account}", f"{prefix}_PASSWORD={password}"]
    return lines


class Host:
    """One simulated host: its own DAGSTER_HOME and lock folder, and the processes it runs."""

    def __init__(self, name: str, folder: Path, env: t.Mapping[str, str]) -> None:
        self.name = name
        self.folder = folder
        self.env = {**env, "DAGSTER_HOME": str(folder / "dagster-home"),
                    "TAP_EMAG_LOCK_DIRECTORY": str(folder / "locks"),
                    "DBT_TARGET_PATH": str(folder / "dbt-target")}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        result = subprocess.run([MELTANO, "invoke", "dagster:instance"], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stdout + result.stderr

    def start(self, command: str, **extra: str) -> subprocess.Popen[bytes]:
        """`meltano invoke dagster:COMMAND` in the background, its output in a log file."""
        key = f"{command}{extra.get('DAGSTER_WORKER_NAME', '')}"
        log = (self.folder / f"{key}.log").open("wb")
        process = subprocess.Popen(
            [MELTANO, "invoke", f"dagster:{command}"], cwd=ROOT, env={**self.env, **extra},
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.processes[key] = process
        return process

    def log_text(self, key: str) -> str:
        """Everything that process has written so far."""
        return (self.folder / f"{key}.log").read_text(errors="replace")

    def kill(self, key: str) -> None:
        """SIGKILL the process and every descendant at once, as a host that loses power."""
        for pid, _ in self.tree(key):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.processes[key].wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)

    def tree(self, key: str) -> list[tuple[int, str]]:
        """The process and its descendants, (pid, command line) each: what that worker does."""
        result = subprocess.run(["ps", "-ww", "-eo", "pid=,ppid=,args="], capture_output=True,
                                text=True, check=True)
        children: dict[int, list[tuple[int, str]]] = {}
        for line in result.stdout.splitlines():
            pid, ppid, *args = line.split(None, 2)
            children.setdefault(int(ppid), []).append((int(pid), " ".join(args)))
        found, pending = [], [self.processes[key].pid]
        while pending:
            pid = pending.pop()
            for child in children.get(pid, []):
                found.append(child)
                pending.append(child[0])
        return [(self.processes[key].pid, ""), *found]


class Cluster(DagsterApi):
    """Postgres (Dagster's instance, Meltano's state, the warehouse), Redis, and the hosts."""

    def __init__(self, folder: Path, postgres: LocalPostgres, base_env: t.Mapping[str, str],
                 registry: Path, secrets: Path, hosts: int = 2,
                 overrides: t.Mapping[str, str] | None = None) -> None:
        for database in ("many_dagster", "many_meltano"):
            postgres.create_database(database)
        self.redis_port = free_port()
        port = free_port()
        super().__init__(f"http://127.0.0.1:{port}")
        self.env = {
            **base_env,
            "MELTANO_DATABASE_URI":
                f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/many_meltano",
            "DAGSTER_POSTGRES_URL":
                f"postgresql+psycopg2://postgres@127.0.0.1:{postgres.port}/many_dagster",
            "DAGSTER_CELERY_BROKER": f"redis://127.0.0.1:{self.redis_port}/0",
            "DAGSTER_CELERY_BACKEND": f"redis://127.0.0.1:{self.redis_port}/1",
            "REDIS_PORT": str(self.redis_port), "REDIS_DIR": str(folder / "redis"),
            "EMAG_SELLERS_FILE": str(registry), "EMAG_SECRETS_FILE": str(secrets),
            "ORCHESTRATE_MELTANO": MELTANO, "DAGSTER_PORT": str(port),
            # test pace: sensors every 3 s, a failing seller retried once after ~2 s, a dead
            # worker's started runs noticed within seconds, a run it had taken but not yet
            # started failed after 90 s, its queue message back within 30 s
            "EMAG_SENSOR_INTERVAL_SECONDS": "3", "EMAG_LOAD_RETRIES": "1",
            "EMAG_LOAD_RETRY_DELAY_SECONDS": "2", "DAGSTER_MONITORING_INTERVAL_SECONDS": "3",
            "DAGSTER_CELERY_VISIBILITY_TIMEOUT": "30", "DAGSTER_START_TIMEOUT_SECONDS": "90",
            "EMAG_MAX_CONCURRENT_RUNS": "4",
            "EMAG_SELLERS_CRON": "0 0 1 1 *",  # the hourly loads stay out of the scenario
            "DAGSTER_WORKER_CONCURRENCY": "2",
            **(overrides or {}),
        }
        self.hosts = [Host(f"host{number}", folder / f"host{number}", self.env)
                      for number in range(1, hosts + 1)]

    def start(self) -> None:
        """Redis, daemon and webserver on host 1; a worker on each host (w1, w2, ...)."""
        first = self.hosts[0]
        first.start("redis")
        for number, host in enumerate(self.hosts, 1):
            host.start("worker", DAGSTER_WORKER_NAME=f"w{number}")
        first.start("daemon")
        first.start("webserver")
        self.wait(lambda: self._answers(), 180, "the webserver")

    def _answers(self) -> bool:
        try:
            return bool(self.job_names())
        except (requests.RequestException, AssertionError, KeyError, TypeError):
            return False

    def stop(self) -> None:
        for host in reversed(self.hosts):
            host.stop()

    def runs(self, job: str) -> list[dict[str, t.Any]]:
        """Every run of JOB, oldest first: id, status, partition (seller) and timing."""
        data = self.graphql("""query ($job: String!) { runsOrError(
            filter: {pipelineName: $job}, limit: 10000) { ... on Runs { results {
              runId status startTime endTime creationTime tags { key value } } } } }""",
                            job=job)
        runs = []
        for run in reversed(data["runsOrError"]["results"]):
            tags = {tag["key"]: tag["value"] for tag in run["tags"]}
            runs.append({**run, "tags": tags, "seller": tags.get("dagster/partition")})
        return runs

    @staticmethod
    def wait(condition: t.Callable[[], t.Any], timeout: float, what: str) -> t.Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(1)
        msg = f"timed out after {timeout} s waiting for {what}"
        raise TimeoutError(msg)

    def logs(self) -> str:
        """Every process log of every host (for a failing assertion's message)."""
        parts = []
        for host in self.hosts:
            for log in sorted(host.folder.glob("*.log")):
                parts.append(f"--- {host.name}/{log.name}\n"
                             f"{log.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)
