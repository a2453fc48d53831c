-- One row per account per tap run. A view, so a run whose tap failed (and whose `dbt:run`
-- never ran) is in the log as soon as its raw sync_runs row is loaded.
--
-- A full sync (no bookmark: first run, --full-refresh, lost state) emits every product and
-- cannot tell new from changed from unchanged, nor can a quick run (no scan: the products
-- orders touched, re-read by id); the history can, once dbt has run after it: their created
-- and updated counts come from the versions that run recorded. Deletions count the tap's and
-- those dbt applied when this run confirmed products are no longer listed.
{%- set counted_from_history = ['full', 'quick'] %}
{{ config(materialized='view') }}

with

sync_runs as (

    select * from {{ ref('stg_emag__sync_runs') }}

),

versions_by_run as (

    select
        run_id,
        account,
        count(*) filter (
            where version_hash <> 'deleted' and coalesce(previous_version_hash, 'deleted') = 'deleted'
        ) as products_created,
        count(*) filter (
            where version_hash <> 'deleted' and previous_version_hash <> 'deleted'
        ) as products_updated,
        count(*) filter (where version_hash = 'deleted') as products_deleted
    from {{ ref('int_emag__product_versions') }}
    group by run_id, account

),

counted as (

    select
        sync_runs.*,
        versions_by_run.products_created as created_in_history,
        versions_by_run.products_updated as updated_in_history,
        coalesce(versions_by_run.products_deleted, 0) as deleted_in_history
    from sync_runs
    left join versions_by_run
        on
            sync_runs.run_id = versions_by_run.run_id
            and sync_runs.account = versions_by_run.account

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
    products_emitted,
    case
        when sync_mode in {{ sql_list(counted_from_history) }} and sync_status <> 'failed'
            then coalesce(created_in_history, 0)
        else products_created
    end as products_created,
    case
        when sync_mode in {{ sql_list(counted_from_history) }} and sync_status <> 'failed'
            then coalesce(updated_in_history, 0)
        else products_updated
    end as products_updated,
    case
        when sync_mode in {{ sql_list(counted_from_history) }} and sync_status <> 'failed'
            then
                products_seen - coalesce(created_in_history, 0) - coalesce(updated_in_history, 0)
        else products_unchanged
    end as products_unchanged,
    greatest(products_deleted, deleted_in_history) as products_deleted,
    products_suspected,
    failed_records,
    requests,
    retries,
    throttled_responses,
    orders_read,
    order_requests,
    products_touched,
    products_deferred,
    is_filtered,
    error_messages,
    tap_version,
    bookmark_origin_run_id,
    case
        when duration_seconds > 0 then round((products_seen / duration_seconds)::numeric, 1)
    end as products_per_second
from counted
