{#-
    The seller's own product data and manual conflict decisions live in tables the business
    owns (schema `local` by default). The step `dbt:create-local-tables` (a run-operation, part
    of `dbt:prepare-sources`, which `dbt:run` runs first) creates them empty when missing; dbt never
    changes or empties them. Until they exist, staging reads them as empty (source_or_empty).
-#}

{#- The local tables: each column's name, type and constraint, and the table's checks. -#}
{% macro local_tables() %}
    {%- set products = [
        {'name': 'account', 'type': 'text', 'constraint': 'not null'},
        {'name': 'product_id', 'type': 'bigint'},
        {'name': 'part_number', 'type': 'text'},
    ] -%}
    {%- for field in contested_fields() -%}
        {%- do products.append({'name': field.name, 'type': field.local_type}) -%}
    {%- endfor -%}
    {%- do products.extend([
        {'name': 'updated_at', 'type': 'timestamptz', 'constraint': 'not null default now()'},
        {'name': 'conflict_strategy', 'type': 'text',
         'constraint': 'check (conflict_strategy in ' ~ sql_list(conflict_strategies()) ~ ')'},
    ]) -%}
    {{ return({
        'products': {
            'columns': products,
            'checks': ['product_id is not null or part_number is not null'],
        },
        'product_conflict_resolutions': {
            'columns': [
                {'name': 'account', 'type': 'text', 'constraint': 'not null'},
                {'name': 'product_id', 'type': 'bigint', 'constraint': 'not null'},
                {'name': 'field', 'type': 'text',
                 'constraint': 'not null check (field in ' ~ sql_list(contested_field_names()) ~ ')'},
                {'name': 'winner', 'type': 'text',
                 'constraint': 'not null check (winner in ' ~ sql_list(conflict_sides()) ~ ')'},
                {'name': 'decided_at', 'type': 'timestamptz', 'constraint': 'not null default now()'},
                {'name': 'decided_by', 'type': 'text'},
            ],
            'checks': [],
        },
    }) }}
{% endmacro %}

{#- A local table's columns and types (staging's empty stand-in while it is missing). -#}
{% macro local_table_columns(table) %}
    {%- set columns = {} -%}
    {%- for column in local_tables()[table].columns -%}
        {%- do columns.update({column.name: column.type}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{#- `dbt run-operation create_local_tables`: the tables that are missing, empty. -#}
{% macro create_local_tables() %}
    {%- set schema = var('emag_local_schema', 'local') -%}
    {%- for name, table in local_tables().items() -%}
        {%- if adapter.get_relation(database=target.database, schema=schema, identifier=name) is none -%}
            {%- set ddl -%}
                create schema if not exists {{ schema }};
                create table if not exists {{ schema }}.{{ name }} (
                    {%- for column in table.columns %}
                    {{ column.name }} {{ column.type }} {{ column.get('constraint', '') }}
                    {%- if not loop.last or table.checks %},{% endif %}
                    {%- endfor %}
                    {%- for check in table.checks %}
                    check ({{ check }}){% if not loop.last %},{% endif %}
                    {%- endfor %}
                );
            {%- endset -%}
            {%- do run_query(ddl) -%}
            {{ log("Created the seller's table " ~ schema ~ "." ~ name ~ " (empty)", info=True) }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
