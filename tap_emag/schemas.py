"""JSON schemas of the streams, written with singer_sdk.typing.

Prices are JSON numbers written from `Decimal` (never float), so "121.8400" reaches the
target as 121.8400 exactly. Every object keeps additional properties: a key eMAG adds inside
one (a stock entry, an image, a validation status) reaches the target as it was sent.
"""

from __future__ import annotations

import typing as t

from singer_sdk import typing as th

from tap_emag.sync_run import MODE_MEANINGS, MODES, STATUSES

# What only some reads carry in full (reads by id): kept apart from the product, as rows of the
# `product_gpsr` stream (`gpsr.py`); the product keeps a `has_<field>` flag for each.
GPSR_DETAIL_FIELDS = ("safety_information", "manufacturer", "eu_representative")
OPEN_OBJECT = th.ObjectType(additional_properties=True)

WAREHOUSE_VALUE = th.ObjectType(
    th.Property("warehouse_id", th.IntegerType,
                description="Warehouse; absent for one-warehouse sellers."),
    th.Property("value", th.IntegerType),
    additional_properties=True,
)

VALIDATION_STATUS = th.ObjectType(
    th.Property("value", th.IntegerType, description="eMAG's status code (see the facts sheet)."),
    th.Property("description", th.StringType),
    th.Property("errors", th.ArrayType(OPEN_OBJECT),
                description="Always a list; eMAG sends null, one object or a list."),
    additional_properties=True,
)

GPSR_CONTACT = th.ObjectType(
    th.Property("name", th.StringType),
    th.Property("address", th.StringType),
    th.Property("email", th.StringType),
    additional_properties=True,
)


def _decimal(name: str, description: str) -> th.Property[t.Any]:
    return th.Property(name, th.NumberType, description=description)


PRODUCTS = th.PropertiesList(
    th.Property("account", th.StringType, required=True,
                description="Configured account name (e.g. main, fbe)."),
    th.Property("id", th.IntegerType, required=True,
                description="Seller's internal product id, unique within an account."),
    th.Property("part_number", th.StringType, description="Seller SKU / manufacturer part number."),
    th.Property("part_number_key", th.StringType, description="eMAG PNK; null until validated."),
    th.Property("name", th.StringType),
    th.Property("brand", th.StringType),
    th.Property("brand_name", th.StringType),
    th.Property("description", th.StringType, description="HTML description."),
    th.Property("url", th.StringType),
    th.Property("category_id", th.IntegerType),
    th.Property("vendor_category_id", th.IntegerType),
    th.Property("warranty", th.IntegerType, description="Warranty in months."),
    _decimal("sale_price", "Sale price without VAT."),
    _decimal("recommended_price", "Recommended retail price without VAT."),
    _decimal("min_sale_price", "Lowest allowed sale price without VAT."),
    _decimal("max_sale_price", "Highest allowed sale price without VAT."),
    th.Property("currency", th.StringType),
    th.Property("vat_id", th.IntegerType, description="VAT rate id (see vat_rates)."),
    th.Property("status", th.IntegerType, description="0 inactive, 1 active, 2 end of life."),
    th.Property("general_stock", th.IntegerType),
    th.Property("estimated_stock", th.IntegerType),
    th.Property("stock", th.ArrayType(WAREHOUSE_VALUE)),
    th.Property("handling_time", th.ArrayType(WAREHOUSE_VALUE)),
    th.Property("availability", th.ArrayType(WAREHOUSE_VALUE)),
    th.Property("offer_details", OPEN_OBJECT,
                description="id, warranty_type, supply_lead_time, emag_club."),
    th.Property("reversible_vat_charging", th.BooleanType),
    th.Property("commission", OPEN_OBJECT),
    th.Property("images", th.ArrayType(th.ObjectType(
        th.Property("url", th.StringType),
        th.Property("display_type", th.IntegerType, description="1 main, 2 secondary, 0 other."),
        additional_properties=True,
    ))),
    th.Property("characteristics", th.ArrayType(th.ObjectType(
        th.Property("id", th.IntegerType),
        th.Property("value", th.StringType),
        th.Property("tag", th.StringType),
        additional_properties=True,
    ))),
    th.Property("family", OPEN_OBJECT, description="id, name, family_type_id; or null."),
    th.Property("attachments", th.ArrayType(OPEN_OBJECT)),
    th.Property("ean", th.ArrayType(th.StringType)),
    th.Property("validation_status", th.ArrayType(VALIDATION_STATUS)),
    th.Property("translation_validation_status", th.ArrayType(VALIDATION_STATUS)),
    th.Property("offer_validation_status", VALIDATION_STATUS,
                description="1 saleable, 2 invalid price."),
    th.Property("auto_translated", th.IntegerType),
    th.Property("ownership", th.IntegerType,
                description="1 = the seller may update the content, 2 = may not (bools mapped)."),
    th.Property("number_of_offers", th.IntegerType),
    th.Property("buy_button_rank", th.IntegerType, description="Null when not ranked."),
    _decimal("best_offer_sale_price", "Best competing offer's sale price."),
    _decimal("best_offer_recommended_price", "Best competing offer's recommended price."),
    th.Property("genius_eligibility", th.IntegerType),
    th.Property("genius_eligibility_type", th.IntegerType, description="1 Full, 2 EasyBox, 3 HD."),
    th.Property("genius_computed", th.IntegerType),
    th.Property("has_safety_information", th.BooleanType,
                description="GPSR completion flag (the text itself: product_gpsr)."),
    th.Property("has_manufacturer", th.BooleanType,
                description="GPSR completion flag (the contacts: product_gpsr)."),
    th.Property("has_eu_representative", th.BooleanType,
                description="GPSR completion flag (the contacts: product_gpsr)."),
    th.Property("recyclewarranties", th.IntegerType),
    _decimal("weight", "Weight (removed from the API in 4.4.7, still in older payloads)."),
    _decimal("green_tax", "Green tax (eMAG RO)."),
    th.Property("extra", OPEN_OBJECT, description="Keys eMAG sent that this tap does not know."),
    th.Property("quality_issues", th.ArrayType(th.StringType),
                description="Values that could not be read as their type (set to null)."),
    th.Property("unread", OPEN_OBJECT,
                description=(
                    "Fields with a value that could not be read as its type, as eMAG sent"
                    " them (the typed column holds null there; quality_issues says why)."
                )),
    th.Property("content_hash", th.StringType,
                description=(
                    "Hash of the normalised product, the same whichever read fetched it (GPSR"
                    " details, which only reads by id carry, are in product_gpsr); changes"
                    " when any field changes."
                )),
    th.Property("version_observed_at", th.DateTimeType,
                description=(
                    "When a sync first observed this version of the product. eMAG gives"
                    " products no modification time; this is the closest to one."
                )),
    th.Property("run_id", th.StringType, description="The sync run that emitted this record."),
    th.Property("_sdc_deleted_at", th.DateTimeType,
                description="Set when a completed scan no longer finds the product."),
).to_dict()

PRODUCT_GPSR = th.PropertiesList(
    th.Property("account", th.StringType, required=True),
    th.Property("id", th.IntegerType, required=True, description="The product's id."),
    th.Property("field", th.StringType(allowed_values=list(GPSR_DETAIL_FIELDS)), required=True,
                description="Which GPSR detail the row holds."),
    th.Property("value_hash", th.StringType, required=True,
                description="Hash of the detail's value: one row per value a product had."),
    th.Property("safety_information", th.StringType,
                description="The safety text (field safety_information)."),
    th.Property("contacts", th.ArrayType(GPSR_CONTACT),
                description="The contacts as sent (fields manufacturer, eu_representative)."),
    th.Property("read_at", th.DateTimeType, required=True,
                description="When a read last brought this value."),
    th.Property("run_id", th.StringType, description="The sync run of that read."),
).to_dict()

CATEGORIES = th.PropertiesList(
    th.Property("account", th.StringType, required=True),
    th.Property("id", th.IntegerType, required=True),
    th.Property("name", th.StringType),
    th.Property("parent_id", th.IntegerType),
    th.Property("is_allowed", th.IntegerType, description="1 if the seller may sell here."),
    th.Property("is_ean_mandatory", th.IntegerType),
    th.Property("is_warranty_mandatory", th.IntegerType),
    th.Property("family_types", th.ArrayType(OPEN_OBJECT)),
    th.Property("extra", OPEN_OBJECT, description="Keys this tap does not know."),
).to_dict()

VAT_RATES = th.PropertiesList(
    th.Property("account", th.StringType, required=True),
    th.Property("vat_id", th.IntegerType, required=True),
    th.Property("vat_rate", th.NumberType, description="Rate as a fraction, e.g. 0.21."),
    th.Property("is_default", th.BooleanType),
    th.Property("extra", OPEN_OBJECT, description="Keys this tap does not know."),
).to_dict()

ORDER_LINE = th.ObjectType(
    th.Property("id", th.IntegerType, description="Line id."),
    th.Property("product_id", th.IntegerType,
                description="The seller's offer id: `id` of the account's products."),
    th.Property("part_number", th.StringType,
                description="eMAG's PNK in eMAG's documentation (see part_number_key)."),
    th.Property("part_number_key", th.StringType, description="eMAG's PNK, when sent."),
    th.Property("ext_part_number", th.StringType, description="Seller SKU."),
    th.Property("quantity", th.IntegerType),
    _decimal("sale_price", "Unit price without VAT."),
    _decimal("original_price", "Unit price before discounts, without VAT."),
    _decimal("vat", "VAT rate, e.g. 0.19."),
    th.Property("currency", th.StringType),
    th.Property("status", th.IntegerType, description="1 active, 0 removed from the order."),
    th.Property("created", th.DateTimeType),
    th.Property("modified", th.DateTimeType),
    additional_properties=True,
)

ORDERS = th.PropertiesList(
    th.Property("account", th.StringType, required=True),
    th.Property("id", th.IntegerType, required=True, description="eMAG order id."),
    th.Property("modified", th.DateTimeType, required=True,
                description="Last change of the order (eMAG's local time, as UTC)."),
    th.Property("date", th.DateTimeType, description="When the order was placed."),
    th.Property("status", th.IntegerType, description=(
        "0 canceled, 1 new, 2 in progress, 3 prepared, 4 finalized, 5 returned.")),
    th.Property("type", th.IntegerType, description="2 fulfilled by eMAG, 3 by the seller."),
    th.Property("payment_mode_id", th.IntegerType),
    th.Property("payment_mode", th.StringType),
    th.Property("payment_status", th.IntegerType),
    th.Property("is_complete", th.IntegerType),
    _decimal("cashed_co", "Amount cashed by card."),
    _decimal("cashed_cod", "Amount cashed on delivery."),
    _decimal("shipping_tax", "Shipping charged to the customer."),
    _decimal("refunded_amount", "Amount refunded."),
    th.Property("currency", th.StringType),
    th.Property("delivery_mode", th.StringType),
    th.Property("lines", th.ArrayType(ORDER_LINE), description="eMAG's `products`."),
    th.Property("vouchers", th.ArrayType(OPEN_OBJECT)),
    th.Property("customer", OPEN_OBJECT,
                description="The buyer's personal data: only with include_customer_data."),
    th.Property("details", OPEN_OBJECT,
                description="Delivery details: only with include_customer_data."),
    th.Property("extra", OPEN_OBJECT,
                description="Keys this tap does not know: only with include_customer_data."),
).to_dict()

SYNC_RUNS = th.PropertiesList(
    th.Property("run_id", th.StringType, required=True,
                description="Meltano's run id when set (MELTANO_RUN_ID), else a new UUID."),
    th.Property("account", th.StringType, required=True),
    th.Property("mode", th.StringType(allowed_values=list(MODES)),
                description="; ".join(f"{mode}: {meaning}"
                                      for mode, meaning in MODE_MEANINGS.items()) + "."),
    th.Property("started_at", th.DateTimeType),
    th.Property("finished_at", th.DateTimeType),
    th.Property("status", th.StringType(allowed_values=list(STATUSES)),
                description=(
                    "completed: whole catalogue read; partial: read, but some records failed or"
                    " the scan was filtered (no deletions); failed: the scan did not finish;"
                    " skipped: another run of the account was still going (error_messages names"
                    " it), so this one read nothing."
                )),
    th.Property("filtered", th.BooleanType, description="Whether product filters were set."),
    th.Property("pages_fetched", th.IntegerType),
    th.Property("products_total", th.IntegerType,
                description="Products eMAG reported (product_offer/count) at the start."),
    th.Property("products_seen", th.IntegerType),
    th.Property("emitted", th.IntegerType, description="Live product records emitted."),
    th.Property("created", th.IntegerType,
                description=(
                    "Products not in the scan's bookmark (null in a full sync: no bookmark)."
                    " The sync log counts creations from the history instead.")),
    th.Property("updated", th.IntegerType,
                description=(
                    "Products whose content differs from the scan's bookmark (null in a full"
                    " sync); includes offers a quick run loaded since. The sync log counts"
                    " real changes from the history instead.")),
    th.Property("unchanged", th.IntegerType,
                description="Products as in the scan's bookmark (null in a full sync)."),
    th.Property("deleted", th.IntegerType, description="Deletion records emitted."),
    th.Property("suspected", th.IntegerType,
                description=(
                    "Products missing from this scan whose deletion is not confirmed yet: kept,"
                    " and deleted when the next completed scan misses them too."
                )),
    th.Property("failed_records", th.IntegerType),
    th.Property("requests", th.IntegerType),
    th.Property("retries", th.IntegerType),
    th.Property("throttled", th.IntegerType, description="HTTP 429 answers."),
    th.Property("error_messages", th.ArrayType(th.StringType)),
    th.Property("tap_version", th.StringType),
    th.Property("bookmark_origin_run_id", th.StringType,
                description=(
                    "The run that scanned without a bookmark and started the chain of"
                    " bookmarks this run compared with (its own id in a full sync)."
                )),
    th.Property("orders_read", th.IntegerType, description="Orders read (order/read)."),
    th.Property("order_requests", th.IntegerType,
                description=(
                    "Requests to order routes (their own budget, order_requests_per_second)."
                )),
    th.Property("products_touched", th.IntegerType,
                description="Quick sync: products named by the orders read."),
    th.Property("products_deferred", th.IntegerType,
                description=(
                    "Quick sync: touched products beyond quick_sync_max_products, left for"
                    " the next scan."
                )),
    th.Property("requests_per_second", th.NumberType, required=True,
                description=(
                    "The request budget of the run's product reads (the requests_per_second"
                    " setting): the sync log's API floor is the reads divided by it."
                )),
).to_dict()
