"""The same job in every region at once, and a region picker weighing carbon, latency and price.

Notes
-----
The IT energy of a job does not depend on where it runs, so one :func:`estimate` gives it and
every region is then a column operation::

    energy_kwh[r] = it_energy_kwh x PUE[r]          (the job's own PUE when the user gave one)
    co2e_kg[r]    = energy_kwh[r] x intensity[r] / 1000
    savings_kg[r] = baseline_co2e_kg - co2e_kg[r];  savings_fraction = savings_kg / baseline

The picker scores each region by min-max normalised carbon, distance and price, weighted by the
user's sliders, lower is better, as Google Cloud's Region Picker does.

References
----------
.. [1] Google Cloud (2021), "Cloud Region Picker", https://googlecloudplatform.github.io/region-picker/
   (scoring: weighted min-max normalised carbon, price and latency).
.. [2] Lacoste et al. (2019), "Quantifying the Carbon Emissions of Machine Learning": choose the
   region first, emissions vary by 10x or more.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattprint.engine import units
from wattprint.engine.footprint import Footprint
from wattprint.engine.geo import haversine_km
from wattprint.errors import InputError

STALE_AFTER_YEARS = 3
"""A figure more than this many years older than the newest figure in a comparison is flagged
``stale``: grids change fast (coal retirements, new wind and solar), so a like-with-like ranking
needs figures of nearby years."""

LOW_CARBON_THRESHOLD_G_PER_KWH = 200.0
"""Regions below this grid intensity [gCO2e/kWh] get the low-carbon badge. Google Cloud marks
regions "Low CO2" when their grid intensity is at most 200 gCO2eq/kWh (Google Cloud
documentation, "Carbon free energy for Google Cloud regions", 2024)."""


def compare_regions(
    footprint: Footprint,
    regions: pd.DataFrame,
    pue: float | None,
    default_pue: float,
    baseline_co2e_kg: float | None = None,
) -> pd.DataFrame:
    """The job of ``footprint`` priced in every row of ``regions``, cleanest first.

    Parameters
    ----------
    footprint : Footprint
        The job's own estimate; its ``it_energy_kwh`` [kWh] is reused for every region.
    regions : pandas.DataFrame
        Columns ``id``, ``intensity_g_per_kwh`` [gCO2e/kWh] and ``pue`` [-] (NaN where unknown),
        as :func:`wattprint.db.tables.region_frame` builds them.
    pue : float or None
        The PUE the user fixed for the job [-]; None to use each region's own.
    default_pue : float
        PUE for regions that publish none [-].
    baseline_co2e_kg : float, optional
        What the savings are measured against [kg]; default the footprint's own ``co2e_kg``.

    Returns
    -------
    pandas.DataFrame
        ``regions`` plus ``pue_used``, ``energy_kwh``, ``co2e_kg``, ``co2e_kg_low``,
        ``co2e_kg_high``, ``savings_kg``, ``savings_fraction``, ``low_carbon``, ``stale`` (the
        figure is more than :data:`STALE_AFTER_YEARS` older than the newest in ``regions``; False
        without an ``intensity_year`` column), ``rank``.
    """
    if regions.empty:
        raise InputError("no region matches these filters and year")
    layout = _layout(regions, pue, default_pue)
    pue_used, intensity = layout.pue_used, layout.intensity
    energy = footprint.it_energy_kwh * pue_used
    co2e = energy * intensity / units.G_PER_KG
    it_low = footprint.range.energy_kwh_low / footprint.pue if footprint.pue else 0.0
    it_high = footprint.range.energy_kwh_high / footprint.pue if footprint.pue else 0.0
    baseline = footprint.co2e_kg if baseline_co2e_kg is None else baseline_co2e_kg
    savings = baseline - co2e
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(baseline > 0, savings / baseline, 0.0)
    numbers = pd.DataFrame(
        {
            "energy_kwh": energy,
            "co2e_kg": co2e,
            "co2e_kg_low": it_low * pue_used * intensity / units.G_PER_KG,
            "co2e_kg_high": it_high * pue_used * intensity / units.G_PER_KG,
            "savings_kg": savings,
            "savings_fraction": fraction,
        },
        copy=False,
    )
    return pd.concat([layout.static, numbers], axis=1)


@dataclass(frozen=True)
class _Layout:
    """A region frame sorted cleanest first for one PUE rule, with the job-independent columns."""

    source: pd.DataFrame
    static: pd.DataFrame
    pue_used: npt.NDArray[np.float64]
    intensity: npt.NDArray[np.float64]


_LAYOUTS: OrderedDict[tuple[int, float | None, float], _Layout] = OrderedDict()
_MAX_LAYOUTS = 32
_JOB_COLUMNS = ("energy_kwh", "co2e_kg", "co2e_kg_low", "co2e_kg_high", "savings_kg", "savings_fraction")


def _layout(regions: pd.DataFrame, pue: float | None, default_pue: float) -> _Layout:
    """The order of ``regions`` by CO2e does not depend on the job: CO2e = IT energy x PUE x
    intensity, and the IT energy is one positive number for every region. So the sorted frame
    and its static columns are built once per frame and PUE rule, and reused (the frame must not
    be changed in place afterwards; :func:`wattprint.db.tables.region_frame` returns fresh copies)."""
    key = (id(regions), pue, default_pue)
    hit = _LAYOUTS.get(key)
    if hit is not None and hit.source is regions and len(hit.static) == len(regions):
        _LAYOUTS.move_to_end(key)
        return hit
    intensity = regions["intensity_g_per_kwh"].to_numpy(dtype=float)
    if pue is not None:
        pue_used = np.full(len(regions), pue, dtype=float)
    else:
        own = regions["pue"].to_numpy(dtype=float)
        pue_used = np.where(np.isnan(own), default_pue, own)
    if "intensity_year" in regions:
        years = regions["intensity_year"].to_numpy(dtype=float)
        stale = years < np.nanmax(years) - STALE_AFTER_YEARS
    else:
        stale = np.zeros(len(regions), dtype=bool)
    # Cleanest first, ties by id: a stable sort by PUE x intensity of the rows in id order.
    ids = regions["id"]
    by_id = (
        np.arange(len(regions)) if ids.is_monotonic_increasing else np.argsort(ids.to_numpy(), kind="stable")
    )
    order = by_id[np.argsort((pue_used * intensity)[by_id], kind="stable")]
    static = regions.take(order).reset_index(drop=True)
    static = static.drop(
        columns=[c for c in (*_JOB_COLUMNS, "pue_used", "low_carbon", "stale", "rank") if c in static]
    )
    static["pue_used"] = pue_used[order]
    static["low_carbon"] = intensity[order] <= LOW_CARBON_THRESHOLD_G_PER_KWH
    static["stale"] = stale[order]
    static["rank"] = np.arange(1, len(regions) + 1)
    layout = _Layout(regions, static, pue_used[order], intensity[order])
    _LAYOUTS[key] = layout
    while len(_LAYOUTS) > _MAX_LAYOUTS:
        _LAYOUTS.popitem(last=False)
    return layout


@dataclass(frozen=True)
class Greener:
    """The cleanest comparable alternative to a job's region, with the figure it rests on."""

    region_id: str
    name: str
    co2e_kg: float
    savings_kg: float
    savings_fraction: float
    provider: str | None = None
    intensity_g_per_kwh: float = math.nan
    intensity_basis: str | None = None
    intensity_year: int | None = None
    stale: bool = False
    pue: float = math.nan
    """The PUE the alternative's figure uses [-]."""


def greenest_alternative(compared: pd.DataFrame, current_id: str | None) -> Greener | None:
    """The cleanest row of ``compared`` (already ranked), other than ``current_id``; None if no
    row is cleaner than the current choice."""
    candidates = compared[compared["id"] != current_id] if current_id else compared
    if candidates.empty:
        return None
    best = candidates.iloc[0]
    if best["savings_kg"] <= 0:
        return None
    year = best.get("intensity_year")
    provider = best.get("provider")
    return Greener(
        region_id=str(best["id"]),
        name=str(best["name"]),
        co2e_kg=float(best["co2e_kg"]),
        savings_kg=float(best["savings_kg"]),
        savings_fraction=float(best["savings_fraction"]),
        provider=str(provider) if isinstance(provider, str) else None,
        intensity_g_per_kwh=float(best["intensity_g_per_kwh"]),
        intensity_basis=str(best["intensity_basis"]) if "intensity_basis" in best else None,
        intensity_year=int(year) if year is not None and not pd.isna(year) else None,
        stale=bool(best.get("stale", False)),
        pue=float(best["pue_used"]) if "pue_used" in best else math.nan,
    )


def saving_split(footprint: Footprint, greener: Greener) -> tuple[float, float]:
    """(grid, PUE) parts of the kg CO2e the job saves in ``greener``'s region [kg].

    Notes
    -----
    With IT energy E, PUE p and intensity I (here a, there b), the saving
    ``E (p_a I_a - p_b I_b)`` is split as the grid part ``E p_a (I_a - I_b)`` (the cleaner grid at
    the job's own PUE) and the PUE part ``E (p_a - p_b) I_b`` (the leaner data centre on that grid);
    they add up to the saving. NaN parts when the alternative's PUE is not known.
    """
    it_kwh = footprint.it_energy_kwh
    grid_kg = (
        it_kwh
        * footprint.pue
        * (footprint.intensity_g_per_kwh - greener.intensity_g_per_kwh)
        / units.G_PER_KG
    )
    pue_kg = it_kwh * (footprint.pue - greener.pue) * greener.intensity_g_per_kwh / units.G_PER_KG
    return grid_kg, pue_kg


def greener_alternatives(
    footprint: Footprint,
    regions: pd.DataFrame,
    current_id: str | None,
    current_provider: str | None,
    pue: float | None,
    default_pue: float,
) -> tuple[Greener | None, Greener | None]:
    """The cleanest cloud region of the same provider and of any provider, on one basis.

    Parameters
    ----------
    footprint : Footprint
        The job's own estimate; its ``co2e_kg`` [kg] is the baseline.
    regions : pandas.DataFrame
        :func:`wattprint.db.tables.region_frame` for one basis (and year): only figures of that basis.
    current_id, current_provider : str or None
        The job's region and its provider (None for a country, a grid or a given intensity).
    pue, default_pue : float
        As for :func:`compare_regions` [-].

    Returns
    -------
    (Greener or None, Greener or None)
        Same provider (None without a provider or when the job's region is already its
        provider's cleanest), then any provider. Only cloud regions: what a user can rent.
    """
    clouds = regions[regions["kind"] == "cloud"]
    if clouds.empty:
        return None, None
    ranked = compare_regions(footprint, clouds, pue, default_pue)
    same = None
    if current_provider:
        same = greenest_alternative(ranked[ranked["provider"] == current_provider], current_id)
    return same, greenest_alternative(ranked, current_id)


def _min_max(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros_like(values)
    low, high = float(finite.min()), float(finite.max())
    if math.isclose(low, high):
        scaled = np.zeros_like(values)
    else:
        scaled = (values - low) / (high - low)
    return np.where(np.isfinite(scaled), scaled, 1.0)


def pick_regions(
    regions: pd.DataFrame,
    carbon_weight: float,
    latency_weight: float,
    price_weight: float,
    user_locations: list[tuple[float, float]] | None = None,
    top: int = 5,
) -> pd.DataFrame:
    """Rank regions by a weighted score of carbon, distance to the user and price (lower is better).

    Parameters
    ----------
    regions : pandas.DataFrame
        ``id``, ``name``, ``intensity_g_per_kwh``, ``latitude``, ``longitude`` and ``price_index``
        (NaN where unknown: such a region scores worst on price).
    carbon_weight, latency_weight, price_weight : float
        Non-negative weights [-]; at least one positive.
    user_locations : list of (latitude, longitude), optional
        Where the users are [degrees]; the distance is the mean great-circle distance [km].
    top : int
        How many regions to return.

    Returns
    -------
    pandas.DataFrame
        The ``top`` best rows with ``distance_km``, ``score`` and a one-line ``reason``.
    """
    weights = np.array([carbon_weight, latency_weight, price_weight], dtype=float)
    if np.any(~np.isfinite(weights)) or np.any(weights < 0) or weights.sum() == 0:
        raise InputError("weights must be non-negative numbers, at least one above 0")
    if regions.empty:
        raise InputError("no region to pick from")
    frame = regions.copy()
    if user_locations:
        lat = frame["latitude"].to_numpy(dtype=float)
        lon = frame["longitude"].to_numpy(dtype=float)
        distances = np.mean([haversine_km(u_lat, u_lon, lat, lon) for u_lat, u_lon in user_locations], axis=0)
    else:
        distances = np.zeros(len(frame))
    frame["distance_km"] = distances
    carbon = _min_max(frame["intensity_g_per_kwh"].to_numpy(dtype=float))
    latency = _min_max(distances) if user_locations else np.zeros(len(frame))
    price = _min_max(frame["price_index"].to_numpy(dtype=float))
    if price_weight > 0 and not np.isfinite(frame["price_index"].to_numpy(dtype=float)).any():
        price = np.zeros(len(frame))
    score = (weights[0] * carbon + weights[1] * latency + weights[2] * price) / weights.sum()
    frame["score"] = score
    frame = frame.sort_values(["score", "id"], kind="stable").head(max(1, top)).reset_index(drop=True)
    reasons = []
    for row in frame.itertuples():
        parts = [f"{row.intensity_g_per_kwh:.0f} gCO2e/kWh"]
        if user_locations:
            parts.append(f"{row.distance_km:,.0f} km from your users")
        if isinstance(row.price_index, float) and math.isfinite(row.price_index):
            parts.append(f"price index {row.price_index:.2f}")
        reasons.append(", ".join(parts))
    frame["reason"] = reasons
    return frame
