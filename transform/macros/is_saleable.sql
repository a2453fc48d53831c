{#- eMAG's own rule for an offer that is actually for sale (API documentation 4.4.9). -#}
{% macro is_saleable(relation='') %}
    {%- set p = relation ~ '.' if relation else '' -%}
    coalesce(
        {{ p }}general_stock > 0
        and {{ p }}offer_status = 1
        and {{ p }}offer_validation_status = 1
        and {{ p }}validation_status in (3, 9, 11, 12)
        and (
            not {{ p }}is_auto_translated
            or {{ p }}translation_validation_status in (3, 9, 11, 12)
        ),
        false
    )
{%- endmacro %}
