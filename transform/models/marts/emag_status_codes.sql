-- eMAG's status codes and what each means, one row per kind and code, for queries and BI
-- tools that cannot call dbt macros (the dashboard reads them here). Generated from the
-- emag_codes macro, the codes' one home.
{%- set rows = [] %}
{%- for kind, meanings in emag_codes().items() %}
    {%- for meaning, codes in meanings.items() %}
        {%- for code in codes %}
            {%- do rows.append((kind, code, meaning)) %}
        {%- endfor %}
    {%- endfor %}
{%- endfor %}

with codes as (

    select *
    from (
        values
        {%- for kind, code, meaning in rows %}
            ('{{ kind }}', {{ code }}, '{{ meaning }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as listed (kind, code, meaning)

)

select
    kind::text as kind,
    code::integer as code,
    meaning::text as meaning,
    replace(meaning, '_', ' ')::text as label
from codes
