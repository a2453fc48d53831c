{#-
    Post-hook of int_emag__product_versions, in its transaction: a version recorded out of
    order can equal the version that follows it. A scan stamps what it reads with its start
    time; when an order changes a product during the scan, the scan and a later quick run both
    read the new content, and the quick run's load may come first: the scan's row lands
    earlier in the history than the quick run's, with the same content. The later of two equal
    neighbours says nothing new; it is deleted, so the version starts at its first
    observation. Only the products this build appended to are looked at.
-#}
{% macro drop_repeated_versions() -%}
    with

    appended as (

        select distinct
            account,
            product_id
        from {{ this }}
        where xmin = pg_current_xact_id()::xid

    ),

    neighbours as (

        select
            versions.ctid as row_id,
            versions.version_hash,
            lag(versions.version_hash) over (
                partition by versions.account, versions.product_id order by versions.valid_from
            ) as previous_hash
        from {{ this }} as versions
        inner join appended
            on
                versions.account = appended.account
                and versions.product_id = appended.product_id

    )

    delete from {{ this }} as versions
    using neighbours
    where
        versions.ctid = neighbours.row_id
        and neighbours.version_hash = neighbours.previous_hash
{%- endmacro %}
