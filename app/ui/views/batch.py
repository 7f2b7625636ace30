"""Batch page: upload jobs (CSV/Parquet) or CodeCarbon files; results, totals, summaries."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from app.db import batchfiles, exports
from app.db.codecarbon import parse_emissions
from app.engine import batch, codecarbon
from app.errors import WattprintError
from app.ui import safe
from app.ui.cached import databases

st.title("Batch audit")
db = databases()
upload = st.file_uploader("Jobs file (.csv or .parquet)", type=["csv", "parquet"], key="batch_upload")
if upload is not None:
    try:
        jobs = batchfiles.read_job_buffer(upload.getvalue(), upload.name, batch.INPUT_COLUMNS)
    except WattprintError as error:
        safe.error(error)
    else:
        results = batch.estimate_frame(jobs, batch.build_tables(db))
        totals = batch.totals(results)
        cols = st.columns(3)
        cols[0].metric("Jobs", f"{totals.jobs:,}", f"{totals.failed:,} failed", delta_color="off")
        cols[1].metric("Energy [kWh]", f"{totals.energy_kwh:,.1f}")
        cols[2].metric("CO2e [kg]", f"{totals.co2e_kg:,.1f}")
        st.dataframe(results, key="batch_results", hide_index=True)
        failed = results[results["error"] != ""]
        if len(failed):
            st.warning(f"{len(failed):,} rows failed; each with its line and reason:")
            st.dataframe(failed[["line", "error"]], key="batch_errors", hide_index=True)
        for key in batch.SUMMARY_KEYS:
            summary = batch.summarize(results, key)
            if len(summary):
                st.subheader(f"By {key}")
                st.plotly_chart(
                    px.bar(summary, x=key, y="co2e_kg", labels={"co2e_kg": "CO2e [kg]"}),
                    key=f"batch_chart_{key}",
                )
        st.download_button("Download results.csv", exports.safe_csv(results), "results.csv", key="batch_dl")

st.header("CodeCarbon import")
files = st.file_uploader(
    "emissions.csv files", type=["csv"], accept_multiple_files=True, key="batch_codecarbon"
)
region = st.selectbox("Re-price in region", sorted(db.regions.regions), key="batch_cc_region")
if files:
    try:
        parsed = [parse_emissions(f.getvalue().decode("utf-8", errors="replace"), f.name) for f in files]
    except WattprintError as error:
        safe.error(error)
    else:
        for parsed_file in parsed:
            for warning in parsed_file.warnings:
                safe.warning(warning)
        runs = codecarbon.runs(pd.concat([p.rows for p in parsed], ignore_index=True))
        if runs.empty:
            safe.error("No CodeCarbon rows with energy in " + ", ".join(f.name for f in files))
            st.stop()
        intensity = db.regions.intensity(region)
        runs["co2e_kg"] = codecarbon.reprice(runs, intensity.value)
        st.dataframe(runs, key="batch_cc_runs", hide_index=True)
        long = runs.melt(
            id_vars=["run_id"],
            value_vars=["codecarbon_co2e_kg", "co2e_kg"],
            var_name="figure",
            value_name="CO2e [kg]",
        )
        st.plotly_chart(
            px.bar(long, x="run_id", y="CO2e [kg]", color="figure", barmode="group"), key="batch_cc_chart"
        )
