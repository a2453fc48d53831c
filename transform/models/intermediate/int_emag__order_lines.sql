-- Every order line with its order's status and time, its revenue, and whether it counts as a
-- sale: an active line of an order that is not deleted and not canceled or returned (macro
-- order_counts_as_sale). ordered_on is the day the order was placed in eMAG's calendar
-- (Europe/Bucharest, macro emag_local_date). Read by emag_order_lines, emag_orders' totals
-- and the daily product sales.
with

orders as (

    select * from {{ ref('stg_emag__orders') }}

),

lines as (

    select * from {{ ref('stg_emag__order_lines') }}

)

select
    lines.account,
    lines.order_id,
    lines.line_id,
    lines.line_position,
    lines.product_id,
    lines.part_number_key,
    lines.part_number,
    lines.quantity,
    lines.sale_price,
    lines.original_price,
    lines.vat_rate,
    lines.currency,
    lines.quantity * lines.sale_price as line_revenue,
    round(lines.quantity * lines.sale_price * (1 + lines.vat_rate), 2) as line_revenue_with_vat,
    lines.line_status_code,
    lines.is_active,
    orders.order_status_code,
    orders.order_status,
    orders.fulfilment,
    lines.is_active
    and not orders.is_deleted
    and {{ order_counts_as_sale('orders.order_status_code') }} as is_counted_as_sale,
    orders.ordered_at,
    {{ emag_local_date('orders.ordered_at') }} as ordered_on,
    lines.created_at,
    lines.modified_at
from lines
inner join orders
    on
        lines.account = orders.account
        and lines.order_id = orders.order_id
