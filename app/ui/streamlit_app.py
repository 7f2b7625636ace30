"""Entry file of the web app: ``streamlit run app/ui/streamlit_app.py`` (or ``make run``)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGES = Path(__file__).with_name("views")

st.set_page_config(page_title="wattprint", page_icon="🌱", layout="wide")

# One entry per page: (file in views/, title, icon, url path). The first is the default page.
PAGE_LIST = [
    ("calculator.py", "Calculator", "🧮", "calculator"),
    ("compare.py", "Compare regions", "🌍", "compare"),
    ("picker.py", "Region picker", "📍", "picker"),
    ("hardware.py", "Hardware", "🖥️", "hardware"),
    ("regions.py", "Regions", "🗺️", "regions"),
    ("timeshift.py", "Time shifting", "⏱️", "timeshift"),
    ("measure.py", "Measure", "🔌", "measure"),
    ("report.py", "Report", "📝", "report"),
    ("batch.py", "Batch audit", "📦", "batch"),
    ("codecarbon.py", "CodeCarbon import", "🌿", "codecarbon"),
    ("published.py", "Published footprints", "📚", "published"),
    ("database.py", "Your database", "🗄️", "database"),
]

navigation = st.navigation(
    [
        st.Page(str(PAGES / file), title=title, icon=icon, url_path=path, default=index == 0)
        for index, (file, title, icon, path) in enumerate(PAGE_LIST)
        if (PAGES / file).exists()
    ]
)
navigation.run()
