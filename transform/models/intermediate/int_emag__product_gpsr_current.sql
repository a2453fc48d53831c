-- One row per account and product that a read ever brought GPSR details for: the value of
-- each detail the newest read that carried it brought, and when. Reads that do not carry a
-- detail (pages: flags only) never replace it, and a load that lands late does not replace a
-- newer value (the newest read_at wins, not the last load). Raw keeps one row per value, so
-- a late load of an older read of a value that was read again since moves that value's
-- read_at back: three loads out of order, until the next read.
with

details as (

    select * from {{ ref('stg_emag__product_gpsr') }}

),

newest_by_field as (

    select distinct on (account, product_id, gpsr_field)
        account,
        product_id,
        gpsr_field,
        gpsr_value,
        read_at
    from details
    order by account asc, product_id asc, gpsr_field asc, read_at desc, value_hash asc

)

select
    account,
    product_id,
    max(gpsr_value #>> '{}') filter (
        where gpsr_field = 'safety_information'
    ) as safety_information,
    max(gpsr_value::text) filter (where gpsr_field = 'manufacturer')::jsonb as manufacturer,
    max(gpsr_value::text) filter (
        where gpsr_field = 'eu_representative'
    )::jsonb as eu_representative,
    max(read_at) as gpsr_details_read_at
from newest_by_field
group by account, product_id
