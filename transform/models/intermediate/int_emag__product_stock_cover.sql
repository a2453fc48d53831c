-- Per product: units sold over the last 7 and 30 days (today included, eMAG's calendar), how
-- many days the stock lasts at the mean daily pace of the last 28 days, and when the stock
-- value was read. A view: the pace is as of the query, over the current stock.
--
-- stock_observed_at is the later of the current version's valid_from (when a sync first read
-- this content) and the start of the account's last completed, unfiltered scan: a scan reads
-- the whole catalogue and emits only what changed, so one that completed without emitting the
-- product read the same stock. Quick runs read only the products orders touched: they confirm
-- nothing else.
with

products as (

    select
        account,
        product_id,
        general_stock,
        version_observed_at,
        is_deleted
    from {{ ref('int_emag__products_current') }}

),

recent_sales as (

    select
        account,
        product_id,
        coalesce(sum(units_sold) filter (
            where sale_date > {{ emag_today() }} - 7
        ), 0) as units_sold_7d,
        coalesce(sum(units_sold) filter (
            where sale_date > {{ emag_today() }} - 28
        ), 0) as units_sold_28d,
        coalesce(sum(units_sold), 0) as units_sold_30d
    from {{ ref('int_emag__product_sales_by_day') }}
    where sale_date > {{ emag_today() }} - 30 and sale_date <= {{ emag_today() }}
    group by account, product_id

),

last_scans as (

    select
        account,
        max(started_at) as last_scan_started_at
    from {{ ref('stg_emag__sync_runs') }}
    where
        sync_status = 'completed'
        and sync_mode in {{ sql_list(scan_modes()) }}
        and not is_filtered
    group by account

)

select
    products.account,
    products.product_id,
    coalesce(recent_sales.units_sold_7d, 0) as units_sold_7d,
    coalesce(recent_sales.units_sold_30d, 0) as units_sold_30d,
    case
        when not products.is_deleted and recent_sales.units_sold_28d > 0
            then round(products.general_stock / (recent_sales.units_sold_28d / 28.0), 1)
    end as days_of_stock_left,
    case
        when not products.is_deleted
            then greatest(products.version_observed_at, last_scans.last_scan_started_at)
    end as stock_observed_at
from products
left join recent_sales
    on
        products.account = recent_sales.account
        and products.product_id = recent_sales.product_id
left join last_scans
    on products.account = last_scans.account
