"""Everyday equivalents: each factor as cited."""

from __future__ import annotations

import pytest

from wattprint.engine.equivalents import (
    CAR_KG_PER_KM,
    PARIS_NEW_YORK_KM,
    TREE_KG_PER_MONTH,
    equivalents,
)
from wattprint.errors import InputError


def test_factors():
    # US EPA 400 g/mile / 1.609344 km/mile = 248.55 g/km
    assert abs(CAR_KG_PER_KM * 1000 - 248.548) < 1e-3
    # EPA 0.060 t per tree over 10 years = 0.5 kg per month
    assert abs(TREE_KG_PER_MONTH - 0.5) < 1e-12
    # CDG-JFK great circle is about 5,830-5,850 km
    assert 5800 < PARIS_NEW_YORK_KM < 5870


def test_counts():
    items = {e.unit: e for e in equivalents(100.0, 400.0)}
    assert items["km"].count == pytest.approx(100 / CAR_KG_PER_KM)
    # 0.0124 kWh x 400 g/kWh = 4.96 g per charge -> 100 kg / 4.96 g
    assert items["charges"].count == pytest.approx(100_000 / 4.96)
    assert items["tree-months"].count == pytest.approx(200.0)
    assert all(e.source and e.year >= 2023 for e in items.values())


def test_zero_intensity_has_no_phone_equivalent():
    assert "charges" not in {e.unit for e in equivalents(1.0, 0.0)}


def test_negative_rejected():
    with pytest.raises(InputError):
        equivalents(-1.0, 100.0)
