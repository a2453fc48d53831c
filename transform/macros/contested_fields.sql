{#-
    The contested fields: the product fields the seller's own data (local.products) can hold
    and the conflict rules resolve against eMAG. The one list every model, macro and test
    reads them from. Each field has:

      name         the field's name: local.products' column, the `field` of the conflict
                   models and of local.product_conflict_resolutions, resolved_<name> in
                   emag_products (staging reads the local column as local_<name>);
      emag_column  the column that holds eMAG's value (int_emag__products_current);
      local_type   the column's type in local.products;
      kind         text, numeric or integer: how a value is compared (as text, prices
                   without trailing zeros) and typed back (emag_products.resolved_<name>).
-#}
{% macro contested_fields() %}
    {{ return([
        {'name': 'name', 'emag_column': 'product_name', 'local_type': 'text', 'kind': 'text'},
        {'name': 'description', 'emag_column': 'description', 'local_type': 'text', 'kind': 'text'},
        {'name': 'brand', 'emag_column': 'brand', 'local_type': 'text', 'kind': 'text'},
        {'name': 'sale_price', 'emag_column': 'sale_price', 'local_type': 'numeric(14, 4)', 'kind': 'numeric'},
        {'name': 'stock', 'emag_column': 'general_stock', 'local_type': 'integer', 'kind': 'integer'},
        {'name': 'status', 'emag_column': 'offer_status', 'local_type': 'smallint', 'kind': 'integer'},
    ]) }}
{% endmacro %}

{#- The contested fields' names, e.g. for accepted_values tests. -#}
{% macro contested_field_names() %}
    {{ return(contested_fields() | map(attribute='name') | list) }}
{% endmacro %}

{#- A field's value as comparable text: text as is, prices without trailing zeros. -#}
{% macro contested_value_as_text(field, column) -%}
    {%- if field.kind == 'text' -%}
        {{ column }}
    {%- elif field.kind == 'numeric' -%}
        trim_scale({{ column }})::text
    {%- else -%}
        {{ column }}::text
    {%- endif -%}
{%- endmacro %}

{#- The comparable text typed back to the field's value type. -#}
{% macro contested_value_from_text(field, expression) -%}
    {%- if field.kind == 'text' -%}
        {{ expression }}
    {%- elif field.kind == 'numeric' -%}
        {{ expression }}::numeric
    {%- else -%}
        {{ expression }}::bigint
    {%- endif -%}
{%- endmacro %}

{#- A jsonb object that gives every contested field the same value (a SQL expression). -#}
{% macro contested_fields_object(value) -%}
    jsonb_build_object(
        {%- for field in contested_fields() %}
        '{{ field.name }}', {{ value }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
