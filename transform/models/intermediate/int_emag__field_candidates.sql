-- One row per product and contested field where the seller has local data: the eMAG value
-- and the local value as comparable text (prices without trailing zeros), with their times.
-- eMAG gives products no modification time: the eMAG side's time is when a sync first
-- observed the current version.
with

products as (

    select * from {{ ref('int_emag__products_current') }}

),

local_products as (

    select * from {{ ref('int_local__products_matched') }}

),

paired as (

    select
        products.account,
        products.product_id,
        products.part_number,
        products.version_observed_at as emag_observed_at,
        local_products.local_updated_at,
        local_products.local_conflict_strategy,
        products.product_name,
        products.description,
        products.brand,
        products.sale_price,
        products.general_stock,
        products.offer_status,
        local_products.local_name,
        local_products.local_description,
        local_products.local_brand,
        local_products.local_sale_price,
        local_products.local_stock,
        local_products.local_status
    from products
    inner join local_products
        on
            products.account = local_products.account
            and products.product_id = local_products.matched_product_id

),

unpivoted as (

    {% set fields = [
        ('name', 'product_name', 'local_name'),
        ('description', 'description', 'local_description'),
        ('brand', 'brand', 'local_brand'),
        ('sale_price', 'trim_scale(sale_price)::text', 'trim_scale(local_sale_price)::text'),
        ('stock', 'general_stock::text', 'local_stock::text'),
        ('status', 'offer_status::text', 'local_status::text'),
    ] %}
    {% for field, emag_value, local_value in fields %}
        select
            account,
            product_id,
            part_number,
            '{{ field }}' as field,
            {{ emag_value }} as emag_value,
            {{ local_value }} as local_value,
            emag_observed_at,
            local_updated_at,
            local_conflict_strategy
        from paired
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unpivoted
