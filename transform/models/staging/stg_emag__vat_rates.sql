with

source as (

    select * from {{ emag_source('vat_rates') }}

),

renamed as (

    select
        -- ids
        account,
        vat_id,

        -- numerics
        vat_rate,

        -- booleans
        coalesce(is_default, false) as is_default,

        -- timestamps
        _sdc_batched_at as loaded_at

    from source

)

select * from renamed
