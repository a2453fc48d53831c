-- Two accounts side by side per part_number (the seller's SKU): one row per ordered pair of
-- accounts (account, other_account) and SKU that either of them lists, with each side's
-- product id, price, stock, status, PNK and saleability, and what differs. MAIN vs FBE is
-- `where account = 'main' and other_account = 'fbe'`; every pair is there both ways round.
-- The columns are the same whatever the accounts. A view: always current.
{{ config(materialized='view') }}

with

live_products as (

    select * from {{ ref('emag_products') }}
    where not is_deleted and part_number is not null

),

-- one offer per account and SKU (two live offers of a SKU in one account: the larger value
-- of each field)
offers as (

    select
        account,
        part_number,
        max(product_name) as product_name,
        max(product_id) as product_id,
        max(sale_price) as sale_price,
        max(general_stock) as general_stock,
        max(offer_status) as offer_status,
        max(part_number_key) as part_number_key,
        bool_or(is_saleable) as is_saleable
    from live_products
    group by account, part_number

),

accounts as (

    select distinct account from offers

),

account_pairs as (

    select
        accounts.account,
        other_accounts.account as other_account
    from accounts
    cross join accounts as other_accounts
    where accounts.account <> other_accounts.account

),

skus as (

    select distinct part_number from offers

),

side_by_side as (

    select
        account_pairs.account,
        account_pairs.other_account,
        skus.part_number,
        coalesce(own.product_name, other.product_name) as product_name,
        own.product_id,
        other.product_id as other_product_id,
        own.sale_price,
        other.sale_price as other_sale_price,
        own.general_stock,
        other.general_stock as other_general_stock,
        own.offer_status,
        other.offer_status as other_offer_status,
        own.part_number_key,
        other.part_number_key as other_part_number_key,
        own.is_saleable,
        other.is_saleable as other_is_saleable,
        own.part_number is not null as is_in_account,
        other.part_number is not null as is_in_other_account
    from account_pairs
    cross join skus
    left join offers as own
        on
            account_pairs.account = own.account
            and skus.part_number = own.part_number
    left join offers as other
        on
            account_pairs.other_account = other.account
            and skus.part_number = other.part_number
    where own.part_number is not null or other.part_number is not null

)

select
    *,
    other_sale_price - sale_price as price_difference,
    case
        when not is_in_account then account
        when not is_in_other_account then other_account
    end as missing_in,
    is_in_account and is_in_other_account
    and (sale_price is distinct from other_sale_price) as has_price_difference,
    is_in_account and is_in_other_account
    and (general_stock is distinct from other_general_stock) as has_stock_difference,
    is_in_account and is_in_other_account
    and (offer_status is distinct from other_offer_status) as has_status_difference,
    is_in_account and is_in_other_account
    and (part_number_key is distinct from other_part_number_key) as has_part_number_key_difference
from side_by_side
