"""``wattprint batch DIR --engine dask --scheduler tcp://127.0.0.1:PORT -o out/`` against a real
``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1; the partitioned Parquet dataset
the workers write equals the in-process engine row for row, and so do the totals and summaries.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import MINI_DB, ROOT, run_cli
from tests.engine.test_batch_dask import _jobs
from wattprint.db import batchfiles
from wattprint.db.loader import load_databases
from wattprint.engine import batch

pytest.importorskip("distributed")
DASK = Path(sys.executable).parent / "dask"
START_TIMEOUT_S = 90


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not DASK.exists():
        pytest.skip(f"no dask command at {DASK}")
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scratch = tmp_path_factory.mktemp("dask")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    common = {"env": env, "cwd": scratch, "start_new_session": True, "stdout": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stderr=(scratch / "scheduler.log").open("wb"),
            **common,
        )
    ]
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for number in range(2):
            processes.append(
                subprocess.Popen(
                    [
                        str(DASK),
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--name",
                        f"w{number}",
                        "--local-directory",
                        str(scratch / f"w{number}"),
                        "--memory-limit",
                        "1GiB",
                    ],
                    stderr=(scratch / f"worker{number}.log").open("wb"),
                    **common,
                )
            )
        with Client(address, timeout=START_TIMEOUT_S) as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT_S)
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("jobs")
    _jobs(1, 300).to_csv(folder / "part-0.csv", index=False)
    _jobs(2, 250).to_parquet(folder / "part-1.parquet")
    _jobs(3, 200).drop(columns=["start"]).to_csv(folder / "part-2.csv", index=False)
    (folder / "more").mkdir()
    _jobs(4, 100).to_csv(folder / "more" / "part-3.csv", index=False)
    return folder


def _in_process(folder: Path) -> pd.DataFrame:
    tables = batch.build_tables(load_databases(MINI_DB))
    columns = [*batch.INPUT_COLUMNS, *batch.TIME_COLUMNS]
    present = [c for c in columns if c in {"name", "hardware", "count", "hours", "region", "start"}]
    frames = [
        batch.estimate_frame(batchfiles.read_partition(str(path), present), tables)
        for path in batchfiles.dataset_files(folder)
    ]
    return pd.concat(frames, ignore_index=True).sort_values(["file", "line"]).reset_index(drop=True)


def test_real_scheduler_writes_a_partitioned_dataset_equal_to_the_engine(
    scheduler, dataset, tmp_path
) -> None:
    out = tmp_path / "out"
    started = time.monotonic()
    result = run_cli(
        "--db-dir",
        str(MINI_DB),
        "batch",
        str(dataset),
        "--engine",
        "dask",
        "--scheduler",
        scheduler,
        "-o",
        f"{out}/",
        "--summary",
        "--json",
        "--errors",
        str(tmp_path / "errors.csv"),
        timeout=180,
    )
    assert result.code == 0, result.stderr
    parts = sorted(p.name for p in out.iterdir())
    assert parts == [f"part-{i:05d}.parquet" for i in range(4)]
    schemas = {str(pq.read_schema(out / name)) for name in parts}
    assert len(schemas) == 1  # one declared schema in every part
    written = pq.read_table(out).to_pandas().sort_values(["file", "line"]).reset_index(drop=True)
    expected = _in_process(dataset)
    assert len(written) == 850 and list(written.columns) == list(expected.columns)
    assert "device_hours" not in written.columns  # absent inputs are not written
    for column in ("energy_kwh", "it_energy_kwh", "co2e_kg", "pue_used", "device_hours_used"):
        np.testing.assert_array_equal(written[column].to_numpy(), expected[column].to_numpy())
    assert list(written["error"]) == list(expected["error"])
    data = json.loads(result.stdout)
    totals = batch.totals(expected)
    assert data["totals"]["jobs"] == 850 and data["totals"]["failed"] == totals.failed > 0
    assert data["totals"]["energy_kwh"] == pytest.approx(totals.energy_kwh, rel=1e-12)
    by_region = {row["region"]: row for row in data["summaries"]["region"]}
    for row in batch.summarize(expected, "region").to_dict("records"):
        assert by_region[row["region"]]["co2e_kg"] == pytest.approx(row["co2e_kg"], rel=1e-12)
        assert by_region[row["region"]]["jobs"] == row["jobs"]
    assert len(pd.read_csv(tmp_path / "errors.csv")) == totals.failed
    assert time.monotonic() - started < 180


def test_real_scheduler_glob_input_and_parquet_name(scheduler, dataset, tmp_path) -> None:
    out = tmp_path / "results.parquet"
    result = run_cli(
        "--db-dir",
        str(MINI_DB),
        "batch",
        str(dataset / "*.csv"),
        "--engine",
        "dask",
        "--scheduler",
        scheduler,
        "-o",
        str(out),
        "--json",
        timeout=180,
    )
    assert result.code == 0, result.stderr
    assert out.is_dir() and json.loads(result.stdout)["totals"]["jobs"] == 500  # part-0 and part-2
    assert pq.read_table(out).num_rows == 500


def test_unreachable_scheduler_one_line_within_10_s(dataset) -> None:
    started = time.monotonic()
    result = run_cli(
        "--db-dir",
        str(MINI_DB),
        "batch",
        str(dataset),
        "--engine",
        "dask",
        "--scheduler",
        f"tcp://127.0.0.1:{_free_port()}",
    )
    assert time.monotonic() - started < 10
    assert result.code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "no dask scheduler answered" in result.stderr and "Traceback" not in result.stderr


README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_dask_examples() -> list[list[str]]:
    import shlex

    commands = []
    for line in README.splitlines():
        if line.startswith("wattprint batch") and "--engine dask" in line:
            commands.append(shlex.split(line.split("  #", 1)[0])[1:])
    return commands


def test_readme_dask_examples_run_as_written(scheduler, dataset, tmp_path) -> None:
    examples = _readme_dask_examples()
    assert len(examples) >= 3
    work = tmp_path / "work"
    work.mkdir()
    (work / "jobs_folder").symlink_to(dataset, target_is_directory=True)
    for words in examples:
        words = [scheduler if word == "tcp://scheduler:8786" else word for word in words]
        done = subprocess.run(
            [sys.executable, "-m", "wattprint", "--db-dir", str(MINI_DB), *words],
            capture_output=True,
            text=True,
            cwd=work,
            timeout=180,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert done.returncode == 0, (words, done.stderr)
        assert "Jobs:" in done.stdout and "Traceback" not in done.stderr
    assert pq.read_table(work / "results.parquet").num_rows == 850
    assert pq.read_table(work / "results").num_rows == 850  # the last example replaced the glob's 500
