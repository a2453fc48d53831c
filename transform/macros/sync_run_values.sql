{#- The tap's sync-log vocabulary (the sync_runs stream, README "The tables"). -#}
{% macro sync_statuses() %}
    {{ return(['completed', 'partial', 'failed']) }}
{% endmacro %}

{% macro sync_modes() %}
    {{ return(['full', 'incremental', 'full_reemit']) }}
{% endmacro %}
