-- The live offers that need the seller, one row each with its reasons: an invalid price,
-- rejected documentation, active but out of stock, or the buy button held at some time in the
-- last 24 hours and lost since (has_lost_buy_button). The codes are macro emag_codes'. A view:
-- the 24 hours end when it is read.
{{ config(materialized='view') }}

with

live_products as (

    select * from {{ ref('int_emag__products_current') }}
    where not is_deleted

),

-- products whose live versions held the buy button at some time in the last 24 hours
held_buy_button as (

    select distinct
        account,
        product_id
    from {{ ref('int_emag__product_version_intervals') }}
    where
        buy_button_rank = 1
        and not is_deleted
        and (valid_to is null or valid_to > now() at time zone 'utc' - interval '24 hours')

),

flagged as (

    select
        {{ emag_seller_of('live_products.account') }} as seller,
        live_products.account,
        live_products.product_id,
        live_products.part_number,
        live_products.product_name,
        live_products.sale_price,
        live_products.general_stock,
        live_products.offer_status,
        live_products.buy_button_rank,
        coalesce(
            {{ emag_code_is('offer_validation_status', 'invalid_price',
                            'live_products.offer_validation_status') }},
            false
        ) as has_invalid_price,
        coalesce(
            {{ emag_code_is('validation_status', 'rejected', 'live_products.validation_status') }},
            false
        ) as has_rejected_documentation,
        coalesce({{ emag_code_is('offer_status', 'active', 'live_products.offer_status') }}, false)
        and coalesce(live_products.general_stock, 0) <= 0 as is_active_out_of_stock,
        held_buy_button.product_id is not null
        and (live_products.buy_button_rank is distinct from 1) as has_lost_buy_button
    from live_products
    left join held_buy_button
        on
            live_products.account = held_buy_button.account
            and live_products.product_id = held_buy_button.product_id

)

select * from flagged
where has_invalid_price or has_rejected_documentation or is_active_out_of_stock or has_lost_buy_button
