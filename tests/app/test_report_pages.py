"""Smoke test: the report, batch and published pages run without exception."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import MINI_DB, ROOT


@pytest.mark.parametrize("page", ["report", "published", "batch"])
def test_page_runs(page: str, monkeypatch) -> None:
    # On the tiny fixture database (its own regions, no Electricity Maps figures); the app's caches
    # are emptied before and after, so no other test sees this database.
    monkeypatch.setenv("WATTPRINT_DB_DIR", str(MINI_DB))
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        app = AppTest.from_file(str(ROOT / "app" / "views" / f"{page}.py"), default_timeout=60).run()
        assert not app.exception, [e.value for e in app.exception]
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
