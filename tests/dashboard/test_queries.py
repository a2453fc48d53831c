"""The "needs attention" rules of the dashboard's SQL on hand-made marts.

The pipeline-filled database of test_dashboard_pages.py shows whatever a day of sandbox changes
gives; these rows pin each rule's edges (a buy button lost 2 h ago, or 30 h ago, won, lost
with no rank now; deleted products), next to the products no reason applies to.
"""

from __future__ import annotations

import psycopg
import pytest

from dashboard import queries

PRODUCTS = """
create schema marts;
create table marts.emag_products (
    account text, product_id bigint, part_number text, product_name text, sale_price numeric,
    general_stock bigint, offer_status bigint, buy_button_rank bigint,
    offer_validation_status integer, validation_status integer, is_deleted boolean);
create table marts.emag_product_history (
    account text, product_id bigint, buy_button_rank bigint, is_deleted boolean,
    valid_from timestamp, valid_to timestamp);
create table marts.emag_status_codes (kind text, code integer, meaning text, label text);
insert into marts.emag_status_codes values
    ('offer_status', 0, 'inactive', 'inactive'), ('offer_status', 1, 'active', 'active'),
    ('offer_validation_status', 1, 'saleable', 'saleable'),
    ('offer_validation_status', 2, 'invalid_price', 'invalid price'),
    ('validation_status', 3, 'approved', 'approved'),
    ('validation_status', 5, 'rejected', 'rejected'),
    ('validation_status', 8, 'rejected', 'rejected');
"""
NOW = "(now() at time zone 'utc')"
# product id: (stock, status, rank now, offer validation, validation, deleted), history of
# (rank, from hours ago, to hours ago or None)
CASES = {
    1: ((5, 1, 2, 1, 3, False), [(1, 48, 2), (2, 2, None)]),  # lost 2 h ago
    2: ((5, 1, 2, 1, 3, False), [(1, 48, 30), (2, 30, None)]),  # lost 30 h ago: not news
    3: ((5, 1, 1, 1, 3, False), [(2, 48, 2), (1, 2, None)]),  # won it
    4: ((5, 1, None, 1, 3, False), [(1, 48, 1), (None, 1, None)]),  # lost, no rank now
    5: ((5, 1, 2, 2, 3, False), []),  # invalid price
    6: ((5, 1, 2, 1, 8, False), []),  # documentation rejected
    7: ((0, 1, 2, 1, 3, False), []),  # active, out of stock
    8: ((0, 0, 2, 1, 3, False), []),  # inactive and out of stock: fine
    9: ((0, 1, 2, 2, 5, True), [(1, 48, 1)]),  # deleted: not listed
}


@pytest.fixture(scope="module")
def marts(postgres):
    with psycopg.connect(postgres.dsn, autocommit=True) as connection:
        connection.execute(PRODUCTS)
        for product_id, (row, history) in CASES.items():
            stock, status, rank, offer_validation, validation, deleted = row
            connection.execute(
                "insert into marts.emag_products values ('main', %s, %s, 'name', 10, %s, %s, %s,"
                " %s, %s, %s)", (product_id, f"SKU-{product_id}", stock, status, rank,
                                 offer_validation, validation, deleted))
            for version_rank, since, until in history:
                connection.execute(
                    f"insert into marts.emag_product_history values ('main', %s, %s, false,"
                    f" {NOW} - make_interval(hours => %s),"
                    f" {NOW} - make_interval(hours => %s))",
                    (product_id, version_rank, since, until))
    return postgres


def test_each_reason_lists_its_products_and_nothing_else(marts):
    with psycopg.connect(marts.dsn) as connection:
        connection.execute("set search_path = marts")
        cursor = connection.execute(queries.NEEDS_ATTENTION)
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    flagged = {row["product_id"]: {name for name in ("invalid_price", "documentation_rejected",
                                                     "active_out_of_stock", "lost_buy_button")
                                   if row[name]} for row in rows}
    assert flagged == {1: {"lost_buy_button"}, 4: {"lost_buy_button"},
                       5: {"invalid_price"}, 6: {"documentation_rejected"},
                       7: {"active_out_of_stock"}}
