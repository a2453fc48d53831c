"""The SQL behind every figure: selects, filters and sorts of the dbt marts' columns.

Every rule a figure depends on (the API floor, what needs attention, what a version changed,
what differs between two accounts) is a column of a mart, with its dbt tests, so a BI tool
gets the same numbers with plain SQL. Lower-case like the dbt project; parameters are named
psycopg placeholders; the schema is the search_path (the `db_schema` setting).

Every query of a mart with sellers (the `seller` column) keeps the rows of the seller chosen in
the sidebar, `%(seller)s` (ui.read passes it; null: all sellers).
"""

from __future__ import annotations

# the rows of the chosen seller, or every row when none is chosen
SELLER = "(%(seller)s::text is null or seller = %(seller)s)"

# The sellers in the marts (the sidebar's choice, shown when there are two or more): those
# with a catalogue, and those whose runs so far failed.
SELLERS = """
select seller from emag_sync_statistics
union
select seller from emag_sync_log
order by seller
"""

# A code's label for display (offer_status 2 -> end of life).
STATUS_LABELS = """
select code, label from emag_status_codes where kind = %(kind)s order by code"""

# ---------------------------------------------------------------- sync health

LAST_RUN_PER_ACCOUNT = f"""
select distinct on (account)
    account,
    run_id,
    sync_mode,
    sync_status,
    started_at,
    finished_at,
    duration_seconds,
    requests_per_second,
    api_floor_seconds,
    api_floor_ratio,
    products_seen,
    products_per_second
from emag_sync_log
where {SELLER}
order by account, started_at desc
"""

LAST_RUN_BY_KIND = f"""
select distinct on (account, run_kind)
    account,
    run_kind,
    sync_mode,
    sync_status,
    finished_at,
    duration_seconds,
    products_seen,
    products_created,
    products_updated,
    products_deleted
from emag_sync_log
where run_kind <> 'skipped' and {SELLER}
order by account, run_kind, started_at desc
"""

RUNS_LAST_30_DAYS = f"""
select
    account,
    run_id,
    sync_mode,
    sync_status,
    started_at,
    duration_seconds,
    api_floor_seconds,
    products_changed,
    throttled_responses,
    retries,
    failed_records,
    products_per_second
from emag_sync_log
where
    started_at >= now() at time zone 'utc' - interval '30 days'
    and {SELLER}
order by started_at
"""

FAILED_RUNS = f"""
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
    and {SELLER}
order by started_at desc, account
limit 200
"""

# ---------------------------------------------------------------- catalogue health

CATALOGUE_NOW = f"""
select *
from emag_sync_statistics
where is_current and {SELLER}
order by account
"""

CATALOGUE_BY_DAY = f"""
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
where {SELLER}
order by stat_date, account
"""

NEEDS_ATTENTION = f"""
select
    account,
    product_id,
    part_number,
    product_name,
    sale_price,
    general_stock,
    offer_status,
    buy_button_rank,
    has_invalid_price,
    has_rejected_documentation,
    is_active_out_of_stock,
    has_lost_buy_button
from emag_products_needing_attention
where {SELLER}
order by account, product_id
"""

# ---------------------------------------------------------------- accounts side by side

# The accounts with a catalogue now, one row each in the statistics, with their seller.
ACCOUNTS = f"""
select seller, account from emag_sync_statistics
where is_current and {SELLER}
order by account
"""

SKU_PAIR = """
select
    part_number,
    product_name,
    product_id,
    other_product_id,
    sale_price,
    other_sale_price,
    price_difference,
    general_stock,
    other_general_stock,
    offer_status,
    other_offer_status,
    is_in_account,
    is_in_other_account,
    missing_in,
    has_price_difference,
    has_stock_difference,
    has_status_difference
from emag_catalog_by_sku
where account = %(account)s and other_account = %(other_account)s
order by part_number
"""

# ---------------------------------------------------------------- changes

LAST_RUN = f"""
select run_id, started_at, sync_mode
from emag_sync_log
where sync_status <> 'skipped' and {SELLER}
order by started_at desc
limit 1
"""

_CHANGES = """
select
    account,
    product_id,
    part_number,
    product_name,
    changed_at,
    run_id,
    is_new,
    is_deletion,
    has_price_change,
    has_stock_change,
    has_status_change,
    previous_sale_price,
    sale_price,
    previous_general_stock,
    general_stock,
    previous_offer_status,
    offer_status
from emag_product_changes
where {window} and {seller}
order by changed_at desc, account, product_id
"""

CHANGES_IN_RUN = _CHANGES.format(window="run_id = %(run_id)s", seller=SELLER)
CHANGES_SINCE = _CHANGES.format(
    window="changed_at >= now() at time zone 'utc' - interval '24 hours'", seller=SELLER)

PRODUCT_HISTORY = """
select
    valid_from,
    valid_to,
    is_current,
    is_deleted,
    sale_price,
    general_stock,
    offer_status,
    buy_button_rank,
    product_name,
    part_number
from emag_product_history
where account = %(account)s and product_id = %(product_id)s
order by valid_from
"""

# ---------------------------------------------------------------- conflicts

CONFLICT_COUNTS = f"""
select account, status, count(*) as conflicts
from emag_product_conflicts
where {SELLER}
group by account, status
order by account, status
"""

OPEN_CONFLICTS = f"""
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
where status = 'open' and {SELLER}
order by detected_at, account, product_id, field
"""

# ---------------------------------------------------------------- write-back

PLAN_COUNTS = f"""
select account, field, count(*) as offers
from emag_offer_updates
where {SELLER}
group by account, field
order by account, field
"""

PLAN = f"""
select
    account,
    product_id,
    part_number,
    field,
    emag_value,
    planned_value,
    last_sent_outcome,
    resolution_rule,
    emag_read_at,
    min_sale_price,
    max_sale_price,
    product_name,
    last_sent_message
from emag_offer_updates
where {SELLER}
order by account, product_id, field
"""

LATEST_WRITE_OUTCOMES = f"""
select account, outcome, count(*) as offers
from emag_offer_writes
where is_latest_attempt and {SELLER}
group by account, outcome
order by account, outcome
"""

LATEST_WRITES = f"""
select
    recorded_at,
    account,
    product_id,
    part_number,
    field,
    outcome,
    emag_value,
    planned_value,
    sent_value,
    read_back_value,
    message,
    run_id
from emag_offer_writes
where is_latest_attempt and {SELLER}
order by recorded_at desc, account, product_id, field
limit 500
"""

REFUSED_WRITES = f"""
select
    recorded_at,
    account,
    product_id,
    field,
    message,
    sent_value,
    part_number,
    is_latest_attempt,
    run_id
from emag_offer_writes
where
    outcome = 'refused'
    and recorded_at >= now() at time zone 'utc' - interval '30 days'
    and {SELLER}
order by recorded_at desc, account, product_id, field
limit 500
"""
