"""Helpers for end-to-end tests: a real Postgres (started as the README starts it) and
`meltano run` with the dev environment pointed at a test sandbox and a test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing as t
import uuid
from pathlib import Path

import psycopg

from tests.support.sandbox_process import free_port
from tests.support.tap_runner import PASSWORDS, USERNAMES

ROOT = Path(__file__).resolve().parents[2]
MELTANO = str(Path(sys.executable).parent / "meltano")
# Meltano's state id for `meltano run tap-emag target-postgres` in the dev environment
STATE_ID = "dev:tap-emag-to-target-postgres"


class LocalPostgres:
    """scripts/local_postgres.py on a free port with a throw-away data folder."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = free_port()
        self.start()
        self.dsn = self.dsn_for("emag")

    def start(self) -> None:
        self._script(["start", "--data", str(self.data), "--port", str(self.port)])

    def dsn_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new, empty database (one per scenario, so scenarios cannot see each other)."""
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute(f'drop database if exists "{name}"')
            connection.execute(f'create database "{name}"')
        return name

    def _script(self, args: list[str]) -> None:
        result = subprocess.run([sys.executable, "scripts/local_postgres.py", *args], cwd=ROOT,
                                capture_output=True, text=True, timeout=180, check=False)
        if result.returncode != 0:
            msg = f"local_postgres.py {args[0]} failed: {result.stdout}{result.stderr}"
            raise RuntimeError(msg)

    def query(self, sql: str, params: t.Sequence[t.Any] = (),
              database: str = "emag") -> list[tuple[t.Any, ...]]:
        with psycopg.connect(self.dsn_for(database)) as connection:
            return connection.execute(sql, params).fetchall()

    def stop(self) -> None:
        self._script(["stop", "--data", str(self.data)])


class MeltanoProject:
    """The repository's Meltano project, isolated: its own system database (state)."""

    def __init__(self, workdir: Path, sandbox_url: str, postgres: LocalPostgres,
                 accounts: t.Mapping[str, tuple[str, str]], database: str = "emag",
                 **tap_settings: t.Any) -> None:
        self.workdir = workdir
        self.run_ids: list[str] = []
        self.dbt_target = workdir / "dbt-target"
        self.env = {
            **os.environ,
            "MELTANO_DATABASE_URI": f"sqlite:///{workdir / 'meltano.db'}",
            "TAP_EMAG_ACCOUNTS": json.dumps([
                {"name": name, "username": user, "password": password, "base_url": sandbox_url}
                for name, (user, password) in accounts.items()
            ]),
            "TARGET_POSTGRES_SQLALCHEMY_URL":
                f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/{database}",
            "DBT_POSTGRES_PORT": str(postgres.port),
            "DBT_POSTGRES_DBNAME": database,
            "EMAG_CONFLICT_STRATEGY": "",
            "DBT_TARGET_PATH": str(self.dbt_target),
            "DBT_LOG_PATH": str(workdir / "dbt-logs"),
        }
        for key, value in tap_settings.items():
            self.env[f"TAP_EMAG_{key.upper()}"] = str(value)

    def invoke(self, *args: str, extra_env: t.Mapping[str, str] | None = None,
               ) -> subprocess.CompletedProcess[str]:
        """`meltano invoke ARGS...` (e.g. dbt:run, sqlfluff:lint)."""
        return subprocess.run([MELTANO, "invoke", *args], cwd=ROOT,
                              env={**self.env, **(extra_env or {})}, capture_output=True,
                              text=True, timeout=900, check=False)

    def start_dbt(self, command: str) -> subprocess.Popen[str]:
        """`meltano invoke dbt:COMMAND` in the background, with its own dbt target folder."""
        target = self.workdir / f"dbt-target-{uuid.uuid4().hex[:8]}"
        return subprocess.Popen([MELTANO, "invoke", f"dbt:{command}"], cwd=ROOT,
                                env={**self.env, "DBT_TARGET_PATH": str(target)},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def meltano(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Any other `meltano` command, e.g. `state get`."""
        return subprocess.run([MELTANO, *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=300, check=False)

    def run(self, *blocks: str, extra_env: t.Mapping[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
        """`meltano run BLOCKS...` with a fresh run id (returned in .run_id)."""
        process = self.start_run(*blocks, extra_env=extra_env)
        stdout, stderr = process.communicate(timeout=900)
        result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        result.run_id = process.run_id  # type: ignore[attr-defined]
        return result

    def start_run(self, *blocks: str, extra_env: t.Mapping[str, str] | None = None,
                  ) -> subprocess.Popen[str]:
        """`meltano run BLOCKS...` in the background (to interrupt it); .run_id is set."""
        run_id = str(uuid.uuid4())
        env = {**self.env, "MELTANO_RUN_ID": run_id, **(extra_env or {})}
        process = subprocess.Popen([MELTANO, "run", *blocks], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        process.run_id = run_id  # type: ignore[attr-defined]
        self.run_ids.append(run_id)
        return process

    def schedule_run(self, name: str) -> subprocess.CompletedProcess[str]:
        """`meltano --environment=dev schedule run NAME`, as cron starts it (.run_id is set)."""
        process = self.start_schedule_run(name)
        stdout, stderr = process.communicate(timeout=900)
        result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        result.run_id = process.run_id  # type: ignore[attr-defined]
        return result

    def start_schedule_run(self, name: str) -> subprocess.Popen[str]:
        """The same in the background (a run cron starts while another is going)."""
        run_id = str(uuid.uuid4())
        process = subprocess.Popen([MELTANO, "--environment=dev", "schedule", "run", name],
                                   cwd=ROOT, env={**self.env, "MELTANO_RUN_ID": run_id},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        process.run_id = run_id  # type: ignore[attr-defined]
        self.run_ids.append(run_id)
        return process

    def saved_state(self) -> dict[str, t.Any]:
        """The state Meltano stored for the main job in `dev` (empty before any)."""
        result = self.meltano("state", "get", STATE_ID)
        if result.returncode != 0:
            raise RuntimeError(result.stderr[-2000:])
        return json.loads(result.stdout)


def sandbox_accounts(sizes: t.Mapping[str, int]) -> list[str]:
    """`--account` values for the sandbox CLI with the tests' credentials."""
    return [f"{name}:{USERNAMES[name]}:{PASSWORDS[name]}:{size}" for name, size in sizes.items()]


def meltano_accounts(sizes: t.Mapping[str, int]) -> dict[str, tuple[str, str]]:
    """The same accounts as MeltanoProject takes them."""
    return {name: (USERNAMES[name], PASSWORDS[name]) for name in sizes}
