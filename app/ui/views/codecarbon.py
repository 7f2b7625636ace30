"""CodeCarbon import: several emissions.csv files at once; totals, one row per run, re-priced in
any region and year with a PUE, compared by project, downloadable. A bad file is listed with its
reason and the good ones are kept."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import pandas as pd
import plotly.express as px
import streamlit as st

from app.db import codecarbon as codecarbon_files
from app.db import exports
from app.db.schema import DEFAULT_BASIS
from app.engine import codecarbon, units
from app.errors import WattprintError
from app.ui import audit, components
from app.ui.cached import databases

SAME_PUE = "As measured (the file's pue column, else 1.0)"
OWN_PUE = "Apply a PUE"


def own_region(row: Mapping[str, object], names: Mapping[str, str]) -> str | None:
    """The region a run (a row of :func:`app.engine.codecarbon.runs`, from its file's last row)
    says it ran in: its cloud region when on a cloud (``aws:us-east-1``), else its country (ISO
    alpha-3, an alias of ``country:XX``); None if neither is in the database."""
    provider = str(row.get("cloud_provider") or "").strip().lower()
    cloud_region = str(row.get("cloud_region") or "").strip().lower()
    if provider and cloud_region and f"{provider}:{cloud_region}" in names:
        return names[f"{provider}:{cloud_region}"]
    country = str(row.get("country_iso_code") or "").strip().lower()
    return names.get(country) if country else None


UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
# Longest project and run name in a run's label [characters]: a label stays under 40.
PROJECT_CHARS = 14
ID_CHARS = 22


def run_label(row: pd.Series) -> str:
    """A short, readable run name: project and the first 8 characters of a UUID run id, else
    the run's name (``emissions.csv:5``, a file and first line, when it has no id) cut short."""
    project = str(row["project_name"]) if isinstance(row["project_name"], str) else "(no project)"
    run_id = str(row["run_id"])
    short = run_id[:8] if UUID.fullmatch(run_id) else _shorten(run_id, ID_CHARS)
    return f"{_shorten(project, PROJECT_CHARS)} · {short}"


def _shorten(text: str, limit: int) -> str:
    """``text`` cut in the middle to at most ``limit`` characters (both ends kept: a file
    name's start and its line number)."""
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "…" + text[-(limit - 1 - half) :]


st.title("CodeCarbon import")
st.caption(
    "Upload one or more emissions.csv files written by CodeCarbon (1.x to 3.x). Each run's total "
    "is its last row (CodeCarbon's rows are cumulative). The measured energy is kept; the CO₂e is "
    "re-priced with wattprint's location-based grid intensity for the region and year you pick, on the "
    f"{DEFAULT_BASIS} basis (the basis and year are named beside every figure)."
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

parsed = []
failed: list[tuple[str, str]] = []
warnings: list[str] = []
for name, data in files:
    if len(data) > codecarbon_files.MAX_FILE_BYTES:
        failed.append((name, f"larger than {codecarbon_files.MAX_FILE_BYTES // 2**20} MiB"))
        continue
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        failed.append((name, "not UTF-8 text (is it a CodeCarbon emissions.csv?)"))
        continue
    try:
        one = codecarbon_files.parse_emissions(text, name)
    except WattprintError as error:
        failed.append((name, str(error).removeprefix(f"{name}: ")))
        continue
    warnings.extend(one.warnings)
    if one.rows.empty:
        failed.append((name, "No CodeCarbon rows with energy in this file"))
        continue
    parsed.append(one)

if failed:
    st.error(
        components.plain(
            f"{len(failed)} of {len(files)} files not imported" + (" (the others are):" if parsed else ":")
        )
        + "\n\n"
        + "\n".join(f"- {components.plain(name)}: {components.plain(reason)}" for name, reason in failed)
    )
if warnings:
    st.warning(
        f"{len(warnings)} lines skipped or repaired:\n\n"
        + "\n".join(f"- {components.plain(w)}" for w in warnings[:10])
        + (f"\n\nand {len(warnings) - 10} more." if len(warnings) > 10 else "")
    )
if not parsed:
    if not failed:
        st.error(
            components.plain("No CodeCarbon rows with energy in " + ", ".join(name for name, _ in files))
        )
    st.stop()

rows = pd.concat([p.rows for p in parsed], ignore_index=True)
runs = codecarbon.runs(rows)
names = db.regions.names
runs["own_region"] = [own_region(run, names) for run in runs.to_dict("records")]
runs["run"] = runs.apply(run_label, axis=1)
# Runs are keyed within each file: one run id in several files (a copied or appended log) is
# counted once per file. Say so rather than guess which copy is right.
repeated = runs[runs["run_id"].duplicated(keep=False)]
if len(repeated):
    st.warning(
        f"{repeated['run_id'].nunique():,} run id(s) appear in more than one file and are counted once "
        "per file (the totals include every copy); remove a file if it copies another: "
        + components.plain(
            "; ".join(
                f"{run_id[:8]} in {', '.join(sorted(set(group['file'].astype(str))))}"
                for run_id, group in list(repeated.groupby("run_id", sort=False))[:5]
            )
        )
    )

# ---- re-price ------------------------------------------------------------------------------------
st.subheader("Re-price")
known = runs.dropna(subset=["own_region"])
default_region = (
    str(known.groupby("own_region")["energy_kwh"].sum().idxmax()) if not known.empty else "world:WORLD"
)
region_ids = sorted(db.regions.regions)
if default_region not in region_ids:
    default_region = region_ids[0]
r1, r2, r3 = st.columns([2, 1, 2])
region = r1.selectbox(
    "Region",
    region_ids,
    index=region_ids.index(default_region),
    key="cc_region",
    help="Default: the region the files say they ran in (cloud region, else country).",
)
years = db.regions.intensity_years(region)
year_choice = r2.selectbox("Year", ["latest", *[str(y) for y in reversed(years)]], key="cc_year")
pue_mode = r3.radio("PUE", [SAME_PUE, OWN_PUE], key="cc_pue_mode")
pue = None
if pue_mode == OWN_PUE:
    pue = float(r3.number_input("PUE [-]", min_value=1.0, max_value=5.0, value=1.2, step=0.05, key="cc_pue"))
try:
    intensity = db.regions.intensity(region, None if year_choice == "latest" else int(year_choice))
    where = f"{intensity.basis} basis, {intensity.year}"
except WattprintError as error:
    st.error(components.plain(str(error)))
    st.stop()
repriced = runs.copy()
if pue is not None:
    # CodeCarbon's energy includes the file's PUE (1.0 when absent); swap it for the chosen one.
    repriced["energy_kwh"] = runs["energy_kwh"] / runs["pue"] * pue
    repriced["pue"] = pue
repriced["co2e_kg"] = codecarbon.reprice(repriced, intensity.value)
# Each run also priced where the file says it ran (that region's latest figure, same basis).
own_intensity = {
    region_id: db.regions.intensity(region_id)
    for region_id in sorted({str(r) for r in runs["own_region"].dropna()})
    if db.regions.intensity_years(region_id)
}
repriced["own_region_year"] = repriced["own_region"].map(
    lambda r: own_intensity[r].year if r in own_intensity else None
)
repriced["own_region_basis"] = repriced["own_region"].map(
    lambda r: own_intensity[r].basis if r in own_intensity else None
)
repriced["own_region_co2e_kg"] = (
    repriced["energy_kwh"]
    * repriced["own_region"].map(lambda r: own_intensity[r].value if r in own_intensity else float("nan"))
    / units.G_PER_KG
)
st.caption(
    f"{region}: {intensity.value:,.1f} gCO₂e/kWh (location-based, {where}"
    + (f", from `{intensity.region_id}`" if intensity.region_id != region else "")
    + ")"
    + (f"; PUE {pue:.2f} applied to every run" if pue is not None else "; PUE as measured")
    + ". Files' own regions: "
    + (", ".join(sorted({str(r) for r in known["own_region"]})) or "none recognised")
    + "."
)

# ---- totals --------------------------------------------------------------------------------------
a, b, c, d = st.columns(4)
a.metric("Runs", f"{len(repriced):,}", help=f"from {len(parsed)} files")
b.metric("Energy [kWh]", f"{repriced['energy_kwh'].sum():,.4g}")
c.metric(
    f"CO₂e in {region} [kg]",
    f"{repriced['co2e_kg'].sum():,.4g}",
    help=f"At {intensity.value:,.1f} gCO₂e/kWh, {where}.",
)
d.metric(
    "CodeCarbon's own figure [kg]",
    f"{runs['codecarbon_co2e_kg'].sum():,.4g}",
    help="As written by CodeCarbon with its own intensity data: another source and basis, so not "
    "compared with the re-priced figure.",
)
st.session_state["cc_runs"] = repriced

# ---- by project ------------------------------------------------------------------------------------
by_project = (
    repriced.assign(project=repriced["project_name"].astype(object).fillna("(no project)"))
    .groupby("project", as_index=False)[["energy_kwh", "co2e_kg"]]
    .sum()
    .sort_values("co2e_kg", ascending=False)
)
by_project["runs"] = by_project["project"].map(
    repriced.assign(project=repriced["project_name"].astype(object).fillna("(no project)"))
    .groupby("project")
    .size()
)
chart = px.bar(
    by_project.iloc[::-1],
    x="co2e_kg",
    y="project",
    orientation="h",
    hover_data={"energy_kwh": ":,.4g", "runs": True},
    labels={"co2e_kg": f"CO₂e in {region}, {where} [kg]", "project": "Project", "energy_kwh": "kWh"},
    color_discrete_sequence=[components.GREEN],
)
chart.update_yaxes(type="category", automargin=True)
chart.update_layout(height=max(220, 36 * len(by_project) + 80), margin={"l": 10, "r": 10, "t": 10, "b": 40})
st.subheader("By project")
st.plotly_chart(chart, key="cc_project_chart", config=components.PLOTLY_CONFIG)

# ---- per run ----------------------------------------------------------------------------------------
st.subheader("Runs")
table = audit.readable(
    repriced.assign(
        duration_h=repriced["duration_h"].round(4),
        pue_from_file=repriced["pue_from_file"].map({True: "yes", False: "no"}),
    ),
    (
        "run",
        "project_name",
        "co2e_kg",
        "energy_kwh",
        "own_region",
        "own_region_co2e_kg",
        "own_region_basis",
        "own_region_year",
        "codecarbon_co2e_kg",
        "duration_h",
    ),
)
st.dataframe(
    audit.blank_missing(table, {"duration_h": "{:.3f}", "rows": "{:.0f}", "own_region_year": "{:.0f}"}),
    key="cc_runs_table",
    hide_index=True,
    column_config={
        "co2e_kg": st.column_config.Column(f"CO₂e in {region} [kg] ({where})"),
        "energy_kwh": st.column_config.Column("Energy [kWh]"),
        "codecarbon_co2e_kg": st.column_config.Column("CodeCarbon's CO₂e [kg]"),
        "own_region": st.column_config.Column("Ran in (from the file)"),
        "own_region_co2e_kg": st.column_config.Column("CO₂e where it ran [kg]"),
        "own_region_basis": st.column_config.Column("its basis"),
        "own_region_year": st.column_config.Column("its year"),
        "duration_h": st.column_config.Column("Duration [h]"),
        "run_id": st.column_config.TextColumn("run id"),
    },
)
left, right = st.columns(2)
left.download_button(
    "Runs (CSV)",
    lambda: exports.safe_csv(repriced),
    "codecarbon-runs.csv",
    mime="text/csv",
    key="cc_dl_csv",
    on_click="ignore",
)
right.download_button(
    "Runs (Parquet)",
    lambda: audit.parquet_bytes(repriced),
    "codecarbon-runs.parquet",
    mime="application/vnd.apache.parquet",
    key="cc_dl_parquet",
    on_click="ignore",
)
total_kwh = float(repriced["energy_kwh"].sum())
if math.isfinite(total_kwh) and total_kwh > 0:
    st.caption(
        f"{total_kwh:,.4g} kWh × {intensity.value:,.1f} g/kWh ({where}) ÷ {units.G_PER_KG:,.0f} g/kg = "
        f"{total_kwh * intensity.value / units.G_PER_KG:,.4g} kg CO₂e."
    )
