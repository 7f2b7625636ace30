"""Region picker: weigh carbon, distance to your users and price across every cloud provider."""

from __future__ import annotations

import streamlit as st

from app.engine.whatif import pick_regions
from app.errors import InputError
from app.ui import cached, components, state

st.title("Pick a cloud region")
st.caption(
    "Scores every cloud region by min-max normalised grid carbon, great-circle distance to your "
    "users and price (Google Cloud's price index, where known); lower is better."
)
state.shared_job()
frame = cached.region_frame(None)
clouds = frame[frame["kind"] == "cloud"].dropna(subset=["latitude", "longitude"])
cities = clouds.dropna(subset=["city"]).groupby("city")[["latitude", "longitude"]].first().sort_index()

w1, w2, w3 = st.columns(3)
carbon_weight = w1.slider("Carbon", 0.0, 1.0, 1.0, 0.05, key="picker_carbon")
latency_weight = w2.slider("Latency (distance)", 0.0, 1.0, 0.5, 0.05, key="picker_latency")
price_weight = w3.slider(
    "Price",
    0.0,
    1.0,
    0.0,
    0.05,
    key="picker_price",
    help="Only GCP regions publish a price index; others score worst on price.",
)

l1, l2 = st.columns([2, 1])
picked = l1.multiselect(
    "Where your users are (cities with a cloud region)",
    list(cities.index),
    default=[c for c in ("Frankfurt", "London") if c in cities.index],
    key="picker_cities",
)
typed = l2.text_input("…or lat, lon (e.g. 48.85, 2.35; 40.7, -74.0)", key="picker_latlon")
c1, c2 = st.columns([2, 1])
providers = c1.multiselect(
    "Providers (empty: all)", sorted(clouds["provider"].dropna().unique()), key="picker_providers"
)
top = c2.number_input("How many", min_value=1, max_value=50, value=5, step=1, key="picker_top")

locations = [(float(cities.loc[c, "latitude"]), float(cities.loc[c, "longitude"])) for c in picked]
try:
    for chunk in [part for part in typed.split(";") if part.strip()]:
        pieces = [piece.strip() for piece in chunk.split(",")]
        if len(pieces) != 2:
            raise InputError(f"{chunk.strip()[:40]!r} is not 'latitude, longitude'")
        lat, lon = float(pieces[0]), float(pieces[1])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"{lat:g}, {lon:g} is outside -90..90, -180..180")
        locations.append((lat, lon))
    pool = clouds[clouds["provider"].isin(providers)] if providers else clouds
    best = pick_regions(pool, carbon_weight, latency_weight, price_weight, locations or None, int(top))
except ValueError as error:
    st.error(components.plain(f"Could not pick regions: {error}"))
    st.stop()

st.session_state["picker_result"] = best
st.subheader("Recommendations")
for row in best.itertuples():
    with st.container(border=True):
        st.markdown(f"**{row.Index + 1}. {components.badge(row.intensity_g_per_kwh)} {row.id}**")
        st.text(f"{row.name} · {row.city or ''}")
        st.caption(str(row.reason))
