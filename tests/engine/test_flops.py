"""FLOPs -> device-hours, energy per request and the serving job; hand-computed values."""

from __future__ import annotations

import pytest

from wattprint.engine.flops import (
    Serving,
    available_precisions,
    device_hours_from_flops,
    model_flops,
    peak_fact,
    serving_job,
    wh_per_request,
)
from wattprint.engine.footprint import Job, estimate
from wattprint.errors import InputError


def test_6nd_and_2nd():
    # Kaplan et al. 2020: C = 6ND; Chinchilla-style 70B x 1.4T tokens = 5.88e23 FLOPs
    assert model_flops(70e9, 1.4e12, "training") == pytest.approx(5.88e23)
    assert model_flops(7e9, 1000, "inference") == pytest.approx(1.4e13)


def test_device_hours():
    # 3.6e18 FLOPs at 1000 TFLOP/s x 50% = 7200 s = 2 h
    assert device_hours_from_flops(3.6e18, 1000, 0.5) == pytest.approx(2.0)


@pytest.mark.parametrize("args", [(0, 100, 0.5), (1e18, 0, 0.5), (1e18, 100, 1.5), (float("nan"), 100, 0.5)])
def test_bad_inputs(args):
    with pytest.raises(InputError):
        device_hours_from_flops(*args)


def test_wh_per_request():
    # 2 x 1e9 x 1000 = 2e12 FLOPs at 100 TFLOP/s x 0.5 = 0.04 s at 360 W = 0.004 Wh
    assert wh_per_request(1e9, 1000, 100, 0.5, 360) == pytest.approx(0.004)


def test_peak_from_database(databases):
    h100 = databases.hardware.get("nvidia-h100-sxm5-80gb")
    assert peak_fact(h100, "bf16").value == pytest.approx(989.4)
    assert "bf16" in available_precisions(h100)
    with pytest.raises(InputError, match="valid"):
        peak_fact(h100, "fp4")


def test_serving_job_energy():
    training = Job(intensity_g_per_kwh=500, duration_h=10, device_count=8, device_power_w=700, pue=1.2)
    job = serving_job(training, Serving(requests_per_day=1000, wh_per_request=2.0, days=10), "given")
    footprint = estimate(job)
    # 1000 x 2 Wh x 10 d = 20 kWh IT; x 1.2 PUE = 24 kWh; x 0.5 kg/kWh = 12 kg
    assert footprint.it_energy_kwh == pytest.approx(20.0)
    assert footprint.energy_kwh == pytest.approx(24.0)
    assert footprint.co2e_kg == pytest.approx(12.0)
