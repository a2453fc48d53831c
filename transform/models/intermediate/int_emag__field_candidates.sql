-- One row per product and contested field (macro contested_fields) where the seller has
-- local data: the eMAG value and the local value as comparable text (prices without trailing
-- zeros), with their times.
-- eMAG gives products no modification time: the eMAG side's time is when a sync first
-- observed the field's current value, field by field, from the history. A version that
-- changed another field (an order moved the stock) does not make eMAG's price newer than a
-- price the seller set before it.
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
        products.version_observed_at,
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
            version_observed_at,
            local_updated_at,
            local_conflict_strategy
        from paired
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- every live version of the products with local data, each contested field as comparable text
field_versions as (

    {% for field in contested_fields() %}
        select
            versions.account,
            versions.product_id,
            '{{ field.name }}' as field,
            {{ contested_value_as_text(field, 'versions.' ~ field.emag_column) }} as emag_value,
            versions.valid_from
        from {{ ref('int_emag__product_versions') }} as versions
        inner join local_products
            on
                versions.account = local_products.account
                and versions.product_id = local_products.matched_product_id
        where versions.version_hash <> 'deleted'
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- each version's value of each field against its current value, and when the field last held
-- another value (null: never)
compared_versions as (

    select
        unpivoted.account,
        unpivoted.product_id,
        unpivoted.field,
        field_versions.valid_from,
        max(field_versions.valid_from) filter (
            where field_versions.emag_value is distinct from unpivoted.emag_value
        ) over (
            partition by unpivoted.account, unpivoted.product_id, unpivoted.field
        ) as other_value_until
    from unpivoted
    inner join field_versions
        on
            unpivoted.account = field_versions.account
            and unpivoted.product_id = field_versions.product_id
            and unpivoted.field = field_versions.field

),

-- the first version after that: when a sync first observed the current value
value_since as (

    select
        account,
        product_id,
        field,
        min(valid_from) as emag_value_since
    from compared_versions
    where valid_from > coalesce(other_value_until, '-infinity')
    group by account, product_id, field

)

select
    unpivoted.account,
    unpivoted.product_id,
    unpivoted.part_number,
    unpivoted.field,
    unpivoted.emag_value,
    unpivoted.local_value,
    coalesce(value_since.emag_value_since, unpivoted.version_observed_at) as emag_observed_at,
    unpivoted.local_updated_at,
    unpivoted.local_conflict_strategy
from unpivoted
left join value_since
    on
        unpivoted.account = value_since.account
        and unpivoted.product_id = value_since.product_id
        and unpivoted.field = value_since.field
