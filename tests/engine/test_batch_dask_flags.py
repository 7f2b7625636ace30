"""The plausibility pass with --engine dask: the same rows flagged, for the same reasons and
shares, as the pandas engine flags in the same jobs read as one file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")


def _jobs(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "name": [f"job-{seed}-{i}" for i in range(n)],
            "hardware": "nvidia-a100-sxm4-80gb",
            "count": rng.integers(1, 9, n).astype(float),
            "hours": rng.uniform(1, 48, n).round(3),
            "region": "gcp:europe-west9",
        }
    )


def test_dask_flags_the_same_rows_as_pandas(cli, tmp_path) -> None:
    first, second = _jobs(1, 700), _jobs(2, 700)
    first.loc[10, ["name", "hours"]] = ["forty-days", 960.0]  # over 30 days
    second.loc[20, ["name", "count"]] = ["many-devices", 2048.0]  # over 1,024 devices
    second.loc[30, ["name", "count", "hours"]] = ["largest", 64.0, 600.0]  # also over 30 days
    folder = tmp_path / "jobs"
    folder.mkdir()
    first.to_csv(folder / "part-0.csv", index=False)
    second.to_csv(folder / "part-1.csv", index=False)
    together = tmp_path / "all.csv"
    pd.concat([first, second]).to_csv(together, index=False)

    by_engine = {}
    for engine, source in (("pandas", together), ("dask", folder)):
        done = cli("batch", str(source), "--engine", engine, "--json")
        assert done.code == 0, done.stderr
        data = json.loads(done.stdout)
        by_engine[engine] = {
            row["name"]: (row["reason"], round(row["share_of_energy"], 12)) for row in data["flagged"]["rows"]
        }
    assert by_engine["dask"] == by_engine["pandas"]
    assert {"forty-days", "many-devices", "largest"} <= set(by_engine["dask"])
    assert "in the top 0.1% of energy" in by_engine["dask"]["largest"][0]  # 1,400 rows: the top 1

    text = cli("batch", str(folder), "--engine", "dask", "--exclude-flagged")
    assert "Flagged for review:" in text.stdout and "left out of the totals above" in text.stdout
    assert "part-0.csv" in text.stdout and "part-1.csv" in text.stdout  # a line number names its file
