-- Every version of every product, appended as loads bring them: the raw table only holds the
-- latest version (and a deleted product only its key), so history is kept here. A deletion is
-- a version of its own.
--
-- A raw row is a new version when it differs from the version in effect at its own valid_from
-- (the latest recorded version that began at or before it), not from the latest one. Runs
-- overlap (the quick sync every 10 minutes beside the hourly scan), so their loads can land
-- out of order: a scan that read a product before a quick run re-read it may load after it.
-- Its older reading then takes its place in the history when it differed from what was in
-- effect then, and is dropped when it is that same version (a re-emit of unchanged content).
-- The same comparison makes reading a raw row twice harmless. When the older reading equals
-- the version recorded after it (an order changed the product during the scan, and both
-- runs read the new content), that later copy is deleted (post-hook drop_repeated_versions):
-- the version begins at its first observation.
--
-- Incremental twice over: only raw rows written since the last build are read, by the
-- loader's transaction rather than its batch time (macro written_since_last_build).
--
-- It cannot be rebuilt from raw (raw has lost every earlier version): part of the system of
-- record (folder config: never rebuilt, not even by --full-refresh); drop the table by hand to
-- start history anew. The products eMAG no longer lists are marked deleted in raw before the
-- build, by dbt:run's first step, `dbt:prepare-sources` (macro mark_unlisted_products_deleted).
{{
    config(
        incremental_strategy='append',
        post_hook="{{ drop_repeated_versions() }}",
    )
}}

with

products as (

    select * from {{ ref('stg_emag__products') }}

),

incoming as (

    select
        *,
        case when is_deleted then 'deleted' else content_hash end as version_hash,
        coalesce(deleted_at, version_observed_at, loaded_at) as valid_from
    from products
    -- only rows the loader wrote since the last build can hold a new version
    where {{ written_since_last_build('age(load_xid::text::xid)') }}

),

recorded as (

    {% if is_incremental() %}
        select
            previous.account,
            previous.product_id,
            previous.version_hash,
            previous.valid_from
        from {{ this }} as previous
        -- only the products read (one raw row each)
        inner join incoming
            on
                previous.account = incoming.account
                and previous.product_id = incoming.product_id
    {% else %}
        select
            null::text as account,
            null::bigint as product_id,
            null::text as version_hash,
            null::timestamp as valid_from
        where false
    {% endif %}

),

-- the version in effect at each incoming row's valid_from (none: first seen, or earlier than
-- every recorded version)
in_effect as (

    select distinct on (incoming.account, incoming.product_id)
        incoming.account,
        incoming.product_id,
        recorded.version_hash
    from incoming
    left join recorded
        on
            incoming.account = recorded.account
            and incoming.product_id = recorded.product_id
            and incoming.valid_from >= recorded.valid_from
    order by incoming.account asc, incoming.product_id asc, recorded.valid_from desc nulls last

)

select
    incoming.*,
    -- what the product was when this version began (null: first seen), as recorded when it was
    -- appended; the sync log counts creations and updates by it
    in_effect.version_hash as previous_version_hash,
    -- the oldest transaction still running when this build read raw
    {{ read_horizon_xid() }} as read_horizon_xid
from incoming
inner join in_effect
    on
        incoming.account = in_effect.account
        and incoming.product_id = in_effect.product_id
where incoming.version_hash is distinct from in_effect.version_hash
