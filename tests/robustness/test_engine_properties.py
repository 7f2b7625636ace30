"""Property-based tests of the footprint engine: linearity, monotonicity, bounds."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattprint.engine.footprint import Job, estimate

hours = st.floats(min_value=0.01, max_value=1e5, allow_nan=False)
count = st.integers(min_value=1, max_value=10_000)
power = st.floats(min_value=1.0, max_value=2000.0, allow_nan=False)
pue = st.floats(min_value=1.0, max_value=3.0, allow_nan=False)
intensity = st.floats(min_value=0.0, max_value=1500.0, allow_nan=False)
utilization = st.floats(min_value=0.05, max_value=1.0, allow_nan=False)


def job(h: float, n: int, w: float, p: float, i: float, u: float = 1.0) -> Job:
    return Job(duration_h=h, device_count=n, device_power_w=w, utilization=u, pue=p, intensity_g_per_kwh=i)


@settings(max_examples=200, deadline=None)
@given(hours, count, power, pue, intensity, st.floats(min_value=1.0, max_value=100.0))
def test_linear_in_hours_and_count(h: float, n: int, w: float, p: float, i: float, k: float) -> None:
    base = estimate(job(h, n, w, p, i))
    longer = estimate(job(h * k, n, w, p, i))
    assert longer.energy_kwh == pytest.approx(base.energy_kwh * k, rel=1e-9)
    assert longer.co2e_kg == pytest.approx(base.co2e_kg * k, rel=1e-9, abs=1e-12)
    more = estimate(job(h, n * 3, w, p, i))
    assert more.energy_kwh == pytest.approx(base.energy_kwh * 3, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(hours, count, power, pue, pue, intensity, intensity)
def test_monotone_in_pue_and_intensity(h, n, w, p1, p2, i1, i2) -> None:
    low_pue, high_pue = sorted((p1, p2))
    low_i, high_i = sorted((i1, i2))
    assert estimate(job(h, n, w, low_pue, low_i)).co2e_kg <= estimate(job(h, n, w, high_pue, low_i)).co2e_kg
    assert estimate(job(h, n, w, low_pue, low_i)).co2e_kg <= estimate(job(h, n, w, low_pue, high_i)).co2e_kg


@settings(max_examples=200, deadline=None)
@given(hours, count, power, pue, intensity, utilization)
def test_range_brackets_point(h, n, w, p, i, u) -> None:
    footprint = estimate(job(h, n, w, p, i, u))
    r = footprint.range
    assert r.energy_kwh_low <= footprint.energy_kwh * (1 + 1e-12) <= r.energy_kwh_high * (1 + 1e-12)
    assert r.co2e_kg_low <= footprint.co2e_kg * (1 + 1e-12) + 1e-12
    assert footprint.co2e_kg <= r.co2e_kg_high * (1 + 1e-12) + 1e-12
    assert all(math.isfinite(v) for v in (r.energy_kwh_low, r.energy_kwh_high, r.co2e_kg_low, r.co2e_kg_high))


@settings(max_examples=100, deadline=None)
@given(hours, count, power, pue, intensity)
def test_device_hours_equal_count_times_hours(h, n, w, p, i) -> None:
    by_hours = estimate(job(h, n, w, p, i))
    by_device_hours = estimate(
        Job(device_hours=h * n, device_count=n, device_power_w=w, pue=p, intensity_g_per_kwh=i)
    )
    assert by_device_hours.energy_kwh == pytest.approx(by_hours.energy_kwh, rel=1e-9)


# --- batch.estimate_frame: the vectorised path keeps the same properties ------------------------

_TABLES = None


def _tables():  # type: ignore[no-untyped-def]
    global _TABLES
    if _TABLES is None:
        from wattprint.db.loader import load_databases
        from wattprint.engine import batch

        _TABLES = batch.build_tables(load_databases())
    return _TABLES


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(hours, count, power, pue, intensity), min_size=1, max_size=20),
    st.floats(min_value=1.0, max_value=100.0),
    st.integers(min_value=2, max_value=50),
)
def test_batch_linear_in_hours_and_count(rows, k: float, m: int) -> None:
    import pandas as pd

    from wattprint.engine import batch

    frame = pd.DataFrame(rows, columns=["hours", "count", "power_w", "pue", "intensity_g_per_kwh"])
    frame["intensity_g_per_kwh"] = frame["intensity_g_per_kwh"].where(frame["intensity_g_per_kwh"] >= 1, 0.0)
    base = batch.estimate_frame(frame, _tables())
    assert (base["error"] == "").all(), base["error"].tolist()
    longer = batch.estimate_frame(frame.assign(hours=frame["hours"] * k), _tables())
    more = batch.estimate_frame(frame.assign(count=frame["count"] * m), _tables())
    for column in ("energy_kwh", "co2e_kg"):
        assert longer[column].to_numpy() == pytest.approx(base[column].to_numpy() * k, rel=1e-9, abs=1e-12)
        assert more[column].to_numpy() == pytest.approx(base[column].to_numpy() * m, rel=1e-9, abs=1e-12)
    for row, (_, result) in zip(rows, base.iterrows(), strict=True):
        h, n, w, p, i = row
        single = estimate(job(h, n, w, p, i if i >= 1 else 0.0))
        assert result["energy_kwh"] == pytest.approx(single.energy_kwh, rel=1e-12)
        assert result["co2e_kg"] == pytest.approx(single.co2e_kg, rel=1e-12, abs=1e-15)
