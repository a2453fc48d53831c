{#-
    What decided a contested field's value (resolution_rule): no_local_value (the seller has
    none), agreed (both sides equal), or the conflict strategy that settled a disagreement.
-#}
{% macro resolution_rules() %}
    {{ return(['no_local_value', 'agreed'] + conflict_strategies()) }}
{% endmacro %}

{#- The side a value came from (resolution_winner); pending: a manual conflict, undecided. -#}
{% macro resolution_winners() %}
    {{ return(conflict_sides() + ['pending']) }}
{% endmacro %}

{#-
    resolution_source: the rule and the winner in one word, as earlier versions stored it and
    as the marts still show it (emag, agreed, emag_priority, local_priority, newest_wins:emag,
    newest_wins:local, manual:emag, manual:local, manual:pending). Written next to
    resolution_rule and resolution_winner, which are what models read.
-#}
{% macro resolution_source(rule, winner) -%}
    case
        when {{ rule }} = 'no_local_value' then 'emag'
        when {{ rule }} in ('newest_wins', 'manual') then {{ rule }} || ':' || {{ winner }}
        else {{ rule }}
    end
{%- endmacro %}
