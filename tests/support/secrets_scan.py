"""Search everything a pipeline run left behind for the accounts' passwords.

Outputs searched: what the caller passes (runs' stdout and stderr: Meltano, tap, target and
dbt logs; Singer messages), the state Meltano saved, every table and view in the run's Postgres
database, every file under the test's Meltano working folder (dbt target and logs) and every
row of Meltano's system database. Each password is looked for as typed, URL-encoded,
JSON-escaped and inside an HTTP Basic `Authorization` value.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import typing as t
import urllib.parse
from pathlib import Path

import psycopg

from tests.support.tap_runner import PASSWORDS, USERNAMES


def secret_forms(extra: t.Iterable[str] = ()) -> dict[str, str]:
    """Every form a password could leak in, each mapped to what it reveals."""
    forms: dict[str, str] = {}
    secrets = [(USERNAMES[name], password) for name, password in PASSWORDS.items()]
    secrets += [(None, password) for password in extra]
    for username, password in secrets:
        forms[password] = password
        forms[urllib.parse.quote(password, safe="")] = password
        forms[json.dumps(password)[1:-1]] = password
        for user in {username, *USERNAMES.values()} - {None}:
            basic = base64.b64encode(f"{user}:{password}".encode()).decode()
            forms[basic] = password
    return forms


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


def _system_database(path: Path) -> t.Iterator[tuple[str, str]]:
    if not path.exists():
        return
    with sqlite3.connect(path) as connection:
        for line in connection.iterdump():
            yield str(path), line


def assert_no_secrets(project: t.Any, dsn: str, *outputs: str,
                      extra: t.Iterable[str] = ()) -> int:
    """Fail naming where a password appeared; returns how many places were searched."""
    forms = secret_forms(extra)
    places: list[tuple[str, str]] = [(f"output {i}", text) for i, text in enumerate(outputs)]
    places += list(_database_text(dsn))
    places += [(where, text) for where, text in _files(project.workdir)
               if not where.endswith("meltano.db")]
    places += list(_system_database(project.workdir / "meltano.db"))
    places.append(("saved state", json.dumps(project.saved_state())))
    leaks = sorted({where for where, text in places for form in forms if form in text})
    assert not leaks, f"a password appears in: {leaks}"
    assert len(places) > len(outputs) + 10, "too few places searched to mean anything"
    return len(places)
