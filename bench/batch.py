"""Throughput of the batch engine against its limits and baselines, all in one run.

Run: ``.venv/bin/python bench/batch.py [--rows 1000000] [--loop-rows 20000] [--db-dir DIR]``.

- ``estimate_frame`` (the fast path: only present columns, text factorized once, lookups per
  distinct value, suspect rows through full validation), best of ``--repeat`` runs;
- ``estimate_frame_full`` (full validation of every row, the reference path);
- the numpy limit: factorize the two text columns, gather TDP, intensity and PUE per distinct
  value and multiply (no validation at all), on the same frame;
- the per-row loop (jobspec.resolve + footprint.estimate per row), timed on ``--loop-rows`` rows
  and scaled linearly to ``--rows`` (the output says so);
- CodeCarbon's offline per-country function on the same (energy, country) pairs when codecarbon
  is importable, else skipped.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wattprint.db.loader import load_databases
from wattprint.engine import batch
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import JobSpec, resolve


def make_jobs(rows: int, hardware: list[str], regions: list[str], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "hardware": pd.Series(rng.choice(hardware, rows), dtype="str"),
            "count": rng.integers(1, 64, rows).astype(float),
            "hours": rng.uniform(0.1, 200, rows),
            "utilization": rng.uniform(0.3, 1.0, rows),
            "region": pd.Series(rng.choice(regions, rows), dtype="str"),
        }
    )


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The shortest of ``repeat`` timed runs [s]."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def numpy_limit(jobs: pd.DataFrame, tables: batch.BatchTables) -> np.ndarray:
    """CO2e [kg] of each job by factorize + gather + multiply only: the floor of any batch engine."""
    hardware_codes, hardware = pd.factorize(jobs["hardware"])
    region_codes, regions = pd.factorize(jobs["region"])
    tdp = np.array([tables.hardware_tdp[str(h).lower()] for h in hardware])
    ids = [tables.region_names[str(r).lower()] for r in regions]
    intensity = np.array([tables.region_latest[i][0] for i in ids])
    pue = np.array([tables.region_latest[i][1] for i in ids])
    pue = np.where(np.isnan(pue), 1.56, pue)
    energy_kwh = (
        (
            tdp[hardware_codes]
            * jobs["utilization"].to_numpy()
            * jobs["count"].to_numpy()
            * jobs["hours"].to_numpy()
        )
        / 1000
        * pue[region_codes]
    )
    co2e_kg: np.ndarray = energy_kwh * intensity[region_codes] / 1000
    return co2e_kg


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--loop-rows", type=int, default=20_000)
    parser.add_argument("--db-dir", default=None)
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs of each vectorised path (best kept)"
    )
    args = parser.parse_args()
    databases = load_databases(args.db_dir)
    tables = batch.build_tables(databases)
    hardware = sorted(databases.hardware.devices)[:20]
    regions = [r for r in sorted(databases.regions.regions) if databases.regions.intensity_series(r)][:50]
    jobs = make_jobs(args.rows, hardware, regions)

    batch.estimate_frame(jobs.head(1_000), tables)  # warm-up
    vector_s = best_of(args.repeat, lambda: batch.estimate_frame(jobs, tables))
    results = batch.estimate_frame(jobs, tables)
    assert (results["error"] == "").all()
    vector_rate = args.rows / vector_s
    print(f"estimate_frame: {args.rows:,} rows in {vector_s:.3f} s = {vector_rate / 1e6:.1f} M jobs/s")
    full_s = best_of(args.repeat, lambda: batch.estimate_frame_full(jobs, tables))
    full = batch.estimate_frame_full(jobs, tables)
    pd.testing.assert_frame_equal(results, full, check_exact=True)
    print(
        f"estimate_frame_full (every row validated): {full_s:.3f} s = "
        f"{args.rows / full_s / 1e6:.1f} M jobs/s; "
        f"fast path {full_s / vector_s:.1f}x faster, identical output"
    )
    limit_s = best_of(args.repeat, lambda: numpy_limit(jobs, tables))
    print(
        f"numpy limit (factorize + gather + multiply, no checks): {limit_s:.3f} s = "
        f"{args.rows / limit_s / 1e6:.1f} M jobs/s; estimate_frame at {limit_s / vector_s:.0%} of it"
    )

    sample = jobs.head(args.loop_rows)
    started = time.perf_counter()
    for row in sample.itertuples(index=False):
        spec = JobSpec(
            hardware=row.hardware,
            count=row.count,
            hours=row.hours,
            utilization=row.utilization,
            region=row.region,
        )
        estimate(resolve(spec, databases))
    loop_s = time.perf_counter() - started
    loop_rate = args.loop_rows / loop_s
    print(
        f"per-row loop (resolve + estimate): {args.loop_rows:,} rows in {loop_s:.2f} s = "
        f"{loop_rate:,.0f} rows/s; "
        f"scaled to {args.rows:,} rows: {args.rows / loop_rate:.1f} s"
    )
    print(f"ratio vectorised / per-row loop: {vector_rate / loop_rate:,.0f}x")

    try:
        from codecarbon.core.emissions import Emissions  # type: ignore[import-not-found]
        from codecarbon.core.units import Energy  # type: ignore[import-not-found]
        from codecarbon.external.geography import GeoMetadata  # type: ignore[import-not-found]
        from codecarbon.input import DataSource  # type: ignore[import-not-found]
    except ImportError:
        print("codecarbon: not importable, comparison skipped (not a requirement of wattprint)")
        return 0
    emissions = Emissions(DataSource())
    energy_kwh = results["energy_kwh"].head(args.loop_rows).to_numpy()
    countries = ["FRA", "USA", "DEU", "CAN", "CHE"]
    started = time.perf_counter()
    for index, value in enumerate(energy_kwh):
        geo = GeoMetadata(country_iso_code=countries[index % len(countries)])
        emissions.get_country_emissions(Energy.from_energy(kWh=float(value)), geo)
    cc_s = time.perf_counter() - started
    cc_rate = len(energy_kwh) / cc_s
    print(
        f"codecarbon get_country_emissions: {len(energy_kwh):,} rows in {cc_s:.2f} s = {cc_rate:,.0f} rows/s"
    )
    print(f"ratio vectorised / codecarbon: {vector_rate / cc_rate:,.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
