"""Batch audit: upload a jobs file (CSV/Parquet); results first, totals, grouping by any column,
a chart of the top groups, downloads. CodeCarbon files are sent to the CodeCarbon page."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from app.db import batchfiles, exports
from app.db.schema import DEFAULT_BASIS
from app.engine import batch
from app.errors import WattprintError
from app.ui import audit, components, safe
from app.ui.cached import databases

TOP_GROUPS = 15
MONTH = "month (from month or start)"
HARDWARE = "hardware (aliases merged)"
REGION = "region (aliases merged)"
RESULTS_FIRST = (
    "line",
    "name",
    "co2e_kg",
    "energy_kwh",
    "intensity_g_per_kwh_used",
    "intensity_basis",
    "intensity_year",
    "error",
)
COLUMN_LABELS = {
    "co2e_kg": st.column_config.Column("CO₂e [kg]"),
    "energy_kwh": st.column_config.Column("Energy [kWh]"),
    "it_energy_kwh": st.column_config.Column("IT energy [kWh]"),
    "intensity_g_per_kwh_used": st.column_config.Column("Intensity used [gCO₂e/kWh]"),
    "intensity_basis": st.column_config.TextColumn("Intensity basis"),
    "intensity_year": st.column_config.Column("Intensity year"),
    "error": st.column_config.TextColumn("Error"),
}
FORMATS = {
    "co2e_kg": "{:,.3f}",
    "energy_kwh": "{:,.3f}",
    "it_energy_kwh": "{:,.3f}",
    "line": "{:.0f}",
    "intensity_year": "{:.0f}",
}

st.title("Batch audit")
st.caption(
    "One job per row: columns among " + ", ".join(batch.INPUT_COLUMNS) + ". Other columns (user, "
    "project, start, ...) are kept and can group the results. Use the CodeCarbon import page for "
    "CodeCarbon's emissions.csv files."
)
db = databases()
upload = st.file_uploader("Jobs file (.csv or .parquet)", type=["csv", "parquet"], key="batch_upload")
if upload is None:
    st.info("Upload a jobs file to audit it.")
    st.stop()

data = upload.getvalue()
if upload.name.lower().endswith(".csv") and audit.looks_like_codecarbon(data):
    st.info(
        components.plain(
            f"{upload.name} is a CodeCarbon emissions file (measured runs, not job descriptions): "
            "open it on the CodeCarbon page."
        )
    )
    if st.button("Open it on the CodeCarbon page", key="batch_to_codecarbon", type="primary"):
        st.session_state[audit.HANDOFF_KEY] = [(upload.name, data)]
        st.switch_page("views/codecarbon.py")
    st.stop()

try:
    jobs = batchfiles.read_job_buffer(data, upload.name, batch.INPUT_COLUMNS)
except WattprintError as error:
    st.error(components.plain(audit.name_the_upload(str(error), upload.name)))
    st.stop()

if jobs.empty:
    st.info(components.plain(f"{upload.name} has a header but no job rows."))
    st.stop()

results = batch.estimate_frame(jobs, batch.build_tables(db))
# Canonical ids, so that aliases ("H100 80GB HBM3", "NVIDIA H100") group with their id.
hardware_names = {k.lower(): v for k, v in db.hardware.names.items()}
region_names = {k.lower(): v for k, v in db.regions.names.items()}
for given, canonical, names in (
    ("hardware", "hardware_id", hardware_names),
    ("region", "region_id", region_names),
):
    # The engine keeps only the input columns the upload has: no column, no id.
    results[canonical] = (
        results[given].map(lambda v, names=names: names.get(v.lower(), v) if isinstance(v, str) else None)
        if given in results.columns
        else pd.Series(None, index=results.index, dtype=object)
    )
results = results.join(audit.intensity_provenance(results, db.regions))
totals = batch.totals(results)

a, b, c, d = st.columns(4)
a.metric(
    "CO₂e [kg]",
    f"{totals.co2e_kg:,.1f}",
    help=f"Use phase, location-based; regions on the {DEFAULT_BASIS} basis; valid rows only",
)
b.metric("Energy [kWh]", f"{totals.energy_kwh:,.1f}", help="Facility energy, PUE applied")
c.metric("Jobs estimated", f"{totals.jobs - totals.failed:,} of {totals.jobs:,}")
d.metric(":red[Rows failed]" if totals.failed else "Rows failed", f"{totals.failed:,}")
if totals.failed:
    st.error(f"{totals.failed:,} rows failed; each with its line and reason in the table below.")
years = results["intensity_year"].dropna()
given = int((results["intensity_basis"] == audit.GIVEN_BASIS).sum())
st.caption(
    f"Rows with a region are priced on its {DEFAULT_BASIS} grid intensity"
    + (f", years {int(years.min())}-{int(years.max())}" if len(years) and years.min() != years.max() else "")
    + (f", year {int(years.min())}" if len(years) and years.min() == years.max() else "")
    + " (each row's basis and year are in the table)."
    + (
        f" {given:,} row(s) give their own intensity, whose basis the file does not state: their CO₂e "
        "is added to the total but is not on the same footing."
        if given
        else ""
    )
)

st.subheader("Results")
shown = audit.readable(results.drop(columns=["hardware_id", "region_id"]), RESULTS_FIRST)
st.dataframe(
    audit.blank_missing(shown, FORMATS), key="batch_results", hide_index=True, column_config=COLUMN_LABELS
)
failed = results[results["error"].fillna("") != ""]
if len(failed):
    with st.expander(f"The {len(failed):,} failed rows", expanded=len(failed) <= 20):
        st.dataframe(failed[["line", "error"]], key="batch_errors", hide_index=True)
        safe.csv_download(
            failed[["line", "error"]], "Failed rows (CSV)", "batch-failed-rows.csv", key="batch_errors_dl"
        )

# ---- grouping -------------------------------------------------------------------------------------
st.subheader("Grouped")
upload_columns = [c for c in jobs.columns if c != "line"]
options = []
for column in upload_columns:
    if column == "hardware":
        options.append(HARDWARE)
    elif column == "region":
        options.append(REGION)
    elif column not in ("month", "start"):
        options.append(column)
if batch.month_of(results) is not None:
    options.append(MONTH)
key_column = {HARDWARE: "hardware_id", REGION: "region_id", MONTH: "month"}
default = next((o for o in (HARDWARE, REGION, MONTH) if o in options), options[0])
by = st.selectbox("Group by", options, index=options.index(default), key="batch_group")
column = key_column.get(by, by)
summary = batch.summarize(results, column)
summary[column] = summary[column].astype(str)
st.session_state["batch_summary"] = summary
if summary.empty:
    st.info("No valid row to group.")
else:
    top = summary.head(TOP_GROUPS)
    chart = px.bar(
        top.iloc[::-1],
        x="co2e_kg",
        y=column,
        orientation="h",
        labels={"co2e_kg": "CO₂e [kg]", column: by},
        hover_data={"jobs": True, "energy_kwh": ":,.2f"},
        color_discrete_sequence=[components.GREEN],
    )
    chart.update_yaxes(type="category", automargin=True)
    chart.update_layout(height=max(260, 28 * len(top) + 80), margin={"l": 10, "r": 10, "t": 10, "b": 40})
    st.plotly_chart(chart, key="batch_group_chart", config=components.PLOTLY_CONFIG)
    if len(summary) > TOP_GROUPS:
        st.caption(f"The {TOP_GROUPS} largest of {len(summary):,} groups; all are in the table.")
    st.dataframe(
        audit.blank_missing(summary, {**FORMATS, "device_hours_used": "{:,.1f}"}),
        key="batch_group_table",
        hide_index=True,
        column_config={
            column: st.column_config.TextColumn(by),
            "co2e_kg": COLUMN_LABELS["co2e_kg"],
            "energy_kwh": COLUMN_LABELS["energy_kwh"],
            "it_energy_kwh": COLUMN_LABELS["it_energy_kwh"],
            "device_hours_used": st.column_config.Column("Device-hours"),
        },
    )

# ---- downloads ------------------------------------------------------------------------------------
stem = upload.name.rsplit(".", 1)[0][:60] or "batch"
full = results.drop(columns=["hardware_id", "region_id"])
left, middle, right = st.columns(3)
left.download_button(
    "Results (CSV)",
    lambda: exports.safe_csv(full),
    f"{stem}-results.csv",
    mime="text/csv",
    key="batch_dl",
    on_click="ignore",
)
middle.download_button(
    "Results (Parquet)",
    lambda: audit.parquet_bytes(full),
    f"{stem}-results.parquet",
    mime="application/vnd.apache.parquet",
    key="batch_dl_parquet",
    on_click="ignore",
)
right.download_button(
    "Grouped (CSV)",
    lambda: exports.safe_csv(summary),
    f"{stem}-by-{column}.csv",
    mime="text/csv",
    key="batch_dl_summary",
    on_click="ignore",
)
st.caption("Text cells that a spreadsheet would run as formulas (=, +, -, @) are written with a leading '.")
