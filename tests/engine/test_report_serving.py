"""Patterson's trade-off in the report: the serving lifetime beside training and the break-even."""

from __future__ import annotations

from wattprint.engine.report import SERVING_MODEL_BASIS, serving_of, serving_sentence


def test_serving_sentence_hand_computed() -> None:
    # 1e6 requests/day x 0.5 Wh x 365 d x PUE 1.0 = 182,500 kWh; 1000 kWh of training = 2 days
    text = serving_sentence(1000.0, 0.5, 1e6, 365.0, 1.0, "measured")
    assert "182,500 kWh" in text
    assert "after 2.00 days (2,000,000 requests)" in text
    assert "99% of training and serving together" in text
    assert "(measured)" in text


def test_serving_of_names_the_model_or_measurement(databases) -> None:
    from wattprint.engine.flops import Serving
    from wattprint.engine.footprint import estimate
    from wattprint.engine.jobspec import JobSpec, resolve

    footprint = estimate(
        resolve(JobSpec(power_w=500.0, hours=10.0, pue=1.5, intensity_g_per_kwh=100.0), None)
    )
    # 5 kWh IT x 1.5 = 7.5 kWh of training; 100 requests/day x 1 Wh x 1.5 = 0.15 kWh/day -> 50 days
    assert serving_of(footprint, None, "") is None
    measured = serving_of(footprint, Serving(100.0, 1.0, 30.0), "given (measured)")
    assert measured is not None and "after 50.0 days" in measured and "(measured)" in measured
    modelled = serving_of(footprint, Serving(100.0, 1.0, 30.0), "roofline model on ...")
    assert modelled is not None and SERVING_MODEL_BASIS in modelled
