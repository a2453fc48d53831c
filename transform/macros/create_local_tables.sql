{#-
    The seller's own product data and manual conflict decisions live in tables the business
    owns (schema `local` by default). dbt creates them empty when they are missing, so a fresh
    project runs; it never changes or empties them.
-#}
{% macro create_local_tables() %}
    {%- set schema = var('emag_local_schema', 'local') -%}
    create schema if not exists {{ schema }};

    create table if not exists {{ schema }}.products (
        account text not null,
        product_id bigint,
        part_number text,
        {%- for field in contested_fields() %}
        {{ field.name }} {{ field.local_type }},
        {%- endfor %}
        updated_at timestamptz not null default now(),
        conflict_strategy text
            check (conflict_strategy in {{ sql_list(conflict_strategies()) }}),
        check (product_id is not null or part_number is not null)
    );

    create table if not exists {{ schema }}.product_conflict_resolutions (
        account text not null,
        product_id bigint not null,
        field text not null
            check (field in {{ sql_list(contested_field_names()) }}),
        winner text not null check (winner in {{ sql_list(conflict_sides()) }}),
        decided_at timestamptz not null default now(),
        decided_by text
    );
{% endmacro %}
