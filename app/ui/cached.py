"""Cache wrappers for the web app: the engine and databases stay free of Streamlit."""

from __future__ import annotations

import streamlit as st

from app.db.loader import Databases, load_databases


@st.cache_resource(show_spinner=False)
def databases() -> Databases:
    """Both databases, loaded and validated once per server process."""
    return load_databases()
