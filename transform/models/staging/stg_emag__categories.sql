with

source as (

    select * from {{ emag_source('categories') }}

),

renamed as (

    select
        -- ids
        account,
        id as category_id,
        parent_id as parent_category_id,

        -- strings
        name as category_name,

        -- booleans
        is_allowed = 1 as is_allowed,
        is_ean_mandatory = 1 as is_ean_mandatory,
        is_warranty_mandatory = 1 as is_warranty_mandatory,

        -- timestamps
        _sdc_batched_at as loaded_at

    from source

)

select * from renamed
