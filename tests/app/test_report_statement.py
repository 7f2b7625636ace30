"""The Report page from the user's side (issue 28): the statement says what it leaves out, gives the
central figure with its range, follows the year the work ran, cites the tool fully, labels the
model card's grams, and names each segment of a job run in parts."""

from __future__ import annotations

import json

import pytest

from app import components
from tests.app.apps import opened
from wattprint.engine.footprint import estimate, estimate_segments
from wattprint.engine.jobspec import JobSpec, resolve

# The PhD student's paper: 32 x A100 for 9 days (216 h) on the French grid, then a 3-day search on 8.
PAPER = {
    "hardware": "nvidia-a100-sxm4-80gb",
    "count": "32",
    "hours": "216.0",
    "location": "grid",
    "grid": "country:FR",
}


def statement_text(at) -> str:
    return at.session_state["report_texts"]["markdown"]


def test_statement_is_complete_and_central(databases) -> None:
    at = opened("report.py", PAPER)
    text = statement_text(at)
    spec = JobSpec(
        hardware="nvidia-a100-sxm4-80gb", count=32, hours=216, region="country:FR", utilization=1.0
    )
    footprint = estimate(resolve(spec, databases))
    # TDP x 1.0 is the top of the range; the statement and the page give its middle, 80% of it.
    low, high = footprint.range.energy_kwh_low, footprint.range.energy_kwh_high
    assert low == pytest.approx(0.6 * high)
    assert "These figures are the middle of each range" in text
    shown = [m.value for m in at.metric]
    assert components.kg(0.8 * footprint.co2e_kg) in shown
    assert components.kg(footprint.co2e_kg) not in shown
    assert "Not counted: the host CPUs (no CPU power given), memory (no memory power given)" in text
    assert "the embodied emissions of making the hardware" in text
    assert "the latest published year: the year the work ran was not given" in text
    bibtex = at.session_state["report_texts"]["bibtex"]
    tool = bibtex.split("@misc{wattprint,")[1]
    for field in ("author = {{The wattprint maintainers}}", "version = {", "url = {https://"):
        assert field in tool
    card = at.session_state["report_texts"]["model-card"]
    assert "# grams of CO2e" in card


def test_the_year_the_work_ran_sets_the_grid_year(databases) -> None:
    years = databases.regions.intensity_years("country:FR")
    at = opened("report.py", {**PAPER, "ran_in": str(max(years) + 1)})
    assert (
        f"({max(years)}, the latest published up to {max(years) + 1}, the year the work ran"
        in statement_text(at)
    )
    at.selectbox(key="report_ran_in").set_value(str(min(years))).run()
    assert f"({min(years)}, the year the work ran" in statement_text(at)
    spec = JobSpec(
        hardware="nvidia-a100-sxm4-80gb",
        count=32,
        hours=216,
        region="country:FR",
        utilization=1.0,
        year=min(years),
    )
    data = json.loads(at.session_state["report_texts"]["json"])
    assert data["footprint"]["co2e_kg"] == pytest.approx(estimate(resolve(spec, databases)).co2e_kg)


def test_a_job_in_two_segments_is_listed_and_summed(databases) -> None:
    at = opened("report.py", {**PAPER, "segments": "NVIDIA A100-SXM4-80GB,8,72,country:FR"})
    text = statement_text(at)
    assert "The work ran in 2 segments, one after another: 32 x NVIDIA A100" in text
    assert "for 216 h (6,912 device-hours)" in text and "for 72.0 h (576 device-hours)" in text
    assert "288 h and 7,488 device-hours in all" in text
    assert "32 x NVIDIA A100 SXM4 80GB for 288" not in text  # never the whole run on the first hardware
    first = JobSpec(
        hardware="nvidia-a100-sxm4-80gb", count=32, hours=216, region="country:FR", utilization=1.0
    )
    second = JobSpec(
        hardware="nvidia-a100-sxm4-80gb", count=8, hours=72, region="country:FR", utilization=1.0
    )
    total = estimate_segments([resolve(first, databases), resolve(second, databases)])
    data = json.loads(at.session_state["report_texts"]["json"])
    assert data["footprint"]["co2e_kg"] == pytest.approx(total.co2e_kg)
    assert data["segments"][0]["count"] == 8
    assert any("then 1 further segment (288 h in all)" in s.value for s in at.subheader)


def test_the_calculator_adds_a_segment_and_shares_it(databases) -> None:
    at = opened("calculator.py", PAPER)
    at.selectbox(key="seg_hardware").set_value("nvidia-a100-sxm4-80gb")
    at.selectbox(key="seg_region").set_value("country:FR")
    at.number_input(key="seg_count").set_value(8)
    at.number_input(key="seg_hours").set_value(72.0)
    at.button(key="seg_add").click().run()
    assert not at.exception
    assert at.query_params["segments"] in (
        ["nvidia-a100-sxm4-80gb,8,72,country:FR"],
        "nvidia-a100-sxm4-80gb,8,72,country:FR",
    )
    assert any("then 1 further segment (288 h in all)" in s.value for s in at.subheader)
    scenario = json.loads(at.session_state["calc_scenario_json"])
    assert scenario["inputs"]["segments"] == "nvidia-a100-sxm4-80gb,8,72,country:FR"
    assert (
        scenario["segments"][0]["hardware"] == "nvidia-a100-sxm4-80gb"
        and scenario["segments"][0]["hours"] == 72
    )
    at.button(key="seg_remove").click().run()
    assert not any("further segment" in s.value for s in at.subheader)


def test_a_bad_segment_is_named_in_words() -> None:
    at = opened("calculator.py", {**PAPER, "segments": "nvidia-a100-sxm4-80gb,eight,72,country:FR"})
    errors = " ".join(e.value for e in at.error)
    assert "segment 1: the devices ('eight') and hours ('72') must be numbers" in errors.replace("\\", "")


def test_each_segment_is_listed_on_the_page(databases) -> None:
    at = opened("report.py", {**PAPER, "segments": "nvidia-a100-sxm4-80gb,8,72,country:FR"})
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "2 segments, one after another" in text
    assert "1. 32 × NVIDIA A100 SXM4 80GB, 216 h (6,912 device-hours), country:FR" in text
    assert "2. 8 × NVIDIA A100 SXM4 80GB, 72.0 h (576 device-hours), country:FR" in text


def test_each_segment_is_priced_at_the_year_the_work_ran(databases) -> None:
    # The segment lines and the statement use one grid year: the year the work ran (2022 here,
    # where France's grid figure differs from the latest year's), not the calculator's.
    at = opened("report.py", {**PAPER, "segments": "nvidia-a100-sxm4-80gb,8,72,country:FR", "ran_in": "2022"})
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    specs = [
        JobSpec(hardware="nvidia-a100-sxm4-80gb", count=n, hours=h, region="country:FR", year=2022)
        for n, h in ((32, 216), (8, 72))
    ]
    for number, spec in enumerate(specs, start=1):
        part = estimate(resolve(spec, databases))
        assert f"{number}. {spec.count:,} × " in text
        assert f"{components.kwh(part.energy_kwh)}, {components.kg(part.co2e_kg)}" in text, text[:900]
    latest = estimate(
        resolve(
            JobSpec(hardware="nvidia-a100-sxm4-80gb", count=32, hours=216, region="country:FR"), databases
        )
    )
    assert components.kg(latest.co2e_kg) not in text  # the calculator's (latest) year is not used
    assert any("the grid figure the statement uses" in c.value for c in at.caption)


def test_a_new_segment_starts_as_the_jobs_hardware_and_place() -> None:
    at = opened("calculator.py", PAPER)
    assert at.selectbox(key="seg_hardware").value == "nvidia-a100-sxm4-80gb"
    assert at.selectbox(key="seg_region").value == "country:FR"
