-- target-emag's write log with, per account, offer and field, which row is the latest
-- attempt (whatever its outcome) and which is the latest value sent to eMAG. Only a sent value
-- (confirmed, refused, mismatched, failed) says anything about what eMAG holds: a dry run, a
-- guard or a stale plan sent nothing, so a dry run after a confirmed write leaves it the last
-- word (macro offer_write_sent_outcomes).
with

writes as (

    select * from {{ ref('stg_emag_writes__offer_writes') }}

),

flagged as (

    select
        *,
        outcome in {{ sql_list(offer_write_sent_outcomes()) }} as was_sent
    from writes

)

select
    *,
    row_number() over (
        partition by account, product_id, field
        order by recorded_at desc, run_id desc
    ) = 1 as is_latest_attempt,
    was_sent and row_number() over (
        partition by account, product_id, field, was_sent
        order by recorded_at desc, run_id desc
    ) = 1 as is_latest_sent
from flagged
