"""Sync health: is the pipeline running, how fast against the API floor, what failed and why."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import queries, ui

st.title("Sync health")

last = ui.read(queries.LAST_RUN_PER_ACCOUNT)
if last.empty:
    st.info("No sync has run yet: `make demo`, or `meltano run tap-emag target-postgres"
            " dbt:run`.")
    st.stop()

st.subheader("Last run per account")
st.caption("The API floor is the least time the run's reads take at the request rate it ran"
           " with (the tap's `requests_per_second`, eMAG's limit): pages for a scan, products"
           " re-read by id for a quick run.")
for row in last.itertuples():
    with st.container(key=f"last-run-{row.account}", border=True):
        st.markdown(f"**{row.account}** · {row.sync_mode} · {row.sync_status}")
        finished, duration, floor, speed = st.columns(4)
        finished.metric("Finished", ui.age(row.finished_at),
                        help=f"{row.finished_at:%Y-%m-%d %H:%M:%S} UTC")
        duration.metric("Duration", f"{ui.number(row.duration_seconds, 1)} s")
        floor.metric("Against the API floor",
                     "—" if pd.isna(row.api_floor_ratio) else f"{row.api_floor_ratio:.2f}x",
                     help=f"floor {ui.number(row.api_floor_seconds, 1)} s at"
                          f" {ui.number(row.requests_per_second, 1)} requests/s")
        speed.metric("Products/s", ui.number(row.products_per_second, 1))

by_kind = ui.read(queries.LAST_RUN_BY_KIND)
with st.expander("Last scan and last quick sync per account"):
    ui.table(by_kind.round({"duration_seconds": 1}), "last-by-kind", "No runs.")

st.subheader("The last 30 days")
runs = ui.read(queries.RUNS_LAST_30_DAYS)
if runs.empty:
    st.info("No run in the last 30 days.")
    st.stop()

totals = st.container(key="runs-30d")
with totals:
    count, failed, changes, throttled, retries = st.columns(5)
    count.metric("Runs", ui.number(len(runs)))
    failed.metric("Failed runs", ui.number((runs["sync_status"] == "failed").sum()))
    changes.metric("Products changed", ui.number(runs["products_changed"].sum()))
    throttled.metric("HTTP 429s", ui.number(runs["throttled_responses"].sum()))
    retries.metric("Retries", ui.number(runs["retries"].sum()))

duration = px.scatter(
    runs, x="started_at", y="duration_seconds", color="account", symbol="sync_mode",
    hover_data=["run_id", "sync_status", "api_floor_seconds", "products_per_second"],
    labels={"started_at": "started (UTC)", "duration_seconds": "duration (s)"},
    title="Duration of each run (markers) against its API floor (lines)",
)
for account, rows in runs.groupby("account"):
    duration.add_scatter(x=rows["started_at"], y=rows["api_floor_seconds"], mode="lines",
                         line={"dash": "dot"}, name=f"{account} floor")
st.plotly_chart(duration, key="chart-duration")

measures = {"products_changed": "products changed", "throttled_responses": "HTTP 429s",
            "retries": "retries", "failed_runs": "failed runs"}
# the same 30 days of runs, summed per day (UTC) and account
by_day = (runs.assign(day=runs["started_at"].dt.normalize(),
                      failed_runs=runs["sync_status"].eq("failed"))
          .groupby(["day", "account"], as_index=False)[list(measures)].sum())
long = by_day.melt(id_vars=["day", "account"], value_vars=list(measures),
                   var_name="measure", value_name="count")
long["measure"] = long["measure"].map(measures)
per_day = px.bar(long, x="day", y="count", color="account", barmode="group",
                 facet_row="measure", height=620, title="Per day",
                 labels={"day": "day (UTC)"})
per_day.update_yaxes(matches=None)
per_day.update_xaxes(tickformat="%Y-%m-%d", dtick=86_400_000)
per_day.for_each_annotation(lambda note: note.update(text=note.text.split("=")[-1]))
st.plotly_chart(per_day, key="chart-per-day")

st.subheader("Errors of failed runs")
failures = ui.read(queries.FAILED_RUNS)
ui.table(failures, "failed-runs",
         "No failed or partial run in the last 30 days.",
         column_config={"error_messages": st.column_config.TextColumn("errors", width="large")})
