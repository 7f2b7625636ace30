"""Compare regions ranks one intensity basis; the calculator's and report's region pickers name
basis and year, and a link to a region without a default-basis figure says why it is not used.

Expected values come from the bundled region database (region_db/), looked up directly, and from
the CLI's own wording (wattprint/commands/compare.py), so a page that drifts from either fails.
"""

from __future__ import annotations

import json
import math

import pytest
from streamlit.testing.v1 import AppTest

import wattprint
from app import components, state
from tests.app.apps import opened, routed
from wattprint.commands.compare import left_out_line
from wattprint.db import tables
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.engine import units
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import JobSpec, resolve


def metric(at: AppTest, prefix: str):  # type: ignore[no-untyped-def]
    return next(m for m in at.metric if m.label.startswith(prefix))


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption).replace("\\", "")


def test_compare_ranks_one_basis_with_year_stale_and_left_out(databases):
    at = opened("compare.py")
    assert at.selectbox(key="compare_basis").value == DEFAULT_BASIS
    ranked = at.session_state["compare_result"]
    assert set(ranked["intensity_basis"]) == {DEFAULT_BASIS}
    expected = tables.region_frame(databases.regions, None, DEFAULT_BASIS)
    expected = expected[expected["kind"] == "cloud"]
    assert sorted(ranked["id"]) == sorted(expected["id"])
    best = ranked.iloc[0]
    own = databases.regions.intensity(str(best["id"]), None, DEFAULT_BASIS)
    assert metric(at, "Cleanest region").value  # named under it, with basis and year
    assert f"g/kWh {DEFAULT_BASIS} {own.year}" in captions(at)
    assert int(best["intensity_year"]) == own.year
    table = at.dataframe[0].value
    assert {"intensity_basis", "intensity_year", "stale"} <= set(table.columns)
    left_out = tables.excluded_regions(databases.regions, None, DEFAULT_BASIS)
    assert left_out_line(left_out[left_out["kind"] == "cloud"], DEFAULT_BASIS) in captions(at)


def test_compare_countries_count_the_one_left_out_with_its_reason(databases):
    at = opened("compare.py", {"kinds": "country"})
    left_out = tables.excluded_regions(databases.regions, None, DEFAULT_BASIS)
    left_out = left_out[left_out["kind"] == "country"]
    assert len(left_out) >= 1  # country:CF: Ember/OWID report 0 g/kWh, i.e. no data
    line = left_out_line(left_out, DEFAULT_BASIS)
    assert f"Left out {len(left_out)} region(s)" in line and line in captions(at)
    listed = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert set(listed["id"]) == set(left_out["id"])
    assert not set(left_out["id"]) & set(at.session_state["compare_result"]["id"])


def test_compare_link_with_basis_restores_and_does_not_compute_savings_without_own_figure(databases):
    at = opened("compare.py", {"count": "4", "hours": "10.0", "basis": "direct", "kinds": "cloud,grid"})
    assert at.selectbox(key="compare_basis").value == "direct"
    ranked = at.session_state["compare_result"]
    assert set(ranked["intensity_basis"]) == {"direct"}
    assert set(ranked["kind"]) <= {"cloud", "grid"}
    with pytest.raises(Exception, match="no direct"):
        databases.regions.intensity("aws:us-east-1", None, "direct")
    assert ranked["savings_fraction"].isna().all()  # the job's aws:us-east-1 has no direct figure
    assert any("Savings are not computed" in i.value.replace("\\", "") for i in at.info)
    assert metric(at, "Your choice").value == "not comparable"
    assert at.query_params["basis"] in (["direct"], "direct")
    best = ranked.iloc[0]
    assert f"({best['id']}): " in captions(at)
    assert f"g/kWh direct {int(best['intensity_year'])}" in captions(at)


def test_compare_savings_are_against_the_jobs_own_figure_of_that_basis(databases):
    direct = tables.region_frame(databases.regions, None, "direct")
    region = str(direct.loc[direct["kind"] == "cloud", "id"].iloc[-1])  # a cloud region with one
    at = opened("compare.py", {"region": region, "basis": "direct"})
    spec = JobSpec(hardware="nvidia-h100-sxm5-80gb", count=8, hours=24, region=region, utilization=1.0)
    footprint = estimate(resolve(spec, databases))
    own = databases.regions.intensity(region, None, "direct")
    baseline = footprint.energy_kwh * own.value / units.G_PER_KG
    assert metric(at, "Your choice").value == components.kg(baseline)
    ranked = at.session_state["compare_result"]
    assert ranked["savings_kg"].tolist() == pytest.approx((baseline - ranked["co2e_kg"]).tolist())
    assert not math.isclose(baseline, footprint.co2e_kg)  # not the lifecycle footprint


def test_compare_chart_hover_names_basis_and_year():
    at = opened("compare.py", {"basis": "operational"})
    ranked = at.session_state["compare_result"]
    bars = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["data"][0]["type"] == "bar"
    )
    hovers = bars["data"][0]["customdata"]
    year = int(ranked.iloc[0]["intensity_year"])
    assert all(" operational " in text for text in hovers)
    assert any(f"operational {year}" in text for text in hovers)


def test_calculator_region_labels_name_basis_and_year(databases):
    at = opened("calculator.py")
    box = at.selectbox(key="calc_region")
    intensity = databases.regions.intensity("aws:us-east-1")
    label = next(option for option in box.options if option.startswith("aws:us-east-1 "))
    assert f"({intensity.value:,.0f} g/kWh {intensity.basis} {intensity.year}" in label
    assert all(f" g/kWh {DEFAULT_BASIS} " in option for option in box.options)


def test_calculator_years_are_the_chosen_regions_own(databases):
    left_out = tables.excluded_regions(databases.regions)
    frame = tables.region_frame(databases.regions)
    grid = str(frame.loc[frame["kind"] == "country", "id"].iloc[0])
    at = opened("calculator.py", {"location": "grid", "grid": grid})
    offered = at.selectbox(key="calc_year").options
    own = [str(year) for year in databases.regions.intensity_years(grid)]
    assert [o for o in offered if not o.startswith("latest")] == own
    assert grid not in set(left_out["id"])


def test_report_link_to_a_region_without_a_lifecycle_figure_says_why(databases):
    left_out = tables.excluded_regions(databases.regions)
    missing = left_out[left_out["kind"] != "cloud"]
    assert not missing.empty
    region, reason = str(missing["id"].iloc[0]), str(missing["reason"].iloc[0])
    at = opened("report.py", {"location": "grid", "grid": region})
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")
    assert f"has no {DEFAULT_BASIS} figure" in warnings and reason.split(" (")[0] in warnings
    assert not at.error
    assert region not in at.selectbox(key="calc_grid").options
    assert at.session_state["report_texts"]["markdown"]


def test_check_ids_gives_the_reason_for_a_known_region_without_a_figure():
    job = {**state.DEFAULTS, "grid": "country:XX"}
    problems = state.check_ids(
        job, {job["hardware"]}, [job["region"]], ["country:FR"], {"country:XX": "source reports 0"}
    )
    assert problems == [
        f"grid 'country:XX' has no {DEFAULT_BASIS} figure (source reports 0); using country:FR"
    ]
    assert job["grid"] == "country:FR"


def test_a_grid_without_its_own_figure_moves_to_the_country_whose_figure_it_takes():
    job = {**state.DEFAULTS, "region": "us-state:CA"}
    problems = state.check_ids(
        job,
        {job["hardware"]},
        [state.DEFAULTS["region"]],
        ["country:US"],
        {"us-state:CA": "no figure of its own"},
        takes_from={"us-state:CA": "country:US"},
    )
    assert problems == [
        f"region 'us-state:CA' has no {DEFAULT_BASIS} figure (no figure of its own); using country:US, "
        f"whose {DEFAULT_BASIS} figure it would take"
    ]
    assert (job["location"], job["grid"], job["region"]) == ("grid", "country:US", state.DEFAULTS["region"])


def test_a_link_to_a_us_state_is_priced_as_the_nation_and_says_so():
    at = routed(
        "calculator.py",
        {"hardware": "nvidia-a100-sxm4-80gb", "count": "32", "hours": "216", "region": "us-state:CA"},
    )
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "region 'us-state:CA' has no lifecycle figure" in warnings
    assert "using country:US, whose lifecycle figure it would take" in warnings
    job = at.session_state[state.SAVED_KEY]
    assert (job["location"], job["grid"]) == ("grid", "country:US")
    nation = wattprint.estimate(hardware="nvidia-a100-sxm4-80gb", count=32, hours=216, region="country:US")
    shown = next(m.value for m in at.metric if m.label.startswith("Operational CO"))
    assert shown.startswith(f"{nation.co2e_kg:,.0f} kg"), shown
