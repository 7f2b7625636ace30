"""Flexible Start and Pause and Resume (Dodge et al. 2022): hand cases, properties, naive agreement."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wattprint.engine import timeshift as ts
from wattprint.errors import InputError


def hourly(values: list[float], start: str = "2022-01-01T00:00:00+00:00", freq: str = "h") -> pd.Series:
    index = pd.date_range(pd.Timestamp(start), periods=len(values), freq=freq)
    return pd.Series(np.asarray(values, dtype=float), index=index)


# ---- naive references ------------------------------------------------------------------------


def naive_flexible_start(values: np.ndarray, k: int, f: int) -> np.ndarray:
    """For every t0: recompute every window sum and take the minimum."""
    return np.array(
        [min(values[s : s + k].sum() for s in range(t0, t0 + f + 1)) for t0 in range(len(values) - k - f + 1)]
    )


def naive_pause_resume(values: np.ndarray, k: int, f: int) -> np.ndarray:
    """For every t0: sort the window from scratch."""
    w = k + f
    return np.array([np.sort(values[t0 : t0 + w])[:k].sum() for t0 in range(len(values) - w + 1)])


def brute_constrained(values: np.ndarray, k: int, chunk: int, max_pauses: int | None) -> float:
    """Every subset of k slots; keep those whose runs are >= chunk long and few enough."""
    best = np.inf
    for chosen in itertools.combinations(range(len(values)), k):
        mask = np.zeros(len(values), dtype=bool)
        mask[list(chosen)] = True
        runs = ts._runs(mask)
        if any(b - a < chunk for a, b in runs):
            continue
        if max_pauses is not None and len(runs) - 1 > max_pauses:
            continue
        best = min(best, float(values[mask].sum()))
    return best


# ---- hand-computed cases ---------------------------------------------------------------------


def test_flexible_start_hand_case() -> None:
    # 2 h job, 3 h flex over [5, 1, 3, 2, 8]: starts 0..3 sum 6, 4, 5, 10 g/kWh x h -> best at 1 h
    series = hourly([5, 1, 3, 2, 8, 1, 9, 9])
    result = ts.flexible_start(series, 2, 3)
    assert result.baseline_co2e_kg == pytest.approx(0.006)  # 1 kW x 6 g/kWh x h / 1000
    assert result.shifted_co2e_kg == pytest.approx(0.004)
    assert result.savings_fraction == pytest.approx(1 / 3)
    assert result.best_start == pd.Timestamp("2022-01-01T01:00:00+00:00")
    assert result.co2e_kg_by_start == pytest.approx([0.006, 0.004, 0.005, 0.010])
    assert len(result.start_times) == 4
    assert result.pauses == 0


def test_pause_and_resume_hand_case() -> None:
    # 2 h job in [5, 1, 3, 2, 8] -> cleanest slots 1 (at 01:00) and 2 (at 03:00) = 3 g/kWh x h
    series = hourly([5, 1, 3, 2, 8, 1, 9, 9])
    result = ts.pause_and_resume(series, 2, 3, power_kw=2.0)
    assert result.baseline_co2e_kg == pytest.approx(0.012)
    assert result.shifted_co2e_kg == pytest.approx(0.006)
    assert result.savings_fraction == pytest.approx(0.5)
    assert result.pauses == 1
    assert result.pauses_per_hour == pytest.approx(0.5)
    t = pd.Timestamp
    assert result.schedule == (
        (t("2022-01-01T01:00Z"), t("2022-01-01T02:00Z")),
        (t("2022-01-01T03:00Z"), t("2022-01-01T04:00Z")),
    )


def test_pause_and_resume_min_chunk_hand_case() -> None:
    # 3 h job, 3 h flex, chunks >= 2 h over [5, 1, 3, 2, 8, 1]: best is 1+3+2 = 6 (01:00-04:00)
    series = hourly([5, 1, 3, 2, 8, 1, 9, 9])
    result = ts.pause_and_resume(series, 3, 3, min_chunk_h=2)
    assert result.shifted_co2e_kg == pytest.approx(0.006)
    assert result.schedule == ((pd.Timestamp("2022-01-01T01:00Z"), pd.Timestamp("2022-01-01T04:00Z")),)
    # unconstrained it would take 1, 1, 2 = 4
    assert ts.pause_and_resume(series, 3, 3).shifted_co2e_kg == pytest.approx(0.004)


def test_max_pauses_zero_is_flexible_start() -> None:
    series = hourly([5, 1, 3, 2, 8, 1, 9, 9])
    fs = ts.flexible_start(series, 3, 3)
    pr = ts.pause_and_resume(series, 3, 3, max_pauses=0)
    assert pr.shifted_co2e_kg == pytest.approx(fs.shifted_co2e_kg)
    assert pr.pauses == 0


def test_partial_slot_duration_not_multiple_of_step() -> None:
    # 1.5 h job, 1 h flex on hourly [4, 1, 2, 9]: grid refines to 30 min.
    # Flexible Start: starts 0, 0.5, 1 h -> 4+4+1=... in half-hours: [4,4,1,1,2,2,9,9]
    # windows of 3 half-hours from 0..2: 9, 6, 4 (x 0.5 h) -> best 2.0 g/kWh x h vs baseline 4.5
    series = hourly([4, 1, 2, 9])
    result = ts.flexible_start(series, 1.5, 1)
    assert result.slot_minutes == 30
    assert result.baseline_co2e_kg == pytest.approx(0.0045)
    assert result.shifted_co2e_kg == pytest.approx(0.002)
    assert result.schedule[0] == (pd.Timestamp("2022-01-01T01:00Z"), pd.Timestamp("2022-01-01T02:30Z"))
    # Pause and Resume: cleanest 3 half-hours of [4,4,1,1,2] -> 1+1+2 = 4 half-hours = 2.0
    assert ts.pause_and_resume(series, 1.5, 1).shifted_co2e_kg == pytest.approx(0.002)


def test_mixed_cadence_is_time_weighted() -> None:
    # 30-min rows then 15-min rows (like the GB series): each row lasts until the next timestamp
    index = pd.DatetimeIndex(
        [
            "2020-01-01T00:00Z",
            "2020-01-01T00:30Z",
            "2020-01-01T01:00Z",
            "2020-01-01T01:15Z",
            "2020-01-01T01:30Z",
        ]
    )
    series = pd.Series([100.0, 200.0, 40.0, 60.0, 80.0], index=index)
    grid = ts.to_grid(series)
    assert grid.step_s == 900
    assert grid.intensity_g_per_kwh.tolist() == [100, 100, 200, 200, 40, 60, 80]
    # 1 h job starting at once: 0.5 h x 100 + 0.5 h x 200 = 150 g -> 0.15 kg at 1 kW
    result = ts.flexible_start(series, 1, 0.75)
    assert result.baseline_co2e_kg == pytest.approx(0.150)
    # best start 00:45: 0.25 h x 200 + 0.25 x 40 + 0.25 x 60 + 0.25 x 80 = 95 g
    assert result.shifted_co2e_kg == pytest.approx(0.095)


def test_dst_local_timestamps_equal_utc() -> None:
    # Europe/Berlin hourly across the spring-forward night (a 23-hour local day)
    index = pd.date_range("2022-03-26T00:00", periods=72, freq="h", tz="Europe/Berlin")
    rng = np.random.default_rng(3)
    values = rng.uniform(50, 500, len(index))
    local = pd.Series(values, index=index)
    utc = pd.Series(values, index=index.tz_convert("UTC"))
    for method in ts.METHODS:
        a = ts.shift(local, method, 6, 12, start="2022-03-27T00:00+01:00")
        b = ts.shift(utc, method, 6, 12, start="2022-03-26T23:00Z")
        assert a.shifted_co2e_kg == pytest.approx(b.shifted_co2e_kg)
        assert a.schedule == b.schedule
    assert ts.to_grid(local).step_s == 3600  # no spurious gap at the DST change


def test_naive_timestamps_refused() -> None:
    series = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2022-01-01", periods=3, freq="h"))
    with pytest.raises(InputError, match="time zone"):
        ts.flexible_start(series, 1, 1)


def test_gap_refused_then_filled() -> None:
    index = pd.DatetimeIndex([f"2022-01-01T{h:02d}:00Z" for h in (0, 1, 2, 5, 6, 7, 8, 9, 10)])
    series = pd.Series([100.0, 100, 100, 400, 400, 400, 400, 400, 400], index=index)
    with pytest.raises(InputError, match="gap from 2022-01-01T02:00:00"):
        ts.flexible_start(series, 1, 1)
    grid = ts.to_grid(series, gaps="fill")
    # 02:00 keeps 100 for one hour, 03:00 and 04:00 interpolate 200 and 300, flagged
    assert grid.intensity_g_per_kwh[:6].tolist() == pytest.approx([100, 100, 100, 200, 300, 400])
    assert grid.filled.tolist()[:6] == [False, False, False, True, True, False]
    result = ts.flexible_start(series, 2, 0, start="2022-01-01T02:00Z", gaps="fill")
    assert result.filled_slots == 1
    assert result.baseline_co2e_kg == pytest.approx(0.3)


def test_missing_row_in_fine_cadence_is_a_gap() -> None:
    stamps = ["2020-01-01T00:00Z", "2020-01-01T00:15Z", "2020-01-01T00:45Z", "2020-01-01T01:00Z"]
    stamps += [f"2020-01-01T01:{m:02d}Z" for m in (15, 30, 45)]
    series = pd.Series(np.ones(len(stamps)), index=pd.DatetimeIndex(stamps))
    with pytest.raises(InputError, match="gap"):
        ts.to_grid(series)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"duration_h": -1, "flex_h": 1}, "duration_h must be greater than 0"),
        ({"duration_h": 1, "flex_h": -1}, "flex_h must be at least 0"),
        ({"duration_h": float("nan"), "flex_h": 1}, "finite"),
        ({"duration_h": 5, "flex_h": 5}, "needs data until"),
        ({"duration_h": 1, "flex_h": 1, "power_kw": 0}, "power_kw"),
        ({"duration_h": 1, "flex_h": 1, "start": "2021-01-01T00:00Z"}, "before the series begins"),
        ({"duration_h": 1, "flex_h": 1, "start": "2022-01-01T00:00"}, "no time zone"),
    ],
)
def test_bad_inputs(kwargs: dict[str, object], message: str) -> None:
    series = hourly([1, 2, 3, 4, 5, 6])
    with pytest.raises(InputError, match=message):
        ts.flexible_start(series, **kwargs)  # type: ignore[arg-type]


def test_bad_series_values() -> None:
    with pytest.raises(InputError, match="negative"):
        ts.to_grid(hourly([1, -2, 3]))
    with pytest.raises(InputError, match="not a finite number"):
        ts.to_grid(hourly([1, np.nan, 3]))
    index = pd.DatetimeIndex(["2022-01-01T00:00Z", "2022-01-01T00:00Z", "2022-01-01T01:00Z"])
    with pytest.raises(InputError, match="duplicate"):
        ts.to_grid(pd.Series([1.0, 2.0, 3.0], index=index))


# ---- distributions ---------------------------------------------------------------------------


def test_distribution_matches_single_windows() -> None:
    rng = np.random.default_rng(7)
    series = hourly(list(rng.uniform(0, 600, 200)))
    for method in ts.METHODS:
        dist = ts.savings_distribution(series, method, 5, 7)
        assert dist.count == 200 - 12 + 1
        for i in (0, 17, 188):
            single = ts.shift(series, method, 5, 7, start=dist.start_times[i])
            assert dist.shifted_co2e_kg[i] == pytest.approx(single.shifted_co2e_kg)
            assert dist.savings_fraction[i] == pytest.approx(single.savings_fraction)
        assert dist.mean == pytest.approx(dist.savings_fraction.mean())
        assert dist.percentiles[50.0] == pytest.approx(dist.median)


def test_distribution_constrained_matches_dp_per_window() -> None:
    rng = np.random.default_rng(11)
    series = hourly(list(rng.uniform(0, 600, 60)))
    dist = ts.savings_distribution(series, "pause-resume", 4, 4, min_chunk_h=2, t0_stride=5)
    assert dist.count == len(range(0, 60 - 8 + 1, 5))
    free = ts.savings_distribution(series, "pause-resume", 4, 4, t0_stride=5)
    fs = ts.savings_distribution(series, "flexible-start", 4, 4, t0_stride=5)
    assert np.all(dist.shifted_co2e_kg >= free.shifted_co2e_kg - 1e-12)
    assert np.all(dist.shifted_co2e_kg <= fs.shifted_co2e_kg + 1e-12)


def test_distribution_t0s_are_original_rows_on_refined_grid() -> None:
    series = hourly([4, 1, 2, 9, 3, 3, 1, 7])
    dist = ts.savings_distribution(series, "flexible-start", 1.5, 0.5)
    assert all(t.minute == 0 for t in dist.start_times)
    assert dist.count == 7  # t0 at 00:00 ... 06:00 (window 2 h; the last row lasts until 08:00)


def test_savings_grid_and_profiles() -> None:
    rng = np.random.default_rng(5)
    index = pd.date_range("2022-01-01T00:00Z", periods=24 * 60, freq="h")
    daily = 300 + 200 * np.sin(np.arange(len(index)) * 2 * np.pi / 24)
    series = pd.Series(daily + rng.normal(0, 5, len(index)), index=index)
    grid = ts.savings_grid(series, durations_h=(1, 24), flex_fractions=(0.5, 1.0), flex_hours=(12,))
    assert set(grid["method"]) == set(ts.METHODS)
    assert len(grid) == 2 * 2 * 3
    assert grid["mean_savings_fraction"].between(0, 1).all()
    profile = ts.daily_profile(series, timezone="Europe/Paris")
    assert list(profile.index) == list(range(24))
    assert profile["mean_g_per_kwh"].idxmin() == (18 + 1) % 24  # minimum of sin at 18:00 UTC = 19:00 CET
    monthly = ts.monthly_profile(series)
    assert list(monthly.index) == [1, 2, 3]


def test_dodge_qualitative_finding_on_diurnal_series() -> None:
    # A daily cycle: a short job can move into the trough (Flexible Start gains a lot); a week-long
    # job cannot move a week's average by starting later, but Pause and Resume skips the peaks.
    index = pd.date_range("2022-01-01T00:00Z", periods=24 * 40, freq="h")
    series = pd.Series(300 + 200 * np.sin(np.arange(len(index)) * 2 * np.pi / 24), index=index)
    short_fs = ts.savings_distribution(series, "flexible-start", 1, 1).mean
    long_fs = ts.savings_distribution(series, "flexible-start", 168, 168).mean
    long_pr = ts.savings_distribution(series, "pause-resume", 168, 168).mean
    assert short_fs > long_fs
    assert long_pr > long_fs + 0.1


# ---- kernels against naive -------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(st.floats(0, 1000, allow_nan=False), min_size=2, max_size=60),
    k=st.integers(1, 20),
    f=st.integers(0, 20),
)
def test_fast_kernels_agree_with_naive(values: list[float], k: int, f: int) -> None:
    x = np.asarray(values)
    if k + f > len(x):
        return
    fast_fs = ts.sliding_min(ts.window_sums(x, k), f + 1)
    assert fast_fs == pytest.approx(naive_flexible_start(x, k, f), abs=1e-6)
    fast_pr = ts.sliding_k_smallest_sums(x, k + f, k)
    assert fast_pr == pytest.approx(naive_pause_resume(x, k, f), abs=1e-6)


def test_k_smallest_sums_long_random_series() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 50, 20_000).astype(float)  # many ties
    fast = ts.sliding_k_smallest_sums(x, 300, 120)
    naive = np.array([np.sort(x[i : i + 300])[:120].sum() for i in range(0, len(x) - 299, 97)])
    assert fast[::97] == pytest.approx(naive)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(0, 30).map(float), min_size=3, max_size=9),
    data=st.data(),
)
def test_constrained_dp_matches_brute_force(values: list[float], data: st.DataObject) -> None:
    x = np.asarray(values)
    k = data.draw(st.integers(1, len(x)))
    chunk = data.draw(st.integers(1, k))
    max_pauses = data.draw(st.none() | st.integers(0, 3))
    cost, mask = ts.constrained_window(x, k, chunk, max_pauses)
    assert cost == pytest.approx(brute_constrained(x, k, chunk, max_pauses))
    assert mask.sum() == k
    runs = ts._runs(mask)
    assert all(b - a >= chunk for a, b in runs)
    if max_pauses is not None:
        assert len(runs) - 1 <= max_pauses


# ---- properties ------------------------------------------------------------------------------

series_values = st.lists(st.floats(0, 900, allow_nan=False), min_size=4, max_size=48)


@settings(max_examples=60, deadline=None)
@given(values=series_values, data=st.data())
def test_savings_properties(values: list[float], data: st.DataObject) -> None:
    series = hourly(values)
    n = len(values)
    duration = data.draw(st.integers(1, n - 1))
    flex = data.draw(st.integers(0, n - duration))
    fs = ts.flexible_start(series, duration, flex)
    pr = ts.pause_and_resume(series, duration, flex)
    assert 0.0 <= fs.savings_fraction <= 1.0
    assert 0.0 <= pr.savings_fraction <= 1.0
    # Pause and Resume is never worse than Flexible Start
    assert pr.shifted_co2e_kg <= fs.shifted_co2e_kg + 1e-12
    assert fs.shifted_co2e_kg <= fs.baseline_co2e_kg + 1e-12
    if flex == 0:
        assert fs.savings_fraction == 0.0
        assert pr.savings_fraction == 0.0


@settings(max_examples=30, deadline=None)
@given(level=st.floats(0, 900, allow_nan=False), n=st.integers(4, 40), data=st.data())
def test_flat_series_saves_nothing(level: float, n: int, data: st.DataObject) -> None:
    series = hourly([level] * n)
    duration = data.draw(st.integers(1, n - 1))
    flex = data.draw(st.integers(0, n - duration))
    for method in ts.METHODS:
        dist = ts.savings_distribution(series, method, duration, flex)
        assert np.all(dist.savings_fraction == pytest.approx(0.0, abs=1e-9))


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.floats(0, 900, allow_nan=False), min_size=6, max_size=40), data=st.data())
def test_distribution_properties(values: list[float], data: st.DataObject) -> None:
    series = hourly(values)
    n = len(values)
    duration = data.draw(st.integers(1, n // 2))
    flex = data.draw(st.integers(0, n - duration))
    fs = ts.savings_distribution(series, "flexible-start", duration, flex)
    pr = ts.savings_distribution(series, "pause-resume", duration, flex)
    assert np.all((fs.savings_fraction >= 0) & (fs.savings_fraction <= 1))
    assert np.all(pr.shifted_co2e_kg <= fs.shifted_co2e_kg + 1e-9)
    if flex == 0:
        assert fs.mean == 0.0 and pr.mean == 0.0


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(st.integers(0, 40).map(float), min_size=70, max_size=200),
    data=st.data(),
)
def test_two_heap_path_agrees_with_naive(values: list[float], data: st.DataObject) -> None:
    # windows above SMALL_WINDOW_SLOTS use the two heaps (integer values: many ties)
    x = np.asarray(values)
    window = data.draw(st.integers(ts.SMALL_WINDOW_SLOTS + 1, len(x)))
    k = data.draw(st.integers(1, window - 1))
    fast = ts.sliding_k_smallest_sums(x, window, k)
    assert fast == pytest.approx(naive_pause_resume(x, k, window - k), abs=1e-6)
