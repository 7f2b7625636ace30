"""Benchmark: Flexible Start and Pause and Resume over every t0 of a year at 5-minute resolution.

Compares the engine's algorithms (cumulative sums + van Herk/Gil-Werman sliding minimum; sliding
k-smallest sum by a wavelet matrix, and the two-heap reference kernel) against a naive baseline
measured in the same run: for each t0, recompute every candidate window sum (Flexible Start) or
sort the window from scratch (Pause and Resume). The naive baseline runs on an evenly spaced
sample of t0s until a time budget is spent and its time is scaled linearly to all t0s (stated in
the output); its results are checked against ours on the sampled t0s.

The 5-minute year (105,120 slots) is the bundled hourly CAISO 2022 series linearly interpolated
in time to 5 minutes (synthetic, for timing only).

    .venv/bin/python bench/timeshift.py            # timings (about a minute on 2 cores)
    .venv/bin/python bench/timeshift.py --table    # also the savings table over the bundled series
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wattprint.db.series import load_profile  # noqa: E402
from wattprint.engine import timeshift as ts  # noqa: E402

PROFILES = ROOT / "region_db" / "profiles"
NAIVE_BUDGET_S = 4.0
"""Seconds the naive baseline may spend per case before its time is extrapolated."""


def five_minute_year() -> pd.Series:
    hourly = load_profile(PROFILES / "eia-ciso-2022.csv.gz")
    index = pd.date_range(hourly.index[0], periods=len(hourly) * 12, freq="5min")
    hours = (index - hourly.index[0]).total_seconds().to_numpy() / 3600.0
    values = np.interp(hours, np.arange(len(hourly), dtype=float), hourly.to_numpy())
    return pd.Series(values, index=index, name="intensity_g_per_kwh")


def naive_flexible_start(values: np.ndarray, t0: int, k: int, f: int) -> float:
    window = values[t0 : t0 + k + f]
    return float(np.lib.stride_tricks.sliding_window_view(window, k).sum(axis=1).min())


def naive_pause_resume(values: np.ndarray, t0: int, k: int, f: int) -> float:
    return float(np.sort(values[t0 : t0 + k + f])[:k].sum())


def run_naive(
    method: str, values: np.ndarray, k: int, f: int
) -> tuple[float, int, int, np.ndarray, np.ndarray]:
    """(estimated seconds for all t0, t0 count, sampled count, sampled t0s, results)."""
    total = len(values) - k - f + 1
    one = naive_flexible_start if method == "flexible-start" else naive_pause_resume
    # time a small pilot to pick an even stride that fits the budget
    pilot = np.linspace(0, total - 1, 20).astype(int)
    started = time.perf_counter()
    for t0 in pilot:
        one(values, int(t0), k, f)
    per_t0 = (time.perf_counter() - started) / len(pilot)
    stride = max(1, int(np.ceil(total * per_t0 / NAIVE_BUDGET_S)))
    sample = np.arange(0, total, stride)
    started = time.perf_counter()
    results = np.array([one(values, int(t0), k, f) for t0 in sample])
    elapsed = time.perf_counter() - started
    return elapsed * total / len(sample), total, len(sample), sample, results


def bench() -> None:
    series = five_minute_year()
    grid = ts.to_grid(series)
    values = grid.intensity_g_per_kwh
    print(
        f"series: CAISO 2022 hourly interpolated to 5 min, {len(values):,} slots; flexibility F = +100% of D"
    )
    kernel = (
        "numba Fenwick tree (compiled, optional)" if ts.compiled_kernel() else "wavelet matrix (pure numpy)"
    )
    ts.sliding_k_smallest_sums(values[:400], ts.SMALL_WINDOW_SLOTS + 10, 30)  # warm-up (compiles once)
    print(f"Pause and Resume kernel for windows over {ts.SMALL_WINDOW_SLOTS} slots: {kernel}")
    header = f"{'method':<15} {'job':>6} {'flex':>6} {'t0s':>8} {'ours [s]':>9} {'naive [s]':>10}"
    print(f"{header} {'ratio':>8}  naive")
    for duration_h in (1.0, 24.0, 168.0):
        k = int(duration_h * 12)
        f = k
        for method in ts.METHODS:
            started = time.perf_counter()
            dist = ts.savings_distribution(grid, method, duration_h, duration_h)  # type: ignore[arg-type]
            ours = time.perf_counter() - started
            naive_s, total, sampled, sample, naive = run_naive(method, values, k, f)
            fast_sums = dist.shifted_co2e_kg[sample] * 1000 / grid.step_h  # back to g/kWh x slots
            error = float(np.max(np.abs(fast_sums - naive) / np.maximum(naive, 1.0)))
            if error > 1e-9:
                raise SystemExit(f"MISMATCH {method} {duration_h} h: relative error {error:g}")
            how = (
                "measured" if sampled == total else f"{sampled:,} sampled t0s, scaled x{total / sampled:.0f}"
            )
            print(
                f"{method:<15} {duration_h:>5g}h {duration_h:>5g}h {total:>8,} {ours:>9.3f} {naive_s:>10.1f} "
                f"{naive_s / ours:>7.0f}x  {how}; mean savings {dist.mean * 100:.1f}%"
            )
            if method == "pause-resume" and k + f > ts.SMALL_WINDOW_SLOTS:
                started = time.perf_counter()
                ts.heap_k_smallest_sums(values, k + f, k)
                heaps_s = time.perf_counter() - started
                print(
                    f"{'  two heaps':<15} {'':>6} {'':>6} {'':>8} {heaps_s:>9.3f} {naive_s:>10.1f} "
                    f"{naive_s / heaps_s:>7.0f}x  the pure-Python reference kernel, same windows"
                )


def table() -> None:
    # The 12 older average series, as docs/timeshift.md's table states; never the AVERT marginal
    # series (another basis) and not the 122 Electricity Maps zone-years (tools/dodge_by_zone.py).
    series_by_name = {
        path.name.removesuffix(".csv.gz"): load_profile(path)
        for path in sorted(PROFILES.glob("*.csv.gz"))
        if not path.name.startswith(("em-", "avert-"))
    }
    started = time.perf_counter()
    relative = ts.savings_table(series_by_name)
    fixed = ts.savings_table(series_by_name, flex_fractions=None, flex_hours=(6.0, 12.0, 18.0, 24.0))
    print(
        f"\nMean savings [%] over every t0, averaged over {len(series_by_name)} bundled series "
        f"({time.perf_counter() - started:.1f} s); average intensity, not Dodge et al.'s marginal:"
    )
    print(relative.round(1).to_string())
    print()
    print(fixed.round(1).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--table", action="store_true", help="also print the savings table (about 30 s)")
    args = parser.parse_args()
    bench()
    if args.table:
        table()


if __name__ == "__main__":
    main()
