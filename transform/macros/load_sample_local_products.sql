{#-
    Demo and tests: copy the sample local edits (seed `sample_local_products`) into the local
    products table. Rows without an `updated_at` are stamped now (a fresh local edit).
    `dbt run-operation load_sample_local_products` after `dbt seed`.
-#}
{% macro load_sample_local_products() %}
    {%- set schema = var('emag_local_schema', 'local') -%}
    {% do create_local_tables() %}
    {% set insert %}
        delete from {{ schema }}.products
        where (account, coalesce(product_id, -1), coalesce(part_number, '')) in (
            select account, coalesce(product_id, -1), coalesce(part_number, '')
            from {{ ref('sample_local_products') }}
        );
        insert into {{ schema }}.products (
            account, product_id, part_number,
            {%- for field in contested_fields() %} {{ field.name }},{% endfor %}
            updated_at, conflict_strategy
        )
        select
            account, product_id, nullif(part_number, ''),
            {%- for field in contested_fields() %}
                {%- if field.kind == 'text' %} nullif({{ field.name }}, ''),
                {%- else %} {{ field.name }},{% endif %}
            {%- endfor %}
            coalesce(updated_at, now()), nullif(conflict_strategy, '')
        from {{ ref('sample_local_products') }};
    {% endset %}
    {% do run_query(insert) %}
    {{ log("Sample local products loaded into " ~ schema ~ ".products", info=True) }}
{% endmacro %}
