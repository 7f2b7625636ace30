"""CLI of hardware match/show and the estimated-power label in estimate and report."""

from __future__ import annotations

import json

JOB = ["--count", "8", "--hours", "24", "--region", "gcp:us-central1"]


def test_match_prints_the_id(cli) -> None:
    result = cli("hardware", "match", "Intel(R) Xeon(R) Platinum 8358 CPU @ 2.60GHz")
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "intel-xeon-platinum-8358"


def test_match_json_says_how(cli) -> None:
    result = cli("hardware", "match", "AMD Instinct MI300X VF", "--json")
    data = json.loads(result.stdout)
    assert (data["id"], data["how"]) == ("amd-instinct-mi300x", "normalised")


def test_ambiguous_match_exits_2_with_candidates(cli) -> None:
    result = cli("hardware", "match", "AMD Instinct MI250X/MI250")
    assert result.code == 2 and result.stdout == ""
    assert "amd-instinct-mi250" in result.stderr and "amd-instinct-mi250x" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_match_exits_2(cli) -> None:
    result = cli("hardware", "match", "Orin (nvgpu)")
    assert result.code == 2 and "unknown hardware" in result.stderr


def test_estimate_says_estimated_power(cli) -> None:
    for device in ("google-tpu-v5p", "google-tpu-v6e"):
        text = cli("estimate", "--hardware", device, *JOB)
        assert text.code == 0, text.stderr
        assert "estimated power" in text.stdout
        data = json.loads(cli("estimate", "--hardware", device, *JOB, "--json").stdout)
        assert any("estimated power" in a["name"] for a in data["assumptions"])


def test_vendor_power_is_not_called_estimated(cli) -> None:
    text = cli("estimate", "--hardware", "nvidia-h100-sxm5-80gb", *JOB)
    assert text.code == 0 and "estimated power" not in text.stdout


def test_report_statement_says_estimated_power(cli) -> None:
    result = cli("report", "--hardware", "google-tpu-v6e", *JOB)
    assert result.code == 0, result.stderr
    assert "estimated power" in result.stdout


def test_embodied_works_for_modelled_devices(cli) -> None:
    for device in ("nvidia-h100-sxm5-80gb", "nvidia-h200-sxm-141gb", "nvidia-b200", "amd-instinct-mi300x"):
        data = json.loads(cli("estimate", "--hardware", device, *JOB, "--embodied", "--json").stdout)
        assert data["embodied_co2e_kg"] > 0, device
