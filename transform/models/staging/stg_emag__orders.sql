-- One row per account and order as last loaded (eMAG's order/read), typed and renamed, with
-- the status and the fulfilment by name (macro emag_codes). The lines are in
-- stg_emag__order_lines. The buyer's personal data (customer, details, extra: loaded only when
-- the tap's include_customer_data is set) is not read. No rows while the raw table does not
-- exist (a tap without the orders stream).

with

source as (

    {{ source_or_empty('emag', 'orders', raw_orders_columns()) }}

),

renamed as (

    select
        -- ids
        account,
        id as order_id,
        payment_mode_id,

        -- strings
        {{ emag_code_meaning('order_status', 'status') }} as order_status,
        {{ emag_code_meaning('order_type', 'type') }} as fulfilment,
        payment_mode,
        delivery_mode,
        currency,

        -- numerics
        status as order_status_code,
        type as order_type,
        payment_status,
        cashed_co,
        cashed_cod,
        shipping_tax,
        refunded_amount,
        coalesce(cardinality(vouchers), 0) as voucher_count,

        -- booleans
        is_complete = 1 as is_complete,
        _sdc_deleted_at is not null as is_deleted,

        -- timestamps (UTC)
        date as ordered_at,
        modified as modified_at,
        _sdc_deleted_at as deleted_at,
        _sdc_extracted_at as extracted_at,
        _sdc_batched_at as loaded_at

    from source

)

select * from renamed
