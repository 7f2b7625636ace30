"""Real-GPU check: benchmark vs datasheet (peak, TDP), energy counter vs polled power, sampler overhead.

Usage (on a machine with an NVIDIA GPU, torch or cupy installed):
    python bench/gpu_check.py [--seconds 20] [--dtype bf16]
Writes bench/results/gpu_<devicename>.json and prints the same JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wattprint.db.loader import load_databases  # noqa: E402
from wattprint.errors import WattprintError  # noqa: E402
from wattprint.measure.backends import NvmlBackend  # noqa: E402
from wattprint.measure.benchmark import DTYPE_FIELDS, compare_to_peak, load_runner, run_benchmark  # noqa: E402
from wattprint.measure.measurement import Measurement, integrate  # noqa: E402
from wattprint.measure.sampler import Sampler  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from sampler_overhead import overhead  # noqa: E402


def counter_vs_polled(sampler: Sampler, measurement: Measurement) -> list[dict[str, Any]]:
    """Same window integrated twice: energy counter and trapezoid of polled power [J]."""
    window = [s for s in sampler.samples if measurement.start_s <= s.t_s <= measurement.end_s]
    polled_devices = [d.__class__(**{**d.__dict__, "has_energy_counter": False}) for d in sampler.devices]
    polled = integrate("polled", polled_devices, window, "nvml", False, "")
    rows = []
    for counter_dev, polled_dev in zip(measurement.devices, polled.devices, strict=True):
        c, p = counter_dev.energy_j, polled_dev.energy_j
        rows.append(
            {
                "index": counter_dev.index,
                "name": counter_dev.name,
                "counter_method": counter_dev.method,
                "counter_energy_j": c,
                "polled_energy_j": p,
                "polled_over_counter": p / c if c and p is not None else None,
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--dtype", choices=list(DTYPE_FIELDS), default="bf16")
    args = parser.parse_args()
    backend = NvmlBackend()
    device = backend.devices()[0]
    result: dict[str, Any] = {"device": device.to_dict(), "dtype": args.dtype, "seconds": args.seconds}
    idle = Sampler(backend, interval_s=0.1).start()
    idle.begin_window("idle")
    time.sleep(3)
    result["idle"] = idle.end_window("idle").to_dict()
    idle.stop()
    runner = load_runner(args.dtype)
    sampler = Sampler(backend, interval_s=0.1).start()
    bench = run_benchmark(runner, sampler, args.seconds, args.dtype)
    sampler.stop()
    try:
        hw = load_databases().hardware.match(device.name)
        peak = getattr(hw, DTYPE_FIELDS[args.dtype])
        result["hardware_id"] = hw.id
        result["benchmark"] = compare_to_peak(bench, peak.value if peak else None, hw.tdp_w.value)
    except WattprintError as error:
        result["hardware_id"] = None
        result["benchmark"] = compare_to_peak(bench, None, None)
        result["datasheet_reason"] = str(error)
    if bench.measurement is not None:
        result["counter_vs_polled"] = counter_vs_polled(sampler, bench.measurement)
        result["benchmark_measurement"] = bench.measurement.to_dict()
    result["sampler_overhead"] = overhead(backend, 10.0, 0.1, None)
    backend.close()
    name = re.sub(r"[^a-z0-9]+", "-", device.name.lower()).strip("-")
    out = ROOT / "bench" / "results" / f"gpu_{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, default=str)
    out.write_text(text + "\n")
    print(text)
    print(f"written: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
