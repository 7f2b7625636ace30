"""``wattprint shift``: JSON keys, text output and one-line errors with exit code 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli

REQUIRED_KEYS = {
    "method",
    "baseline_co2e_kg",
    "shifted_co2e_kg",
    "savings_fraction",
    "savings_kg",
    "schedule",
    "series",
    "start",
    "hours",
    "flex_hours",
    "power_w",
}


@pytest.fixture
def series_csv(tmp_path: Path) -> Path:
    path = tmp_path / "series.csv"
    values = [5, 1, 3, 2, 8, 1, 9, 9]
    rows = [f"2022-01-01T{h:02d}:00:00+00:00,{v}" for h, v in enumerate(values)]
    path.write_text("timestamp,intensity_g_per_kwh\n" + "\n".join(rows) + "\n")
    return path


def test_json_pause_resume(series_csv: Path) -> None:
    done = run_cli(
        "shift", "--series", str(series_csv), "--hours", "2", "--flex-hours", "3",
        "--method", "pause-resume", "--power-w", "2000", "--json",
    )  # fmt: skip
    assert done.code == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) >= REQUIRED_KEYS
    # hand case: baseline 5+1 = 6 g/kWh x h x 2 kW; cleanest 1+2 = 3
    assert data["baseline_co2e_kg"] == pytest.approx(0.012)
    assert data["shifted_co2e_kg"] == pytest.approx(0.006)
    assert data["savings_fraction"] == pytest.approx(0.5)
    assert data["savings_kg"] == pytest.approx(0.006)
    assert data["power_w"] == 2000
    assert data["start"] == "2022-01-01T00:00:00+00:00"
    assert data["schedule"] == [
        ["2022-01-01T01:00:00+00:00", "2022-01-01T02:00:00+00:00"],
        ["2022-01-01T03:00:00+00:00", "2022-01-01T04:00:00+00:00"],
    ]


def test_json_flexible_start_percent_and_start(series_csv: Path) -> None:
    done = run_cli(
        "shift", "--series", str(series_csv), "--hours", "2", "--flex-percent", "100",
        "--method", "flexible-start", "--start", "2022-01-01T01:00:00+00:00", "--json",
    )  # fmt: skip
    assert done.code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["flex_hours"] == 2
    assert data["power_w"] == 1000
    # starts 01:00, 02:00, 03:00: sums 4, 5, 10 -> stays at 01:00
    assert data["savings_fraction"] == 0
    assert data["schedule"] == [["2022-01-01T01:00:00+00:00", "2022-01-01T03:00:00+00:00"]]


def test_text_output(series_csv: Path) -> None:
    done = run_cli(
        "shift",
        "--series",
        str(series_csv),
        "--hours",
        "2",
        "--flex-hours",
        "3",
        "--method",
        "flexible-start",
    )
    assert done.code == 0, done.stderr
    assert "saves 33.3%" not in done.stdout  # the saving in kg first, then its share
    saved = re.search(
        r"Baseline:  ([0-9.,]+) kg.*\n.*: ([0-9.,]+) kg CO2e, saves ([0-9.,]+) kg \(33\.3%\)", done.stdout
    )
    assert saved, done.stdout
    baseline, shifted, kg = (float(value.replace(",", "")) for value in saved.groups())
    assert kg == pytest.approx(baseline - shifted, rel=0.01)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--hours", "-1", "--flex-hours", "1", "--method", "pause-resume"], "hours must be greater than 0"),
        (
            ["--hours", "1", "--flex-hours", "1", "--flex-percent", "5", "--method", "pause-resume"],
            "not allowed",
        ),
        (["--hours", "1", "--flex-hours", "1", "--method", "sideways"], "invalid choice"),
        (["--hours", "7", "--flex-hours", "3", "--method", "pause-resume"], "needs data until"),
        (["--hours", "1", "--flex-hours", "1", "--method", "pause-resume", "--start", "noon"], "ISO 8601"),
        (["--hours", "1", "--flex-hours", "1", "--method", "flexible-start", "--max-pauses", "1"], "only to"),
    ],
)
def test_bad_input_exits_2_with_one_line(series_csv: Path, extra: list[str], message: str) -> None:
    done = run_cli("shift", "--series", str(series_csv), *extra)
    assert done.code == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_bad_csv_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("timestamp,intensity_g_per_kwh\n2022-01-01T00:00Z,1\n2022-01-01T01:00Z,x\n")
    done = run_cli(
        "shift", "--series", str(path), "--hours", "1", "--flex-hours", "0", "--method", "pause-resume"
    )
    assert done.code == 2
    assert "line 3" in done.stderr


def test_unknown_region_exits_2() -> None:
    done = run_cli(
        "shift",
        "--region",
        "aws:mars-north-1",
        "--hours",
        "1",
        "--flex-hours",
        "1",
        "--method",
        "pause-resume",
    )
    assert done.code == 2
    assert "unknown region" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_region_path() -> None:
    from wattprint.db.loader import load_databases
    from wattprint.errors import WattprintError

    try:
        regions = load_databases().regions
    except WattprintError as error:  # the bundled database may still be incomplete
        pytest.skip(f"bundled database does not load: {error}")
    if regions.profile_for("ba:CISO") is None:
        pytest.skip("ba:CISO has no linked series yet")
    done = run_cli(
        "shift", "--region", "ba:CISO", "--hours", "24", "--flex-percent", "50",
        "--method", "pause-resume", "--start", "2022-06-01T00:00:00Z", "--json",
    )  # fmt: skip
    assert done.code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["series"] == "eia-ciso-2022"
    assert 0 <= data["savings_fraction"] <= 1
    assert data["shifted_co2e_kg"] <= data["baseline_co2e_kg"]


def test_the_job_draw_comes_from_its_devices_as_estimate_computes_it(cli) -> None:
    # 16 x H100 for 336 h in Paris: the draw is the estimate's energy over its hours (PUE applied).
    job = ("--hardware", "NVIDIA H100 80GB HBM3", "--count", "16", "--hours", "336")
    estimate = json.loads(cli("estimate", *job, "--region", "gcp:europe-west9", "--json").stdout)
    where = ("--region", "gcp:europe-west9", "--flex-hours", "48", "--method", "flexible-start")
    done = cli("shift", *job, *where, "--json")
    assert done.code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["power_w"] == pytest.approx(estimate["energy_kwh"] / 336 * 1000)
    assert data["power_from"] == f"16 x NVIDIA H100 SXM5 80GB, TDP x 1 x PUE {estimate['pue']:g}"
    text = cli("shift", *job, *where).stdout
    assert "Draw:      16 x NVIDIA H100 SXM5 80GB" in text


def test_the_default_draw_is_said_and_device_options_need_hardware(cli, series_csv: Path) -> None:
    window = ("--hours", "2", "--flex-hours", "3", "--method", "pause-resume")
    base = ("shift", "--series", str(series_csv), *window)
    assert "Draw:      the default 1,000 W: give --power-w or --hardware" in cli(*base).stdout
    # With a series file there is no region: the industry-average PUE, said.
    series_job = cli(*base, "--hardware", "nvidia-a100-sxm4-80gb", "--count", "2")
    assert (
        "2 x NVIDIA A100 SXM4 80GB, TDP x 1 x the industry-average PUE 1.56 (no region)" in series_job.stdout
    )
    for bad, words in (
        (("--count", "4"), "give --hardware too"),
        (("--hardware", "nvidia-a100-sxm4-80gb", "--power-w", "300"), "not both"),
    ):
        refused = cli(*base, *bad)
        assert refused.code == 2 and words in refused.stderr, refused.stderr
