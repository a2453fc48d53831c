{#-
    Marks the products of int_emag__unlisted_products deleted in the raw products table, as
    the tap's own deletion records would: `_sdc_deleted_at` = the end of the scan that
    confirmed it, and `_sdc_batched_at` = now, as a load would. The pre-hook of
    int_emag__product_versions (after its build lock): the rows are written by the build's own
    transaction, so the build reads the deletions as new versions. The only write dbt makes
    outside its own schemas. Idempotent.
-#}
{% macro mark_unlisted_products_deleted() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set marked -%}
        with marked as (
            update {{ source('emag', 'products') }} as products
            set
                _sdc_deleted_at = unlisted.deleted_at,
                version_observed_at = unlisted.deleted_at,
                run_id = unlisted.confirmed_by_run_id,
                content_hash = null,
                _sdc_batched_at = now() at time zone 'utc'
            from {{ ref('int_emag__unlisted_products') }} as unlisted
            where
                products.account = unlisted.account
                and products.id = unlisted.product_id
                and products._sdc_deleted_at is null
            returning products.account
        )

        select
            account,
            count(*) as products
        from marked
        group by account
    {%- endset -%}
    {%- for account, count in run_query(marked).rows -%}
        {{ log("Deleted " ~ count ~ " products of account " ~ account ~ " that eMAG no longer lists (missed by two completed scans since a run without state)", info=True) }}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
