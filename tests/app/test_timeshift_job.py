"""Time shifting's planner from the job (issue 28), from the user's side: the engineer's 2-week job
(16 x H100, 336 h) is planned at its own length and draw, both starts on the same series, in kg and %."""

from __future__ import annotations

import math

from tests.app.apps import opened
from wattprint.engine import timeshift

JOB = {"count": "16", "hours": "336.0", "region": "aws:eu-west-3"}


def test_the_planner_takes_the_jobs_length_and_draw() -> None:
    at = opened("timeshift.py", JOB)
    assert not at.error, [e.value for e in at.error]
    assert at.number_input(key="ts_next_hours").value == 336  # not 4 h, and not capped at 168
    assert at.number_input(key="ts_next_within").value == 360
    power_kw = at.number_input(key="ts_power_kw").value
    # The job's average facility draw: 16 x 700 W x 1.0 x PUE, about 12-20 kW, not 1 kW.
    assert 11.2 < power_kw < 25.0
    metrics = {m.label: m for m in at.metric}
    best = metrics["Best start [kg CO2e]"]
    now_label = next(label for label in metrics if label.startswith("Start ") and "kg CO2e" in label)
    best_kg = float(best.value.replace(",", ""))
    now_kg = float(metrics[now_label].value.replace(",", ""))
    assert best_kg <= now_kg
    # 336 h at ~15 kW on a grid of tens to hundreds of g/kWh: hundreds of kg, a per-kW figure is not.
    assert best_kg > 100.0
    waiting = metrics["Less by waiting [%]"]
    assert waiting.delta is not None and waiting.delta.endswith("kg CO2e")
    saved = float(waiting.delta.lstrip("−").split(" ")[0].replace(",", ""))
    assert math.isclose(saved, now_kg - best_kg, abs_tol=0.0015)
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "Both starts are priced on the same series" in captions
    assert "The job line above is priced at its region's annual figure" in captions


def test_a_plan_can_be_longer_than_a_week() -> None:
    # The engine takes any length a year's typical days can hold (a leap year: 8,784 h).
    assert timeshift.MAX_PLAN_HOURS == 8784
