"""Reading intensity series: bundled profiles and user CSVs (generic, Electricity Maps, WattTime)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd
import pytest

from wattprint.db.series import load_profile, read_user_series
from wattprint.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ROOT / "region_db" / "profiles"


def test_load_bundled_profile_is_utc_and_sorted() -> None:
    series = load_profile(PROFILES / "eia-ciso-2022.csv.gz")
    assert str(series.index.tz) == "UTC"
    assert series.index.is_monotonic_increasing
    assert len(series) == 8760
    assert series.name == "intensity_g_per_kwh"
    assert series.attrs["filled"].sum() == 3  # index.yaml: gaps_filled 3
    assert (series >= 0).all()


def test_load_profile_mixed_cadence_gb() -> None:
    series = load_profile(PROFILES / "entsoe-gb-2020.csv.gz")
    steps = series.index.to_series().diff().dropna().value_counts()
    assert set(steps.index) == {pd.Timedelta("30min"), pd.Timedelta("15min")}


def test_load_profile_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(gzip.compress(b"timestamp,value\n2022-01-01T00:00:00+00:00,1\n"))
    with pytest.raises(InputError, match="lacks column"):
        load_profile(path)


def test_generic_csv_with_bom_and_semicolons() -> None:
    text = "\ufefftimestamp;intensity_g_per_kwh\n2022-01-01T01:00:00+01:00;100\n2022-01-01T01:00:00Z;200\n"
    series = read_user_series(text.encode("utf-8"))
    assert list(series) == [100.0, 200.0]
    assert series.index[0] == pd.Timestamp("2022-01-01T00:00Z")
    assert series.attrs["layout"] == "generic"


def test_naive_timestamps_read_in_given_zone() -> None:
    text = "time,gco2\n2022-07-01 12:00,100\n2022-07-01 13:00,120\n"
    assert read_user_series(text.encode()).index[0] == pd.Timestamp("2022-07-01T12:00Z")
    paris = read_user_series(text.encode(), naive_timezone="Europe/Paris")
    assert paris.index[0] == pd.Timestamp("2022-07-01T10:00Z")


def test_electricity_maps_layout() -> None:
    text = (
        "Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO₂eq/kWh (direct),"
        "Carbon Intensity gCO₂eq/kWh (LCA),Low Carbon Percentage,Renewable Percentage\n"
        "2022-01-01 00:00:00,France,France,FR,60.1,80.5,90,20\n"
        "2022-01-01 01:00:00,France,France,FR,61.2,82.0,90,20\n"
    )
    lca = read_user_series(io.BytesIO(text.encode("utf-8")))
    assert list(lca) == [80.5, 82.0]
    assert lca.attrs["layout"] == "electricitymaps"
    direct = read_user_series(io.StringIO(text), electricity_maps_column="direct")
    assert list(direct) == [60.1, 61.2]


def test_watttime_layout_converts_lbs_per_mwh(tmp_path: Path) -> None:
    path = tmp_path / "wt.csv"
    path.write_text(
        "point_time,value,frequency,market,version\n"
        "2022-01-01T00:00:00+00:00,1000,300,RTM,3.2\n"
        "2022-01-01T00:05:00+00:00,500,300,RTM,3.2\n"
    )
    series = read_user_series(path)
    # 1000 lbs/MWh x 0.45359237 = 453.59237 gCO2e/kWh
    assert series.iloc[0] == pytest.approx(453.59237)
    assert series.iloc[1] == pytest.approx(226.796185)
    assert "0.45359237" in series.attrs["conversion"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("timestamp,intensity_g_per_kwh\n2022-01-01T00:00Z,1\nyesterday,2\n", "line 3: column 'timestamp'"),
        (
            "timestamp,intensity_g_per_kwh\n2022-01-01T00:00Z,1\n2022-01-01T01:00Z,abc\n",
            "line 3: .*not a number",
        ),
        ("timestamp,intensity_g_per_kwh\n2022-01-01T00:00Z,1\n2022-01-01T01:00Z,\n", "line 3: .*is empty"),
        ("timestamp,intensity_g_per_kwh\n2022-01-01T00:00Z,1\n2022-01-01T01:00Z,-4\n", "line 3: .*negative"),
        ("timestamp,intensity_g_per_kwh\n2022-01-01T00:00Z,1\n2022-01-01T00:00Z,2\n", "lines 2 and 3"),
        ("a,b,c\n1,2,3\n", "no timestamp column"),
        ("timestamp,foo,bar\n2022-01-01T00:00Z,1,2\n", "no intensity column"),
        ("", "empty"),
        ("timestamp,intensity_g_per_kwh\n", "no rows"),
    ],
)
def test_bad_user_csv(body: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_user_series(body.encode())


def test_missing_file() -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_user_series(Path("/nonexistent/x.csv"))
