"""Time shifting: run a flexible job when the grid is cleaner (Flexible Start, Pause and Resume)."""

from __future__ import annotations

import streamlit as st

from app import jobpage, shifting, widgets

st.title("Time shifting")
st.caption(
    "A job that may finish later can start when the grid is cleaner (Flexible Start) or pause "
    "through dirty hours (Pause and Resume), as in Dodge et al. (2022), Section 5."
)

figures = widgets.top_slot()  # the next hours' figures, above the job line and the series they follow
page = shifting.open_options()
ready = shifting.settle(page)  # the series, year and zone from the session, before their inputs
start = shifting.next_hours_start(ready, page, figures) if ready is not None else None
shifting.job_line(page)
chosen = shifting.choose_series(page, ready)
period = shifting.choose_period(chosen, page, ready)
timezone = shifting.choose_timezone(page)
shifting.next_hours_panel(shifting.Ready(chosen, period, timezone), page, figures, start)

st.subheader("What if: a submission time in the series")
job = shifting.job_inputs(chosen, period, timezone, page)
result = shifting.shifted(chosen, period, job)
jobpage.publish(shifting.OPTIONS)
shifting.one_job_panel(chosen, job, result, timezone)
shifting.distribution_panel(period, job)
shifting.heatmap_panel(period, job)
shifting.profiles_panel(chosen, period, timezone)

st.info(
    "These figures differ from Dodge et al. (2022), Tables 4-5: they used marginal (WattTime) "
    "intensities of 2020 for cloud regions; these are average intensities of other grids and years. "
    "Compare the pattern (Flexible Start helps short jobs most, Pause and Resume long ones), not the "
    'numbers. Reference: Dodge et al. (2022), "Measuring the Carbon Intensity of AI in Cloud '
    'Instances", FAccT, https://arxiv.org/abs/2206.05229'
)
