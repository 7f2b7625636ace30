"""Batch audit: upload a jobs file (CSV/Parquet); results first, totals, grouping by any column,
a chart of the top groups, downloads. CodeCarbon files are sent to the CodeCarbon page. The
work is in app/batch_parts.py."""

from __future__ import annotations

import streamlit as st

from app import audit, components, safe
from app import batch_parts as parts
from app.cached import batch_tables, databases
from wattprint.db import batchfiles
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.engine import batch
from wattprint.errors import WattprintError

st.title("Batch audit")
st.caption(
    "One job per row: columns among " + ", ".join(batch.INPUT_COLUMNS) + ". Other columns (user, "
    "project, start, ...) are kept and can group the results. Use the CodeCarbon import page for "
    "CodeCarbon's emissions.csv files."
)
db = databases()
upload = st.file_uploader("Jobs file (.csv or .parquet)", type=["csv", "parquet"], key="batch_upload")
example = st.toggle("Audit the example file instead", key="batch_example") if upload is None else False
if upload is None and not example:
    st.info("Upload a jobs file to audit it, or try the example file (a made-up lab's month).")
    st.download_button(
        "Download the example jobs file (CSV)",
        parts.example_csv(),
        file_name=parts.EXAMPLE_NAME,
        mime="text/csv",
        key="batch_example_csv",
        on_click="ignore",
    )
    st.stop()

name, data = (upload.name, upload.getvalue()) if upload else (parts.EXAMPLE_NAME, parts.example_csv())
if name.lower().endswith(".csv") and audit.looks_like_codecarbon(data):
    st.info(parts.codecarbon_notice(name))
    if st.button("Open it on the CodeCarbon page", key="batch_to_codecarbon", type="primary"):
        st.session_state[audit.HANDOFF_KEY] = [(name, data)]
        st.switch_page("views/codecarbon.py")
    st.stop()

notes: list[str] = []
try:
    jobs = batchfiles.read_job_buffer(data, name, batch.INPUT_COLUMNS, notes)
except WattprintError as error:
    st.error(components.plain(audit.name_the_upload(str(error), name)))
    st.stop()

if jobs.empty:
    st.info(components.plain(f"{name} has a header but no job rows."))
    st.stop()

for note in notes:
    st.info(components.plain(note))
tables = batch_tables()
results = parts.priced(jobs, db, tables)
flagged = parts.flagged(results)
if len(flagged):
    st.warning(parts.flag_notice(flagged, results))
    shown = [c for c in parts.FLAG_TABLE if c in flagged.columns]
    st.dataframe(flagged[shown], key="batch_flagged", hide_index=True)
    if st.checkbox("Leave the flagged rows out of the totals and groups", key="batch_exclude_flagged"):
        results = results[~results["line"].isin(flagged["line"])]
totals = batch.totals(results)

a, b = st.columns(2)  # two a row: four cut "4,987 of 5,000" short at 1280 px
c, d = st.columns(2)
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
st.caption(parts.basis_caption(results))
borrowed = parts.borrowed_notice(results, tables)
if borrowed:
    st.warning(components.plain(borrowed))

st.subheader("Results")
full = parts.without_ids(results)
st.dataframe(
    audit.blank_missing(audit.readable(full, parts.RESULTS_FIRST), parts.FORMATS),
    key="batch_results",
    hide_index=True,
    column_config=parts.COLUMN_LABELS,
)
failed = parts.failed_rows(results)
if len(failed):
    with st.expander(f"The {len(failed):,} failed rows", expanded=len(failed) <= 20):
        st.dataframe(failed, key="batch_errors", hide_index=True)
        safe.csv_download(failed, "Failed rows (CSV)", "batch-failed-rows.csv", key="batch_errors_dl")

# ---- grouping -------------------------------------------------------------------------------------
st.subheader("Grouped")
options = parts.group_options(list(jobs.columns), results)
default = parts.default_group(options)
by = st.selectbox("Group by", options, index=options.index(default), key="batch_group")
column = parts.group_key(by)
summary = parts.grouped(results, column)
st.session_state["batch_summary"] = summary
if summary.empty:
    st.info("No valid row to group.")
else:
    chart = parts.group_chart(summary, column, by)
    st.plotly_chart(chart, key="batch_group_chart", config=components.PLOTLY_CONFIG)
    more = parts.top_caption(summary)
    if more:
        st.caption(more)
    st.dataframe(
        audit.blank_missing(summary, parts.GROUP_FORMATS),
        key="batch_group_table",
        hide_index=True,
        column_config=parts.group_columns(column, by),
    )

# ---- downloads ------------------------------------------------------------------------------------
stem = parts.file_stem(name)
left, middle, right = st.columns(3)
with left:
    safe.csv_download(full, "Results (CSV)", f"{stem}-results.csv", key="batch_dl")
with middle:
    safe.parquet_download(full, "Results (Parquet)", f"{stem}-results.parquet", key="batch_dl_parquet")
with right:
    safe.csv_download(summary, "Grouped (CSV)", f"{stem}-by-{column}.csv", key="batch_dl_summary")
st.caption("Text cells that a spreadsheet would run as formulas (=, +, -, @) are written with a leading '.")
