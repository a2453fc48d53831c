-- The conflict rules, field by field, for every product with local data.
--
--   emag_priority   eMAG's value wins;
--   local_priority  the local value wins where there is one;
--   newest_wins     the more recent side wins: local updated_at against the time a sync first
--                   observed eMAG's current version;
--   manual          where the sides differ, the last resolved value stays and the conflict is
--                   open until a decision (local.product_conflict_resolutions) taken after the
--                   conflict was detected names the winner.
--
-- Each row says which rule decided (resolution_rule: no_local_value, agreed, or the strategy
-- that settled a conflict) and which side won (resolution_winner: emag, local, or pending
-- while a manual conflict waits for a decision).
--
-- Incremental so that it remembers, per field, the last resolved value and when the current
-- disagreement was first detected. Neither can be rebuilt (a rebuild would detect every
-- conflict anew, now, and so reopen conflicts already decided): part of the system of record
-- (folder config: never rebuilt, not even by --full-refresh).
{{
    config(
        unique_key=['account', 'product_id', 'field'],
        incremental_strategy='delete+insert',
    )
}}

with

candidates as (

    select * from {{ ref('int_emag__field_candidates') }}

),

decisions as (

    select distinct on (account, product_id, field)
        account,
        product_id,
        field,
        winner,
        decided_at
    from {{ ref('stg_local__conflict_resolutions') }}
    order by account asc, product_id asc, field asc, decided_at desc

),

previous as (

    {% if is_incremental() %}
        select
            account,
            product_id,
            field,
            emag_value,
            local_value,
            resolved_value,
            conflict_detected_at
        from {{ this }}
    {% else %}
        select
            null::text as account,
            null::bigint as product_id,
            null::text as field,
            null::text as emag_value,
            null::text as local_value,
            null::text as resolved_value,
            null::timestamp as conflict_detected_at
        where false
    {% endif %}

),

compared as (

    select
        candidates.*,
        coalesce(candidates.local_conflict_strategy, {{ conflict_strategy() }}) as strategy,
        (
            candidates.local_value is not null
            and candidates.emag_value is distinct from candidates.local_value
        ) as is_conflict,
        previous.resolved_value as previous_resolved_value,
        case
            when
                coalesce(previous.emag_value, '<null>') = coalesce(candidates.emag_value, '<null>')
                and coalesce(previous.local_value, '<null>')
                = coalesce(candidates.local_value, '<null>')
                then previous.conflict_detected_at
        end as known_since
    from candidates
    left join previous
        on
            candidates.account = previous.account
            and candidates.product_id = previous.product_id
            and candidates.field = previous.field

),

detected as (

    select
        compared.*,
        case
            when compared.is_conflict
                then coalesce(compared.known_since, now() at time zone 'utc')
        end as conflict_detected_at
    from compared

),

decided as (

    select
        detected.*,
        decisions.decided_at as decision_decided_at,
        case
            when not detected.is_conflict and detected.local_value is null then 'no_local_value'
            when not detected.is_conflict then 'agreed'
            else detected.strategy
        end as resolution_rule,
        case
            when not detected.is_conflict then 'emag'
            when detected.strategy = 'emag_priority' then 'emag'
            when detected.strategy = 'local_priority' then 'local'
            when detected.strategy = 'newest_wins'
                then
                    case
                        when detected.local_updated_at > detected.emag_observed_at then 'local'
                        else 'emag'
                    end
            when decisions.decided_at >= detected.conflict_detected_at then decisions.winner
            else 'pending'
        end as resolution_winner
    from detected
    left join decisions
        on
            detected.account = decisions.account
            and detected.product_id = decisions.product_id
            and detected.field = decisions.field

)

select
    account,
    product_id,
    part_number,
    field,
    strategy,
    emag_value,
    local_value,
    emag_observed_at,
    local_updated_at,
    is_conflict,
    conflict_detected_at,
    resolution_rule,
    resolution_winner,
    case
        when resolution_winner = 'local' then local_value
        when resolution_winner = 'pending' then coalesce(previous_resolved_value, emag_value)
        else emag_value
    end as resolved_value,
    case
        when resolution_rule = 'manual' and resolution_winner <> 'pending'
            then decision_decided_at
    end as resolved_at
from decided
