"""Write-back: what target-emag is to change on eMAG, and what eMAG answered.

The plan is the mart emag_offer_updates (the seller's winning values on the fields the dbt var
emag_write_fields allows), the answers the mart emag_offer_writes (target-emag's write log).
"""

from __future__ import annotations

import streamlit as st

from dashboard import queries, ui

st.title("Write-back")

plan_counts = ui.read(queries.PLAN_COUNTS)
plan = ui.read(queries.PLAN)
outcomes = ui.read(queries.LATEST_WRITE_OUTCOMES)
latest = ui.read(queries.LATEST_WRITES)
refused = ui.read(queries.REFUSED_WRITES)

st.subheader("The plan")
st.caption("Where your value won the conflict rules and differs from eMAG's, on the fields"
           " the dbt var `emag_write_fields` allows per account (none by default). target-emag"
           " sends these; a value eMAG confirmed after its last read is not planned again.")
with st.container(key="plan-figures"):
    for account, rows in plan_counts.groupby("account", sort=True):
        with st.container(key=f"plan-{account}"):
            st.markdown(f"**{account}**")
            figures = st.columns(max(len(rows), 1))
            for column, row in zip(figures, rows.itertuples(), strict=True):
                column.metric(str(row.field), ui.number(row.offers))
ui.table(plan, "plan", "Nothing to write to eMAG.")

st.subheader("Latest outcome per offer and field")
with st.container(key="write-outcomes"):
    for account, rows in outcomes.groupby("account", sort=True):
        with st.container(key=f"outcomes-{account}"):
            st.markdown(f"**{account}**")
            figures = st.columns(max(len(rows), 1))
            for column, row in zip(figures, rows.itertuples(), strict=True):
                column.metric(str(row.outcome), ui.number(row.offers))
ui.table(latest, "latest-writes", "target-emag has not written yet (or its log is in another"
         " schema: dbt var `emag_writes_schema`).")

st.subheader("Refused by eMAG (30 days)")
st.caption("eMAG's own message; a refused value is planned again while your value still wins.")
ui.table(refused, "refused-writes", "eMAG refused nothing in 30 days.")
