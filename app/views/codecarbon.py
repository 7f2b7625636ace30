"""CodeCarbon import: several emissions.csv files at once; totals, one row per run, re-priced in
any region and year with a PUE, compared by project, downloadable. A bad file is listed with its
reason and the good ones are kept. The work is in app/codecarbon_parts.py."""

from __future__ import annotations

import streamlit as st

from app import audit, components, safe
from app import codecarbon_parts as parts
from app.cached import databases
from wattprint.db.codecarbon import what_if_pue
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.engine import codecarbon
from wattprint.errors import WattprintError

st.title("CodeCarbon import")
st.caption(
    "Upload one or more emissions.csv files written by CodeCarbon (1.x to 3.x). Each run's total "
    "is its last row (CodeCarbon's rows are cumulative). The headline is the runs as measured, where "
    "each ran: CodeCarbon's own figure, and wattprint's at each run's own region on the "
    f"{DEFAULT_BASIS} basis (source and year named). Below it, a what-if prices every run in one "
    "region and year you pick."
)
db = databases()
uploads = st.file_uploader("emissions.csv files", type=["csv"], accept_multiple_files=True, key="cc_files")
handed = st.session_state.get(audit.HANDOFF_KEY) or []
files: list[tuple[str, bytes]] = [(name, data) for name, data in handed]
if handed:
    left, right = st.columns([3, 1])
    left.info(components.plain("From the Batch page: " + ", ".join(name for name, _ in handed)))
    if right.button("Remove", key="cc_clear_handoff"):
        st.session_state.pop(audit.HANDOFF_KEY, None)
        st.rerun()
files += [(f.name, f.getvalue()) for f in uploads or []]
if not files:
    st.info("Upload CodeCarbon emissions.csv files to import them.")
    st.stop()

read = parts.read_uploads(files)
if read.failed:
    st.error(parts.failed_message(read, len(files)))
if read.warnings:
    st.warning(parts.warnings_message(read.warnings))
if not read.parsed:
    if not read.failed:
        st.error(
            components.plain("No CodeCarbon rows with energy in " + ", ".join(name for name, _ in files))
        )
    st.stop()

runs = parts.named_runs(read.parsed, db.regions.names)
repeated = parts.repeated_message(runs)
if repeated:
    st.warning(repeated)

# ---- the headline: as measured, where each ran --------------------------------------------------
placed = parts.placed_runs(runs, db.regions)
summary = codecarbon.where_ran(placed)
st.subheader("As measured, where each ran")
a, b = st.columns(2)
a.metric(
    "CodeCarbon's own figure [kg]",
    f"{summary.codecarbon_co2e_kg:,.4g}",
    help="As written by CodeCarbon with its own intensity data for each run's place.",
)
b.metric(
    "wattprint, where each ran [kg]"
    if summary.priced_runs == summary.runs
    else f"wattprint, where {summary.priced_runs} of {summary.runs} ran [kg]",
    f"{summary.co2e_kg:,.4g}" if summary.priced_runs else "unknown",
    help="Each run's measured energy at its own region's grid figure for the year it ran.",
)
st.caption(parts.where_ran_caption(summary, db.regions.sources, codecarbon.files_pue_words(runs)))

# ---- what if ----------------------------------------------------------------------------------------
st.subheader("What if every run had been in one region")
region_ids = sorted(db.regions.regions)
default_region = parts.default_region(runs, region_ids)
r1, r2, r3 = st.columns([2, 1, 2])
region = r1.selectbox(
    "Region",
    region_ids,
    index=region_ids.index(default_region),
    key="cc_region",
    help="Default: the region where the most energy ran (cloud region, else country).",
)
years = db.regions.intensity_years(region)
year_choice = r2.selectbox("Year", ["latest", *[str(y) for y in reversed(years)]], key="cc_year")
pue_choice = r3.radio("PUE", parts.PUE_CHOICES, key="cc_pue_mode")
given = None
if pue_choice == parts.OWN_PUE:
    given = float(
        r3.number_input("PUE [-]", min_value=1.0, max_value=5.0, value=1.2, step=0.05, key="cc_pue")
    )
try:
    intensity = db.regions.intensity(region, None if year_choice == "latest" else int(year_choice))
    pue, pue_note = what_if_pue(runs, db.regions, region, intensity.year, parts.PUE_MODES[pue_choice], given)
except WattprintError as error:
    st.error(components.plain(str(error)))
    st.stop()
where = parts.where(intensity)
repriced = parts.repriced_runs(placed, intensity, pue, db.regions)
st.metric(
    f"What if all ran in {region} [kg]",
    f"{repriced['co2e_kg'].sum():,.4g}",
    help=f"At {intensity.value:,.1f} gCO₂e/kWh, {where}; a what-if, not where the runs ran.",
)
st.caption(parts.price_caption(region, intensity, pue, runs) + " " + components.plain(pue_note))
st.session_state["cc_runs"] = repriced

# ---- by project ------------------------------------------------------------------------------------
chart = parts.project_chart(parts.by_project(repriced), region, intensity)
st.subheader("By project")
st.plotly_chart(chart, key="cc_project_chart", config=components.PLOTLY_CONFIG)

# ---- per run ----------------------------------------------------------------------------------------
st.subheader("Runs")
st.dataframe(
    audit.blank_missing(parts.runs_table(repriced), parts.RUNS_FORMATS),
    key="cc_runs_table",
    hide_index=True,
    column_config=parts.runs_columns(region, intensity),
)
left, right = st.columns(2)
with left:
    safe.csv_download(repriced, "Runs (CSV)", "codecarbon-runs.csv", key="cc_dl_csv")
with right:
    safe.parquet_download(repriced, "Runs (Parquet)", "codecarbon-runs.parquet", key="cc_dl_parquet")
total = parts.total_caption(repriced, intensity)
if total:
    st.caption(total)
