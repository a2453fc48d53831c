-- One row: the oldest transaction still running when the last dbt run built the history. Raw
-- rows written by an older transaction were read by that build (macro
-- written_since_last_build), so emag_sync_log knows which runs the history has counted. A
-- table rebuilt on every run, after the history: the history itself records a horizon only
-- with the versions it appends, and a build that appends none read its raw rows all the same.
-- depends_on: {{ ref('int_emag__product_versions') }}
{{ config(materialized='table') }}

select {{ read_horizon_xid() }} as read_horizon_xid
