"""The calculator's parts below the headline: serving, equivalents, assumptions, sharing.

Each function draws one part for a computed :class:`app.state.JobResult`; the rows they show
come from pure functions here (``result_summary``, ``equivalent_rows``, ``assumption_rows``),
tested without a browser.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app import cached, components, state, widgets
from wattprint.engine import scenario
from wattprint.engine.equivalents import equivalents
from wattprint.engine.whatif import LOW_CARBON_THRESHOLD_G_PER_KWH
from wattprint.errors import WattprintError


def result_summary(result: state.JobResult) -> dict[str, Any]:
    """The figures other pages (Report, Published footprints) read of the calculator's job."""
    footprint, greener, serving = result.footprint, result.greener, result.serving
    return {
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
        "serving_co2e_kg": serving.co2e_kg if serving else None,
        "serving_energy_kwh": serving.energy_kwh if serving else None,
    }


def equivalent_rows(items: Any) -> pd.DataFrame:
    """Each everyday equivalent's factor, source and year, indexed by its name."""
    rows = [{"equivalent": e.name, "factor": e.factor, "source": e.source, "year": e.year} for e in items]
    return pd.DataFrame(rows).set_index("equivalent")


def assumption_rows(result: state.JobResult) -> pd.DataFrame:
    """Every assumption of the estimate (and of its FLOPs duration) with unit, source and year."""
    rows = [
        {
            "assumption": a.name,
            "value": components.num(a.value) if isinstance(a.value, (int, float)) else a.value,
            "unit": a.unit,
            "source": a.source,
            "year": str(a.year) if a.year else "–",
        }
        for a in (*result.footprint.assumptions, *result.built.flops_assumptions)
    ]
    return pd.DataFrame(rows).set_index("assumption")


def serving_part(result: state.JobResult) -> None:
    """Training beside serving, and how the serving figure was made (when serving is counted)."""
    footprint, serving_fp, serving = result.footprint, result.serving, result.built.serving
    if serving_fp is None or serving is None:
        return
    from wattprint.engine.inference import serving_tradeoff

    st.subheader("Training and serving")
    a, b = st.columns(2)
    a.metric("Training", components.kg(footprint.co2e_kg))
    b.metric(f"Serving, {components.num(serving.days)} days", components.kg(serving_fp.co2e_kg))
    trade = serving_tradeoff(
        footprint.energy_kwh, serving.wh_per_request, serving.requests_per_day, serving.days, serving_fp.pue
    )
    c, d = st.columns(2)
    c.metric("Energy per request", f"{serving.wh_per_request:.3g} Wh", help="IT energy, before PUE")
    d.metric(
        "Break-even",
        f"{components.num(trade.break_even_days)} days",
        help="Days of serving whose energy equals the training's (Patterson et al. 2021)",
    )
    share = serving_fp.co2e_kg / (serving_fp.co2e_kg + footprint.co2e_kg or 1.0)
    st.caption(
        f"{components.num(serving.requests_per_day)} requests/day × "
        f"{serving.wh_per_request:.3g} Wh ({components.plain(result.built.serving_source)}) × "
        f"{components.num(serving.days)} days = {components.kwh(serving_fp.energy_kwh)} with PUE. "
        f"Serving is {share:.0%} of the total; Patterson et al. (2021) report most ML energy "
        "goes to inference."
    )
    st.markdown(
        f"**Break-even:** serving uses as much energy as the training "
        f"({components.kwh(trade.training_energy_kwh)}) after "
        f"**{components.num(trade.break_even_days)} days** "
        f"({components.num(trade.break_even_requests)} requests) at this rate."
    )


def equivalents_part(result: state.JobResult) -> None:
    footprint = result.footprint
    st.subheader("Everyday equivalents")
    items = equivalents(footprint.total_co2e_kg, footprint.intensity_g_per_kwh)
    cols = st.columns(2)
    for index, item in enumerate(items):
        cols[index % 2].metric(
            widgets.EQUIVALENT_LABELS.get(item.unit, item.unit),
            components.num(item.count),
            help=f"{item.name}: {item.factor}",
        )
    with st.expander("Equivalence factors and sources"):
        st.table(components.plain_table(equivalent_rows(items)))


def assumptions_part(result: state.JobResult) -> None:
    st.subheader("Assumptions")
    st.table(components.plain_table(assumption_rows(result)))
    st.caption(
        f"{components.LOW_CARBON_ICON} marks grids at or below {LOW_CARBON_THRESHOLD_G_PER_KWH:.0f} "
        "g CO₂e/kWh (Google Cloud's 'Low CO₂' threshold)."
    )


def share_part(result: state.JobResult, job: dict[str, Any]) -> None:
    """Download the scenario, or load one (which replaces the job on the next run)."""
    st.subheader("Share this scenario")
    st.caption("The address bar holds every input, on every page: copy the link to share this exact job.")
    scenario_json = scenario.dumps(result.built.spec, state.to_params(job), result.segments)
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
    if upload is None or st.session_state.get("calc_upload_done") == upload.file_id:
        return
    try:
        spec, inputs = scenario.load_scenario(upload.getvalue())
        restored, problems = state.parse_params(inputs or state.inputs_from_spec(spec, cached.databases()))
    except WattprintError as error:
        st.error(components.plain(f"Could not load {upload.name}: {error}"))
        return
    st.session_state["calc_upload_done"] = upload.file_id
    st.session_state[state.PENDING_KEY] = {**state.DEFAULTS, **restored}
    st.session_state["calc_url_problems"] = problems
    st.rerun()  # the whole app: the link and the inputs take the loaded job
