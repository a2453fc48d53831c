-- One row per account per tap run. A view, so a run whose tap failed (and whose `dbt:run`
-- never ran) is in the log as soon as its raw sync_runs row is loaded.
{{ config(materialized='view') }}

with

sync_runs as (

    select * from {{ ref('stg_emag__sync_runs') }}

)

select
    run_id,
    account,
    sync_mode,
    sync_status,
    started_at,
    finished_at,
    duration_seconds,
    pages_fetched,
    products_total,
    products_seen,
    products_created,
    products_updated,
    products_unchanged,
    products_deleted,
    failed_records,
    requests,
    retries,
    throttled_responses,
    is_filtered,
    error_messages,
    tap_version,
    case
        when duration_seconds > 0 then round((products_seen / duration_seconds)::numeric, 1)
    end as products_per_second
from sync_runs
