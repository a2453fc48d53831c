-- One row per account and product as last loaded, typed and flattened. Deleted products keep
-- only their key here; their last values live in the history (int_emag__product_versions).
with

source as (

    -- xmin: the loader's transaction that wrote the row (macro written_since_last_build)
    select
        *,
        xmin::text::bigint as load_xid
    from {{ emag_source('products') }}

),

renamed as (

    select
        -- ids
        account,
        id as product_id,
        part_number,
        part_number_key,
        category_id,
        vendor_category_id,
        vat_id,
        {{ json_integer('offer_details', 'id') }} as offer_id,
        {{ json_integer('family', 'id') }} as family_id,

        -- strings
        name as product_name,
        brand,
        brand_name,
        description,
        nullif(url, '') as url,
        currency,
        family ->> 'name' as family_name,
        ean as ean_codes,
        validation_status[1] ->> 'description' as validation_status_description,
        offer_validation_status ->> 'description' as offer_validation_status_description,
        (
            select listed.image ->> 'url'
            from unnest(images) with ordinality as listed (image, position)
            where {{ emag_code_is('image_display_type', 'main', "(listed.image ->> 'display_type')::int") }}
            order by listed.position
            limit 1
        ) as main_image_url,

        -- numerics
        sale_price,
        recommended_price,
        min_sale_price,
        max_sale_price,
        best_offer_sale_price,
        best_offer_recommended_price,
        general_stock,
        estimated_stock,
        warranty as warranty_months,
        status as offer_status,
        (validation_status[1] ->> 'value')::int as validation_status,
        (translation_validation_status[1] ->> 'value')::int as translation_validation_status,
        (offer_validation_status ->> 'value')::int as offer_validation_status,
        number_of_offers,
        buy_button_rank,
        genius_eligibility,
        genius_eligibility_type,
        genius_computed,
        ownership,
        coalesce(cardinality(images), 0) as image_count,
        {{ json_integer('offer_details', 'supply_lead_time', 'int') }} as supply_lead_time_days,
        (
            select min((handling ->> 'value')::int)
            from unnest(handling_time) as handling
        ) as handling_time_days,

        -- booleans
        reversible_vat_charging as is_reversible_vat_charging,
        auto_translated = 1 as is_auto_translated,
        has_safety_information,
        has_manufacturer,
        has_eu_representative,
        _sdc_deleted_at is not null as is_deleted,

        -- json kept for drill-down
        stock as stock_by_warehouse,
        characteristics,
        extra as unknown_fields,
        quality_issues,
        unread as unread_values,

        -- sync metadata
        content_hash,
        load_xid,
        run_id,
        version_observed_at,
        _sdc_deleted_at as deleted_at,
        _sdc_extracted_at as extracted_at,
        _sdc_batched_at as loaded_at

    from source

)

select * from renamed
