-- target-emag's write log for people: every row of it (one per run, account, offer and field)
-- with the offer's SKU and name, and which row is the latest attempt of its offer and field
-- (whatever the outcome) and the latest value sent to eMAG. A view: a push shows at once.
{{ config(materialized='view') }}

with

writes as (

    select * from {{ ref('int_emag__offer_writes') }}

),

products as (

    select
        account,
        product_id,
        part_number,
        product_name
    from {{ ref('int_emag__products_current') }}

)

select
    writes.run_id,
    {{ emag_seller_of('writes.account') }} as seller,
    writes.account,
    writes.product_id,
    products.part_number,
    products.product_name,
    writes.field,
    writes.emag_value,
    writes.planned_value,
    writes.planned_emag_read_at,
    writes.sent_value,
    writes.outcome,
    writes.message,
    writes.read_back_value,
    writes.is_dry_run,
    writes.batch_number,
    writes.recorded_at,
    writes.was_sent,
    writes.is_latest_attempt,
    writes.is_latest_sent
from writes
left join products
    on
        writes.account = products.account
        and writes.product_id = products.product_id
