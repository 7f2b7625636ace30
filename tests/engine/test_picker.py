"""Region picker scores: the job's kg CO2e, distance to the user's places, price (unknown is not worst)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from wattprint.engine.geo import EARTH_RADIUS_KM
from wattprint.engine.picker import mean_distance_km, rank_regions
from wattprint.errors import InputError


def frame() -> pd.DataFrame:
    # Three made-up regions on the equator; b publishes no price.
    return pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "co2e_kg": [10.0, 20.0, 30.0],
            "latitude": [0.0, 0.0, 0.0],
            "longitude": [0.0, 90.0, 180.0],
            "price_index": [1.0, math.nan, 2.0],
        }
    )


def test_an_unknown_price_never_ranks_first_on_price() -> None:
    # Issue 28: b (no price) must not be scored as if it were the cheapest. With one unknown price
    # the price is left out for every candidate: carbon scores a 0, b 0.5, c 1 are the scores.
    ranked = rank_regions(frame(), 1.0, 0.0, 1.0).set_index("id")
    assert ranked["score"].to_dict() == pytest.approx({"a": 0.0, "b": 0.5, "c": 1.0})
    assert not ranked["price_in_score"].any()
    assert not ranked.loc["b", "price_known"]
    assert math.isnan(ranked.loc["b", "price_score"])
    # The Paris case: a (GCP, 171 kg, price 1.2), b (AWS, 179 kg, no price), c (300 kg, the
    # cheapest at 1.0); carbon 1, price 0.5. Scored on its carbon alone, b scored 8/129 = 0.062
    # against a's (0 + 0.5 x 1) / 1.5 = 0.333 and ranked first; with price left out a (cleaner) is first.
    paris = frame().assign(co2e_kg=[171.0, 179.0, 300.0], price_index=[1.2, math.nan, 1.0])
    assert list(rank_regions(paris, 1.0, 0.0, 0.5)["id"]) == ["a", "b", "c"]
    with pytest.raises(InputError, match="1 of 3 candidates have no price"):
        rank_regions(frame(), 0.0, 0.0, 1.0)


def test_price_is_scored_when_every_candidate_has_one() -> None:
    # carbon 0, 0.5, 1; price (1, 3, 2) -> 0, 1, 0.5; equal weights -> a 0, b 0.75, c 0.75.
    priced = frame().assign(price_index=[1.0, 3.0, 2.0])
    ranked = rank_regions(priced, 1.0, 0.0, 1.0).set_index("id")
    assert ranked["score"].to_dict() == pytest.approx({"a": 0.0, "b": 0.75, "c": 0.75})
    assert ranked["price_in_score"].all()


def test_distance_is_the_mean_great_circle_distance_to_the_places() -> None:
    # A quarter of the equator is pi/2 x R; half is pi x R.
    quarter = math.pi / 2 * EARTH_RADIUS_KM
    distances = mean_distance_km([0.0, 0.0, 0.0], [0.0, 90.0, 180.0], [(0.0, 0.0), (0.0, 180.0)])
    assert distances == pytest.approx([quarter * 2 / 2, quarter, quarter * 2 / 2])
    ranked = rank_regions(frame(), 0.0, 1.0, 0.0, [(0.0, 90.0)])
    assert list(ranked["id"][:1]) == ["b"]
    assert ranked.set_index("id").loc["a", "distance_km"] == pytest.approx(quarter)


def test_weights_mix_carbon_and_distance() -> None:
    # From (0, 180): distances a 2q, b q, c 0 -> distance scores 1, 0.5, 0; carbon 0, 0.5, 1.
    # Weights 3:1 -> a 0.25, b 0.5, c 0.75.
    ranked = rank_regions(frame(), 3.0, 1.0, 0.0, [(0.0, 180.0)]).set_index("id")
    assert ranked["score"].to_dict() == pytest.approx({"a": 0.25, "b": 0.5, "c": 0.75})
    assert list(ranked["pick_rank"]) == [1, 2, 3]


def test_no_place_ignores_the_distance_weight() -> None:
    ranked = rank_regions(frame(), 1.0, 1.0, 0.0)
    assert list(ranked["id"]) == ["a", "b", "c"]
    assert ranked["distance_km"].isna().all()
    with pytest.raises(InputError, match="no place"):
        rank_regions(frame(), 0.0, 1.0, 0.0)


@pytest.mark.parametrize("weights", [(0.0, 0.0, 0.0), (-1.0, 1.0, 0.0), (math.nan, 1.0, 1.0)])
def test_bad_weights_raise(weights: tuple[float, float, float]) -> None:
    with pytest.raises(InputError, match="weights"):
        rank_regions(frame(), *weights)


def test_place_outside_the_globe_raises() -> None:
    with pytest.raises(InputError, match="outside"):
        rank_regions(frame(), 1.0, 1.0, 0.0, [(95.0, 0.0)])
