"""The SQL behind every figure, over the dbt marts (schema from the `schema` setting).

Plain SQL in one place, lower-case like the dbt project, so what a page shows can be read,
run by hand and checked (tests/dashboard runs its own SQL against what the pages show).
Parameters are psycopg placeholders; the only identifiers built in are account names from
the mart's own columns (checked against a strict pattern).
"""

from __future__ import annotations

import re

# eMAG's limit for product reads: every page (or read by id) waits its turn at 3 per second,
# so a run cannot take less than its reads / 3 s (the README's "floor").
EMAG_REQUESTS_PER_SECOND = 3
ACCOUNT_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")



def _codes(kind: str, meaning: str) -> str:
    """The codes of one meaning, from emag_status_codes: dbt's emag_codes macro is their home."""
    return (f"select code from emag_status_codes where kind = '{kind}'"
            f" and meaning = '{meaning}'")


# A code's label for display (offer_status 2 -> end of life).
STATUS_LABELS = """
select code, label from emag_status_codes where kind = %s order by code"""

# ---------------------------------------------------------------- sync health

# The floor: a scan reads pages, a quick run reads products by id (its requests other than
# the orders', which have a budget of their own).
_FLOOR = f"""
    (case when sync_mode = 'quick' then requests - coalesce(order_requests, 0)
          else pages_fetched end)::numeric / {EMAG_REQUESTS_PER_SECOND}"""

LAST_RUN_PER_ACCOUNT = f"""
select distinct on (account)
    account,
    run_id,
    sync_mode,
    sync_status,
    started_at,
    finished_at,
    round(duration_seconds::numeric, 1) as duration_seconds,
    round({_FLOOR}, 1) as floor_seconds,
    round((duration_seconds / nullif({_FLOOR}, 0))::numeric, 2) as floor_ratio,
    products_seen,
    products_per_second,
    extract(epoch from (now() at time zone 'utc' - finished_at)) as age_seconds
from emag_sync_log
order by account, started_at desc
"""

LAST_RUN_BY_KIND = """
select distinct on (account, kind)
    account,
    case when sync_mode = 'quick' then 'quick sync' else 'scan' end as kind,
    sync_mode,
    sync_status,
    finished_at,
    round(duration_seconds::numeric, 1) as duration_seconds,
    products_seen,
    products_created,
    products_updated,
    products_deleted
from emag_sync_log
order by account, kind, started_at desc
"""

RUNS_LAST_30_DAYS = f"""
select
    account,
    run_id,
    sync_mode,
    sync_status,
    started_at,
    round(duration_seconds::numeric, 1) as duration_seconds,
    round({_FLOOR}, 1) as floor_seconds,
    coalesce(products_created, 0) + coalesce(products_updated, 0)
    + coalesce(products_deleted, 0) as changes,
    throttled_responses,
    retries,
    failed_records,
    products_per_second
from emag_sync_log
where started_at >= now() at time zone 'utc' - interval '30 days'
order by started_at
"""

FAILED_RUNS = """
select
    started_at,
    account,
    sync_mode,
    sync_status,
    failed_records,
    error_messages,
    run_id
from emag_sync_log
where
    sync_status in ('failed', 'partial')
    and started_at >= now() at time zone 'utc' - interval '30 days'
order by started_at desc, account
limit 200
"""

# ---------------------------------------------------------------- catalogue health

CATALOGUE_NOW = """
select *
from emag_sync_statistics
where is_current
order by account
"""

CATALOGUE_BY_DAY = """
select
    account,
    stat_date,
    products_total,
    products_active,
    products_saleable,
    products_in_stock,
    buy_button_wins,
    offers_with_competitors,
    gpsr_complete,
    validation_rejected,
    offers_invalid_price
from emag_sync_statistics
order by stat_date, account
"""

# Live offers that need the seller: an invalid price, rejected documentation, active but
# out of stock, or the buy button held at some time in the last 24 hours and lost since.
NEEDS_ATTENTION = f"""
with

held_buy_button as (

    select distinct account, product_id
    from emag_product_history
    where
        buy_button_rank = 1
        and not is_deleted
        and (valid_to is null or valid_to > now() at time zone 'utc' - interval '24 hours')

),

flagged as (

    select
        products.account,
        products.product_id,
        products.part_number,
        products.product_name,
        products.sale_price,
        products.general_stock,
        products.offer_status,
        products.buy_button_rank,
        coalesce(products.offer_validation_status in ({_codes("offer_validation_status",
                                                              "invalid_price")}), false)
            as invalid_price,
        coalesce(products.validation_status in ({_codes("validation_status", "rejected")}),
                 false)
            as documentation_rejected,
        coalesce(products.offer_status in ({_codes("offer_status", "active")}), false)
            and coalesce(products.general_stock, 0) <= 0
            as active_out_of_stock,
        held_buy_button.product_id is not null and products.buy_button_rank is distinct from 1
            as lost_buy_button
    from emag_products as products
    left join held_buy_button
        on
            products.account = held_buy_button.account
            and products.product_id = held_buy_button.product_id
    where not products.is_deleted

)

select *
from flagged
where invalid_price or documentation_rejected or active_out_of_stock or lost_buy_button
order by account, product_id
"""

# ---------------------------------------------------------------- accounts side by side

SKU_ACCOUNTS = """
select substr(column_name, 4) as account
from information_schema.columns
where
    table_schema = current_schema()
    and table_name = 'emag_catalog_by_sku'
    and column_name like 'in\\_%'
order by ordinal_position
"""


def sku_pair(first: str, second: str) -> str:
    """Two accounts side by side per SKU, with what differs between them."""
    for account in (first, second):
        if not ACCOUNT_NAME.match(account):
            msg = f"not an account name: {account!r}"
            raise ValueError(msg)
    a, b = first, second
    return f"""
select
    part_number,
    product_name,
    {a}_product_id as {a}_id,
    {b}_product_id as {b}_id,
    {a}_sale_price as {a}_price,
    {b}_sale_price as {b}_price,
    {b}_sale_price - {a}_sale_price as price_difference,
    {a}_stock,
    {b}_stock,
    {a}_status,
    {b}_status,
    in_{a} and in_{b} and {a}_sale_price is distinct from {b}_sale_price as price_differs,
    in_{a} and in_{b} and {a}_stock is distinct from {b}_stock as stock_differs,
    in_{a} and in_{b} and {a}_status is distinct from {b}_status as status_differs,
    case
        when not in_{a} then '{a}'
        when not in_{b} then '{b}'
    end as missing_in
from emag_catalog_by_sku
where in_{a} or in_{b}
order by part_number
"""


# ---------------------------------------------------------------- changes

LAST_RUN = """
select run_id, started_at, sync_mode
from emag_sync_log
where sync_status <> 'skipped'
order by started_at desc
limit 1
"""

# Each version recorded in the window, with the version before it. Only the products with a
# version in the window are read back, so a long history costs only what changed.
_CHANGES = """
with

touched as (

    select distinct account, product_id
    from emag_product_history
    where {window}

),

versions as (

    select
        history.*,
        lag(history.sale_price) over by_time as previous_sale_price,
        lag(history.general_stock) over by_time as previous_stock,
        lag(history.offer_status) over by_time as previous_status,
        lag(history.is_deleted) over by_time as previous_is_deleted,
        row_number() over by_time as version_number
    from emag_product_history as history
    inner join touched
        on
            history.account = touched.account
            and history.product_id = touched.product_id
    window by_time as (partition by history.account, history.product_id order by history.valid_from)

),

changes as (

    select
        account,
        product_id,
        part_number,
        product_name,
        valid_from as changed_at,
        run_id,
        version_number = 1 or coalesce(previous_is_deleted, false) as is_new,
        is_deleted and not coalesce(previous_is_deleted, false) as is_deleted,
        not is_deleted and version_number > 1 and not previous_is_deleted
            and sale_price is distinct from previous_sale_price as price_changed,
        not is_deleted and version_number > 1 and not previous_is_deleted
            and general_stock is distinct from previous_stock as stock_changed,
        not is_deleted and version_number > 1 and not previous_is_deleted
            and offer_status is distinct from previous_status as status_changed,
        previous_sale_price,
        sale_price,
        previous_stock,
        general_stock as stock,
        previous_status,
        offer_status as status
    from versions
    where {window}

)

select * from changes
order by changed_at desc, account, product_id
"""

CHANGES_IN_RUN = _CHANGES.format(window="run_id = %s")
CHANGES_SINCE = _CHANGES.format(
    window="valid_from >= now() at time zone 'utc' - interval '24 hours'")

PRODUCT_HISTORY = """
select
    valid_from,
    coalesce(valid_to, now() at time zone 'utc') as valid_until,
    is_current,
    is_deleted,
    sale_price,
    general_stock,
    offer_status,
    buy_button_rank,
    product_name,
    part_number
from emag_product_history
where account = %s and product_id = %s
order by valid_from
"""

# ---------------------------------------------------------------- conflicts

CONFLICT_COUNTS = """
select account, status, count(*) as conflicts
from emag_product_conflicts
group by account, status
order by account, status
"""

OPEN_CONFLICTS = """
select
    account,
    product_id,
    part_number,
    field,
    emag_value,
    local_value,
    resolved_value,
    detected_at
from emag_product_conflicts
where status = 'open'
order by detected_at, account, product_id, field
"""
