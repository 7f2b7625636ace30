"""RAPL over a fake powercap folder and NVML over a fake pynvml module: the real code paths, no hardware."""

from __future__ import annotations

import os

import pytest

from tests.measure.helpers import FakeClock, FakeGpu, FakeNvml, step
from wattprint.errors import MeasurementError
from wattprint.measure.backends import NvmlBackend, RaplBackend, parse_visible_devices
from wattprint.measure.sampler import Sampler


def make_zone(root, index: int, energy_uj: int, max_uj: int = 1_000_000) -> None:
    zone = root / f"intel-rapl:{index}"
    zone.mkdir(parents=True)
    (zone / "name").write_text(f"package-{index}\n")
    (zone / "energy_uj").write_text(f"{energy_uj}\n")
    (zone / "max_energy_range_uj").write_text(f"{max_uj}\n")
    sub = root / f"intel-rapl:{index}:0"
    sub.mkdir()
    (sub / "energy_uj").write_text("0\n")


def test_rapl_wraparound(tmp_path):
    make_zone(tmp_path, 0, 900_000)
    clock = FakeClock()
    backend = RaplBackend(tmp_path, clock=clock)
    assert [d.name for d in backend.devices()] == ["package-0"]  # sub-zones left out
    assert "not the process" in backend.scope or "not only the command" in backend.scope
    first = backend.read()[0]
    assert first.energy_j == 0.0
    assert first.power_w is None and first.power_reason
    clock.advance(1.0)
    # wrapped: 900000 -> 1000000 (range) -> 50000 = 150000 uJ
    (tmp_path / "intel-rapl:0" / "energy_uj").write_text("50000\n")
    second = backend.read()[0]
    assert second.energy_j == pytest.approx(0.15)
    assert second.power_w == pytest.approx(0.15)


def test_rapl_sampler_over_wraps(tmp_path):
    make_zone(tmp_path, 0, 0, max_uj=10_000_000)
    clock = FakeClock()
    backend = RaplBackend(tmp_path, clock=clock)
    sampler = Sampler(backend, clock=clock, interval_s=1.0)
    sampler.begin_window("w")
    raw = 0
    for _ in range(30):  # 30 s at 1 W -> 3 wraps of a 10 J range
        raw = (raw + 1_000_000) % 10_000_000
        (tmp_path / "intel-rapl:0" / "energy_uj").write_text(f"{raw}\n")
        step(sampler, clock, 1, 1.0)
    m = sampler.end_window("w")
    assert m.energy_j == pytest.approx(30.0)
    assert m.devices[0].average_power_w == pytest.approx(1.0)


def test_rapl_unreadable_says_root_only(tmp_path):
    make_zone(tmp_path, 0, 1)
    target = tmp_path / "intel-rapl:0" / "energy_uj"
    target.chmod(0)
    try:
        if os.access(target, os.R_OK):
            pytest.skip("running as root: the file stays readable")
        with pytest.raises(MeasurementError, match="root"):
            RaplBackend(tmp_path)
    finally:
        target.chmod(0o644)


def test_rapl_missing_folder(tmp_path):
    with pytest.raises(MeasurementError, match="no RAPL"):
        RaplBackend(tmp_path / "absent")


H100 = "NVIDIA H100 80GB HBM3"


def test_nvml_energy_counter_and_instant_power():
    gpu = FakeGpu(H100, "GPU-aaaa-1111", energy_mj=[1_000_000, 1_100_000, 1_300_000], instant_mw=300_000)
    backend = NvmlBackend(nvml=FakeNvml([gpu]), visible_devices=None)
    (device,) = backend.devices()
    assert device.has_energy_counter and device.name == H100 and device.uuid == "GPU-aaaa-1111"
    assert device.power_limit_w == 700.0 and device.default_power_limit_w is None
    assert backend.instant_power == [True]
    clock = FakeClock()
    sampler = Sampler(backend, clock=clock, interval_s=1.0)
    sampler.begin_window("w")
    step(sampler, clock, 0, 1.0)
    clock.advance(1.0)
    m = sampler.end_window("w")
    # the constructor's probe read the first counter value: the window sees 1100 J -> 1300 J
    assert m.energy_j == pytest.approx(200.0)
    assert sampler.samples[0].readings[0].power_w == pytest.approx(300.0)  # instant field, not PowerUsage


def test_nvml_counter_reset():
    gpu = FakeGpu(H100, "GPU-a", energy_mj=[0, 5_000_000, 6_000_000, 500_000, 1_500_000])
    backend = NvmlBackend(nvml=FakeNvml([gpu]), visible_devices=None)
    clock = FakeClock()
    sampler = Sampler(backend, clock=clock, interval_s=1.0)
    sampler.begin_window("w")
    step(sampler, clock, 2, 1.0)
    clock.advance(1.0)
    m = sampler.end_window("w")
    assert m.energy_j == pytest.approx(1000 + 500 + 1000)
    assert m.devices[0].counter_resets == 1


def test_nvml_instant_unsupported_falls_back_and_no_counter_polls():
    gpu = FakeGpu("Tesla P100-PCIE-16GB", "GPU-b", energy_mj=None, power_mw=123_000, instant_mw=None)
    backend = NvmlBackend(nvml=FakeNvml([gpu]), visible_devices=None)
    assert backend.instant_power == [False]
    (device,) = backend.devices()
    assert not device.has_energy_counter and "Not Supported" in (device.counter_reason or "")
    reading = backend.read()[0]
    assert reading.power_w == pytest.approx(123.0)
    assert reading.energy_j is None and reading.energy_reason
    clock = FakeClock()
    sampler = Sampler(backend, clock=clock, interval_s=0.5)
    sampler.begin_window("w")
    step(sampler, clock, 3, 0.5)
    clock.advance(0.5)
    m = sampler.end_window("w")
    assert m.devices[0].method == "polled power (trapezoid)"
    assert m.energy_j == pytest.approx(123.0 * 2.0)


def test_nvml_errors_are_mapped():
    with pytest.raises(MeasurementError, match="NVML could not start: Driver Not Loaded"):
        NvmlBackend(nvml=FakeNvml([], init_error=9), visible_devices=None)
    with pytest.raises(MeasurementError, match="no GPU"):
        NvmlBackend(nvml=FakeNvml([]), visible_devices=None)
    # one failed read mid-run: None with the NVML text, not an exception and not 0
    gpu = FakeGpu(H100, "GPU-c", energy_mj=[0, -1, 2_000])
    backend = NvmlBackend(nvml=FakeNvml([gpu]), visible_devices=None)
    reading = backend.read()[0]
    assert reading.energy_j is None and "Unknown Error" in (reading.energy_reason or "")


def test_cuda_visible_devices_filtering():
    gpus = [FakeGpu(H100, f"GPU-{c}{c}{c}-{i}") for i, c in enumerate("abcd")]
    by_index = NvmlBackend(nvml=FakeNvml(gpus), visible_devices="2,0")
    assert [d.uuid for d in by_index.devices()] == ["GPU-ccc-2", "GPU-aaa-0"]
    assert [d.hardware_index for d in by_index.devices()] == [2, 0]
    by_uuid = NvmlBackend(nvml=FakeNvml(gpus), visible_devices="GPU-ddd,bbb")
    assert [d.uuid for d in by_uuid.devices()] == ["GPU-ddd-3", "GPU-bbb-1"]
    with pytest.raises(MeasurementError, match="CUDA_VISIBLE_DEVICES"):
        NvmlBackend(nvml=FakeNvml(gpus), visible_devices="")
    # CUDA stops at the first invalid entry
    assert parse_visible_devices("1,7,0", [0, 1, 2], ["GPU-a", "GPU-b", "GPU-c"]) == [1]
    assert parse_visible_devices("-1", [0, 1], ["GPU-a", "GPU-b"]) == []
    assert parse_visible_devices(None, [0, 1], ["GPU-a", "GPU-b"]) == [0, 1]


def test_nvml_process_utilisation_share():
    from wattprint.measure.attribution import GpuShareTracker

    gpu = FakeGpu(H100, "GPU-p", energy_mj=[0], process_samples=[(10, 1, 60), (99, 2, 20), (10, 3, 20)])
    backend = NvmlBackend(nvml=FakeNvml([gpu]), visible_devices=None)
    tracker = GpuShareTracker(backend, 1)
    tracker.poll({10})
    tracker.poll({10})  # nothing new after timestamp 3: NOT_FOUND is an empty answer
    assert tracker.shares() == [(pytest.approx(0.8), None)]
    gpu.process_samples = None
    other = NvmlBackend(nvml=FakeNvml([gpu]), visible_devices=None)
    tracker = GpuShareTracker(other, 1)
    tracker.poll({10})
    share, reason = tracker.shares()[0]
    assert share is None and "per-process" in (reason or "")


def test_import_does_not_touch_nvml():
    import subprocess
    import sys

    code = (
        "import sys, wattprint.cli, wattprint.measure.session, wattprint.measure.sampler; "
        "print('pynvml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.nvml
def test_real_nvml_reads_power():
    try:
        backend = NvmlBackend()
    except MeasurementError as error:
        pytest.skip(f"no usable GPU: {error}")
    try:
        readings = backend.read()
        assert readings and all(r.power_w is None or r.power_w > 0 for r in readings)
    finally:
        backend.close()
