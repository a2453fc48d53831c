{#-
    The seller's own product data and manual conflict decisions live in tables the business
    owns (schema `local` by default). The step `dbt:create-local-tables` (a run-operation, part
    of the jobs' `dbt:prepare-sources`) creates them empty when they are missing; dbt never
    changes or empties them. Until they exist, staging reads them as empty (source_or_empty).
-#}

{#- Each local table's columns and types (the DDL below and staging's empty stand-in). -#}
{% macro local_table_columns(table) %}
    {%- set products = {'account': 'text', 'product_id': 'bigint', 'part_number': 'text'} -%}
    {%- for field in contested_fields() -%}
        {%- do products.update({field.name: field.local_type}) -%}
    {%- endfor -%}
    {%- do products.update({'updated_at': 'timestamptz', 'conflict_strategy': 'text'}) -%}
    {{ return({
        'products': products,
        'product_conflict_resolutions': {
            'account': 'text',
            'product_id': 'bigint',
            'field': 'text',
            'winner': 'text',
            'decided_at': 'timestamptz',
            'decided_by': 'text',
        },
    }[table]) }}
{% endmacro %}

{#- The DDL: each column with its type and constraints, the table's checks. -#}
{% macro local_tables_ddl() %}
    {%- set schema = var('emag_local_schema', 'local') -%}
    {%- set constraints = {
        'products': {
            'account': 'not null',
            'updated_at': 'not null default now()',
            'conflict_strategy': 'check (conflict_strategy in ' ~ sql_list(conflict_strategies()) ~ ')',
            '': 'check (product_id is not null or part_number is not null)',
        },
        'product_conflict_resolutions': {
            'account': 'not null',
            'product_id': 'not null',
            'field': 'not null check (field in ' ~ sql_list(contested_field_names()) ~ ')',
            'winner': 'not null check (winner in ' ~ sql_list(conflict_sides()) ~ ')',
            'decided_at': 'not null default now()',
        },
    } -%}
    create schema if not exists {{ schema }};
    {%- for table in ['products', 'product_conflict_resolutions'] %}

    create table if not exists {{ schema }}.{{ table }} (
        {%- for name, type in local_table_columns(table).items() %}
        {{ name }} {{ type }}{% if constraints[table].get(name) %} {{ constraints[table][name] }}{% endif %}{% if not loop.last or constraints[table].get('') %},{% endif %}
        {%- endfor %}
        {%- if constraints[table].get('') %}
        {{ constraints[table][''] }}
        {%- endif %}
    );
    {%- endfor %}
{% endmacro %}

{#- `dbt run-operation create_local_tables`: the tables, when missing. -#}
{% macro create_local_tables() %}
    {%- set schema = var('emag_local_schema', 'local') -%}
    {%- set missing = [] -%}
    {%- for table in ['products', 'product_conflict_resolutions'] -%}
        {%- if adapter.get_relation(database=target.database, schema=schema, identifier=table) is none -%}
            {%- do missing.append(schema ~ '.' ~ table) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {%- do run_query(local_tables_ddl()) -%}
        {{ log("Created the seller's tables " ~ missing | join(', ') ~ " (empty)", info=True) }}
    {%- endif -%}
{% endmacro %}
