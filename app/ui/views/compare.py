"""Compare regions: the shared job in every region, ranked, mapped and downloadable."""

from __future__ import annotations

import streamlit as st

from app.db import exports
from app.engine.jobspec import DEFAULT_PUE
from app.engine.whatif import compare_regions
from app.errors import WattprintError
from app.ui import cached, components, maps, safe, state, widgets

KINDS = ("cloud", "country", "grid", "world")
OPTIONS = state.PageOptions(
    "compare",
    {
        "kinds": state.InputField(("cloud",), KINDS),
        "providers": state.InputField(()),
        "continents": state.InputField(()),
        "data_year": state.InputField("latest"),
    },
)
COLUMNS = {
    "rank": st.column_config.NumberColumn("rank"),
    "low_carbon": st.column_config.CheckboxColumn("low carbon", width="small"),
    "id": st.column_config.TextColumn("id"),
    "name": st.column_config.TextColumn("name"),
    "provider": st.column_config.TextColumn("provider"),
    "continent": st.column_config.TextColumn("continent"),
    "intensity_g_per_kwh": st.column_config.NumberColumn("g CO₂e/kWh", format="%.0f"),
    "intensity_year": st.column_config.NumberColumn("year", format="%d"),
    "pue_used": st.column_config.NumberColumn("PUE", format="%.2f"),
    "energy_kwh": st.column_config.NumberColumn("kWh", format="%.1f"),
    "co2e_kg": st.column_config.NumberColumn("kg CO₂e", format="%.1f"),
    "savings_kg": st.column_config.NumberColumn("saved kg", format="%.1f"),
    "savings_fraction": st.column_config.NumberColumn("saved", format="percent"),
}

st.title("The same job in every region")
job = state.open_page(OPTIONS)
result = widgets.job_line(job)
years = ["latest", *[str(y) for y in reversed(cached.region_years())]]
everything = cached.region_frame(None)
choices = {
    "data_year": years,
    "providers": sorted(everything["provider"].dropna().unique()),
    "continents": sorted(everything["continent"].dropna().unique()),
}
for name, valid in choices.items():  # a link's values the database does not know are dropped
    value = st.session_state[OPTIONS.key(name)]
    if isinstance(value, list):
        st.session_state[OPTIONS.key(name)] = [v for v in value if v in valid]
    elif value not in valid:
        st.session_state[OPTIONS.key(name)] = "latest"

f1, f2, f3, f4 = st.columns(4)
kinds = f1.multiselect("Kind", list(KINDS), key=OPTIONS.key("kinds"))
providers = f2.multiselect("Provider", choices["providers"], key=OPTIONS.key("providers"))
continents = f3.multiselect("Continent", choices["continents"], key=OPTIONS.key("continents"))
year_choice = f4.selectbox("Year of the intensities", years, key=OPTIONS.key("data_year"))
state.publish(OPTIONS)
if result is None:
    st.stop()

year = None if year_choice == "latest" else int(year_choice)
frame = cached.region_frame(year)
frame = frame[frame["kind"].isin(kinds)] if kinds else frame
if providers:
    frame = frame[frame["provider"].isin(providers)]
if continents:
    frame = frame[frame["continent"].isin(continents)]
spec, footprint = result.built.spec, result.footprint
try:
    fixed_pue = 1.0 if spec.pue_included else spec.pue
    ranked = compare_regions(footprint, frame, fixed_pue, DEFAULT_PUE)
    if ranked.empty:
        raise WattprintError("no region matches these filters; clear one")
except WattprintError as error:
    safe.error(error)
    st.stop()

current = spec.region
st.session_state["compare_result"] = ranked
best = ranked.iloc[0]
a, b, c = st.columns(3)
a.metric("Your choice", components.kg(footprint.co2e_kg), help=current or "custom intensity")
b.metric(
    f"Cleanest: {best['name']}",
    components.kg(float(best["co2e_kg"])),
    "-" + components.percent(float(best["savings_fraction"])) if best["savings_fraction"] > 0 else "±0%",
    delta_color="inverse",
    help=str(best["id"]),
)
c.metric("Regions shown", f"{len(ranked):,}", help="Dark green bars: low-carbon grids")

chart_tab, map_tab, table_tab = st.tabs(["Ranking", "Map", "Table"])
with chart_tab:
    st.plotly_chart(
        components.ranked_figure(ranked, current), config=components.PLOTLY_CONFIG, key="compare_ranked"
    )
    st.caption("Dark green: a low-carbon grid. Grey: the job's own region. Hover a bar for its id.")
with map_tab:
    if maps.has_coordinates(ranked):
        st.plotly_chart(
            maps.region_map(
                ranked,
                "co2e_kg",
                "kg CO₂e",
                value_format=",.1f",
                highlight=[current] if current else [],
                highlight_label="your current choice",
            ),
            config=maps.MAP_CONFIG,
            key="compare_map",
        )
        st.caption(
            "Colour: kg CO₂e of this job in each region (same basis as the ranking). "
            "Countries and grids have no single point and are not placed on the map."
        )
    else:
        st.info("None of these entries has coordinates (countries and grids are not placed on the map).")
with table_tab:
    table = ranked.assign(low_carbon=ranked["intensity_g_per_kwh"].map(components.is_low_carbon))
    table = table[list(COLUMNS)]
    st.dataframe(table, hide_index=True, column_config=COLUMNS, key="compare_table")
    st.download_button(
        "Download CSV",
        lambda: exports.safe_csv(table.drop(columns=["low_carbon"])),
        file_name="wattprint-regions.csv",
        mime="text/csv",
        key="compare_csv",
        on_click="ignore",
    )
