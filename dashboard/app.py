"""The eMAG dashboard: `meltano invoke dashboard:serve` (or `make dashboard`) runs this file.

One Streamlit app, one page per question a seller asks; each page reads the dbt marts through
queries.py. Streamlit is served on 127.0.0.1 only and loads nothing from the internet.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run` puts this file's folder on sys.path, not the project's: the pages import
# the dashboard's modules as the package `dashboard`, from the project folder.
PROJECT = str(Path(__file__).resolve().parent.parent)
if PROJECT not in sys.path:
    sys.path.insert(0, PROJECT)

from dashboard import ui  # noqa: E402

st.set_page_config(page_title="eMAG dashboard", page_icon=":bar_chart:", layout="wide")

# The page scripts are in views/, not pages/: Streamlit treats a pages/ folder next to the
# main script as an old-style multipage app and would run a deep link (/conflicts) without
# this file, hence without the sys.path above.
PAGES = [
    st.Page("views/sync_health.py", title="Sync health", icon=":material/sync:", default=True),
    st.Page("views/catalogue.py", title="Catalogue health", icon=":material/inventory_2:",
            url_path="catalogue"),
    st.Page("views/accounts.py", title="MAIN vs FBE", icon=":material/compare_arrows:",
            url_path="accounts"),
    st.Page("views/changes.py", title="Changes", icon=":material/history:",
            url_path="changes"),
    st.Page("views/conflicts.py", title="Conflicts", icon=":material/rule:",
            url_path="conflicts"),
    st.Page("views/write_back.py", title="Write-back", icon=":material/upload:",
            url_path="write-back"),
]

navigation = st.navigation(PAGES)
ui.sidebar()
navigation.run()
