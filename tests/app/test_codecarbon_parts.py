"""The CodeCarbon import page's work without a browser: reading uploads, naming and locating runs,
re-pricing, the by-project table and chart, the runs table and the page's texts.

Files are the CodeCarbon fixtures of tests/fixtures/codecarbon/ (README.md there names the
repository and commit of each real one); expected energies are read off their last rows by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from app import codecarbon_parts as parts
from wattprint.db import codecarbon as codecarbon_files
from wattprint.db.loader import Resolved, load_databases
from wattprint.db.schema import DEFAULT_BASIS

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "codecarbon"
# v2_emissions.csv: llama-lora, run 5b0fa12f ends at 2.9838 kWh, run c1d2e3f4 at 0.7448 kWh, both
# on aws us-east-1 with pue 1.0. v3_emissions.csv: vit-pretrain, run 8f2c1b7a ends at 2.9100 kWh,
# gcp europe-west4, pue 1.1.
V2_KWH = {"5b0fa12f-9d4e-4e2a-9d3b-2f1e2a6c8e01": 2.9838, "c1d2e3f4-0000-4b5c-8d9e-123456789abc": 0.7448}
V3_KWH = 2.9100


def fixture(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (FIXTURES / name).read_bytes()) for name in names]


@pytest.fixture(scope="module")
def db():
    return load_databases()


@pytest.fixture(scope="module")
def runs(db) -> pd.DataFrame:
    read = parts.read_uploads(fixture("v2_emissions.csv", "v3_emissions.csv"))
    return parts.named_runs(read.parsed, db.regions.names)


def intensity(value: float, region_id: str = "test:grid", year: int = 2023) -> Resolved:
    return Resolved(value=value, year=year, source="test", region_id=region_id, basis=DEFAULT_BASIS)


# ---- reading the uploads -------------------------------------------------------------------------


def test_bad_files_are_refused_with_their_reason_and_good_ones_kept() -> None:
    too_large = b"x" * (codecarbon_files.MAX_FILE_BYTES + 1)
    files = [
        *fixture("v2_emissions.csv"),
        ("notes*.csv", b"date,comment\n2024-01-01,hello\n"),
        ("binary.csv", bytes(range(256))),
        ("huge.csv", too_large),
        ("header-only.csv", (FIXTURES / "v2_emissions.csv").read_bytes().split(b"\n", 1)[0] + b"\n"),
    ]
    read = parts.read_uploads(files)
    assert [p.path for p in read.parsed] == ["v2_emissions.csv"]
    reasons = dict(read.failed)
    assert list(reasons) == ["notes*.csv", "binary.csv", "huge.csv", "header-only.csv"]
    assert reasons["notes*.csv"].startswith("not a CodeCarbon emissions file")
    assert reasons["binary.csv"] == "not UTF-8 text (is it a CodeCarbon emissions.csv?)"
    assert reasons["huge.csv"] == "larger than 64 MiB"
    assert reasons["header-only.csv"] == "No CodeCarbon rows with energy in this file"
    message = parts.failed_message(read, len(files))
    assert "notes\\*" in message  # the user's text is escaped, not read as Markdown
    shown = message.replace("\\", "")
    assert shown.startswith("4 of 5 files not imported (the others are):\n\n- notes*.csv: not a CodeCarbon")
    assert shown.endswith("- header-only.csv: No CodeCarbon rows with energy in this file")
    only_bad = parts.read_uploads(files[1:3])
    assert parts.failed_message(only_bad, 2).replace("\\", "").startswith("2 of 2 files not imported:")


def test_skipped_lines_are_listed_ten_at_most() -> None:
    # messy_emissions.csv repeats its header and ends on a truncated line (README.md there).
    read = parts.read_uploads(fixture("messy_emissions.csv"))
    assert read.parsed and not read.failed
    message = parts.warnings_message(read.warnings).replace("\\", "")
    assert message.startswith(f"{len(read.warnings)} lines skipped or repaired:")
    assert "repeated header line skipped" in message and "more." not in message
    many = [f"f.csv line {n}: skipped" for n in range(12)]
    message = parts.warnings_message(many).replace("\\", "")
    assert "line 9: skipped" in message and "line 10: skipped" not in message
    one = parts.warnings_message(["f.csv line 1: 14 empty header cells, kept as column_N"])
    assert one.startswith("1 line skipped or repaired:")
    assert message.endswith("and 2 more.")


# ---- the runs ------------------------------------------------------------------------------------


def test_runs_are_totalled_from_their_last_rows_and_located(runs: pd.DataFrame) -> None:
    by_id = runs.set_index("run_id")
    for run_id, energy_kwh in V2_KWH.items():
        assert by_id.loc[run_id, "energy_kwh"] == pytest.approx(energy_kwh)
        assert by_id.loc[run_id, "own_region"] == "aws:us-east-1"
    vit = by_id.loc["8f2c1b7a-1111-4a2b-9c3d-abcdefabcdef"]
    assert vit["energy_kwh"] == pytest.approx(V3_KWH)
    assert vit["own_region"] == "gcp:europe-west4"
    assert sorted(runs["run"]) == [
        "llama-lora · 5b0fa12f",
        "llama-lora · c1d2e3f4",
        "vit-pretrain · 8f2c1b7a",
    ]


def test_own_region_prefers_the_cloud_region_then_the_country(db) -> None:
    names = db.regions.names
    assert (
        parts.own_region({"cloud_provider": "GCP", "cloud_region": "europe-west4"}, names)
        == "gcp:europe-west4"
    )
    # An unknown cloud region falls back to the country (ISO alpha-3).
    row = {"cloud_provider": "aws", "cloud_region": "mars-1", "country_iso_code": "FRA"}
    assert parts.own_region(row, names) == "country:FR"
    assert parts.own_region({"country_iso_code": "XXX"}, names) is None
    assert parts.own_region({}, names) is None


def test_run_labels_stay_short_and_keep_a_files_line_number() -> None:
    uuid_run = {"project_name": "a-very-long-project-name", "run_id": "2012a217-6530-46c0-b1d2-9c3929fb2397"}
    assert parts.run_label(uuid_run) == "a-very…ct-name · 2012a217"
    no_id = {"project_name": math.nan, "run_id": "real_2021_empty_header_cells.csv:7"}
    label = parts.run_label(no_id)
    assert label.startswith("(no project) · ") and label.endswith(".csv:7") and "…" in label
    assert len(label) < 40
    assert parts.shorten("short", 22) == "short"
    assert len(parts.shorten("x" * 50, 22)) == 22


def test_a_run_id_in_two_files_is_named_with_its_files(db) -> None:
    # Two versions of mlco2/codecarbon examples/emissions.csv sharing five experiment ids.
    read = parts.read_uploads(fixture("real_v1_experiment_id.csv", "real_v1_pandas_index.csv"))
    runs = parts.named_runs(read.parsed, db.regions.names)
    message = parts.repeated_message(runs)
    assert message is not None
    assert message.startswith("5 run id(s) appear in more than one file")
    assert message.replace("\\", "").count("in real_v1_experiment_id.csv, real_v1_pandas_index.csv") == 5


def test_no_warning_when_every_run_id_is_in_one_file(runs: pd.DataFrame) -> None:
    assert parts.repeated_message(runs) is None


def test_the_page_opens_on_the_region_with_the_most_energy(runs: pd.DataFrame, db) -> None:
    region_ids = sorted(db.regions.regions)
    # 2.9838 + 0.7448 kWh on aws:us-east-1 against 2.91 kWh on gcp:europe-west4.
    assert parts.default_region(runs, region_ids) == "aws:us-east-1"
    assert (
        parts.default_region(runs[runs["own_region"] == "gcp:europe-west4"], region_ids) == "gcp:europe-west4"
    )
    nowhere = runs.assign(own_region=None)
    assert parts.default_region(nowhere, region_ids) == parts.WORLD
    assert parts.default_region(nowhere, ["a:b", "c:d"]) == "a:b"


# ---- re-pricing ----------------------------------------------------------------------------------


class NoIntensityFor:
    """A region database in which ``missing`` has no intensity; others as in ``regions``."""

    def __init__(self, regions, missing: str) -> None:
        self.regions, self.missing = regions, missing

    def intensity_years(self, region_id: str) -> list[int]:
        return [] if region_id == self.missing else self.regions.intensity_years(region_id)

    def intensity(self, region_id: str, year: int | None = None) -> Resolved:
        return self.regions.intensity(region_id, year)


def test_repricing_swaps_the_files_pue_and_prices_where_each_run_ran(runs: pd.DataFrame, db) -> None:
    chosen = intensity(100.0)
    same = parts.repriced_runs(runs, chosen, None, db.regions).set_index("run_id")
    assert same["co2e_kg"].sum() == pytest.approx((sum(V2_KWH.values()) + V3_KWH) * 100.0 / 1000)
    own = parts.repriced_runs(runs, chosen, 1.5, db.regions).set_index("run_id")
    vit = own.loc["8f2c1b7a-1111-4a2b-9c3d-abcdefabcdef"]
    assert vit["what_if_energy_kwh"] == pytest.approx(V3_KWH / 1.1 * 1.5)  # the file's PUE 1.1 replaced
    assert vit["energy_kwh"] == pytest.approx(V3_KWH)  # the measured energy is kept
    assert vit["co2e_kg"] == pytest.approx(V3_KWH / 1.1 * 1.5 * 100.0 / 1000)
    assert set(own["what_if_pue"]) == {1.5}
    # Where it ran: the measured energy (the what-if's PUE does not touch it), at aws:us-east-1's
    # figure for 2024, the year the run started (2024-05-03 in v2_emissions.csv).
    aws = db.regions.intensity("aws:us-east-1", 2024)
    llama = own.loc["c1d2e3f4-0000-4b5c-8d9e-123456789abc"]
    assert llama["own_region_co2e_kg"] == pytest.approx(0.7448 * aws.value / 1000)
    assert (llama["own_region_year"], llama["own_region_basis"]) == (2024, aws.basis)
    assert "what_if_energy_kwh" not in runs.columns  # the input is left as it was
    partial = parts.repriced_runs(runs, chosen, None, NoIntensityFor(db.regions, "gcp:europe-west4"))
    unpriced = partial[partial["own_region"] == "gcp:europe-west4"]
    assert unpriced["own_region_co2e_kg"].isna().all() and unpriced["own_region_year"].isna().all()


def test_captions_name_the_intensity_its_source_and_the_sum(runs: pd.DataFrame, db) -> None:
    nl = db.regions.intensity("gcp:europe-west4")  # priced from its grid, another region id
    caption = parts.price_caption("gcp:europe-west4", nl, 1.25, runs)
    assert caption.startswith(
        f"gcp:europe-west4: {nl.value:,.1f} gCO₂e/kWh (location-based, {nl.basis} basis"
    )
    assert f"from `{nl.region_id}`" in caption and "PUE 1.25 applied to every run" in caption
    assert caption.endswith("Files' own regions: aws:us-east-1, gcp:europe-west4.")
    own = parts.price_caption("test:grid", intensity(50.0), None, runs.assign(own_region=None))
    assert "from `" not in own and "PUE as measured" in own and own.endswith("none recognised.")
    total = parts.total_caption(runs.assign(what_if_energy_kwh=[2.0, 1.0, 1.0]), intensity(250.0))
    assert total == f"4 kWh × 250.0 g/kWh ({DEFAULT_BASIS} basis, 2023) ÷ 1,000 g/kg = 1 kg CO₂e."
    assert parts.total_caption(runs.assign(what_if_energy_kwh=0.0), intensity(250.0)) is None


# ---- by project and per run ----------------------------------------------------------------------


def test_projects_are_summed_largest_first_with_a_name_for_runs_without_one(runs: pd.DataFrame, db) -> None:
    repriced = parts.repriced_runs(runs, intensity(100.0), None, db.regions)
    repriced.loc[repriced["run_id"].str.startswith("c1d2"), "project_name"] = None
    table = parts.by_project(repriced).set_index("project")
    # CO2e at 100 g/kWh: llama-lora 2.9838 kWh, vit-pretrain 2.91 kWh, run c1d2e3f4 0.7448 kWh.
    assert list(table.index) == ["llama-lora", "vit-pretrain", parts.NO_PROJECT]
    assert table.loc["llama-lora", "energy_kwh"] == pytest.approx(2.9838)
    assert table.loc[parts.NO_PROJECT, "runs"] == 1
    assert table["runs"].sum() == 3


def test_project_chart_draws_the_largest_on_top_with_basis_and_year(runs: pd.DataFrame, db) -> None:
    repriced = parts.repriced_runs(runs, intensity(100.0, year=2021), None, db.regions)
    projects = parts.by_project(repriced)
    chart = parts.project_chart(projects, "test:grid", intensity(100.0, year=2021))
    bars = chart.data[0]
    assert list(bars.y) == list(projects["project"])[::-1]  # plotly draws the first at the bottom
    assert list(bars.x) == pytest.approx(list(projects["co2e_kg"])[::-1])
    assert chart.layout.xaxis.title.text == (
        f"What if all ran in test:grid: CO₂e, {DEFAULT_BASIS} basis, 2021 [kg]"
    )
    assert chart.layout.height == max(220, 36 * len(projects) + 80)


def test_runs_table_puts_results_first_and_says_yes_or_no(runs: pd.DataFrame, db) -> None:
    repriced = parts.repriced_runs(runs, intensity(100.0), None, db.regions)
    table = parts.runs_table(repriced)
    assert list(table.columns[:5]) == [
        "run",
        "project_name",
        "energy_kwh",
        "codecarbon_co2e_kg",
        "own_region",
    ]
    assert set(table["pue_from_file"]) == {"yes"}
    assert all(table[column].notna().any() for column in table.columns)
    labels = parts.runs_columns("test:grid", intensity(100.0, year=2021))
    assert labels["co2e_kg"]["label"] == f"What if in test:grid [kg] ({DEFAULT_BASIS} basis, 2021)"
    assert labels["run_id"]["type_config"]["type"] == "text"
