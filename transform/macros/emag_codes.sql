{#-
    eMAG's status codes as product_offer/read returns them, grouped by what they mean: the one
    place models, macros and tests read them from.

      offer_status             the offer's status (status): 0 inactive, 1 active, 2 end of life;
      validation_status        the documentation's validation (validation_status, and
                               translation_validation_status for auto-translated products);
      offer_validation_status  the offer's validation: 1 saleable, 2 invalid price;
      image_display_type       an image's role: 1 the main image.
-#}
{% macro emag_codes() %}
    {{ return({
        'offer_status': {'inactive': [0], 'active': [1], 'end_of_life': [2]},
        'validation_status': {
            'approved': [3, 9, 11, 12],
            'pending': [0, 1, 2, 4],
            'rejected': [5, 6, 8, 10],
        },
        'offer_validation_status': {'saleable': [1], 'invalid_price': [2]},
        'image_display_type': {'main': [1]},
    }) }}
{% endmacro %}

{#-
    A condition that `column` holds one of the codes of `meaning` in `kind`, e.g.
    emag_code_is('validation_status', 'approved') -> validation_status in (3, 9, 11, 12).
    `column` defaults to the kind's name.
-#}
{% macro emag_code_is(kind, meaning, column=none) -%}
    {%- set codes = emag_codes()[kind][meaning] -%}
    {%- if codes | length == 1 -%}
        {{ column or kind }} = {{ codes[0] }}
    {%- else -%}
        {{ column or kind }} in {{ sql_list(codes) }}
    {%- endif -%}
{%- endmacro %}

{#- Every code of a kind, in order (accepted_values tests). -#}
{% macro emag_code_values(kind) %}
    {%- set values = [] -%}
    {%- for codes in emag_codes()[kind].values() -%}
        {%- do values.extend(codes) -%}
    {%- endfor -%}
    {{ return(values | sort) }}
{% endmacro %}
