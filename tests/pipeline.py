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

from tests.sandbox_process import free_port
from tests.tap_runner import PASSWORDS, USERNAMES

ROOT = Path(__file__).resolve().parent.parent
MELTANO = str(Path(sys.executable).parent / "meltano")


class LocalPostgres:
    """scripts/local_postgres.py on a free port with a throw-away data folder."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = free_port()
        self._script(["start", "--data", str(data), "--port", str(self.port)])
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/emag"

    def _script(self, args: list[str]) -> None:
        subprocess.run([sys.executable, "scripts/local_postgres.py", *args], cwd=ROOT,
                       check=True, capture_output=True, text=True, timeout=180)

    def query(self, sql: str, params: t.Sequence[t.Any] = ()) -> list[tuple[t.Any, ...]]:
        with psycopg.connect(self.dsn) as connection:
            return connection.execute(sql, params).fetchall()

    def stop(self) -> None:
        self._script(["stop", "--data", str(self.data)])


class MeltanoProject:
    """The repository's Meltano project, isolated: its own system database (state)."""

    def __init__(self, workdir: Path, sandbox_url: str, postgres: LocalPostgres,
                 accounts: t.Mapping[str, tuple[str, str]], **tap_settings: t.Any) -> None:
        self.dbt_target = workdir / "dbt-target"
        self.env = {
            **os.environ,
            "MELTANO_DATABASE_URI": f"sqlite:///{workdir / 'meltano.db'}",
            "TAP_EMAG_ACCOUNTS": json.dumps([
                {"name": name, "username": user, "password": password, "base_url": sandbox_url}
                for name, (user, password) in accounts.items()
            ]),
            "TARGET_POSTGRES_SQLALCHEMY_URL":
                f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/emag",
            "DBT_POSTGRES_PORT": str(postgres.port),
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

    def run(self, *blocks: str, extra_env: t.Mapping[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
        """`meltano run BLOCKS...` with a fresh run id (returned in .run_id)."""
        run_id = str(uuid.uuid4())
        env = {**self.env, "MELTANO_RUN_ID": run_id, **(extra_env or {})}
        result = subprocess.run([MELTANO, "run", *blocks], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=900, check=False)
        result.run_id = run_id  # type: ignore[attr-defined]
        return result


def sandbox_accounts(sizes: t.Mapping[str, int]) -> list[str]:
    """`--account` values for the sandbox CLI with the tests' credentials."""
    return [f"{name}:{USERNAMES[name]}:{PASSWORDS[name]}:{size}" for name, size in sizes.items()]


def meltano_accounts(sizes: t.Mapping[str, int]) -> dict[str, tuple[str, str]]:
    """The same accounts as MeltanoProject takes them."""
    return {name: (USERNAMES[name], PASSWORDS[name]) for name in sizes}
