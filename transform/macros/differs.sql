{#- True when the non-null values of the given columns are not all the same. -#}
{% macro differs(columns) -%}
    (
        select count(distinct compared.value) > 1
        from unnest(array[
            {%- for column in columns %}{{ column }}::text{% if not loop.last %}, {% endif %}{% endfor -%}
        ]) as compared (value)
    )
{%- endmacro %}
