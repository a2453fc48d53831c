-- One row per account and product: every eMAG field typed, saleability, deletion and timeline.
with

products as (

    select * from {{ ref('int_emag__products_current') }}

)

select * from products
