{#-
    An integer read from a key of an open jsonb object (offer_details, family), or null when
    eMAG sent something else there: keys of open objects keep whatever eMAG sends (a lead time
    of "14 zile" is kept as text in the object), and one offer's surprise must not fail the
    build of the whole history.
-#}
{% macro json_integer(object, key) -%}
    case
        when ({{ object }} ->> '{{ key }}') ~ '^\s*-?\d{1,18}\s*$'
            then ({{ object }} ->> '{{ key }}')::bigint
    end
{%- endmacro %}
