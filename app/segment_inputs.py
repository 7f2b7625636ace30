"""The job's further segments (hardware, devices, hours, region) on the Calculator and the Report.

The segments live in the job as text (input ``segments``, see :mod:`wattprint.engine.segments`), so
a link, a scenario file and every page that edits the job carry them. The box offers a form that
adds one segment and a button that removes the last; the text stays editable for a pasted list.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app import cached, components, state
from wattprint.engine.segments import MAX_SEGMENTS, Segment, format_segments, parse_segments
from wattprint.errors import WattprintError

KEY = state.widget_key("segments")


def _set(text: str) -> None:
    """Write the segments into the widget and the saved job (a button's callback)."""
    st.session_state[KEY] = text
    st.session_state[state.SAVED_KEY]["segments"] = text


def _add() -> None:
    session = st.session_state
    try:
        current = list(parse_segments(session.get(KEY, "")))
    except WattprintError:
        current = []
    added = Segment(
        session["seg_hardware"],
        float(session["seg_count"]),
        float(session["seg_hours"]),
        session["seg_region"],
    )
    _set(format_segments([*current, added][:MAX_SEGMENTS]))


def _remove_last() -> None:
    try:
        current = list(parse_segments(st.session_state.get(KEY, "")))
    except WattprintError:
        current = []
    _set(format_segments(current[:-1]))


def segment_rows(result: Any) -> pd.DataFrame:
    """One row per segment of a JobResult: hardware, devices, hours, device-hours, place, kWh, kg."""
    databases = cached.databases()
    specs = [result.built.spec, *result.segments]
    parts = result.footprint.segments or (result.footprint,)
    rows = []
    for number, (spec, part) in enumerate(zip(specs, parts, strict=True), start=1):
        rows.append(
            {
                "Segment": number,
                "Hardware": databases.hardware.get(spec.hardware).name if spec.hardware else "custom",
                "Devices": spec.count,
                "Hours": part.duration_h,
                "Device-hours": part.device_hours,
                "Place": spec.region or "given intensity",
                "Energy (kWh)": part.energy_kwh,
                "CO₂e (kg)": part.co2e_kg,
            }
        )
    return pd.DataFrame(rows)


def segment_inputs() -> None:
    """The box: a form that adds a segment, the segments as text, a button that removes the last."""
    with st.container(border=True):
        st.subheader("Further segments", anchor=False)
        st.caption(
            "A run in parts, one after another (a 9-day training on 32 GPUs, then a 3-day search on 8): "
            "each further segment has its own hardware, devices, hours and place, and takes this job's "
            "power setting, PUE choice and grid year."
        )
        labels = cached.hardware_labels()
        region_labels = cached.region_labels()
        places = [*cached.region_ids()["cloud"], *cached.region_ids()["grid"]]
        job = st.session_state[state.SAVED_KEY]
        here = job.get("region") if job.get("location") == "cloud" else job.get("grid")
        # A new segment starts as the job's own hardware and place (most runs change one of them).
        if st.session_state.get("seg_hardware") not in labels:
            st.session_state["seg_hardware"] = (
                job.get("hardware") if job.get("hardware") in labels else next(iter(labels))
            )
        if not places:
            st.info("No region in this database has an intensity of the default basis: segments need one.")
            return
        if st.session_state.get("seg_region") not in places:
            st.session_state["seg_region"] = here if here in places else places[0]
        a, b = st.columns(2)
        a.selectbox(
            "Segment hardware", list(labels), format_func=lambda k: labels.get(k, k), key="seg_hardware"
        )
        b.selectbox(
            "Segment place",
            places,
            format_func=lambda k: region_labels.get(k, k),
            key="seg_region",
        )
        c, d = st.columns(2)
        c.number_input("Segment devices", min_value=1, value=8, step=1, key="seg_count")
        d.number_input("Segment hours (wall clock)", min_value=0.25, value=72.0, step=1.0, key="seg_hours")
        e, f = st.columns(2)
        e.button("Add segment", on_click=_add, key="seg_add", icon=":material/add:")
        f.button("Remove the last", on_click=_remove_last, key="seg_remove")
        st.text_input(
            "Further segments (hardware, devices, hours, region; …)",
            key=KEY,
            placeholder="nvidia-a100-sxm4-80gb, 8, 72, country:FR",
            help="Ids as in the lists above (aliases such as NVIDIA A100-SXM4-80GB work too); "
            "';' between segments.",
        )


def segment_lines(result: Any) -> list[str]:
    """One line per segment: devices, hardware, hours, place, its energy and CO2e (they wrap on any
    screen, where a table of eight columns was cut off beside the inputs)."""
    rows = segment_rows(result)
    return [
        f"{row['Segment']}. {row['Devices']:,.0f} × {row['Hardware']}, {components.num(row['Hours'])} h "
        f"({components.num(row['Device-hours'])} device-hours), {row['Place']}: "
        f"{components.kwh(row['Energy (kWh)'])}, {components.kg(row['CO₂e (kg)'])}"
        for _, row in rows.iterrows()
    ]


def segment_table(result: Any, note: str = "") -> None:
    """The segments of a job of several, each with its energy and CO₂e (nothing for one segment),
    and ``note`` (what the figures are, where the page's headline is another figure) under them."""
    if not result.segments:
        return
    st.markdown(f"**{len(result.segments) + 1} segments, one after another**")
    st.markdown("  \n".join(components.plain(line) for line in segment_lines(result)))
    if note:
        st.caption(note)
