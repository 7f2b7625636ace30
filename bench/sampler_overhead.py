"""Sampler overhead at 10 Hz: CPU time of the sampler thread / wall time, fake backend (and NVML if present).

Usage: python bench/sampler_overhead.py [--seconds S] [--interval-s S] [--json]
Prints one line per backend and, with --json, one JSON object. The figure is measured with
``time.thread_time()`` inside the sampler thread, so it excludes the rest of the process.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wattprint.errors import MeasurementError
from wattprint.measure.backends import FakeBackend, NvmlBackend, PowerBackend
from wattprint.measure.sampler import Sampler


def overhead(
    backend: PowerBackend, seconds: float, interval_s: float, log_path: Path | None
) -> dict[str, Any]:
    """Run a sampler for ``seconds`` [s]; CPU/wall fraction [-] of its thread, samples taken."""
    sampler = Sampler(backend, interval_s=interval_s, log_path=log_path).start()
    time.sleep(seconds)
    sampler.stop()
    result = {
        "backend": backend.name,
        "fake": backend.is_fake,
        "devices": len(sampler.devices),
        "interval_s": interval_s,
        "wall_s": sampler.thread_wall_s,
        "thread_cpu_s": sampler.thread_cpu_s,
        "overhead_fraction": sampler.overhead_fraction(),
        "samples": len(sampler.samples),
        "achieved_hz": len(sampler.samples) / sampler.thread_wall_s if sampler.thread_wall_s else None,
        "log": log_path is not None,
    }
    sampler.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--interval-s", type=float, default=0.1)
    parser.add_argument("--log", type=Path, default=Path("/tmp/wattprint-overhead.jsonl"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [overhead(FakeBackend.demo(), args.seconds, args.interval_s, args.log)]
    try:
        results.append(overhead(NvmlBackend(), args.seconds, args.interval_s, args.log))
    except MeasurementError as error:
        results.append({"backend": "nvml", "skipped": str(error)})
    for r in results:
        if "skipped" in r:
            print(f"{r['backend']}: skipped ({r['skipped']})")
        else:
            print(
                f"{r['backend']}{' (FAKE)' if r['fake'] else ''}: "
                f"sampler thread CPU {r['thread_cpu_s']:.4f} s "
                f"over {r['wall_s']:.2f} s wall = {100 * r['overhead_fraction']:.3f}% of one core "
                f"at {r['achieved_hz']:.1f} Hz, {r['samples']} samples, fsync'd log: {r['log']}"
            )
    if args.json:
        print(json.dumps({"sampler_overhead": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
