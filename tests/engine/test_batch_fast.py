"""The fast path of estimate_frame equals the full validation of every row, on random frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import MINI_DB
from wattprint.db.loader import load_databases
from wattprint.engine import batch

HARDWARE = ["nvidia-h100-sxm5-80gb", " nvidia-v100-sxm2-16gb ", "NVIDIA-H100-SXM5-80GB", "bogus", "", None]
REGIONS = ["country:CH", "country:US", " gcp:us-central1", "gcp:europe-west6", "nowhere", "", None]


@pytest.fixture(scope="module")
def tables() -> batch.BatchTables:
    return batch.build_tables(load_databases(MINI_DB))


def _sometimes(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    return np.where(rng.random(len(values)) < share, values, np.nan)


def random_jobs(seed: int, n: int = 2_000) -> pd.DataFrame:
    """Jobs mixing valid rows with every kind of fault (conflicts, ranges, unknown ids, inf, text)."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {
        "name": [f"=job{i}" if i % 7 == 0 else f"job {i}" for i in range(n)],
        "hardware": pd.Series(rng.choice(np.array(HARDWARE, dtype=object), n), dtype="str"),
        "count": _sometimes(rng, rng.integers(-1, 64, n).astype(float), 0.8),
        "hours": _sometimes(rng, rng.uniform(-5, 500, n), 0.9),
        "device_hours": _sometimes(rng, rng.uniform(0, 900, n), 0.1),
        "utilization": _sometimes(rng, rng.uniform(-0.1, 1.7, n), 0.4),
        "power_w": _sometimes(rng, rng.uniform(-10, 900, n), 0.1),
        "total_power_w": _sometimes(rng, rng.uniform(0, 9000, n), 0.05),
        "pue": _sometimes(rng, rng.uniform(0.8, 5.5, n), 0.3),
        "region": pd.Series(rng.choice(np.array(REGIONS, dtype=object), n), dtype="str"),
        "year": _sometimes(rng, rng.choice([2019.0, 2022.0, 2023.0, 2022.5, 1900.0], n), 0.3),
        "intensity_g_per_kwh": _sometimes(rng, rng.choice([0.0, 0.4, 35.0, 400.0, 6000.0], n), 0.1),
        "cpu_power_w": _sometimes(rng, rng.uniform(0, 300, n), 0.2),
        "memory_power_w": _sometimes(rng, rng.uniform(0, 100, n), 0.2),
        "start": rng.choice(["2024-01-02", "2024-02-03", "bad"], n),
    }
    jobs = pd.DataFrame(columns)
    spots = rng.integers(0, n, 10)
    jobs.loc[spots[:3], "hours"] = np.inf
    jobs.loc[spots[3:5], "hours"] = 1e308  # overflows to an infinite energy
    jobs.loc[spots[5:7], "count"] = 1e-320  # device_hours / count overflows
    return jobs


def assert_same(fast: pd.DataFrame, full: pd.DataFrame) -> None:
    assert list(fast.columns) == list(full.columns)
    pd.testing.assert_frame_equal(fast, full, check_exact=True)


@pytest.mark.parametrize("seed", range(6))
def test_fast_equals_full_on_random_frames(tables, seed: int) -> None:
    jobs = random_jobs(seed)
    fast, full = batch.estimate_frame(jobs, tables), batch.estimate_frame_full(jobs, tables)
    assert_same(fast, full)
    assert (full["error"] == "").sum() > 50 and (full["error"] != "").sum() > 50  # both kinds present


@pytest.mark.parametrize(
    "keep",
    [
        ["hardware", "hours", "region"],
        ["hardware", "count", "hours", "utilization", "region"],
        ["power_w", "device_hours", "intensity_g_per_kwh"],
        ["total_power_w", "hours", "region", "year"],
        ["name", "hardware", "hours", "region", "pue", "cpu_power_w", "start"],
    ],
)
def test_fast_equals_full_on_column_subsets(tables, keep: list[str]) -> None:
    jobs = random_jobs(11)[keep]
    assert_same(batch.estimate_frame(jobs, tables), batch.estimate_frame_full(jobs, tables))


def test_text_and_object_columns_equal_full(tables) -> None:
    jobs = random_jobs(3, 500).astype({"hours": str, "count": object, "hardware": object})
    jobs.loc[5, "hours"] = "soon"
    assert_same(batch.estimate_frame(jobs, tables), batch.estimate_frame_full(jobs, tables))


def test_absent_inputs_are_not_columns(tables) -> None:
    jobs = pd.DataFrame({"hardware": ["nvidia-h100-sxm5-80gb"], "hours": [2.0], "region": ["country:CH"]})
    results = batch.estimate_frame(jobs, tables)
    assert list(results.columns) == ["hardware", "region", "hours", *batch.RESULT_COLUMNS]
    assert results.loc[0, "energy_kwh"] == pytest.approx(0.7 * 2 * 1.56)  # 700 W x 2 h x default PUE


def test_overflow_is_an_error_row_not_a_crash(tables) -> None:
    # Each input within its limit (1 GW x 1e12 device-hours), the product 1e18 kWh over the guard.
    jobs = pd.DataFrame({"power_w": [1e9, 700.0], "device_hours": [1e12, 2.0], "region": ["country:CH"] * 2})
    results = batch.estimate_frame(jobs, tables)
    assert results.loc[0, "error"].startswith("energy_kwh: not a finite number below 1e+15 kWh")
    # A value over its own limit is named by its field, as the flag would be.
    huge = batch.estimate_frame(
        pd.DataFrame({"power_w": [700.0], "hours": [1e308], "intensity_g_per_kwh": [5]}), tables
    )
    assert huge.loc[0, "error"] == "hours: 1e+308 is out of range; valid: 0-10,000,000 h"
    assert np.isnan(results.loc[0, "energy_kwh"]) and results.loc[1, "error"] == ""
    assert np.isfinite(batch.totals(results).energy_kwh)


def test_inputs_are_not_modified(tables) -> None:
    jobs = random_jobs(5, 300)
    before = jobs.copy()
    batch.estimate_frame(jobs, tables)
    pd.testing.assert_frame_equal(jobs, before)
