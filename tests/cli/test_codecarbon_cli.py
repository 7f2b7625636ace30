"""``wattprint import-codecarbon``: the headline is the runs as measured, where they ran; --region is a
what-if with the target's PUE applied to CodeCarbon's IT energy.

real_2021_empty_header_cells.csv is mlco2/codecarbon's examples/emissions.csv of 2021-07-21 (see
tests/fixtures/codecarbon/README.md): eight runs of March 2020, no pue column; by hand from its
rows: 44 kWh in all (aws:us-east-2 8 + 7, gcp:asia-east1 3 + 8, azure:brazilsouth 5 + 6,
country:CA 1 + 6), CodeCarbon's own emissions 8+1+1+8+8+7+6+6 = 45 kg.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, run_cli
from wattprint.commands.common import fmt
from wattprint.db.loader import load_databases

FILE = str(ROOT / "tests" / "fixtures" / "codecarbon" / "real_2021_empty_header_cells.csv")
KWH_BY_PLACE = {"aws:us-east-2": 15.0, "gcp:asia-east1": 11.0, "azure:brazilsouth": 11.0, "country:CA": 7.0}


@pytest.fixture(scope="module")
def regions():
    return load_databases().regions


def test_the_headline_is_codecarbons_figure_and_wattprints_where_each_ran(regions) -> None:
    done = run_cli("import-codecarbon", FILE)
    assert done.code == 0, done.stderr
    lines = done.stdout.splitlines()
    start = lines.index("As measured, where each ran:")
    assert lines[start + 1].startswith("  CodeCarbon's own figure: 45.0 kg CO2e")
    expected = sum(kwh * regions.intensity(place, 2020).value / 1000 for place, kwh in KWH_BY_PLACE.items())
    assert lines[start + 2].startswith(
        f"  wattprint at each run's own region: {fmt(expected)} kg CO2e for 8 of 8 runs (lifecycle basis;"
    )
    assert "2020 (8 runs)" in lines[start + 2]
    assert "What if" not in done.stdout  # no what-if unless asked
    assert "CodeCarbon measures the IT energy" in done.stdout


def test_region_is_a_what_if_with_the_targets_pue_said_in_words(regions) -> None:
    target = regions.intensity("aws:us-east-1")
    pue = regions.pue("aws:us-east-1", target.year)
    assert pue is not None
    done = run_cli("import-codecarbon", FILE, "--region", "aws:us-east-1")
    assert done.code == 0, done.stderr
    # 44 kWh of IT energy (no pue column: 1.0) x AWS's PUE x the region's figure.
    assert (
        f"What if every run had been in aws:us-east-1: {fmt(44 * pue.value * target.value / 1000)} kg CO2e"
        in done.stdout
    )
    assert "CodeCarbon measures IT energy only and adds facility overhead only through its pue" in done.stdout
    assert (
        f"applies aws:us-east-1's PUE {pue.value:g} ({pue.region_id}, {pue.source}, {pue.year})"
        in done.stdout
    )
    # The headline still comes first and is unchanged by the what-if.
    assert done.stdout.index("As measured, where each ran:") < done.stdout.index("What if every run")
    measured = run_cli("import-codecarbon", FILE, "--region", "aws:us-east-1", "--pue", "measured")
    assert f"aws:us-east-1: {fmt(44 * target.value / 1000)} kg CO2e" in measured.stdout
    assert "leaves out aws:us-east-1's facility overhead" in measured.stdout


def test_json_carries_the_headline_and_the_what_if_apart(regions) -> None:
    done = run_cli("import-codecarbon", FILE, "--region", "country:FR", "--json")
    assert done.code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["where_ran"]["codecarbon_co2e_kg"] == pytest.approx(45.0)
    assert data["where_ran"]["priced_runs"] == 8
    france = regions.intensity("country:FR")
    assert data["what_if"]["pue"] is None  # a country: no PUE in the database
    assert "country:FR has no PUE in the database" in data["what_if"]["pue_note"]
    assert data["what_if"]["co2e_kg"] == pytest.approx(44 * france.value / 1000)
    assert {run["own_region"] for run in data["runs"]} == set(KWH_BY_PLACE)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "aws:us-east-1", "--pue", "0.8"], "--pue must be from 1.0 to 5.0"),
        (["--region", "aws:us-east-1", "--pue", "abc"], "--pue takes region, measured or a number"),
        (["--pue", "1.2"], "--pue sets the what-if's PUE; give --region too"),
    ],
)
def test_bad_pue_is_one_line(args: list[str], message: str) -> None:
    done = run_cli("import-codecarbon", FILE, *args)
    assert done.code == 2 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_run_without_a_place_is_counted_not_priced_elsewhere(tmp_path) -> None:
    # real_v2_empty_run_id.csv (mlco2/codecarbon, a laptop in France, 2024-05-31) with its last run's
    # place blanked, as an offline tracker without a location writes it.
    text = (ROOT / "tests" / "fixtures" / "codecarbon" / "real_v2_empty_run_id.csv").read_text()
    head, last = text.rstrip("\n").rsplit("\n", 1)
    path = tmp_path / "emissions.csv"
    path.write_text(head + "\n" + last.replace(",France,FRA,île-de-france,", ",,,,") + "\n")
    done = run_cli("import-codecarbon", str(path))
    assert done.code == 0, done.stderr
    assert "for 3 of 4 runs" in done.stdout
    assert "not priced by wattprint: 1 run (0.0000106 kWh) names no region with a figure" in done.stdout
    data = json.loads(run_cli("import-codecarbon", str(path), "--json").stdout)
    unplaced = [run for run in data["runs"] if run["own_region"] is None]
    assert len(unplaced) == 1 and unplaced[0]["own_region_co2e_kg"] is None
    assert data["where_ran"]["priced_runs"] == 3
