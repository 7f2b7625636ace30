"""The CLI contract: estimate's JSON keys, python -m wattprint, and one-line errors with exit 2."""

from __future__ import annotations

import json

import pytest

from tests.conftest import MINI_DB

JOB = ["--device-hours", "1000", "--power-w", "300", "--pue", "1.5", "--intensity", "400", "--json"]
CONTRACT_KEYS = {
    "energy_kwh",
    "it_energy_kwh",
    "co2e_kg",
    "embodied_co2e_kg",
    "total_co2e_kg",
    "intensity_g_per_kwh",
    "pue",
    "device_hours",
    "power_w",
    "range",
}


def test_estimate_json_contract(cli) -> None:
    result = cli("estimate", *JOB)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= CONTRACT_KEYS
    assert data["energy_kwh"] == pytest.approx(450.0)
    assert data["co2e_kg"] == pytest.approx(180.0)
    assert set(data["range"]) == {"energy_kwh", "co2e_kg"}
    assert data["range"]["co2e_kg"]["low"] <= data["co2e_kg"] <= data["range"]["co2e_kg"]["high"]


def test_console_script_matches_python_m_app(cli) -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("wattprint")
    if not script.exists():
        pytest.skip("wattprint console script not installed in this environment")
    done = subprocess.run([str(script), "estimate", *JOB], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == json.loads(cli("estimate", *JOB).stdout)


def test_estimate_with_hardware_and_region(cli) -> None:
    result = cli(
        "--db-dir", str(MINI_DB), "estimate", "--hardware", "Tesla V100-SXM2-16GB", "--count", "4",
        "--hours", "10", "--region", "gcp:us-central1", "--json",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    # 4 x 300 W x 10 h = 12 kWh x GCP fleet PUE 1.10 = 13.2 kWh x 413 g/kWh = 5.4516 kg.
    assert data["energy_kwh"] == pytest.approx(13.2)
    assert data["co2e_kg"] == pytest.approx(5.4516)
    names = [a["name"] for a in data["assumptions"]]
    assert any("TDP" in n for n in names) and any("PUE" in n for n in names)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--hours", "-5", "--power-w", "100", "--intensity", "100"], "hours must be at least 0"),
        (["--hours", "nan", "--power-w", "100", "--intensity", "100"], "finite"),
        (["--hours", "abc", "--power-w", "100", "--intensity", "100"], "must be a number"),
        (
            ["--hours", "1", "--power-w", "100", "--intensity", "100", "--pue", "0.8"],
            "pue must be at least 1",
        ),
        (["--hours", "1", "--hardware", "nvidia-h100", "--intensity", "100"], "closest valid ids"),
        (["--hours", "1", "--power-w", "100", "--region", "aws:mars-1"], "no valid id or name is close"),
        (["--hours", "1", "--device-hours", "2", "--power-w", "100", "--intensity", "1"], "not both"),
        (
            ["--hours", "1", "--power-w", "100", "--intensity", "1", "--pue", "1.2", "--pue-included"],
            "not both",
        ),
        (["--hours", "1", "--power-w", "100"], "give a location"),
        (["--power-w", "100", "--intensity", "100"], "give a duration"),
        (
            ["--hours", "1", "--power-w", "100", "--region", "gcp:us-central1", "--year", "1999"],
            "valid years",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(cli, args: list[str], fragment: str) -> None:
    result = cli("--db-dir", str(MINI_DB), "estimate", *args)
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_hardware_names_close_ids(cli) -> None:
    result = cli("--db-dir", str(MINI_DB), "hardware", "show", "h100")
    assert result.code == 2
    assert "nvidia-h100-sxm5-80gb" in result.stderr


def test_hardware_match_and_regions_show(cli) -> None:
    match = cli("--db-dir", str(MINI_DB), "hardware", "match", "nvidia h100 80gb hbm3", "--json")
    assert match.code == 0 and json.loads(match.stdout)["id"] == "nvidia-h100-sxm5-80gb"
    show = cli("--db-dir", str(MINI_DB), "regions", "show", "gcp:europe-west6", "--json")
    data = json.loads(show.stdout)
    assert data["intensity_g_per_kwh"] == 15.0 and data["intensity_year"] == 2024


def test_db_check_reports_each_problem(cli, tmp_path) -> None:
    import shutil

    target = tmp_path / "db"
    shutil.copytree(MINI_DB, target)
    gpus = target / "hardware_db" / "gpus.yaml"
    gpus.write_text(gpus.read_text().replace("source: nvidia-v100-datasheet", "source: nowhere"))
    result = cli("--db-dir", str(target), "db", "check")
    assert result.code != 0
    assert "nowhere" in result.stderr
    assert cli("--db-dir", str(MINI_DB), "db", "check").code == 0
