-- Every version of every product with its validity interval (int_emag__product_version_intervals).
{{ config(materialized='view') }}

select
    {{ emag_seller_of('account') }} as seller,
    *
from {{ ref('int_emag__product_version_intervals') }}
