-- Every version of every product, appended as loads bring them: the raw table only holds the
-- latest version (and a deleted product only its key), so history is kept here. A version is
-- new when its content hash differs from the product's latest recorded version; a deletion is
-- a version of its own. Incremental twice over: only rows loaded since the last run are read.
--
-- It cannot be rebuilt from raw (raw has lost every earlier version), so `--full-refresh`
-- never rebuilds it (full_refresh=false): drop the table by hand to start history anew.
-- Before reading, it marks the unlisted products deleted in raw (pre-hook).
-- depends_on: {{ ref('int_emag__unlisted_products') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        full_refresh=false,
        pre_hook="{{ mark_unlisted_products_deleted() }}",
    )
}}

with

products as (

    select * from {{ ref('stg_emag__products') }}

),

versions as (

    select
        *,
        case when is_deleted then 'deleted' else content_hash end as version_hash,
        coalesce(deleted_at, version_observed_at, loaded_at) as valid_from
    from products
    {% if is_incremental() %}
        -- only rows the loader wrote since the last run can hold a new version
        where loaded_at > (select max(previous.loaded_at) from {{ this }} as previous)
    {% endif %}

),

latest_recorded as (

    {% if is_incremental() %}
        select distinct on (account, product_id)
            account,
            product_id,
            version_hash
        from {{ this }}
        order by account asc, product_id asc, valid_from desc
    {% else %}
        select
            null::text as account,
            null::bigint as product_id,
            null::text as version_hash
        where false
    {% endif %}

)

select
    versions.*,
    -- what the product was before this version (null: first seen), for the sync log
    latest_recorded.version_hash as previous_version_hash
from versions
left join latest_recorded
    on
        versions.account = latest_recorded.account
        and versions.product_id = latest_recorded.product_id
where versions.version_hash is distinct from latest_recorded.version_hash
