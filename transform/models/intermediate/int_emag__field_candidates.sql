-- One row per product and contested field (macro contested_fields) where the seller has
-- local data: the eMAG value and the local value as comparable text (prices without trailing
-- zeros), with their times.
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
        {%- for field in contested_fields() %}
            products.{{ field.emag_column }},
            local_products.local_{{ field.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from products
    inner join local_products
        on
            products.account = local_products.account
            and products.product_id = local_products.matched_product_id

),

unpivoted as (

    {% for field in contested_fields() %}
        select
            account,
            product_id,
            part_number,
            '{{ field.name }}' as field,
            {{ contested_value_as_text(field, field.emag_column) }} as emag_value,
            {{ contested_value_as_text(field, 'local_' ~ field.name) }} as local_value,
            emag_observed_at,
            local_updated_at,
            local_conflict_strategy
        from paired
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unpivoted
