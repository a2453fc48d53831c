"""Search everything a pipeline run left behind for the accounts' passwords.

Outputs searched: the run's own stdout and stderr (Meltano, tap, target, dbt logs), the Singer
messages and the state Meltano saved, every table and view in the run's Postgres database, and
every file under the test's Meltano working folder (system database, dbt target and logs) and
Meltano's run logs in the project.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import psycopg

from tests.pipeline import ROOT
from tests.tap_runner import PASSWORDS


def _database_text(dsn: str) -> t.Iterator[tuple[str, str]]:
    with psycopg.connect(dsn) as connection:
        relations = connection.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema not in ('pg_catalog', 'information_schema')").fetchall()
        assert relations, "nothing to search: the database is empty"
        for schema, name in relations:
            rows = connection.execute(
                f'select t::text from "{schema}"."{name}" t').fetchall()
            yield f"{schema}.{name}", "\n".join(row for (row,) in rows)


def _files(folder: Path) -> t.Iterator[tuple[str, str]]:
    for path in folder.rglob("*"):
        if path.is_file():
            yield str(path), path.read_bytes().decode("utf-8", errors="replace")


def _run_logs(run_ids: t.Iterable[str]) -> t.Iterator[tuple[str, str]]:
    logs = ROOT / ".meltano" / "logs" / "elt"
    for run_id in run_ids:
        for folder in logs.glob(f"*/{run_id}"):
            yield from _files(folder)


def assert_no_secrets(project: t.Any, dsn: str, *outputs: str,
                      extra: t.Iterable[str] = ()) -> int:
    """Fail naming where a password appeared; returns how many places were searched."""
    secrets = [*PASSWORDS.values(), *extra]
    places: list[tuple[str, str]] = [(f"output {i}", text) for i, text in enumerate(outputs)]
    places += list(_database_text(dsn))
    places += list(_files(project.workdir))
    places += list(_run_logs(getattr(project, "run_ids", ())))
    places.append(("saved state", str(project.saved_state())))
    leaks = [where for where, text in places for secret in secrets if secret in text]
    assert not leaks, f"a password appears in: {leaks}"
    return len(places)
