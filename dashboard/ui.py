"""What every page shares: the cached query, the connection error, and number formats.

Errors are shown here once, in words a seller can act on; the password never reaches the page
(db.Settings masks it, and the settings object never prints it).
"""

from __future__ import annotations

import datetime as dt
import math
import typing as t
from collections.abc import Mapping
from types import MappingProxyType

import pandas as pd
import psycopg
import streamlit as st

from dashboard import db, queries

# Queries are cached this long: a page refresh within it costs the database nothing, and a
# sync's results show within a minute (or at once, with "Reload data" in the sidebar).
CACHE_SECONDS = 60
# The sidebar's seller filter: its choice that means no filter, and where the choice is kept
# for the page that runs after the sidebar.
ALL_SELLERS = "all sellers"
_CHOSEN_SELLER = "chosen-seller"


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _cached(sql: str, params: tuple[tuple[str, t.Any], ...], settings: db.Settings,
            ) -> pd.DataFrame:
    return db.read(settings, sql, dict(params))


def settings() -> db.Settings:
    """The connection settings, or the page stops with the missing setting named."""
    try:
        return db.Settings.from_env()
    except db.SettingsError as error:
        st.error(str(error))
        st.stop()
        raise  # st.stop() raises; this keeps type checkers content


def seller() -> str | None:
    """The seller chosen in the sidebar; None for all sellers (or the only one)."""
    return t.cast("str | None", st.session_state.get(_CHOSEN_SELLER))


def read(sql: str, params: Mapping[str, t.Any] = MappingProxyType({})) -> pd.DataFrame:
    """Run a query of queries.py; on failure the page says what is wrong and stops.

    The query gets its named parameters and `seller`, the seller chosen in the sidebar.
    """
    current = settings()
    try:
        return _cached(sql, tuple(sorted({"seller": seller(), **params}.items())), current)
    except psycopg.errors.UndefinedTable:
        st.warning(f"The marts are not in schema `{current.schema}` yet: run the pipeline"
                   " once (`make demo`, or `meltano run tap-emag target-postgres dbt:run`).")
    except psycopg.OperationalError as error:
        st.error(f"Cannot reach Postgres at {current.host}:{current.port} (database"
                 f" `{current.dbname}`, user `{current.user}`): "
                 + current.hide_password(str(error).strip()))
    st.stop()
    raise RuntimeError  # not reached


def status_labels(kind: str = "offer_status") -> dict[int, str]:
    """Code -> label of one kind of eMAG code (emag_status_codes: dbt keeps the codes)."""
    labels = read(queries.STATUS_LABELS, {"kind": kind})
    return {int(code): str(label) for code, label in zip(labels["code"], labels["label"],
                                                         strict=True)}


def sidebar() -> None:
    """The seller filter, the reload button and where the data comes from.

    The filter shows when the marts hold more than one seller; the page, which runs after the
    sidebar, reads the choice (seller()).
    """
    current = settings()
    st.session_state[_CHOSEN_SELLER] = None
    sellers = read(queries.SELLERS)["seller"].tolist()
    with st.sidebar:
        if len(sellers) > 1:
            chosen = st.selectbox("Seller", [ALL_SELLERS, *sellers], key="seller")
            st.session_state[_CHOSEN_SELLER] = None if chosen == ALL_SELLERS else chosen
        st.caption(f"`{current.dbname}` on {current.host}:{current.port},"
                   f" schema `{current.schema}`")
        if st.button("Reload data", help=f"Queries are cached for {CACHE_SECONDS} s"):
            st.cache_data.clear()


def age(moment: dt.datetime | None) -> str:
    """How long ago a UTC time of the marts (no zone) was: '42 s ago', '7 min ago', '3 h ago'."""
    if moment is None or pd.isna(moment):
        return "never"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    seconds = max(0.0, (now - moment).total_seconds())
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return f"{int(seconds)} s ago"


def number(value: float | None, digits: int = 0) -> str:
    """1,234 or 12.5; an em dash for no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def table(frame: pd.DataFrame, key: str, empty: str, **options: t.Any) -> None:
    """A data table, or a line saying what its emptiness means."""
    with st.container(key=f"table-{key}"):
        if frame.empty:
            st.info(empty)
            return
        st.dataframe(frame, key=key, hide_index=True, width="stretch", **options)
