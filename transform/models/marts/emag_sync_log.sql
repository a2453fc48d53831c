-- One row per account per tap run. A view, so a run whose tap failed (and whose `dbt:run`
-- never ran) is in the log as soon as its raw sync_runs row is loaded.
--
-- Created, updated, unchanged and deleted are changes in eMAG's content since the warehouse
-- last knew it, in every mode: they come from the versions the run recorded in the history.
-- The tap's own counts compare a scan with its bookmark, which does not know what quick runs
-- loaded since (a scan re-sends those offers, and the history drops them as unchanged), and a
-- full sync or a quick run has no bookmark to compare with. Deletions include those dbt
-- applied when this run confirmed products are no longer listed. Until a dbt build has read
-- the run's rows (its raw row was written after the history's last read horizon), the four
-- counts are null. The horizon is taken right after the history is built: a run loaded in
-- those seconds shows the counts the history holds so far, and the rest after the next build.
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

-- the oldest transaction still running when the history last read raw: rows written by an
-- older one were read
history_horizon as (

    select max(read_horizon_xid) as read_horizon_xid
    from {{ ref('int_emag__history_read_horizon') }}

),

counted as (

    select
        sync_runs.*,
        coalesce(versions_by_run.products_created, 0) as created_in_history,
        coalesce(versions_by_run.products_updated, 0) as updated_in_history,
        coalesce(versions_by_run.products_deleted, 0) as deleted_in_history,
        -- the raw row's transaction precedes the horizon: compared as Postgres compares xmin,
        -- in 32 bits and modulo 2^32, with no reference to this session's transaction
        coalesce(
            (history_horizon.read_horizon_xid % 4294967296 - sync_runs.load_xid + 4294967296)
            % 4294967296 between 1 and 2147483647,
            false
        ) as is_counted,
        -- the API floor: the least time the run's reads take at its request budget; the
        -- reads are a scan's pages, a quick run's reads by id (its requests less the orders',
        -- which have a budget of their own)
        (case
            when sync_runs.sync_mode = 'quick'
                then sync_runs.requests - sync_runs.order_requests
            else sync_runs.pages_fetched
        end)::numeric / sync_runs.requests_per_second::numeric as api_floor
    from sync_runs
    cross join history_horizon
    left join versions_by_run
        on
            sync_runs.run_id = versions_by_run.run_id
            and sync_runs.account = versions_by_run.account

)

select
    run_id,
    {{ emag_seller_of('account') }} as seller,
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
    case when is_counted then created_in_history end as products_created,
    case when is_counted then updated_in_history end as products_updated,
    case
        when is_counted then products_seen - created_in_history - updated_in_history
    end as products_unchanged,
    case when is_counted then deleted_in_history end as products_deleted,
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
    is_counted as is_counted_in_history,
    case
        when is_counted then created_in_history + updated_in_history + deleted_in_history
    end as products_changed,
    case when sync_mode in {{ sql_list(scan_modes()) }} then 'scan' else sync_mode end as run_kind,
    requests_per_second,
    round(api_floor, 1) as api_floor_seconds,
    round((duration_seconds / nullif(api_floor, 0))::numeric, 2) as api_floor_ratio,
    case
        when duration_seconds > 0 then round((products_seen / duration_seconds)::numeric, 1)
    end as products_per_second
from counted
