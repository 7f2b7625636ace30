"""The calculator's serving part uses the engine's inference model (not the FLOPs-only formula)."""

from __future__ import annotations

import pytest

from app import state
from wattprint.engine.inference import serving_per_request, serving_tradeoff


def test_serving_per_request_is_the_engine_model(databases) -> None:
    values = {
        **state.DEFAULTS,
        "hardware": "nvidia-a100-sxm4-40gb",
        "serve": True,
        "serve_basis": "model",
        "serve_params_b": 7.0,
        "serve_batch": 1.0,
        "serve_input_tokens": 100.0,
        "serve_tokens": 420.0,
    }
    built = state.build(values, databases)
    hw = databases.hardware
    direct = serving_per_request(
        hw.get("nvidia-a100-sxm4-40gb"),
        hw.sources,
        parameters=7e9,
        batch_size=1,
        input_tokens=100,
        output_tokens=420,
    )
    assert built.serving.wh_per_request == pytest.approx(direct.wh_per_request)
    # ML.ENERGY 2023: Llama-2-7B-chat on an A100 40GB, batch 1: 1,828.77 J = 0.508 Wh per request
    assert 0.508 / 2 <= built.serving.wh_per_request <= 0.508 * 2
    assert "roofline" in built.serving_source and "lower bound" in built.serving_source
    assert "leave-one-model-out" in built.serving_source


def test_serving_model_url_round_trip() -> None:
    values = {**state.DEFAULTS, "serve": True, "serve_basis": "model", "serve_batch": 64.0}
    params = state.to_params(values)
    assert params["serve_batch"] and params["serve_input_tokens"]
    parsed, problems = state.parse_params(params)
    assert not problems and parsed["serve_batch"] == 64.0


def test_break_even_of_the_calculator_job(databases) -> None:
    values = {**state.DEFAULTS, "serve": True, "serve_basis": "measured", "wh_per_request": 0.5}
    result = state.compute(values, databases)
    trade = serving_tradeoff(
        result.footprint.energy_kwh, 0.5, values["requests_per_day"], values["days"], result.serving.pue
    )
    # the training job (8 x H100, 24 h) against 1e6 requests/day at 0.5 Wh x PUE
    per_day_kwh = values["requests_per_day"] * 0.5 * result.serving.pue / 1000
    assert trade.break_even_days == pytest.approx(result.footprint.energy_kwh / per_day_kwh)
