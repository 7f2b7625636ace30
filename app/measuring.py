"""Widgets of the Measure page: power charts, a measurement's summary, the device list, the benchmark."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

from app import cached, state
from wattprint.errors import WattprintError
from wattprint.measure import session
from wattprint.measure.measurement import J_PER_KWH, Measurement, Sample

FAKE_TAG = "FAKE (replayed trace)"
GPU_SOURCE = "GPU (NVML)"
LIVE_WINDOW_SAMPLES = 600  # samples kept on the live chart (60 s at 10 Hz)
CALCULATOR_PAGE = "views/calculator.py"


def power_figure(samples: list[Sample], names: list[str], fake: bool) -> go.Figure:
    """Power of each device [W] against time since the first sample [s]."""
    figure = go.Figure()
    if samples:
        t0 = samples[0].t_s
        times = [s.t_s - t0 for s in samples]
        for index, name in enumerate(names):
            power = [s.readings[index].power_w if index < len(s.readings) else None for s in samples]
            figure.add_trace(go.Scatter(x=times, y=power, mode="lines", name=name, connectgaps=False))
    figure.update_layout(
        xaxis_title="Time since start [s]",
        yaxis_title="Power [W]",
        yaxis_rangemode="tozero",
        margin={"l": 10, "r": 10, "t": 30 if fake else 10, "b": 10},
        height=320,
        legend={"orientation": "h", "y": -0.3},
        title=FAKE_TAG if fake else None,
    )
    return figure


def matched_hardware(names: list[str]) -> str | None:
    """The hardware id whose id or alias equals the first device's reported name, if any."""
    if not names:
        return None
    try:
        return cached.databases().hardware.match(names[0]).id
    except WattprintError:
        return None


def send_to_calculator(power_per_device_w: float, devices: int, hardware_id: str | None, key: str) -> None:
    """A button that opens the calculator with the measured average power per device."""
    label = f"Use {power_per_device_w:,.1f} W per device in the calculator"
    if not st.button(label, key=key):
        return
    inputs: dict[str, Any] = {
        "hw_mode": "database",
        "power": "measured",
        "measured_w": float(power_per_device_w),
        "count": max(1, devices),
    }
    if hardware_id is not None:
        inputs["hardware"] = hardware_id
    # The shared job takes these inputs on the next page run (app/state.py).
    st.session_state[state.PENDING_KEY] = inputs
    st.session_state["measured_power_w"] = float(power_per_device_w)
    try:
        st.switch_page(CALCULATOR_PAGE)
    except StreamlitAPIException:
        st.info(
            f"Saved {power_per_device_w:,.1f} W as the measured power; open the Calculator page and choose "
            "'measured' power to use it."
        )


def render_measurement(
    measurement: Measurement,
    samples: list[Sample],
    names: list[str],
    key: str,
    notes: list[str] | None = None,
) -> None:
    """Power chart, energy summary, per-device table and the send-to-calculator button."""
    if measurement.is_fake:
        st.warning(f"{FAKE_TAG}: these figures come from a scripted demo trace, not from a measurement.")
    st.plotly_chart(power_figure(samples, names, measurement.is_fake), key=f"{key}_chart")
    a, b, c, d = st.columns(4)
    suffix = " (FAKE)" if measurement.is_fake else ""
    if measurement.energy_j is not None:
        a.metric(f"Energy [Wh]{suffix}", f"{measurement.energy_j / 3600:,.3f}")
    else:
        a.metric(f"Energy [Wh]{suffix}", "no figure")
    b.metric(
        f"Average power [W]{suffix}",
        f"{measurement.average_power_w:,.1f}" if measurement.average_power_w is not None else "no figure",
    )
    c.metric(
        f"Peak power [W]{suffix}",
        f"{measurement.peak_power_w:,.1f}" if measurement.peak_power_w is not None else "no figure",
    )
    d.metric("Duration [s]", f"{measurement.duration_s:,.1f}")
    if measurement.energy_reason:
        st.warning(measurement.energy_reason)
    if measurement.energy_j is not None:
        st.caption(
            f"{measurement.energy_j:,.1f} J = {measurement.energy_j / J_PER_KWH:.6f} kWh, backend "
            f"{measurement.backend}; scope: {measurement.scope}."
        )
    rows = [
        {
            "Device": device.name,
            "Method": device.method or "-",
            "Energy [J]": device.energy_j,
            "Average power [W]": device.average_power_w,
            "Peak power [W]": device.peak_power_w,
            "Samples": device.samples,
            "Missing power readings": device.missing_power,
            "Notes": "; ".join(device.notes),
        }
        for device in measurement.devices
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"{key}_devices")
    for note in [*measurement.notes, *(notes or [])]:
        st.caption(note)
    if measurement.average_power_w is not None and measurement.devices:
        per_device_w = measurement.average_power_w / len(measurement.devices)
        if measurement.is_fake:
            st.caption("The FAKE demo's power can be sent to the calculator only to try the flow.")
        send_to_calculator(per_device_w, len(measurement.devices), matched_hardware(names), f"{key}_send")


def devices_section() -> Any:
    """Detect GPUs once per session through NVML and list them, or say why there are none."""
    if "ms_detection" not in st.session_state:
        st.session_state["ms_detection"] = session.detect("nvml")
    detection: Any = st.session_state["ms_detection"]
    if detection.available:
        st.success(f"{len(detection.devices)} GPU(s) found through NVML.")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Index": d.index,
                        "Name": d.name,
                        "UUID": d.uuid,
                        "Energy counter": "yes" if d.has_energy_counter else f"no ({d.counter_reason})",
                        "Power limit [W]": d.power_limit_w,
                    }
                    for d in detection.devices
                ]
            ),
            hide_index=True,
            key="ms_devices",
        )
    else:
        st.warning(
            "No GPU found: live measurement and the benchmark need an NVIDIA GPU with its driver (NVML). "
            "You can still load a saved measurement log below, or run the FAKE demo."
        )
        with st.expander("Why no GPU was found"):
            for reason in detection.reasons:
                st.text(reason)
    return detection


def benchmark_section(has_gpu: bool, running: bool) -> None:
    """Dense matrix multiplies on the GPU: achieved TFLOP/s and GFLOPS/W against the datasheet."""
    st.subheader("Benchmark")
    if not has_gpu:
        st.info("The benchmark (dense matrix multiplies, achieved TFLOP/s and GFLOPS/W) needs an NVIDIA GPU.")
    else:
        left, middle, right = st.columns(3)
        dtype = left.selectbox("Precision", ["bf16", "fp16", "fp32"], key="ms_bench_dtype")
        seconds = middle.number_input(
            "Duration [s]", min_value=2.0, max_value=120.0, value=10.0, key="ms_bench_s"
        )
        if right.button("Run the benchmark", key="ms_bench_run", disabled=running):
            from wattprint.measure import benchmark

            try:
                with st.spinner("Running dense matrix multiplies..."):
                    runner = benchmark.load_runner(dtype)
                    bench_detection = session.detect("nvml")
                    sampler = session.start_sampler(bench_detection.backend, interval_s=0.1)
                    try:
                        result = benchmark.run_benchmark(runner, sampler, float(seconds), dtype)
                    finally:
                        session.stop_sampler(sampler)
                hardware_id = matched_hardware([result.device_name])
                peak = tdp = None
                if hardware_id is not None:
                    device = cached.databases().hardware.get(hardware_id)
                    fact = getattr(device, benchmark.DTYPE_FIELDS[dtype])
                    peak = fact.value if fact is not None else None
                    tdp = device.tdp_w.value
                st.session_state["ms_bench_result"] = benchmark.compare_to_peak(result, peak, tdp)
            except WattprintError as error:
                st.error(str(error))
        if "ms_bench_result" in st.session_state:
            st.dataframe(
                pd.DataFrame(
                    [{"Quantity": k, "Value": v} for k, v in st.session_state["ms_bench_result"].items()]
                ).astype({"Value": str}),
                hide_index=True,
                key="ms_bench_table",
            )
