{#-
    Deletes, in the raw products table, products eMAG no longer lists that the tap cannot
    name: those that predate a run without state (a first run, `--full-refresh`, a lost
    Meltano state). Such a run starts a new chain of bookmarks (`bookmark_origin_run_id`),
    so the tap never compares with them again.

    Every run of a chain emits each product its bookmark does not hold, and a run without
    state emits every product it sees. So a product that no run has emitted since a
    completed stateless scan S started was missed by S and by every later scan; once a later
    completed scan of the same chain (or a later completed stateless scan) has read the
    whole catalogue, it was missed twice, the tap's own rule for a deletion (one miss can be
    a page shift). Such rows get `_sdc_deleted_at` = the end of the confirming scan, as the
    tap's own deletion records would, and `_sdc_batched_at` = now, so the history sees a new
    version. Per account: one account's runs never touch another's rows.

    Runs at the start of `dbt run` and `dbt build` (on-run-start); idempotent.
-#}
{% macro mark_unlisted_products_deleted() %}
    {%- if not execute or flags.WHICH not in ('run', 'build') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set products = source('emag', 'products') -%}
    {%- set sync_runs = source('emag', 'sync_runs') -%}
    {%- for relation in [products, sync_runs] -%}
        {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
            {{ return('') }}  {#- nothing loaded yet -#}
        {%- endif -%}
    {%- endfor -%}
    {%- set run_columns = adapter.get_columns_in_relation(sync_runs) | map(attribute='name') | list -%}
    {%- if 'bookmark_origin_run_id' not in run_columns -%}
        {{ return('') }}  {#- runs of a tap version without bookmark chains -#}
    {%- endif -%}
    {%- set marked = run_query(mark_unlisted_products_deleted_sql(products, sync_runs)) -%}
    {%- for account, count in marked.rows -%}
        {{ log("Deleted " ~ count ~ " products of account " ~ account ~ " that eMAG no longer lists (missed by two completed scans after a run without state)", info=True) }}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{% macro mark_unlisted_products_deleted_sql(products, sync_runs) %}
    with

    runs as (

        select
            run_id,
            account,
            mode,
            status,
            started_at,
            finished_at,
            bookmark_origin_run_id
        from {{ sync_runs }}

    ),

    -- whole catalogue read: unfiltered, every record readable
    completed as (

        select * from runs
        where status = 'completed'

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
            origin.mode = 'full'
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
                and earlier.mode = 'full'
                and earlier.started_at < completed.started_at
        where completed.mode = 'full'
        group by completed.account, completed.run_id, completed.finished_at

    ),

    latest as (

        select distinct on (account)
            account,
            unlisted_before,
            run_id,
            finished_at
        from confirmations
        order by account asc, unlisted_before desc, finished_at asc

    ),

    marked as (

        update {{ products }} as products
        set
            _sdc_deleted_at = latest.finished_at,
            version_observed_at = latest.finished_at,
            run_id = latest.run_id,
            content_hash = null,
            _sdc_batched_at = now() at time zone 'utc'
        from latest
        where
            products.account = latest.account
            and products._sdc_deleted_at is null
            and products._sdc_extracted_at < latest.unlisted_before
        returning products.account

    )

    select
        account,
        count(*) as products
    from marked
    group by account
{% endmacro %}
