"""The shared job and page options in the session and the query string, without Streamlit."""

from __future__ import annotations

import pytest

from app import state
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import JobSpec, resolve

COMPARE = state.PageOptions(
    "compare",
    {
        "kinds": state.InputField(("cloud",), ("cloud", "country", "grid", "world")),
        "top": state.InputField(5),
    },
)


def test_a_link_sets_the_whole_job_and_drops_widget_keys():
    session = {state.SAVED_KEY: {**state.DEFAULTS, "count": 99}, "calc_count": 99, "calc_hours": 3.0}
    problems = state.load(session, {"count": "64", "hours": "336.0"})
    assert not problems
    job = session[state.SAVED_KEY]
    assert job["count"] == 64 and job["hours"] == 336.0
    assert job["region"] == state.DEFAULTS["region"]  # left out of the link: the default
    assert "calc_count" not in session and "calc_hours" not in session


def test_the_apps_own_url_is_not_re_applied():
    # The page wrote count=8; the user then typed 16 into the widget: the old URL must not undo it.
    session: dict = {}
    state.load(session, {})
    params = state.page_params(session)
    state.written(session, params)
    session["calc_count"] = 16
    state.load(session, params)
    assert session["calc_count"] == 16
    state.collect(session)
    assert session[state.SAVED_KEY]["count"] == 16
    assert state.page_params(session)["count"] == "16"


def test_bad_link_values_are_reported_and_ignored():
    session: dict = {}
    problems = state.load(session, {"count": "lots", "kinds": "cloud,moon"}, COMPARE)
    assert any("count" in p for p in problems) and any("moon" in p for p in problems)
    assert session[state.SAVED_KEY]["count"] == state.DEFAULTS["count"]
    assert session[COMPARE.store]["kinds"] == ["cloud"]


def test_page_options_round_trip_through_the_url():
    session: dict = {}
    state.load(session, {"kinds": "cloud,country", "top": "7"}, COMPARE)
    assert session[COMPARE.store] == {"kinds": ["cloud", "country"], "top": 7}
    params = state.page_params(session, COMPARE)
    assert params["kinds"] == "cloud,country" and params["top"] == "7"
    fresh: dict = {}
    state.load(fresh, params, COMPARE)
    assert fresh[COMPARE.store] == session[COMPARE.store]
    assert fresh[state.SAVED_KEY] == session[state.SAVED_KEY]


def test_pending_inputs_from_another_page_win():
    session = {state.PENDING_KEY: {"power": "measured", "measured_w": 321.0}, "calc_measured_w": 1.0}
    state.load(session, {})
    assert session[state.SAVED_KEY]["measured_w"] == 321.0 and "calc_measured_w" not in session


def test_unknown_ids_fall_back_to_defaults():
    job = {**state.DEFAULTS, "hardware": "no-such-gpu", "region": "mars:olympus"}
    problems = state.check_ids(job, {"nvidia-h100-sxm5-80gb"}, ["aws:us-east-1"], ["country:FR"])
    assert len(problems) == 2 and job["hardware"] == "nvidia-h100-sxm5-80gb"
    assert job["region"] == "aws:us-east-1"


@pytest.mark.parametrize(
    "name, value, fragment",
    [("count", 0, "below"), ("hours", -5.0, "below"), ("pue", 9.0, "above"), ("hours", float("nan"), "not")],
)
def test_invalid_names_the_input_and_why(name, value, fragment):
    values = {**state.DEFAULTS, name: value, "pue_mode": "custom"}
    assert fragment in state.invalid(values)[name]


def test_inputs_not_in_use_are_not_checked():
    # hours is not used when the duration is given in device-hours
    assert not state.invalid({**state.DEFAULTS, "duration": "device_hours", "hours": -5.0})


def test_compute_matches_the_engine(databases):
    # 64 x H100 SXM5 for two weeks (336 h) in gcp:europe-west6
    values = {**state.DEFAULTS, "count": 64, "hours": 336.0, "region": "gcp:europe-west6"}
    result = state.compute(values, databases)
    spec = JobSpec(
        hardware="nvidia-h100-sxm5-80gb", count=64, hours=336, region="gcp:europe-west6", utilization=1.0
    )
    expected = estimate(resolve(spec, databases))
    assert result.footprint.co2e_kg == pytest.approx(expected.co2e_kg)
    assert result.region.id == "gcp:europe-west6" and result.scope == "GCP regions"
    assert result.greener is None or result.greener.co2e_kg <= expected.co2e_kg
