"""CodeCarbon emissions.csv layouts (1.x, 2.x, 3.x) and messy files, and the import command."""

from __future__ import annotations

import json

import pytest

from app.db.codecarbon import parse_emissions, read_emissions
from app.engine import codecarbon
from app.errors import InputError
from tests.conftest import MINI_DB, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "codecarbon"


def test_v1_without_run_id_splits_on_restart() -> None:
    table = codecarbon.runs(read_emissions(FIXTURES / "v1_emissions.csv").rows)
    assert len(table) == 2  # the third row's clock restarts: a second run
    assert table.loc[0, "energy_kwh"] == pytest.approx(0.1503)  # last cumulative row
    assert table.loc[0, "duration_h"] == pytest.approx(1800.2 / 3600)
    assert not table.loc[0, "pue_from_file"] and table.loc[0, "pue"] == 1.0


def test_v2_runs_take_last_row() -> None:
    table = codecarbon.runs(read_emissions(FIXTURES / "v2_emissions.csv").rows)
    assert list(table["run_id"]) == [
        "5b0fa12f-9d4e-4e2a-9d3b-2f1e2a6c8e01",
        "c1d2e3f4-0000-4b5c-8d9e-123456789abc",
    ]
    assert table.loc[0, "energy_kwh"] == pytest.approx(2.9838)
    assert table.loc[0, "codecarbon_co2e_kg"] == pytest.approx(0.9270)
    assert table.loc[0, "duration_h"] == pytest.approx(2.0)
    assert table.loc[0, "pue_from_file"]


def test_v3_extra_columns_kept() -> None:
    parsed = read_emissions(FIXTURES / "v3_emissions.csv")
    assert "water_consumed" in parsed.rows.columns and "wue" in parsed.rows.columns
    table = codecarbon.runs(parsed.rows)
    assert len(table) == 1 and table.loc[0, "pue"] == pytest.approx(1.1)
    # re-priced at 34 gCO2e/kWh (Ember/OWID Switzerland 2023): 2.91 kWh x 34 / 1000
    assert codecarbon.reprice(table, 34.0).iloc[0] == pytest.approx(2.91 * 34 / 1000)


def test_messy_file_warnings_not_fatal() -> None:
    parsed = read_emissions(FIXTURES / "messy_emissions.csv")
    assert any("line 3: repeated header line" in w for w in parsed.warnings)
    assert any("line 5: truncated last line" in w for w in parsed.warnings)
    table = codecarbon.runs(parsed.rows)
    assert len(table) == 1 and table.loc[0, "energy_kwh"] == pytest.approx(0.0825)
    assert parsed.rows["cpu_model"].isna().all()  # empty fields stay empty


def test_not_an_emissions_file() -> None:
    with pytest.raises(InputError, match="not a CodeCarbon emissions file"):
        parse_emissions("a,b\n1,2\n")
    with pytest.raises(InputError, match="empty"):
        parse_emissions("")


def test_import_codecarbon_json(cli) -> None:
    files = [str(FIXTURES / name) for name in ("v1_emissions.csv", "v2_emissions.csv", "messy_emissions.csv")]
    result = cli(
        "--db-dir",
        str(MINI_DB),
        "import-codecarbon",
        *files,
        "--region",
        "country:CH",
        "--year",
        "2022",
        "--json",
        "--compare",
    )
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    for run in data["runs"]:
        assert {"run_id", "project_name", "duration_h", "energy_kwh", "codecarbon_co2e_kg", "co2e_kg"} <= set(
            run
        )
    assert {"energy_kwh", "codecarbon_co2e_kg", "co2e_kg", "duration_h"} <= set(data["totals"])
    energy = 0.1503 + 0.0098 + 2.9838 + 0.7448 + 0.0825
    assert data["totals"]["energy_kwh"] == pytest.approx(energy)
    assert data["totals"]["co2e_kg"] == pytest.approx(energy * 40.0 / 1000)  # country:CH 2022: 40 g/kWh
    assert len(data["warnings"]) == 2 and "warning" in result.stderr
    assert data["compare"][0]["co2e_kg"] <= data["compare"][-1]["co2e_kg"]


def test_import_codecarbon_missing_file_exits_2(cli, tmp_path) -> None:
    result = cli("import-codecarbon", str(tmp_path / "none.csv"))
    assert result.code == 2 and "no such file" in result.stderr
