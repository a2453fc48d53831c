{#-
    `dbt run-operation mark_unlisted_products_deleted` (part of the step
    `dbt:prepare-sources`, which `dbt:run` runs before the build): marks the products of
    int_emag__unlisted_products deleted in the raw products table, as the tap's own deletion
    records would: `_sdc_deleted_at` = the end of the scan that confirmed it, and
    `_sdc_batched_at` = now, as a load would. The next build reads these rows as new versions
    (they are written after its last read horizon, macro written_since_last_build).
    Idempotent. Reads the view as the last `dbt run` built it: before the first build (a fresh
    database) there is none and nothing to mark yet; the next scan's step marks what the first
    runs confirmed. Only a completed scan confirms a deletion, and every scan job runs this
    after its load: the quick sync's job does not need it. In seller mode (macro emag_sellers)
    each seller's raw products table is updated for its own accounts.
-#}
{% macro mark_unlisted_products_deleted() %}
    {%- set unlisted = load_relation(ref('int_emag__unlisted_products')) -%}
    {%- if unlisted is none -%}
        {{ log("No unlisted products to mark deleted yet: the models are not built", info=True) }}
        {{ return('') }}
    {%- endif -%}
    {#-
        Single-seller mode: the raw products table. Seller mode: each seller's own table that
        holds a product to mark (the view's accounts are qualified, <seller>/<account>).
    -#}
    {%- set targets = [] -%}
    {%- set tables = emag_seller_tables('products') -%}
    {%- if tables -%}
        {%- set named = run_query(
            "select distinct split_part(account, '/', 1) from " ~ unlisted).columns[0].values() -%}
        {%- for table in tables if table.seller in named -%}
            {%- do targets.append({'relation': table.relation, 'prefix': table.seller ~ '/'}) -%}
        {%- endfor -%}
    {%- else -%}
        {%- do targets.append({'relation': source('emag', 'products'), 'prefix': ''}) -%}
    {%- endif -%}
    {%- for target_table in targets -%}
        {%- set account = "'" ~ target_table.prefix ~ "' || products.account" if target_table.prefix else 'products.account' -%}
        {%- set marked -%}
            with marked as (
                update {{ target_table.relation }} as products
                set
                    _sdc_deleted_at = unlisted.deleted_at,
                    version_observed_at = unlisted.deleted_at,
                    run_id = unlisted.confirmed_by_run_id,
                    content_hash = null,
                    _sdc_batched_at = now() at time zone 'utc'
                from {{ unlisted }} as unlisted
                where
                    {{ account }} = unlisted.account
                    and products.id = unlisted.product_id
                    and products._sdc_deleted_at is null
                returning {{ account }} as account
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
    {%- endfor -%}
{% endmacro %}
