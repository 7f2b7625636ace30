"""Time shifting: the regular grid (see :mod:`wattprint.engine.timeshift`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from wattprint.engine import units
from wattprint.errors import InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Method = Literal["flexible-start", "pause-resume"]
GapPolicy = Literal["refuse", "fill"]

METHODS: tuple[Method, ...] = ("flexible-start", "pause-resume")
DEFAULT_POWER_KW = 1.0
"""Constant draw of the job when none is given [kW] (1 kW, so results read per kW)."""

MAX_GRID_SLOTS = 6_000_000
"""Largest regular grid accepted [slots]; a finer one asks for rounder durations."""

MAX_DP_STATES = 60_000_000
"""Largest dynamic programme (slots x chunks x slots used) for constrained Pause and Resume."""

SMALL_WINDOW_SLOTS = 64
"""Windows up to this many slots use a vectorised partition instead of the two heaps [slots]."""

REGULAR_CADENCE_SHARE = 0.01
"""A step length taken by at least this share of steps is a regular cadence, not a gap [-]."""

DODGE_FLEX_FRACTIONS = (0.25, 0.5, 0.75, 1.0)
"""Flexibility as a fraction of job length in Dodge et al. (2022) Tables 4-5 [-]."""

TABLE_DURATIONS_H = (1.0, 6.0, 24.0, 72.0, 168.0)
"""Job lengths of the bundled savings table [h]."""

SUMMARY_PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
"""Percentiles of savings reported by :func:`savings_distribution` [%]."""


@dataclass(frozen=True, eq=False)
class SlotGrid:
    """A series on a regular grid of slots (see the module Notes).

    Parameters
    ----------
    start : pandas.Timestamp
        Start of the first slot (UTC).
    step_s : int
        Length of every slot [s].
    intensity_g_per_kwh : numpy.ndarray
        Intensity of each slot [gCO2e/kWh].
    filled : numpy.ndarray
        True where a slot lies in a filled gap.
    row_slots : numpy.ndarray
        Index of the slot where each input row begins.
    """

    start: pd.Timestamp
    step_s: int
    intensity_g_per_kwh: FloatArray
    filled: BoolArray
    row_slots: IntArray

    @property
    def step_h(self) -> float:
        """Slot length [h]."""
        return self.step_s / units.SECONDS_PER_HOUR

    @property
    def end(self) -> pd.Timestamp:
        """End of the last slot (UTC)."""
        return self.time_of(len(self.intensity_g_per_kwh))

    def time_of(self, slot: int) -> pd.Timestamp:
        """Start time of slot ``slot`` (UTC)."""
        return self.start + pd.Timedelta(seconds=int(slot) * self.step_s)

    def times(self, slots: npt.ArrayLike) -> pd.DatetimeIndex:
        """Start times of many slots (UTC)."""
        offsets = pd.to_timedelta(np.asarray(slots, dtype=np.int64) * self.step_s, unit="s")
        return pd.DatetimeIndex(self.start + offsets)


MAX_WINDOW_H = 1_000_000.0
"""Longest job or flexibility accepted [h] (about 114 years): a design bound that keeps a job and
its window inside the 584 years pandas timestamps span."""


def _seconds(name: str, hours: float, minimum: float = 0.0, strict: bool = False) -> int:
    """Hours -> whole seconds, refusing non-finite or out-of-range values."""
    if isinstance(hours, bool) or not isinstance(hours, (int, float, np.floating, np.integer)):
        raise InputError(f"{name} must be a number of hours, got {hours!r}")
    value = float(hours)
    if not math.isfinite(value):
        raise InputError(f"{name} must be a finite number of hours, got {value}")
    if value < minimum or (strict and value <= minimum):
        relation = "greater than" if strict else "at least"
        raise InputError(f"{name} must be {relation} {minimum:g} h, got {value:g}")
    if value > MAX_WINDOW_H:
        raise InputError(f"{name} must be at most {MAX_WINDOW_H:,.0f} h (about 114 years), got {value:g}")
    return round(value * units.SECONDS_PER_HOUR)


def _utc_index(series: pd.Series) -> pd.DatetimeIndex:
    if not isinstance(series, pd.Series):
        raise InputError(f"the intensity series must be a pandas Series, got {type(series).__name__}")
    index = series.index
    if not isinstance(index, pd.DatetimeIndex):
        raise InputError("the intensity series must have a DatetimeIndex of time-zone-aware timestamps")
    if index.tz is None:
        raise InputError(
            "the intensity series' timestamps have no time zone; localize them (e.g. to UTC) first"
        )
    return index.tz_convert("UTC")


def _gap_mask(steps_s: IntArray) -> BoolArray:
    """Which steps are gaps (see the module Notes)."""
    if len(steps_s) == 0:
        return np.zeros(0, dtype=bool)
    lengths, counts = np.unique(steps_s, return_counts=True)
    regular = lengths[counts >= max(2.0, REGULAR_CADENCE_SHARE * len(steps_s))]
    if len(regular) == 0:
        regular = lengths[counts == counts.max()]
    irregular = ~np.isin(steps_s, regular)
    previous = np.concatenate(([steps_s[0]], steps_s[:-1]))
    following = np.concatenate((steps_s[1:], [steps_s[-1]]))
    neighbour = np.maximum(previous, following)
    has_neighbour = len(steps_s) > 1
    isolated = (steps_s > neighbour) if has_neighbour else np.zeros(len(steps_s), dtype=bool)
    return np.asarray(irregular | isolated, dtype=bool)


def to_grid(series: pd.Series, gaps: GapPolicy = "refuse", align_seconds: Iterable[int] = ()) -> SlotGrid:
    """Put an intensity series on a regular grid of slots.

    Parameters
    ----------
    series : pandas.Series
        Intensity [gCO2e/kWh] indexed by time-zone-aware timestamps, one row per slot.
    gaps : {"refuse", "fill"}
        Refuse a series with gaps (default) or fill them by interpolation, flagged.
    align_seconds : iterable of int
        Durations [s] the grid step must divide (job length, flexibility, start offset).

    Returns
    -------
    SlotGrid

    Notes
    -----
    Step = gcd of every step and ``align_seconds``; each row's value is repeated over its slot.

    References
    ----------
    .. [1] Dodge et al. (2022), Section 5. https://arxiv.org/abs/2206.05229
    """
    if gaps not in ("refuse", "fill"):
        raise InputError(f"gaps must be 'refuse' or 'fill', got {gaps!r}")
    index = _utc_index(series)
    if len(series) < 2:
        raise InputError(f"the intensity series needs at least 2 rows, got {len(series)}")
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        raise InputError(f"intensity at {index[bad[0]].isoformat()} is missing or not a finite number")
    negative = np.flatnonzero(values < 0)
    if len(negative):
        raise InputError(
            f"intensity at {index[negative[0]].isoformat()} is negative ({values[negative[0]]:g}); "
            "intensities must be >= 0 gCO2e/kWh"
        )
    nanos = index.asi8.astype(np.int64)
    if index.unit != "ns":
        nanos = index.as_unit("ns").asi8.astype(np.int64)
    deltas = np.diff(nanos)
    not_increasing = np.flatnonzero(deltas <= 0)
    if len(not_increasing):
        at = index[not_increasing[0] + 1].isoformat()
        what = "duplicate" if deltas[not_increasing[0]] == 0 else "out-of-order"
        raise InputError(f"{what} timestamp {at}; timestamps must be strictly increasing")
    if np.any(deltas % 1_000_000_000):
        raise InputError("timestamps must fall on whole seconds")
    steps_s = (deltas // 1_000_000_000).astype(np.int64)
    gap = _gap_mask(steps_s)
    if gaps == "refuse" and gap.any():
        first = int(np.flatnonzero(gap)[0])
        raise InputError(
            f"the series has a gap from {index[first].isoformat()} to {index[first + 1].isoformat()} "
            f"({steps_s[first] / 60:g} min, {int(gap.sum())} gaps in all); fill it or pass gaps='fill'"
        )
    last_step = int(steps_s[-1])
    regular_steps = steps_s[~gap] if (~gap).any() else steps_s
    step_s = 0
    for length in [*np.unique(steps_s).tolist(), *(int(a) for a in align_seconds)]:
        step_s = math.gcd(step_s, int(length))
    slot_counts = np.concatenate((steps_s, [last_step])) // step_s
    total = int(slot_counts.sum())
    if total > MAX_GRID_SLOTS:
        raise InputError(
            f"the job's durations need a {step_s} s grid of {total:,} slots (at most {MAX_GRID_SLOTS:,}); "
            "round the hours to the series' step"
        )
    grid_values = np.repeat(values, slot_counts)
    filled = np.zeros(total, dtype=bool)
    row_slots = np.concatenate(([0], np.cumsum(slot_counts)[:-1])).astype(np.int64)
    for position in np.flatnonzero(gap):
        i = int(position)
        neighbours = [steps_s[j] for j in (i - 1, i + 1) if 0 <= j < len(steps_s) and not gap[j]]
        own_s = int(min(neighbours)) if neighbours else int(np.median(regular_steps))
        own = max(1, min(own_s // step_s, int(slot_counts[i])))
        first_slot = int(row_slots[i]) + own
        stop_slot = int(row_slots[i + 1])
        if stop_slot <= first_slot:
            continue
        fraction = (np.arange(first_slot, stop_slot) - row_slots[i]) / slot_counts[i]
        grid_values[first_slot:stop_slot] = values[i] + fraction * (values[i + 1] - values[i])
        filled[first_slot:stop_slot] = True
    start = pd.Timestamp(index[0])
    return SlotGrid(start, step_s, grid_values.astype(np.float64), filled, row_slots)
