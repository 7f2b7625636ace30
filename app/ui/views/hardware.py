"""Hardware database: search, filter, the efficiency trend, and every value with its source."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from app.commands.hardware import device_to_dict
from app.db.schema import PRECISION_FIELDS
from app.errors import WattprintError
from app.ui import audit, cached, safe

PRECISION_LABELS = {  # short name of each precision field
    "fp64_tflops": "FP64",
    "fp32_tflops": "FP32",
    "tf32_tflops": "TF32",
    "bf16_tflops": "BF16",
    "fp16_tflops": "FP16",
    "fp8_tflops": "FP8",
    "fp4_tflops": "FP4",
    "int8_tops": "INT8",
}

FACT_LABELS = {
    "tdp_w": ("TDP", "W"),
    "cores": ("Cores", "-"),
    "memory_gb": ("Memory", "GB"),
    "memory_bandwidth_gb_s": ("Memory bandwidth", "GB/s"),
    "embodied_kgco2e": ("Embodied emissions", "kgCO2e"),
    **{
        name: (f"{label} dense", "TOPS" if name.endswith("tops") else "TFLOPS")
        for name, label in PRECISION_LABELS.items()
    },
}


def efficiency_column(field: str) -> str:
    """Column of :func:`cached.hardware_frame` holding the derived efficiency of a precision."""
    unit = "gops_per_w" if field.endswith("tops") else "gflops_per_w"
    return field.rsplit("_", 1)[0] + "_" + unit


st.title("Hardware database")
st.caption(
    "Accelerators and CPUs with their thermal design power (TDP), dense peak throughput per "
    "precision (no sparsity), memory and release date. Every figure cites its source."
)

try:
    dbs = cached.databases()
    frame = cached.hardware_frame()
except WattprintError as error:
    safe.error(error)
    st.stop()

# ---- filters -----------------------------------------------------------------------------------
search = st.text_input(
    "Search id, name or alias",
    key="hw_search",
    placeholder="e.g. h100, MI300X, Tesla T4",
)
left, middle, right = st.columns(3)
kinds = sorted(frame["kind"].unique())
vendors = sorted(frame["vendor"].unique())
kind = left.selectbox("Kind", ["All", *kinds], key="hw_kind")
vendor = middle.selectbox("Vendor", ["All", *vendors], key="hw_vendor")
years = frame["release_year"].dropna()
first_year, last_year = int(years.min()), int(years.max())
year_range = right.slider("Release year", first_year, last_year, (first_year, last_year), key="hw_years")
include_undated = st.checkbox("Include devices without a release date", value=True, key="hw_undated")

chosen = frame
if kind != "All":
    chosen = chosen[chosen["kind"] == kind]
if vendor != "All":
    chosen = chosen[chosen["vendor"] == vendor]
needle = search.strip().lower()
if needle:
    haystack = chosen["id"] + "\n" + chosen["name"].str.lower() + "\n" + chosen["aliases"].str.lower()
    chosen = chosen[haystack.str.contains(needle, regex=False)]
in_range = chosen["release_year"].between(year_range[0], year_range[1]).fillna(False).astype(bool)
undated = chosen["release_year"].isna()
chosen = chosen[in_range | (undated & include_undated)]

# ---- table ---------------------------------------------------------------------------------
st.subheader(f"{len(chosen)} of {len(frame)} devices")
table_columns = {
    "id": "id",
    "name": "Name",
    "vendor": "Vendor",
    "kind": "Kind",
    "release_date": "Released",
    "tdp_w": "TDP [W]",
    **{
        name: f"{PRECISION_LABELS[name]} [{'TOPS' if name.endswith('tops') else 'TFLOPS'}]"
        for name in PRECISION_FIELDS
    },
    "memory_gb": "Memory [GB]",
    "memory_bandwidth_gb_s": "Bandwidth [GB/s]",
    "tdp_source": "TDP source",
}
listed = chosen[list(table_columns)].rename(columns=table_columns)
st.dataframe(audit.blank_missing(listed), hide_index=True, key="hw_table")
safe.csv_download(listed, "Devices (CSV)", "hardware.csv", key="hw_table_dl")
if chosen.empty:
    st.info("No device matches these filters; clear the search or widen the year range.")

# ---- efficiency trend ------------------------------------------------------------------------
st.subheader("Energy efficiency over time")
left, right = st.columns([1, 2])
precision = left.selectbox(
    "Precision",
    list(PRECISION_FIELDS),
    index=list(PRECISION_FIELDS).index("fp32_tflops"),
    format_func=lambda name: PRECISION_LABELS[name],
    key="hw_precision",
)
only_filtered = right.checkbox("Only the devices of the table", value=False, key="hw_chart_filtered")
efficiency = efficiency_column(precision)
unit = "GOPS/W" if precision.endswith("tops") else "GFLOPS/W"
peak_unit = "TOPS" if precision.endswith("tops") else "TFLOPS"
plotted = (chosen if only_filtered else frame).dropna(subset=[efficiency, "release"])
if plotted.empty:
    st.info(f"No device here has both a {PRECISION_LABELS[precision]} figure and a release date.")
else:
    figure = px.scatter(
        plotted,
        x="release",
        y=efficiency,
        color="vendor",
        symbol="vendor",
        # 24 distinct dark colours (and a symbol per vendor): no two vendors look alike on white.
        color_discrete_sequence=px.colors.qualitative.Dark24,
        log_y=True,
        hover_name="name",
        hover_data={"id": True, "tdp_w": True, precision: True, "release": False, "vendor": False},
        labels={
            "release": "Release date",
            efficiency: f"{PRECISION_LABELS[precision]} efficiency [{unit}]",
            "tdp_w": "TDP [W]",
            precision: f"{PRECISION_LABELS[precision]} [{peak_unit}]",
            "vendor": "Vendor",
        },
    )
    figure.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "h", "y": -0.2})
    st.plotly_chart(figure, key="hw_trend")
    st.caption(
        f"{len(plotted)} devices. Efficiency = dense peak {PRECISION_LABELS[precision]} throughput / TDP, "
        "a hardware upper bound: real jobs run below peak. The trend is the one Henderson et al. (2020), "
        '"Towards the Systematic Reporting of the Energy and Carbon Footprints of Machine Learning", '
        'JMLR 21(248), tabulate, and that Lacoste et al. (2019), "Quantifying the Carbon Emissions of '
        'Machine Learning", Appendix B, list for GPUs and TPUs.'
    )

# ---- one device --------------------------------------------------------------------------------
st.subheader("One device with its sources")
options = list(chosen["id"]) or list(frame["id"])
default_id = "nvidia-h100-sxm5-80gb"
detail_id = st.selectbox(
    "Device",
    options,
    index=options.index(default_id) if default_id in options else 0,
    key="hw_detail",
)
try:
    device = dbs.hardware.get(detail_id)
except WattprintError as error:
    safe.error(error)
    st.stop()
data = device_to_dict(device, dbs.hardware.sources)
with st.expander(f"{device.name} ({device.id})", expanded=True):
    facts = []
    for field, (label, field_unit) in FACT_LABELS.items():
        value = data.get(field)
        if value is None:
            continue
        cite = data["sources"].get(field, {})
        facts.append(
            {
                "Quantity": label,
                "Value": value,
                "Unit": field_unit,
                "Year": cite.get("year"),
                "Publisher": cite.get("publisher", cite.get("source")),
                "Title": cite.get("title"),
                "URL": cite.get("url"),
            }
        )
    for field in PRECISION_FIELDS:
        value = data.get(efficiency_column(field))
        if value is not None:
            facts.append(
                {
                    "Quantity": f"{PRECISION_LABELS[field]} efficiency",
                    "Value": round(value, 2),
                    "Unit": "GOPS/W" if field.endswith("tops") else "GFLOPS/W",
                    "Year": None,
                    "Publisher": "derived",
                    "Title": "peak throughput / TDP",
                    "URL": None,
                }
            )
    fact_table = pd.DataFrame(facts)
    st.dataframe(
        audit.blank_missing(fact_table, {"Year": "{:.0f}"}),
        hide_index=True,
        column_config={
            "URL": st.column_config.LinkColumn("URL"),
            "Year": st.column_config.NumberColumn(format="%d"),
        },
        key="hw_facts",
    )
    safe.csv_download(fact_table, "Facts and sources (CSV)", f"{device.id}-facts.csv", key="hw_facts_dl")
    details = {
        "Kind": device.kind,
        "Vendor": device.vendor,
        "Form factor": device.form_factor or "-",
        "Released": device.release_date or "unknown",
        "Aliases": ", ".join(device.aliases) or "-",
    }
    if device.power_range_w is not None:
        details["Configurable power"] = f"{device.power_range_w.min:g}-{device.power_range_w.max:g} W"
    st.table(pd.DataFrame({"Property": list(details), "Value": list(details.values())}), hide_index=True)
    if device.notes:
        st.caption(device.notes)
