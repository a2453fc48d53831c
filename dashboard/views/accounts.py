"""MAIN vs FBE: where one SKU's price, stock or status differ between two accounts.

Also the SKUs one account lacks (emag_catalog_by_sku: one row per pair of accounts and SKU).
"""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import queries, ui

st.title("MAIN vs FBE")

sellers = dict(ui.read(queries.ACCOUNTS)[["account", "seller"]].itertuples(index=False))
accounts = list(sellers)
if len(accounts) < 2:
    st.info("Side by side needs two accounts in the data; the catalogue has"
            f" {len(accounts)}.")
    st.stop()


def _named(names: list[str], name: str) -> int:
    """The position of the account `name` (main, or a seller's acme/main), else 0."""
    return next((i for i, account in enumerate(names)
                 if account == name or account.endswith(f"/{name}")), 0)


pick_a, pick_b = st.columns(2)
first = pick_a.selectbox("Account", accounts, index=_named(accounts, "main"),
                         key="first-account")
# the accounts side by side are one seller's (emag_catalog_by_sku pairs no others)
others = [account for account in accounts
          if account != first and sellers[account] == sellers[first]]
if not others:
    st.info(f"Side by side needs two accounts of one seller; {first} is its seller's only one.")
    st.stop()
second = pick_b.selectbox("against", others, index=_named(others, "fbe"),
                          key="second-account")

skus = ui.read(queries.SKU_PAIR, {"account": first, "other_account": second}).rename(columns={
    "product_id": f"{first}_id", "other_product_id": f"{second}_id",
    "sale_price": f"{first}_price", "other_sale_price": f"{second}_price",
    "general_stock": f"{first}_stock", "other_general_stock": f"{second}_stock",
    "offer_status": f"{first}_status", "other_offer_status": f"{second}_status"})
both = skus[skus["is_in_account"] & skus["is_in_other_account"]]
with st.container(key="sku-figures"):
    figures = st.columns(6)
    figures[0].metric("SKUs in both", ui.number(len(both)))
    figures[1].metric(f"Only in {first}", ui.number((~skus["is_in_other_account"]).sum()))
    figures[2].metric(f"Only in {second}", ui.number((~skus["is_in_account"]).sum()))
    figures[3].metric("Price differs", ui.number(skus["has_price_difference"].sum()))
    figures[4].metric("Stock differs", ui.number(skus["has_stock_difference"].sum()))
    figures[5].metric("Status differs", ui.number(skus["has_status_difference"].sum()))

for account in (first, second):
    skus[f"{account}_status"] = skus[f"{account}_status"].map(ui.status_labels())

if not both.empty:
    prices = px.scatter(
        both, x=f"{first}_price", y=f"{second}_price", color="has_price_difference",
        hover_data=["part_number", "product_name"],
        title=f"Price in {first} against {second}, per SKU (without VAT; off the diagonal:"
              " different)", labels={"has_price_difference": "differs"})
    top = float(both[[f"{first}_price", f"{second}_price"]].max().max() or 0)
    prices.add_shape(type="line", x0=0, y0=0, x1=top, y1=top, line={"dash": "dot"})
    st.plotly_chart(prices, key="chart-prices")

COLUMNS = {
    "price": ["part_number", "product_name", f"{first}_price", f"{second}_price",
              "price_difference", f"{first}_id", f"{second}_id"],
    "stock": ["part_number", "product_name", f"{first}_stock", f"{second}_stock",
              f"{first}_id", f"{second}_id"],
    "status": ["part_number", "product_name", f"{first}_status", f"{second}_status",
               f"{first}_id", f"{second}_id"],
}
price_tab, stock_tab, status_tab, missing_tab = st.tabs(
    ["Price differs", "Stock differs", "Status differs", "Missing from one account"])
with price_tab:
    ui.table(skus[skus["has_price_difference"]][COLUMNS["price"]], "price-table",
             "Every shared SKU has the same price in both.")
with stock_tab:
    ui.table(skus[skus["has_stock_difference"]][COLUMNS["stock"]], "stock-table",
             "Every shared SKU has the same stock in both.")
with status_tab:
    ui.table(skus[skus["has_status_difference"]][COLUMNS["status"]], "status-table",
             "Every shared SKU has the same status in both.")
with missing_tab:
    missing = skus[skus["missing_in"].notna()][
        ["part_number", "product_name", "missing_in", f"{first}_id", f"{second}_id",
         f"{first}_price", f"{second}_price"]]
    ui.table(missing, "missing-table", "Every SKU is in both accounts.")
