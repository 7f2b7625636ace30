"""Helpers of the audit pages: upload errors name the user's file, CodeCarbon detection,
readable tables, Parquet download."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd

from app import audit

ROOT = Path(__file__).resolve().parents[2]


def test_server_temp_path_is_replaced_by_the_uploaded_name() -> None:
    message = "/tmp/tmpk2j_x9/upload.csv: not UTF-8 text"
    assert audit.name_the_upload(message, "jobs (1).csv") == "jobs (1).csv: not UTF-8 text"
    parquet = "/tmp/tmpab/upload.parquet: not a readable Parquet file (bad magic)"
    assert audit.name_the_upload(parquet, "j.parquet").startswith("j.parquet: not a readable")
    assert audit.name_the_upload("count: not a number", "j.csv") == "count: not a number"


def test_codecarbon_files_are_recognised_and_job_files_are_not() -> None:
    for name in ("v1_emissions.csv", "v2_emissions.csv", "v3_emissions.csv", "messy_emissions.csv"):
        assert audit.looks_like_codecarbon((ROOT / "tests/fixtures/codecarbon" / name).read_bytes()), name
    assert not audit.looks_like_codecarbon(b"name,hardware,count,hours,region\n")
    assert audit.looks_like_codecarbon(b"duration;emissions;energy_consumed\n1;2;3\n")  # a ; export


def test_readable_puts_results_first_and_drops_empty_columns() -> None:
    frame = pd.DataFrame(
        {"power_w": [math.nan, math.nan], "name": ["a", None], "co2e_kg": [1.0, math.nan], "note": ["", " "]}
    )
    shown = audit.readable(frame, ("co2e_kg", "name"))
    assert list(shown.columns) == ["co2e_kg", "name"]
    assert shown["name"].tolist() == ["a", ""]
    rendered = audit.blank_missing(shown).to_string()
    assert "None" not in rendered and "nan" not in rendered


def test_parquet_download_round_trips_with_formulas_neutralised() -> None:
    frame = pd.DataFrame({"name": ["=cmd()", "ok"], "co2e_kg": [1.5, -2.0]})
    back = pd.read_parquet(io.BytesIO(audit.parquet_bytes(frame)))
    assert back["name"].tolist() == ["'=cmd()", "ok"]
    assert back["co2e_kg"].tolist() == [1.5, -2.0]
