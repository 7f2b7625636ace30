"""The dask engine over a folder of partitions equals the in-process pandas engine, row for row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import MINI_DB
from wattprint.commands.batch import dask_results
from wattprint.db import batchfiles
from wattprint.db.loader import load_databases
from wattprint.engine import batch

pytest.importorskip("distributed")


def _jobs(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "name": [f"job-{seed}-{i}" for i in range(n)],
            "hardware": rng.choice(["nvidia-h100-sxm5-80gb", "nvidia-v100-sxm2-16gb", "bogus"], n),
            "count": rng.integers(1, 16, n).astype(float),
            "hours": rng.uniform(-1, 100, n),
            "region": rng.choice(["country:CH", "country:US", "gcp:us-central1"], n),
            "start": rng.choice(["2024-01-02", "2024-02-03"], n),
        }
    )


def test_dask_equals_pandas_on_local_cluster(tmp_path) -> None:
    from distributed import Client, LocalCluster

    folder = tmp_path / "dataset"
    folder.mkdir()
    _jobs(1, 200).to_csv(folder / "part-0.csv", index=False)
    _jobs(2, 150).to_parquet(folder / "part-1.parquet")
    _jobs(3, 100).drop(columns=["start"]).to_csv(folder / "part-2.csv", index=False)
    tables = batch.build_tables(load_databases(MINI_DB))
    cluster = LocalCluster(n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster):
        from_dask = dask_results(batchfiles.dataset_files(folder), tables).compute()
    expected = pd.concat(
        [
            batch.estimate_frame(
                batchfiles.read_partition(str(path), [*batch.INPUT_COLUMNS, *batch.TIME_COLUMNS]), tables
            )
            for path in batchfiles.dataset_files(folder)
        ],
        ignore_index=True,
    )
    from_dask = from_dask.sort_values(["file", "line"]).reset_index(drop=True)
    expected = expected.sort_values(["file", "line"]).reset_index(drop=True)
    assert len(from_dask) == 450
    for column in ("energy_kwh", "co2e_kg", "pue_used"):
        np.testing.assert_array_equal(from_dask[column].to_numpy(), expected[column].to_numpy())
    assert list(from_dask["error"]) == list(expected["error"])
    assert (from_dask["error"] != "").sum() > 0  # invalid rows reported, not dropped


def test_dask_cli_on_folder(cli, tmp_path) -> None:
    folder = tmp_path / "dataset"
    folder.mkdir()
    _jobs(4, 50).to_csv(folder / "a.csv", index=False)
    _jobs(5, 50).to_csv(folder / "b.csv", index=False)
    out = tmp_path / "out.csv"
    pandas_run = cli("--db-dir", str(MINI_DB), "batch", str(folder / "a.csv"), "--json")
    dask_run = cli(
        "--db-dir", str(MINI_DB), "batch", str(folder), "--engine", "dask", "-o", str(out), "--json"
    )
    assert dask_run.code == 0, dask_run.stderr
    import json

    totals = json.loads(dask_run.stdout)["totals"]
    assert totals["jobs"] == 100
    single = json.loads(pandas_run.stdout)["totals"]
    assert single["jobs"] == 50
    assert len(pd.read_csv(out)) == 100
