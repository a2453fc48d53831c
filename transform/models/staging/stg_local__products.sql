with

source as (

    select * from {{ source('local', 'products') }}

),

renamed as (

    select
        -- ids
        account,
        product_id,
        nullif(trim(part_number), '') as part_number,

        -- strings
        nullif(name, '') as local_name,
        nullif(description, '') as local_description,
        nullif(brand, '') as local_brand,
        conflict_strategy as local_conflict_strategy,

        -- numerics
        sale_price as local_sale_price,
        stock as local_stock,
        status as local_status,

        -- timestamps (UTC, without zone, like the raw eMAG tables)
        updated_at at time zone 'utc' as local_updated_at

    from source

)

select * from renamed
