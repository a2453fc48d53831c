-- Every version of every product with its validity interval: "what was the price of X on
-- day D" is `where valid_from <= D and (valid_to > D or valid_to is null)`. The mart
-- emag_product_history shows it; the daily catalogue statistics count over it.
{{ config(materialized='view') }}

with

versions as (

    select * from {{ ref('int_emag__product_versions') }}

),

intervals as (

    select
        account,
        product_id,
        part_number,
        part_number_key,
        product_name,
        brand,
        sale_price,
        recommended_price,
        best_offer_sale_price,
        general_stock,
        estimated_stock,
        offer_status,
        validation_status,
        offer_validation_status,
        translation_validation_status,
        is_auto_translated,
        buy_button_rank,
        number_of_offers,
        has_safety_information,
        has_manufacturer,
        has_eu_representative,
        content_hash,
        run_id,
        valid_from,
        version_hash = 'deleted' as is_deleted,
        lead(valid_from) over (
            partition by account, product_id order by valid_from
        ) as valid_to
    from versions

)

select
    *,
    valid_to is null as is_current,
    not is_deleted and {{ is_saleable() }} as is_saleable
from intervals
