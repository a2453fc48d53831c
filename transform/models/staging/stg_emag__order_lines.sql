-- One row per order line (the order's `lines`, eMAG's `products`), typed: the offer it sold
-- (product_id: the account's product id), its PNK and SKU, quantity, unit prices without VAT
-- and the VAT rate. A removed line (status 0) stays, with is_active false.
with

source as (

    {{ source_or_empty('emag', 'orders', raw_orders_columns()) }}

),

lines as (

    select
        source.account,
        source.id as order_id,
        listed.line,
        listed.position
    from source
    cross join lateral unnest(source.lines) with ordinality as listed (line, position)

),

renamed as (

    select
        -- ids
        account,
        order_id,
        (line ->> 'id')::bigint as line_id,
        (line ->> 'product_id')::bigint as product_id,
        line ->> 'part_number' as part_number_key,
        line ->> 'ext_part_number' as part_number,

        -- strings
        line ->> 'currency' as currency,

        -- numerics
        position as line_position,
        (line ->> 'quantity')::bigint as quantity,
        (line ->> 'sale_price')::numeric as sale_price,
        (line ->> 'original_price')::numeric as original_price,
        (line ->> 'vat')::numeric as vat_rate,
        (line ->> 'status')::int as line_status_code,

        -- booleans
        coalesce(
            {{ emag_code_is('order_line_status', 'active', "(line ->> 'status')::int") }}, false
        ) as is_active,

        -- timestamps (UTC)
        (line ->> 'created')::timestamptz at time zone 'utc' as created_at,
        (line ->> 'modified')::timestamptz at time zone 'utc' as modified_at

    from lines

)

select * from renamed
