{#-
    eMAG's calendar: a day is a day in Romania (Europe/Bucharest, daylight saving included),
    as eMAG and the seller count it. The raw tables hold UTC times without a zone.
-#}
{% macro emag_time_zone() -%}
    'Europe/Bucharest'
{%- endmacro %}

{#- The day in eMAG's calendar of a UTC time (timestamp without time zone). -#}
{% macro emag_local_date(utc_timestamp) -%}
    (({{ utc_timestamp }}) at time zone 'utc' at time zone {{ emag_time_zone() }})::date
{%- endmacro %}

{#- Today in eMAG's calendar (unit tests override it with a fixed date). -#}
{% macro emag_today() -%}
    (now() at time zone {{ emag_time_zone() }})::date
{%- endmacro %}
