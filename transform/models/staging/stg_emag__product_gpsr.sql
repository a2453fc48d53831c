-- One row per account, product, GPSR field and value a read brought, with when a read last
-- brought it. The safety text is text; the contacts are a jsonb list of {name, address, email}
-- objects as eMAG sent them (keys eMAG adds kept).
with

source as (

    select * from {{ emag_source('product_gpsr') }}

),

renamed as (

    select
        -- ids
        account,
        id as product_id,
        field as gpsr_field,
        value_hash,
        run_id,

        -- values
        case
            when field = 'safety_information' then to_jsonb(safety_information)
            else to_jsonb(coalesce(contacts, '{}'::jsonb[]))
        end as gpsr_value,

        -- timestamps
        read_at

    from source

)

select * from renamed
