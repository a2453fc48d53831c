-- One row per target-emag run, account, offer and field: what the write-back planned, sent
-- and read back. No rows while target-emag has not created its log (source_or_empty).
with

source as (

    {{ source_or_empty('emag_writes', 'offer_writes', offer_writes_columns()) }}

),

renamed as (

    select
        -- ids
        run_id,
        account,
        product_id,

        -- strings (values as comparable text: prices via trim_scale, integers as text)
        field,
        emag_value,
        planned_value,
        sent_value,
        read_back_value,
        outcome,
        message,

        -- numerics
        batch_number,

        -- booleans
        dry_run as is_dry_run,

        -- timestamps (UTC, without zone)
        planned_emag_read_at,
        recorded_at

    from source

)

select * from renamed
