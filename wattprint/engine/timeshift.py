"""Time shifting: Flexible Start and Pause and Resume over a carbon-intensity series.

A job of duration ``D`` submitted at ``t0`` with flexibility ``F`` must finish by ``t0 + D + F``
(Dodge et al. 2022, Section 5). It draws a constant power, so its emissions only depend on which
hours it runs in.

Notes
-----
**Slot model.** Each row of an intensity series is a slot whose intensity holds from its
timestamp until the next timestamp (a step function; the last row lasts as long as the step
before it). Series of any cadence, including mixed cadence (the GB series switches from 30 to
15 minutes), are put on one regular grid whose step is the greatest common divisor of every
step, the job duration, the flexibility, the start offset and the minimum chunk, by repeating
each row's value over its slot. Because the model is a step function this resampling is exact:
no value is interpolated. Timestamps must be time-zone aware; they are converted to UTC, so
daylight-saving changes (23- and 25-hour local days) need no special care. A job that is not a
whole number of input steps (a *partial slot*) is handled by the finer grid.

**Emissions.** For a constant draw ``power_kw``::

    co2e_kg = power_kw x sum_over_slots(intensity_g_per_kwh x slot_h) / 1000

**Flexible Start.** The job runs without a break starting at any ``s`` in ``[t0, t0 + F]``.
``E(s) = C(s + D) - C(s)`` with ``C`` the running integral of intensity; ``E`` is piecewise
linear in ``s`` with breaks on the grid, so the best start is a grid point. For every ``t0`` at
once the window sums come from one cumulative sum and the best start from a sliding-window
minimum (van Herk / Gil-Werman: block prefix and suffix minima, O(n) for any window).

**Pause and Resume.** The job may stop and restart at slot boundaries; it uses ``D`` of the
``D + F`` hours in ``[t0, t0 + D + F]``. Without constraints the optimum is the sum of the ``K``
cleanest slots of the window (``K = D / step``), found for every ``t0`` with a sliding
``K``-smallest sum kept in two heaps with lazy deletion (O(n log W)), not by sorting each
window. With a minimum chunk length ``m`` slots and/or at most ``P`` pauses, one window is
solved exactly by dynamic programming over (slot ``i``, slots used ``k``, runs started ``r``,
running or idle)::

    run[i][r][k]  = min(run[i-1][r][k-1] + x[i-1],  idle[i-m][r-1][k-m] + x[i-m] + ... + x[i-1])
    idle[i][r][k] = min(idle[i-1][r][k], run[i-1][r][k])

with at most ``P + 1`` runs; a run begins with ``m`` slots at once, so every chunk lasts at
least ``m`` slots. Pauses are the breaks between runs (a late first start is not a pause).

**Savings** are ``(baseline - shifted) / baseline`` with the baseline the job started at ``t0``
without a break; they lie in ``[0, 1]`` since both methods may choose the baseline.

**Gaps.** A step is a gap when its length is not one of the series' regular cadences (a step
length taken by at least 1% of the steps) or when it is longer than both neighbouring steps
(one missing row inside a finer cadence). Gaps are refused with :class:`~wattprint.errors.InputError`
unless ``gaps="fill"``: the row before a gap keeps its value for one regular step, the rest of
the gap is linearly interpolated in time between the rows around it, and every filled slot is
counted in the result's ``filled_slots``.

The figures differ from Dodge et al.'s: they used marginal (WattTime) intensities of 2020 for
cloud regions, these are average intensities of other grids and years. The qualitative finding
they report holds: Flexible Start gains most for short jobs, Pause and Resume for long ones.

References
----------
.. [1] Dodge, Prewitt, Tachet des Combes, Odmark, Schwartz, Strubell, Luccioni, Smith,
   DeCario, Buchanan (2022), "Measuring the Carbon Intensity of AI in Cloud Instances", FAccT,
   Section 5 and Tables 4-5. https://arxiv.org/abs/2206.05229 (accessed 2025).
.. [2] van Herk (1992), "A fast algorithm for local minimum and maximum filters on rectangular
   and octagonal kernels", Pattern Recognition Letters 13(7); Gil and Werman (1993), IEEE PAMI
   15(5).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

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


# --------------------------------------------------------------------------------------------
# The regular grid


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


# --------------------------------------------------------------------------------------------
# Fast kernels (pure numpy / heapq)


def sliding_min(values: FloatArray, window: int) -> FloatArray:
    """Minimum of every ``window`` consecutive values (van Herk / Gil-Werman, O(n)).

    Returns an array of ``len(values) - window + 1`` minima; ``out[i] = min(values[i:i+window])``.
    """
    n = len(values)
    if window < 1 or window > n:
        raise InputError(f"window must be between 1 and {n}, got {window}")
    if window == 1:
        return values.copy()
    blocks = -(-n // window)
    padded = np.full(blocks * window, np.inf)
    padded[:n] = values
    shaped = padded.reshape(blocks, window)
    prefix = np.minimum.accumulate(shaped, axis=1).ravel()
    suffix = np.minimum.accumulate(shaped[:, ::-1], axis=1)[:, ::-1].ravel()
    count = n - window + 1
    return np.asarray(np.minimum(suffix[:count], prefix[window - 1 : window - 1 + count]), dtype=np.float64)


def window_sums(values: FloatArray, window: int) -> FloatArray:
    """Sum of every ``window`` consecutive values from one cumulative sum."""
    cumulative = np.concatenate(([0.0], np.cumsum(values)))
    return np.asarray(cumulative[window:] - cumulative[: len(cumulative) - window], dtype=np.float64)


def sliding_k_smallest_sums(values: FloatArray, window: int, k: int) -> FloatArray:
    """Sum of the ``k`` smallest of every ``window`` consecutive values.

    All ``n - window + 1`` sums at once with a wavelet matrix over the values' ranks
    (:func:`_wavelet_k_smallest_sums`, pure numpy, O(n log n)), against O(n window log window)
    for sorting each window; with numba installed (optional), a compiled Fenwick tree
    (:func:`fenwick_k_smallest_sums_kernel`) instead. Windows of at most
    :data:`SMALL_WINDOW_SLOTS` slots use one vectorised ``numpy.partition``.
    :func:`heap_k_smallest_sums` (two heaps, pure Python) is the reference the tests compare with.
    """
    n = len(values)
    if not 0 <= k <= window <= n:
        raise InputError(f"need 0 <= k <= window <= {n}, got k={k}, window={window}")
    count = n - window + 1
    if k == 0:
        return np.zeros(count)
    if k == window:
        return window_sums(values, window)
    if window <= SMALL_WINDOW_SLOTS:
        return _partition_k_smallest_sums(values, window, k)
    compiled = compiled_kernel()
    if compiled is not None:
        try:
            return _fenwick_k_smallest_sums(np.asarray(values, dtype=np.float64), window, k, compiled)
        except Exception:  # numba could not compile here: same sums from the pure kernel, for good
            _COMPILED[0] = None
    return _wavelet_k_smallest_sums(np.asarray(values, dtype=np.float64), window, k)


_COMPILED: list[Any] = []


def compiled_kernel() -> Any:
    """The Fenwick-tree kernel compiled by numba (an optional dependency), or None without numba.

    Compiled once per machine (numba's on-disk cache); the pure-numpy wavelet kernel is used
    when numba is not installed, and the tests check that the two agree.
    """
    if not _COMPILED:
        try:
            import numba  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            _COMPILED.append(None)
        else:
            _COMPILED.append(numba.njit(cache=True, nogil=True)(fenwick_k_smallest_sums_kernel))
    return _COMPILED[0]


def fenwick_k_smallest_sums_kernel(ranks: Any, sorted_values: Any, window: int, k: int) -> Any:
    """Sliding ``k``-smallest sums with a Fenwick tree over ranks (compiled by numba when present).

    ``ranks`` are distinct ranks 0..n-1 of the slots and ``sorted_values`` the values in rank
    order. Each slide removes the slot leaving the window and adds the one entering (O(log n)
    each); the ``k`` smallest are found by descending the tree's powers of two, summing the
    counts and sums of the nodes passed (O(log n)). In pure Python this is slow; it is meant to
    be compiled.
    """
    n = ranks.shape[0]
    count = n - window + 1
    size = 1
    while size * 2 <= n:
        size *= 2
    counts = np.zeros(n + 1, np.int64)
    sums = np.zeros(n + 1)
    out = np.empty(count)
    for i in range(n):
        if i >= window:
            j = ranks[i - window] + 1
            value = sorted_values[j - 1]
            while j <= n:
                counts[j] -= 1
                sums[j] -= value
                j += j & -j
        j = ranks[i] + 1
        value = sorted_values[j - 1]
        while j <= n:
            counts[j] += 1
            sums[j] += value
            j += j & -j
        if i >= window - 1:
            position = 0
            remaining = k
            total = 0.0
            step = size
            while step > 0:
                following = position + step
                if following <= n and counts[following] < remaining:
                    position = following
                    remaining -= counts[following]
                    total += sums[following]
                step //= 2
            out[i - window + 1] = total + remaining * sorted_values[position]
    return out


def _fenwick_k_smallest_sums(values: FloatArray, window: int, k: int, kernel: Any) -> FloatArray:
    """:func:`fenwick_k_smallest_sums_kernel` on ``values`` (centred, as the wavelet kernel)."""
    n = len(values)
    by_rank = np.argsort(values, kind="stable")
    center = float(values[by_rank[n // 2]])
    ranks = np.empty(n, dtype=np.int64)
    ranks[by_rank] = np.arange(n, dtype=np.int64)
    sums: FloatArray = kernel(ranks, values[by_rank] - center, window, k)
    return sums + k * center


def _wavelet_k_smallest_sums(values: FloatArray, window: int, k: int) -> FloatArray:
    """Sliding ``k``-smallest sums by a wavelet matrix, every window at once (pure numpy).

    Notes
    -----
    Each value is replaced by its rank (ties broken by position, so ranks are distinct). Level
    ``b`` of the matrix orders the slots stably by the bits of their rank above ``b`` and keeps,
    for that order, the running count of slots whose bit ``b`` is 0 and the running sum of their
    values. For a window ``[l, r)`` and ``k`` still wanted, the slots with bit 0 are the smaller
    half: if at least ``k`` of them lie in the window, descend into them; else add all of their
    values, take ``k - zeros`` from the others and descend there. After the last bit the range
    holds one rank, added ``k`` times (0 or 1). Every window descends together, so the cost is
    O(n) numpy work per level and ``ceil(log2 n)`` levels, O(n) memory (one level at a time).
    Sums come from differences of running sums of the values less their median, so rounding
    stays near ``sqrt(n)`` ulps of a window sum (1e-12 relative on a year at 5 minutes).

    References
    ----------
    .. [1] Claude, Navarro (2012), "The Wavelet Matrix", SPIRE, LNCS 7608, 167-179.
       https://doi.org/10.1007/978-3-642-34109-0_18
    """
    n = len(values)
    count = n - window + 1
    index: Any = np.int32 if n < 2**31 - 1 else np.int64
    by_rank = np.argsort(values, kind="stable")
    center = float(values[by_rank[n // 2]])
    sorted_values = values[by_rank] - center  # centred: small running sums, small rounding
    order: Any = np.empty(n, dtype=index)  # the rank of each slot, in the order of the current level
    order[by_rank] = np.arange(n, dtype=index)
    slots = np.arange(n, dtype=index)
    levels = max(1, int(n - 1).bit_length())
    low: Any = np.arange(count, dtype=index)
    high: Any = low + index(window)
    wanted: Any = np.full(count, k, dtype=index)
    total: FloatArray = np.zeros(count)
    zeros_before: Any = np.zeros(n + 1, dtype=index)
    sums_before = np.zeros(n + 1)
    for level in range(levels - 1, -1, -1):
        is_zero = (order & index(1 << level)) == 0
        np.cumsum(is_zero, dtype=index, out=zeros_before[1:])
        np.cumsum(sorted_values[order] * is_zero, out=sums_before[1:])
        all_zeros = zeros_before[-1]
        zeros_low = zeros_before[low]
        zeros_high = zeros_before[high]
        zeros = zeros_high - zeros_low
        right = wanted > zeros
        total += (sums_before[high] - sums_before[low]) * right
        wanted -= zeros * right
        low = np.where(right, all_zeros + low - zeros_low, zeros_low)
        high = np.where(right, all_zeros + high - zeros_high, zeros_high)
        before = zeros_before[:-1]  # stable partition: zeros first, then ones, each in order
        position = np.where(is_zero, before, all_zeros + slots - before)
        moved = np.empty_like(order)
        moved[position] = order
        order = moved
    total += wanted * sorted_values[order[np.minimum(low, n - 1)]]
    return total + k * center


def heap_k_smallest_sums(values: FloatArray, window: int, k: int) -> FloatArray:
    """Sum of the ``k`` smallest of every ``window`` consecutive values with two heaps (pure
    Python, the reference of :func:`sliding_k_smallest_sums`).

    Two heaps hold the ``k`` smallest (max-heap) and the rest (min-heap) of the current window;
    elements leaving the window are deleted lazily when they reach a heap's top. Each slide costs
    O(log window), so all ``n - window + 1`` sums cost O(n log window).
    """
    n = len(values)
    if not 0 < k < window <= n:
        raise InputError(f"need 0 < k < window <= {n}, got k={k}, window={window}")
    count = n - window + 1
    xs: list[float] = values.tolist()
    out = np.empty(count)
    order = sorted(range(window), key=lambda j: (xs[j], j))
    in_low = bytearray(n)
    low: list[tuple[float, int]] = [(-xs[j], -j) for j in order[:k]]
    high: list[tuple[float, int]] = [(xs[j], j) for j in order[k:]]
    heapq.heapify(low)
    heapq.heapify(high)
    for j in order[:k]:
        in_low[j] = 1
    low_sum = math.fsum(xs[j] for j in order[:k])
    low_size = k
    out[0] = low_sum
    push, pop = heapq.heappush, heapq.heappop
    for i in range(1, count):
        old = i - 1
        if in_low[old]:
            low_sum -= xs[old]
            low_size -= 1
        new = i + window - 1
        x = xs[new]
        while low and -low[0][1] < i:
            pop(low)
        if low and (x < -low[0][0] or (x == -low[0][0] and new < -low[0][1])):
            push(low, (-x, -new))
            in_low[new] = 1
            low_sum += x
            low_size += 1
        else:
            push(high, (x, new))
        if low_size > k:
            while -low[0][1] < i:
                pop(low)
            value, negative_index = pop(low)
            moved = -negative_index
            in_low[moved] = 0
            low_sum += value
            low_size -= 1
            push(high, (-value, moved))
        elif low_size < k:
            while high[0][1] < i:
                pop(high)
            value, moved = pop(high)
            in_low[moved] = 1
            low_sum += value
            low_size += 1
            push(low, (-value, -moved))
        if i % 4096 == 0:  # bound floating-point drift of the running sum
            low_sum = math.fsum(xs[j] for j in range(i, i + window) if in_low[j])
        out[i] = low_sum
    return out


def _partition_k_smallest_sums(values: FloatArray, window: int, k: int) -> FloatArray:
    """Small windows: ``numpy.partition`` of every window at once, in chunks (O(n window) in C)."""
    views = np.lib.stride_tricks.sliding_window_view(values, window)
    rows = max(1, (1 << 22) // window)
    out = np.empty(len(views))
    for first in range(0, len(views), rows):
        block = np.partition(views[first : first + rows], k - 1, axis=1)
        out[first : first + rows] = block[:, :k].sum(axis=1)
    return out


def constrained_window(
    intensity: FloatArray, k: int, min_chunk_slots: int = 1, max_pauses: int | None = None
) -> tuple[float, BoolArray]:
    """Cleanest ``k`` slots of one window in chunks of at least ``min_chunk_slots``, at most
    ``max_pauses`` pauses; exact dynamic programme (module Notes).

    Returns
    -------
    (sum of the chosen intensities [gCO2e/kWh x slots], mask of chosen slots)
    """
    width = len(intensity)
    if not 0 < k <= width:
        raise InputError(f"need 0 < k <= {width} slots, got {k}")
    chunk = max(1, min(int(min_chunk_slots), k))
    limited = max_pauses is not None
    runs = (int(max_pauses) + 1) if max_pauses is not None else 0
    layers = runs + 1
    if (width + 1) * layers * (k + 1) > MAX_DP_STATES:
        raise InputError(
            f"Pause and Resume with constraints over {width} slots is too large to solve exactly "
            f"({(width + 1) * layers * (k + 1):,} states, at most {MAX_DP_STATES:,}); use a coarser series"
        )
    increment = 1 if limited else 0
    cumulative = np.concatenate(([0.0], np.cumsum(intensity)))
    inf = np.inf
    idle_history = np.full((chunk + 1, layers, k + 1), inf)
    idle_history[0, 0, 0] = 0.0
    run_previous = np.full((layers, k + 1), inf)
    from_run = np.zeros((width + 1, layers, k + 1), dtype=bool)
    started = np.zeros((width + 1, layers, k + 1), dtype=bool)
    for i in range(1, width + 1):
        idle_previous = idle_history[(i - 1) % (chunk + 1)]
        extend = np.full((layers, k + 1), inf)
        extend[:, 1:] = run_previous[:, :-1] + intensity[i - 1]
        begin = np.full((layers, k + 1), inf)
        if i >= chunk:
            source = idle_history[(i - chunk) % (chunk + 1)]
            cost = cumulative[i] - cumulative[i - chunk]
            begin[increment:, chunk:] = source[: layers - increment, : k + 1 - chunk] + cost
        run_now = np.minimum(extend, begin)
        started[i] = begin < extend
        idle_now = np.minimum(idle_previous, run_previous)
        from_run[i] = run_previous < idle_previous
        idle_history[i % (chunk + 1)] = idle_now
        run_previous = run_now
    idle_last = idle_history[width % (chunk + 1)]
    best_idle = idle_last[:, k]
    best_run = run_previous[:, k]
    if np.isinf(min(best_idle.min(), best_run.min())):
        raise InputError("no schedule satisfies the minimum chunk and pause limits in this window")
    if best_run.min() <= best_idle.min():
        layer, running = int(np.argmin(best_run)), True
    else:
        layer, running = int(np.argmin(best_idle)), False
    chosen = np.zeros(width, dtype=bool)
    i, used = width, k
    while i > 0:
        if running:
            if started[i, layer, used]:
                chosen[i - chunk : i] = True
                i, used, layer, running = i - chunk, used - chunk, layer - increment, False
            else:
                chosen[i - 1] = True
                i, used = i - 1, used - 1
        else:
            running = bool(from_run[i, layer, used])
            i -= 1
    return float(intensity[chosen].sum()), chosen


# --------------------------------------------------------------------------------------------
# One job


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
        "savings_fraction": result.savings_fraction,
        "best_start": result.best_start.isoformat(),
        "schedule": [[a.isoformat(), b.isoformat()] for a, b in result.schedule],
        "pauses": result.pauses,
        "pauses_per_hour": result.pauses_per_hour,
        "slot_minutes": result.slot_minutes,
        "filled_slots": result.filled_slots,
    }


# --------------------------------------------------------------------------------------------
# Every t0 of a series


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


# --------------------------------------------------------------------------------------------
# Profiles for a page


def _time_weighted(series: pd.Series, gaps: GapPolicy) -> pd.Series:
    grid = to_grid(series, gaps)
    return pd.Series(grid.intensity_g_per_kwh, index=grid.times(np.arange(len(grid.intensity_g_per_kwh))))


def daily_profile(series: pd.Series, timezone: str = "UTC", gaps: GapPolicy = "refuse") -> pd.DataFrame:
    """Intensity by hour of day [gCO2e/kWh], time-weighted.

    Parameters
    ----------
    series : pandas.Series
        Intensity [gCO2e/kWh], time-zone-aware index.
    timezone : str
        IANA zone in which hours of day are counted (DST applied), default UTC.

    Returns
    -------
    pandas.DataFrame
        Index ``hour`` 0-23; columns ``mean_g_per_kwh``, ``p10_g_per_kwh``, ``p90_g_per_kwh``.
    """
    weighted = _time_weighted(series, gaps)
    try:
        local = weighted.tz_convert(timezone)
    except (KeyError, ValueError) as error:  # zoneinfo raises a KeyError subclass
        raise InputError(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris") from error
    hours = pd.Index(pd.DatetimeIndex(local.index).hour, name="hour")
    groups = local.groupby(hours)
    return pd.DataFrame(
        {
            "mean_g_per_kwh": groups.mean(),
            "p10_g_per_kwh": groups.quantile(0.1),
            "p90_g_per_kwh": groups.quantile(0.9),
        }
    )


def monthly_profile(series: pd.Series, timezone: str = "UTC", gaps: GapPolicy = "refuse") -> pd.DataFrame:
    """Intensity by calendar month [gCO2e/kWh], time-weighted.

    Returns
    -------
    pandas.DataFrame
        Index ``month`` 1-12; columns ``mean_g_per_kwh``, ``min_g_per_kwh``, ``max_g_per_kwh``.
    """
    weighted = _time_weighted(series, gaps)
    try:
        local = weighted.tz_convert(timezone)
    except (KeyError, ValueError) as error:
        raise InputError(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris") from error
    months = pd.Index(pd.DatetimeIndex(local.index).month, name="month")
    groups = local.groupby(months)
    return pd.DataFrame(
        {"mean_g_per_kwh": groups.mean(), "min_g_per_kwh": groups.min(), "max_g_per_kwh": groups.max()}
    )


# --------------------------------------------------------------------------------------------
# The next hours, from the series' typical profile

MAX_PLAN_HOURS = 168
"""Longest look-ahead of :func:`plan_next_hours` [h] (one week)."""

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class NextHoursPlan:
    """When to start a job in the next hours, from the series' typical days.

    Parameters
    ----------
    timezone : str
        IANA zone of every local time below.
    now : pandas.Timestamp
        The first whole hour the job may start at (local time).
    duration_h, within_h : float
        Job length and look-ahead window: the job runs and finishes within ``within_h`` hours
        after ``now`` [h].
    best_start, best_end : pandas.Timestamp
        The cleanest start and its end (local time).
    start_now_co2e_kg, best_co2e_kg : float
        Expected emissions started at ``now`` and at ``best_start`` [kg CO2e].
    savings_fraction : float
        ``(start_now - best) / start_now`` [-].
    forecast : pandas.DataFrame
        One row per hour of the window: ``time`` (local), ``intensity_g_per_kwh`` (typical value
        for that month, day type and local hour), ``month``, ``day_type``, ``profile_year``.
    basis : str
        What the typical values are, said plainly, e.g. ``"a typical June weekday of 2022"``.
    """

    timezone: str
    now: pd.Timestamp
    duration_h: float
    within_h: float
    power_kw: float
    best_start: pd.Timestamp
    best_end: pd.Timestamp
    start_now_co2e_kg: float
    best_co2e_kg: float
    savings_fraction: float
    forecast: pd.DataFrame
    basis: str


def _local(series: pd.Series, timezone: str, gaps: GapPolicy) -> pd.Series:
    weighted = _time_weighted(series, gaps)
    try:
        return weighted.tz_convert(timezone)
    except (KeyError, ValueError) as error:  # zoneinfo raises a KeyError subclass
        raise InputError(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris") from error


def day_type(weekday: int) -> str:
    """``"weekday"`` for Monday-Friday (0-4), ``"weekend day"`` for Saturday and Sunday."""
    return "weekday" if weekday < 5 else "weekend day"


def typical_days(series: pd.Series, timezone: str = "UTC", gaps: GapPolicy = "refuse") -> pd.DataFrame:
    """Mean intensity [gCO2e/kWh] by year, month, day type and local hour, time-weighted.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``month``, ``day_type`` ("weekday" or "weekend day"), ``hour`` (local,
        0-23) and ``intensity_g_per_kwh``.
    """
    local = _local(series, timezone, gaps)
    index = pd.DatetimeIndex(local.index)
    keys = pd.DataFrame(
        {
            "year": index.year,
            "month": index.month,
            "day_type": [day_type(d) for d in index.day_of_week],
            "hour": index.hour,
            "intensity_g_per_kwh": local.to_numpy(dtype=float),
        }
    )
    means = keys.groupby(["year", "month", "day_type", "hour"])["intensity_g_per_kwh"].mean()
    return means.reset_index()


def nearest_year(years: Iterable[int], year: int) -> int:
    """The year of ``years`` closest to ``year`` (the later one on a tie)."""
    choices = sorted(set(years))
    if not choices:
        raise InputError("the series has no data")
    return min(choices, key=lambda y: (abs(y - year), -y))


def plan_next_hours(
    series: pd.Series,
    now: pd.Timestamp | str,
    duration_h: int,
    within_h: int,
    timezone: str = "UTC",
    power_kw: float = DEFAULT_POWER_KW,
    gaps: GapPolicy = "refuse",
) -> NextHoursPlan:
    """The cleanest start for a job of ``duration_h`` hours that must finish in the next
    ``within_h`` hours, from the series' typical profile (not a forecast).

    Parameters
    ----------
    series : pandas.Series
        Historical intensity [gCO2e/kWh], time-zone-aware index.
    now : pandas.Timestamp or str
        The current time; a naive value is local time in ``timezone``. The job starts at whole
        local hours from the next one (``now`` itself when it is a whole hour).
    duration_h, within_h : int
        Job length and look-ahead [h], whole hours, ``1 <= duration_h <= within_h <= 168``.
    timezone : str
        IANA zone of the user: hours of day, days and months are counted there.
    power_kw : float
        Constant draw of the job [kW].

    Returns
    -------
    NextHoursPlan

    Notes
    -----
    Each hour ``h`` of the window gets the mean intensity of the series over every hour with the
    same local hour of day, the same calendar month and the same day type (Monday-Friday or
    Saturday-Sunday) in the series year nearest to ``h``'s own year that has that month (one with
    every local hour of it for a day type, where there is one: not the few hours of a month that a
    series' first or last day puts there in some time zones). The best
    start is then :func:`flexible_start` over this typical window with flexibility
    ``within_h - duration_h``. Typical days smooth out the weather of any one day: the answer
    says when the grid is usually cleaner, which is what a historical series can tell about
    tomorrow; a forecast (e.g. Electricity Maps, WattTime) answers for the actual day.
    """
    if not (isinstance(duration_h, int | np.integer) and isinstance(within_h, int | np.integer)):
        raise InputError("job length and look-ahead must be whole hours")
    if not 1 <= duration_h <= within_h <= MAX_PLAN_HOURS:
        raise InputError(
            f"need 1 <= job length ({duration_h} h) <= look-ahead ({within_h} h) <= {MAX_PLAN_HOURS} h"
        )
    power_kw = _check_power(power_kw)
    typical = typical_days(series, timezone, gaps)
    stamp = pd.Timestamp(now)
    stamp = stamp.tz_localize(timezone) if stamp.tzinfo is None else stamp.tz_convert(timezone)
    first = stamp.ceil("h")
    times_utc = pd.date_range(first.tz_convert("UTC"), periods=int(within_h), freq="h")
    local = times_utc.tz_convert(timezone)
    lookup = typical.set_index(["year", "month", "day_type", "hour"])["intensity_g_per_kwh"]
    years_by_month = typical.groupby("month")["year"].unique()
    # A year whose month has every local hour for a day type; a few hours of a month at an end of
    # the series (a UTC year seen from Tokyo has nine hours of the next January) are not one.
    # typical_days has one row per (year, month, day type, hour): a group's size is its hours.
    hours = typical.groupby(["year", "month", "day_type"]).size()
    complete = hours[hours == units.HOURS_PER_DAY].reset_index()
    whole = {(int(y), int(m)) for y, m in zip(complete["year"], complete["month"], strict=True)}
    rows = []
    for moment in local:
        month = int(moment.month)
        if month not in years_by_month.index:
            raise InputError(f"the series has no data for {MONTH_NAMES[month - 1]}")
        years = [int(y) for y in years_by_month[month]]
        year = nearest_year([y for y in years if (y, month) in whole] or years, int(moment.year))
        kind = day_type(int(moment.day_of_week))
        key = (year, month, kind, int(moment.hour))
        if key not in lookup.index:
            other = "weekend day" if kind == "weekday" else "weekday"
            key = (year, month, other, int(moment.hour))
        if key not in lookup.index:
            raise InputError(f"the series has no {MONTH_NAMES[month - 1]} {year} value at {moment.hour}:00")
        rows.append((moment, float(lookup[key]), month, key[2], year))
    forecast = pd.DataFrame(
        rows, columns=["time", "intensity_g_per_kwh", "month", "day_type", "profile_year"]
    )
    window = pd.Series(forecast["intensity_g_per_kwh"].to_numpy(), index=times_utc)
    result = flexible_start(window, float(duration_h), float(within_h - duration_h), times_utc[0], power_kw)
    best_start = result.best_start.tz_convert(timezone)
    kinds = sorted(
        {
            (int(m), str(k), int(y))
            for m, k, y in zip(forecast["month"], forecast["day_type"], forecast["profile_year"], strict=True)
        }
    )
    parts = [f"{MONTH_NAMES[m - 1]} {k}" for m, k, _ in kinds]
    years_used = sorted({y for _, _, y in kinds})
    basis = (
        ("a typical " if len(parts) == 1 else "typical ")
        + (
            parts[0]
            if len(parts) == 1
            else ", ".join(p + "s" for p in parts[:-1]) + " and " + parts[-1] + "s"
        )
        + " of "
        + " and ".join(str(y) for y in years_used)
    )
    return NextHoursPlan(
        timezone=timezone,
        now=first,
        duration_h=float(duration_h),
        within_h=float(within_h),
        power_kw=power_kw,
        best_start=best_start,
        best_end=best_start + pd.Timedelta(hours=duration_h),
        start_now_co2e_kg=result.baseline_co2e_kg,
        best_co2e_kg=result.shifted_co2e_kg,
        savings_fraction=result.savings_fraction,
        forecast=forecast,
        basis=basis,
    )
