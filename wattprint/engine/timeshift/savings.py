"""Time shifting: every t0 of a series (see :mod:`wattprint.engine.timeshift`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wattprint.engine import units
from wattprint.engine.timeshift.grid import (
    DEFAULT_POWER_KW,
    DODGE_FLEX_FRACTIONS,
    METHODS,
    SUMMARY_PERCENTILES,
    TABLE_DURATIONS_H,
    FloatArray,
    GapPolicy,
    Method,
    SlotGrid,
    _seconds,
    _utc_index,
    to_grid,
)
from wattprint.engine.timeshift.kernels import (
    constrained_window,
    sliding_k_smallest_sums,
    sliding_min,
    window_sums,
)
from wattprint.engine.timeshift.methods import (
    _check_power,
    _co2e_kg,
    savings,
)
from wattprint.errors import InputError


@dataclass(frozen=True, eq=False)
class SavingsDistribution:
    """Savings of one method over every submission time ``t0`` of a series.

    Parameters
    ----------
    method : {"flexible-start", "pause-resume"}
    duration_h, flex_h : float
        Job length and flexibility [h].
    start_times : pandas.DatetimeIndex
        Each ``t0`` (the series' own timestamps whose window fits in the series), UTC.
    baseline_co2e_kg, shifted_co2e_kg : numpy.ndarray
        Emissions per ``t0`` [kg CO2e] at ``power_kw``.
    savings_fraction : numpy.ndarray
        Savings per ``t0`` [-].
    mean, median : float
        Of ``savings_fraction`` [-].
    percentiles : dict of float to float
        Percentile [%] -> savings [-].
    """

    method: Method
    duration_h: float
    flex_h: float
    power_kw: float
    start_times: pd.DatetimeIndex
    baseline_co2e_kg: FloatArray
    shifted_co2e_kg: FloatArray
    savings_fraction: FloatArray
    mean: float
    median: float
    percentiles: dict[float, float]

    @property
    def count(self) -> int:
        """Number of ``t0`` [-]."""
        return len(self.savings_fraction)


def savings_distribution(
    series: pd.Series | SlotGrid,
    method: Method,
    duration_h: float,
    flex_h: float,
    power_kw: float = DEFAULT_POWER_KW,
    min_chunk_h: float | None = None,
    max_pauses: int | None = None,
    gaps: GapPolicy = "refuse",
    t0_stride: int = 1,
) -> SavingsDistribution:
    """Savings of a method for every submission time of a series.

    Parameters
    ----------
    series : pandas.Series or SlotGrid
        Intensity [gCO2e/kWh] (time-zone-aware index), or a grid from :func:`to_grid`.
    method : {"flexible-start", "pause-resume"}
    duration_h : float
        Job length [h].
    flex_h : float
        Flexibility [h].
    power_kw : float
        Constant draw [kW].
    min_chunk_h, max_pauses : optional
        Pause and Resume constraints; solved per window by dynamic programming (slow: use
        ``t0_stride`` to sample).
    gaps : {"refuse", "fill"}
        What to do with gaps in the series.
    t0_stride : int
        Use every ``t0_stride``-th submission time [-], default every one.

    Returns
    -------
    SavingsDistribution

    Notes
    -----
    Flexible Start: window sums ``S[i] = C[i + K] - C[i]`` and best ``min(S[i .. i + F/step])``
    by sliding minimum; Pause and Resume: sliding ``K``-smallest sums over ``W = K + F/step``
    slots (two heaps). Both O(n) or O(n log W) for all ``t0``; see the module Notes.

    References
    ----------
    .. [1] Dodge et al. (2022), Section 5, Tables 4-5. https://arxiv.org/abs/2206.05229
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    power = _check_power(power_kw)
    if isinstance(t0_stride, bool) or not isinstance(t0_stride, int) or t0_stride < 1:
        raise InputError(f"t0_stride must be a whole number >= 1, got {t0_stride!r}")
    duration_s = _seconds("duration_h", duration_h, 0.0, strict=True)
    flex_s = _seconds("flex_h", flex_h, 0.0)
    chunk_s = _seconds("min_chunk_h", min_chunk_h, 0.0, strict=True) if min_chunk_h is not None else 0
    align = [a for a in (duration_s, flex_s, chunk_s) if a > 0]
    if isinstance(series, SlotGrid):
        grid = series
        if any(a % grid.step_s for a in align):
            raise InputError(
                f"durations must be whole multiples of the grid step ({grid.step_s} s); build the grid "
                "with to_grid(series, align_seconds=...)"
            )
    else:
        grid = to_grid(series, gaps, align)
    values = grid.intensity_g_per_kwh
    n = len(values)
    k = duration_s // grid.step_s
    f = flex_s // grid.step_s
    width = k + f
    if width > n:
        raise InputError(
            f"the series covers {n * grid.step_h:g} h; a {duration_h:g} h job with {flex_h:g} h of "
            "flexibility does not fit"
        )
    starts = grid.row_slots[grid.row_slots <= n - width][::t0_stride]
    baseline_sums = window_sums(values, k)
    if method == "flexible-start":
        shifted_sums = sliding_min(baseline_sums, f + 1)[starts]
    elif min_chunk_h is None and max_pauses is None:
        shifted_sums = sliding_k_smallest_sums(values, width, k)[starts]
    else:
        chunk = max(1, chunk_s // grid.step_s)
        shifted_sums = np.array(
            [constrained_window(values[i : i + width], k, chunk, max_pauses)[0] for i in starts.tolist()]
        )
    baseline = _co2e_kg(baseline_sums[starts], grid.step_h, power)
    shifted = np.minimum(_co2e_kg(shifted_sums, grid.step_h, power), baseline)
    fraction = savings(baseline, shifted)
    if len(fraction) == 0:
        raise InputError("no submission time fits in the series")
    quantiles = np.percentile(fraction, SUMMARY_PERCENTILES)
    return SavingsDistribution(
        method=method,
        duration_h=float(duration_h),
        flex_h=float(flex_h),
        power_kw=power,
        start_times=grid.times(starts),
        baseline_co2e_kg=baseline,
        shifted_co2e_kg=shifted,
        savings_fraction=fraction,
        mean=float(fraction.mean()),
        median=float(np.median(fraction)),
        percentiles={p: float(q) for p, q in zip(SUMMARY_PERCENTILES, quantiles, strict=True)},
    )


def savings_grid(
    series: pd.Series,
    durations_h: Sequence[float] = TABLE_DURATIONS_H,
    flex_fractions: Sequence[float] | None = DODGE_FLEX_FRACTIONS,
    flex_hours: Sequence[float] | None = None,
    methods: Sequence[Method] = METHODS,
    gaps: GapPolicy = "refuse",
) -> pd.DataFrame:
    """Mean and median savings for job lengths x flexibilities x methods (a heatmap's data).

    Parameters
    ----------
    series : pandas.Series
        Intensity [gCO2e/kWh], time-zone-aware index.
    durations_h : sequence of float
        Job lengths [h].
    flex_fractions : sequence of float, optional
        Flexibility as a fraction of job length [-] (Dodge et al.: 0.25 to 1.0).
    flex_hours : sequence of float, optional
        Flexibility as fixed hours [h]; used in addition to ``flex_fractions``.
    methods : sequence of {"flexible-start", "pause-resume"}
    gaps : {"refuse", "fill"}

    Returns
    -------
    pandas.DataFrame
        One row per (method, duration_h, flexibility): columns ``method``, ``duration_h``,
        ``flex_label`` ("+25%" or "+24h"), ``flex_h``, ``mean_savings_fraction``,
        ``median_savings_fraction``, ``count``. Combinations longer than the series are left out.

    References
    ----------
    .. [1] Dodge et al. (2022), Tables 4-5. https://arxiv.org/abs/2206.05229
    """
    specs: list[tuple[str, float, float]] = []
    for duration in durations_h:
        for fraction in flex_fractions or ():
            specs.append((f"+{fraction * 100:g}%", float(duration), float(duration) * float(fraction)))
        for hours in flex_hours or ():
            specs.append((f"+{hours:g}h", float(duration), float(hours)))
    index = _utc_index(series)
    span_h = (index[-1] - index[0]).total_seconds() / units.SECONDS_PER_HOUR if len(index) else 0.0
    rows: list[dict[str, object]] = []
    for method in methods:
        for label, duration, flex in specs:
            if duration + flex > span_h:
                continue
            result = savings_distribution(series, method, duration, flex, gaps=gaps)
            rows.append(
                {
                    "method": method,
                    "duration_h": duration,
                    "flex_label": label,
                    "flex_h": flex,
                    "mean_savings_fraction": result.mean,
                    "median_savings_fraction": result.median,
                    "count": result.count,
                }
            )
    return pd.DataFrame(rows)


def savings_table(
    series_by_name: Mapping[str, pd.Series],
    durations_h: Sequence[float] = TABLE_DURATIONS_H,
    flex_fractions: Sequence[float] | None = DODGE_FLEX_FRACTIONS,
    flex_hours: Sequence[float] | None = None,
    gaps: GapPolicy = "fill",
) -> pd.DataFrame:
    """Mean savings [%] by method and job length x flexibility, averaged over several series.

    In the style of Dodge et al. (2022) Tables 4-5: each cell is the mean over series of the
    mean over every ``t0`` of the savings, in percent.

    Parameters
    ----------
    series_by_name : mapping of str to pandas.Series
        Intensity series [gCO2e/kWh] by name.
    durations_h : sequence of float
        Job lengths [h].
    flex_fractions : sequence of float, optional
        Flexibility as a fraction of job length [-].
    flex_hours : sequence of float, optional
        Flexibility as fixed hours [h] (Dodge et al. also report +6 h to +24 h).
    gaps : {"refuse", "fill"}
        Default "fill": the bundled series' rare gaps are interpolated.

    Returns
    -------
    pandas.DataFrame
        Index (method, duration_h), one column per flexibility label ("+25%", "+24h", ...).

    Notes
    -----
    Figures differ from Dodge et al.'s (other grids and years, average rather than marginal
    intensity); the qualitative pattern is what compares.

    References
    ----------
    .. [1] Dodge et al. (2022), Tables 4-5. https://arxiv.org/abs/2206.05229
    """
    frames = []
    for name, series in series_by_name.items():
        frame = savings_grid(series, durations_h, flex_fractions, flex_hours, METHODS, gaps)
        frame["series"] = name
        frames.append(frame)
    if not frames:
        raise InputError("savings_table needs at least one series")
    every = pd.concat(frames, ignore_index=True)
    every["mean_savings_percent"] = every["mean_savings_fraction"] * 100.0
    table = every.pivot_table(
        index=["method", "duration_h"], columns="flex_label", values="mean_savings_percent", aggfunc="mean"
    )
    labels = [f"+{fraction * 100:g}%" for fraction in flex_fractions or ()]
    labels += [f"+{hours:g}h" for hours in flex_hours or ()]
    return table[[label for label in labels if label in table.columns]]
