-- Two accounts side by side per part_number (the seller's SKU): one row per ordered pair of
-- one seller's accounts (account, other_account) and SKU that either of them lists, with each
-- side's product id, price, stock, status, PNK and saleability, and what differs. MAIN vs FBE is
-- `where account = 'main' and other_account = 'fbe'`; every pair is there both ways round.
-- The columns are the same whatever the accounts. A view: always current.
{{ config(materialized='view') }}

with

live_products as (

    select
        {{ emag_seller_of('account') }} as seller,
        account,
        part_number,
        product_name,
        product_id,
        sale_price,
        general_stock,
        offer_status,
        part_number_key,
        is_saleable
    from {{ ref('emag_products') }}
    where not is_deleted and part_number is not null

),

accounts as (

    select distinct
        seller,
        account
    from live_products

),

account_pairs as (

    select
        accounts.seller,
        accounts.account,
        other_accounts.account as other_account
    from accounts
    inner join accounts as other_accounts
        on
            accounts.seller = other_accounts.seller
            and accounts.account <> other_accounts.account

),

-- each side's offer of the SKU (two live offers of a SKU in one account: the larger value of
-- each field)
side_by_side as (

    select
        account_pairs.seller,
        account_pairs.account,
        account_pairs.other_account,
        live_products.part_number,
        max(live_products.product_name) as product_name,
        {%- for column in ['product_id', 'sale_price', 'general_stock', 'offer_status', 'part_number_key'] %}
            max(live_products.{{ column }}) filter (
                where live_products.account = account_pairs.account
            ) as {{ column }},
            max(live_products.{{ column }}) filter (
                where live_products.account = account_pairs.other_account
            ) as other_{{ column }},
        {%- endfor %}
        bool_or(live_products.is_saleable) filter (
            where live_products.account = account_pairs.account
        ) as is_saleable,
        bool_or(live_products.is_saleable) filter (
            where live_products.account = account_pairs.other_account
        ) as other_is_saleable,
        bool_or(live_products.account = account_pairs.account) as is_in_account,
        bool_or(live_products.account = account_pairs.other_account) as is_in_other_account
    from account_pairs
    inner join live_products
        on live_products.account in (account_pairs.account, account_pairs.other_account)
    group by
        account_pairs.seller,
        account_pairs.account,
        account_pairs.other_account,
        live_products.part_number

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
