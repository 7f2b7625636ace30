"""Entry file of the web app: ``streamlit run app/streamlit_app.py`` (or ``make run``)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGES = Path(__file__).with_name("views")

st.set_page_config(
    page_title="wattprint", page_icon=str(Path(__file__).with_name("favicon.png")), layout="wide"
)

# One entry per page: (file in views/, title, icon, url path). The first is the default page.
PAGE_LIST = [
    ("calculator.py", "Calculator", ":material/calculate:", "calculator"),
    ("compare.py", "Compare regions", ":material/public:", "compare"),
    ("picker.py", "Region picker", ":material/place:", "picker"),
    ("hardware.py", "Hardware", ":material/memory:", "hardware"),
    ("regions.py", "Regions", ":material/map:", "regions"),
    ("timeshift.py", "Time shifting", ":material/schedule:", "timeshift"),
    ("measure.py", "Measure", ":material/electrical_services:", "measure"),
    ("report.py", "Report", ":material/description:", "report"),
    ("batch.py", "Batch audit", ":material/inventory_2:", "batch"),
    ("codecarbon.py", "CodeCarbon import", ":material/eco:", "codecarbon"),
    ("published.py", "Published footprints", ":material/menu_book:", "published"),
    ("database.py", "Your database", ":material/database:", "database"),
]

pages = [
    st.Page(str(PAGES / file), title=title, icon=icon, url_path=path)
    for file, title, icon, path in PAGE_LIST
    if (PAGES / file).exists()
]


def home() -> None:
    """The app's root opens the first page at its own path ("/calculator"), with the same query.

    Streamlit serves a default page at "/" only; a page of its own path is served at that path
    too, so "/calculator" as a first request is never a "Page not found"."""
    st.switch_page(pages[0], query_params=st.query_params.to_dict())


navigation = st.navigation([st.Page(home, title=PAGE_LIST[0][1], default=True, visibility="hidden"), *pages])
navigation.run()
