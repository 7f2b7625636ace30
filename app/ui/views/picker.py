"""Region picker: the calculator's job in every cloud region, weighed by its kg CO2e, the distance
to your place and price (unknown where a provider publishes none), ranked, mapped, shareable."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from app.db import exports, tables
from app.db.schema import DEFAULT_BASIS, INTENSITY_BASES
from app.engine.footprint import estimate
from app.engine.jobspec import DEFAULT_PUE, JobSpec, resolve
from app.engine.picker import rank_regions
from app.engine.whatif import STALE_AFTER_YEARS, compare_regions
from app.errors import InputError, WattprintError
from app.ui import audit, cached, components, maps, state

# Widget key -> (query-string name, default). The weights and places travel in the URL.
URL_FIELDS: dict[str, tuple[str, object]] = {
    "picker_carbon": ("carbon", 1.0),
    "picker_latency": ("distance", 0.5),
    "picker_price": ("price", 0.0),
    "picker_cities": ("near", ["Frankfurt", "London"]),
    "picker_latlon": ("at", ""),
    "picker_providers": ("providers", []),
    "picker_top": ("top", 5),
    "picker_basis": ("basis", DEFAULT_BASIS),
}


def parse_places(text: str) -> list[tuple[float, float]]:
    """``"48.85, 2.35; 40.7, -74.0"`` -> [(48.85, 2.35), (40.7, -74.0)]; InputError when not."""
    places = []
    for chunk in [part for part in text.split(";") if part.strip()]:
        pieces = [piece.strip() for piece in chunk.split(",")]
        try:
            if len(pieces) != 2:
                raise ValueError
            lat, lon = float(pieces[0]), float(pieces[1])
        except ValueError:
            raise InputError(f"{chunk.strip()[:40]!r} is not 'latitude, longitude'") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"{lat:g}, {lon:g} is outside latitude -90..90, longitude -180..180")
        places.append((lat, lon))
    return places


def restore_from_url(cities: list[str], providers: list[str]) -> list[str]:
    """Put the URL's values in the widgets' state on a page's first run; return what was ignored."""
    ignored = []
    params = st.query_params
    for key, (name, default) in URL_FIELDS.items():
        if key in st.session_state:
            continue
        value: object = default
        if name in params:
            try:
                if isinstance(default, float):
                    value = float(params[name])
                    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                        raise ValueError
                elif isinstance(default, int):
                    value = int(params[name])
                    if not 1 <= value <= 50:
                        raise ValueError
                elif isinstance(default, list):
                    valid = cities if name == "near" else providers
                    asked = [item for item in params.get_all(name) if item]
                    value = [item for item in asked if item in valid]
                    ignored += [f"{name}={item[:40]!r}" for item in asked if item not in valid]
                elif name == "basis":
                    value = str(params[name]).strip().lower()
                    if value not in INTENSITY_BASES:
                        raise ValueError
                else:
                    value = params[name][:200]
            except ValueError:
                ignored.append(f"{name}={params[name][:40]!r}")
                value = default
        st.session_state[key] = value
    return ignored


def price_text(value: float) -> str:
    return f"{value:.3f}" if math.isfinite(value) else "unknown"


dbs = cached.databases()

located = cached.region_frame(None)
located = located[located["kind"] == "cloud"].dropna(subset=["latitude", "longitude"])
cities = located.dropna(subset=["city"]).groupby("city")[["latitude", "longitude"]].first().sort_index()
provider_names = sorted(located["provider"].dropna().unique())
ignored = restore_from_url(list(cities.index), provider_names)

st.title("Pick a cloud region")
shared = state.shared_job()  # the job from the link or the calculator, written back to the URL
spec: JobSpec = shared.built.spec if shared is not None else state.build(state.DEFAULTS, dbs).spec
who = spec.hardware or f"{components.num(spec.power_w or 0)} W devices"
duration = (
    f"{components.num(spec.hours)} h"
    if spec.hours is not None
    else f"{components.num(spec.device_hours or 0)} device-hours"
)
st.caption(
    f"For the job: {spec.count:,.0f} × {who}, {duration}. Each region gets the job's "
    "kg CO₂e (the same estimate as Compare regions: energy × PUE × the region's grid intensity), "
    "its mean great-circle distance to your places (a latency proxy) and its price index where the "
    "provider publishes one. Every criterion is scaled 0 (best) to 1 (worst) over the candidates and "
    "weighted; lower score is better. A region without a price is scored on the other criteria: its "
    "price is unknown, not worst. The kg of every region rest on one intensity basis (lifecycle by "
    "default, as on Compare regions): a region without a figure of that basis is left out, not ranked "
    "on another."
)
st.page_link("views/calculator.py", label="Change the job in the calculator", icon="🧮")
if ignored:
    st.warning(components.plain("Ignored in the link: " + ", ".join(ignored)))

w1, w2, w3 = st.columns(3)
carbon_weight = w1.slider("Carbon (kg CO₂e of the job)", 0.0, 1.0, step=0.05, key="picker_carbon")
distance_weight = w2.slider("Distance to your places", 0.0, 1.0, step=0.05, key="picker_latency")
price_weight = w3.slider(
    "Price",
    0.0,
    1.0,
    step=0.05,
    key="picker_price",
    help="Google Cloud's price index where known; other providers' regions are 'unknown' and are "
    "scored on carbon and distance only.",
)

l1, l2 = st.columns([2, 1])
picked = l1.multiselect("Your places (cities with a cloud region)", list(cities.index), key="picker_cities")
typed = l2.text_input("…or lat, lon (e.g. 48.85, 2.35; 40.7, -74.0)", key="picker_latlon")
c1, c2, c3 = st.columns([2, 1, 1])
providers = c1.multiselect("Providers (empty: all)", provider_names, key="picker_providers")
top = int(c2.number_input("How many picks", min_value=1, max_value=50, step=1, key="picker_top"))
basis = str(
    c3.selectbox(
        "Intensity basis",
        INTENSITY_BASES,
        key="picker_basis",
        help="Every region is priced on this basis only (default lifecycle, as on Compare regions).",
    )
)
every = tables.region_frame(dbs.regions, None, basis)
every = every[every["kind"] == "cloud"]
clouds = every.dropna(subset=["latitude", "longitude"])
left_out = tables.excluded_regions(dbs.regions, None, basis)
left_out = left_out[left_out["kind"] == "cloud"]
unplaced = every[every["latitude"].isna() | every["longitude"].isna()]
if providers:
    left_out = left_out[left_out["provider"].isin(providers)]
    unplaced = unplaced[unplaced["provider"].isin(providers)]

st.query_params.from_dict(
    {
        **state.page_params(st.session_state),  # the shared job stays in the link
        "carbon": f"{carbon_weight:g}",
        "distance": f"{distance_weight:g}",
        "price": f"{price_weight:g}",
        "near": picked,
        "at": typed,
        "providers": providers,
        "top": str(top),
        "basis": basis,
    }
)

places = [
    maps.Place(city, float(cities.loc[city, "latitude"]), float(cities.loc[city, "longitude"]))
    for city in picked
]
try:
    places += [maps.Place(f"{lat:g}, {lon:g}", lat, lon) for lat, lon in parse_places(typed)]
    pool = clouds[clouds["provider"].isin(providers)] if providers else clouds
    footprint = estimate(resolve(spec, dbs))
    fixed_pue = 1.0 if spec.pue_included else spec.pue
    compared = compare_regions(footprint, pool, fixed_pue, DEFAULT_PUE)
    ranked = rank_regions(
        compared,
        carbon_weight,
        distance_weight,
        price_weight,
        [(p.latitude, p.longitude) for p in places],
    )
except WattprintError as error:
    st.error(components.plain(f"Could not pick regions: {error}"))
    st.stop()

has_places = bool(places)
reasons = [
    ", ".join(
        [
            f"{components.kg(row.co2e_kg)} for the job at {row.intensity_g_per_kwh:.0f} gCO2e/kWh "
            f"({row.intensity_basis}, {row.intensity_year})"
        ]
        + ([f"{row.distance_km:,.0f} km from your places"] if has_places else [])
        + [f"price index {price_text(row.price_index)}"]
    )
    for row in ranked.itertuples()
]
ranked = ranked.assign(reason=reasons)
best = ranked.head(top)
st.session_state["picker_result"] = best

st.subheader("Recommendations")
a, b, c = st.columns(3)
first = best.iloc[0]
a.metric(f"Best pick: {first['id']}", components.kg(float(first["co2e_kg"])))
if spec.region:
    here = compared[compared["id"] == spec.region]
    if not here.empty:
        b.metric(f"The calculator's region: {spec.region}", components.kg(float(here["co2e_kg"].iloc[0])))
c.metric(
    "Candidates with a price",
    f"{int(ranked['price_known'].sum())} of {len(ranked)}",
    help="Price index known",
)
reasons_left = left_out["reason"].map(lambda text: str(text).split(" (")[0]).value_counts()
left_text = "; ".join(f"{count} {reason}" for reason, count in reasons_left.items())
if len(unplaced):
    left_text += ("; " if left_text else "") + f"{len(unplaced)} without a known location"
st.caption(
    f"Ranked {len(ranked)} cloud region(s) on the {basis} basis. "
    + (f"Left out {len(left_out) + len(unplaced)}: {left_text}." if left_text else "Left out: none.")
)
if price_weight > 0 and not ranked["price_known"].any():
    st.info("None of these candidates publishes a price index: the price weight has no effect.")

table = pd.DataFrame(
    {
        "Rank": best["pick_rank"],
        "Region": best["id"],
        "Name": best["name"],
        "Provider": best["provider"],
        "kg CO₂e for the job": best["co2e_kg"],
        "Grid gCO₂e/kWh": best["intensity_g_per_kwh"],
        "Basis": best["intensity_basis"],
        "Intensity year": best["intensity_year"],
        "Stale": [f"> {STALE_AFTER_YEARS} y older than newest" if old else "" for old in best["stale"]],
        "PUE used": best["pue_used"],
        **({"Distance [km]": best["distance_km"]} if has_places else {}),
        "Price index": [price_text(v) for v in best["price_index"]],
        "Score (0 best)": best["score"],
    }
)
st.dataframe(
    audit.blank_missing(
        table,
        {
            "kg CO₂e for the job": "{:,.2f}",
            "Grid gCO₂e/kWh": "{:,.0f}",
            "Intensity year": "{:.0f}",
            "PUE used": "{:.2f}",
            "Distance [km]": "{:,.0f}",
            "Score (0 best)": "{:.3f}",
        },
    ),
    hide_index=True,
    key="picker_table",
)
st.plotly_chart(
    maps.region_map(
        ranked,
        "co2e_kg",
        "kg CO₂e",
        value_format=",.2f",
        highlight=list(best["id"]),
        highlight_label=f"top {len(best)} picks (numbered)",
        highlight_text={str(i): str(r) for i, r in zip(best["id"], best["pick_rank"], strict=True)},
        places=places,
    ),
    config=maps.MAP_CONFIG,
    key="picker_map",
)
st.caption(
    f"Every candidate coloured by the job's kg CO₂e on the {basis} basis only; rings: the picks; stars: "
    "your places. Grid intensities are each region's latest year of that basis (see the table)."
)
st.download_button(
    "Download all candidates (CSV)",
    lambda: exports.safe_csv(
        ranked[
            [
                "pick_rank",
                "id",
                "name",
                "provider",
                "co2e_kg",
                "energy_kwh",
                "intensity_g_per_kwh",
                "intensity_basis",
                "intensity_year",
                "intensity_from",
                "pue_used",
                "distance_km",
                "price_index",
                "score",
            ]
        ]
    ),
    file_name="wattprint-region-picks.csv",
    mime="text/csv",
    key="picker_csv",
    on_click="ignore",
)
