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

from wattprint.engine.timeshift.grid import (
    DEFAULT_POWER_KW,
    DODGE_FLEX_FRACTIONS,
    MAX_DP_STATES,
    MAX_GRID_SLOTS,
    MAX_WINDOW_H,
    METHODS,
    REGULAR_CADENCE_SHARE,
    SMALL_WINDOW_SLOTS,
    SUMMARY_PERCENTILES,
    TABLE_DURATIONS_H,
    BoolArray,
    FloatArray,
    GapPolicy,
    IntArray,
    Method,
    SlotGrid,
    _gap_mask,
    _seconds,
    _utc_index,
    to_grid,
)
from wattprint.engine.timeshift.kernels import (
    _COMPILED,
    _fenwick_k_smallest_sums,
    _partition_k_smallest_sums,
    _wavelet_k_smallest_sums,
    compiled_kernel,
    constrained_window,
    fenwick_k_smallest_sums_kernel,
    heap_k_smallest_sums,
    sliding_k_smallest_sums,
    sliding_min,
    window_sums,
)
from wattprint.engine.timeshift.methods import (
    ShiftResult,
    _as_utc,
    _check_power,
    _co2e_kg,
    _result,
    _runs,
    _Window,
    _window,
    flexible_start,
    pause_and_resume,
    savings,
    shift,
    shift_to_dict,
)
from wattprint.engine.timeshift.planning import (
    MAX_PLAN_HOURS,
    MONTH_NAMES,
    NextHoursPlan,
    _local,
    day_type,
    nearest_year,
    plan_next_hours,
    typical_days,
)
from wattprint.engine.timeshift.profiles import (
    _time_weighted,
    daily_profile,
    monthly_profile,
)
from wattprint.engine.timeshift.savings import (
    SavingsDistribution,
    savings_distribution,
    savings_grid,
    savings_table,
)

__all__ = [
    "DEFAULT_POWER_KW",
    "DODGE_FLEX_FRACTIONS",
    "MAX_DP_STATES",
    "MAX_GRID_SLOTS",
    "MAX_PLAN_HOURS",
    "MAX_WINDOW_H",
    "METHODS",
    "MONTH_NAMES",
    "REGULAR_CADENCE_SHARE",
    "SMALL_WINDOW_SLOTS",
    "SUMMARY_PERCENTILES",
    "TABLE_DURATIONS_H",
    "_COMPILED",
    "BoolArray",
    "FloatArray",
    "GapPolicy",
    "IntArray",
    "Method",
    "NextHoursPlan",
    "SavingsDistribution",
    "ShiftResult",
    "SlotGrid",
    "_Window",
    "_as_utc",
    "_check_power",
    "_co2e_kg",
    "_fenwick_k_smallest_sums",
    "_gap_mask",
    "_local",
    "_partition_k_smallest_sums",
    "_result",
    "_runs",
    "_seconds",
    "_time_weighted",
    "_utc_index",
    "_wavelet_k_smallest_sums",
    "_window",
    "compiled_kernel",
    "constrained_window",
    "daily_profile",
    "day_type",
    "fenwick_k_smallest_sums_kernel",
    "flexible_start",
    "heap_k_smallest_sums",
    "monthly_profile",
    "nearest_year",
    "pause_and_resume",
    "plan_next_hours",
    "savings",
    "savings_distribution",
    "savings_grid",
    "savings_table",
    "shift",
    "shift_to_dict",
    "sliding_k_smallest_sums",
    "sliding_min",
    "to_grid",
    "typical_days",
    "window_sums",
]
