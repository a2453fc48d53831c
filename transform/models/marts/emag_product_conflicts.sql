-- Every field on which eMAG and the seller's own data disagree. Under `manual` a conflict is
-- open until a decision recorded after it was detected closes it; under the other strategies
-- it was settled by the rule (auto_resolved): resolution_rule and resolution_winner say by
-- which rule and for which side.
with

resolutions as (

    select * from {{ ref('int_emag__field_resolutions') }}

)

select
    {{ emag_seller_of('account') }} as seller,
    account,
    product_id,
    part_number,
    field,
    emag_value,
    local_value,
    resolved_value,
    strategy,
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
