"""Opening the app's pages in AppTest, as the page tests do: one place for the entry and timeout."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "app" / "streamlit_app.py"
TIMEOUT = 60


def routed(page: str, query: dict[str, str | list[str]] | None = None) -> AppTest:
    """The app opened at its root, then ``page`` (a file in ``app/views``) with ``query``, as
    a user who follows the menu and then edits the address bar; no exception allowed."""
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT).run()
    at.switch_page(f"views/{page}")
    at.query_params.clear()
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def opened(page: str, query: dict[str, str] | None = None) -> AppTest:
    """A fresh session whose first request is ``/<page>?<query>``; no exception allowed."""
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    at.switch_page(f"views/{page}")
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, at.exception
    return at
