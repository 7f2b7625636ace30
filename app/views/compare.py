"""Compare regions: the shared job in every region of one intensity basis, ranked, mapped and
downloadable, with the regions left out and why."""

from __future__ import annotations

import streamlit as st

from app import cached, comparing, components, jobpage, maps, safe, widgets
from wattprint.commands.compare import left_out_line
from wattprint.db import exports
from wattprint.db.schema import DEFAULT_BASIS, INTENSITY_BASES
from wattprint.engine import jurisdiction
from wattprint.errors import WattprintError

OPTIONS = comparing.OPTIONS

st.title("The same job in every region")
figures = widgets.top_slot()  # the figures, sent before the job line and the filters they follow
job = jobpage.open_page(OPTIONS)
basis_key = OPTIONS.key("basis")
if st.session_state[basis_key] not in INTENSITY_BASES:
    st.session_state[basis_key] = DEFAULT_BASIS
choices = comparing.choices(cached.region_frame(None), cached.region_years(st.session_state[basis_key]))
# A link's values the database does not know are dropped, and named.
kept, dropped = comparing.keep_known({name: st.session_state[OPTIONS.key(name)] for name in choices}, choices)
for name, value in kept.items():
    st.session_state[OPTIONS.key(name)] = value
line = st.container()
with line:
    if dropped:  # a link's value, or a year the basis just chosen lacks
        st.warning(components.plain("Ignored, not offered here: " + ", ".join(dropped)))
    result = widgets.job_result(job)  # None, with the reason shown, when the job cannot be computed
chosen = {name: st.session_state[OPTIONS.key(name)] for name in OPTIONS.fields}  # as the filters show
basis, year = str(chosen["basis"]), comparing.chosen_year(str(chosen["data_year"]))
ranked, problem = None, None
if result is not None:
    frame, left_out = comparing.filtered(
        cached.region_frame(year, basis),
        cached.excluded_regions(year, basis),
        cached.databases().regions,
        {"kind": chosen["kinds"], "provider": chosen["providers"], "continent": chosen["continents"]},
        str(chosen["within"]),
    )
    spec, footprint = result.built.spec, result.footprint
    current = spec.region
    baseline, baseline_label = widgets.compare_baseline(spec, footprint, basis, year)
    try:
        ranked = comparing.rank(spec, footprint, frame, basis, baseline)
    except WattprintError as error:
        problem = error
st.session_state["compare_result"] = ranked
if ranked is not None:
    with figures:
        a, b, c = st.columns(3)
        if baseline is not None:
            a.metric("Your choice", components.kg(baseline), help=baseline_label)
        else:
            a.metric("Your choice", "not comparable", help=baseline_label)
        best = comparing.cleanest(ranked, basis)
        b.metric(best.label, best.value, best.delta, delta_color="inverse")
        b.caption(components.plain(best.help))
        c.metric("Regions shown", f"{len(ranked):,}", help="Dark green bars: low-carbon grids")
        if baseline is None:
            st.info(components.plain(baseline_label + "."))
    widgets.let_browser_draw("compare")
if result is not None:
    with line:
        widgets.result_line(result)

f1, f2, f3 = st.columns(3)
f1.multiselect("Kind", list(comparing.KINDS), key=OPTIONS.key("kinds"))
f2.multiselect("Provider", choices["providers"], key=OPTIONS.key("providers"))
f3.multiselect("Continent", choices["continents"], key=OPTIONS.key("continents"))
f4, f5, f6 = st.columns(3)
f4.selectbox("Intensity basis", INTENSITY_BASES, key=basis_key, help=comparing.BASIS_HELP)
f5.selectbox("Year of the intensities", choices["data_year"], key=OPTIONS.key("data_year"))
f6.selectbox("Stay within", choices["within"], format_func=jurisdiction.name, key=OPTIONS.key("within"))
jobpage.publish(OPTIONS)
if problem is not None:
    safe.error(problem)
    st.caption(components.plain(left_out_line(left_out, basis)))
if ranked is None:
    st.stop()

st.caption(components.plain(comparing.ranked_caption(ranked, left_out, basis)))

chart_tab, map_tab, table_tab = st.tabs(["Ranking", "Map", "Table"])
with chart_tab:
    figure = components.ranked_figure(ranked, current)
    st.plotly_chart(figure, config=components.PLOTLY_CONFIG, key="compare_ranked")
    st.caption(f"{components.bars_caption(ranked, current)} {comparing.RANKING_CAPTION}")
with map_tab:
    if maps.has_coordinates(ranked):
        st.plotly_chart(comparing.region_map(ranked, current), config=maps.MAP_CONFIG, key="compare_map")
        st.caption(comparing.map_caption(basis))
    else:
        st.info(comparing.NO_COORDINATES)
with table_tab:
    table = comparing.table(ranked)
    st.dataframe(table, hide_index=True, column_config=comparing.column_config(), key="compare_table")
    st.download_button(
        "Download CSV",
        lambda: exports.safe_csv(table.drop(columns=["low_carbon"])),
        file_name=f"wattprint-regions-{basis}.csv",
        mime="text/csv",
        key="compare_csv",
        on_click="ignore",
    )
    if not left_out.empty:
        st.markdown(comparing.left_out_title(left_out, basis))
        st.dataframe(left_out[["id", "kind", "provider", "reason"]], hide_index=True, key="compare_left_out")
