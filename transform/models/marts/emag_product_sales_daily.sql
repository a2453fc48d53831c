-- One row per account, product and day (eMAG's calendar, the day the order was placed) with
-- sales: units, orders, revenue without and with VAT (int_emag__product_sales_by_day).
select
    {{ emag_seller_of('account') }} as seller,
    *
from {{ ref('int_emag__product_sales_by_day') }}
