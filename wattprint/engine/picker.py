"""Decide where to run a job: its kg CO2e in each region, distance to the user, price.

Notes
-----
Each criterion is min-max normalised over the candidate regions to 0 (best) .. 1 (worst)::

    carbon[r]   = (co2e_kg[r] - min co2e_kg) / (max co2e_kg - min co2e_kg)
    distance[r] = same over the mean great-circle distance to the user's places [km]
    price[r]    = same over the price index, for the regions that publish one

    score[r] = sum_i w_i x criterion_i[r] / sum_i w_i      (i over the criteria in the score)

Price enters the score only when every candidate has one: scoring an unknown price on the other
criteria alone made every region without a price (most of them) rank as if it were the cheapest.
With one unknown price among the candidates, price is left out for all of them
(``price_in_score`` False) and shown beside the score, never in it. Carbon is the job's own kg CO2e from
:func:`wattprint.engine.whatif.compare_regions` (energy x PUE x intensity), so it ranks what the job
emits, PUE included, not the bare grid intensity. Every candidate's intensity must be of one
basis (``intensity_basis``): kg CO2e of two bases (e.g. lifecycle and a provider's operational
figure) are not comparable and are refused.

References
----------
.. [1] Google Cloud (2021), "Cloud Region Picker",
   https://googlecloudplatform.github.io/region-picker/ (weighted, normalised carbon, price and
   latency; lower is better).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattprint.engine.geo import haversine_km
from wattprint.errors import InputError


def _scaled(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Min-max scaling to 0..1 over the finite values; NaN stays NaN; all equal -> 0."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.full_like(values, np.nan)
    low, high = float(finite.min()), float(finite.max())
    if math.isclose(low, high):
        return np.where(np.isfinite(values), 0.0, np.nan)
    return (values - low) / (high - low)


def mean_distance_km(
    latitude: npt.ArrayLike, longitude: npt.ArrayLike, places: Sequence[tuple[float, float]]
) -> npt.NDArray[np.float64]:
    """Mean great-circle distance [km] from each point to the ``places`` (latitude, longitude
    [degrees]); NaN for every point when there is no place."""
    lat = np.asarray(latitude, dtype=float)
    lon = np.asarray(longitude, dtype=float)
    if not places:
        return np.full(lat.shape, np.nan)
    return np.asarray(np.mean([haversine_km(p_lat, p_lon, lat, lon) for p_lat, p_lon in places], axis=0))


def rank_regions(
    compared: pd.DataFrame,
    carbon_weight: float,
    distance_weight: float,
    price_weight: float,
    places: Sequence[tuple[float, float]] = (),
) -> pd.DataFrame:
    """Candidate regions ranked by the weighted score of the job's kg CO2e, distance and price.

    Parameters
    ----------
    compared : pandas.DataFrame
        :func:`wattprint.engine.whatif.compare_regions` output: ``id``, ``co2e_kg`` [kg],
        ``latitude``, ``longitude`` [degrees] and ``price_index`` [-] (NaN where unknown);
        ``intensity_basis``, when present, must hold a single basis.
    carbon_weight, distance_weight, price_weight : float
        Non-negative weights [-]; at least one positive. The distance weight is ignored when
        there is no place.
    places : sequence of (latitude, longitude)
        Where the user, or their users, are [degrees].

    Returns
    -------
    pandas.DataFrame
        ``compared`` plus ``distance_km`` (NaN without places), ``carbon_score``,
        ``distance_score``, ``price_score`` (NaN where the price is unknown), ``score`` [0..1,
        lower is better], ``price_known``, ``price_in_score`` (True when every candidate has a
        price and the price weight is above 0) and ``pick_rank`` (1 = best), best first.
    """
    weights = np.array([carbon_weight, distance_weight, price_weight], dtype=float)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() == 0:
        raise InputError("weights must be non-negative numbers, at least one above 0")
    if compared.empty:
        raise InputError("no region to pick from")
    if "intensity_basis" in compared:
        bases = sorted({str(b) for b in compared["intensity_basis"].dropna()})
        if len(bases) > 1:
            raise InputError(f"cannot rank figures of different intensity bases together: {', '.join(bases)}")
    for lat, lon in places:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"place {lat:g}, {lon:g} is outside latitude -90..90, longitude -180..180")
    frame = compared.copy()
    distance = mean_distance_km(frame["latitude"], frame["longitude"], places)
    if not places:
        weights[1] = 0.0
        if weights.sum() == 0:
            raise InputError("only the distance weight is above 0, but no place is given")
    price = frame["price_index"].to_numpy(dtype=float)
    every_price = bool(np.isfinite(price).all())
    if not every_price and weights[2] > 0:
        weights[2] = 0.0
        if weights.sum() == 0:
            missing = int((~np.isfinite(price)).sum())
            raise InputError(
                f"only the price weight is above 0, but {missing} of {len(price)} candidates have no price; "
                "give carbon or distance a weight, or keep only providers that publish a price"
            )
    criteria = np.vstack([_scaled(frame["co2e_kg"].to_numpy(dtype=float)), _scaled(distance), _scaled(price)])
    known = np.isfinite(criteria)
    used = np.where(known, weights[:, None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = (np.where(known, criteria, 0.0) * used).sum(axis=0) / used.sum(axis=0)
    frame["distance_km"] = distance
    frame["carbon_score"] = criteria[0]
    frame["distance_score"] = criteria[1]
    frame["price_score"] = criteria[2]
    frame["price_known"] = np.isfinite(price)
    frame["price_in_score"] = every_price and weights[2] > 0
    frame["score"] = np.where(np.isfinite(score), score, 1.0)
    frame = frame.sort_values(["score", "co2e_kg", "id"], kind="stable").reset_index(drop=True)
    frame["pick_rank"] = np.arange(1, len(frame) + 1)
    return frame
