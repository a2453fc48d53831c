"""Conflicts: where eMAG and the seller's own data disagree and a person has to decide."""

from __future__ import annotations

import streamlit as st

from dashboard import queries, ui

st.title("Conflicts")

counts = ui.read(queries.CONFLICT_COUNTS)
open_conflicts = ui.read(queries.OPEN_CONFLICTS)

with st.container(key="conflict-figures"):
    figures = st.columns(3)
    for column, status, label in zip(figures, ("open", "resolved", "auto_resolved"),
                                     ("Open (waiting for you)", "Decided by you",
                                      "Settled by the strategy"), strict=True):
        column.metric(label, ui.number(counts.loc[counts["status"] == status,
                                                  "conflicts"].sum()))

st.subheader("Open conflicts")
st.caption("Under the `manual` strategy (EMAG_CONFLICT_STRATEGY, or `conflict_strategy` on the"
           " product in local.products) a product keeps its last resolved value until you"
           " decide which side wins.")
ui.table(open_conflicts, "open-conflicts", "No conflict waits for a decision.")

if not open_conflicts.empty:
    st.subheader("Decide one")
    labels = [f"{row.account} / {row.product_id} ({row.part_number}): {row.field}"
              for row in open_conflicts.itertuples()]
    chosen = st.selectbox("Conflict", range(len(labels)), format_func=labels.__getitem__,
                          key="conflict")
    row = open_conflicts.iloc[chosen]
    emag_side, local_side = st.columns(2)
    emag_side.markdown("**eMAG's value**")
    emag_side.code(str(row["emag_value"]), language=None, wrap_lines=True)
    local_side.markdown("**Your value** (local.products)")
    local_side.code(str(row["local_value"]), language=None, wrap_lines=True)
    winner = st.radio("Keep", ["emag", "local"], horizontal=True, key="winner",
                      format_func={"emag": "eMAG's value", "local": "your value"}.get)
    st.markdown("Record the decision in Postgres (the dashboard only reads); the next"
                " `dbt:run` applies it and the conflict becomes *resolved*:")
    st.code(
        "insert into local.product_conflict_resolutions"
        " (account, product_id, field, winner, decided_by)\n"
        f"values ('{row['account']}', {row['product_id']}, '{row['field']}', '{winner}',"
        " 'you@example.com');",
        language="sql")
    st.caption("Then `meltano invoke dbt:run` (or wait for the next sync). If either side"
               " changes later, a new conflict opens.")
