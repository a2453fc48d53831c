{#-
    Which orders count as sales (int_emag__product_sales_by_day, emag_orders.is_counted_as_sale):
    every order eMAG has not canceled or taken back, new ones included, since eMAG reserves
    the stock of an order as soon as it is placed: new, in progress, prepared, finalized. A
    canceled (0) or returned (5) order sold nothing. Only its active lines count (a removed
    line was taken out of the order).
-#}
{% macro sold_order_statuses() %}
    {{ return(['new', 'in_progress', 'prepared', 'finalized']) }}
{% endmacro %}

{#- A condition that the order status code in `column` counts as a sale. -#}
{% macro order_counts_as_sale(column) -%}
    {%- set codes = [] -%}
    {%- for meaning in sold_order_statuses() -%}
        {%- do codes.extend(emag_codes()['order_status'][meaning]) -%}
    {%- endfor -%}
    coalesce({{ column }} in {{ sql_list(codes | sort) }}, false)
{%- endmacro %}
