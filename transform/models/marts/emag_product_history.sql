-- Every version of every product with its validity interval (int_emag__product_version_intervals).
{{ config(materialized='view') }}

select * from {{ ref('int_emag__product_version_intervals') }}
