"""A grid with no figure of its own is priced on a larger area's (a US state or eGRID subregion on
the national figure): every headline that shows such a figure says whose it is, next to it."""

from __future__ import annotations

import json

import pandas as pd

from app import batch_parts as parts
from wattprint.engine import batch

JOB = ("--hardware", "nvidia-a100-sxm4-80gb", "--count", "32", "--hours", "216")


def test_the_region_database_says_whose_figure_a_grid_takes(databases):
    regions = databases.regions
    michigan = regions.intensity("egrid:RFCM")
    note = regions.borrowed_note("egrid:RFCM", michigan.region_id)
    assert michigan.region_id == "zone:US"
    assert note.startswith("the figure of United States")
    assert note.endswith("eGRID RFCM (RFC Michigan) has no lifecycle figure of its own")
    # A cloud region's grid zone and a country's own zone are their own figures.
    for own in ("aws:us-east-1", "gcp:europe-west9", "country:FR"):
        assert regions.borrowed_note(own, regions.intensity(own).region_id) == "", own


def test_estimate_names_the_borrowed_figure_in_its_headline(cli):
    done = cli("estimate", *JOB, "--region", "egrid:RFCM")
    assert done.code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].endswith("at 414 gCO2e/kWh (lifecycle, Electricity Maps 2025)"), lines[1]
    assert "[zone:US]: eGRID RFCM (RFC Michigan) has no lifecycle figure of its own" in lines[2]

    data = json.loads(cli("estimate", *JOB, "--region", "egrid:RFCM", "--json").stdout)
    assert data["intensity_from"] == "zone:US"
    assert "has no lifecycle figure of its own" in data["intensity_note"]

    own = json.loads(cli("estimate", *JOB, "--region", "aws:us-east-1", "--json").stdout)
    assert own["intensity_note"] is None and own["intensity_from"] == "zone:US-MIDA-PJM"
    given = cli("estimate", *JOB, "--intensity", "300")
    assert given.stdout.splitlines()[1].endswith("at 300 gCO2e/kWh (given)"), given.stdout


def test_inference_names_the_borrowed_figure(cli):
    h100_8b = ("--hardware", "nvidia-h100-sxm5-80gb", "--params", "8e9", "--batch", "8")
    done = cli(
        "inference", *h100_8b, "--input-tokens", "100", "--output-tokens", "400", "--region", "us-state:CA"
    )
    assert done.code == 0, done.stderr
    assert "California has no lifecycle figure of its own" in done.stdout
    lines = done.stdout.splitlines()
    headline = next(i for i, line in enumerate(lines) if line.startswith("CO2e per request:"))
    assert "(lifecycle, Electricity Maps 2025)" in lines[headline]
    assert "[zone:US]" in lines[headline + 1]


def test_batch_says_which_jobs_take_a_larger_area_figure(cli, tmp_path):
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(
        "hardware,count,hours,region\n"
        "nvidia-a100-sxm4-80gb,8,24,egrid:RFCM\n"
        "nvidia-a100-sxm4-80gb,8,24,US-STATE:ca\n"  # a case the lookup folds
        "nvidia-a100-sxm4-80gb,8,24,aws:us-east-1\n"
    )
    for engine in ("pandas", "dask"):
        done = cli("batch", str(jobs), "--engine", engine)
        assert done.code == 0, done.stderr
        grid = [line for line in done.stdout.splitlines() if line.startswith("Grid:")]
        assert len(grid) == 1, done.stdout
        assert "2 job(s)" in grid[0] and "egrid:RFCM, us-state:CA on zone:US" in grid[0], grid
        data = json.loads(cli("batch", str(jobs), "--engine", engine, "--json").stdout)
        found = {row["region"]: row["intensity_from"] for row in data["borrowed_figures"]["regions"]}
        assert found == {"egrid:RFCM": "zone:US", "us-state:CA": "zone:US"}, engine
        share = sum(row["co2e_kg"] for row in data["borrowed_figures"]["regions"]) / data["totals"]["co2e_kg"]
        assert f"{share:.1%} of the CO2e" in data["borrowed_figures"]["note"]

    clean = tmp_path / "clean.csv"
    clean.write_text("hardware,count,hours,region\nnvidia-a100-sxm4-80gb,8,24,aws:us-east-1\n")
    done = cli("batch", str(clean))
    assert "Grid:" not in done.stdout
    assert json.loads(cli("batch", str(clean), "--json").stdout)["borrowed_figures"] == {
        "regions": [],
        "note": None,
    }


def test_batch_page_words_come_from_the_same_tables(databases):
    tables = batch.build_tables(databases)
    jobs = pd.DataFrame(
        {
            "hardware": ["nvidia-a100-sxm4-80gb"] * 3,
            "count": [8.0, 8.0, 8.0],
            "hours": [24.0, 24.0, 24.0],
            "region": ["egrid:RFCM", "aws:us-east-1", "not-a-region"],
        }
    )
    results = parts.priced(jobs, databases, tables)
    words = parts.borrowed_notice(results, tables)
    assert words.startswith("1 job(s), ") and words.endswith("egrid:RFCM on zone:US"), words
    assert parts.borrowed_notice(results[results["region"] != "egrid:RFCM"], tables) == ""


def test_measure_names_the_borrowed_figure(cli):
    done = cli("measure", "--backend", "fake", "--region", "us-state:CA", "--", "sleep", "0.2")
    assert done.code == 0, done.stderr
    lines = done.stdout.splitlines()
    headline = next(i for i, line in enumerate(lines) if line.startswith("CO2e:"))
    assert "(zone:US 2025" in lines[headline]
    assert lines[headline + 1].strip().endswith("California has no lifecycle figure of its own")


def test_tracking_keeps_the_note_with_the_figure():
    from wattprint.measure.track import resolve_intensity

    borrowed = resolve_intensity("us-state:CA", None, None, None)
    assert borrowed is not None and borrowed["region"] == "zone:US"
    assert "California has no lifecycle figure of its own" in borrowed["note"]
    own = resolve_intensity("aws:us-east-1", None, None, None)
    assert own is not None and own["note"] is None


def test_compare_names_the_baselines_borrowed_figure(cli):
    job = ("compare", *JOB, "--top", "2")
    text = cli(*job, "--region", "us-state:CA").stdout.splitlines()
    assert text[0].startswith("Baseline: ") and "California has no lifecycle figure of its own" in text[1]
    assert "has no lifecycle figure" not in cli(*job, "--region", "aws:us-east-1").stdout
    quiet = cli(*job, "--region", "us-state:CA", "--json")
    assert "Baseline: the figure of United States" in quiet.stderr
