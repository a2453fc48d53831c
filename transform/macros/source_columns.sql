{#-
    Raw tables and columns that a newer tap adds (the orders stream; the sync log's order
    counters) are missing from a database until that tap's first load, and from the loads of
    an older tap. Staging reads them through these macros so dbt runs before and after. Read
    when the model compiles (a view is recreated by every `dbt run`, so the first run after
    the load picks the new table or column up).
-#}

{#- The raw table's relation, or none while it does not exist (always the table at parse time). -#}
{% macro existing_source(source_name, table_name) %}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return(load_relation(relation)) }}
{% endmacro %}

{#- The raw table's column names (lower case); empty while the table does not exist. -#}
{% macro source_column_names(source_name, table_name) %}
    {%- set relation = existing_source(source_name, table_name) -%}
    {%- if relation is none or not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) }}
{% endmacro %}

{#- `column` when the raw table has it, else a null of `type`. -#}
{% macro column_or_null(columns, column, type) -%}
    {%- if column in columns or not execute -%}
        {{ column }}
    {%- else -%}
        null::{{ type }}
    {%- endif -%}
{%- endmacro %}

{#-
    `select * from` the raw table, or, while it does not exist, no rows with the `columns` the
    model reads (a mapping of name to type, as target-postgres creates them).
-#}
{% macro source_or_empty(source_name, table_name, columns) -%}
    {%- if existing_source(source_name, table_name) is not none -%}
        select * from {{ source(source_name, table_name) }}
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
