-- Products eMAG no longer lists that the tap cannot name: live rows older than a run without
-- state (a first run, --full-refresh, a lost Meltano state). Such a run starts a new chain of
-- bookmarks (bookmark_origin_run_id), so the tap never compares with them again.
--
-- Every run of a chain emits each product its bookmark does not hold, and a run without
-- state emits every product it sees. So a product that no run has emitted since a completed
-- stateless scan started was missed by that scan and by every later one. Once a later
-- completed scan of the same chain (or a later completed stateless scan) has read the whole
-- catalogue, it was missed twice: the tap's own rule for a deletion, since one miss can be a
-- page shift. The step `dbt:prepare-sources` (dbt:run's first) marks these rows deleted in the raw table
-- before the build reads it (macro mark_unlisted_products_deleted). Per account: one
-- account's runs never touch another's rows.
with

runs as (

    select * from {{ ref('stg_emag__sync_runs') }}

),

products as (

    select * from {{ ref('int_emag__product_last_emitted') }}

),

-- the whole catalogue read: unfiltered, every record readable. Quick runs read only the
-- products orders touched: they confirm nothing, whatever their status
completed as (

    select * from runs
    where
        sync_status = 'completed'
        and sync_mode in {{ sql_list(scan_modes()) }}

),

confirmations as (

    -- a completed scan whose bookmark descends from a completed stateless scan
    select
        completed.account,
        origin.started_at as unlisted_before,
        completed.run_id,
        completed.finished_at
    from completed
    inner join completed as origin
        on
            completed.account = origin.account
            and completed.bookmark_origin_run_id = origin.run_id
    where
        origin.sync_mode = 'full'
        and completed.run_id <> origin.run_id

    union all

    -- a completed stateless scan after an earlier one
    select
        completed.account,
        max(earlier.started_at) as unlisted_before,
        completed.run_id,
        completed.finished_at
    from completed
    inner join completed as earlier
        on
            completed.account = earlier.account
            and completed.started_at > earlier.started_at
    where
        completed.sync_mode = 'full'
        and earlier.sync_mode = 'full'
    group by completed.account, completed.run_id, completed.finished_at

),

-- the latest confirmed scan per account covers every earlier one
latest_confirmation as (

    select distinct on (account)
        account,
        unlisted_before,
        run_id,
        finished_at
    from confirmations
    order by account asc, unlisted_before desc, finished_at asc

)

select
    products.account,
    products.product_id,
    latest_confirmation.finished_at as deleted_at,
    latest_confirmation.run_id as confirmed_by_run_id
from products
inner join latest_confirmation
    on products.account = latest_confirmation.account
where
    not products.is_deleted
    and products.extracted_at < latest_confirmation.unlisted_before
