{#- The conflict strategies (README, "Your own product data and the conflict rules"). -#}
{% macro conflict_strategies() %}
    {{ return(['emag_priority', 'local_priority', 'newest_wins', 'manual']) }}
{% endmacro %}

{#- The sides a manual decision (local.product_conflict_resolutions.winner) can name. -#}
{% macro conflict_sides() %}
    {{ return(['emag', 'local']) }}
{% endmacro %}

{#-
    The default conflict strategy: the `conflict_strategy` var when given (dbt --vars, unit
    tests), else EMAG_CONFLICT_STRATEGY, else emag_priority.
-#}
{% macro conflict_strategy() %}
    {%- set strategy = var('conflict_strategy', none) or env_var('EMAG_CONFLICT_STRATEGY', '') or 'emag_priority' -%}
    {%- set allowed = conflict_strategies() -%}
    {%- if strategy not in allowed -%}
        {{ exceptions.raise_compiler_error(
            "EMAG_CONFLICT_STRATEGY / var conflict_strategy must be one of "
            ~ allowed | join(', ') ~ ", got '" ~ strategy ~ "'") }}
    {%- endif -%}
    '{{ strategy }}'
{%- endmacro %}
