"""Sampler and integration over scripted traces on a fake clock: deterministic, no hardware."""

from __future__ import annotations

import json
import math

import pytest

from tests.measure.helpers import FakeClock, step
from wattprint.errors import InputError, MeasurementError
from wattprint.measure.backends import METHOD_COUNTER, METHOD_TRAPEZOID, FakeBackend, demo_trace
from wattprint.measure.sampler import Sampler, read_log, summarise_log


def sine_trace(duration_s: float = 10.0, dt_s: float = 0.001) -> list[tuple[float, float, float]]:
    """P(t) = 200 + 100 sin(2 pi t / 2 s) [W]; energy column is the exact integral [J]."""
    points = []
    n = round(duration_s / dt_s)
    for i in range(n + 1):
        t = i * dt_s
        power = 200 + 100 * math.sin(2 * math.pi * t / 2.0)
        energy = 200 * t + 100 * 2.0 / (2 * math.pi) * (1 - math.cos(2 * math.pi * t / 2.0))
        points.append((t, power, energy))
    return points


def run_window(backend, clock, interval_s: float, steps: int, log_path=None):
    sampler = Sampler(backend, clock=clock, interval_s=interval_s, log_path=log_path)
    sampler.begin_window("w")
    step(sampler, clock, steps - 1, interval_s)
    clock.advance(interval_s)
    return sampler, sampler.end_window("w")


def test_counter_is_exact_and_trapezoid_converges():
    # 10 s of 200 W mean: exactly 2000 J (sine completes 5 periods)
    clock = FakeClock()
    _, counter = run_window(FakeBackend([sine_trace()], clock=clock), clock, 0.7, 14)
    assert counter.devices[0].method == METHOD_COUNTER
    assert counter.duration_s == pytest.approx(9.8)
    exact = 200 * 9.8 + 100 / math.pi * (1 - math.cos(2 * math.pi * 9.8 / 2))
    assert counter.energy_j == pytest.approx(exact, rel=1e-6)  # counter exact even at a coarse 0.7 s
    no_counter = [(t, p, None) for t, p, _ in sine_trace()]
    clock = FakeClock()
    _, fine = run_window(FakeBackend([no_counter], clock=clock), clock, 0.01, 1000)
    assert fine.devices[0].method == METHOD_TRAPEZOID
    assert fine.energy_j == pytest.approx(2000.0, rel=1e-3)
    clock = FakeClock()
    _, coarse = run_window(FakeBackend([no_counter], clock=clock), clock, 0.7, 14)
    assert abs(coarse.energy_j - exact) > abs(counter.energy_j - exact)  # polling aliases, counter does not


def test_linear_ramp_trapezoid_and_counter_agree():
    # 100 W -> 200 W over 10 s: 1500 J both ways (trapezoid exact on a linear ramp)
    trace = [(0.0, 100.0, 0.0), (10.0, 200.0, 1500.0)]
    clock = FakeClock()
    _, m = run_window(FakeBackend([trace], clock=clock), clock, 0.1, 100)
    assert m.energy_j == pytest.approx(1500.0)
    assert m.average_power_w == pytest.approx(150.0)
    assert m.peak_power_w == pytest.approx(200.0)
    clock = FakeClock()
    _, t = run_window(FakeBackend([trace], clock=clock, has_counter=[False]), clock, 0.1, 100)
    assert t.devices[0].method == METHOD_TRAPEZOID
    assert t.energy_j == pytest.approx(1500.0)


def test_counter_reset_is_detected_and_counted_from_zero():
    trace = [(0, 100.0, 5000.0), (1, 100.0, 5100.0), (2, 100.0, 5200.0), (3, 100.0, 10.0), (4, 100.0, 110.0)]
    clock = FakeClock()
    backend = FakeBackend([trace], clock=clock)
    sampler = Sampler(backend, clock=clock, interval_s=1.0)
    sampler.begin_window("w")
    step(sampler, clock, 3, 1.0)
    clock.advance(1.0)
    m = sampler.end_window("w")
    # 100 + 100 before the reset, 10 since the reset, then 100
    assert m.energy_j == pytest.approx(310.0)
    assert m.devices[0].counter_resets == 1
    assert any("reset" in note for note in m.devices[0].notes)


def test_missing_readings_are_none_with_reason_never_zero(tmp_path):
    trace = [(0, 100.0, None), (1, None, None), (2, None, None), (3, 100.0, None)]
    clock = FakeClock()
    backend = FakeBackend([trace], clock=clock, has_counter=[False])
    log = tmp_path / "m.jsonl"
    sampler, m = run_window(backend, clock, 1.0, 3, log_path=log)
    readings = [s.readings[0] for s in sampler.samples]
    assert [r.power_w for r in readings] == [100.0, None, None, 100.0]
    assert readings[1].power_reason == "scripted missing reading"
    # bridged linearly, not as 0 W: 3 s at 100 W
    assert m.energy_j == pytest.approx(300.0)
    assert m.devices[0].missing_power == 2
    records = [json.loads(line) for line in log.read_text().splitlines()]
    samples = [r for r in records if r["type"] == "sample"]
    assert samples[1]["power_w"] == [None]
    assert samples[1]["power_reason"] == ["scripted missing reading"]


def test_all_missing_gives_none_energy_with_reason():
    trace = [(0, None, None)]
    clock = FakeClock()
    _, m = run_window(FakeBackend([trace], clock=clock, has_counter=[False]), clock, 1.0, 3)
    assert m.energy_j is None
    assert m.energy_reason and "scripted missing reading" in m.energy_reason
    assert m.average_power_w is None
    assert m.peak_power_w is None


def test_two_devices_summed_and_one_missing_named():
    good = [(0, 100.0, 0.0), (10, 100.0, 1000.0)]
    bad = [(0, None, None)]
    clock = FakeClock()
    _, m = run_window(FakeBackend([good, bad], clock=clock), clock, 1.0, 10)
    assert m.devices[0].energy_j == pytest.approx(1000.0)
    assert m.devices[1].energy_j is None
    assert m.energy_j == pytest.approx(1000.0)
    assert "device 1" in (m.energy_reason or "")


def test_baseline_gives_net_energy():
    # 50 W idle for 5 s, then 250 W: net = (250 - 50) W x 5 s = 1000 J
    trace = [(0, 50.0, 0.0), (5, 50.0, 250.0), (5.000001, 250.0, 250.0), (20, 250.0, 250.0 + 250 * 14.999999)]
    clock = FakeClock()
    sampler = Sampler(FakeBackend([trace], clock=clock), clock=clock, interval_s=0.5)
    sampler.measure_baseline(5.0, sleep=lambda s: step(sampler, clock, round(s / 0.5), 0.5))
    assert sampler.baseline_power_w == [pytest.approx(50.0)]
    clock.advance(0.5)
    with sampler.window("train") as result:
        step(sampler, clock, 9, 0.5)
        clock.advance(0.5)
    m = result.measurement
    assert m is not None
    assert m.energy_j == pytest.approx(1250.0, rel=1e-4)
    assert m.net_energy_j == pytest.approx(1000.0, rel=1e-3)
    assert m.devices[0].net_energy_j == pytest.approx(1000.0, rel=1e-3)


def test_window_errors_are_clear():
    clock = FakeClock()
    sampler = Sampler(FakeBackend([demo_trace()], clock=clock), clock=clock)
    with pytest.raises(InputError, match="no open window"):
        sampler.end_window("nope")
    sampler.begin_window("a")
    with pytest.raises(InputError, match="already open"):
        sampler.begin_window("a")
    with pytest.raises(InputError):
        Sampler(FakeBackend([demo_trace()], clock=clock), interval_s=0)


def test_fake_backend_loops_with_counter_carried():
    clock = FakeClock()
    backend = FakeBackend.demo(clock)
    assert backend.is_fake
    first = backend.read()[0]
    clock.advance(25.0)
    later = backend.read()[0]
    one_period = demo_trace()[-1][2]
    assert later.energy_j == pytest.approx(first.energy_j + 2 * one_period + demo_trace()[50][2], rel=1e-6)
    with pytest.raises(MeasurementError):
        FakeBackend([])


def test_thread_samples_in_background(tmp_path):
    log = tmp_path / "live.jsonl"
    backend = FakeBackend.demo()
    with Sampler(backend, interval_s=0.02, log_path=log) as sampler:
        sampler.begin_window("w")
        import time

        # 0.3 s holds 15 intervals; on a loaded machine the thread may get fewer turns, so wait
        # (up to 10 s) for the five samples the assertions need rather than a fixed time.
        deadline = time.monotonic() + 10.0
        time.sleep(0.3)
        while len(sampler.samples) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        m = sampler.end_window("w")
    assert len(sampler.samples) >= 5
    assert m.energy_j is not None and m.energy_j > 0
    assert sampler.overhead_fraction() is not None
    saved = read_log(log)
    assert saved.header["fake"] is True
    assert len(saved.samples) == len(sampler.samples)
    assert [e["type"] for e in saved.events] == ["window_begin", "window_end"]
    summary = summarise_log(saved)
    assert summary.energy_j == pytest.approx(m.energy_j, rel=0.05)


def test_reader_skips_truncated_last_line(tmp_path):
    clock = FakeClock()
    log = tmp_path / "t.jsonl"
    sampler = Sampler(
        FakeBackend([[(0, 100.0, 0.0), (10, 100.0, 1000.0)]], clock=clock), clock=clock, log_path=log
    )
    sampler.sample_once()
    step(sampler, clock, 10, 1.0)
    sampler.close()
    with log.open("a") as handle:
        handle.write('{"type":"sample","t_s":10')  # a crash mid-write
    saved = read_log(log)
    assert saved.truncated_last_line
    assert len(saved.samples) == 11
    assert not saved.problems
    m = summarise_log(saved)
    assert m.energy_j == pytest.approx(1000.0)
    assert any("truncated" in note for note in m.notes)


def test_reader_refuses_a_file_without_header(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"type":"sample","t_s":1,"power_w":[1],"energy_j":[null]}\n')
    with pytest.raises(MeasurementError, match="no header"):
        read_log(path)
