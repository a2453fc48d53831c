-- Local rows matched to eMAG products: by product id, else by part_number within the account.
-- When several local rows match one product, the most recently updated one counts.
with

local_products as (

    select * from {{ ref('stg_local__products') }}

),

emag_products as (

    select
        account,
        product_id,
        part_number
    from {{ ref('stg_emag__products') }}

),

matched as (

    select
        local_products.*,
        coalesce(local_products.product_id, by_part_number.product_id) as matched_product_id
    from local_products
    left join emag_products as by_part_number
        on
            local_products.product_id is null
            and local_products.account = by_part_number.account
            and local_products.part_number = by_part_number.part_number

),

latest as (

    select distinct on (account, matched_product_id) *
    from matched
    where matched_product_id is not null
    order by account asc, matched_product_id asc, local_updated_at desc

)

select * from latest
