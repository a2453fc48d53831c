"""Print what the pipeline built: rows per table, the last scan and quick sync per account."""

from __future__ import annotations

import os
import sys

import psycopg
from psycopg import sql

DSN = os.environ.get("EMAG_REPORT_DSN", "postgresql://postgres@127.0.0.1:55432/emag")
TABLES = [
    ("emag_raw", "products"), ("emag_raw", "product_gpsr"), ("emag_raw", "categories"),
    ("emag_raw", "vat_rates"),
    ("emag_raw", "sync_runs"), ("emag_raw", "orders"), ("emag", "emag_products"),
    ("emag", "emag_product_history"), ("emag", "emag_orders"), ("emag", "emag_order_lines"),
    ("emag", "emag_product_sales_daily"),
    ("emag", "emag_product_conflicts"), ("emag", "emag_sync_log"),
    ("emag", "emag_sync_statistics"), ("emag", "emag_catalog_by_sku"),
]


def main() -> int:
    """Rows per table, then the last scan and the last quick sync of each account."""
    with psycopg.connect(DSN) as connection:
        print("\nRows per table")
        for schema, table in TABLES:
            exists = connection.execute("select to_regclass(%s)", (f"{schema}.{table}",))
            if exists.fetchone()[0] is None:
                continue
            query = sql.SQL("select count(*) from {}").format(sql.Identifier(schema, table))
            count = connection.execute(query).fetchone()
            print(f"  {schema + '.' + table:<30} {count[0]:>9,}")
        print("\nLast scan and last quick sync per account")
        rows = connection.execute("""
            select distinct on (account, run_kind)
                account, sync_mode, sync_status, finished_at, duration_seconds, products_seen,
                products_created, products_updated, products_deleted, products_unchanged,
                products_suspected
            from emag.emag_sync_log
            where run_kind <> 'skipped'
            order by account, run_kind, finished_at desc nulls last
        """).fetchall()
        for row in rows:
            account, mode, status, finished, seconds, *counts = row
            seen, created, updated, deleted, same, suspected = (
                "-" if n is None else f"{n:,}" for n in counts)  # a failed full sync: unknown
            print(f"  {account:<6} {mode:<11} {status:<9} {finished:%Y-%m-%d %H:%M:%S} UTC"
                  f"  {seconds or 0:6.1f}s  seen {seen}  created {created}  updated {updated}"
                  f"  deleted {deleted}  unchanged {same}  suspected {suspected}")
        print("\nConflicts between eMAG and local data (EMAG_CONFLICT_STRATEGY)")
        rows = connection.execute("""
            select status, count(*) from emag.emag_product_conflicts group by status order by 1
        """).fetchall() if connection.execute(
            "select to_regclass('emag.emag_product_conflicts')").fetchone()[0] else []
        for status, count in rows:
            print(f"  {status:<14} {count:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
