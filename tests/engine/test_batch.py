"""Batch audits: the vectorised engine equals the single estimate row for row."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.conftest import MINI_DB
from wattprint.db.loader import load_databases
from wattprint.engine import batch
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import JobSpec, resolve
from wattprint.errors import InputError


@pytest.fixture(scope="module")
def mini():
    return load_databases(MINI_DB)


@pytest.fixture(scope="module")
def tables(mini):
    return batch.build_tables(mini)


def _value(row: pd.Series, name: str):
    value = row.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def single(row: pd.Series, databases) -> tuple[float, float, float] | str:
    """(energy_kwh, co2e_kg, pue) from the single-job engine, or the error it raises."""
    year = _value(row, "year")
    spec = JobSpec(
        hardware=_value(row, "hardware"),
        count=_value(row, "count") or 1.0,
        hours=_value(row, "hours"),
        device_hours=_value(row, "device_hours"),
        power_w=_value(row, "power_w"),
        total_power_w=_value(row, "total_power_w"),
        utilization=_value(row, "utilization"),
        pue=_value(row, "pue"),
        region=_value(row, "region"),
        year=int(year) if year is not None else None,
        intensity_g_per_kwh=_value(row, "intensity_g_per_kwh"),
        cpu_power_w=_value(row, "cpu_power_w") or 0.0,
        memory_power_w=_value(row, "memory_power_w") or 0.0,
    )
    try:
        footprint = estimate(resolve(spec, databases))
    except (InputError, LookupError) as error:
        return str(error)
    return footprint.energy_kwh, footprint.co2e_kg, footprint.pue


JOBS = pd.DataFrame(
    {
        "name": ["h100 zurich", "v100 us 2022", "custom", "whole machine", "alias", "util", "unknown", "neg"],
        "hardware": [
            "nvidia-h100-sxm5-80gb",
            "nvidia-v100-sxm2-16gb",
            None,
            None,
            "Tesla V100-SXM2-16GB",
            "nvidia-h100-sxm5-80gb",
            "nvidia-a999",
            "nvidia-h100-sxm5-80gb",
        ],
        "count": [8, 4, 2, None, 1, 64, 1, 1],
        "hours": [10, None, 5, 12, 3, 100, 1, -2],
        "device_hours": [None, 100, None, None, None, None, None, None],
        "power_w": [None, None, 250, None, None, None, None, None],
        "total_power_w": [None, None, None, 1415.78, None, None, None, None],
        "utilization": [None, None, None, None, 0.5, 0.7, None, None],
        "pue": [None, None, 1.2, 1.58, None, 1.1, None, None],
        "region": [
            "gcp:europe-west6",
            "country:US",
            None,
            None,
            "country:CH",
            "gcp:us-central1",
            "country:CH",
            "country:CH",
        ],
        "year": [None, 2022, None, None, 2023, None, None, None],
        "intensity_g_per_kwh": [None, None, 400, 432.73, None, None, None, None],
        "cpu_power_w": [None, None, 100, None, None, None, None, None],
    }
)


def test_rows_equal_single_estimates(mini, tables) -> None:
    results = batch.estimate_frame(JOBS, tables)
    assert len(results) == len(JOBS)
    for position, row in JOBS.iterrows():
        expected = single(row, mini)
        got = results.loc[position]
        if isinstance(expected, str):
            assert got["error"], f"row {position} should fail like estimate(): {expected}"
            assert math.isnan(got["energy_kwh"])
        else:
            assert got["error"] == ""
            assert got["energy_kwh"] == pytest.approx(expected[0], rel=1e-12)
            assert got["co2e_kg"] == pytest.approx(expected[1], rel=1e-12)
            assert got["pue_used"] == pytest.approx(expected[2], rel=1e-12)


def test_hand_computed_rows(tables) -> None:
    results = batch.estimate_frame(JOBS, tables)
    # 8 x 700 W x 10 h = 56 kWh IT; Google fleet PUE 1.10 -> 61.6 kWh; x 15 g/kWh -> 0.924 kg
    assert results.loc[0, "energy_kwh"] == pytest.approx(61.6)
    assert results.loc[0, "co2e_kg"] == pytest.approx(0.924)
    # Strubell 2019 Table 3, Transformer (base): 1415.78 W x 12 h x 1.58 = 26.8 kWh (27 published)
    assert results.loc[3, "energy_kwh"] == pytest.approx(1415.78 * 12 * 1.58 / 1000)
    # default PUE 1.56 (Uptime 2024) when the region has none: 100 device-h x 300 W x 1.56
    assert results.loc[1, "energy_kwh"] == pytest.approx(46.8)
    assert results.loc[1, "intensity_g_per_kwh_used"] == 390.0


def test_totals_equal_sum_of_single_estimates(mini, tables) -> None:
    results = batch.estimate_frame(JOBS, tables)
    expected = [single(row, mini) for _, row in JOBS.iterrows()]
    valid = [e for e in expected if not isinstance(e, str)]
    summed = batch.totals(results)
    assert summed.jobs == len(JOBS)
    assert summed.failed == len(JOBS) - len(valid)
    assert summed.energy_kwh == pytest.approx(sum(e[0] for e in valid), rel=1e-12)
    assert summed.co2e_kg == pytest.approx(sum(e[1] for e in valid), rel=1e-12)


def test_invalid_rows_named_and_valid_rows_computed(tables) -> None:
    jobs = pd.DataFrame(
        {
            "line": [2, 3, 4, 5, 6, 7],
            "hardware": [
                "nvidia-h100-sxm5-80gb",
                "nvidia-h100-sxm5-80gb",
                "nvidia-h100-sxm5-80gb",
                None,
                "x",
                None,
            ],
            "hours": ["10", "abc", "1", "1", "1", "2"],
            "region": ["country:CH", "country:CH", "country:CH", "country:CH", "country:CH", None],
            "year": [None, None, 2019, None, None, None],
            "pue": [None, None, None, 9, None, None],
        }
    )
    results = batch.estimate_frame(jobs, tables)
    errors = dict(zip(results["line"], results["error"], strict=True))
    assert errors[2] == ""
    assert results.loc[0, "co2e_kg"] == pytest.approx(700 * 10 / 1000 * 1.56 * 34 / 1000)
    assert errors[3].startswith("hours: not a number (abc)")
    assert "year: no intensity for country:CH in 2019; valid years: 2022, 2023" in errors[4]
    assert "pue: 9 is out of range; valid: 1.0-5.0" in errors[5]
    assert "hardware: give the power" in errors[5]
    assert errors[6].startswith("hardware: unknown hardware 'x'")
    assert "region: give a location" in errors[7]
    assert list(results["line"]) == [2, 3, 4, 5, 6, 7]  # nothing dropped


def test_summaries_by_region_hardware_month(tables) -> None:
    jobs = pd.DataFrame(
        {
            "hardware": ["nvidia-h100-sxm5-80gb"] * 3,
            "hours": [1, 2, 4],
            "region": ["country:CH", "country:CH", "country:US"],
            "start": ["2024-01-03T10:00:00", "2024-02-01", "2024-02-20"],
        }
    )
    results = batch.estimate_frame(jobs, tables)
    by_region = batch.summarize(results, "region").set_index("region")
    assert by_region.loc["country:CH", "jobs"] == 2
    assert by_region.loc["country:CH", "energy_kwh"] == pytest.approx(0.7 * 3 * 1.56)
    by_month = batch.summarize(results, "month")
    assert list(by_month["month"]) == ["2024-01", "2024-02"]
    assert by_month["co2e_kg"].sum() == pytest.approx(results["co2e_kg"].sum())
    halves = [batch.summarize(results.iloc[:2], "hardware"), batch.summarize(results.iloc[2:], "hardware")]
    combined = batch.combine_summaries(halves, "hardware")
    assert combined.loc[0, "jobs"] == 3


def test_random_jobs_match_single_estimates(mini, tables) -> None:
    rng = np.random.default_rng(7)
    n = 300
    jobs = pd.DataFrame(
        {
            "hardware": rng.choice(["nvidia-h100-sxm5-80gb", "nvidia-v100-sxm2-16gb", None], n),
            "count": rng.integers(1, 64, n).astype(float),
            "hours": rng.uniform(0, 500, n),
            "utilization": np.where(rng.random(n) < 0.5, rng.uniform(0.1, 1.0, n), np.nan),
            "region": rng.choice(["country:CH", "country:US", "gcp:us-central1", "gcp:europe-west6"], n),
            "year": rng.choice([np.nan, 2022.0, 2023.0, 2024.0], n),
        }
    )
    results = batch.estimate_frame(jobs, tables)
    for position, row in jobs.iterrows():
        expected = single(row, mini)
        got = results.loc[position]
        if isinstance(expected, str):
            assert got["error"] != ""
        else:
            assert got["error"] == "", got["error"]
            assert got["co2e_kg"] == pytest.approx(expected[1], rel=1e-12, abs=0)
