"""Region database: a map, a table, filters and one region's history with its sources."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app import audit, cached, components, maps, safe, widgets
from app import region_tables as rt
from wattprint.db.schema import DEFAULT_BASIS, INTENSITY_BASES
from wattprint.errors import WattprintError

st.title("Region database")
st.caption(rt.PAGE_CAPTION)
figures = widgets.top_slot()  # the counts, above the filters they follow

try:
    db = cached.databases().regions
    choices = rt.filter_choices(db)
except WattprintError as error:
    safe.error(error)
    st.stop()

# ---- filters ---------------------------------------------------------------------------------------
search = st.text_input("Search id or name", key="reg_search", placeholder="e.g. europe-west, FR, Virginia")
columns = st.columns(5)
provider = columns[0].selectbox(
    "Provider",
    [rt.ALL, *choices.providers],
    format_func=lambda key: rt.provider_option(db, key),
    key="reg_provider",
)
continent = columns[1].selectbox("Continent", [rt.ALL, *choices.continents], key="reg_continent")
kind = columns[2].selectbox("Kind", [rt.ALL, *choices.kinds], key="reg_kind")
year_choice = columns[3].selectbox(
    "Intensity year", [rt.LATEST, *reversed(choices.years)], key="reg_year", help=rt.YEAR_HELP
)
year = rt.chosen_year(year_choice)
basis = str(
    columns[4].selectbox(
        "Intensity basis",
        INTENSITY_BASES,
        index=INTENSITY_BASES.index(DEFAULT_BASIS),
        key="reg_basis",
        help=rt.BASIS_HELP,
    )
)
low_only = st.checkbox(
    f"Only low-carbon regions ({components.LOW_CARBON_ICON})", value=False, key="reg_low_only"
)
filters = rt.RegionFilters(str(provider), str(continent), str(kind), search, low_only)

try:
    frame, left_out = rt.filtered_regions(db, year, basis, filters)
except WattprintError as error:
    safe.error(error)
    st.stop()

widgets.metric_row(figures, rt.headline_counts(frame, basis), "regions")
st.subheader(rt.count_heading(len(frame), basis, year))
st.caption(rt.scope_caption(db, year, basis))
st.caption(rt.left_out_caption(len(left_out), basis))
if frame.empty:
    st.info(rt.NO_MATCH)

# ---- map -------------------------------------------------------------------------------------------
if maps.has_coordinates(frame):
    st.plotly_chart(
        maps.region_map(frame, "intensity_g_per_kwh", f"gCO2e/kWh, {basis}", range_color=rt.map_range(frame)),
        key="reg_map",
        config=maps.MAP_CONFIG,
    )
    st.caption(rt.map_caption(basis))

# ---- table -----------------------------------------------------------------------------------------
table = rt.region_table(frame, db, year, dt.date.today().year)
st.dataframe(audit.blank_missing(table, rt.TABLE_FORMATS), hide_index=True, key="reg_table")
safe.csv_download(table, "Regions (CSV)", f"regions-{basis}.csv", key="reg_table_dl")
if rt.has_provider_figures(db, frame):
    st.caption(rt.PROVIDER_CAPTION)
if not left_out.empty:
    st.markdown(f"**Without {rt.a_basis(basis)} figure** ({len(left_out)}): missing, not 0")
    missing = rt.missing_table(left_out, basis)
    st.dataframe(audit.no_none(missing), hide_index=True, key="reg_missing")
    safe.csv_download(
        missing, "Regions without a figure (CSV)", f"regions-without-{basis}.csv", key="reg_missing_dl"
    )

# ---- one region ------------------------------------------------------------------------------------
st.subheader("One region")
options = rt.detail_options(frame, left_out, db)
region_id = st.selectbox(
    "Region",
    options,
    index=rt.default_index(options),
    format_func=lambda key: rt.region_option(db, key),
    key="reg_detail",
)
try:
    detail = rt.region_detail(db, region_id, basis, year)
except WattprintError as error:
    safe.error(error)
    st.stop()
region = detail.region

st.markdown(rt.title_markdown(region))
left, right = st.columns(2)
left.metric(*rt.intensity_metric(detail.history, basis))
pue_label, pue_value, pue_caption = rt.pue_metric(detail.pue, db.sources)
right.metric(pue_label, pue_value)
if pue_caption:
    right.caption(pue_caption)

if detail.history or detail.missing:
    history = rt.history_table(detail, db.sources)
    if detail.history:
        st.plotly_chart(rt.history_figure(history, basis), key="reg_history")
    if inherited := rt.inherited_caption(detail, basis):
        st.caption(inherited)
    st.dataframe(audit.blank_missing(history, rt.HISTORY_FORMATS), hide_index=True, key="reg_history_table")
    safe.csv_download(history, "History (CSV)", f"{region.id}-{basis}-history.csv", key="reg_history_dl")
if not detail.history:
    st.warning(components.plain(rt.no_figure_text(db, region, basis)))
if other_bases := rt.other_bases_caption(detail, basis):
    st.caption(other_bases)

if region.provider_intensity_g_per_kwh:
    own = rt.provider_figures_table(region, db.sources)
    st.markdown(rt.PROVIDER_FIGURES_HEADING)
    st.dataframe(own, hide_index=True, key="reg_provider_figures")
    safe.csv_download(
        own, "Provider's figures (CSV)", f"{region.id}-provider-figures.csv", key="reg_provider_figures_dl"
    )

if region.cfe_fraction:
    cfe = rt.cfe_table(region, db.sources)
    st.markdown(rt.CFE_HEADING)
    st.dataframe(cfe, hide_index=True, key="reg_cfe")
    safe.csv_download(cfe, "CFE (CSV)", f"{region.id}-cfe.csv", key="reg_cfe_dl")

if len(detail.chain) > 1:
    st.markdown(rt.chain_markdown(detail.chain))
if detail.profile is not None:
    st.markdown(rt.profile_markdown(detail.profile, db.sources))
else:
    st.caption(rt.NO_PROFILE)
if region.notes:
    safe.caption(region.notes)
