"""Compare regions: the calculator's job in every region, ranked, mapped and downloadable."""

from __future__ import annotations

import streamlit as st

from app.db import exports
from app.engine.footprint import estimate
from app.engine.jobspec import DEFAULT_PUE, JobSpec, resolve
from app.engine.whatif import compare_regions
from app.errors import WattprintError
from app.ui import cached, components, state

dbs = cached.databases()
spec: JobSpec = st.session_state.get("calc_spec") or state.build(state.DEFAULTS, dbs).spec

st.title("The same job in every region")
who = spec.hardware or f"{components.num(spec.power_w or 0)} W devices"
duration = (
    f"{components.num(spec.hours)} h"
    if spec.hours is not None
    else (f"{components.num(spec.device_hours or 0)} device-hours")
)
st.caption(
    f"Job from the calculator: {spec.count:,.0f} × {who}, {duration}, from {spec.region or 'a custom grid'}."
)
st.page_link("views/calculator.py", label="Change the job in the calculator", icon=":material/calculate:")

years = cached.region_years()
f1, f2, f3, f4 = st.columns(4)
kinds = f1.multiselect("Kind", ["cloud", "country", "grid", "world"], default=["cloud"], key="compare_kind")
year_choice = f4.selectbox("Year", ["latest", *[str(y) for y in reversed(years)]], key="compare_year")
year = None if year_choice == "latest" else int(year_choice)
frame = cached.region_frame(year)
frame = frame[frame["kind"].isin(kinds)] if kinds else frame
providers = f2.multiselect("Provider", sorted(frame["provider"].dropna().unique()), key="compare_provider")
continents = f3.multiselect(
    "Continent", sorted(frame["continent"].dropna().unique()), key="compare_continent"
)
if providers:
    frame = frame[frame["provider"].isin(providers)]
if continents:
    frame = frame[frame["continent"].isin(continents)]

try:
    footprint = estimate(resolve(spec, dbs))
    fixed_pue = 1.0 if spec.pue_included else spec.pue
    ranked = compare_regions(footprint, frame, fixed_pue, DEFAULT_PUE)
except WattprintError as error:
    st.error(str(error))
    st.stop()

current = spec.region
st.session_state["compare_result"] = ranked
best = ranked.iloc[0]
a, b, c = st.columns(3)
a.metric("Your choice", components.kg(footprint.co2e_kg), help=f"{current or 'custom intensity'}")
b.metric(
    f"Cleanest: {best['id']}",
    components.kg(float(best["co2e_kg"])),
    "-" + components.percent(float(best["savings_fraction"])) if best["savings_fraction"] > 0 else "±0%",
    delta_color="inverse",
)
c.metric(
    "Regions shown", f"{len(ranked):,}", help="Dark green bars: grids at or below the low-carbon threshold"
)

chart_tab, map_tab, table_tab = st.tabs(["Ranking", "Map", "Table"])
with chart_tab:
    st.plotly_chart(
        components.ranked_figure(ranked, current), config=components.PLOTLY_CONFIG, key="compare_ranked"
    )
with map_tab:
    if ranked[["latitude", "longitude"]].notna().all(axis=1).any():
        st.plotly_chart(
            components.map_figure(ranked, current), config=components.PLOTLY_CONFIG, key="compare_map"
        )
        st.caption(
            "Longitude/latitude plot without coastlines: the app works offline and plotly's world "
            "outlines would be fetched from a CDN. Countries and grids have no coordinates."
        )
    else:
        st.info("None of these entries has coordinates (countries and grids are not placed on the map).")
with table_tab:
    table = ranked.assign(low_carbon=ranked["intensity_g_per_kwh"].map(components.is_low_carbon))[
        [
            "rank",
            "low_carbon",
            "id",
            "name",
            "provider",
            "continent",
            "intensity_g_per_kwh",
            "intensity_year",
            "pue_used",
            "energy_kwh",
            "co2e_kg",
            "savings_kg",
            "savings_fraction",
        ]
    ]
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "low_carbon": st.column_config.CheckboxColumn("low carbon", width="small"),
            "intensity_g_per_kwh": st.column_config.NumberColumn("g CO₂e/kWh", format="%.0f"),
            "intensity_year": st.column_config.NumberColumn("year", format="%d"),
            "pue_used": st.column_config.NumberColumn("PUE", format="%.2f"),
            "energy_kwh": st.column_config.NumberColumn("kWh", format="%.1f"),
            "co2e_kg": st.column_config.NumberColumn("kg CO₂e", format="%.1f"),
            "savings_kg": st.column_config.NumberColumn("saved kg", format="%.1f"),
            "savings_fraction": st.column_config.NumberColumn("saved", format="percent"),
        },
        key="compare_table",
    )
    st.download_button(
        "Download CSV",
        lambda: exports.safe_csv(table.drop(columns=["low_carbon"])),
        file_name="wattprint-regions.csv",
        mime="text/csv",
        key="compare_csv",
        on_click="ignore",
    )
