"""CodeCarbon emissions.csv layouts (1.x, 2.x, 3.x) and messy files, and the import command."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import MINI_DB, ROOT
from wattprint.db.codecarbon import parse_emissions, read_emissions
from wattprint.engine import codecarbon
from wattprint.errors import InputError

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
    assert {"energy_kwh", "codecarbon_co2e_kg", "what_if_co2e_kg", "duration_h"} <= set(data["totals"])
    energy = 0.1503 + 0.0098 + 2.9838 + 0.7448 + 0.0825
    assert data["totals"]["energy_kwh"] == pytest.approx(energy)
    # country:CH 2022: 40 g/kWh; a country has no PUE, so the energy as measured.
    assert data["totals"]["what_if_co2e_kg"] == pytest.approx(energy * 40.0 / 1000)
    assert len(data["warnings"]) == 2 and "warning" in result.stderr
    assert data["compare"][0]["co2e_kg"] <= data["compare"][-1]["co2e_kg"]


def test_import_codecarbon_missing_file_exits_2(cli, tmp_path) -> None:
    result = cli("import-codecarbon", str(tmp_path / "none.csv"))
    assert result.code == 2 and "no such file" in result.stderr


# --- real files of every layout (tests/fixtures/codecarbon/README.md names each source) -------


def _runs(name: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    parsed = read_emissions(FIXTURES / name)
    return codecarbon.runs(parsed.rows), parsed.warnings


def test_real_v1_experiment_id_is_the_run_key() -> None:
    # mlco2/codecarbon examples/emissions.csv (2020): every row a tracker run with its own
    # experiment_id; energies 8+3+1+5+7+6+8+... of the energy_consumed column = 66 kWh
    table, warnings = _runs("real_v1_experiment_id.csv")
    assert len(table) == 12 and not warnings
    assert table["energy_kwh"].sum() == pytest.approx(66.0)
    assert table.loc[0, "run_id"] == "68f53844-f3af-48fb-971a-ffab844a6b6f"
    assert table.loc[0, "energy_kwh"] == 8.0 and table.loc[0, "duration_h"] == pytest.approx(34 / 3600)


def test_real_v1_with_pandas_index_column_and_crlf() -> None:
    table, warnings = _runs("real_v1_pandas_index.csv")
    assert list(table["energy_kwh"]) == [8.0, 3.0, 1.0, 5.0, 7.0]  # column energy_consumed, rows 2-6
    assert any("empty header cells" in w for w in warnings)


def test_real_2021_layout_without_ids_keeps_independent_runs_apart() -> None:
    # mlco2/codecarbon examples/emissions.csv (2021-07): no run_id, no experiment_id; rows a day
    # apart are independent runs: 8 runs, energy_consumed summed = 44 kWh
    table, warnings = _runs("real_2021_empty_header_cells.csv")
    assert len(table) == 8 and table["energy_kwh"].sum() == pytest.approx(44.0)
    assert any("14 empty header cells" in w for w in warnings)


def test_real_v2_empty_run_ids_split_by_start_time_and_empty_energy_reported() -> None:
    # mlco2/codecarbon examples/emissions.csv (2.4.3rc1): lines 3-7 have no run_id; lines 4 and 5
    # start at 10:44:45 and 10:44:44 (timestamp - duration): one run flushed twice; lines 6-7
    # have empty energy and emissions cells: reported, left out
    table, warnings = _runs("real_v2_empty_run_id.csv")
    assert list(table["energy_kwh"]) == pytest.approx(
        [0.0004047892176375, 0.0001418904712555, 7.662417213125141e-05, 1.0573156193607383e-05]
    )
    assert [w.split(": ")[0][-6:] for w in warnings] == ["line 6", "line 7"]
    assert all("energy_consumed is empty, skipped" in w for w in warnings)


def test_real_interleaved_runs_with_torn_fragments() -> None:
    # bigscience-workshop/carbon-footprint emissions.csv: two runs written at once; the last row
    # of each run_id holds its total (lines 117 and 120); torn fragments are reported per line
    table, warnings = _runs("real_v2_interleaved_torn.csv")
    energy = dict(zip(table["run_id"], table["energy_kwh"], strict=True))
    assert energy == {
        "3d0c0253-711f-482e-b2fa-cf009acb467c": pytest.approx(0.000533255832208),
        "30395f26-db1c-4cf6-9d2a-0eddbda57e83": pytest.approx(0.0001747759610288),
    }
    assert any("line 84: duration is empty" in w for w in warnings)


def test_real_v3_run_id_wins_over_shared_experiment_id() -> None:
    table, _ = _runs("real_v3_emissions.csv")
    assert list(table["run_id"]) == ["9c673e83-a5af-423b-9497-cac79040394e"]
    assert table.loc[0, "energy_kwh"] == pytest.approx(0.06719935082278614)
    assert table.loc[0, "codecarbon_co2e_kg"] == pytest.approx(0.025599592695940383)


TASK_ENERGY_KWH = 0.0019741670864070427
"""Sum of energy_consumed of the 6 task rows of real_v3_tasks_emissions_base.csv (awk)."""


def test_real_task_file_sums_its_tasks() -> None:
    table, warnings = _runs("real_v3_tasks_emissions_base.csv")
    assert len(table) == 1 and table.loc[0, "mode"] == "tasks" and table.loc[0, "rows"] == 6
    assert table.loc[0, "energy_kwh"] == pytest.approx(TASK_ENERGY_KWH)
    assert table.loc[0, "energy_kwh"] > 0.0016  # more than its last task (0.000168 kWh)
    assert not warnings


def test_task_file_and_emissions_file_of_one_run_count_it_once() -> None:
    rows = pd.concat(
        [
            read_emissions(FIXTURES / n).rows
            for n in ("real_v3_emissions.csv", "real_v3_tasks_emissions_base.csv")
        ],
        ignore_index=True,
    )
    table = codecarbon.runs(rows)
    assert len(table) == 1 and table.loc[0, "energy_kwh"] == pytest.approx(TASK_ENERGY_KWH)


def test_real_file_appended_to_by_two_versions() -> None:
    table, warnings = _runs("real_appended_versions.csv")
    assert len(table) == 6  # 4 runs of 1.x (experiment_id) then 2 runs of 2.4.3 (start times)
    assert list(table["energy_kwh"])[:4] == [8.0, 3.0, 1.0, 5.0]
    assert table["energy_kwh"].iloc[4] == pytest.approx(0.0004047892176375)
    assert any("line 6: a header of another layout" in w for w in warnings)


def test_independent_runs_with_growing_durations_do_not_merge() -> None:
    header = "timestamp,project_name,duration,emissions,energy_consumed"
    text = f"{header}\n2022-01-01T10:00:10,p,10,0.1,1.0\n2022-01-01T11:00:20,p,20,0.2,2.0\n"
    assert list(codecarbon.runs(parse_emissions(text).rows)["energy_kwh"]) == [1.0, 2.0]
    flushes = f"{header}\n2022-01-01T10:00:10,p,10,0.1,1.0\n2022-01-01T10:00:20,p,20,0.2,2.0\n"
    assert list(codecarbon.runs(parse_emissions(flushes).rows)["energy_kwh"]) == [2.0]


# --- real-world quirks applied to a real task file -------------------------------------------


def _task_text() -> str:
    return (FIXTURES / "real_v3_tasks_emissions_base.csv").read_text(encoding="utf-8")


def test_crlf_line_ends() -> None:
    parsed = parse_emissions(_task_text().replace("\n", "\r\n"))
    assert codecarbon.runs(parsed.rows)["energy_kwh"].sum() == pytest.approx(TASK_ENERGY_KWH)
    assert not parsed.warnings


def test_padded_header_names() -> None:
    header, rest = _task_text().split("\n", 1)
    padded = ", ".join(f" {name} " for name in header.split(",")) + "\n" + rest
    assert codecarbon.runs(parse_emissions(padded).rows)["energy_kwh"].sum() == pytest.approx(TASK_ENERGY_KWH)


def test_nul_block_removed_and_reported() -> None:
    lines = _task_text().split("\n")
    lines[2] = "\x00" * 512 + lines[2]  # a crash leaves zeros before the next write
    parsed = parse_emissions("\n".join(lines))
    assert any("line 3: NUL bytes removed" in w for w in parsed.warnings)
    assert codecarbon.runs(parsed.rows)["energy_kwh"].sum() == pytest.approx(TASK_ENERGY_KWH)


def test_torn_last_line_reported_and_left_out() -> None:
    text = _task_text().rstrip("\n")
    torn = text[: text.rindex("\n") + 120]
    parsed = parse_emissions(torn)
    assert any("line 7: truncated last line" in w for w in parsed.warnings)
    table = codecarbon.runs(parsed.rows)
    assert table.loc[0, "rows"] == 5
    assert table.loc[0, "energy_kwh"] == pytest.approx(TASK_ENERGY_KWH - 0.0001676617437064553)


# --- bad numbers: reported per line, never 0, never a traceback --------------------------------

CC_HEADER = "timestamp,project_name,run_id,duration,emissions,energy_consumed"


@pytest.mark.parametrize(
    "cell, fragment",
    [
        ("", "energy_consumed is empty"),
        ("-4.5", "energy_consumed is -4.5, negative"),
        ("inf", "energy_consumed is 'inf', not a finite number"),
    ],
)
def test_bad_energy_is_reported_and_left_out(cell: str, fragment: str) -> None:
    text = f"{CC_HEADER}\n2024-01-01T00:10:00,p,a,600,0.1,1.5\n2024-01-01T00:10:00,p,b,600,0.1,{cell}\n"
    parsed = parse_emissions(text)
    assert any(f"line 3: {fragment}" in w for w in parsed.warnings)
    assert list(codecarbon.runs(parsed.rows)["energy_kwh"]) == [1.5]


def test_empty_emissions_leaves_codecarbon_co2e_unknown_not_zero(cli, tmp_path) -> None:
    path = tmp_path / "emissions.csv"
    path.write_text(f"{CC_HEADER}\n2024-01-01T00:10:00,p,a,600,,1.5\n2024-01-01T00:10:00,p,b,600,0.2,1.0\n")
    result = cli("import-codecarbon", str(path), "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["runs"][0]["codecarbon_co2e_kg"] is None and data["runs"][0]["energy_kwh"] == 1.5
    assert data["totals"]["codecarbon_co2e_kg"] == pytest.approx(0.2)
    assert data["totals"]["runs_without_codecarbon_co2e"] == 1
    assert "line 2: emissions is empty" in result.stderr
    text = cli("import-codecarbon", str(path))
    assert text.code == 0 and "CodeCarbon unknown" in text.stdout and "unknown for 1 runs" in text.stdout


def test_file_and_line_columns_and_a_repeated_column() -> None:
    text = (
        "file,line,timestamp,run_id,duration,emissions,energy_consumed,energy_consumed\n"
        "a.py,12,2024-01-01T00:10:00,r,600,0.1,1.5,9.0\n"
    )
    parsed = parse_emissions(text, "e.csv")
    table = codecarbon.runs(parsed.rows)
    assert list(table["energy_kwh"]) == [1.5] and table.loc[0, "file"] == "e.csv"
    assert parsed.rows.loc[0, "file_column"] == "a.py" and parsed.rows.loc[0, "energy_consumed_2"] == "9.0"
    assert any("column 'file' renamed" in w for w in parsed.warnings)
    assert any("column 'energy_consumed' repeated" in w for w in parsed.warnings)


# --- any text after a valid header: rows or warnings, never an exception -----------------------

CELLS = st.one_of(
    st.sampled_from(["", "nan", "inf", "-1", "1e308", "0.5", "x", '"', "\x00", " 2 ", "\r"]),
    st.text(max_size=6),
)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=8), max_size=12))
def test_garbage_rows_never_raise(rows: list[list[str]]) -> None:
    header = "timestamp,project_name,run_id,duration,emissions,energy_consumed,task_name"
    text = header + "\n" + "\n".join(",".join(cells) for cells in rows)
    parsed = parse_emissions(text, "fuzz.csv")
    table = codecarbon.runs(parsed.rows)
    assert (table["energy_kwh"] >= 0).all() and table["energy_kwh"].map(math.isfinite).all()
