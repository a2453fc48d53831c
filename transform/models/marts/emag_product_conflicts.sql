-- Every field on which eMAG and the seller's own data disagree. Under `manual` a conflict is
-- open until a decision recorded after it was detected closes it; under the other strategies
-- it was settled by the rule (auto_resolved). resolution_source (the rule and the winner in
-- one word) is kept as earlier versions showed it; resolution_rule and resolution_winner are
-- the same apart.
with

resolutions as (

    select * from {{ ref('int_emag__field_resolutions') }}

)

select
    account,
    product_id,
    part_number,
    field,
    emag_value,
    local_value,
    resolved_value,
    strategy,
    resolution_source,
    conflict_detected_at as detected_at,
    resolved_at,
    case
        when resolution_winner = 'pending' then 'open'
        when resolution_rule = 'manual' then 'resolved'
        else 'auto_resolved'
    end as status,
    resolution_rule,
    resolution_winner
from resolutions
where is_conflict
