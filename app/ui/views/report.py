"""Report page: paper statement, BibTeX, model-card YAML and badge for one job."""

from __future__ import annotations

import streamlit as st

from app.engine import report
from app.engine.footprint import estimate
from app.engine.jobspec import JobSpec, resolve
from app.errors import WattprintError
from app.ui import safe
from app.ui.cached import databases

st.title("Report")
db = databases()
hardware = st.selectbox("Hardware", sorted(db.hardware.devices), key="report_hardware")
count = st.number_input("Devices", min_value=1, value=8, key="report_count")
hours = st.number_input("Hours (wall clock)", min_value=0.0, value=72.0, key="report_hours")
region = st.selectbox("Region", sorted(db.regions.regions), key="report_region")
social = st.checkbox("Social cost of carbon (US EPA 2023)", key="report_social")
try:
    spec = JobSpec(hardware=hardware, count=float(count), hours=float(hours), region=region)
    footprint = estimate(resolve(spec, db))
    result = report.statement(spec, footprint, db, social_cost=social)
except WattprintError as error:
    safe.error(error)
    st.stop()
st.subheader("Statement (Markdown)")
st.code(report.markdown_document(result), language="markdown")
st.subheader("LaTeX")
st.code(report.latex_document(result), language="latex")
st.subheader("BibTeX")
st.code(result.bibtex, language="bibtex")
st.subheader("Hugging Face model card")
st.code("---\n" + result.model_card + "---", language="yaml")
st.subheader("Badge")
st.image(result.badge_svg)
st.code(result.badge_markdown, language="markdown")
st.download_button("Download badge.svg", result.badge_svg, "wattprint-badge.svg", key="report_badge_dl")
st.download_button("Download references.bib", result.bibtex, "references.bib", key="report_bib_dl")
