with

source as (

    {{ source_or_empty(
        'local', 'product_conflict_resolutions', local_table_columns('product_conflict_resolutions')
    ) }}

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
