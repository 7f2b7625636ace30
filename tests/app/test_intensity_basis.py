"""Every page that prints an intensity names its basis and year, and none ranks two bases together.

The expected values come from the bundled region database (region_db/), looked up directly.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app import audit, maps
from tests.app import apps
from tests.app.apps import ROOT
from wattprint.db import tables
from wattprint.db.loader import load_databases
from wattprint.db.schema import DEFAULT_BASIS, INTENSITY_BASES
from wattprint.engine.picker import rank_regions
from wattprint.errors import InputError


def routed(page: str, query: dict[str, str] | None = None) -> AppTest:
    """:func:`tests.app.apps.routed`, and no inline error either."""
    at = apps.routed(page, dict(query or {}))
    assert not at.error, [e.value for e in at.error]
    return at


def world_map(at: AppTest) -> dict:  # type: ignore[type-arg]
    """The page's map: its first chart drawn on a world map (a scattergeo trace)."""
    specs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    found = [spec for spec in specs if spec["data"] and spec["data"][0]["type"] == "scattergeo"]
    assert found, "no map on the page"
    return found[0]  # type: ignore[no-any-return]


# --- regions page -----------------------------------------------------------------------------------


def test_regions_table_and_map_show_one_basis_with_its_year() -> None:
    at = routed("regions.py")
    assert at.selectbox(key="reg_basis").value == DEFAULT_BASIS
    table = at.dataframe[0].value
    assert {"Basis", "Year"} <= set(table.columns)
    assert set(table["Basis"]) == {DEFAULT_BASIS}
    db = load_databases().regions
    row = table.set_index("id").loc["aws:us-east-1"]
    expected = db.intensity("aws:us-east-1")
    assert row["Intensity [gCO2e/kWh]"] == pytest.approx(expected.value)
    assert row["Year"].startswith(str(expected.year))
    # The map: one trace of dots, each labelled with the basis and year of its figure.
    dots = world_map(at)["data"][0]
    assert all(f"intensity: {DEFAULT_BASIS}, " in text for text in dots["text"])
    located = table.dropna(subset=["Intensity [gCO2e/kWh]"])
    assert len(dots["text"]) == int(
        sum(db.regions[i].latitude is not None and db.regions[i].longitude is not None for i in located["id"])
    )


def test_regions_basis_selector_switches_every_row_and_dot() -> None:
    at = routed("regions.py")
    at.selectbox(key="reg_basis").set_value("operational").run()
    assert not at.exception
    table = at.dataframe[0].value
    expected = tables.region_frame(load_databases().regions, None, "operational")
    assert sorted(table["id"]) == sorted(expected["id"])
    assert set(table["Basis"]) == {"operational"}
    dots = world_map(at)["data"][0]
    assert all("intensity: operational, " in text for text in dots["text"])
    assert "operational" in dots["marker"]["colorbar"]["title"]["text"]


def test_regions_shows_googles_own_figure_and_cfe_beside_the_grid_figure() -> None:
    at = routed("regions.py")
    at.selectbox(key="reg_provider").set_value("gcp").run()
    row = at.dataframe[0].value.set_index("id").loc["gcp:europe-north2"]
    region = load_databases().regions.get("gcp:europe-north2")
    own = max(region.provider_intensity_g_per_kwh, key=lambda fact: fact.year)
    cfe = max(region.cfe_fraction, key=lambda fact: fact.year)
    grid = load_databases().regions.intensity("gcp:europe-north2")
    assert row["Basis"] == "lifecycle"
    assert row["Intensity [gCO2e/kWh]"] == pytest.approx(grid.value)  # Sweden's figure, not Google's
    # (a number, or its text when the column has empty cells)
    assert float(str(row["Provider's own figure [gCO2e/kWh]"])) == pytest.approx(own.value, abs=0.005)
    assert row["Provider's figure basis, year"] == f"{own.basis} {own.year}"
    assert float(str(row["Provider's CFE [%]"])) == pytest.approx(cfe.value * 100, abs=0.5)
    assert row["CFE year"] == str(cfe.year)
    assert any("provider's" in c.value for c in at.caption)


def test_regions_missing_figure_is_missing_with_its_reason_never_zero() -> None:
    at = routed("regions.py")
    table = at.dataframe[0].value
    assert (table["Intensity [gCO2e/kWh]"] >= 10).all()  # no lifecycle figure is 0
    # One source and one year in the table (Electricity Maps 2025), said under the heading.
    assert table["Year"].str.startswith("2025").all()
    assert any("Electricity Maps" in c.value and "2025" in c.value for c in at.caption)
    # Ember / OWID report 0 for the Central African Republic: on its own page those years are
    # listed without a value, each with the reason, beside Electricity Maps' figures (ranked on).
    reason = load_databases().regions.get("country:CF").intensity_missing[0].reason
    at.selectbox(key="reg_detail").set_value("country:CF").run()
    history = at.dataframe[-1].value
    ember = history[history["Source"].str.contains("Ember")]
    assert len(ember) >= 5 and ember["Intensity [gCO2e/kWh]"].astype(str).str.strip().eq("").all()
    assert (ember["Missing because"] == reason).all()
    ranked = history[history["Ranked on"] == "yes"]
    assert len(ranked) == 5 and ranked["Source"].str.contains("Electricity Maps").all()


# --- region picker ----------------------------------------------------------------------------------


def test_picker_ranks_one_basis_with_year_and_says_what_it_left_out() -> None:
    at = routed("picker.py")
    table = at.dataframe[0].value
    assert set(table["Basis"]) == {DEFAULT_BASIS}
    db = load_databases().regions
    for region_id, year in zip(table["Region"], table["Intensity year"], strict=True):
        assert int(year) == db.intensity(region_id).year
    caption = " ".join(c.value for c in at.caption)
    assert f"on the {DEFAULT_BASIS} basis" in caption


def test_picker_on_the_operational_basis_ranks_only_providers_own_figures() -> None:
    at = routed("picker.py", {"basis": "operational", "top": "50"})
    table = at.dataframe[0].value
    assert set(table["Basis"]) == {"operational"}
    assert set(table["Provider"]) == {"gcp"}  # only Google publishes its own figure
    db = load_databases().regions
    left_out = tables.excluded_regions(db, None, "operational")
    clouds_left_out = int((left_out["kind"] == "cloud").sum())
    caption = " ".join(c.value for c in at.caption).replace("\\", "")
    assert f"Left out {clouds_left_out}" in caption and "no operational figure" in caption


def test_picker_refuses_a_basis_from_the_link_it_does_not_know() -> None:
    at = routed("picker.py", {"basis": "market"})
    assert at.selectbox(key="picker_basis").value == DEFAULT_BASIS
    assert any("basis" in w.value for w in at.warning)


def test_rank_regions_refuses_two_bases() -> None:
    mixed = pd.DataFrame(
        {
            "id": ["a", "b"],
            "co2e_kg": [1.0, 2.0],
            "latitude": [0.0, 0.0],
            "longitude": [0.0, 1.0],
            "price_index": [1.0, 1.0],
            "intensity_basis": ["lifecycle", "operational"],
        }
    )
    with pytest.raises(InputError, match="different intensity bases"):
        rank_regions(mixed, 1.0, 0.0, 0.0)
    assert list(rank_regions(mixed.iloc[:1], 1.0, 0.0, 0.0)["id"]) == ["a"]


def test_map_refuses_two_bases_on_one_scale() -> None:
    db = load_databases().regions
    frame = pd.concat(
        [
            tables.region_frame(db, None, "lifecycle").head(3),
            tables.region_frame(db, None, "operational").head(3),
        ]
    )
    with pytest.raises(ValueError, match="different bases"):
        maps.region_map(frame, "intensity_g_per_kwh", "gCO2e/kWh")
    assert maps.one_basis(frame.head(3)) == "lifecycle"
    assert set(INTENSITY_BASES) >= {"lifecycle", "operational"}


# --- batch, CodeCarbon, time shifting ----------------------------------------------------------------

JOBS = (
    b"name,hardware,count,hours,region,year,intensity_g_per_kwh\n"
    b"latest,nvidia-h100-sxm5-80gb,8,10,aws:us-east-1,,\n"
    b"asked,nvidia-h100-sxm5-80gb,8,10,country:FR,2020,\n"
    b"given,nvidia-h100-sxm5-80gb,8,10,,,350\n"
    b"bad,nvidia-h100-sxm5-80gb,x,10,aws:us-east-1,,\n"
)


def test_batch_rows_name_the_basis_and_year_of_their_intensity() -> None:
    at = routed("batch.py")
    at.file_uploader(key="batch_upload").upload("jobs.csv", JOBS, "text/csv").run()
    assert not at.exception, at.exception
    results = at.dataframe[0].value.set_index("name")
    db = load_databases().regions
    assert results.loc["latest", "intensity_basis"] == DEFAULT_BASIS
    assert results.loc["latest", "intensity_year"] == f"{db.intensity('aws:us-east-1').year}"
    assert results.loc["asked", "intensity_year"] == "2020"
    assert results.loc["given", "intensity_basis"] == audit.GIVEN_BASIS
    assert results.loc["given", "intensity_year"] == ""
    assert results.loc["bad", "intensity_basis"] == ""
    caption = " ".join(c.value for c in at.caption)
    assert "1 row(s) give their own intensity" in caption


def test_codecarbon_names_the_basis_and_year_of_every_price() -> None:
    v2 = (ROOT / "tests" / "fixtures" / "codecarbon" / "v2_emissions.csv").read_bytes()
    at = routed("codecarbon.py")
    at.file_uploader(key="cc_files").upload("aws-runs.csv", v2, "text/csv").run()
    at.selectbox(key="cc_region").set_value("country:FR").run()
    chosen = load_databases().regions.intensity("country:FR")
    caption = " ".join(c.value for c in at.caption)
    assert f"{chosen.value:,.1f} gCO₂e/kWh (location-based, {chosen.basis} basis, {chosen.year}" in caption
    runs = at.session_state["cc_runs"]
    assert set(runs["own_region_basis"]) == {DEFAULT_BASIS}


def test_timeshift_names_the_basis_of_its_series() -> None:
    at = routed("timeshift.py")
    caption = " ".join(c.value for c in at.caption)
    assert f"Intensity basis: {DEFAULT_BASIS}; the series covers 2021" in caption  # CISO 2021-2024
