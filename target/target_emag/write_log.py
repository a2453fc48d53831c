"""The write log: one row per offer and field per run, in the seller's Postgres.

The target writes it itself (a target's only output is where it writes), created when
missing; the dbt mart emag_offer_writes reads it, and the next plan leaves out what it shows
confirmed. A dry run is logged the same way, with outcome `dry_run`.
"""

from __future__ import annotations

import datetime as dt
import typing as t

import psycopg
from psycopg import sql

from target_emag.plan import PlannedChange

COLUMNS = (
    ("run_id", "text not null"),
    ("account", "text not null"),
    ("product_id", "bigint not null"),
    ("field", "text not null"),
    ("emag_value", "text"),
    ("planned_value", "text not null"),
    ("planned_emag_read_at", "timestamp"),
    ("sent_value", "text"),
    ("outcome", "text not null"),
    ("message", "text"),
    ("read_back_value", "text"),
    ("dry_run", "boolean not null"),
    ("batch_number", "integer"),
    ("recorded_at", "timestamp not null"),
)


def connection_url(url: str) -> str:
    """A libpq URL from a SQLAlchemy-style one (postgresql+psycopg://...)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme.split('+', 1)[0]}://{rest}" if rest else url


class WriteLog:
    """The table offer_writes in the schema `write_log_schema`."""

    def __init__(self, url: str, schema: str) -> None:
        self._url = connection_url(url)
        self._table = sql.Identifier(schema, "offer_writes")
        self._schema = sql.Identifier(schema)

    def record(self, run_id: str, changes: t.Sequence[PlannedChange], *, dry_run: bool) -> None:
        """Insert the settled changes, creating the schema and table when missing."""
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        rows = [(run_id, c.account, c.product_id, c.field, c.emag_value, c.planned_value,
                 _naive(c.planned_emag_read_at), c.sent_value, c.outcome, c.message,
                 c.read_back_value, dry_run, c.batch_number, now) for c in changes]
        columns = sql.SQL(", ").join(sql.Identifier(name) for name, _ in COLUMNS)
        with psycopg.connect(self._url) as connection:
            connection.execute(sql.SQL("create schema if not exists {}").format(self._schema))
            connection.execute(sql.SQL("create table if not exists {} ({})").format(
                self._table, sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind))
                    for name, kind in COLUMNS)))
            with connection.cursor() as cursor:
                cursor.executemany(sql.SQL("insert into {} ({}) values ({})").format(
                    self._table, columns,
                    sql.SQL(", ").join(sql.Placeholder() for _ in COLUMNS)), rows)


def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
