with

source as (

    {{ source_or_empty(
        'local', 'products', local_table_columns('products')
    ) }}

),

renamed as (

    select
        -- ids
        account,
        product_id,
        nullif(trim(part_number), '') as part_number,

        -- the contested fields (macro contested_fields); empty text means no local opinion
        {%- for field in contested_fields() %}
            {%- if field.kind == 'text' %}
                nullif({{ field.name }}, '') as local_{{ field.name }},
            {%- else %}
                {{ field.name }} as local_{{ field.name }},
            {%- endif %}
        {%- endfor %}

        -- strings
        conflict_strategy as local_conflict_strategy,

        -- timestamps (UTC, without zone, like the raw eMAG tables)
        updated_at at time zone 'utc' as local_updated_at

    from source

)

select * from renamed
