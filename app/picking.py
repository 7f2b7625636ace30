"""The Region picker's parts without Streamlit: its link options, the candidate regions, each
pick's reason, the picks table, the map, the captions.

The page script (``app/views/picker.py``) reads the widgets and draws what these return.
"""

from __future__ import annotations

import math
from collections.abc import Container, Mapping, Sequence
from typing import Any, NamedTuple

import pandas as pd
import plotly.graph_objects as go

from app import components, maps
from wattprint.db import tables
from wattprint.db.loader import Databases, HardwareDB, RegionDB
from wattprint.db.schema import DEFAULT_BASIS, INTENSITY_BASES
from wattprint.engine import jurisdiction
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import DEFAULT_PUE, JobSpec, resolve
from wattprint.engine.picker import rank_regions
from wattprint.engine.whatif import STALE_AFTER_YEARS, compare_regions
from wattprint.errors import InputError

URL_FIELDS: dict[str, tuple[str, object]] = {
    "picker_carbon": ("carbon", 1.0),
    "picker_latency": ("distance", 0.5),
    "picker_price": ("price", 0.0),
    "picker_cities": ("near", ["Frankfurt", "London"]),
    "picker_latlon": ("at", ""),
    "picker_providers": ("providers", []),
    "picker_top": ("top", 5),
    "picker_basis": ("basis", DEFAULT_BASIS),
    "picker_within": ("within", "anywhere"),
}
"""Widget key -> (query-string name, default). The weights and places travel in the URL."""

MAX_PICKS = 50

TABLE_FORMATS = {
    "kg CO₂e for the job": "{:,.2f}",
    "Grid gCO₂e/kWh": "{:,.0f}",
    "Intensity year": "{:.0f}",
    "PUE used": "{:.2f}",
    "Distance [km]": "{:,.0f}",
    "Score (0 best)": "{:.3f}",
}
"""How the picks table writes its number columns."""

CSV_COLUMNS = [
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
"""The columns of the downloaded candidates, every candidate ranked."""

METHOD = (
    "Each region gets the job's kg CO₂e (the same estimate as Compare regions: energy × PUE × the "
    "region's grid intensity), its mean great-circle distance to your places (a latency proxy) and "
    "its price index where the provider publishes one. Every criterion is scaled 0 (best) to 1 "
    "(worst) over the candidates and weighted; lower score is better. Price counts only when every "
    "candidate has one (else it is left out of every score and shown beside it). The kg of every "
    "region rest on "
    "one intensity basis (lifecycle by default, as on Compare regions): a region without a figure "
    "of that basis is left out, not ranked on another."
)
PRICE_LABEL = "Price (Google E2 vCPU index, a CPU price)"
PRICE_HELP = (
    "Google Cloud's E2 on-demand price per vCPU-hour relative to us-central1 (Google's region "
    "picker data): a CPU price, not a GPU price. Other providers publish none, so price counts "
    "only when every candidate has one (keep Google Cloud alone under Providers)."
)
WITHIN_HELP = (
    "Keep only regions in the EU (27 members), the EEA (the EU with Iceland, Liechtenstein and "
    "Norway), the US, outside the US, or one country; a region without a known country is kept "
    "only under Anywhere."
)
BASIS_HELP = "Every region is priced on this basis only (default lifecycle, as on Compare regions)."


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


def _option(
    name: str, default: object, values: Sequence[str], valid: Sequence[str]
) -> tuple[object, list[str]]:
    """One option from the link's ``values`` of ``name`` (the last one counts, a list takes all)
    and what of it was ignored; ValueError when the option cannot be read at all."""
    text = values[-1] if values else ""
    if isinstance(default, float):
        weight = float(text)
        if not (math.isfinite(weight) and 0.0 <= weight <= 1.0):
            raise ValueError
        return weight, []
    if isinstance(default, int):
        count = int(text)
        if not 1 <= count <= MAX_PICKS:
            raise ValueError
        return count, []
    if isinstance(default, list):
        asked = [item for item in values if item]
        return [item for item in asked if item in valid], [
            f"{name}={item[:40]!r}" for item in asked if item not in valid
        ]
    if name == "within":
        try:
            return jurisdiction.check(text), []
        except InputError:
            raise ValueError from None
    if name == "basis":
        basis = text.strip().lower()
        if basis not in INTENSITY_BASES:
            raise ValueError
        return basis, []
    return text[:200], []


def link_options(
    query: Mapping[str, Sequence[str]], skip: Container[str], cities: Sequence[str], providers: Sequence[str]
) -> tuple[dict[str, object], list[str]]:
    """Widget key -> value for each picker option whose key is not in ``skip`` (a widget already
    set), from ``query`` (query-string name -> its values) or the default; and what was ignored.

    ``near`` keeps only ``cities`` and ``providers`` only ``providers``; a value out of range or
    unreadable falls back to the option's default and is named in the ignored list.
    """
    chosen: dict[str, object] = {}
    ignored: list[str] = []
    for key, (name, default) in URL_FIELDS.items():
        if key in skip:
            continue
        value: object = list(default) if isinstance(default, list) else default
        if name in query:
            values = list(query[name])
            try:
                value, dropped = _option(name, default, values, cities if name == "near" else providers)
                ignored += dropped
            except ValueError:
                ignored.append(f"{name}={(values[-1] if values else '')[:40]!r}")
        chosen[key] = value
    return chosen, ignored


def link_params(job: Mapping[str, str], chosen: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """The picker's query string: the job's ``job`` params, then each option in ``chosen``
    (widget key -> value) under its URL name; weights as ``%g``, lists as repeated values."""
    params: dict[str, str | list[str]] = dict(job)
    for key, (name, default) in URL_FIELDS.items():
        value = chosen[key]
        if isinstance(default, float):
            params[name] = f"{float(value):g}"
        elif isinstance(default, int):
            params[name] = str(int(value))
        elif isinstance(default, list):
            params[name] = [str(item) for item in value]
        else:
            params[name] = str(value)
    return params


def price_text(value: float) -> str:
    return f"{value:.3f}" if math.isfinite(value) else "unknown"


def cloud_places(regions: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Cities with a located cloud region (``latitude``, ``longitude`` [degrees] of the first one,
    indexed and sorted by city) and the providers of located cloud regions, sorted."""
    located = regions[regions["kind"] == "cloud"].dropna(subset=["latitude", "longitude"])
    cities = located.dropna(subset=["city"]).groupby("city")[["latitude", "longitude"]].first().sort_index()
    return cities, sorted(located["provider"].dropna().unique())


def job_caption(spec: JobSpec, hardware: HardwareDB) -> str:
    """The line under the title: the job in words (the device's name, escaped), then how regions
    are scored."""
    device = hardware.devices.get(spec.hardware) if spec.hardware else None
    who = (
        components.plain(device.name if device is not None else spec.hardware)
        if spec.hardware
        else f"{components.num(spec.power_w or 0)} W devices"
    )
    duration = (
        f"{components.num(spec.hours)} h"
        if spec.hours is not None
        else f"{components.num(spec.device_hours or 0)} device-hours"
    )
    return f"For the job: {spec.count:,.0f} × {who}, {duration}. {METHOD}"


class Candidates(NamedTuple):
    """The cloud regions a pick is made from, and those left out (in the chosen providers)."""

    pool: pd.DataFrame  # located cloud regions with a figure of the basis
    left_out: pd.DataFrame  # cloud regions without a figure of the basis, with a ``reason``
    unplaced: pd.DataFrame  # cloud regions with a figure but no known location


def price_note(ranked: pd.DataFrame, price_weight: float) -> str | None:
    """Why the price weight does nothing, when it does nothing; None when price is in the score."""
    if price_weight <= 0 or bool(ranked["price_in_score"].all()):
        return None
    known = int(ranked["price_known"].sum())
    missing = ranked.loc[~ranked["price_known"], "id"].astype(str).tolist()
    few = f" (without one: {', '.join(missing)})" if len(missing) <= 5 else ""
    return components.plain(
        f"Price is left out of the score: {known} of {len(ranked)} candidates have one (Google's E2 "
        f"vCPU index){few}, and an unknown price is never ranked as cheap. Narrow the candidates "
        "(Providers, Stay within) until every one has a price to rank on it."
    )


def candidates(
    regions: RegionDB, basis: str, providers: Sequence[str], within: str = "anywhere"
) -> Candidates:
    """Every cloud region of ``providers`` (empty: all) on ``basis`` within the jurisdiction
    ``within`` (see :mod:`wattprint.engine.jurisdiction`), each region's latest year."""
    every = tables.region_frame(regions, None, basis)
    every = every[every["kind"] == "cloud"]
    clouds = every.dropna(subset=["latitude", "longitude"])
    left_out = tables.excluded_regions(regions, None, basis)
    left_out = left_out[left_out["kind"] == "cloud"]
    unplaced = every[every["latitude"].isna() | every["longitude"].isna()]
    if providers:
        clouds = clouds[clouds["provider"].isin(providers)]
        left_out = left_out[left_out["provider"].isin(providers)]
        unplaced = unplaced[unplaced["provider"].isin(providers)]
    if within != "anywhere":
        clouds = clouds[jurisdiction.within(clouds["country"], within)]
        unplaced = unplaced[jurisdiction.within(unplaced["country"], within)]
        if "country" in left_out:
            left_out = left_out[jurisdiction.within(left_out["country"], within)]
    return Candidates(clouds, left_out, unplaced)


def places(picked: Sequence[str], cities: pd.DataFrame, typed: str) -> list[maps.Place]:
    """The user's places: the ``picked`` cities, then the typed coordinates; InputError when the
    typed text is not ``latitude, longitude`` pairs."""
    chosen = [
        maps.Place(city, float(cities.loc[city, "latitude"]), float(cities.loc[city, "longitude"]))
        for city in picked
    ]
    return chosen + [maps.Place(f"{lat:g}, {lon:g}", lat, lon) for lat, lon in parse_places(typed)]


def reasons(ranked: pd.DataFrame, has_places: bool) -> list[str]:
    """Why each ranked region scored as it did: its kg and intensity, distance, price."""
    return [
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


def rank(
    spec: JobSpec,
    databases: Databases,
    pool: pd.DataFrame,
    weights: tuple[float, float, float],
    where: Sequence[maps.Place],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The job in every ``pool`` region (compared) and those regions ranked by the (carbon,
    distance, price) ``weights`` from the places ``where``, each with its ``reason``; raises
    WattprintError when the job or the regions cannot be estimated."""
    footprint = estimate(resolve(spec, databases))
    fixed_pue = 1.0 if spec.pue_included else spec.pue
    compared = compare_regions(footprint, pool, fixed_pue, DEFAULT_PUE)
    ranked = rank_regions(compared, *weights, [(p.latitude, p.longitude) for p in where])
    return compared, ranked.assign(reason=reasons(ranked, bool(where)))


def kg_in(compared: pd.DataFrame, region: str | None) -> float | None:
    """The job's kg CO2e in ``region`` among the compared regions; None when it is not there."""
    here = compared[compared["id"] == region]
    return None if not region or here.empty else float(here["co2e_kg"].iloc[0])


def region_named(db: RegionDB, region_id: str) -> str:
    """``Zurich (gcp:europe-west6)`` for a Markdown label (a metric's), escaped; the id alone
    when the database lacks it."""
    region = db.regions.get(region_id)
    if region is None:
        return components.plain(region_id)
    return components.plain(f"{components.place_name(region_id, region.name)} ({region_id})")


def ranked_caption(ranked: pd.DataFrame, basis: str, left_out: pd.DataFrame, unplaced: pd.DataFrame) -> str:
    """How many regions were ranked on ``basis``, and how many were left out and why."""
    counts = left_out["reason"].map(lambda text: str(text).split(" (")[0]).value_counts()
    left_text = "; ".join(f"{count} {reason}" for reason, count in counts.items())
    if len(unplaced):
        left_text += ("; " if left_text else "") + f"{len(unplaced)} without a known location"
    return f"Ranked {len(ranked)} cloud region(s) on the {basis} basis. " + (
        f"Left out {len(left_out) + len(unplaced)}: {left_text}." if left_text else "Left out: none."
    )


def picks_table(best: pd.DataFrame, has_places: bool) -> pd.DataFrame:
    """The picks as shown: rank, region, its kg for the job and figure, distance, price, score."""
    return pd.DataFrame(
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


def picks_map(ranked: pd.DataFrame, best: pd.DataFrame, where: Sequence[maps.Place]) -> go.Figure:
    """Every candidate coloured by the job's kg CO2e; the picks ringed and numbered; the places."""
    return maps.region_map(
        ranked,
        "co2e_kg",
        "kg CO₂e",
        value_format=",.2f",
        highlight=list(best["id"]),
        highlight_label=f"top {len(best)} picks (numbered)",
        highlight_text={str(i): str(r) for i, r in zip(best["id"], best["pick_rank"], strict=True)},
        places=where,
    )


def map_caption(basis: str) -> str:
    return (
        f"Every candidate coloured by the job's kg CO₂e on the {basis} basis only; rings: the picks; stars: "
        "your places. Grid intensities are each region's latest year of that basis (see the table)."
    )


def candidates_table(ranked: pd.DataFrame) -> pd.DataFrame:
    """Every ranked candidate, in the download's columns (the page writes it with ``exports.safe_csv``)."""
    return ranked[CSV_COLUMNS]
