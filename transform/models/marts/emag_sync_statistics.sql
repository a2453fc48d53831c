-- Per account and day (the last `statistics_days` days, today's row is the current state,
-- `is_current`): the catalogue as it stood at the end of the day (from the product history)
-- and the sync record over the 7 and 30 days up to that day. Incremental: past days are kept,
-- the last stored day and today are recomputed.
{{
    config(
        materialized='incremental',
        unique_key=['account', 'stat_date'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

with

history as (

    select * from {{ ref('emag_product_history') }}

),

sync_log as (

    select * from {{ ref('emag_sync_log') }}

),

accounts as (

    select
        account,
        min(valid_from)::date as first_day
    from history
    group by account

),

days as (

    select
        accounts.account,
        series.day::date as stat_date
    from accounts
    cross join
        lateral generate_series(
            greatest(accounts.first_day, current_date - {{ var('statistics_days') - 1 }}),
            current_date,
            interval '1 day'
        ) as series (day)
    {% if is_incremental() %}
        where series.day::date >= (
                select coalesce(max(previous.stat_date), '1900-01-01') from {{ this }} as previous
            )
    {% endif %}

),

current_products as (

    select * from {{ ref('int_emag__products_current') }}
    where not is_deleted

),

versions_at_day_end as (

    -- past days from the history (only computed when a past day is due); today from the
    -- current state, so a run on the same day touches no window over all versions
    select
        days.stat_date,
        history.account,
        history.offer_status,
        history.is_saleable,
        history.general_stock,
        history.validation_status,
        history.offer_validation_status,
        history.sale_price,
        history.buy_button_rank,
        history.number_of_offers,
        history.has_safety_information,
        history.has_manufacturer,
        history.has_eu_representative
    from days
    inner join history
        on
            days.account = history.account
            and history.valid_from < days.stat_date + 1
            and (history.valid_to is null or history.valid_to >= days.stat_date + 1)
    where
        not history.is_deleted
        and days.stat_date < current_date
        and exists (
            select 1 from days as due
            where due.stat_date < current_date
        )

    union all

    select
        days.stat_date,
        current_products.account,
        current_products.offer_status,
        current_products.is_saleable,
        current_products.general_stock,
        current_products.validation_status,
        current_products.offer_validation_status,
        current_products.sale_price,
        current_products.buy_button_rank,
        current_products.number_of_offers,
        current_products.has_safety_information,
        current_products.has_manufacturer,
        current_products.has_eu_representative
    from days
    inner join current_products
        on days.account = current_products.account
    where days.stat_date = current_date

),

catalogue as (

    select
        account,
        stat_date,
        count(*) as products_total,
        count(*) filter (where offer_status = 1) as products_active,
        count(*) filter (where offer_status = 0) as products_inactive,
        count(*) filter (where offer_status = 2) as products_end_of_life,
        count(*) filter (where is_saleable) as products_saleable,
        count(*) filter (where general_stock > 0) as products_in_stock,
        count(*) filter (where validation_status in (3, 9, 11, 12)) as validation_approved,
        count(*) filter (where validation_status in (0, 1, 2, 4)) as validation_pending,
        count(*) filter (where validation_status in (5, 6, 8, 10)) as validation_rejected,
        count(*) filter (where offer_validation_status = 2) as offers_invalid_price,
        coalesce(sum(general_stock), 0) as stock_total,
        round(avg(general_stock), 2) as stock_mean,
        min(sale_price) as sale_price_min,
        round(avg(sale_price), 4) as sale_price_mean,
        percentile_cont(0.5) within group (order by sale_price) as sale_price_median,
        max(sale_price) as sale_price_max,
        count(*) filter (where buy_button_rank = 1) as buy_button_wins,
        count(*) filter (where number_of_offers > 1) as offers_with_competitors,
        count(*) filter (
            where has_safety_information and has_manufacturer and has_eu_representative
        ) as gpsr_complete
    from versions_at_day_end
    group by account, stat_date

),

sync_windows as (

    select
        days.account,
        days.stat_date,
        {% for window in [7, 30] %}
            count(sync_log.run_id) filter (
                where sync_log.started_at >= days.stat_date - {{ window - 1 }}
            ) as sync_runs_{{ window }}d,
            round(
                avg((sync_log.sync_status = 'completed')::int) filter (
                    where sync_log.started_at >= days.stat_date - {{ window - 1 }}
                ),
                4
            ) as sync_success_rate_{{ window }}d,
            round(
                avg(sync_log.duration_seconds) filter (
                    where sync_log.started_at >= days.stat_date - {{ window - 1 }}
                )::numeric,
                1
            ) as sync_mean_duration_seconds_{{ window }}d,
            round(
                (
                    sum(sync_log.products_seen) filter (
                        where sync_log.started_at >= days.stat_date - {{ window - 1 }}
                    )
                    / nullif(sum(sync_log.duration_seconds) filter (
                        where sync_log.started_at >= days.stat_date - {{ window - 1 }}
                    ), 0)
                )::numeric,
                1
            ) as sync_products_per_second_{{ window }}d{% if not loop.last %},{% endif %}
        {% endfor %}
    from days
    left join sync_log
        on
            days.account = sync_log.account
            and sync_log.started_at >= days.stat_date - 29
            and sync_log.started_at < days.stat_date + 1
    group by days.account, days.stat_date

)

select
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
