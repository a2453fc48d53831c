-- Per account and day (the last `statistics_days` days, today's row is the current state,
-- `is_current`): the catalogue as it stood at the end of the day (int_emag__catalogue_by_day)
-- and the sync record over the 7 and 30 days up to that day (int_emag__sync_windows_by_day).
-- Incremental: past days are kept, the last stored day and today are recomputed.
{{
    config(
        materialized='incremental',
        unique_key=['account', 'stat_date'],
        incremental_strategy='delete+insert',
    )
}}

with

versions as (

    select * from {{ ref('int_emag__product_versions') }}

),

catalogue as (

    select * from {{ ref('int_emag__catalogue_by_day') }}

),

sync_windows as (

    select * from {{ ref('int_emag__sync_windows_by_day') }}

),

days as (

    {{ statistics_days('versions') }}

)

select
    {{ emag_seller_of('days.account') }} as seller,
    days.account,
    days.stat_date,
    catalogue.products_total,
    catalogue.products_active,
    catalogue.products_inactive,
    catalogue.products_end_of_life,
    catalogue.products_saleable,
    catalogue.products_in_stock,
    catalogue.validation_approved,
    catalogue.validation_pending,
    catalogue.validation_rejected,
    catalogue.offers_invalid_price,
    catalogue.stock_total,
    catalogue.stock_mean,
    catalogue.sale_price_min,
    catalogue.sale_price_mean,
    catalogue.sale_price_median,
    catalogue.sale_price_max,
    catalogue.buy_button_wins,
    catalogue.offers_with_competitors,
    catalogue.gpsr_complete,
    sync_windows.sync_runs_7d,
    sync_windows.sync_success_rate_7d,
    sync_windows.sync_mean_duration_seconds_7d,
    sync_windows.sync_products_per_second_7d,
    sync_windows.sync_runs_30d,
    sync_windows.sync_success_rate_30d,
    sync_windows.sync_mean_duration_seconds_30d,
    sync_windows.sync_products_per_second_30d,
    days.stat_date = current_date as is_current
from days
left join catalogue
    on
        days.account = catalogue.account
        and days.stat_date = catalogue.stat_date
left join sync_windows
    on
        days.account = sync_windows.account
        and days.stat_date = sync_windows.stat_date
