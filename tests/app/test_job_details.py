"""The calculator's parts below the headline, without a browser: what they list comes from the job."""

from __future__ import annotations

import pytest

from app import job_details, state
from wattprint.engine.equivalents import equivalents


@pytest.fixture
def result(databases):
    values, problems = state.parse_params({"hardware": "nvidia-a100-sxm4-40gb", "count": "4", "hours": "10"})
    assert not problems
    return state.compute({**state.DEFAULTS, **values}, databases)


def test_summary_carries_the_footprint_other_pages_read(result):
    summary = job_details.result_summary(result)
    footprint = result.footprint
    assert summary["co2e_kg"] == footprint.co2e_kg
    assert summary["energy_kwh"] == footprint.energy_kwh
    assert summary["device_hours"] == pytest.approx(40.0)
    assert summary["co2e_kg_low"] <= summary["co2e_kg"] <= summary["co2e_kg_high"]
    assert summary["greener_region"] == result.greener.region_id
    assert summary["serving_co2e_kg"] is None  # serving not counted by default


def test_assumption_rows_list_every_assumption_with_source_and_year(result):
    rows = job_details.assumption_rows(result)
    names = [a.name for a in result.footprint.assumptions]
    assert list(rows.index) == names
    assert {"value", "unit", "source", "year"} <= set(rows.columns)
    assert not rows["source"].isna().any()
    assert "None" not in rows.astype(str).to_numpy().ravel()


def test_equivalent_rows_follow_the_total(result):
    items = equivalents(result.footprint.total_co2e_kg, result.footprint.intensity_g_per_kwh)
    rows = job_details.equivalent_rows(items)
    assert list(rows.index) == [item.name for item in items]
    assert list(rows.columns) == ["factor", "source", "year"]
    doubled = equivalents(2 * result.footprint.total_co2e_kg, result.footprint.intensity_g_per_kwh)
    assert [d.count for d in doubled] == pytest.approx([2 * i.count for i in items])


@pytest.mark.parametrize(
    "region_id,name,shown",
    [
        ("gcp:europe-west6", "europe-west6 (Zürich)", "Zürich"),
        ("gcp:northamerica-northeast1", "northamerica-northeast1 (Montréal)", "Montréal"),
        ("aws:ca-central-1", "Canada (Central)", "Canada (Central)"),
        ("country:FR", "France", "France"),
    ],
)
def test_place_name_drops_the_region_id_from_its_name(region_id, name, shown):
    from app import components

    assert components.place_name(region_id, name) == shown


def test_job_title_names_the_place_once(databases):
    from app import components

    values, _ = state.parse_params({"region": "gcp:europe-west6"})
    result = state.compute({**state.DEFAULTS, **values}, databases)
    title = components.job_title(result, databases)
    assert title.endswith("Zürich (gcp:europe-west6)"), title
    assert title.count("europe-west6") == 1
