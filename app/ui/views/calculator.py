"""Calculator: the footprint of one job, explained, with its greener alternative."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app.engine import scenario
from app.engine.equivalents import equivalents
from app.engine.flops import PRECISIONS, serving_job
from app.engine.footprint import estimate
from app.engine.jobspec import DEFAULT_PUE, DEFAULT_PUE_SOURCE, resolve
from app.engine.whatif import LOW_CARBON_THRESHOLD_G_PER_KWH, compare_regions, greenest_alternative
from app.errors import WattprintError
from app.ui import cached, components, state

# Wall-clock hours above which the calculator asks the user to check the unit (10 years).
LONG_JOB_HOURS = 87_600.0

dbs = cached.databases()
hardware_labels = cached.hardware_labels()
region_labels = cached.region_labels()
all_regions = cached.region_frame(None)
cloud_ids = sorted(all_regions.loc[all_regions["kind"] == "cloud", "id"])
grid_ids = sorted(all_regions.loc[all_regions["kind"] != "cloud", "id"])
K = state.widget_key

# ---- state: query string on first load, then the saved inputs (they survive page switches) ----
saved: dict[str, Any] = st.session_state.setdefault(state.SAVED_KEY, dict(state.DEFAULTS))
if "calc_query_loaded" not in st.session_state:
    st.session_state["calc_query_loaded"] = True
    from_url, problems = state.parse_params(st.query_params.to_dict())
    saved.update(from_url)
    st.session_state["calc_url_problems"] = problems
    for name in from_url:
        st.session_state.pop(K(name), None)
pending = st.session_state.pop("calc_pending_inputs", None)
if pending is not None:
    saved.update(pending)
    for name in pending:
        st.session_state.pop(K(name), None)
for name in state.FIELDS:
    if K(name) not in st.session_state:
        st.session_state[K(name)] = saved.get(name, state.DEFAULTS[name])
# Ids from a link or file that the databases do not know fall back to the defaults, said inline.
for name, valid in (("hardware", hardware_labels), ("region", cloud_ids), ("grid", grid_ids)):
    if st.session_state[K(name)] not in valid:
        st.session_state.setdefault("calc_url_problems", []).append(
            f"unknown {name} {str(st.session_state[K(name)])[:60]!r}; using {state.DEFAULTS[name]}"
        )
        st.session_state[K(name)] = state.DEFAULTS[name]

st.title("Energy and carbon of an ML job")
st.caption(
    "Estimates from published hardware power, data-centre PUE and grid carbon intensity. "
    "Every figure below lists its source and year."
)
for problem in st.session_state.pop("calc_url_problems", []):
    st.warning(components.plain(f"Link: {problem}"))
headline = st.container()
inputs_col, details_col = st.columns([1, 1.35], gap="large")

LABELS = {
    "database": "From the database",
    "custom": "Custom watts",
    "hours": "Hours (wall clock)",
    "device_hours": "Device-hours",
    "flops": "From FLOPs",
    "params_tokens": "Parameters × tokens",
    "total": "Total FLOPs",
    "training": "Training (6ND)",
    "inference": "Inference (2ND)",
    "tdp": "TDP × utilisation",
    "measured": "Measured average draw",
    "default": "Provider / default",
    "included": "Already included",
    "cloud": "Cloud region",
    "grid": "Country or grid",
    "none": "Not counted",
}
EQUIVALENT_LABELS = {
    "km": "Km by car",
    "flights": "Paris → New York flights",
    "charges": "Smartphone charges",
    "tree-months": "Tree-months of CO₂ uptake",
}


def label(value: str) -> str:
    return LABELS.get(value, value)


with inputs_col:
    with st.container(border=True):
        st.subheader("Hardware")
        hw_mode = st.radio(
            "Power from", ["database", "custom"], format_func=label, key=K("hw_mode"), horizontal=True
        )
        if hw_mode == "database":
            hardware = st.selectbox(
                "Accelerator (type to search)",
                list(hardware_labels),
                format_func=lambda key: hardware_labels.get(key, key),
                key=K("hardware"),
            )
            device = dbs.hardware.get(hardware)
            st.caption(f"TDP {device.tdp_w.value:,.0f} W · {device.vendor} {device.kind}")
        else:
            device = None
            st.number_input("Average draw per device (W)", min_value=0.0, step=10.0, key=K("custom_w"))
        st.number_input("Number of devices", min_value=1, max_value=1_000_000, step=1, key=K("count"))

    with st.container(border=True):
        st.subheader("Duration")
        duration = st.radio(
            "Give the duration as",
            ["hours", "device_hours", "flops"],
            format_func=label,
            key=K("duration"),
            horizontal=True,
        )
        if duration == "hours":
            typed_hours = st.number_input("Hours (wall clock)", min_value=0.0, step=1.0, key=K("hours"))
            if typed_hours > LONG_JOB_HOURS:
                st.warning(
                    f"{typed_hours:,.0f} h is {typed_hours / 8760:,.0f} years of wall-clock time: "
                    "check the unit (device-hours, or minutes typed as hours?)."
                )
        elif duration == "device_hours":
            st.number_input("Device-hours (devices × hours)", min_value=0.0, step=10.0, key=K("device_hours"))
        else:
            flops_input = st.radio(
                "Work", ["params_tokens", "total"], format_func=label, key=K("flops_input"), horizontal=True
            )
            if flops_input == "total":
                st.number_input("Total FLOPs", min_value=0.0, format="%.3e", step=1e20, key=K("total_flops"))
            else:
                a, b = st.columns(2)
                a.number_input("Parameters (billions)", min_value=0.0, step=1.0, key=K("params_b"))
                b.number_input("Tokens (billions)", min_value=0.0, step=10.0, key=K("tokens_b"))
                st.radio("Task", ["training", "inference"], format_func=label, key=K("task"), horizontal=True)
        if duration == "flops" or st.session_state[K("serve")]:
            a, b = st.columns(2)
            a.selectbox("Precision", list(PRECISIONS), key=K("precision"))
            b.number_input(
                "Utilisation of peak (MFU)",
                min_value=0.01,
                max_value=1.0,
                step=0.05,
                key=K("mfu"),
                help="Model-FLOPs utilisation; PaLM reached 0.46, typical 0.3-0.5.",
            )

    with st.container(border=True):
        st.subheader("Power and data centre")
        if hw_mode == "database":
            power = st.radio(
                "Power basis", ["tdp", "measured"], format_func=label, key=K("power"), horizontal=True
            )
            if power == "tdp":
                st.slider("Average draw as a share of TDP", 0.05, 1.0, step=0.05, key=K("utilization"))
            else:
                st.number_input(
                    "Measured average draw per device (W)", min_value=0.0, step=10.0, key=K("measured_w")
                )
        pue_mode = st.radio(
            "PUE",
            ["default", "custom", "included"],
            key=K("pue_mode"),
            horizontal=True,
            format_func=lambda x: "Custom" if x == "custom" else label(x),
        )
        if pue_mode == "custom":
            st.number_input("PUE", min_value=1.0, max_value=5.0, step=0.01, key=K("pue"))
        a, b = st.columns(2)
        a.number_input("CPU power (W, whole job)", min_value=0.0, step=50.0, key=K("cpu_w"))
        b.number_input("Memory power (W, whole job)", min_value=0.0, step=50.0, key=K("memory_w"))
        if hw_mode == "database":
            embodied = st.radio(
                "Embodied carbon",
                ["none", "database", "custom"],
                key=K("embodied"),
                format_func=lambda x: {"database": "Published figure", "custom": "kg per device"}.get(
                    x, label(x)
                ),
                horizontal=True,
            )
            if embodied == "custom":
                st.number_input("Embodied kg CO₂e per device", min_value=0.0, step=10.0, key=K("embodied_kg"))

    with st.container(border=True):
        st.subheader("Location")
        location = st.radio(
            "Where",
            ["cloud", "grid", "custom"],
            key=K("location"),
            horizontal=True,
            format_func=lambda x: "Custom g/kWh" if x == "custom" else label(x),
        )
        region_id: str | None = None
        if location in ("cloud", "grid"):
            ids = cloud_ids if location == "cloud" else grid_ids
            region_id = st.selectbox(
                "Cloud region (type to search; 🍃 = low carbon)"
                if location == "cloud"
                else "Country or grid",
                ids,
                format_func=lambda key: region_labels.get(key, key),
                key=K(location if location == "grid" else "region"),
            )
            years = ["latest", *[str(y) for y in dbs.regions.intensity_years(region_id)]]
            if st.session_state[K("year")] not in years:
                st.session_state[K("year")] = "latest"
            st.selectbox(
                "Year of the grid intensity",
                years,
                key=K("year"),
                format_func=lambda y: f"latest ({years[-1]})" if y == "latest" else y,
            )
        else:
            st.number_input(
                "Grid intensity (g CO₂e/kWh)", min_value=0.0, max_value=5000.0, step=10.0, key=K("intensity")
            )
        if pue_mode == "default":
            resolved = dbs.regions.pue(region_id) if region_id else None
            if resolved is not None:
                src = dbs.regions.sources.get(resolved.source)
                st.caption(
                    f"PUE {resolved.value:.2f} ({resolved.region_id}, {resolved.year}): "
                    f"{src.publisher + ', ' + src.title if src else resolved.source}"
                )
            else:
                st.caption(f"PUE {DEFAULT_PUE:.2f}: {DEFAULT_PUE_SOURCE}")

    with st.container(border=True):
        st.subheader("Serving (inference lifetime)")
        serve = st.toggle(
            "Add the deployed model's lifetime",
            key=K("serve"),
            help="Patterson et al. (2021): most ML energy goes to serving, not training.",
        )
        if serve:
            st.number_input(
                "Requests per day", min_value=0.0, step=1000.0, format="%.0f", key=K("requests_per_day")
            )
            basis = st.radio(
                "Energy per request",
                ["measured", "flops"],
                key=K("serve_basis"),
                horizontal=True,
                format_func=lambda x: "Measured Wh" if x == "measured" else "From FLOPs (2ND)",
            )
            if basis == "measured":
                st.number_input(
                    "Wh per request", min_value=0.0, step=0.05, format="%.4f", key=K("wh_per_request")
                )
            else:
                a, b = st.columns(2)
                a.number_input("Parameters (billions)", min_value=0.0, step=1.0, key=K("serve_params_b"))
                b.number_input("Tokens per request", min_value=0.0, step=100.0, key=K("serve_tokens"))
            st.number_input("Days in service", min_value=0.0, step=30.0, key=K("days"))

# ---- save inputs, write the URL ----
values = {name: st.session_state[K(name)] for name in state.FIELDS}
saved.update(values)
params = state.to_params(values)
if st.query_params.to_dict() != params:
    st.query_params.from_dict(params)

# ---- compute ----
try:
    built = state.build(values, dbs)
    job = resolve(built.spec, dbs)
    footprint = estimate(job)
    comparable = all_regions
    current = dbs.regions.get(built.spec.region) if built.spec.region else None
    frame = cached.region_frame(built.spec.year)
    if current is not None and current.kind == "cloud":
        comparable = frame[frame["provider"] == current.provider]
        scope = f"{current.provider.upper() if current.provider else 'cloud'} regions"
    elif current is not None:
        comparable = frame[frame["kind"] == current.kind]
        scope = f"{current.kind} entries"
    else:
        comparable = frame[frame["kind"] == "country"]
        scope = "countries"
    fixed_pue = 1.0 if built.spec.pue_included else built.spec.pue
    ranked = compare_regions(footprint, comparable, fixed_pue, DEFAULT_PUE)
    greener = greenest_alternative(ranked, current.id if current else None)
    serving_fp = (
        estimate(serving_job(job, built.serving, built.serving_source)) if built.serving is not None else None
    )
except WattprintError as error:
    with headline:
        st.error(components.plain(error))
    st.session_state["calc_result"] = None
    st.stop()

st.session_state["calc_spec"] = built.spec
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
    "serving_co2e_kg": serving_fp.co2e_kg if serving_fp else None,
    "serving_energy_kwh": serving_fp.energy_kwh if serving_fp else None,
}

with headline:
    place = current.id if current else f"a {footprint.intensity_g_per_kwh:,.0f} g/kWh grid"
    who = device.name if device is not None else f"{components.num(values['custom_w'])} W device"
    st.subheader(
        f"{int(values['count']):,} × {who}, {components.num(footprint.duration_h)} h, {place}",
        anchor=False,
    )
    m1, m2, m4 = st.columns(3)
    m1.metric("Energy (facility)", components.kwh(footprint.energy_kwh))
    m2.metric(
        "Operational CO₂e",
        components.kg(footprint.co2e_kg),
        help="Location-based: facility energy × grid intensity.",
    )
    m4.metric(
        "Grid intensity",
        " ".join(
            filter(
                None,
                [
                    components.badge(footprint.intensity_g_per_kwh),
                    components.num(footprint.intensity_g_per_kwh),
                ],
            )
        )
        + " g/kWh",
    )
    st.caption(
        f"Range {components.num(footprint.range.co2e_kg_low)} – "
        f"{components.kg(footprint.range.co2e_kg_high)}: "
        "power 60–100% of TDP (±5% if measured), the PUE range, and the grid's last 5 years."
    )
    if footprint.embodied_co2e_kg:
        st.caption(
            f"Plus embodied {components.kg(footprint.embodied_co2e_kg)}: "
            f"total {components.kg(footprint.total_co2e_kg)}."
        )
    if greener is not None:
        st.success(
            f"Had this run in **{greener.region_id}** ({greener.name}), the greenest of the {scope}, "
            f"it would have emitted **{components.kg(greener.co2e_kg)}** "
            f"(−{components.percent(greener.savings_fraction)}).",
            icon="🍃",
        )
    else:
        st.info(f"This is already the cleanest of the {scope} in the database.", icon="🍃")
    st.page_link("views/compare.py", label="Compare every region →", icon="🌍")

with details_col:
    if built.flops_note:
        st.info(f"Duration from FLOPs: {built.flops_note}.")
    st.subheader("Where the emissions come from")
    st.plotly_chart(
        components.breakdown_figure(footprint), config=components.PLOTLY_CONFIG, key="calc_breakdown"
    )
    if serving_fp is not None:
        st.subheader("Training and serving")
        assert built.serving is not None
        a, b = st.columns(2)
        a.metric("Training", components.kg(footprint.co2e_kg))
        b.metric(
            f"Serving, {components.num(built.serving.days)} days",
            components.kg(serving_fp.co2e_kg),
        )
        share = serving_fp.co2e_kg / (serving_fp.co2e_kg + footprint.co2e_kg or 1.0)
        st.caption(
            f"{components.num(built.serving.requests_per_day)} requests/day × "
            f"{components.num(built.serving.wh_per_request)} Wh ({built.serving_source}) × "
            f"{components.num(built.serving.days)} days = {components.kwh(serving_fp.energy_kwh)} with PUE. "
            f"Serving is {share:.0%} of the total; Patterson et al. (2021) report most ML energy "
            "goes to inference."
        )
    st.subheader("Everyday equivalents")
    eq = equivalents(footprint.total_co2e_kg, footprint.intensity_g_per_kwh)
    cols = st.columns(2)
    for index, item in enumerate(eq):
        cols[index % 2].metric(
            EQUIVALENT_LABELS.get(item.unit, item.unit),
            components.num(item.count),
            help=f"{item.name}: {item.factor}",
        )
    with st.expander("Equivalence factors and sources"):
        st.dataframe(
            pd.DataFrame(
                [{"equivalent": e.name, "factor": e.factor, "source": e.source, "year": e.year} for e in eq]
            ),
            hide_index=True,
        )

assumptions_col, share_col = st.columns([2, 1], gap="large")
with assumptions_col:
    st.subheader("Assumptions")
    rows = [
        {
            "assumption": a.name,
            "value": components.num(a.value) if isinstance(a.value, (int, float)) else a.value,
            "unit": a.unit,
            "source": a.source,
            "year": str(a.year) if a.year else "–",
        }
        for a in (*footprint.assumptions, *built.flops_assumptions)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="calc_assumptions")
    st.caption(
        f"🍃 marks grids at or below {LOW_CARBON_THRESHOLD_G_PER_KWH:.0f} g CO₂e/kWh (Google Cloud's "
        "'Low CO₂' threshold)."
    )

with share_col:
    st.subheader("Share this scenario")
    st.caption("The address bar holds every input: copy the link to share this exact scenario.")
    scenario_json = scenario.dumps(built.spec, state.to_params(values))
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
            restored, problems = state.parse_params(inputs or state.inputs_from_spec(spec, dbs))
        except WattprintError as error:
            st.error(components.plain(f"Could not load {upload.name}: {error}"))
        else:
            st.session_state["calc_upload_done"] = upload.file_id
            st.session_state["calc_pending_inputs"] = {**state.DEFAULTS, **restored}
            st.session_state["calc_url_problems"] = problems
            st.rerun()
