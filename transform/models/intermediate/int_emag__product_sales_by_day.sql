-- Per account, product and day in eMAG's calendar (the day the order was placed): units sold,
-- orders, and revenue without and with VAT, from the lines that count as sales (active lines
-- of orders not canceled or returned; int_emag__order_lines). An order canceled or returned
-- later leaves the day it was placed. Lines without a product id are left out.
with

lines as (

    select * from {{ ref('int_emag__order_lines') }}
    where
        is_counted_as_sale
        and product_id is not null

)

select
    account,
    product_id,
    ordered_on as sale_date,
    max(part_number) as part_number,
    max(part_number_key) as part_number_key,
    count(distinct order_id) as orders,
    sum(quantity) as units_sold,
    sum(line_revenue) as revenue,
    sum(line_revenue_with_vat) as revenue_with_vat,
    max(currency) as currency
from lines
group by account, product_id, ordered_on
