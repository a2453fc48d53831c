-- Per account and day: the catalogue as it stood at the end of the day (from the product
-- history; today's row from the current state), counted by status, validation and
-- saleability, with stock and price statistics. A day without live products has no row.
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

history as (

    select * from {{ ref('int_emag__product_version_intervals') }}

),

current_products as (

    select * from {{ ref('int_emag__products_current') }}
    where not is_deleted

),

days as (

    {{ statistics_days('versions') }}

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
        count(*) filter (where {{ emag_code_is('offer_status', 'active') }}) as products_active,
        count(*) filter (where {{ emag_code_is('offer_status', 'inactive') }}) as products_inactive,
        count(*) filter (
            where {{ emag_code_is('offer_status', 'end_of_life') }}
        ) as products_end_of_life,
        count(*) filter (where is_saleable) as products_saleable,
        count(*) filter (where general_stock > 0) as products_in_stock,
        count(*) filter (
            where {{ emag_code_is('validation_status', 'approved') }}
        ) as validation_approved,
        count(*) filter (
            where {{ emag_code_is('validation_status', 'pending') }}
        ) as validation_pending,
        count(*) filter (
            where {{ emag_code_is('validation_status', 'rejected') }}
        ) as validation_rejected,
        count(*) filter (
            where {{ emag_code_is('offer_validation_status', 'invalid_price') }}
        ) as offers_invalid_price,
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

)

select * from catalogue
