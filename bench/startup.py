"""Start-up time of commands: cold (cache off) and warm, against importing every command.

Runs each command ``--repeat`` times as a user would (a fresh Python process each time):

- ``cold``: ``WATTPRINT_CACHE_DIR=off``, so every database file is parsed and validated, as on
  the first run after a database edit;
- ``edited``: the first run after a database edit (a comment appended to one file of a copy of
  the databases before each run): the other files' parsed YAML is reused, all are validated;
- ``warm``: the parsed-database cache filled in a temporary folder;
- ``eager``: warm, but every command module imported before the command runs, as the CLI did
  before it imported only the chosen command's module (the baseline of the lazy imports);

and ``python -c pass`` as the floor of any Python process. Prints the median wall time of each,
the ratio of cold to warm (the cache) and of eager to warm (the lazy imports), all in this run.

    python bench/startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "hardware list": ["hardware", "list"],
    "regions list": ["regions", "list"],
    "estimate (given intensity)": [
        "estimate",
        "--device-hours",
        "10",
        "--power-w",
        "300",
        "--intensity",
        "400",
    ],
    "estimate (H100, region)": [
        *("estimate", "--hardware", "nvidia-h100-sxm5-80gb", "--hours", "24", "--count", "8"),
        *("--region", "aws:us-east-1"),
    ],
    "compare": ["compare", "--device-hours", "10", "--power-w", "300", "--region", "aws:us-east-1"],
    "db check": ["db", "check"],
}
EDITED_FILE = "hardware_db/sources.yaml"
EAGER = (
    "import sys; from wattprint import cli; [cli.command_module(name) for name in cli.COMMANDS]; "
    "raise SystemExit(cli.main(sys.argv[1:]))"
)
"""The CLI as it was: every command module (and so pandas, numpy, ...) imported up front."""


def wall_s(args: list[str], env: dict[str, str], repeat: int, edit: Path | None = None) -> float:
    times = []
    for run in range(repeat):
        if edit is not None:
            with edit.open("a", encoding="utf-8") as handle:
                handle.write(f"# edit {run}\n")
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
    print(f"{'command':27} {'cold':>6} {'edited':>7} {'warm':>6} {'eager':>6}   cold/warm  eager/warm")
    with tempfile.TemporaryDirectory(prefix="wattprint-bench-") as scratch:
        cache, copy = Path(scratch) / "cache", Path(scratch) / "db"
        for name in ("hardware_db", "region_db"):
            shutil.copytree(ROOT / name, copy / name)
        for label, command in COMMANDS.items():
            program = [sys.executable, "-m", "wattprint", *command]
            cold = wall_s(program, {**base, "WATTPRINT_CACHE_DIR": "off"}, args.repeat)
            edit_env = {**base, "WATTPRINT_CACHE_DIR": str(cache), "WATTPRINT_DB_DIR": str(copy)}
            wall_s(program, edit_env, 1)  # fills the cache of the copy
            edited = wall_s(program, edit_env, args.repeat, edit=copy / EDITED_FILE)
            warm_env = {**base, "WATTPRINT_CACHE_DIR": str(cache)}
            wall_s(program, warm_env, 1)  # fills the cache
            warm = wall_s(program, warm_env, args.repeat)
            eager = wall_s([sys.executable, "-c", EAGER, *command], warm_env, args.repeat)
            print(
                f"{label:27} {cold:5.2f}s {edited:6.2f}s {warm:5.2f}s {eager:5.2f}s   "
                f"{cold / warm:8.1f}x {eager / warm:10.1f}x"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
