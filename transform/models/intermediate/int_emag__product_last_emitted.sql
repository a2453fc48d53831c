-- When the tap last emitted each product (the extraction time of its raw row) and whether
-- that was a deletion: what int_emag__unlisted_products compares with the sync log.
with

products as (

    select * from {{ ref('stg_emag__products') }}

)

select
    account,
    product_id,
    is_deleted,
    extracted_at
from products
