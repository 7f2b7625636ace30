"""Exact unit constants and round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wattprint.engine import units


def test_exact_constants() -> None:
    assert units.J_PER_KWH == 3_600_000
    assert units.KG_PER_LB == 0.45359237
    # Strubell et al. 2019: 0.954 lb/kWh = 432.73 g/kWh.
    assert units.lb_per_kwh_to_g_per_kwh(0.954) == pytest.approx(432.7271, abs=1e-4)
    # eGRID factors in lb/MWh: 1000 lb/MWh = 453.59237 g/kWh.
    assert units.lb_per_mwh_to_g_per_kwh(1000) == pytest.approx(453.59237)


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_round_trips(value: float) -> None:
    assert units.kwh_to_joules(units.joules_to_kwh(value)) == pytest.approx(value)
    assert units.lb_to_kg(units.kg_to_lb(value)) == pytest.approx(value)
    assert units.kg_to_g(units.g_to_kg(value)) == pytest.approx(value)
    assert units.mwh_to_kwh(units.kwh_to_mwh(value)) == pytest.approx(value)
    assert units.g_per_kwh_to_lb_per_mwh(units.lb_per_mwh_to_g_per_kwh(value)) == pytest.approx(value)
