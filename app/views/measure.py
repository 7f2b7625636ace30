"""Live measurement: GPU power through NVML, a benchmark, saved logs, and a clearly labelled fake demo."""

from __future__ import annotations

import streamlit as st

from app import cached, safe
from app.measuring import (
    FAKE_TAG,
    GPU_SOURCE,
    LIVE_WINDOW_SAMPLES,
    benchmark_section,
    devices_section,
    power_figure,
    render_measurement,
)
from wattprint.errors import WattprintError
from wattprint.measure import session

st.title("Measure")
st.caption(
    "Reads GPU power through NVIDIA's NVML (board power: every process on the GPU counts), integrates "
    "energy from the GPU's energy counter when it has one, and writes a crash-safe JSONL log."
)

detection = devices_section()
has_gpu = bool(detection.available)

# ---- live --------------------------------------------------------------------------------------
st.subheader("Live power")
sources = ([GPU_SOURCE] if has_gpu else []) + [f"Demo, no GPU: {FAKE_TAG}"]
live_source = st.radio("Source", sources, horizontal=True, key="ms_live_source")
running = st.session_state.get("ms_sampler")
left, right = st.columns(2)
if running is None:
    if left.button("Start", key="ms_start", type="primary"):
        try:
            detected = session.detect("nvml") if live_source == GPU_SOURCE else session.fake_detection()
            if not detected.available:
                raise WattprintError("; ".join(detected.reasons) or "no device")
            st.session_state["ms_sampler"] = session.start_sampler(detected.backend, interval_s=0.1)
            st.session_state["ms_sampler_fake"] = live_source != GPU_SOURCE
            st.session_state.pop("ms_live_result", None)
            st.rerun()
        except WattprintError as error:
            safe.error(error)
else:
    if right.button("Stop", key="ms_stop"):
        sampler = st.session_state.pop("ms_sampler")
        try:
            measured = session.stop_sampler(sampler)
            st.session_state["ms_live_result"] = (
                measured,
                list(sampler.samples),
                [d.name for d in sampler.devices],
            )
        except WattprintError as error:
            safe.error(error)
        st.rerun()

    @st.fragment(run_every=1.0)
    def live_view() -> None:
        sampler = st.session_state.get("ms_sampler")
        if sampler is None:
            return
        fake = bool(st.session_state.get("ms_sampler_fake"))
        samples = session.latest_samples(sampler, LIVE_WINDOW_SAMPLES)
        names = [d.name for d in sampler.devices]
        if fake:
            st.warning(f"{FAKE_TAG}: a scripted demo trace, not a measurement.")
        st.plotly_chart(power_figure(samples, names, fake), key="ms_live_chart")
        latest = samples[-1] if samples else None
        if latest is not None:
            shown = [r.power_w for r in latest.readings]
            text = ", ".join(f"{p:,.0f} W" if p is not None else "no reading" for p in shown)
            st.caption(f"Latest: {text} ({len(sampler.samples):,} samples so far)")

    live_view()

if "ms_live_result" in st.session_state:
    measured, samples, names = st.session_state["ms_live_result"]
    st.markdown("**Last live session**")
    render_measurement(measured, samples, names, "ms_live")

benchmark_section(has_gpu, running is not None)

# ---- saved logs ----------------------------------------------------------------------------------
st.subheader("Saved measurement log")
uploaded = st.file_uploader(
    "JSONL log written by `wattprint measure` (or this page)", type=["jsonl", "json", "log"], key="ms_log"
)
use_demo = st.toggle(f"Show the demo log instead: {FAKE_TAG}", value=False, key="ms_demo_log")
log_bytes: bytes | None = None
if use_demo:
    log_bytes = cached.demo_log_bytes()
elif uploaded is not None:
    log_bytes = uploaded.getvalue()
if log_bytes is not None:
    try:
        saved, summary = cached.measurement_log(log_bytes)
    except WattprintError as error:
        safe.error(f"Cannot read this log: {error}")
    else:
        extra = list(saved.problems[:5])
        if len(saved.problems) > 5:
            extra.append(f"... and {len(saved.problems) - 5} more skipped lines")
        if not saved.samples:
            st.error("The log has a header but no samples.")
        else:
            render_measurement(summary, saved.samples, [d.name for d in saved.devices], "ms_saved", extra)
            st.download_button(
                "Download this log (JSONL)",
                data=log_bytes,
                file_name="wattprint-demo-FAKE.jsonl" if summary.is_fake else "wattprint-measurement.jsonl",
                mime="application/x-ndjson",
                key="ms_log_download",
            )
else:
    st.caption("Upload a log, or switch on the FAKE demo log to see how a measurement is shown.")
