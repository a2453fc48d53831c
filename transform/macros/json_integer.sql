{#-
    An integer read from a key of an open jsonb object (offer_details, family), or null when
    eMAG sent something else there, or a number too large for `type` (int: 9 digits, bigint:
    18): keys of open objects keep whatever eMAG sends (a lead time of "14 zile" is kept as
    text in the object), and one offer's surprise must not fail the build of the whole history.
-#}
{% macro json_integer(object, key, type='bigint') -%}
    {%- set digits = 9 if type == 'int' else 18 -%}
    case
        when ({{ object }} ->> '{{ key }}') ~ '^\s*-?\d{1,{{ digits }}}\s*$'
            then ({{ object }} ->> '{{ key }}')::{{ type }}
    end
{%- endmacro %}
