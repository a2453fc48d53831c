-- Per account and day: the scans' record over the 7 and 30 days up to that day (runs, share
-- completed, mean duration, throughput). One row per day, with or without runs. Quick runs
-- (every 10 minutes, a few products each) are left out: they would drown the scans' figures.
-- Incremental: past days are kept (the sync log is purged after EMAG_LOG_RETENTION_DAYS),
-- the last stored day and today are recomputed.
{{
    config(
        materialized='incremental',
        unique_key=['account', 'stat_date'],
        incremental_strategy='delete+insert',
    )
}}

with

versions as (

    select * from {{ ref('int_emag__product_versions') }}

),

sync_runs as (

    select * from {{ ref('stg_emag__sync_runs') }}
    where sync_mode in {{ sql_list(scan_modes()) }}

),

days as (

    {{ statistics_days('versions') }}

),

{%- set windows = [7, 30] %}

sync_windows as (

    select
        days.account,
        days.stat_date,
        {% for window in windows %}
            count(sync_runs.run_id) filter (
                where sync_runs.started_at >= days.stat_date - {{ window - 1 }}
            ) as sync_runs_{{ window }}d,
            round(
                avg((sync_runs.sync_status = 'completed')::int) filter (
                    where sync_runs.started_at >= days.stat_date - {{ window - 1 }}
                ),
                4
            ) as sync_success_rate_{{ window }}d,
            round(
                avg(sync_runs.duration_seconds) filter (
                    where sync_runs.started_at >= days.stat_date - {{ window - 1 }}
                )::numeric,
                1
            ) as sync_mean_duration_seconds_{{ window }}d,
            round(
                (
                    sum(sync_runs.products_seen) filter (
                        where sync_runs.started_at >= days.stat_date - {{ window - 1 }}
                    )
                    / nullif(sum(sync_runs.duration_seconds) filter (
                        where sync_runs.started_at >= days.stat_date - {{ window - 1 }}
                    ), 0)
                )::numeric,
                1
            ) as sync_products_per_second_{{ window }}d{% if not loop.last %},{% endif %}
        {% endfor %}
    from days
    left join sync_runs
        on
            days.account = sync_runs.account
            and sync_runs.started_at >= days.stat_date - {{ (windows | max) - 1 }}
            and sync_runs.started_at < days.stat_date + 1
    group by days.account, days.stat_date

)

select * from sync_windows
