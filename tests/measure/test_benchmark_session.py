"""The benchmark's arithmetic with a fake matmul runner; the UI helpers in wattprint.measure.session."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.measure.helpers import FakeClock
from wattprint.measure.backends import FakeBackend, NullBackend
from wattprint.measure.benchmark import compare_to_peak, run_benchmark
from wattprint.measure.sampler import Sampler
from wattprint.measure.session import (
    detect,
    fake_detection,
    latest_samples,
    load_log,
    start_sampler,
    stop_sampler,
    summarise,
)

ROOT = Path(__file__).resolve().parents[2]


class FakeRunner:
    library = "fake"
    device_name = "NVIDIA H100 80GB HBM3"
    matrix_size = 1000

    def __init__(self, clock: FakeClock, sampler: Sampler) -> None:
        self.clock, self.sampler = clock, sampler

    def run(self, seconds: float) -> tuple[float, float]:
        for _ in range(10):
            self.clock.advance(seconds / 10)
            self.sampler.sample_once()
        return 500 * 2.0 * 1000**3, seconds  # 500 matmuls of 1000 x 1000


def test_benchmark_figures():
    # 1e12 FLOP in 2 s at a constant 400 W (800 J): 0.5 TFLOP/s, 1.25 GFLOPS/W
    clock = FakeClock()
    sampler = Sampler(FakeBackend([[(0, 400.0, 0.0), (100, 400.0, 40000.0)]], clock=clock), clock=clock)
    result = run_benchmark(FakeRunner(clock, sampler), sampler, 2.0, "bf16")
    assert result.tflops == pytest.approx(0.5)
    assert result.energy_j == pytest.approx(800.0)
    assert result.average_power_w == pytest.approx(400.0)
    assert result.gflops_per_w == pytest.approx(1.25)
    report = compare_to_peak(result, 989.4, 700.0)
    assert report["fraction_of_peak"] == pytest.approx(0.5 / 989.4)
    assert report["power_over_tdp"] == pytest.approx(400 / 700)
    assert report["datasheet_gflops_per_w"] == pytest.approx(989.4e3 / 700)


def test_benchmark_without_torch_or_cupy_exits_2():
    # torch is installed for the training-loop tests: hide it (and cupy) from this interpreter.
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['cupy'] = None\n"
        "from wattprint.cli import main\nraise SystemExit(main(['benchmark']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "torch or cupy" in done.stderr


def test_detect_never_raises_and_fake_detection():
    detection = detect()
    assert detection.available or isinstance(detection.backend, NullBackend)
    if not detection.available:
        assert detection.reasons
    refused = detect("rapl") if not Path("/sys/class/powercap").exists() else None
    if refused is not None:
        assert not refused.available and "rapl" in refused.reasons[0]
    fake = fake_detection()
    assert fake.backend.is_fake and len(fake.devices) == 1


def test_session_round_trip(tmp_path):
    log = tmp_path / "ui.jsonl"
    sampler = start_sampler(FakeBackend.demo(), interval_s=0.02, log_path=log)
    time.sleep(0.2)
    assert latest_samples(sampler, 3)
    live = stop_sampler(sampler)
    saved = load_log(log)
    assert summarise(saved, live.start_s, live.end_s).energy_j == pytest.approx(live.energy_j, rel=1e-9)
