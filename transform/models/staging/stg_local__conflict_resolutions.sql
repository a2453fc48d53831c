with

source as (

    select * from {{ source('local', 'product_conflict_resolutions') }}

),

renamed as (

    select
        -- ids
        account,
        product_id,

        -- strings
        field,
        winner,
        decided_by,

        -- timestamps
        decided_at at time zone 'utc' as decided_at

    from source

)

select * from renamed
