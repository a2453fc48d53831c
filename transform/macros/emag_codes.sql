{#-
    eMAG's status codes as product_offer/read and order/read return them, grouped by what they
    mean: the one place models, macros and tests read them from.

      offer_status             the offer's status (status): 0 inactive, 1 active, 2 end of life;
      validation_status        the documentation's validation (validation_status, and
                               translation_validation_status for auto-translated products);
      offer_validation_status  the offer's validation: 1 saleable, 2 invalid price;
      image_display_type       an image's role: 1 the main image;
      order_status             an order's status: 0 canceled, 1 new, 2 in progress, 3 prepared,
                               4 finalized, 5 returned;
      order_type               who fulfils an order (type): 2 eMAG (FBE), 3 the seller;
      order_line_status        an order line's status: 1 active, 0 removed from the order.
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
        'order_status': {
            'canceled': [0],
            'new': [1],
            'in_progress': [2],
            'prepared': [3],
            'finalized': [4],
            'returned': [5],
        },
        'order_type': {'fbe': [2], 'seller': [3]},
        'order_line_status': {'removed': [0], 'active': [1]},
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

{#-
    The meaning of the code in `column` as text (null for a code not listed), e.g.
    emag_code_meaning('order_type', 'type') -> case when type = 2 then 'fbe' when type = 3 then
    'seller' end.
-#}
{% macro emag_code_meaning(kind, column) -%}
    case
        {%- for meaning in emag_codes()[kind] %}
        when {{ emag_code_is(kind, meaning, column) }} then '{{ meaning }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- Every meaning of a kind, in the order listed (accepted_values tests). -#}
{% macro emag_code_meanings(kind) %}
    {{ return(emag_codes()[kind].keys() | list) }}
{% endmacro %}
