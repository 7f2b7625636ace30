"""Region picker: the calculator's job in every cloud region, weighed by its kg CO2e, the distance
to your place and price (unknown where a provider publishes none), ranked, mapped, shareable."""

from __future__ import annotations

import streamlit as st

from app import audit, cached, components, jobpage, maps, picking, state, widgets
from wattprint.db import exports
from wattprint.db.schema import INTENSITY_BASES
from wattprint.engine import jurisdiction
from wattprint.engine.jobspec import JobSpec
from wattprint.errors import WattprintError

dbs = cached.databases()
cities, provider_names = picking.cloud_places(cached.region_frame(None))
query = {name: st.query_params.get_all(name) for name in st.query_params}
restored, ignored = picking.link_options(query, st.session_state, list(cities.index), provider_names)
for key, value in restored.items():
    st.session_state[key] = value

st.title("Pick a cloud region")
figures = widgets.top_slot()  # the recommendations' figures, sent before the job line and the inputs
line = st.container()
with line:  # the job from the link or the calculator, written back to the URL; its line drawn below
    shared = jobpage.shared_result()
spec: JobSpec = shared.built.spec if shared is not None else state.build(state.DEFAULTS, dbs).spec
# Ranked from the inputs' values in the session, so the figures go before the inputs' code loads.
chosen = {key: st.session_state[key] for key in picking.URL_FIELDS}
basis, top = str(chosen["picker_basis"]), int(chosen["picker_top"])
weights = (float(chosen["picker_carbon"]), float(chosen["picker_latency"]), float(chosen["picker_price"]))
pool, left_out, unplaced = picking.candidates(
    dbs.regions, basis, chosen["picker_providers"], str(chosen["picker_within"])
)
st.query_params.from_dict(picking.link_params(state.page_params(st.session_state), chosen))
problem, ranked = None, None
try:
    places = picking.places(chosen["picker_cities"], cities, str(chosen["picker_latlon"]))
    compared, ranked = picking.rank(spec, dbs, pool, weights, places)
except WattprintError as error:
    problem = error

if ranked is not None:
    best = ranked.head(top)
    st.session_state["picker_result"] = best
    with figures:
        a, b, c = st.columns(3)
        first = best.iloc[0]
        a.metric("Best pick", components.kg(float(first["co2e_kg"])))
        a.caption(picking.region_named(dbs.regions, first["id"]))
        here_kg = picking.kg_in(compared, spec.region)
        if here_kg is not None:
            b.metric("The calculator's region", components.kg(here_kg))
            b.caption(picking.region_named(dbs.regions, str(spec.region)))
        known = f"{int(ranked['price_known'].sum())} of {len(ranked)}"
        c.metric("Candidates with a price", known, help="Price index known")
    widgets.let_browser_draw("picker")
if shared is None:  # the job's own line, with its link, is not shown: name the job here
    st.caption(picking.job_caption(spec, dbs.hardware))
    widgets.page_link("views/calculator.py", "Change the job in the calculator", ":material/calculate:")
else:
    with line:
        widgets.result_line(shared)
    st.caption(picking.METHOD)
if ignored:
    st.warning(components.plain("Ignored in the link: " + ", ".join(ignored)))

w1, w2, w3 = st.columns(3)
w1.slider("Carbon (kg CO₂e of the job)", 0.0, 1.0, step=0.05, key="picker_carbon")
w2.slider("Distance to your places", 0.0, 1.0, step=0.05, key="picker_latency")
w3.slider(picking.PRICE_LABEL, 0.0, 1.0, step=0.05, key="picker_price", help=picking.PRICE_HELP)
l1, l2 = st.columns([2, 1])
l1.multiselect("Your places (cities with a cloud region)", list(cities.index), key="picker_cities")
l2.text_input("…or lat, lon (e.g. 48.85, 2.35; 40.7, -74.0)", key="picker_latlon")
c1, c0, c2, c3 = st.columns([2, 2, 1, 1])
c1.multiselect("Providers (empty: all)", provider_names, key="picker_providers")
c0.selectbox(
    "Stay within",
    jurisdiction.choices(cached.region_frame(None)["country"]),
    format_func=jurisdiction.name,
    key="picker_within",
    help=picking.WITHIN_HELP,
)
c2.number_input("How many picks", min_value=1, max_value=50, step=1, key="picker_top")
c3.selectbox("Intensity basis", INTENSITY_BASES, key="picker_basis", help=picking.BASIS_HELP)
if ranked is None:  # the places could not be read, or no region could be ranked
    st.error(components.plain(f"Could not pick regions: {problem}"))
    st.stop()
st.subheader("Recommendations")
st.caption(picking.ranked_caption(ranked, basis, left_out, unplaced))
if (note := picking.price_note(ranked, weights[2])) is not None:
    st.info(note)

table = picking.picks_table(best, bool(places))
st.dataframe(audit.blank_missing(table, picking.TABLE_FORMATS), hide_index=True, key="picker_table")
st.plotly_chart(picking.picks_map(ranked, best, places), config=maps.MAP_CONFIG, key="picker_map")
st.caption(picking.map_caption(basis))
st.download_button(
    "Download all candidates (CSV)",
    lambda: exports.safe_csv(picking.candidates_table(ranked)),
    file_name="wattprint-region-picks.csv",
    mime="text/csv",
    key="picker_csv",
    on_click="ignore",
)
