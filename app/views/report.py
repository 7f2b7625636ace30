"""Report page: the shared job's paper statement, BibTeX, model-card YAML, JSON and badge."""

from __future__ import annotations

import dataclasses
import json

import streamlit as st

from app import cached, components, jobpage, report_parts, segment_inputs, state, widgets
from wattprint.engine import report
from wattprint.engine.footprint import footprint_to_dict
from wattprint.errors import WattprintError

# Each format: (label, file name, mime type, st.code language)
FORMATS = {
    "markdown": ("Markdown", "wattprint-statement.md", "text/markdown", "markdown"),
    "latex": ("LaTeX", "wattprint-statement.tex", "application/x-tex", "latex"),
    "bibtex": ("BibTeX", "references.bib", "application/x-bibtex", "bibtex"),
    "model-card": ("Model card", "model-card.yaml", "application/yaml", "yaml"),
    "json": ("JSON", "wattprint-report.json", "application/json", "json"),
}
OPTIONS = state.PageOptions(
    "report",
    {
        "format": state.InputField("markdown", tuple(FORMATS)),
        "social_cost": state.InputField(False),
        "training_type": state.InputField("pre-training", ("pre-training", "fine-tuning")),
        "ran_in": state.InputField("unknown", ("unknown", *map(str, range(2010, 2031)))),
    },
)

st.title("Report")
st.caption(
    "A paragraph for a paper, with its references, for the job below: the same job as the "
    "calculator's, and every input the statement depends on."
)
figures = widgets.top_slot()  # the statement's figures, above the inputs they follow
job = jobpage.open_page(OPTIONS, edits_job=True)
widgets.year_choices()
jobpage.publish(OPTIONS)  # the widgets' values are in the session before they are drawn
inputs_col, result_col = st.columns([1, 1.3], gap="large")
made = None
with result_col:  # first: the figures show before the inputs' code has loaded
    result = widgets.job_result(job)  # None, with the reason shown, when the job cannot be computed
    try:
        if result is not None:
            made = report_parts.statement_of(result, st.session_state[OPTIONS.store], cached.databases())
    except WattprintError as error:
        st.error(components.plain(error))
    if made is not None and result is not None:
        statement, footprint = made
        mid = statement.central
        assert mid is not None
        with figures:
            st.subheader(components.job_title(result, cached.databases()), anchor=False)
            a, b = st.columns(2)
            a.metric("Operational CO₂e (central)", components.kg(mid.co2e_kg))
            b.metric("Energy (facility, central)", components.kwh(mid.energy_kwh))
            st.caption(report_parts.range_caption(mid, footprint))
        widgets.let_browser_draw("report")
with inputs_col:
    widgets.job_inputs(("hardware", "duration", "power", "location"))
    segment_inputs.segment_inputs()
    with st.container(border=True):
        st.subheader("Statement", anchor=False)
        st.selectbox(
            "Year the work ran",
            OPTIONS.fields["ran_in"].choices or (),
            key=OPTIONS.key("ran_in"),
            format_func=lambda y: "Not given (the latest grid year)" if y == "unknown" else y,
            help="The grid figure of that year, or the latest published before it; the statement says which.",
        )
        st.radio(
            "Training type (model card)",
            ["pre-training", "fine-tuning"],
            key=OPTIONS.key("training_type"),
            horizontal=True,
        )
        st.toggle("Add the social cost of carbon (US EPA 2023)", key=OPTIONS.key("social_cost"))
if made is None or result is None:
    st.stop()

with result_col:
    widgets.embodied_part(footprint, mid.co2e_kg)  # the range, and each part (devices, host) on its line
    # each segment priced as the statement prices it (the grid year of the year the work ran)
    segment_inputs.segment_table(dataclasses.replace(result, footprint=footprint), report_parts.SEGMENTS_NOTE)
    with st.container(border=True):
        st.markdown(statement.markdown)
    data = report.statement_to_dict(statement)
    data["footprint"] = footprint_to_dict(footprint)
    texts = {
        "markdown": report.markdown_document(statement),
        "latex": report.latex_document(statement),
        "bibtex": statement.bibtex,
        "model-card": "---\n" + statement.model_card + "---\n",
        "json": json.dumps(data, indent=2, sort_keys=True) + "\n",
    }
    st.session_state["report_texts"] = texts
    chosen = st.radio(  # a radio wraps on a phone, where a button row would be cut off
        "Format",
        list(FORMATS),
        key=OPTIONS.key("format"),
        format_func=lambda f: FORMATS[f][0],
        horizontal=True,
    )
    label, file_name, mime, language = FORMATS[chosen]
    st.code(texts[chosen], language=language, wrap_lines=True)
    st.caption("Copy with the button at the top right of the box, or download the file.")
    st.download_button(
        f"Download {label}",
        texts[chosen],
        file_name=file_name,
        mime=mime,
        key="report_download",
        on_click="ignore",
        icon=":material/download:",
    )
    with st.expander("Badge for a README"):
        st.image(statement.badge_svg)
        st.code(statement.badge_markdown, language="markdown", wrap_lines=True)
        st.download_button(
            "Download badge.svg",
            statement.badge_svg,
            "wattprint-badge.svg",
            key="report_badge_dl",
            on_click="ignore",
        )
