"""Region database: a map, a table, filters and one region's history with its sources."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app.engine.whatif import LOW_CARBON_THRESHOLD_G_PER_KWH
from app.errors import WattprintError
from app.ui import audit, cached, components, maps, safe

LATEST = "Latest per region"
ALL = "All"
LEAF = "🍃"


def age_label(year: int, this_year: int) -> str:
    """``"2022 (2 years old)"``: a figure's year and its age in whole years."""
    age = this_year - int(year)
    if age <= 0:
        return f"{int(year)} (this year)"
    return f"{int(year)} ({age} year{'s' if age != 1 else ''} old)"


def source_label(key: str | None, sources: dict[str, Any]) -> str:
    """``publisher, title (year)`` of a source key, or the key itself when unknown."""
    if key is None:
        return "-"
    source = sources.get(key)
    return f"{source.publisher}, {source.title} ({source.year})" if source else key


st.title("Region database")
st.caption(
    "Location-based grid carbon intensity of cloud regions, countries and sub-national grids, by year, "
    f"with PUE where published. {LEAF} marks regions at or below "
    f'{LOW_CARBON_THRESHOLD_G_PER_KWH:g} gCO2e/kWh (Google Cloud\'s "Low CO2" threshold).'
)

try:
    dbs = cached.databases()
    db = dbs.regions
    all_years = sorted({fact.year for region in db.regions.values() for fact in region.intensity_g_per_kwh})
except WattprintError as error:
    safe.error(error)
    st.stop()

this_year = dt.date.today().year

# ---- filters ---------------------------------------------------------------------------------------
search = st.text_input("Search id or name", key="reg_search", placeholder="e.g. europe-west, FR, Virginia")
columns = st.columns(4)
providers = sorted({r.provider for r in db.regions.values() if r.provider})
continents = sorted({r.continent for r in db.regions.values() if r.continent})
kinds = sorted({r.kind for r in db.regions.values()})
provider = columns[0].selectbox("Provider", [ALL, *providers], key="reg_provider")
continent = columns[1].selectbox("Continent", [ALL, *continents], key="reg_continent")
kind = columns[2].selectbox("Kind", [ALL, *kinds], key="reg_kind")
year_choice = columns[3].selectbox(
    "Intensity year",
    [LATEST, *reversed(all_years)],
    key="reg_year",
    help="A region without a figure for this year (own or from its grid) is left out.",
)
year = None if year_choice == LATEST else int(str(year_choice))
low_only = st.checkbox(f"Only low-carbon regions ({LEAF})", value=False, key="reg_low_only")

try:
    frame = cached.region_frame(year)
except WattprintError as error:
    safe.error(error)
    st.stop()

if provider != ALL:
    frame = frame[frame["provider"] == provider]
if continent != ALL:
    frame = frame[frame["continent"] == continent]
if kind != ALL:
    frame = frame[frame["kind"] == kind]
needle = search.strip().lower()
if needle:
    haystack = (
        frame["id"].str.lower()
        + "\n"
        + frame["name"].str.lower()
        + "\n"
        + frame["city"].fillna("").str.lower()
    )
    frame = frame[haystack.str.contains(needle, regex=False)]
frame = frame.assign(low_carbon=frame["intensity_g_per_kwh"] <= LOW_CARBON_THRESHOLD_G_PER_KWH)
if low_only:
    frame = frame[frame["low_carbon"]]
frame = frame.sort_values("intensity_g_per_kwh", kind="stable")

st.subheader(f"{len(frame)} regions" + (f" with a {year} figure" if year else ""))
if frame.empty:
    st.info("No region matches these filters; widen them or pick another year.")

# ---- map -------------------------------------------------------------------------------------------
if maps.has_coordinates(frame):
    st.plotly_chart(
        maps.region_map(
            frame,
            "intensity_g_per_kwh",
            "gCO2e/kWh",
            range_color=(0.0, max(800.0, float(frame["intensity_g_per_kwh"].max()))),
        ),
        key="reg_map",
        config=maps.MAP_CONFIG,
    )
    st.caption(
        "Cloud regions with a known location; colour: grid intensity [gCO2e/kWh] of the year shown. "
        "Countries and grids have no single point. World outlines ship with wattprint (offline)."
    )

# ---- table -----------------------------------------------------------------------------------------
table = pd.DataFrame(
    {
        "id": frame["id"],
        "Name": frame["name"],
        "Kind": frame["kind"],
        "Provider": frame["provider"],
        "Country": frame["country"],
        "Continent": frame["continent"],
        "Intensity [gCO2e/kWh]": frame["intensity_g_per_kwh"],
        "Year": [age_label(y, this_year) for y in frame["intensity_year"]],
        "Low carbon": [LEAF if low else "" for low in frame["low_carbon"]],
        "PUE [-]": frame["pue"],
        "CFE [%]": frame["cfe_fraction"] * 100.0,
        "From grid": [
            own if own != rid else "" for own, rid in zip(frame["intensity_from"], frame["id"], strict=True)
        ],
        "Source": frame["intensity_source"],
    }
)
st.dataframe(
    audit.blank_missing(
        table, {"Intensity [gCO2e/kWh]": "{:,.1f}", "PUE [-]": "{:.2f}", "CFE [%]": "{:.0f}"}
    ),
    hide_index=True,
    key="reg_table",
)

# ---- one region ------------------------------------------------------------------------------------
st.subheader("One region")
options = list(frame["id"]) or sorted(db.regions)
default_id = "gcp:europe-west6"
region_id = st.selectbox(
    "Region", options, index=options.index(default_id) if default_id in options else 0, key="reg_detail"
)
try:
    region = db.get(region_id)
    history = db.intensity_series(region.id)
    pue = db.pue(region.id, year)
    chain = list(db.chain(region))
    profile = db.profile_for(region.id)
except WattprintError as error:
    safe.error(error)
    st.stop()

st.markdown(f"**{components.plain(region.name)}** (`{region.id}`), {region.kind}")
left, right = st.columns(2)
if history:
    latest = max(history, key=lambda fact: fact.year)
    left.metric(
        f"Intensity {latest.year} [gCO2e/kWh]",
        f"{latest.value:,.1f}" + (f" {LEAF}" if latest.value <= LOW_CARBON_THRESHOLD_G_PER_KWH else ""),
    )
if pue is not None:
    right.metric(f"PUE {pue.year} [-]", f"{pue.value:.2f}")
    right.caption(
        ("Provider fleet value: " if pue.region_id.startswith("provider:") else "Own value: ")
        + source_label(pue.source, db.sources)
    )
else:
    right.metric("PUE [-]", "not published")

if history:
    owner = next(entry for entry in chain if entry.intensity_g_per_kwh)
    history_frame = pd.DataFrame(
        {
            "Year": [fact.year for fact in history],
            "Intensity [gCO2e/kWh]": [fact.value for fact in history],
            "Source": [source_label(fact.source, db.sources) for fact in history],
        }
    ).sort_values("Year")
    chart = go.Figure(
        go.Scatter(
            x=history_frame["Year"],
            y=history_frame["Intensity [gCO2e/kWh]"],
            mode="lines+markers",
            name="intensity",
        )
    )
    chart.add_hline(
        y=LOW_CARBON_THRESHOLD_G_PER_KWH,
        line_dash="dot",
        line_color="green",
        annotation_text=f"low-carbon threshold ({LOW_CARBON_THRESHOLD_G_PER_KWH:g})",
    )
    chart.update_layout(
        xaxis_title="Year",
        yaxis_title="Intensity [gCO2e/kWh]",
        yaxis_rangemode="tozero",
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        height=300,
    )
    chart.update_xaxes(dtick=1)
    st.plotly_chart(chart, key="reg_history")
    if owner.id != region.id:
        st.caption(f"Intensity inherited from the grid `{owner.id}` ({owner.name}).")
    st.dataframe(history_frame, hide_index=True, key="reg_history_table")
else:
    st.warning("No intensity is published for this region or the grid it sits on.")

if region.cfe_fraction:
    cfe = pd.DataFrame(
        {
            "Year": [fact.year for fact in region.cfe_fraction],
            "CFE [%]": [fact.value * 100 for fact in region.cfe_fraction],
            "Source": [source_label(fact.source, db.sources) for fact in region.cfe_fraction],
        }
    ).sort_values("Year")
    st.markdown("**Carbon-free energy (Google Cloud CFE%)**, hourly-matched share of clean energy")
    st.dataframe(cfe, hide_index=True, key="reg_cfe")

if len(chain) > 1:
    links = [f"`{entry.id}` ({components.plain(entry.name)})" for entry in chain]
    st.markdown("**Grid chain**: " + " → ".join(links))
if profile is not None:
    st.markdown(
        f"**Hourly series**: {profile.name} (`{profile.id}`), every {profile.resolution_minutes} min, "
        f"{profile.start[:10]} to {profile.end[:10]}; source: {source_label(profile.source, db.sources)}. "
        "Use it on the Time shifting page."
    )
else:
    st.caption("No hourly intensity series is linked to this region or its grids.")
if region.notes:
    st.caption(region.notes)
