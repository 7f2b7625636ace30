"""Calculator: the footprint of one job, explained, with its greener alternative."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.engine import scenario
from app.engine.equivalents import equivalents
from app.engine.whatif import LOW_CARBON_THRESHOLD_G_PER_KWH
from app.errors import WattprintError
from app.ui import cached, components, state, widgets

st.title("Energy and carbon of an ML job")
st.caption(
    "Estimates from published hardware power, data-centre PUE and grid carbon intensity. "
    "Every figure below lists its source and year."
)
job = state.open_page(edits_job=True)
widgets.year_choices()
state.publish()  # the widgets' values are in the session before they are drawn
widgets.sticky_result()
inputs_col, result_col = st.columns([1, 1.15], gap="large")
with result_col, st.container(key="job_result"):  # drawn first: the result updates first
    result = widgets.job_result(job)
    if result is not None:
        widgets.headline(result)
with inputs_col:
    widgets.job_inputs()
st.session_state["calc_spec"] = result.built.spec if result else None
if result is None:
    st.session_state["calc_result"] = None
    st.stop()

footprint, greener, serving_fp = result.footprint, result.greener, result.serving
st.session_state["calc_result"] = {
    "energy_kwh": footprint.energy_kwh,
    "co2e_kg": footprint.co2e_kg,
    "total_co2e_kg": footprint.total_co2e_kg,
    "co2e_kg_low": footprint.range.co2e_kg_low,
    "co2e_kg_high": footprint.range.co2e_kg_high,
    "embodied_co2e_kg": footprint.embodied_co2e_kg,
    "device_hours": footprint.device_hours,
    "greener_region": greener.region_id if greener else None,
    "greener_co2e_kg": greener.co2e_kg if greener else None,
    "greener_any_region": result.greener_any_provider.region_id if result.greener_any_provider else None,
    "serving_co2e_kg": serving_fp.co2e_kg if serving_fp else None,
    "serving_energy_kwh": serving_fp.energy_kwh if serving_fp else None,
}

details_col, share_col = st.columns([2, 1], gap="large")
with details_col:
    serving = result.built.serving
    if serving_fp is not None and serving is not None:
        st.subheader("Training and serving")
        a, b = st.columns(2)
        a.metric("Training", components.kg(footprint.co2e_kg))
        b.metric(f"Serving, {components.num(serving.days)} days", components.kg(serving_fp.co2e_kg))
        share = serving_fp.co2e_kg / (serving_fp.co2e_kg + footprint.co2e_kg or 1.0)
        st.caption(
            f"{components.num(serving.requests_per_day)} requests/day × "
            f"{components.num(serving.wh_per_request)} Wh ({result.built.serving_source}) × "
            f"{components.num(serving.days)} days = {components.kwh(serving_fp.energy_kwh)} with PUE. "
            f"Serving is {share:.0%} of the total; Patterson et al. (2021) report most ML energy "
            "goes to inference."
        )
    st.subheader("Everyday equivalents")
    eq = equivalents(footprint.total_co2e_kg, footprint.intensity_g_per_kwh)
    cols = st.columns(2)
    for index, item in enumerate(eq):
        cols[index % 2].metric(
            widgets.EQUIVALENT_LABELS.get(item.unit, item.unit),
            components.num(item.count),
            help=f"{item.name}: {item.factor}",
        )
    with st.expander("Equivalence factors and sources"):
        st.table(
            components.plain_table(
                pd.DataFrame(
                    [
                        {"equivalent": e.name, "factor": e.factor, "source": e.source, "year": e.year}
                        for e in eq
                    ]
                ).set_index("equivalent")
            )
        )
    st.subheader("Assumptions")
    rows = [
        {
            "assumption": a.name,
            "value": components.num(a.value) if isinstance(a.value, (int, float)) else a.value,
            "unit": a.unit,
            "source": a.source,
            "year": str(a.year) if a.year else "–",
        }
        for a in (*footprint.assumptions, *result.built.flops_assumptions)
    ]
    st.table(components.plain_table(pd.DataFrame(rows).set_index("assumption")))
    st.caption(
        f"{components.LOW_CARBON_ICON} marks grids at or below {LOW_CARBON_THRESHOLD_G_PER_KWH:.0f} "
        "g CO₂e/kWh (Google Cloud's 'Low CO₂' threshold)."
    )

with share_col:
    st.subheader("Share this scenario")
    st.caption("The address bar holds every input, on every page: copy the link to share this exact job.")
    scenario_json = scenario.dumps(result.built.spec, state.to_params(job))
    st.session_state["calc_scenario_json"] = scenario_json
    st.download_button(
        "Download scenario (JSON)",
        lambda: scenario_json,
        file_name="wattprint-scenario.json",
        mime="application/json",
        key="calc_download",
        on_click="ignore",
    )
    upload = st.file_uploader("Load a scenario file", type=["json"], key="calc_upload")
    if upload is not None and st.session_state.get("calc_upload_done") != upload.file_id:
        try:
            spec, inputs = scenario.load_scenario(upload.getvalue())
            restored, problems = state.parse_params(
                inputs or state.inputs_from_spec(spec, cached.databases())
            )
        except WattprintError as error:
            st.error(components.plain(f"Could not load {upload.name}: {error}"))
        else:
            st.session_state["calc_upload_done"] = upload.file_id
            st.session_state[state.PENDING_KEY] = {**state.DEFAULTS, **restored}
            st.session_state["calc_url_problems"] = problems
            st.rerun()
