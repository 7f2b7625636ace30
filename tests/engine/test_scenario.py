"""Scenario files: JobSpec <-> versioned JSON, and untrusted uploads."""

from __future__ import annotations

import json

import pytest

from wattprint.engine.jobspec import JobSpec
from wattprint.engine.scenario import MAX_SCENARIO_BYTES, dumps, load_scenario, spec_from_dict, spec_to_dict
from wattprint.errors import InputError

SPEC = JobSpec(hardware="nvidia-h100-sxm5-80gb", count=8, hours=24, region="aws:us-east-1", utilization=0.8)


def test_round_trip():
    assert spec_from_dict(spec_to_dict(SPEC)) == SPEC
    spec, inputs = load_scenario(dumps(SPEC, {"count": "8"}))
    assert spec == SPEC and inputs == {"count": "8"}
    assert json.loads(dumps(SPEC))["schema_version"] == 1


def job(**fields):
    return json.dumps({"format": "wattprint-scenario", "schema_version": 1, "job": fields})


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"{", "not valid JSON"),
        (b"\xff", "UTF-8"),
        (b"[]", "JSON object"),
        (b'{"format": "other"}', "not a wattprint scenario"),
        (b'{"format": "wattprint-scenario", "schema_version": 2, "job": {}}', "schema_version"),
        (job(hours=1, region="x", evil=1), "unknown job field"),
        (job(hours="1", region="x"), "must be int or float"),
        (job(hours=True, region="x"), "true/false"),
        (job(hours=1, device_hours=2, region="x", power_w=1), "either"),
        (b" " * (MAX_SCENARIO_BYTES + 1), "limit"),
    ],
)
def test_bad_files(raw, message):
    with pytest.raises(InputError, match=message):
        load_scenario(raw)


def test_segments_travel_in_the_scenario() -> None:
    # Issue 28: a job in two parts; the second segment is written beside the job and read back.
    from wattprint.engine.scenario import load_segments

    second = JobSpec(hardware="nvidia-a100-sxm4-80gb", count=8, hours=72, region="country:FR")
    text = dumps(SPEC, {"segments": "nvidia-a100-sxm4-80gb,8,72,country:FR"}, [second])
    assert json.loads(text)["segments"][0]["count"] == 8
    assert load_segments(text) == (second,)
    assert load_segments(dumps(SPEC)) == ()
    bad = json.loads(text)
    bad["segments"][0]["count"] = "eight"
    with pytest.raises(InputError, match="segment 2: job field 'count' must be"):
        load_scenario(json.dumps(bad))
