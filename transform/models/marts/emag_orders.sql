-- One row per account and order: status and fulfilment by name, payment, times (UTC, and the
-- day in eMAG's calendar), and totals over its active lines: lines, units, revenue without
-- and with VAT. No personal data of the buyer.
with

orders as (

    select * from {{ ref('stg_emag__orders') }}

),

lines as (

    select * from {{ ref('int_emag__order_lines') }}
    where is_active

),

totals as (

    select
        account,
        order_id,
        count(*) as line_count,
        sum(quantity) as units,
        sum(line_revenue) as revenue,
        sum(line_revenue_with_vat) as revenue_with_vat
    from lines
    group by account, order_id

)

select
    {{ emag_seller_of('orders.account') }} as seller,
    orders.account,
    orders.order_id,
    orders.order_status_code,
    orders.order_status,
    orders.order_type,
    orders.fulfilment,
    orders.ordered_at,
    {{ emag_local_date('orders.ordered_at') }} as ordered_on,
    orders.modified_at,
    orders.payment_mode_id,
    orders.payment_mode,
    orders.payment_status,
    orders.is_complete,
    orders.delivery_mode,
    orders.currency,
    coalesce(totals.line_count, 0) as line_count,
    coalesce(totals.units, 0) as units,
    coalesce(totals.revenue, 0) as revenue,
    coalesce(totals.revenue_with_vat, 0) as revenue_with_vat,
    orders.shipping_tax,
    orders.cashed_co,
    orders.cashed_cod,
    orders.refunded_amount,
    orders.voucher_count,
    not orders.is_deleted
    and {{ order_counts_as_sale('orders.order_status_code') }} as is_counted_as_sale,
    orders.is_deleted,
    orders.deleted_at,
    orders.loaded_at
from orders
left join totals
    on
        orders.account = totals.account
        and orders.order_id = totals.order_id
