{#- True when the non-null values of the given columns are not all the same (never for one). -#}
{% macro differs(columns) -%}
    {%- if columns | length < 2 -%}
        false
    {%- else -%}
    (
        select count(distinct compared.value) > 1
        from unnest(array[
            {%- for column in columns %}{{ column }}::text{% if not loop.last %}, {% endif %}{% endfor -%}
        ]) as compared (value)
    )
    {%- endif -%}
{%- endmacro %}
