"""Calculator: the footprint of one job, with every assumption shown."""

from __future__ import annotations

import streamlit as st

from app.engine.footprint import estimate
from app.engine.jobspec import JobSpec, resolve
from app.errors import WattprintError
from app.ui import cached

st.title("Energy and carbon of an ML job")
dbs = cached.databases()
hardware_ids = sorted(dbs.hardware.devices)
region_ids = sorted(dbs.regions.regions)

left, right = st.columns(2)
with left:
    default_hw = "nvidia-h100-sxm5-80gb"
    hardware = st.selectbox(
        "Hardware", hardware_ids, index=hardware_ids.index(default_hw) if default_hw in hardware_ids else 0,
        key="hardware",
    )  # fmt: skip
    count = st.number_input("Number of devices", min_value=1, value=8, step=1, key="count")
    hours = st.number_input("Hours (wall clock)", min_value=0.0, value=24.0, key="hours")
with right:
    default_region = "aws:us-east-1"
    region = st.selectbox(
        "Region", region_ids, index=region_ids.index(default_region) if default_region in region_ids else 0,
        key="region",
    )  # fmt: skip
    utilization = st.slider("Average draw as a share of TDP", 0.1, 1.0, 1.0, 0.05, key="utilization")

try:
    job = resolve(
        JobSpec(hardware=hardware, count=float(count), hours=hours, region=region, utilization=utilization),
        dbs,
    )
    footprint = estimate(job)
except WattprintError as error:
    st.error(str(error))
    st.stop()

a, b = st.columns(2)
a.metric("Energy", f"{footprint.energy_kwh:,.1f} kWh")
b.metric("CO2e", f"{footprint.co2e_kg:,.1f} kg")
st.subheader("Assumptions")
st.table(
    [
        {"assumption": x.name, "value": x.value, "unit": x.unit, "source": x.source, "year": x.year}
        for x in footprint.assumptions
    ]
)
