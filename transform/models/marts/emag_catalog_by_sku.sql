-- The accounts side by side per part_number (seller SKU): price, stock, status and PNK of each
-- account (every account in the raw data, by name, or var `sku_accounts`: macro
-- sku_accounts), with flags for inconsistencies. A view: always current, nothing to rebuild.
{{ config(materialized='view') }}
{%- set accounts = sku_accounts() %}

with

products as (

    select * from {{ ref('emag_products') }}
    where not is_deleted and part_number is not null

),

per_sku as (

    select
        part_number,
        max(product_name) as product_name,
        {%- for account in accounts %}
            max(product_id) filter (where account = '{{ account }}') as {{ account }}_product_id,
            max(sale_price) filter (where account = '{{ account }}') as {{ account }}_sale_price,
            max(general_stock) filter (where account = '{{ account }}') as {{ account }}_stock,
            max(offer_status) filter (where account = '{{ account }}') as {{ account }}_status,
            max(part_number_key) filter (where account = '{{ account }}') as {{ account }}_part_number_key,
            bool_or(is_saleable) filter (where account = '{{ account }}') as {{ account }}_is_saleable,
        {%- endfor %}
        count(distinct account) as account_count
    from products
    group by part_number

)

select
    *,
    {%- for account in accounts %}
        {{ account }}_product_id is not null as in_{{ account }},
    {%- endfor %}
    {%- set prices, statuses, keys = [], [], [] %}
    {%- for account in accounts %}
        {%- do prices.append(account ~ '_sale_price') %}
        {%- do statuses.append(account ~ '_status') %}
        {%- do keys.append(account ~ '_part_number_key') %}
    {%- endfor %}
    account_count < {{ accounts | length }} as is_missing_in_an_account,
    {{ differs(prices) }} as has_price_difference,
    {{ differs(statuses) }} as has_status_difference,
    {{ differs(keys) }} as has_part_number_key_difference
from per_sku
