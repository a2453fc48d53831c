-- One row per account and product: every eMAG field typed, price with VAT, category, the
-- contested fields (macro contested_fields) resolved against the seller's own data by the
-- conflict rules (resolved_*), the rule and the winner of each (resolution_rule,
-- resolution_winner), saleability, deletion and the timeline, and the stock's cover: units
-- sold over 7 and 30 days, days of stock left, and when the stock was read
-- (int_emag__product_stock_cover), and the GPSR details the newest reads by id brought
-- (int_emag__product_gpsr_current).
-- A view over incremental models: a run that changed 1% of the catalogue recomputes 1%.
{{ config(materialized='view') }}

with

products as (

    select * from {{ ref('int_emag__products_current') }}

),

vat_rates as (

    select * from {{ ref('stg_emag__vat_rates') }}

),

categories as (

    select * from {{ ref('stg_emag__categories') }}

),

-- the last scan that read the catalogue (quick runs read only the products orders touched)
last_completed_sync as (

    select
        account,
        max(finished_at) as last_synced_at
    from {{ ref('stg_emag__sync_runs') }}
    where
        sync_status in ('completed', 'partial')
        and sync_mode in {{ sql_list(scan_modes()) }}
    group by account

),

stock_cover as (

    select * from {{ ref('int_emag__product_stock_cover') }}

),

gpsr_details as (

    select * from {{ ref('int_emag__product_gpsr_current') }}

),

resolved as (

    select
        account,
        product_id,
        {%- for field in contested_fields() %}
            {{ contested_value_from_text(
                field, "max(resolved_value) filter (where field = '" ~ field.name ~ "')"
            ) }} as resolved_{{ field.name }},
        {%- endfor %}
        jsonb_object_agg(field, resolution_rule) as resolution_rule,
        jsonb_object_agg(field, resolution_winner) as resolution_winner,
        bool_or(resolution_winner = 'pending') as has_open_conflict
    from {{ ref('int_emag__field_resolutions') }}
    group by account, product_id

)

select
    {{ emag_seller_of('products.account') }} as seller,
    products.account,
    products.product_id,
    products.part_number,
    products.part_number_key,
    products.offer_id,
    products.product_name,
    products.brand,
    products.brand_name,
    products.description,
    products.url,
    products.category_id,
    categories.category_name,
    products.family_id,
    products.family_name,
    products.ean_codes,
    products.main_image_url,
    products.image_count,
    products.currency,
    products.vat_id,
    vat_rates.vat_rate,
    products.sale_price,
    round(products.sale_price * (1 + vat_rates.vat_rate), 2) as sale_price_with_vat,
    products.recommended_price,
    products.min_sale_price,
    products.max_sale_price,
    products.best_offer_sale_price,
    products.best_offer_recommended_price,
    products.general_stock,
    stock_cover.stock_observed_at,
    stock_cover.units_sold_7d,
    stock_cover.units_sold_30d,
    stock_cover.days_of_stock_left,
    products.estimated_stock,
    products.warranty_months,
    products.handling_time_days,
    products.supply_lead_time_days,
    products.offer_status,
    products.validation_status,
    products.validation_status_description,
    products.translation_validation_status,
    products.offer_validation_status,
    products.offer_validation_status_description,
    products.number_of_offers,
    products.buy_button_rank,
    products.genius_eligibility,
    products.genius_eligibility_type,
    products.genius_computed,
    products.ownership,
    products.is_auto_translated,
    products.is_reversible_vat_charging,
    products.has_safety_information,
    products.has_manufacturer,
    products.has_eu_representative,
    gpsr_details.safety_information,
    gpsr_details.manufacturer,
    gpsr_details.eu_representative,
    gpsr_details.gpsr_details_read_at,
    products.quality_issues,
    products.unread_values,
    products.unknown_fields,
    products.content_hash,
    products.version_observed_at,
    products.is_saleable,
    products.is_deleted,
    products.deleted_at,
    products.first_seen_at,
    products.last_changed_at,
    last_completed_sync.last_synced_at,
    {%- for field in contested_fields() %}
        coalesce(resolved.resolved_{{ field.name }}, products.{{ field.emag_column }}) as resolved_{{ field.name }},
    {%- endfor %}
    coalesce(resolved.has_open_conflict, false) as has_open_conflict,
    coalesce(resolved.resolution_rule, {{ contested_fields_object("'no_local_value'") }}) as resolution_rule,
    coalesce(resolved.resolution_winner, {{ contested_fields_object("'emag'") }}) as resolution_winner
from products
left join vat_rates
    on
        products.account = vat_rates.account
        and products.vat_id = vat_rates.vat_id
left join categories
    on
        products.account = categories.account
        and products.category_id = categories.category_id
left join last_completed_sync
    on products.account = last_completed_sync.account
left join resolved
    on
        products.account = resolved.account
        and products.product_id = resolved.product_id
left join stock_cover
    on
        products.account = stock_cover.account
        and products.product_id = stock_cover.product_id
left join gpsr_details
    on
        products.account = gpsr_details.account
        and products.product_id = gpsr_details.product_id
