{#- A list of values as a SQL list: ('a', 'b') or (3, 9, 11, 12). -#}
{% macro sql_list(values) -%}
    ({% for value in values %}{% if value is string %}'{{ value }}'{% else %}{{ value }}{% endif %}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
