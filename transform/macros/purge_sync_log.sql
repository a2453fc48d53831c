{#-
    Retention: delete sync-log rows older than EMAG_LOG_RETENTION_DAYS (default 30) from the
    raw table (the emag_sync_log view reads it). Run by the Meltano job `emag-log-cleanup`
    (`dbt run-operation purge_sync_log`). In seller mode, from each seller's raw table.
-#}
{% macro purge_sync_log(retention_days=none) %}
    {%- set days = retention_days or env_var('EMAG_LOG_RETENTION_DAYS', '30') -%}
    {%- if not (days | string).isdigit() -%}
        {{ exceptions.raise_compiler_error("EMAG_LOG_RETENTION_DAYS must be a whole number of days, got '" ~ days ~ "'") }}
    {%- endif -%}
    {#- seller mode: every seller's sync log (macro emag_sellers); else the raw table -#}
    {%- set relations = emag_seller_tables('sync_runs') | map(attribute='relation') | list
        or [source('emag', 'sync_runs')] -%}
    {%- for relation in relations -%}
        {%- set result = run_query(
            "delete from " ~ relation ~ " where started_at < (now() at time zone 'utc') - interval '" ~ days ~ " days' returning 1"
        ) -%}
        {{ log("Purged " ~ (result.rows | length) ~ " sync-log rows older than " ~ days ~ " days from " ~ relation, info=True) }}
    {%- endfor -%}
{% endmacro %}
