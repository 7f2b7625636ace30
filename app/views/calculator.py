"""Calculator: the footprint of one job, explained, with its greener alternative."""

from __future__ import annotations

import streamlit as st

from app import job_details, jobpage, segment_inputs, widgets

st.title("Energy and carbon of an ML job")
st.caption(
    "Estimates from published hardware power, data-centre PUE and grid carbon intensity. "
    "Every figure below lists its source and year."
)


@st.fragment
def job_page() -> None:
    """Inputs, result and details. A change reruns only this part (not the menu or the title), so
    the result follows an edit at once."""
    job = jobpage.open_page(edits_job=True)
    widgets.year_choices()
    jobpage.publish()  # the widgets' values are in the session before they are drawn
    bar = st.container(key="phone_bar")  # the headline on a phone, where the result is far below
    inputs_col, result_col = st.columns([1, 1.15], gap="large")
    with result_col, st.container(key="job_result"):  # drawn first: the result updates first
        result = widgets.job_result(job)
        if result is not None:
            widgets.headline(result)
            segment_inputs.segment_table(result)
    widgets.phone_bar(bar, result)
    widgets.let_browser_draw("calculator", widgets.SHORT_DRAW_PAUSE_S)  # the parts, then the inputs
    widgets.sticky_result()  # its style element's code loads on first use: after the headline
    with inputs_col:
        widgets.job_inputs()
        segment_inputs.segment_inputs()
    st.session_state["calc_spec"] = result.built.spec if result else None
    st.session_state["calc_result"] = job_details.result_summary(result) if result else None
    if result is None:
        return
    details_col, share_col = st.columns([2, 1], gap="large")
    with details_col:
        job_details.serving_part(result)
        job_details.equivalents_part(result)
        job_details.assumptions_part(result)
    with share_col:
        job_details.share_part(result, job)


job_page()
