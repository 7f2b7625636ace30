"""The footprint equations, hand-computed cases and the conflicts the engine refuses."""

from __future__ import annotations

import math

import pytest

from wattprint.engine.footprint import Embodied, Job, estimate, estimate_segments, software_carbon_intensity
from wattprint.errors import InputError


def test_watts_hours_pue_intensity() -> None:
    # 1000 device-hours x 300 W = 300 kWh; x PUE 1.5 = 450 kWh; x 400 g/kWh = 180 kg.
    footprint = estimate(Job(device_hours=1000, measured_power_w=300, pue=1.5, intensity_g_per_kwh=400))
    assert footprint.it_energy_kwh == pytest.approx(300.0)
    assert footprint.energy_kwh == pytest.approx(450.0)
    assert footprint.co2e_kg == pytest.approx(180.0)
    assert footprint.breakdown.pue_overhead_kwh == pytest.approx(150.0)


def test_tdp_times_utilization_and_host_power() -> None:
    # 8 x 700 W x 0.5 = 2800 W + CPU 400 W + memory 100 W = 3300 W for 10 h = 33 kWh.
    job = Job(
        duration_h=10,
        device_count=8,
        device_power_w=700,
        utilization=0.5,
        cpu_power_w=400,
        memory_power_w=100,
        intensity_g_per_kwh=100,
    )
    footprint = estimate(job)
    assert footprint.power_w == pytest.approx(3300.0)
    assert footprint.it_energy_kwh == pytest.approx(33.0)
    assert footprint.breakdown.accelerators_kwh == pytest.approx(28.0)
    assert footprint.breakdown.cpu_kwh == pytest.approx(4.0)
    assert footprint.breakdown.memory_kwh == pytest.approx(1.0)
    assert footprint.device_hours == pytest.approx(80.0)


def test_pue_included_ignores_pue() -> None:
    footprint = estimate(
        Job(duration_h=2, measured_power_w=500, pue=1.4, pue_included=True, intensity_g_per_kwh=100)
    )
    assert footprint.pue == 1.0
    assert footprint.energy_kwh == pytest.approx(1.0)


def test_market_based_only_from_given_net_intensity() -> None:
    footprint = estimate(Job(duration_h=10, measured_power_w=100, intensity_g_per_kwh=500))
    assert footprint.market_co2e_kg is None
    net = estimate(
        Job(duration_h=10, measured_power_w=100, intensity_g_per_kwh=500, net_intensity_g_per_kwh=50)
    )
    assert net.market_co2e_kg == pytest.approx(0.05)
    assert net.co2e_kg == pytest.approx(0.5)


def test_range_brackets_point_and_uses_given_ranges() -> None:
    job = Job(
        duration_h=10,
        device_power_w=1000,
        utilization=0.8,
        utilization_range=(0.5, 1.0),
        pue=1.2,
        pue_range=(1.1, 1.4),
        intensity_g_per_kwh=300,
        intensity_range=(200, 400),
    )
    footprint = estimate(job)
    r = footprint.range
    assert r.energy_kwh_low == pytest.approx(10 * 0.5 * 1.1)
    assert r.energy_kwh_high == pytest.approx(10 * 1.0 * 1.4)
    assert r.co2e_kg_low == pytest.approx(10 * 0.5 * 1.1 * 0.2)
    assert r.co2e_kg_high == pytest.approx(10 * 1.0 * 1.4 * 0.4)
    assert r.co2e_kg_low <= footprint.co2e_kg <= r.co2e_kg_high


def test_embodied_adds_to_total() -> None:
    # 150 kg over 6 y x 8760 h x 0.85 = 44,676 h: 100 device-hours carry 0.3357 kg.
    footprint = estimate(
        Job(
            duration_h=100,
            device_power_w=400,
            intensity_g_per_kwh=0,
            embodied=Embodied(150.0),
        )
    )
    assert footprint.embodied_co2e_kg == pytest.approx(150 * 100 / (6 * 8760 * 0.85))
    assert footprint.total_co2e_kg == pytest.approx(footprint.embodied_co2e_kg)


def test_segments_sum_segment_by_segment() -> None:
    a = Job(duration_h=10, measured_power_w=1000, pue=1.1, intensity_g_per_kwh=100)
    b = Job(duration_h=5, measured_power_w=500, pue=1.5, intensity_g_per_kwh=600, device_count=2)
    total = estimate_segments([a, b])
    parts = [estimate(a), estimate(b)]
    assert total.energy_kwh == pytest.approx(sum(p.energy_kwh for p in parts))
    assert total.co2e_kg == pytest.approx(sum(p.co2e_kg for p in parts))
    assert total.intensity_g_per_kwh == pytest.approx(total.co2e_kg * 1000 / total.energy_kwh)
    assert len(total.segments) == 2


def test_sci_per_functional_unit() -> None:
    # SCI = (E x I + M) / R = (10 kWh x 300 g/kWh / 1000 + 1 kg) / 4 = 1.0 kg per unit.
    assert software_carbon_intensity(10, 300, 1.0, 4) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"duration_h": -1.0}, "hours must be at least 0"),
        ({"duration_h": math.nan}, "finite"),
        ({"duration_h": math.inf}, "finite"),
        ({"pue": 0.9}, "pue must be at least 1"),
        ({"intensity_g_per_kwh": -5.0}, "intensity"),
        ({"device_count": 0.0}, "device count must be greater than 0"),
        ({"device_hours": 10.0}, "exactly one of duration hours or device-hours"),
        ({"measured_power_w": None}, "no power given"),
        ({"cpu_power_w": 10.0, "total_power_w": 100.0}, "total power already covers"),
        ({"utilization": 7.0}, "utilization is a fraction"),
    ],
)
def test_bad_values_are_refused_with_a_reason(changes: dict, message: str) -> None:
    base = {"duration_h": 1.0, "measured_power_w": 100.0, "intensity_g_per_kwh": 100.0}
    base.update(changes)
    with pytest.raises(InputError, match=message):
        estimate(Job(**base))
