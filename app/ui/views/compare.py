"""Compare regions: the shared job in every region of one intensity basis, ranked, mapped and
downloadable, with the regions left out and why."""

from __future__ import annotations

import math

import streamlit as st

from app.commands.compare import left_out_line
from app.db import exports
from app.db.schema import DEFAULT_BASIS, INTENSITY_BASES
from app.engine.jobspec import DEFAULT_PUE
from app.engine.whatif import STALE_AFTER_YEARS, compare_regions
from app.errors import WattprintError
from app.ui import cached, components, maps, safe, state, widgets

KINDS = ("cloud", "country", "grid", "world")
OPTIONS = state.PageOptions(
    "compare",
    {
        "kinds": state.InputField(("cloud",), KINDS),
        "providers": state.InputField(()),
        "continents": state.InputField(()),
        "basis": state.InputField(DEFAULT_BASIS, INTENSITY_BASES),
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
    "intensity_basis": st.column_config.TextColumn("basis"),
    "intensity_year": st.column_config.NumberColumn("year", format="%d"),
    "intensity_source": st.column_config.TextColumn("source"),
    "stale": st.column_config.CheckboxColumn(f"over {STALE_AFTER_YEARS} y older", width="small"),
    "pue_used": st.column_config.NumberColumn("PUE", format="%.2f"),
    "energy_kwh": st.column_config.NumberColumn("kWh", format="%.1f"),
    "co2e_kg": st.column_config.NumberColumn("kg CO₂e", format="%.1f"),
    "savings_kg": st.column_config.NumberColumn("saved kg", format="%.1f"),
    "savings_fraction": st.column_config.NumberColumn("saved", format="percent"),
}

st.title("The same job in every region")
job = state.open_page(OPTIONS)
result = widgets.job_line(job)
basis_key = OPTIONS.key("basis")
if st.session_state[basis_key] not in INTENSITY_BASES:
    st.session_state[basis_key] = DEFAULT_BASIS
choices = {
    "data_year": ["latest", *[str(y) for y in reversed(cached.region_years(st.session_state[basis_key]))]],
    "providers": sorted(cached.region_frame(None)["provider"].dropna().unique()),
    "continents": sorted(cached.region_frame(None)["continent"].dropna().unique()),
}
for name, valid in choices.items():  # a link's values the database does not know are dropped
    value = st.session_state[OPTIONS.key(name)]
    if isinstance(value, list):
        st.session_state[OPTIONS.key(name)] = [v for v in value if v in valid]
    elif value not in valid:
        st.session_state[OPTIONS.key(name)] = "latest"

f1, f2, f3 = st.columns(3)
kinds = f1.multiselect("Kind", list(KINDS), key=OPTIONS.key("kinds"))
providers = f2.multiselect("Provider", choices["providers"], key=OPTIONS.key("providers"))
continents = f3.multiselect("Continent", choices["continents"], key=OPTIONS.key("continents"))
f4, f5 = st.columns(2)
basis = str(
    f4.selectbox(
        "Intensity basis",
        INTENSITY_BASES,
        key=basis_key,
        help="Only figures of this basis are ranked; regions without one are counted and listed below.",
    )
)
year_choice = f5.selectbox("Year of the intensities", choices["data_year"], key=OPTIONS.key("data_year"))
state.publish(OPTIONS)
if result is None:
    st.stop()

year = None if year_choice == "latest" else int(year_choice)
frame = cached.region_frame(year, basis)
left_out = cached.excluded_regions(year, basis)
dbs = cached.databases()
left_out = left_out.assign(continent=[dbs.regions.regions[i].continent for i in left_out["id"]])
for column, chosen in (("kind", kinds), ("provider", providers), ("continent", continents)):
    if chosen:
        frame = frame[frame[column].isin(chosen)]
        left_out = left_out[left_out[column].isin(chosen)]
spec, footprint = result.built.spec, result.footprint
current = spec.region
baseline, baseline_label = widgets.compare_baseline(spec, footprint, basis, year)
try:
    fixed_pue = 1.0 if spec.pue_included else spec.pue
    if frame.empty:
        raise WattprintError(f"no region with a {basis} figure matches these filters; clear one")
    ranked = compare_regions(footprint, frame, fixed_pue, DEFAULT_PUE, baseline or 0.0)
except WattprintError as error:
    safe.error(error)
    st.caption(components.plain(left_out_line(left_out, basis)))
    st.stop()
if baseline is None:
    ranked["savings_kg"] = math.nan
    ranked["savings_fraction"] = math.nan

st.session_state["compare_result"] = ranked
best = ranked.iloc[0]
a, b, c = st.columns(3)
if baseline is not None:
    a.metric("Your choice", components.kg(baseline), help=baseline_label)
else:
    a.metric("Your choice", "not comparable", help=baseline_label)
saved = float(best["savings_fraction"])
b.metric(
    f"Cleanest: {best['name']} · {basis} {int(best['intensity_year'])}",
    components.kg(float(best["co2e_kg"])),
    None if math.isnan(saved) else ("-" + components.percent(saved) if saved > 0 else "±0%"),
    delta_color="inverse",
    help=f"{best['id']}: {best['intensity_g_per_kwh']:,.0f} g/kWh {basis} {int(best['intensity_year'])}",
)
c.metric("Regions shown", f"{len(ranked):,}", help="Dark green bars: low-carbon grids")
if baseline is None:
    st.info(components.plain(baseline_label + "."))
newest = int(ranked["intensity_year"].max())
st.caption(
    components.plain(
        f"Ranked {len(ranked)} region(s) on the {basis} basis only. {left_out_line(left_out, basis)} "
        f"Stale: a figure more than {STALE_AFTER_YEARS} years older than the newest here ({newest})."
    )
)

chart_tab, map_tab, table_tab = st.tabs(["Ranking", "Map", "Table"])
with chart_tab:
    st.plotly_chart(
        components.ranked_figure(ranked, current), config=components.PLOTLY_CONFIG, key="compare_ranked"
    )
    st.caption(
        "Dark green: a low-carbon grid. Grey: the job's own region. Hover a bar for its id, basis and year."
    )
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
            f"Colour: kg CO₂e of this job in each region, {basis} figures only (as the ranking). "
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
        file_name=f"wattprint-regions-{basis}.csv",
        mime="text/csv",
        key="compare_csv",
        on_click="ignore",
    )
    if not left_out.empty:
        st.markdown(f"**Left out** ({len(left_out)}): no comparable {basis} figure, missing, not 0")
        st.dataframe(left_out[["id", "kind", "provider", "reason"]], hide_index=True, key="compare_left_out")
