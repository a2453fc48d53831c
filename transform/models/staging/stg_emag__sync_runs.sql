-- One row per account per tap run.

with

source as (

    -- xmin: the loader's transaction that wrote the row (emag_sync_log: counted yet?)
    select
        *,
        xmin::text::bigint as load_xid
    from {{ emag_source('sync_runs') }}

),

renamed as (

    select
        -- ids
        run_id,
        account,
        bookmark_origin_run_id,

        -- strings
        mode as sync_mode,
        status as sync_status,
        tap_version,
        array_to_string(error_messages, ' | ') as error_messages,

        -- numerics
        pages_fetched,
        products_total,
        products_seen,
        emitted as products_emitted,
        created as products_created,
        updated as products_updated,
        unchanged as products_unchanged,
        deleted as products_deleted,
        suspected as products_suspected,
        failed_records,
        requests,
        retries,
        throttled as throttled_responses,
        orders_read,
        order_requests,
        products_touched,
        products_deferred,
        requests_per_second,

        -- booleans
        filtered as is_filtered,

        -- sync metadata
        load_xid,

        -- timestamps
        started_at,
        finished_at,
        extract(epoch from (finished_at - started_at)) as duration_seconds

    from source

)

select * from renamed
