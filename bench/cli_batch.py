"""``wattprint batch`` end to end against reading and writing the same data with pyarrow.

Run: ``.venv/bin/python bench/cli_batch.py [--rows 1000000] [--memory-rows 10000000]``.

1. Writes a CSV of ``--rows`` jobs (name, hardware, count, hours, utilization, region).
2. Times ``wattprint batch jobs.csv -o results.csv`` in a subprocess (start-up included) and the
   baseline in this process: ``pyarrow.csv.read_csv`` of the same file plus
   ``pyarrow.csv.write_csv`` of a table of the output's shape (the input columns and the 9
   result columns), i.e. the I/O alone. The ratio is printed.
3. With ``--memory-rows N`` (default 10,000,000; 0 skips), runs the CLI on an N-row file and
   reports its peak resident memory (psutil, sampled every 20 ms over the process tree).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wattprint.db.loader import load_databases  # noqa: E402
from wattprint.engine import batch  # noqa: E402

RESULT_COLUMNS = [c for c in batch.RESULT_COLUMNS if c != "error"]


def write_jobs(path: Path, rows: int, seed: int = 0) -> None:
    """A CSV of ``rows`` valid jobs, written in pieces so memory stays small."""
    databases = load_databases(None)
    hardware = sorted(databases.hardware.devices)[:20]
    regions = [r for r in sorted(databases.regions.regions) if databases.regions.intensity_series(r)][:50]
    rng = np.random.default_rng(seed)
    piece = 1_000_000
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, rows, piece):
            n = min(piece, rows - start)
            frame = pd.DataFrame(
                {
                    "name": [f"job-{i}" for i in range(start, start + n)],
                    "hardware": rng.choice(hardware, n),
                    "count": rng.integers(1, 64, n),
                    "hours": rng.uniform(0.1, 200, n).round(3),
                    "utilization": rng.uniform(0.3, 1.0, n).round(3),
                    "region": rng.choice(regions, n),
                }
            )
            frame.to_csv(handle, index=False, header=start == 0)


def run_cli(jobs: Path, out: Path) -> tuple[float, float]:
    """(seconds, peak resident memory [MiB]) of ``wattprint batch jobs -o out``."""
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "wattprint", "batch", str(jobs), "-o", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            rss = watched.memory_info().rss + sum(
                c.memory_info().rss for c in watched.children(recursive=True)
            )
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(
            f"wattprint batch failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return elapsed, peak / 2**20


def in_process(jobs: Path, out: Path, tiny: Path) -> float:
    """Seconds of ``wattprint batch jobs -o out`` run in this process after a warm-up call that
    loads the databases (so start-up is left out)."""
    import contextlib
    import io

    from wattprint.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        main(["batch", str(tiny), "-o", str(out)])
        started = time.perf_counter()
        main(["batch", str(jobs), "-o", str(out)])
    return time.perf_counter() - started


def pyarrow_baseline(jobs: Path, out: Path) -> float:
    """Seconds to read ``jobs`` and write a table of the output's shape with pyarrow."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    started = time.perf_counter()
    table = pacsv.read_csv(jobs)
    values = table.column("hours").combine_chunks().to_numpy()
    for name in RESULT_COLUMNS:
        table = table.append_column(name, pa.array(values))
    table = table.append_column("error", pa.array([""] * table.num_rows, pa.string()))
    pacsv.write_csv(table, out)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--memory-rows", type=int, default=10_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        jobs, out, baseline_out = (
            Path(folder) / "jobs.csv",
            Path(folder) / "out.csv",
            Path(folder) / "base.csv",
        )
        write_jobs(jobs, args.rows)
        size_mb = jobs.stat().st_size / 1e6
        tiny = Path(folder) / "tiny.csv"
        write_jobs(tiny, 1)
        cli_s, cli_mib = run_cli(jobs, out)
        startup_s = min(run_cli(tiny, Path(folder) / "tiny-out.csv")[0] for _ in range(2))
        base_s = pyarrow_baseline(jobs, baseline_out)
        work_s = in_process(jobs, Path(folder) / "in-process.csv", tiny)
        print(f"input: {args.rows:,} jobs, {size_mb:.0f} MB CSV")
        print(
            f"wattprint batch -o results.csv: {cli_s:.2f} s ({args.rows / cli_s:,.0f} jobs/s), "
            f"peak {cli_mib:.0f} MiB"
        )
        print(f"pyarrow read_csv + write_csv of the same shape: {base_s:.2f} s")
        print(f"ratio wattprint / pyarrow I/O: {cli_s / base_s:.1f}x (target: within 3x)")
        print(f"start-up (the same command on a 1-row file, mostly loading the databases): {startup_s:.2f} s")
        print(
            f"the batch itself (main() in this process, databases already loaded): {work_s:.2f} s, "
            f"ratio {work_s / base_s:.1f}x the pyarrow I/O"
        )
        written = pd.read_csv(out, usecols=["energy_kwh"])
        print(f"results rows written: {len(written):,}")
        if args.memory_rows:
            big = Path(folder) / "big.csv"
            write_jobs(big, args.memory_rows, seed=1)
            out.unlink()
            big_s, big_mib = run_cli(big, out)
            print(
                f"memory: {args.memory_rows:,} jobs ({big.stat().st_size / 1e6:.0f} MB) through the CLI in "
                f"{big_s:.1f} s, peak resident {big_mib:.0f} MiB (target: under 1 GB)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
