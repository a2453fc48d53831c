{#- eMAG's own rule for an offer that is actually for sale (API documentation 4.4.9). -#}
{% macro is_saleable(relation='') %}
    {%- set p = relation ~ '.' if relation else '' -%}
    coalesce(
        {{ p }}general_stock > 0
        and {{ emag_code_is('offer_status', 'active', p ~ 'offer_status') }}
        and {{ emag_code_is('offer_validation_status', 'saleable', p ~ 'offer_validation_status') }}
        and {{ emag_code_is('validation_status', 'approved', p ~ 'validation_status') }}
        and (
            not {{ p }}is_auto_translated
            or {{ emag_code_is('validation_status', 'approved', p ~ 'translation_validation_status') }}
        ),
        false
    )
{%- endmacro %}
