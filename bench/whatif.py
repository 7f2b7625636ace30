"""One job against every region: the vectorised compare against a loop of single estimates.

Prints median times over many runs and their ratios: warm (the region frame sorted once per
frame and PUE rule, as the CLI and the web app reuse it) and cold (a fresh frame each time, so
the sort is paid on every call). Target: warm >= 50x. Run: ``python bench/whatif.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wattprint.db.loader import load_databases
from wattprint.db.tables import region_frame
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import DEFAULT_PUE, JobSpec, resolve
from wattprint.engine.whatif import compare_regions

REPEATS = 30


def median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    dbs = load_databases()
    spec = JobSpec(hardware="nvidia-h100-sxm5-80gb", count=8, hours=24, region="aws:us-east-1")
    footprint = estimate(resolve(spec, dbs))
    frame = region_frame(dbs.regions)
    ids = list(frame["id"])

    def vectorised() -> None:
        compare_regions(footprint, frame, None, DEFAULT_PUE)

    def cold() -> None:
        compare_regions(footprint, frame.copy(), None, DEFAULT_PUE)

    def loop() -> None:
        for region_id in ids:
            estimate(resolve(JobSpec(hardware=spec.hardware, count=8, hours=24, region=region_id), dbs))

    fast = median_seconds(vectorised, REPEATS)
    first = median_seconds(cold, REPEATS)
    slow = median_seconds(loop, max(3, REPEATS // 10))
    print(f"regions: {len(ids)}")
    print(f"vectorised compare_regions, warm: {fast * 1e3:.2f} ms (median of {REPEATS})")
    print(f"vectorised compare_regions, cold: {first * 1e3:.2f} ms (median of {REPEATS})")
    print(f"loop of single estimates:         {slow * 1e3:.2f} ms (median of {max(3, REPEATS // 10)})")
    print(f"ratio (loop / warm):              {slow / fast:.1f}x")
    print(f"ratio (loop / cold):              {slow / first:.1f}x")


if __name__ == "__main__":
    main()
