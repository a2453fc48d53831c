"""Changes: what the last run and the last 24 hours changed, and one product's history.

Price, stock and status changes, new and deleted products (emag_product_changes), and the
versions of one product (emag_product_history).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from dashboard import queries, ui

st.title("Changes")

last_run = ui.read(queries.LAST_RUN)
if last_run.empty:
    st.info("No run yet.")
    st.stop()
run = last_run.iloc[0]

KINDS = {"is_new": "New", "is_deletion": "Deleted", "has_price_change": "Price changed",
         "has_stock_change": "Stock changed", "has_status_change": "Status changed"}
WINDOWS = {
    "last-run": (f"The last run ({run['sync_mode']}, started"
                 f" {run['started_at']:%Y-%m-%d %H:%M} UTC)",
                 queries.CHANGES_IN_RUN, {"run_id": run["run_id"]}),
    "last-24h": ("The last 24 hours", queries.CHANGES_SINCE, {}),
}

changes: dict[str, pd.DataFrame] = {}
for key, (title, sql, params) in WINDOWS.items():
    changes[key] = ui.read(sql, params)
    frame = changes[key]
    st.subheader(title)
    accounts = sorted(frame["account"].unique()) if not frame.empty else []
    if not accounts:
        st.info("Nothing changed.")
    for account in accounts:
        rows = frame[frame["account"] == account]
        with st.container(key=f"{key}-{account}"):
            st.markdown(f"**{account}**")
            for column, (name, label) in zip(st.columns(len(KINDS) + 1),
                                             [("versions", "Versions"), *KINDS.items()],
                                             strict=True):
                value = len(rows) if name == "versions" else int(rows[name].sum())
                column.metric(label, ui.number(value))

st.subheader("What changed")
window = st.radio("Window", list(WINDOWS), horizontal=True, key="window",
                  format_func=lambda key: WINDOWS[key][0])
shown = changes[window].copy()
if not shown.empty:
    shown["change"] = shown[list(KINDS)].apply(
        lambda flags: ", ".join(KINDS[name].lower() for name in KINDS if flags[name])
        or "other fields", axis=1)
    for column in ("previous_offer_status", "offer_status"):
        shown[column] = shown[column].map(ui.status_labels())
    shown = shown[["account", "product_id", "part_number", "product_name", "changed_at",
                   "change", "previous_sale_price", "sale_price", "previous_general_stock",
                   "general_stock", "previous_offer_status", "offer_status", "run_id"]]
ui.table(shown, "changes-table", "Nothing changed.")

st.subheader("One product's history")
candidates = changes["last-24h"]
# the most changed first: the default is the product with the most versions in the window
choices = [] if candidates.empty else [
    (account, int(product_id)) for (account, product_id), _ in
    candidates.groupby(["account", "product_id"]).size().sort_values(
        ascending=False, kind="stable").items()]
pick, typed = st.columns([2, 1])
chosen = pick.selectbox("A product changed in the last 24 hours", choices, key="product",
                        format_func=lambda item: f"{item[0]} / {item[1]}") if choices else None
by_id = typed.text_input("or account/product id", key="product-id",
                         placeholder="main/130")
if by_id and "/" in by_id:
    # the id after the last /: a seller's accounts are acme/main
    account, _, product = by_id.rpartition("/")
    if product.strip().isdigit():
        chosen = (account.strip(), int(product))
if chosen is None:
    st.info("No product to show: pick one by its id.")
    st.stop()

history = ui.read(queries.PRODUCT_HISTORY, {"account": chosen[0], "product_id": chosen[1]})
if history.empty:
    st.warning(f"No product {chosen[1]} in account {chosen[0]}.")
    st.stop()
live = history[~history["is_deleted"]]
# each version holds from valid_from to the next one: a step line, the live one extended to now
now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
steps = pd.concat([live[["valid_from", "sale_price", "general_stock"]],
                   live.tail(1).assign(valid_from=now)
                   if not history["is_deleted"].iloc[-1] else live.head(0)])
figure = make_subplots(specs=[[{"secondary_y": True}]])
figure.add_trace(go.Scatter(x=steps["valid_from"], y=steps["sale_price"], name="price",
                            line_shape="hv", mode="lines+markers"), secondary_y=False)
figure.add_trace(go.Scatter(x=steps["valid_from"], y=steps["general_stock"], name="stock",
                            line_shape="hv", mode="lines+markers"), secondary_y=True)
latest = history.iloc[-1]
figure.update_layout(title=f"{chosen[0]} / {chosen[1]}: {latest['part_number']}"
                           f" {latest['product_name']}")
figure.update_yaxes(title_text="price (without VAT)", secondary_y=False)
figure.update_yaxes(title_text="stock", secondary_y=True, rangemode="tozero", tickformat=",d")
st.plotly_chart(figure, key="chart-product-history")
history["offer_status"] = history["offer_status"].map(ui.status_labels())
ui.table(history, "product-history-table", "No versions.")
