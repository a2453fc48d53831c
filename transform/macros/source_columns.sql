{#-
    Tables a build may find missing: the raw orders table, while no tap run with the orders
    stream selected has loaded (a seller who deselects it, and reads products only), and the
    seller's local tables, until the step `dbt:create-local-tables` has run. Staging reads them
    through these macros so the models exist, empty of that data, all the same. Read when the
    model compiles (a view is recreated by every `dbt run`, so the first run after the table
    appears picks it up).
-#}

{#- The raw table's relation, or none while it does not exist (always the table at parse time). -#}
{% macro existing_source(source_name, table_name) %}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return(load_relation(relation)) }}
{% endmacro %}

{#-
    `select * from` the raw table (a raw eMAG table through emag_source: in seller mode the
    sellers' union), or, while it does not exist, no rows with the `columns` the model reads
    (a mapping of name to type, as target-postgres creates them).
-#}
{% macro source_or_empty(source_name, table_name, columns) -%}
    {#- a raw table in seller mode: the sellers' union when a seller's schema holds it -#}
    {%- set relation = emag_source(table_name) if source_name == 'emag' else source(source_name, table_name) -%}
    {%- if relation is string or existing_source(source_name, table_name) is not none -%}
        select * from {{ relation }}
    {%- else -%}
        select
            {%- for name, type in columns.items() %}
            null::{{ type }} as {{ name }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        where false
    {%- endif -%}
{%- endmacro %}

{#-
    The raw orders table as target-postgres creates it from the tap's ORDERS schema (integers
    bigint, prices numeric, date-times timestamp in UTC, objects jsonb, arrays of objects
    jsonb[]), without the personal data columns (customer, details, extra), which no model reads.
-#}
{% macro raw_orders_columns() %}
    {{ return({
        'account': 'text',
        'id': 'bigint',
        'modified': 'timestamp',
        'date': 'timestamp',
        'status': 'bigint',
        'type': 'bigint',
        'payment_mode_id': 'bigint',
        'payment_mode': 'text',
        'payment_status': 'bigint',
        'is_complete': 'bigint',
        'cashed_co': 'numeric',
        'cashed_cod': 'numeric',
        'shipping_tax': 'numeric',
        'refunded_amount': 'numeric',
        'currency': 'text',
        'delivery_mode': 'text',
        'lines': 'jsonb[]',
        'vouchers': 'jsonb[]',
        '_sdc_extracted_at': 'timestamp',
        '_sdc_batched_at': 'timestamp',
        '_sdc_deleted_at': 'timestamp',
    }) }}
{% endmacro %}
