-- Every version of every product with its validity interval: "what was the price of X on
-- day D" is `where valid_from <= D and (valid_to > D or valid_to is null)`.
{{ config(materialized='view') }}

with

versions as (

    select * from {{ ref('int_emag__product_versions') }}

)

select
    account,
    product_id,
    part_number,
    product_name,
    sale_price,
    recommended_price,
    general_stock,
    estimated_stock,
    offer_status,
    validation_status,
    offer_validation_status,
    buy_button_rank,
    number_of_offers,
    version_hash = 'deleted' as is_deleted,
    content_hash,
    run_id,
    valid_from,
    lead(valid_from) over (
        partition by account, product_id order by valid_from
    ) as valid_to,
    lead(valid_from) over (
        partition by account, product_id order by valid_from
    ) is null as is_current
from versions
