-- The latest known values of every product (a deleted product keeps its last live values),
-- with VAT, category, eMAG's saleability rule and the product's timeline.
with

versions as (

    select * from {{ ref('int_emag__product_versions') }}

),

products as (

    select * from {{ ref('stg_emag__products') }}

),

vat_rates as (

    select * from {{ ref('stg_emag__vat_rates') }}

),

categories as (

    select * from {{ ref('stg_emag__categories') }}

),

last_completed_sync as (

    select
        account,
        max(finished_at) as last_synced_at
    from {{ ref('stg_emag__sync_runs') }}
    where sync_status in ('completed', 'partial')
    group by account

),

timeline as (

    select
        account,
        product_id,
        min(valid_from) as first_seen_at,
        max(valid_from) filter (where version_hash <> 'deleted') as last_changed_at
    from versions
    group by account, product_id

),

last_live_version as (

    select distinct on (account, product_id) *
    from versions
    where version_hash <> 'deleted'
    order by account asc, product_id asc, valid_from desc

),

current_products as (

    -- every product ever loaded; one deleted before its first live version was recorded has
    -- no values, only its key and deletion
    select
        last_live_version.*,
        products.account as product_account,
        products.product_id as product_key_id,
        products.is_deleted as is_currently_deleted,
        products.deleted_at as current_deleted_at
    from products
    left join last_live_version
        on
            products.account = last_live_version.account
            and products.product_id = last_live_version.product_id

)

select
    current_products.product_account as account,
    current_products.product_key_id as product_id,
    current_products.part_number,
    current_products.part_number_key,
    current_products.offer_id,
    current_products.product_name,
    current_products.brand,
    current_products.brand_name,
    current_products.description,
    current_products.url,
    current_products.category_id,
    categories.category_name,
    current_products.family_id,
    current_products.family_name,
    current_products.ean_codes,
    current_products.main_image_url,
    current_products.image_count,
    current_products.currency,
    current_products.vat_id,
    vat_rates.vat_rate,
    current_products.sale_price,
    current_products.recommended_price,
    current_products.min_sale_price,
    current_products.max_sale_price,
    current_products.best_offer_sale_price,
    current_products.best_offer_recommended_price,
    current_products.general_stock,
    current_products.estimated_stock,
    current_products.warranty_months,
    current_products.handling_time_days,
    current_products.supply_lead_time_days,
    current_products.offer_status,
    current_products.validation_status,
    current_products.validation_status_description,
    current_products.translation_validation_status,
    current_products.offer_validation_status,
    current_products.offer_validation_status_description,
    current_products.number_of_offers,
    current_products.buy_button_rank,
    current_products.genius_eligibility,
    current_products.genius_eligibility_type,
    current_products.genius_computed,
    current_products.ownership,
    current_products.is_auto_translated,
    current_products.is_reversible_vat_charging,
    current_products.has_safety_information,
    current_products.has_manufacturer,
    current_products.has_eu_representative,
    current_products.quality_issues,
    current_products.unknown_fields,
    current_products.content_hash,
    current_products.version_observed_at,
    current_products.is_currently_deleted as is_deleted,
    current_products.current_deleted_at as deleted_at,
    timeline.first_seen_at,
    timeline.last_changed_at,
    last_completed_sync.last_synced_at,
    round(current_products.sale_price * (1 + vat_rates.vat_rate), 2) as sale_price_with_vat,
    not current_products.is_currently_deleted
    and {{ is_saleable('current_products') }} as is_saleable
from current_products
left join vat_rates
    on
        current_products.product_account = vat_rates.account
        and current_products.vat_id = vat_rates.vat_id
left join categories
    on
        current_products.product_account = categories.account
        and current_products.category_id = categories.category_id
left join timeline
    on
        current_products.product_account = timeline.account
        and current_products.product_key_id = timeline.product_id
left join last_completed_sync
    on current_products.product_account = last_completed_sync.account
