"""Throughput of the vectorised batch engine against a per-row loop and CodeCarbon's own function.

Run: ``.venv/bin/python bench/batch.py [--rows 1000000] [--loop-rows 20000] [--db-dir DIR]``.
The per-row loop (jobspec.resolve + footprint.estimate per row) is timed on ``--loop-rows`` rows
and scaled linearly to ``--rows``; the ratio says so. CodeCarbon's offline per-country function
is timed on the same (energy, country) pairs when codecarbon is importable, else skipped.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.db.loader import load_databases
from app.engine import batch
from app.engine.footprint import estimate
from app.engine.jobspec import JobSpec, resolve


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--loop-rows", type=int, default=20_000)
    parser.add_argument("--db-dir", default=None)
    args = parser.parse_args()
    databases = load_databases(args.db_dir)
    tables = batch.build_tables(databases)
    hardware = sorted(databases.hardware.devices)[:20]
    regions = [r for r in sorted(databases.regions.regions) if databases.regions.intensity_series(r)][:50]
    jobs = make_jobs(args.rows, hardware, regions)

    started = time.perf_counter()
    results = batch.estimate_frame(jobs, tables)
    vector_s = time.perf_counter() - started
    assert (results["error"] == "").all()
    vector_rate = args.rows / vector_s
    print(f"vectorised estimate_frame: {args.rows:,} rows in {vector_s:.2f} s = {vector_rate:,.0f} rows/s")

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
