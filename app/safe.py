"""Show what a user supplied as plain text, and keep table exports formula-safe.

Streamlit renders Markdown in ``st.error``, ``st.warning``, ``st.info``, ``st.success``,
``st.caption``, ``st.markdown`` and in widget and expander labels: an image link in a file name,
a column name or a CodeCarbon cell (``![x](http://evil.example/cc.png)``) would make the browser
fetch it, and ``$...$``, ``:red[...]`` or a leading ``#`` would change how the text looks. Every
string that came from a user (an upload, its file name, a typed value, a link parameter, an
error message quoting any of these) goes through :func:`plain` or one of the helpers below.

Tables: ``st.dataframe`` draws cells on a canvas (no Markdown), but its toolbar's "Download as
CSV" writes cells as they are, ``=HYPERLINK(...)`` included, so that export is off
(``client.disableDataExport = true`` in ``.streamlit/config.toml``; Streamlit reads it when the
app starts, before any page script runs); pages offer their own download through
:func:`wattprint.db.exports.safe_csv`, which neutralises formula cells.

References
----------
.. [1] CommonMark Spec 0.31.2, section 2.4 "Backslash escapes": any ASCII punctuation character
   may be backslash-escaped. https://spec.commonmark.org/0.31.2/#backslash-escapes
.. [2] OWASP, "CSV Injection". https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd
import streamlit as st

from wattprint.db import exports

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
MAX_SHOWN_CHARS = 2_000
"""Longest user string shown in a message [characters]; the rest is cut with a note."""


def plain(text: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text`` escaped so Streamlit's Markdown shows it literally (no image, link, math or colour).

    Every ASCII punctuation character gets a backslash (CommonMark section 2.4); line breaks are
    kept as hard breaks; control characters other than tab and newline are dropped.
    """
    value = str(text)
    if len(value) > limit:
        value = value[:limit] + f" … ({len(value) - limit:,} more characters)"
    value = "".join(ch for ch in value if ch in "\t\n" or ch.isprintable())
    escaped = _ASCII_PUNCTUATION.sub(r"\\\1", value)
    return escaped.replace("\n", "  \n")


def chart_text(text: object) -> str:
    """``text`` for a plotly label, hover or legend: plotly draws a subset of HTML there (``<b>``,
    ``<a href>``, ``<br>``), so ``&``, ``<`` and ``>`` are escaped (plotly shows the entities as the
    characters; it would show ``&quot;`` as it is, so quotes stay)."""
    return html.escape(str(text), quote=False)


def chart_texts(values: pd.Series) -> pd.Series:
    """:func:`chart_text` of every value."""
    return values.astype(str).map(chart_text)


def error(text: object, **kwargs: Any) -> None:
    """``st.error`` of a user-influenced message, as plain text."""
    st.error(plain(text), **kwargs)


def warning(text: object, **kwargs: Any) -> None:
    """``st.warning`` of a user-influenced message, as plain text."""
    st.warning(plain(text), **kwargs)


def info(text: object, **kwargs: Any) -> None:
    """``st.info`` of a user-influenced message, as plain text."""
    st.info(plain(text), **kwargs)


def caption(text: object, **kwargs: Any) -> None:
    """``st.caption`` of a user-influenced text, as plain text."""
    st.caption(plain(text), **kwargs)


def parquet_download(frame: pd.DataFrame, label: str, file_name: str, key: str) -> None:
    """A download button of ``frame`` as Parquet (types kept; no formula risk in a typed file)."""
    from app.audit import parquet_bytes

    st.download_button(
        label,
        lambda: parquet_bytes(frame),
        file_name.replace(":", "_").replace("/", "_"),
        mime="application/vnd.apache.parquet",
        key=key,
        on_click="ignore",
    )


def csv_download(frame: pd.DataFrame, label: str, file_name: str, key: str) -> None:
    """A download button of ``frame`` as CSV, formula cells neutralised
    (:func:`wattprint.db.exports.safe_csv`): the table toolbar's own export is off, so each table
    offers this one."""
    st.download_button(
        label,
        lambda: exports.safe_csv(frame),
        file_name.replace(":", "_").replace("/", "_"),
        mime="text/csv",
        key=key,
        on_click="ignore",
    )
