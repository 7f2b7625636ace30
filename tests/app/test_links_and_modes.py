"""Inputs and links that never lose state (issue 28), from the user's side: switching the duration
mode keeps the job's duration, a link takes any name `wattprint hardware match` takes, and a bad
link value is named in plain words."""

from __future__ import annotations

import pytest

from app import components
from app.mode_switch import equivalent_duration
from tests.app.apps import opened
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import JobSpec, resolve

# The PhD student's job: 32 x A100 for 216 h (9 days) = 6,912 device-hours.
PAPER = {"hardware": "nvidia-a100-sxm4-80gb", "count": "32", "hours": "216.0"}


def headline(at) -> str:
    return next(m.value for m in at.metric if m.label == "Operational CO₂e")


def test_switching_to_device_hours_keeps_the_job(databases) -> None:
    at = opened("calculator.py", PAPER)
    before = headline(at)
    at.radio(key="calc_duration").set_value("device_hours").run()
    assert at.number_input(key="calc_device_hours").value == pytest.approx(6912.0)
    assert headline(at) == before  # 180 kg stays 180 kg, not the 192 device-hours default's 5 kg
    at.radio(key="calc_duration").set_value("hours").run()
    assert at.number_input(key="calc_hours").value == pytest.approx(216.0)
    spec = JobSpec(
        hardware="nvidia-a100-sxm4-80gb", count=32, hours=216, region="aws:us-east-1", utilization=1.0
    )
    assert headline(at) == components.kg(estimate(resolve(spec, databases)).co2e_kg)


def test_switching_from_flops_keeps_the_derived_duration() -> None:
    # 1,000 device-hours from FLOPs on 8 devices: 125 h wall clock, 1,000 device-hours.
    assert equivalent_duration("flops", "hours", 24.0, 192.0, 8, 1000.0) == {"hours": 125.0}
    assert equivalent_duration("flops", "device_hours", 24.0, 192.0, 8, 1000.0) == {"device_hours": 1000.0}
    assert equivalent_duration("hours", "flops", 24.0, 192.0, 8, None) == {}
    assert equivalent_duration("flops", "hours", 24.0, 192.0, 8, None) == {}


def test_a_link_takes_the_name_nvidia_smi_reports() -> None:
    at = opened("calculator.py", {**PAPER, "hardware": "NVIDIA A100-SXM4-80GB"})
    assert at.selectbox(key="calc_hardware").value == "nvidia-a100-sxm4-80gb"
    assert not [w.value for w in at.warning if "Link" in w.value]


def test_a_bad_link_value_is_named_in_plain_words() -> None:
    at = opened("calculator.py", {**PAPER, "hours": "abc"})
    text = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "ignored hours='abc': not a number" in text
    assert "could not convert" not in text
