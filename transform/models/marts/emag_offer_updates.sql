-- The write-back plan: per account, offer and field, the change target-emag is to make on eMAG.
-- A row where the conflict rules chose the seller's value (resolution_winner = 'local': by
-- local_priority, newest_wins or a manual decision) and it differs from eMAG's, on a field the
-- var emag_write_fields allows for the account (none by default), for an offer eMAG still
-- lists and the seller still has local data for.
--
-- emag_read_at is when a sync last read eMAG's value of the offer (stock_observed_at of
-- int_emag__product_stock_cover: the later of the current version's first observation and
-- the start of the account's last completed, unfiltered scan, which read the same content if
-- it did not emit the offer). A write that eMAG confirmed after that read, of this same value,
-- is not planned again: eMAG has it, and the next scan will show it (idempotent). Any other
-- last write (refused, mismatched, failed) is planned again.
--
-- A view: it reads the write log when it is read, so a push right after a confirmed one finds
-- nothing to send, without a dbt run between them.
{{ config(materialized='view') }}

with

resolutions as (

    select * from {{ ref('int_emag__field_resolutions') }}

),

-- the offers with local data now (a resolution outlives a local row the seller removed)
local_products as (

    select
        account,
        matched_product_id as product_id
    from {{ ref('int_local__products_matched') }}

),

products as (

    select * from {{ ref('int_emag__products_current') }}

),

read_times as (

    select
        account,
        product_id,
        stock_observed_at as emag_read_at
    from {{ ref('int_emag__product_stock_cover') }}

),

allowed_fields as (

    {{ emag_write_fields_rows() }}

),

last_sent as (

    select * from {{ ref('int_emag__offer_writes') }}
    where is_latest_sent

),

local_wins as (

    select
        resolutions.account,
        resolutions.product_id,
        products.part_number,
        products.product_name,
        resolutions.field,
        resolutions.emag_value,
        resolutions.resolved_value as planned_value,
        resolutions.resolution_rule,
        resolutions.resolution_winner,
        read_times.emag_read_at,
        products.min_sale_price,
        products.max_sale_price
    from resolutions
    inner join allowed_fields
        on
            resolutions.account = allowed_fields.account
            and resolutions.field = allowed_fields.field
    inner join local_products
        on
            resolutions.account = local_products.account
            and resolutions.product_id = local_products.product_id
    inner join products
        on
            resolutions.account = products.account
            and resolutions.product_id = products.product_id
    inner join read_times
        on
            resolutions.account = read_times.account
            and resolutions.product_id = read_times.product_id
    where
        resolutions.resolution_winner = 'local'
        and resolutions.resolved_value is distinct from resolutions.emag_value
        and not products.is_deleted

),

-- the last value sent for each field, and whether eMAG confirmed this one after the read
with_last_sent as (

    select
        local_wins.*,
        last_sent.outcome as last_sent_outcome,
        last_sent.message as last_sent_message,
        last_sent.recorded_at as last_sent_at,
        coalesce(
            last_sent.outcome = 'confirmed'
            and last_sent.planned_value = local_wins.planned_value
            and last_sent.recorded_at > local_wins.emag_read_at,
            false
        ) as is_confirmed_since_read
    from local_wins
    left join last_sent
        on
            local_wins.account = last_sent.account
            and local_wins.product_id = last_sent.product_id
            and local_wins.field = last_sent.field

)

select
    {{ emag_seller_of('account') }} as seller,
    account,
    product_id,
    part_number,
    product_name,
    field,
    emag_value,
    planned_value,
    resolution_rule,
    resolution_winner,
    emag_read_at,
    min_sale_price,
    max_sale_price,
    last_sent_outcome,
    last_sent_message,
    last_sent_at
from with_last_sent
where not is_confirmed_since_read
