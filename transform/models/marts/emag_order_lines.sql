-- One row per order line: the offer sold, quantity, unit prices, VAT rate, the line's revenue
-- without and with VAT, its order's status, and whether it counts as a sale
-- (int_emag__order_lines).
select
    {{ emag_seller_of('account') }} as seller,
    *
from {{ ref('int_emag__order_lines') }}
