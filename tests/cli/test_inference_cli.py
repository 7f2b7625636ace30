"""``wattprint inference``: the issue's must-show cases against ML.ENERGY, bad input, CO2e."""

from __future__ import annotations

import json

import pytest

A100 = ["inference", "--hardware", "nvidia-a100-sxm4-40gb", "--params", "7e9", "--batch", "1"]
TOKENS = ["--input-tokens", "100", "--output-tokens", "420"]


def test_a100_batch_one_agrees_with_ml_energy(cli) -> None:
    # ML.ENERGY 2023, A100_chat_benchmark.csv (4717739): Llama-2-7b-chat, batch 1:
    # 1,828.77 J per 420.07-token response = 4.35 J per token
    result = cli(*A100, *TOKENS, "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert 4.35 / 2 <= data["energy_per_output_token_j"] <= 4.35 * 2
    assert data["binding"] == "memory"
    assert data["energy_per_request_wh"] == pytest.approx(data["energy_per_output_token_j"] * 420 / 3600)
    assert data["range"]["energy_per_output_token_j"]["low"] < data["energy_per_output_token_j"]
    assert data["flops_lower_bound_j_per_token"] < data["energy_per_output_token_j"] / 10
    assert "leave-one-model-out" in data["method"]


def test_h100_batch_64_agrees_with_ml_energy(cli) -> None:
    # ML.ENERGY 2025 (leaderboard v3): Llama-3.1-8B-Instruct, H100, batch 64: 0.1186 J per token
    result = cli(
        "inference",
        "--hardware",
        "nvidia-h100-sxm5-80gb",
        "--params",
        "8e9",
        "--batch",
        "64",
        *TOKENS,
        "--json",
    )
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert 0.12 / 2 <= data["energy_per_output_token_j"] <= 0.12 * 2
    assert data["binding"] == "memory"
    assert data["tokens_per_second"] > 1000


def test_region_gives_the_request_co2e(cli) -> None:
    result = cli(*A100, *TOKENS, "--region", "gcp:europe-west6", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    co2e = data["co2e"]
    expected = data["energy_per_request_wh"] / 1000 * co2e["pue"] * co2e["intensity_g_per_kwh"]
    assert co2e["co2e_g_per_request"] == pytest.approx(expected)


def test_text_output_names_limit_and_lower_bound(cli) -> None:
    result = cli(*A100, *TOKENS)
    assert result.code == 0, result.stderr
    assert "memory-bound" in result.stdout
    assert "lower bound" in result.stdout and "not an estimate" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--params=-7e9"], "params must be greater than 0"),
        (["--params", "7e13"], "do not fit"),
        (["--params", "7e9", "--active-params", "8e9"], "cannot exceed"),
        (["--params", "nan"], "finite"),
        (["--params", "7e9", "--count", "1.5"], "whole number"),
    ],
)
def test_bad_input_exits_2_with_one_line(cli, args, message) -> None:
    result = cli("inference", "--hardware", "nvidia-a100-sxm4-40gb", "--batch", "1", *TOKENS, *args)
    assert result.code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_hardware_and_missing_bandwidth(cli) -> None:
    result = cli("inference", "--hardware", "nvidia-a100-sxm9", "--params", "7e9", "--batch", "1", *TOKENS)
    assert result.code == 2 and len(result.stderr.strip().splitlines()) == 1
    cpu = cli(
        "inference", "--hardware", "intel-xeon-platinum-8480", "--params", "7e9", "--batch", "1", *TOKENS
    )
    assert cpu.code == 2 and len(cpu.stderr.strip().splitlines()) == 1


def test_report_adds_serving_and_break_even(cli) -> None:
    job = ["report", "--device-hours", "100", "--power-w", "500", "--pue", "1.0", "--intensity", "100"]
    # 100 h x 500 W = 50 kWh of training; 1e4 requests/day x 0.5 Wh = 5 kWh/day -> 10 days
    result = cli(*job, "--serve-requests-per-day", "1e4", "--serve-wh-per-request", "0.5")
    assert result.code == 0, result.stderr
    assert "after 10.0 days (100,000 requests)" in result.stdout
    missing = cli(*job, "--serve-requests-per-day", "1e4")
    assert missing.code == 2 and len(missing.stderr.strip().splitlines()) == 1
