-- One row per account and product: every eMAG field typed, the values resolved against the
-- seller's own data by the conflict rules (resolved_*), where each contested value came from
-- (resolution_source), saleability, deletion and the product's timeline.
with

products as (

    select * from {{ ref('int_emag__products_current') }}

),

resolutions as (

    select * from {{ ref('int_emag__field_resolutions') }}

),

resolved as (

    select
        account,
        product_id,
        max(resolved_value) filter (where field = 'name') as resolved_name,
        max(resolved_value) filter (where field = 'description') as resolved_description,
        max(resolved_value) filter (where field = 'brand') as resolved_brand,
        max(resolved_value) filter (where field = 'sale_price')::numeric as resolved_sale_price,
        max(resolved_value) filter (where field = 'stock')::bigint as resolved_stock,
        max(resolved_value) filter (where field = 'status')::bigint as resolved_status,
        jsonb_object_agg(field, resolution_source) as resolution_source,
        bool_or(resolution_source = 'manual:pending') as has_open_conflict
    from resolutions
    group by account, product_id

)

select
    products.*,
    coalesce(resolved.resolved_name, products.product_name) as resolved_name,
    coalesce(resolved.resolved_description, products.description) as resolved_description,
    coalesce(resolved.resolved_brand, products.brand) as resolved_brand,
    coalesce(resolved.resolved_sale_price, products.sale_price) as resolved_sale_price,
    coalesce(resolved.resolved_stock, products.general_stock) as resolved_stock,
    coalesce(resolved.resolved_status, products.offer_status) as resolved_status,
    coalesce(
        resolved.resolution_source,
        '{"name": "emag", "description": "emag", "brand": "emag", "sale_price": "emag",'
        ' "stock": "emag", "status": "emag"}'::jsonb
    ) as resolution_source,
    coalesce(resolved.has_open_conflict, false) as has_open_conflict
from products
left join resolved
    on
        products.account = resolved.account
        and products.product_id = resolved.product_id
