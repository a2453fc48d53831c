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

{#-
    Pre-hook of int_emag__field_resolutions: a table written by an earlier version has only
    resolution_source; it gets resolution_rule and resolution_winner, read from it row by row
    (rows the model no longer selects, e.g. of a deleted local row, included), in the model's
    transaction. resolution_source stays (views of the earlier version read it until this run
    replaces them). Does nothing on a current table.
-#}
{% macro split_resolution_source() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set existing = load_relation(this) -%}
    {%- if existing is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(existing) | map(attribute='name') | list -%}
    {%- if 'resolution_rule' in columns -%}
        {{ return('') }}
    {%- endif -%}
    alter table {{ existing }}
        add column resolution_rule text,
        add column resolution_winner text;
    update {{ existing }}
    set
        resolution_rule = case
            when resolution_source = 'emag' then 'no_local_value'
            else split_part(resolution_source, ':', 1)
        end,
        resolution_winner = case
            when resolution_source in ('emag', 'agreed', 'emag_priority') then 'emag'
            when resolution_source = 'local_priority' then 'local'
            else split_part(resolution_source, ':', 2)
        end;
    {{ log("Converted " ~ existing ~ " of an earlier version: resolution_rule and resolution_winner read from resolution_source", info=True) }}
{% endmacro %}
