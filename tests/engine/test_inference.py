"""The inference roofline: hand-computed cases, tensor parallel, MoE, prefill, errors, trade-off."""

from __future__ import annotations

import pytest

from wattprint.engine.inference import (
    CALIBRATION,
    Calibration,
    default_kv_bytes_per_token,
    estimate_inference,
    estimate_inference_on_device,
    inference_to_dict,
    serving_tradeoff,
)
from wattprint.errors import InputError

# A round calibration so that every expected value below is worked by hand.
ROUND = Calibration(
    bandwidth_fraction={"optimised": 0.5, "eager": 0.25},
    decode_utilization=0.25,
    draw_memory_bound={"optimised": 0.5, "eager": 0.4},
    draw_compute_bound=1.0,
    prefill_utilization=0.5,
)
# A 1e9-parameter model in bf16 (2e9 B of weights) on a 1000 GB/s, 100 TFLOP/s, 400 W device.
BASE = dict(
    parameters=1e9,
    memory_bandwidth_gb_s=1000.0,
    peak_tflops=100.0,
    tdp_w=400.0,
    kv_bytes_per_token=0.0,
    calibration=ROUND,
)


def test_batch_one_is_memory_bound() -> None:
    # t_memory = 2e9 B / (1000e9 B/s x 0.5) = 4 ms; t_compute = 2e9 / (100e12 x 0.25) = 0.08 ms
    # draw = 400 x (0.5 + 0.5 x 0.08/4) = 204 W; energy = 204 W x 4 ms = 0.816 J per token
    r = estimate_inference(batch_size=1, input_tokens=0, output_tokens=100, **BASE)
    assert r.binding == "memory" and r.decode_binding == "memory"
    assert r.decode_step_s == pytest.approx(0.004)
    assert r.energy_per_output_token_j == pytest.approx(0.816)
    assert r.energy_per_request_wh == pytest.approx(81.6 / 3600)
    assert r.tokens_per_second == pytest.approx(250.0)


def test_large_batch_is_compute_bound() -> None:
    # batch 1000: t_compute = 2e9 x 1000 / 25e12 = 80 ms > t_memory 4 ms; draw = 400 W
    # energy per token = 400 W x 80 ms / 1000 = 0.032 J
    r = estimate_inference(batch_size=1000, input_tokens=0, output_tokens=100, **BASE)
    assert r.binding == "compute"
    assert r.decode_step_s == pytest.approx(0.08)
    assert r.energy_per_output_token_j == pytest.approx(0.032)
    assert r.tokens_per_second == pytest.approx(12_500.0)


def test_prefill_is_compute_bound_and_counted() -> None:
    # 1000 input tokens: 2e9 x 1000 / (100e12 x 0.5) = 40 ms at 400 W = 16 J;
    # decode 100 x 0.816 J = 81.6 J; (16 + 81.6) / 100 = 0.976 J per output token
    r = estimate_inference(batch_size=1, input_tokens=1000, output_tokens=100, **BASE)
    assert r.prefill_binding == "compute"
    assert r.prefill_s == pytest.approx(0.04)
    assert r.energy_per_output_token_j == pytest.approx(0.976)
    assert r.binding == "memory"  # decode's 400 ms outweighs prefill's 40 ms


def test_kv_cache_is_read_each_step() -> None:
    # context = 1000 + 100/2 = 1050 tokens x 1e6 B = 1.05e9 B more per step:
    # t_memory = 3.05e9 / 500e9 = 6.1 ms
    args = {**BASE, "kv_bytes_per_token": 1e6}
    r = estimate_inference(batch_size=1, input_tokens=1000, output_tokens=100, **args)
    assert r.decode_step_s == pytest.approx(0.0061)


def test_tensor_parallel_splits_time_not_energy() -> None:
    one = estimate_inference(batch_size=1, input_tokens=0, output_tokens=100, **BASE)
    two = estimate_inference(batch_size=1, input_tokens=0, output_tokens=100, device_count=2, **BASE)
    assert two.decode_step_s == pytest.approx(one.decode_step_s / 2)
    assert two.tokens_per_second == pytest.approx(2 * one.tokens_per_second)
    assert two.energy_per_output_token_j == pytest.approx(one.energy_per_output_token_j)


def test_moe_reads_all_weights_but_computes_active() -> None:
    # 1e9 total, 1e8 active, batch 1000: t_compute = 2e8 x 1000 / 25e12 = 8 ms > t_memory 4 ms
    dense = estimate_inference(batch_size=1000, input_tokens=0, output_tokens=100, **BASE)
    moe = estimate_inference(
        batch_size=1000, input_tokens=0, output_tokens=100, active_parameters=1e8, **BASE
    )
    assert moe.decode_step_s == pytest.approx(0.008)
    assert moe.energy_per_output_token_j < dense.energy_per_output_token_j
    # at batch 1 both read the same weights: the same energy within the compute share
    moe1 = estimate_inference(batch_size=1, input_tokens=0, output_tokens=100, active_parameters=1e8, **BASE)
    assert moe1.decode_step_s == pytest.approx(0.004)


def test_measured_power_and_host_share() -> None:
    # 300 W measured + 100 W host over 4 ms steps: 1.6 J per token
    r = estimate_inference(
        batch_size=1, input_tokens=0, output_tokens=100, power_w=300.0, host_power_w=100.0, **BASE
    )
    assert r.energy_per_output_token_j == pytest.approx(1.6)


def test_range_and_method_name_the_validation() -> None:
    r = estimate_inference(batch_size=1, input_tokens=0, output_tokens=100, **BASE)
    assert (
        r.range.energy_per_output_token_j_low
        < r.energy_per_output_token_j
        < r.range.energy_per_output_token_j_high
    )
    assert "leave-one-model-out" in r.method
    assert r.flops_lower_bound_j_per_token < r.energy_per_output_token_j


def test_default_kv_is_said_to_be_assumed() -> None:
    # Llama 3.1 8B: 2 x 32 layers x 8 KV heads x 128 x 2 B = 131,072 B
    assert default_kv_bytes_per_token(8.03e9) == pytest.approx(131_072.0)
    args = {k: v for k, v in BASE.items() if k != "kv_bytes_per_token"}
    r = estimate_inference(batch_size=1, input_tokens=0, output_tokens=100, **args)
    kv = next(a for a in r.assumptions if a.name == "KV cache per token")
    assert "assumed" in kv.source


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"active_parameters": 2e9}, "cannot exceed"),
        ({"batch_size": 0.5}, "at least 1"),
        ({"output_tokens": 0}, "greater than 0"),
        ({"precision": "fp12"}, "unknown precision"),
        ({"engine": "warp"}, "unknown serving engine"),
        ({"memory_gb": 1.0}, "do not fit"),
        ({"parameters": float("nan")}, "finite"),
    ],
)
def test_bad_input_is_refused(change: dict, message: str) -> None:
    args = {**BASE, "batch_size": 1, "input_tokens": 0, "output_tokens": 100, **change}
    with pytest.raises(InputError, match=message):
        estimate_inference(**args)


def test_device_figures_and_fallback_peak(databases) -> None:
    a100 = databases.hardware.get("nvidia-a100-sxm4-40gb")
    r = estimate_inference_on_device(
        a100,
        databases.hardware.sources,
        precision="fp8",
        parameters=7e9,
        batch_size=1,
        input_tokens=100,
        output_tokens=100,
    )
    peak = next(a for a in r.assumptions if a.name.endswith("dense peak"))
    assert peak.value == 312.0 and "no fp8 peak published" in peak.source
    bandwidth = next(a for a in r.assumptions if a.name.endswith("memory bandwidth"))
    assert bandwidth.value == 1555.0 and "NVIDIA" in bandwidth.source


def test_calibrated_must_show_cases(databases) -> None:
    # ML.ENERGY 2023: Llama-2-7B-chat, A100 40GB, batch 1, 420 tokens: 1,828.77 J / 420.07 = 4.35 J
    hw = databases.hardware
    a = estimate_inference_on_device(
        hw.get("nvidia-a100-sxm4-40gb"),
        hw.sources,
        parameters=7e9,
        batch_size=1,
        input_tokens=100,
        output_tokens=420,
    )
    assert 4.35 / 2 <= a.energy_per_output_token_j <= 4.35 * 2 and a.binding == "memory"
    # ML.ENERGY 2025: Llama-3.1-8B, H100, batch 64: 0.1186 J
    h = estimate_inference_on_device(
        hw.get("nvidia-h100-sxm5-80gb"),
        hw.sources,
        parameters=8e9,
        batch_size=64,
        input_tokens=100,
        output_tokens=420,
    )
    assert 0.12 / 2 <= h.energy_per_output_token_j <= 0.12 * 2 and h.binding == "memory"
    assert CALIBRATION.draw_compute_bound <= 1.0


def test_serving_tradeoff_break_even() -> None:
    # 1e6 requests/day x 0.5 Wh = 500 kWh/day; 1000 kWh of training break even after 2 days
    t = serving_tradeoff(1000.0, 0.5, 1e6, 365.0)
    assert t.serving_energy_kwh == pytest.approx(182_500.0)
    assert t.break_even_days == pytest.approx(2.0)
    assert t.break_even_requests == pytest.approx(2e6)
    assert t.serving_share == pytest.approx(182_500.0 / 183_500.0)
    with pytest.raises(InputError):
        serving_tradeoff(1000.0, 0.0, 1e6, 365.0)


def test_caveats_say_where_the_model_is_weak() -> None:
    # 1e9 parameters at 1000 GB/s x 0.5: a 4 ms step, above the 3 ms software floor: no caveat
    assert estimate_inference(batch_size=1, input_tokens=0, output_tokens=100, **BASE).caveats == ()
    # 1e8 parameters: a 0.4 ms step, below it
    small = {**BASE, "parameters": 1e8}
    r = estimate_inference(batch_size=1, input_tokens=0, output_tokens=100, **small)
    assert len(r.caveats) == 1 and "too low" in r.caveats[0]
    # 2 GB of weights + 1000 x 1100 tokens x 1e4 B = 13 GB of KV cache in 10 GB
    big = {**BASE, "kv_bytes_per_token": 1e4, "memory_gb": 10.0}
    r = estimate_inference(batch_size=1000, input_tokens=1000, output_tokens=100, **big)
    assert any("smaller batch" in c for c in r.caveats)


# ROUND with a software time: 2 ms a pass and 10 us per running request (optimised engine only).
WITH_SOFTWARE = {
    **BASE,
    "calibration": Calibration(
        bandwidth_fraction={"optimised": 0.5, "eager": 0.25},
        decode_utilization=0.25,
        draw_memory_bound={"optimised": 0.5, "eager": 0.4},
        draw_compute_bound=1.0,
        prefill_utilization=0.5,
        pass_overhead_s={"optimised": 0.002, "eager": 0.0},
        request_overhead_s={"optimised": 1e-5, "eager": 0.0},
    ),
}


def test_software_time_is_added_to_each_step_at_the_memory_bound_draw() -> None:
    # batch 1: t_memory 4 ms, t_compute 0.08 ms, software 2 ms + 1 x 0.01 ms = 2.01 ms;
    # step = 4 + 2.01 = 6.01 ms; energy = 400 x (0.5 x 6.01 ms + (1.0 - 0.5) x 0.08 ms) = 1.218 J
    r = estimate_inference(batch_size=1, input_tokens=0, output_tokens=100, **WITH_SOFTWARE)
    assert r.decode_step_s == pytest.approx(0.00601)
    assert r.decode_overhead_s == pytest.approx(0.00201)
    assert r.energy_per_output_token_j == pytest.approx(1.218)
    assert r.binding == "memory"  # 4 ms of memory time is the largest part
    assert r.tokens_per_second == pytest.approx(1 / 0.00601)
    names = {a.name: a for a in r.assumptions}
    assert names["software time per forward pass"].value == pytest.approx(2.0)
    assert names["software time per running request per pass"].value == pytest.approx(10.0)


def test_software_time_grows_with_the_batch() -> None:
    # batch 100: t_memory 4 ms, t_compute 2e9 x 100 / 25e12 = 8 ms, software 2 + 100 x 0.01 = 3 ms;
    # step 11 ms; energy per step = 400 x (0.5 x 11 ms + 0.5 x 8 ms) = 3.8 J, / 100 = 0.038 J
    r = estimate_inference(batch_size=100, input_tokens=0, output_tokens=100, **WITH_SOFTWARE)
    assert r.decode_step_s == pytest.approx(0.011)
    assert r.energy_per_output_token_j == pytest.approx(0.038)
    assert r.binding == "compute"


def test_small_model_is_bound_by_software_time_and_says_so() -> None:
    # 1e8 parameters: t_memory 0.4 ms, t_compute 0.008 ms, software 2.01 ms: "overhead";
    # step 2.41 ms; energy = 400 x (0.5 x 2.41 ms + 0.5 x 0.008 ms) = 0.4836 J
    small = {**WITH_SOFTWARE, "parameters": 1e8}
    r = estimate_inference(batch_size=1, input_tokens=0, output_tokens=100, **small)
    assert r.binding == "overhead" and r.decode_binding == "overhead"
    assert r.decode_step_s == pytest.approx(0.00241)
    assert r.energy_per_output_token_j == pytest.approx(0.4836)
    assert len(r.caveats) == 1 and "software time" in r.caveats[0]
    data = inference_to_dict(r)
    assert data["binding"] == "overhead" and data["decode_overhead_s"] == pytest.approx(0.00201)


def test_prefill_pass_carries_the_software_time() -> None:
    # prefill 2e9 x 1000 / 50e12 = 40 ms + 2.01 ms = 42.01 ms; its draw is compute-bound (400 W)
    # except the software time at 200 W: 400 x 0.04201 - 200 x 0.00201 = 16.402 J;
    # decode 100 x 1.218 J; (16.402 + 121.8) / 100 = 1.38202 J per output token
    r = estimate_inference(batch_size=1, input_tokens=1000, output_tokens=100, **WITH_SOFTWARE)
    assert r.prefill_s == pytest.approx(0.04201)
    assert r.energy_per_output_token_j == pytest.approx(1.38202)
    assert r.prefill_binding == "compute"


def test_eager_engine_without_software_time_warns_when_fast() -> None:
    # eager at 0.25 of 1000 GB/s: 2e9 B in 8 ms, under the 18 ms a plain generate loop took
    r = estimate_inference(batch_size=1, input_tokens=0, output_tokens=100, engine="eager", **BASE)
    assert r.decode_step_s == pytest.approx(0.008)
    assert len(r.caveats) == 1 and "generate loop" in r.caveats[0]
