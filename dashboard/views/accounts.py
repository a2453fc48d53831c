"""MAIN vs FBE: where one SKU's price, stock or status differ between two accounts.

Also the SKUs one account lacks (emag_catalog_by_sku).
"""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import queries, ui

st.title("MAIN vs FBE")

accounts = ui.read(queries.SKU_ACCOUNTS)["account"].tolist()
if len(accounts) < 2:
    st.info("Side by side needs two accounts in the data; the catalogue has"
            f" {len(accounts)}.")
    st.stop()

pick_a, pick_b = st.columns(2)
first = pick_a.selectbox("Account", accounts, index=accounts.index("main")
                         if "main" in accounts else 0, key="first-account")
others = [account for account in accounts if account != first]
second = pick_b.selectbox("against", others, index=others.index("fbe")
                          if "fbe" in others else 0, key="second-account")

skus = ui.read(queries.sku_pair(first, second))
both = skus[skus["missing_in"].isna()]
with st.container(key="sku-figures"):
    figures = st.columns(6)
    figures[0].metric("SKUs in both", ui.number(len(both)))
    figures[1].metric(f"Only in {first}", ui.number((skus["missing_in"] == second).sum()))
    figures[2].metric(f"Only in {second}", ui.number((skus["missing_in"] == first).sum()))
    figures[3].metric("Price differs", ui.number(skus["price_differs"].sum()))
    figures[4].metric("Stock differs", ui.number(skus["stock_differs"].sum()))
    figures[5].metric("Status differs", ui.number(skus["status_differs"].sum()))

for account in (first, second):
    skus[f"{account}_status"] = skus[f"{account}_status"].map(ui.status_labels())

if not both.empty:
    prices = px.scatter(
        skus[skus["missing_in"].isna()], x=f"{first}_price", y=f"{second}_price",
        color="price_differs", hover_data=["part_number", "product_name"],
        title=f"Price in {first} against {second}, per SKU (without VAT; off the diagonal:"
              " different)", labels={"price_differs": "differs"})
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
    ui.table(skus[skus["price_differs"]][COLUMNS["price"]], "price-table",
             "Every shared SKU has the same price in both.")
with stock_tab:
    ui.table(skus[skus["stock_differs"]][COLUMNS["stock"]], "stock-table",
             "Every shared SKU has the same stock in both.")
with status_tab:
    ui.table(skus[skus["status_differs"]][COLUMNS["status"]], "status-table",
             "Every shared SKU has the same status in both.")
with missing_tab:
    missing = skus[skus["missing_in"].notna()][
        ["part_number", "product_name", "missing_in", f"{first}_id", f"{second}_id",
         f"{first}_price", f"{second}_price"]]
    ui.table(missing, "missing-table", "Every SKU is in both accounts.")
