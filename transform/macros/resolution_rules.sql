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
