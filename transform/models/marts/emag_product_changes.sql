-- Every version of every product as a change against the version before it: whether it made
-- the product new (its first version, or listed again after a deletion), deleted it, or
-- changed its price, stock or status (from a live version to a live version), with the values
-- before and after. What run R changed: `where run_id = R`; the last day: `where changed_at
-- >= ...`. A version that changed other fields only has every flag false. A view over the
-- history.
{{ config(materialized='view') }}

with

versions as (

    select * from {{ ref('int_emag__product_version_intervals') }}

),

with_previous as (

    select
        account,
        product_id,
        part_number,
        product_name,
        run_id,
        valid_from,
        is_deleted,
        sale_price,
        general_stock,
        offer_status,
        lag(sale_price) over by_time as previous_sale_price,
        lag(general_stock) over by_time as previous_general_stock,
        lag(offer_status) over by_time as previous_offer_status,
        -- null for the first version
        lag(is_deleted) over by_time as previous_is_deleted
    from versions
    window by_time as (partition by account, product_id order by valid_from)

),

classified as (

    select
        *,
        coalesce(previous_is_deleted, true) as is_new,
        is_deleted and not coalesce(previous_is_deleted, false) as is_deletion,
        not is_deleted and not coalesce(previous_is_deleted, true) as is_live_after_live
    from with_previous

)

select
    {{ emag_seller_of('account') }} as seller,
    account,
    product_id,
    part_number,
    product_name,
    valid_from as changed_at,
    run_id,
    is_new,
    is_deletion,
    is_live_after_live and (sale_price is distinct from previous_sale_price) as has_price_change,
    is_live_after_live
    and (general_stock is distinct from previous_general_stock) as has_stock_change,
    is_live_after_live
    and (offer_status is distinct from previous_offer_status) as has_status_change,
    previous_sale_price,
    sale_price,
    previous_general_stock,
    general_stock,
    previous_offer_status,
    offer_status
from classified
