"""Catalogue health: how many offers can sell, per account and over time, and which need work."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard import queries, ui

st.title("Catalogue health")

now = ui.read(queries.CATALOGUE_NOW)
if now.empty:
    st.info("No catalogue yet: run the pipeline once (`make demo`).")
    st.stop()

st.subheader("Today, per account")
FIGURES = {
    "products_total": "Offers",
    "products_active": "Active",
    "products_saleable": "Saleable",
    "products_in_stock": "In stock",
    "validation_approved": "Documentation approved",
    "validation_rejected": "Documentation rejected",
    "offers_invalid_price": "Invalid price",
    "buy_button_wins": "Buy-button wins",
    "offers_with_competitors": "With competitors",
    "gpsr_complete": "GPSR complete",
}
for row in now.to_dict("records"):
    with st.container(key=f"catalogue-{row['account']}", border=True):
        st.markdown(f"**{row['account']}**")
        total = row["products_total"] or 0
        for start in (0, 5):
            columns = st.columns(5)
            for column, (name, label) in zip(columns, list(FIGURES.items())[start:start + 5],
                                             strict=True):
                value = row[name] or 0
                share = None if name == "products_total" or not total else value / total
                column.metric(label, ui.number(value),
                              help=None if share is None else f"{share:.1%} of the offers")

left, right = st.columns(2)
status = now.melt(id_vars="account", var_name="status", value_name="offers", value_vars=[
    "products_active", "products_inactive", "products_end_of_life"])
status["status"] = status["status"].map({"products_active": "active",
                                         "products_inactive": "inactive",
                                         "products_end_of_life": "end of life"})
left.plotly_chart(px.bar(status, x="account", y="offers", color="status",
                         title="Offers by status"), key="chart-status")
validation = now.melt(id_vars="account", var_name="validation", value_name="offers",
                      value_vars=["validation_approved", "validation_pending",
                                  "validation_rejected"])
validation["validation"] = validation["validation"].str.removeprefix("validation_")
right.plotly_chart(px.bar(validation, x="account", y="offers", color="validation",
                          title="Offers by documentation validation"), key="chart-validation")

st.subheader("Over time")
by_day = ui.read(queries.CATALOGUE_BY_DAY)
trend = {"products_saleable": "saleable", "products_in_stock": "in stock",
         "buy_button_wins": "buy-button wins", "offers_with_competitors": "with competitors",
         "gpsr_complete": "GPSR complete", "products_active": "active"}
long = by_day.melt(id_vars=["account", "stat_date"], value_vars=list(trend),
                   var_name="figure", value_name="offers")
long["figure"] = long["figure"].map(trend)
over_time = px.line(long, x="stat_date", y="offers", color="figure", facet_col="account",
                    markers=True, labels={"stat_date": "day"},
                    title="Offers at the end of each day (today: now)")
over_time.for_each_annotation(lambda note: note.update(text=note.text.split("=")[-1]))
over_time.update_xaxes(tickformat="%Y-%m-%d", dtick=86_400_000)
st.plotly_chart(over_time, key="chart-over-time")

st.subheader("Needs attention")
attention = ui.read(queries.NEEDS_ATTENTION)
REASONS = {
    "has_invalid_price": "Invalid price",
    "has_rejected_documentation": "Documentation rejected",
    "is_active_out_of_stock": "Active, out of stock",
    "has_lost_buy_button": "Lost the buy button (24 h)",
}
for account in now["account"]:
    rows = attention[attention["account"] == account]
    with st.container(key=f"attention-{account}"):
        st.markdown(f"**{account}**")
        for column, (name, label) in zip(st.columns(len(REASONS)), REASONS.items(),
                                         strict=True):
            column.metric(label, ui.number(rows[name].sum() if not rows.empty else 0))
if not attention.empty:
    attention["reasons"] = attention[list(REASONS)].apply(
        lambda flags: ", ".join(REASONS[name].lower() for name in REASONS if flags[name]),
        axis=1)
shown = attention.drop(columns=list(REASONS), errors="ignore")
reason = st.selectbox("Show", ["every reason", *REASONS.values()], key="attention-reason")
if reason != "every reason" and not attention.empty:
    name = next(key for key, label in REASONS.items() if label == reason)
    shown = shown[attention[name]]
ui.table(shown, "attention-table", "Nothing needs attention.")
