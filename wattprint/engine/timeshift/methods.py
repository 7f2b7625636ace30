"""Time shifting: one job (see :mod:`wattprint.engine.timeshift`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wattprint.engine import units
from wattprint.engine.timeshift.grid import (
    DEFAULT_POWER_KW,
    METHODS,
    BoolArray,
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
    window_sums,
)
from wattprint.errors import InputError


@dataclass(frozen=True, eq=False)
class ShiftResult:
    """One job shifted by one method.

    Parameters
    ----------
    method : {"flexible-start", "pause-resume"}
    start : pandas.Timestamp
        Submission time ``t0`` (UTC).
    duration_h, flex_h : float
        Job length and flexibility [h].
    power_kw : float
        Constant draw of the job [kW].
    baseline_co2e_kg : float
        Emissions started at ``t0`` without a break [kg CO2e].
    shifted_co2e_kg : float
        Emissions of the best schedule [kg CO2e].
    savings_fraction : float
        ``(baseline - shifted) / baseline`` [-], 0 when the baseline is 0.
    schedule : tuple of (pandas.Timestamp, pandas.Timestamp)
        When the job runs (UTC).
    pauses : int
        Breaks between runs [-].
    pauses_per_hour : float
        Pauses per hour of job [1/h].
    slot_minutes : float
        Length of one grid slot [min].
    filled_slots : int
        Slots of the baseline or the schedule that lie in filled gaps [-] (0 unless ``gaps="fill"``).
    start_times : pandas.DatetimeIndex
        Flexible Start only: every candidate start (UTC).
    co2e_kg_by_start : numpy.ndarray
        Flexible Start only: emissions of each candidate start [kg CO2e].
    """

    method: Method
    start: pd.Timestamp
    duration_h: float
    flex_h: float
    power_kw: float
    baseline_co2e_kg: float
    shifted_co2e_kg: float
    savings_fraction: float
    schedule: tuple[tuple[pd.Timestamp, pd.Timestamp], ...]
    pauses: int
    pauses_per_hour: float
    slot_minutes: float
    filled_slots: int
    start_times: pd.DatetimeIndex = field(default_factory=lambda: pd.DatetimeIndex([], tz="UTC"))
    co2e_kg_by_start: FloatArray = field(default_factory=lambda: np.zeros(0))

    @property
    def best_start(self) -> pd.Timestamp:
        """When the job first starts in the best schedule (UTC)."""
        return self.schedule[0][0]


def _co2e_kg(intensity_sum: FloatArray | float, step_h: float, power_kw: float) -> FloatArray:
    """Sum of intensities over slots [g/kWh x slots] -> emissions [kg]."""
    return np.asarray(power_kw * np.asarray(intensity_sum) * step_h / units.G_PER_KG, dtype=np.float64)


def savings(baseline_co2e_kg: FloatArray, shifted_co2e_kg: FloatArray) -> FloatArray:
    """``(baseline - shifted) / baseline`` [-], 0 where the baseline is 0, clipped to [0, 1]."""
    baseline = np.asarray(baseline_co2e_kg, dtype=np.float64)
    shifted = np.asarray(shifted_co2e_kg, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(baseline > 0, (baseline - shifted) / np.where(baseline > 0, baseline, 1.0), 0.0)
    return np.asarray(np.clip(fraction, 0.0, 1.0), dtype=np.float64)


@dataclass(frozen=True)
class _Window:
    grid: SlotGrid
    first: int
    job_slots: int
    flex_slots: int
    start: pd.Timestamp


def _check_power(power_kw: float) -> float:
    if isinstance(power_kw, bool) or not isinstance(power_kw, (int, float, np.floating, np.integer)):
        raise InputError(f"power_kw must be a number, got {power_kw!r}")
    value = float(power_kw)
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"power_kw must be a finite number greater than 0 kW, got {power_kw}")
    return value


def _as_utc(start: pd.Timestamp | str | None, grid_start: pd.Timestamp) -> pd.Timestamp:
    if start is None:
        return grid_start
    try:
        stamp = pd.Timestamp(start)
    except (ValueError, TypeError):
        raise InputError(f"start must be an ISO 8601 timestamp with an offset, got {start!r}") from None
    if pd.isna(stamp):
        raise InputError(f"start must be an ISO 8601 timestamp with an offset, got {start!r}")
    if stamp.tzinfo is None:
        raise InputError(f"start {stamp.isoformat()} has no time zone; add an offset such as +00:00")
    try:
        return stamp.tz_convert("UTC").as_unit("ns")
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        raise InputError(
            f"start {stamp.isoformat()} is outside the dates handled ({pd.Timestamp.min:%Y-%m-%d} to "
            f"{pd.Timestamp.max:%Y-%m-%d})"
        ) from None


def _window(
    series: pd.Series,
    start: pd.Timestamp | str | None,
    duration_h: float,
    flex_h: float,
    gaps: GapPolicy,
    min_chunk_h: float | None = None,
) -> _Window:
    duration_s = _seconds("duration_h", duration_h, 0.0, strict=True)
    if duration_s == 0:
        raise InputError(f"duration_h must be at least 1 second, got {duration_h:g} h")
    flex_s = _seconds("flex_h", flex_h, 0.0)
    index = _utc_index(series)
    if len(index) == 0:
        raise InputError("the intensity series is empty")
    first_time = pd.Timestamp(index[0])
    t0 = _as_utc(start, first_time)
    offset_s = round((t0 - first_time).total_seconds())
    if offset_s < 0:
        raise InputError(f"start {t0.isoformat()} is before the series begins ({first_time.isoformat()})")
    last_time = pd.Timestamp(index[-1])
    if t0 > last_time:
        raise InputError(f"start {t0.isoformat()} is after the series ends ({last_time.isoformat()})")
    align = [duration_s, flex_s, offset_s]
    if min_chunk_h is not None:
        align.append(_seconds("min_chunk_h", min_chunk_h, 0.0, strict=True))
    grid = to_grid(series, gaps, [a for a in align if a > 0])
    first = offset_s // grid.step_s
    job_slots = duration_s // grid.step_s
    flex_slots = flex_s // grid.step_s
    if first + job_slots + flex_slots > len(grid.intensity_g_per_kwh):
        try:
            need = (t0 + pd.Timedelta(seconds=duration_s + flex_s)).isoformat()
        except (pd.errors.OutOfBoundsDatetime, pd.errors.OutOfBoundsTimedelta, OverflowError):
            need = "after the last date handled (2262)"
        raise InputError(
            f"the series ends at {grid.end.isoformat()}; a {duration_h:g} h job with {flex_h:g} h of "
            f"flexibility starting {t0.isoformat()} needs data until {need}"
        )
    return _Window(grid, first, job_slots, flex_slots, t0)


def _runs(mask: BoolArray) -> list[tuple[int, int]]:
    """(first, stop) slot indices of each run of True."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.diff(padded)
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def _result(
    method: Method,
    window: _Window,
    mask: BoolArray,
    power_kw: float,
    duration_h: float,
    flex_h: float,
    **extra: object,
) -> ShiftResult:
    grid = window.grid
    lo = window.first
    hi = lo + window.job_slots + window.flex_slots
    values = grid.intensity_g_per_kwh[lo:hi]
    step_h = grid.step_h
    baseline = float(_co2e_kg(values[: window.job_slots].sum(), step_h, power_kw))
    shifted = float(_co2e_kg(values[mask].sum(), step_h, power_kw))
    shifted = min(shifted, baseline)
    runs = _runs(mask)
    schedule = tuple((grid.time_of(lo + a), grid.time_of(lo + b)) for a, b in runs)
    pauses = max(0, len(runs) - 1)
    used = mask.copy()
    used[: window.job_slots] = True  # the baseline's slots count too
    filled = int(grid.filled[lo:hi][used].sum())
    return ShiftResult(
        method=method,
        start=window.start,
        duration_h=float(duration_h),
        flex_h=float(flex_h),
        power_kw=power_kw,
        baseline_co2e_kg=baseline,
        shifted_co2e_kg=shifted,
        savings_fraction=float(savings(np.array(baseline), np.array(shifted))),
        schedule=schedule,
        pauses=pauses,
        pauses_per_hour=pauses / float(duration_h),
        slot_minutes=grid.step_s / 60.0,
        filled_slots=filled,
        **extra,  # type: ignore[arg-type]
    )


def flexible_start(
    series: pd.Series,
    duration_h: float,
    flex_h: float,
    start: pd.Timestamp | str | None = None,
    power_kw: float = DEFAULT_POWER_KW,
    gaps: GapPolicy = "refuse",
) -> ShiftResult:
    """Best uninterrupted start of a job within ``flex_h`` of its submission.

    Parameters
    ----------
    series : pandas.Series
        Intensity [gCO2e/kWh] indexed by time-zone-aware timestamps (module Notes: slot model).
    duration_h : float
        Job length ``D`` [h], > 0.
    flex_h : float
        Flexibility ``F`` [h], >= 0: the job must end by ``t0 + D + F``.
    start : pandas.Timestamp or str, optional
        Submission time ``t0`` (time-zone aware); default the series' first timestamp.
    power_kw : float
        Constant draw [kW], default 1 kW.
    gaps : {"refuse", "fill"}
        What to do with gaps in the series.

    Returns
    -------
    ShiftResult
        With ``start_times`` and ``co2e_kg_by_start`` for every start in ``[t0, t0 + F]``.

    Notes
    -----
    ``E(s) = power_kw x integral_s^{s+D} I(t) dt / 1000``; the best ``s`` in ``[t0, t0 + F]`` is
    a grid point because ``E`` is piecewise linear between grid points. Ties go to the earliest.

    References
    ----------
    .. [1] Dodge et al. (2022), "Measuring the Carbon Intensity of AI in Cloud Instances",
       FAccT, Section 5.1 (Flexible Start). https://arxiv.org/abs/2206.05229
    """
    power = _check_power(power_kw)
    window = _window(series, start, duration_h, flex_h, gaps)
    grid = window.grid
    lo = window.first
    values = grid.intensity_g_per_kwh[lo : lo + window.job_slots + window.flex_slots]
    sums = window_sums(values, window.job_slots)
    best = int(np.argmin(sums))
    mask = np.zeros(len(values), dtype=bool)
    mask[best : best + window.job_slots] = True
    return _result(
        "flexible-start",
        window,
        mask,
        power,
        duration_h,
        flex_h,
        start_times=grid.times(np.arange(lo, lo + len(sums))),
        co2e_kg_by_start=_co2e_kg(sums, grid.step_h, power),
    )


def pause_and_resume(
    series: pd.Series,
    duration_h: float,
    flex_h: float,
    start: pd.Timestamp | str | None = None,
    power_kw: float = DEFAULT_POWER_KW,
    min_chunk_h: float | None = None,
    max_pauses: int | None = None,
    gaps: GapPolicy = "refuse",
) -> ShiftResult:
    """Cleanest slots totalling ``duration_h`` inside ``[t0, t0 + D + F]``.

    Parameters
    ----------
    series : pandas.Series
        Intensity [gCO2e/kWh] indexed by time-zone-aware timestamps.
    duration_h : float
        Job length ``D`` [h], > 0.
    flex_h : float
        Flexibility ``F`` [h], >= 0.
    start : pandas.Timestamp or str, optional
        Submission time ``t0``; default the series' first timestamp.
    power_kw : float
        Constant draw [kW], default 1 kW.
    min_chunk_h : float, optional
        Shortest run between pauses [h]; capped at ``D`` (a job shorter than it runs in one go).
    max_pauses : int, optional
        Most pauses allowed [-]; 0 is Flexible Start.
    gaps : {"refuse", "fill"}
        What to do with gaps in the series.

    Returns
    -------
    ShiftResult

    Notes
    -----
    Unconstrained: the ``D / step`` cleanest slots of the window (ties: earliest). With
    ``min_chunk_h`` or ``max_pauses``: the exact dynamic programme of the module Notes,
    O(W x K x (P + 1)) for a window of ``W`` slots.

    References
    ----------
    .. [1] Dodge et al. (2022), "Measuring the Carbon Intensity of AI in Cloud Instances",
       FAccT, Section 5.2 (Pause and Resume). https://arxiv.org/abs/2206.05229
    """
    power = _check_power(power_kw)
    if max_pauses is not None and (
        isinstance(max_pauses, bool) or int(max_pauses) != max_pauses or max_pauses < 0
    ):
        raise InputError(f"max_pauses must be a whole number >= 0, got {max_pauses!r}")
    window = _window(series, start, duration_h, flex_h, gaps, min_chunk_h)
    grid = window.grid
    lo = window.first
    values = grid.intensity_g_per_kwh[lo : lo + window.job_slots + window.flex_slots]
    if min_chunk_h is None and max_pauses is None:
        order = np.argsort(values, kind="stable")
        mask = np.zeros(len(values), dtype=bool)
        mask[order[: window.job_slots]] = True
    else:
        chunk = round(min_chunk_h * units.SECONDS_PER_HOUR) // grid.step_s if min_chunk_h else 1
        _, mask = constrained_window(values, window.job_slots, int(chunk), max_pauses)
    return _result("pause-resume", window, mask, power, duration_h, flex_h)


def shift(
    series: pd.Series,
    method: Method,
    duration_h: float,
    flex_h: float,
    start: pd.Timestamp | str | None = None,
    power_kw: float = DEFAULT_POWER_KW,
    gaps: GapPolicy = "refuse",
) -> ShiftResult:
    """:func:`flexible_start` or :func:`pause_and_resume` by name."""
    if method == "flexible-start":
        return flexible_start(series, duration_h, flex_h, start, power_kw, gaps)
    if method == "pause-resume":
        return pause_and_resume(series, duration_h, flex_h, start, power_kw, gaps=gaps)
    raise InputError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")


def shift_to_dict(result: ShiftResult) -> dict[str, object]:
    """A JSON-ready dict of a result (timestamps as ISO 8601, UTC)."""
    return {
        "method": result.method,
        "start": result.start.isoformat(),
        "hours": result.duration_h,
        "flex_hours": result.flex_h,
        "power_w": result.power_kw * units.W_PER_KW,
        "baseline_co2e_kg": result.baseline_co2e_kg,
        "shifted_co2e_kg": result.shifted_co2e_kg,
        "savings_kg": result.baseline_co2e_kg - result.shifted_co2e_kg,
        "savings_fraction": result.savings_fraction,
        "best_start": result.best_start.isoformat(),
        "schedule": [[a.isoformat(), b.isoformat()] for a, b in result.schedule],
        "pauses": result.pauses,
        "pauses_per_hour": result.pauses_per_hour,
        "slot_minutes": result.slot_minutes,
        "filled_slots": result.filled_slots,
    }
