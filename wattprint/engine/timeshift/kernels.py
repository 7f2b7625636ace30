"""Time shifting: fast kernels (pure numpy / heapq) (see :mod:`wattprint.engine.timeshift`)."""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np

from wattprint.engine.timeshift.grid import (
    MAX_DP_STATES,
    SMALL_WINDOW_SLOTS,
    BoolArray,
    FloatArray,
)
from wattprint.errors import InputError


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
