{#-
    Write-back to eMAG (target-emag): which fields may be written, the target's write log, and
    what its outcomes mean. The plan (emag_offer_updates) and the write log for people
    (emag_offer_writes) read them from here.
-#}

{#- The fields eMAG's light offer API lets target-emag write (offer/save, offer_stock). -#}
{% macro emag_writable_fields() %}
    {{ return(['sale_price', 'stock', 'status']) }}
{% endmacro %}

{#-
    Which fields may be pushed to eMAG, per account: the var `emag_write_fields`, e.g.
    {"main": ["sale_price", "stock"], "fbe": ["sale_price"]} (a mapping, or its JSON text), else
    the environment variable EMAG_WRITE_FIELDS (JSON), else {}: nothing is ever planned. A field
    that cannot be written stops the compilation with its name.
-#}
{% macro emag_write_fields() %}
    {%- set given = var('emag_write_fields', none) -%}
    {%- if given is none -%}
        {%- set given = env_var('EMAG_WRITE_FIELDS', '') or '{}' -%}
    {%- endif -%}
    {%- set setting = fromjson(given) if given is string else given -%}
    {%- if setting is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "var emag_write_fields / EMAG_WRITE_FIELDS must map each account to a list of"
            ~ ' fields, e.g. {"main": ["sale_price", "stock"]}; got ' ~ given) }}
    {%- endif -%}
    {%- set writable = emag_writable_fields() -%}
    {%- for account, fields in setting.items() -%}
        {%- if fields is string or fields is not iterable or fields is mapping -%}
            {{ exceptions.raise_compiler_error(
                "var emag_write_fields: account '" ~ account ~ "' needs a list of fields, got "
                ~ fields) }}
        {%- endif -%}
        {%- for field in fields -%}
            {%- if field not in writable -%}
                {{ exceptions.raise_compiler_error(
                    "var emag_write_fields: account '" ~ account ~ "' names '" ~ field
                    ~ "', which target-emag cannot write; the writable fields are "
                    ~ writable | join(', ')) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(setting) }}
{% endmacro %}

{#- The allowed (account, field) pairs as rows; none while the var is {}. -#}
{% macro emag_write_fields_rows() -%}
    {%- for account, fields in emag_write_fields().items() %}
        {%- for field in fields %}
            select
                '{{ account | replace("'", "''") }}'::text as account,
                '{{ field }}'::text as field
            union all
        {%- endfor %}
    {%- endfor %}
    select
        null::text as account,
        null::text as field
    where false
{%- endmacro %}

{#-
    The outcomes target-emag records per offer and field: dry_run (planned, nothing sent),
    confirmed (sent, read back equal), refused (eMAG refused it, message is eMAG's), mismatched
    (sent and accepted, read back differs), stale (eMAG's value changed since the plan: not
    sent), guarded (a guard stopped it), failed (its batch failed after the retries).
-#}
{% macro offer_write_outcomes() %}
    {{ return(['dry_run', 'confirmed', 'refused', 'mismatched', 'stale', 'guarded', 'failed']) }}
{% endmacro %}

{#- The outcomes of a value sent to eMAG; the others sent nothing, so say nothing of eMAG. -#}
{% macro offer_write_sent_outcomes() %}
    {{ return(['confirmed', 'refused', 'mismatched', 'failed']) }}
{% endmacro %}

{#- The write log as target-emag creates it (staging's empty stand-in while it is missing). -#}
{% macro offer_writes_columns() %}
    {{ return({
        'run_id': 'text',
        'account': 'text',
        'product_id': 'bigint',
        'field': 'text',
        'emag_value': 'text',
        'planned_value': 'text',
        'planned_emag_read_at': 'timestamp',
        'sent_value': 'text',
        'outcome': 'text',
        'message': 'text',
        'read_back_value': 'text',
        'dry_run': 'boolean',
        'batch_number': 'integer',
        'recorded_at': 'timestamp',
    }) }}
{% endmacro %}

{#-
    `dbt run-operation create_write_log` (part of prepare_sources): target-emag's write log,
    empty, when missing, so that the plan and emag_offer_writes, views, read the table itself
    from their first build on (source_or_empty would compile them as empty stand-ins until the
    next build after target-emag's first run). target-emag creates the same table when it runs
    first (target/target_emag/write_log.py; tests/unit/test_write_log_columns.py keeps the two
    lists equal).
-#}
{% macro create_write_log() %}
    {%- set schema = var('emag_writes_schema', 'emag_writes') -%}
    {%- if adapter.get_relation(database=target.database, schema=schema, identifier='offer_writes') is none -%}
        {%- set ddl -%}
            create schema if not exists {{ schema }};
            create table if not exists {{ schema }}.offer_writes (
                {%- for name, type in offer_writes_columns().items() %}
                {{ name }} {{ type }}{% if not loop.last %},{% endif %}
                {%- endfor %}
            );
        {%- endset -%}
        {%- do run_query(ddl) -%}
        {{ log("Created target-emag's write log " ~ schema ~ ".offer_writes (empty)", info=True) }}
    {%- endif -%}
{% endmacro %}
