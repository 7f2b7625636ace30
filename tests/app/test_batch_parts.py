"""The Batch audit page's work without a browser: pricing a jobs file with canonical ids and each
row's intensity basis and year, the grouping choices, the grouped table and chart, the texts."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from app import audit
from app import batch_parts as parts
from wattprint.db import batchfiles
from wattprint.db.loader import load_databases
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.engine import batch

# Row b names its hardware as NVML reports it and its region in capitals (aliases of row a's ids);
# c asks for a year; g gives its own intensity; d fails (count is not a number).
JOBS = (
    b"name,user,hardware,count,hours,region,year,intensity_g_per_kwh,start\n"
    b"a,alice,nvidia-h100-sxm5-80gb,8,10,aws:us-east-1,,,2024-01-03\n"
    b"b,bob,NVIDIA H100 80GB HBM3,4,5,AWS:US-EAST-1,,,2024-02-01\n"
    b"c,alice,nvidia-h100-sxm5-80gb,2,3,country:FR,2020,,\n"
    b"g,carol,nvidia-h100-sxm5-80gb,2,3,,,350,\n"
    b"d,carol,nvidia-h100-sxm5-80gb,x,3,gcp:europe-west6,,,\n"
)


@pytest.fixture(scope="module")
def db():
    return load_databases()


def read(content: bytes) -> pd.DataFrame:
    return batchfiles.read_job_buffer(content, "jobs.csv", batch.INPUT_COLUMNS)


@pytest.fixture(scope="module")
def results(db) -> pd.DataFrame:
    return parts.priced(read(JOBS), db)


def test_aliases_get_their_canonical_ids_and_each_row_its_basis_and_year(results: pd.DataFrame, db) -> None:
    rows = results.set_index("name")
    assert set(rows["hardware_id"]) == {"nvidia-h100-sxm5-80gb"}
    assert rows.loc["b", "region_id"] == "aws:us-east-1" and rows.loc["b", "region"] == "AWS:US-EAST-1"
    # Same device and region: 4 GPUs for 5 h is a quarter of 8 GPUs for 10 h.
    assert rows.loc["b", "co2e_kg"] == pytest.approx(rows.loc["a", "co2e_kg"] / 4, rel=1e-12)
    latest = db.regions.intensity("aws:us-east-1").year
    assert (rows.loc["a", "intensity_basis"], rows.loc["a", "intensity_year"]) == (DEFAULT_BASIS, latest)
    assert rows.loc["c", "intensity_year"] == 2020
    assert rows.loc["g", "intensity_basis"] == audit.GIVEN_BASIS and pd.isna(rows.loc["g", "intensity_year"])
    assert pd.isna(rows.loc["d", "intensity_basis"]) and rows.loc["d", "error"].startswith("count")
    assert list(parts.failed_rows(results)["line"]) == [rows.loc["d", "line"]]
    assert "hardware_id" not in parts.without_ids(results) and "region" in parts.without_ids(results)


def test_a_file_without_hardware_or_region_has_no_ids_to_group_on(db) -> None:
    jobs = read(b"name,team,power_w,hours,intensity_g_per_kwh\na,ml,300,2,400\nb,web,100,1,300\n")
    results = parts.priced(jobs, db)
    assert results["hardware_id"].isna().all() and results["region_id"].isna().all()
    options = parts.group_options(list(jobs.columns), results)
    assert options == ["name", "team", "power_w", "hours", "intensity_g_per_kwh"]
    assert parts.default_group(options) == "name"
    assert parts.basis_caption(results).endswith(
        "(each row's basis and year are in the table). 2 row(s) give their own intensity, whose basis "
        "the file does not state: their CO₂e is added to the total but is not on the same footing."
    )


def test_caption_names_the_years_of_the_intensities(results: pd.DataFrame, db) -> None:
    latest = db.regions.intensity("aws:us-east-1").year
    caption = parts.basis_caption(results)
    assert caption.startswith(
        f"Rows with a region are priced on its {DEFAULT_BASIS} grid intensity, years 2020-{latest} ("
    )
    assert " 1 row(s) give their own intensity" in caption
    one_year = parts.basis_caption(results[results["name"] == "a"])
    assert f", year {latest} (each row's" in one_year and "give their own" not in one_year


def test_grouping_choices_merge_aliases_and_read_months_from_start(results: pd.DataFrame) -> None:
    options = parts.group_options(list(read(JOBS).columns), results)
    assert options[:3] == ["name", "user", parts.HARDWARE]
    assert parts.REGION in options and options[-1] == parts.MONTH
    assert "line" not in options and "start" not in options
    assert parts.default_group(options) == parts.HARDWARE
    assert parts.default_group(["user", parts.MONTH]) == parts.MONTH
    assert [parts.group_key(o) for o in (parts.HARDWARE, parts.REGION, parts.MONTH, "user")] == [
        "hardware_id",
        "region_id",
        "month",
        "user",
    ]


def test_groups_sum_valid_rows_under_their_canonical_id(results: pd.DataFrame) -> None:
    rows = results.set_index("name")
    by_region = parts.grouped(results, "region_id").set_index("region_id")
    assert by_region.loc["aws:us-east-1", "jobs"] == 2  # a and b, aliases merged
    assert by_region.loc["aws:us-east-1", "co2e_kg"] == pytest.approx(rows.loc["a", "co2e_kg"] * 1.25)
    assert "gcp:europe-west6" not in by_region.index  # its only row failed
    by_month = parts.grouped(results, "month")
    assert list(by_month["month"]) == ["2024-01", "2024-02", "unknown"]
    by_user = parts.grouped(results, "user")
    assert by_user["user"].map(type).eq(str).all()


def test_chart_draws_the_largest_groups_on_top_and_says_when_some_are_left_out() -> None:
    summary = pd.DataFrame(
        {
            "team": [f"team-{n:02d}" for n in range(20)],
            "jobs": 1,
            "energy_kwh": [float(20 - n) for n in range(20)],
            "co2e_kg": [float(20 - n) for n in range(20)],
        }
    )
    chart = parts.group_chart(summary, "team", "team")
    bars = chart.data[0]
    assert len(bars.y) == parts.TOP_GROUPS
    assert bars.y[-1] == "team-00" and bars.y[0] == f"team-{parts.TOP_GROUPS - 1:02d}"
    assert chart.layout.height == 28 * parts.TOP_GROUPS + 80
    assert parts.top_caption(summary) == "The 15 largest of 20 groups; all are in the table."
    assert parts.top_caption(summary.head(parts.TOP_GROUPS)) is None
    assert parts.group_chart(summary.head(2), "team", "team").layout.height == 260
    assert parts.group_columns("team", "Team")["team"]["label"] == "Team"


def test_download_names_and_the_codecarbon_notice() -> None:
    assert parts.file_stem("my jobs.2024.csv") == "my jobs.2024"
    assert parts.file_stem(".csv") == "batch"
    assert parts.file_stem("x" * 100 + ".parquet") == "x" * parts.MAX_STEM_CHARS
    notice = parts.codecarbon_notice("emissions_*run*.csv")
    assert "emissions\\_\\*run\\*" in notice  # the user's name is not read as Markdown
    assert notice.replace("\\", "").startswith("emissions_*run*.csv is a CodeCarbon emissions file")


def test_example_file_is_a_valid_audit_with_aliases_merged() -> None:
    """The page's example: every row estimates, and the alias rows land on the canonical ids."""
    data = parts.example_csv()
    jobs = batchfiles.read_job_buffer(data, parts.EXAMPLE_NAME, batch.INPUT_COLUMNS)
    assert len(jobs) == len(parts.EXAMPLE_ROWS)
    results = parts.priced(jobs, load_databases())
    assert parts.failed_rows(results).empty
    assert results["co2e_kg"].notna().all() and (results["co2e_kg"] > 0).all()
    ids = dict(zip(pd.read_csv(io.BytesIO(data))["name"], results["hardware_id"], strict=True))
    assert ids["finetune-7b"] == "nvidia-h100-sxm5-80gb"  # "NVIDIA H100 80GB HBM3", as nvidia-smi says
    assert ids["vit-eval"] == "nvidia-v100-sxm2-16gb"  # "Tesla V100-SXM2-16GB"
