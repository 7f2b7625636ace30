"""One job across every region: equal to single estimates, ranked, with savings; the picker."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from wattprint.cli import main
from wattprint.engine.footprint import Job, estimate
from wattprint.engine.whatif import compare_regions, greener_alternatives, greenest_alternative, pick_regions
from wattprint.errors import InputError

JOB = ["--hardware", "nvidia-h100-sxm5-80gb", "--count", "8", "--hours", "24", "--region", "aws:us-east-1"]


def run_json(capsys, *args: str):
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_compare_equals_estimate_for_each_region(capsys) -> None:
    # Default scope: every cloud region, lifecycle basis (countries and grids only on request).
    ranked = run_json(capsys, "compare", *JOB, "--json")
    assert len(ranked) > 150
    assert {
        "id",
        "intensity_g_per_kwh",
        "intensity_basis",
        "intensity_year",
        "co2e_kg",
        "savings_fraction",
    } <= set(ranked[0])
    assert {row["kind"] for row in ranked} == {"cloud"}
    assert {row["intensity_basis"] for row in ranked} == {"lifecycle"}
    co2e = [row["co2e_kg"] for row in ranked]
    assert co2e == sorted(co2e)
    baseline = run_json(capsys, "estimate", *JOB, "--json")["co2e_kg"]
    rng = np.random.default_rng(7)
    for index in rng.choice(len(ranked), size=12, replace=False):
        row = ranked[int(index)]
        args = [a for a in JOB]
        args[args.index("aws:us-east-1")] = row["id"]
        single = run_json(capsys, "estimate", *args, "--json")
        assert row["co2e_kg"] == pytest.approx(single["co2e_kg"], rel=1e-12)
        assert row["savings_fraction"] == pytest.approx(1 - single["co2e_kg"] / baseline, rel=1e-9, abs=1e-12)


def test_compare_filters_and_year(capsys) -> None:
    ranked = run_json(
        capsys, "compare", *JOB, "--provider", "gcp", "--year", "2022", "--kind", "cloud", "--json"
    )
    assert ranked and all(row["id"].startswith("gcp:") for row in ranked)
    assert all(row["intensity_year"] == 2022 for row in ranked)
    top = run_json(capsys, "compare", *JOB, "--kind", "country", "--top", "3", "--json")
    assert len(top) == 3 and all(row["kind"] == "country" for row in top)


def test_compare_bad_filter_exits_2(capsys) -> None:
    assert main(["compare", *JOB, "--provider", "nimbus"]) == 2
    assert "valid:" in capsys.readouterr().err


def test_compare_vectorised_by_hand() -> None:
    footprint = estimate(Job(duration_h=10, measured_power_w=1000, pue=1.2, intensity_g_per_kwh=500))
    regions = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "name": ["A", "B", "C"],
            "intensity_g_per_kwh": [100.0, 500.0, 50.0],
            "pue": [1.1, np.nan, 1.5],
        }
    )
    # Each region's own PUE (1.4 where none): a 11 kWh x 0.1, b 14 x 0.5, c 15 x 0.05.
    ranked = compare_regions(footprint, regions, None, 1.4)
    assert list(ranked["id"]) == ["c", "a", "b"]
    assert list(ranked["co2e_kg"]) == pytest.approx([0.75, 1.1, 7.0])
    assert ranked.loc[0, "savings_fraction"] == pytest.approx(1 - 0.75 / 6.0)
    best = greenest_alternative(ranked, "b")
    assert best is not None and best.region_id == "c"
    assert greenest_alternative(ranked.iloc[[0]], "c") is None


def test_picker_weights() -> None:
    regions = pd.DataFrame(
        {
            "id": ["clean-far", "dirty-near", "mid"],
            "name": ["x", "y", "z"],
            "intensity_g_per_kwh": [20.0, 700.0, 300.0],
            "latitude": [64.1, 48.9, 50.1],
            "longitude": [-21.9, 2.35, 8.7],
            "price_index": [1.2, 1.0, np.nan],
        }
    )
    paris = [(48.86, 2.35)]
    assert pick_regions(regions, 1, 0, 0, paris).loc[0, "id"] == "clean-far"
    assert pick_regions(regions, 0, 1, 0, paris).loc[0, "id"] == "dirty-near"
    assert pick_regions(regions, 0, 0, 1, paris).loc[0, "id"] == "dirty-near"
    assert "km from your users" in pick_regions(regions, 1, 1, 1, paris).loc[0, "reason"]
    with pytest.raises(InputError):
        pick_regions(regions, 0, 0, 0, paris)


def test_greener_alternatives_same_and_any_provider_cloud_only() -> None:
    footprint = estimate(Job(duration_h=10, measured_power_w=1000, pue=1.0, intensity_g_per_kwh=400))
    regions = pd.DataFrame(
        {
            "id": ["aws:a", "aws:b", "gcp:c", "country:X"],
            "name": ["A", "B", "C", "X"],
            "kind": ["cloud", "cloud", "cloud", "country"],
            "provider": ["aws", "aws", "gcp", None],
            "intensity_g_per_kwh": [400.0, 100.0, 30.0, 12.0],
            "intensity_basis": ["lifecycle"] * 4,
            "intensity_year": [2024, 2024, 2019, 2024],
            "pue": [np.nan] * 4,
        }
    )
    same, anywhere = greener_alternatives(footprint, regions, "aws:a", "aws", None, 1.0)
    # 10 kWh x 0.1 = 1 kg in aws:b; 10 kWh x 0.03 = 0.3 kg in gcp:c; country:X is not rentable.
    assert same is not None and same.region_id == "aws:b" and same.co2e_kg == pytest.approx(1.0)
    assert anywhere is not None and anywhere.region_id == "gcp:c"
    assert (anywhere.intensity_basis, anywhere.intensity_year) == ("lifecycle", 2019)
    assert anywhere.stale  # 2019 is more than 3 years older than 2024
    assert not same.stale
    # A job already at 30 g/kWh in gcp:c: nothing cleaner to rent.
    clean = estimate(Job(duration_h=10, measured_power_w=1000, pue=1.0, intensity_g_per_kwh=30))
    assert greener_alternatives(clean, regions, "gcp:c", "gcp", None, 1.0) == (None, None)


def test_compare_default_is_honest(capsys) -> None:
    # The job of the issue: 8 x H100 for 24 h from aws:us-east-1.
    assert main(["compare", *JOB, "--top", "15"]) == 0
    text = capsys.readouterr().out
    assert "Left out" in text and "lifecycle" in text and "-100" not in text and "+100" not in text
    ranked = run_json(capsys, "compare", *JOB, "--json")
    assert all(row["intensity_g_per_kwh"] >= 10 for row in ranked)
    assert all(row["savings_fraction"] < 0.99 for row in ranked)
    assert {(row["intensity_basis"], type(row["intensity_year"])) for row in ranked} == {("lifecycle", int)}
    direct = run_json(capsys, "compare", *JOB, "--basis", "direct", "--kind", "grid", "--json")
    assert direct and {row["intensity_basis"] for row in direct} == {"direct"}
    # aws:us-east-1 has no direct figure: no savings against a figure of another basis.
    assert all(row["savings_fraction"] is None for row in direct)
    assert main(["compare", *JOB, "--basis", "average"]) == 2
    assert "valid: lifecycle" in capsys.readouterr().err
