"""Start-up time of commands: the parsed-database cache against parsing the YAML every time.

Runs each command ``--repeat`` times as a user would (a fresh ``python -m app`` process), first
with the cache off (``WATTPRINT_CACHE_DIR=off``: every file parsed and validated), then with a
warm cache in a temporary folder, and ``python -c pass`` as the floor of any Python process.
Prints the median wall time of each and the ratio of cache off to cache on, all in this run.

    python bench/startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [
    ["hardware", "list"],
    ["regions", "list"],
    [
        "estimate",
        "--hardware",
        "nvidia-h100-sxm5-80gb",
        "--hours",
        "24",
        "--count",
        "8",
        "--region",
        "aws:us-east-1",
    ],
    ["db", "check"],
]


def wall_s(args: list[str], env: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is printed")
    args = parser.parse_args(argv)
    if not 1 <= args.repeat <= 50:
        parser.error("--repeat must be 1-50")
    base = {**os.environ, "PYTHONPATH": str(ROOT)}
    floor = wall_s([sys.executable, "-c", "pass"], base, args.repeat)
    print(f"startup: median of {args.repeat} runs; python -c pass takes {floor:.2f} s here")
    with tempfile.TemporaryDirectory(prefix="wattprint-cache-") as cache:
        for command in COMMANDS:
            program = [sys.executable, "-m", "app", *command]
            off = wall_s(program, {**base, "WATTPRINT_CACHE_DIR": "off"}, args.repeat)
            warm_env = {**base, "WATTPRINT_CACHE_DIR": cache}
            wall_s(program, warm_env, 1)  # fills the cache
            warm = wall_s(program, warm_env, args.repeat)
            name = " ".join(command[:2])
            print(f"  {name:16} cache off {off:.2f} s   cache on {warm:.2f} s   ratio {off / warm:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
