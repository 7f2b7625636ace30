"""The embodied figures as `wattprint estimate --embodied` prints them (issue 26's must-show).

Hand-computed: 8 GPUs x 100 h = 800 device-hours over 6 y x 8760 h x 0.85 = 44,676 h.
"""

from __future__ import annotations

import json

import pytest

JOB = ["--count", "8", "--hours", "100", "--intensity", "400", "--embodied"]
# (ACT lower bound per GPU [kg], published whole-product figure per GPU [kg], its basis in words)
EXPECTED = {
    "nvidia-a100-sxm4-80gb": (25.1, 150.0, "published study"),
    "nvidia-a100-sxm4-40gb": (22.1, 150.0, "proxy (no published figure for this product)"),
    "nvidia-h100-sxm5-80gb": (28.6, 164.0, "manufacturer PCF"),
}
LIFE_H = 6 * 8760 * 0.85


@pytest.fixture(scope="module")
def outputs(request):
    from tests.conftest import run_cli

    found = {}
    for device in EXPECTED:
        result = run_cli("estimate", "--hardware", device, *JOB, "--json")
        assert result.code == 0, result.stderr
        found[device] = json.loads(result.stdout)
    return found


def test_same_method_within_2x_with_basis_low_high(outputs) -> None:
    per_gpu = {}
    for device, (low_kg, high_kg, high_words) in EXPECTED.items():
        data = outputs[device]
        assert data["embodied_basis"] == "lower bound (dies and memory)"
        assert data["embodied"]["low"] == pytest.approx(low_kg * 800 / LIFE_H)
        assert data["embodied"]["high"] == pytest.approx(high_kg * 800 / LIFE_H)
        assert data["embodied_co2e_kg"] == data["embodied"]["low"]  # the central figure is the low one
        (part,) = data["embodied"]["parts"]
        assert part["high_basis"] == high_words and part["lifetime_years"] == 6.0
        per_gpu[device] = data["embodied_co2e_kg"] / 8
    # A100 80GB 0.0562, A100 40GB 0.0495, H100 0.0640 kg per GPU for these 100 h
    assert max(per_gpu.values()) / min(per_gpu.values()) < 2.0


def test_text_says_the_basis_in_words(cli) -> None:
    result = cli("estimate", "--hardware", "nvidia-h100-sxm5-80gb", *JOB)
    assert result.code == 0, result.stderr
    assert "lower bound (dies and memory)" in result.stdout
    assert "manufacturer PCF" in result.stdout


def test_host_share_with_host(cli) -> None:
    # BLOOM's proxy server: 2,500 kg x 100 h / 44,676 h = 5.59585 kg for the one 8-GPU host
    result = cli("estimate", "--hardware", "nvidia-h100-sxm5-80gb", *JOB, "--host", "hgx-proxy", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    host = data["embodied"]["parts"][1]
    assert (host["part"], host["units"], host["lifetime_years"]) == ("host", 1.0, 6.0)
    assert host["co2e_kg"] == pytest.approx(5.59585, abs=1e-5)
    assert data["embodied_co2e_kg"] == pytest.approx(5.59585 + 28.6 * 800 / LIFE_H, abs=1e-5)
    assert "host: proxy" in data["embodied_basis"]


def test_host_needs_embodied_and_a_known_id(cli) -> None:
    no_embodied = cli(
        "estimate",
        "--hardware",
        "nvidia-h100-sxm5-80gb",
        "--hours",
        "1",
        "--intensity",
        "1",
        "--host",
        "hgx-proxy",
    )
    assert no_embodied.code == 2 and "--embodied" in no_embodied.stderr
    assert len(no_embodied.stderr.strip().splitlines()) == 1
    unknown = cli("estimate", "--hardware", "nvidia-h100-sxm5-80gb", *JOB, "--host", "dell-c4140")
    assert unknown.code == 2 and "dell-poweredge-c4140" in unknown.stderr


def test_report_names_method_lifetime_and_source_of_each_part(cli) -> None:
    result = cli(
        "report",
        "--hardware",
        "nvidia-h100-sxm5-80gb",
        "--count",
        "8",
        "--hours",
        "100",
        "--intensity",
        "400",
        "--embodied",
        "--host",
        "dell-poweredge-c4140",
        "--format",
        "markdown",
    )
    assert result.code == 0, result.stderr
    text = result.stdout
    assert "lower bound (dies and memory)" in text and "6-year life" in text and "Gupta et al." in text
    assert "Dell PowerEdge C4140" in text and "manufacturer PCF" in text and "4-year life" in text
    assert "Dell Technologies" in text


def test_hosts_command_lists_basis_and_licence(cli) -> None:
    result = cli("hardware", "hosts", "--json")
    assert result.code == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["dell-poweredge-c4140"]["manufacturing_kgco2e"] == pytest.approx(6800 * 0.183)
    assert "ODbL" in rows["dell-poweredge-c4140"]["license"]
    assert rows["proxy-gpu-server-8gpu-bloom"]["basis_words"].startswith("proxy")


@pytest.mark.parametrize("device", sorted(EXPECTED))
def test_the_issue_command_without_a_location_gives_embodied_only(cli, device) -> None:
    # `wattprint estimate --hardware ID --count 8 --hours 100 --embodied --json`, verbatim
    result = cli("estimate", "--hardware", device, "--count", "8", "--hours", "100", "--embodied", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    low_kg, high_kg, _ = EXPECTED[device]
    assert data["embodied_basis"] == "lower bound (dies and memory)"
    assert data["embodied"]["low"] == pytest.approx(low_kg * 800 / LIFE_H)
    assert data["embodied"]["high"] == pytest.approx(high_kg * 800 / LIFE_H)
    # no location: no operational figure, and no grid intensity made up
    assert data["co2e_kg"] is None and data["total_co2e_kg"] is None and data["intensity_g_per_kwh"] is None
    assert "no --region or --intensity" in data["operational_co2e"]
    assert data["energy_kwh"] > 0


def test_without_a_location_and_without_embodied_it_still_asks_for_one(cli) -> None:
    result = cli("estimate", "--hardware", "nvidia-h100-sxm5-80gb", "--hours", "1")
    assert result.code == 2 and "give a location" in result.stderr
