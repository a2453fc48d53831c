-- The latest known values of every product (a deleted product keeps its last live values),
-- its timeline and eMAG's saleability rule. The latest is by valid_from, not by arrival: a
-- version recorded late (a scan's reading loaded after a quick run's) that began earlier
-- changes the timeline but not the values. Incremental: only products with a version
-- recorded since the last build (by the transaction that recorded it, macro
-- written_since_last_build) are recomputed.
{{
    config(
        materialized='incremental',
        unique_key=['account', 'product_id'],
        incremental_strategy='delete+insert',
    )
}}

with

versions as (

    select * from {{ ref('int_emag__product_versions') }}

),

changed_versions as (

    -- incremental: the versions of products with a version recorded since the last build;
    -- a first or full build takes every product without looking for what changed
    select versions.*
    from versions
    {% if is_incremental() %}
        where exists (
                select 1
                from {{ ref('int_emag__product_versions') }} as recorded
                where
                    recorded.account = versions.account
                    and recorded.product_id = versions.product_id
                    and {{ written_since_last_build('age(recorded.xmin)') }}
            )
    {% endif %}

),

timeline as (

    select
        account,
        product_id,
        min(valid_from) as first_seen_at,
        max(valid_from) filter (where version_hash <> 'deleted') as last_changed_at,
        max(loaded_at) as loaded_at
    from changed_versions
    group by account, product_id

),

latest_version as (

    select distinct on (account, product_id)
        account,
        product_id,
        version_hash = 'deleted' as is_deleted,
        case when version_hash = 'deleted' then valid_from end as deleted_at
    from changed_versions
    order by account asc, product_id asc, valid_from desc

),

last_live_version as (

    select distinct on (account, product_id) *
    from changed_versions
    where version_hash <> 'deleted'
    order by account asc, product_id asc, valid_from desc

)

select
    latest_version.account,
    latest_version.product_id,
    last_live_version.part_number,
    last_live_version.part_number_key,
    last_live_version.offer_id,
    last_live_version.product_name,
    last_live_version.brand,
    last_live_version.brand_name,
    last_live_version.description,
    last_live_version.url,
    last_live_version.category_id,
    last_live_version.family_id,
    last_live_version.family_name,
    last_live_version.ean_codes,
    last_live_version.main_image_url,
    last_live_version.image_count,
    last_live_version.currency,
    last_live_version.vat_id,
    last_live_version.sale_price,
    last_live_version.recommended_price,
    last_live_version.min_sale_price,
    last_live_version.max_sale_price,
    last_live_version.best_offer_sale_price,
    last_live_version.best_offer_recommended_price,
    last_live_version.general_stock,
    last_live_version.estimated_stock,
    last_live_version.warranty_months,
    last_live_version.handling_time_days,
    last_live_version.supply_lead_time_days,
    last_live_version.offer_status,
    last_live_version.validation_status,
    last_live_version.validation_status_description,
    last_live_version.translation_validation_status,
    last_live_version.offer_validation_status,
    last_live_version.offer_validation_status_description,
    last_live_version.number_of_offers,
    last_live_version.buy_button_rank,
    last_live_version.genius_eligibility,
    last_live_version.genius_eligibility_type,
    last_live_version.genius_computed,
    last_live_version.ownership,
    last_live_version.is_auto_translated,
    last_live_version.is_reversible_vat_charging,
    last_live_version.has_safety_information,
    last_live_version.has_manufacturer,
    last_live_version.has_eu_representative,
    last_live_version.quality_issues,
    last_live_version.unknown_fields,
    last_live_version.unread_values,
    last_live_version.content_hash,
    -- the first observation of the current content (what newest_wins compares against)
    last_live_version.valid_from as version_observed_at,
    latest_version.is_deleted,
    latest_version.deleted_at,
    timeline.first_seen_at,
    timeline.last_changed_at,
    timeline.loaded_at,
    not latest_version.is_deleted
    and {{ is_saleable('last_live_version') }} as is_saleable,
    -- the oldest transaction still running when this build read the history
    {{ read_horizon_xid() }} as read_horizon_xid
from latest_version
left join last_live_version
    on
        latest_version.account = last_live_version.account
        and latest_version.product_id = last_live_version.product_id
left join timeline
    on
        latest_version.account = timeline.account
        and latest_version.product_id = timeline.product_id
