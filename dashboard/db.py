"""The dashboard's one connection to Postgres, configured by the Meltano utility's settings.

Meltano passes the `dashboard` utility's settings as DASHBOARD_DB_* environment variables
(meltano.yml: dev points at the local database, prod at PGHOST and the rest). Reading them here
and nowhere else keeps the pages free of connection details, and the errors in one place: a
missing setting is named, and no message ever carries the password.
"""

from __future__ import annotations

import os
import re
import typing as t
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import psycopg

# setting name -> environment variable (the `env:` of each setting in meltano.yml)
REQUIRED = {
    "db_host": "DASHBOARD_DB_HOST",
    "db_port": "DASHBOARD_DB_PORT",
    "db_user": "DASHBOARD_DB_USER",
    "db_name": "DASHBOARD_DB_NAME",
    "db_schema": "DASHBOARD_DB_SCHEMA",
}
PASSWORD = "DASHBOARD_DB_PASSWORD"  # noqa: S105 (the variable's name, not a password)
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class SettingsError(RuntimeError):
    """A setting is missing or unusable; the message names it and how to set it."""


@dataclass(frozen=True)
class Settings:
    """Where the marts are. repr never shows the password."""

    host: str
    port: int
    user: str
    dbname: str
    schema: str
    password: str | None = None

    def __repr__(self) -> str:
        return (f"Settings(host={self.host!r}, port={self.port}, user={self.user!r},"
                f" dbname={self.dbname!r}, schema={self.schema!r})")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Read DASHBOARD_DB_*; a missing one is named with its Meltano setting."""
        values = {name: env.get(variable, "").strip() for name, variable in REQUIRED.items()}
        missing = [name for name, value in values.items() if not value]
        if missing:
            named = ", ".join(f"`{name}` ({REQUIRED[name]})" for name in missing)
            msg = (f"Dashboard settings not set: {named}. Start the dashboard with"
                   " `make dashboard` (dev) or `meltano --environment=prod invoke"
                   " dashboard:serve` (prod: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE),"
                   " or set the variables.")
            raise SettingsError(msg)
        if not values["db_port"].isdigit():
            msg = (f"The dashboard setting `db_port` ({REQUIRED['db_port']}) is not a port"
                   " number.")
            raise SettingsError(msg)
        if not SCHEMA_NAME.match(values["db_schema"]):
            msg = (f"The dashboard setting `db_schema` ({REQUIRED['db_schema']}) is not a"
                   " plain lower-case schema name.")
            raise SettingsError(msg)
        return cls(host=values["db_host"], port=int(values["db_port"]), user=values["db_user"],
                   dbname=values["db_name"], schema=values["db_schema"],
                   password=env.get(PASSWORD) or None)

    def hide_password(self, text: str) -> str:
        """The text with the password masked (driver messages should not carry it, but)."""
        return text.replace(self.password, "***") if self.password else text


def connect(settings: Settings) -> psycopg.Connection[tuple[t.Any, ...]]:
    """A read-only session whose search_path is the marts' schema.

    Read-only because a dashboard has no business writing: a decision on a conflict is
    recorded by the seller with the statement the Conflicts page shows.
    """
    return psycopg.connect(
        host=settings.host, port=settings.port, user=settings.user,
        password=settings.password, dbname=settings.dbname, connect_timeout=10,
        application_name="emag-dashboard",
        options=f"-c search_path={settings.schema} -c default_transaction_read_only=on",
    )


def read(settings: Settings, sql: str, params: Sequence[t.Any] | Mapping[str, t.Any] = (),
         ) -> pd.DataFrame:
    """The rows of one query as a DataFrame; exact decimals become floats for the charts."""
    with connect(settings) as connection:
        cursor = connection.execute(sql, params or None)  # type: ignore[arg-type]
        columns = [column.name for column in cursor.description or []]
        frame = pd.DataFrame(cursor.fetchall(), columns=columns)
    for column in frame.columns:
        if frame[column].map(lambda value: isinstance(value, Decimal)).any():
            frame[column] = pd.to_numeric(frame[column].map(
                lambda value: None if value is None else float(value)))
    return frame
