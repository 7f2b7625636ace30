"""``wattprint.track`` / ``tracked``: the measure command's energy for the same trace, windows,
a log that survives SIGKILL, one sampler per node, merged totals, None with a reason."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import wattprint
from wattprint.errors import InputError
from wattprint.measure.backends import demo_trace
from wattprint.measure.sampler import read_log
from wattprint.measure.track import Tracker, merge_logs, ranks_from_env

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
SINGLE = {
    k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "RANK", "LOCAL_RANK", "WORLD_SIZE"))
}


def trace_energy_j(t0_s: float, t1_s: float) -> float:
    """The demo trace's exact energy [J] between two times since its first read (it loops)."""
    trace = demo_trace()
    t = np.array([p[0] for p in trace])
    e = np.array([p[2] for p in trace])
    period, per_cycle = t[-1], e[-1] - e[0]

    def counter(x: float) -> float:
        cycles = x // period
        return float(cycles * per_cycle + np.interp(x - cycles * period, t, e))

    return counter(t1_s) - counter(t0_s)


# A sample's time is read just after the backend's own clock read (microseconds apart): at about
# 350 W, 1 ms is 0.35 J, so the trace's integral is matched to 1 J in 100.
TIMING_REL = 1e-2


def window_times(log: Path, name: str) -> tuple[float, float, float]:
    """First read, window begin and window end times [s] recorded in a log."""
    saved = read_log(log)
    first = saved.samples[0].t_s
    begin = next(e["t_s"] for e in saved.events if e.get("type") == "window_begin" and e["name"] == name)
    end = next(e["t_s"] for e in saved.events if e.get("type") == "window_end" and e["name"] == name)
    return first, begin, end


def test_track_and_measure_give_the_trace_energy_of_their_windows(tmp_path: Path) -> None:
    log = tmp_path / "track.jsonl"
    with wattprint.track(backend="fake", log=log, env=SINGLE) as run:
        time.sleep(0.6)
    result = run.result
    assert result is not None and result.fake and result.backend == "fake"
    first, begin, end = window_times(log, "run")
    assert result.energy_j == pytest.approx(trace_energy_j(begin - first, end - first), rel=TIMING_REL)

    cli_log = tmp_path / "measure.jsonl"
    done = subprocess.run(
        [
            PY,
            "-m",
            "wattprint",
            "measure",
            "--backend",
            "fake",
            "--log",
            str(cli_log),
            "--json",
            "--",
            PY,
            "-c",
            "import time; time.sleep(0.6)",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    measured = json.loads(done.stdout)
    first, begin, end = window_times(cli_log, "command")
    assert measured["energy_j"] == pytest.approx(trace_energy_j(begin - first, end - first), rel=TIMING_REL)
    # Both are the same trace over about the same 0.6 s: the same figure per second of window.
    per_s_track = result.energy_j / result.measurement.duration_s
    per_s_cli = measured["energy_j"] / measured["measurement"]["duration_s"]
    assert per_s_track == pytest.approx(per_s_cli, rel=0.25)


def test_result_carries_co2e_with_basis_year_and_the_tdp_estimate_beside() -> None:
    with wattprint.track(backend="fake", region="aws:us-east-1", env=SINGLE) as run:
        time.sleep(0.2)
    result = run.result
    assert result.co2e_kg == pytest.approx(result.energy_kwh * result.intensity["intensity_g_per_kwh"] / 1000)
    assert result.intensity["basis"] and result.intensity["year"] and result.intensity["source"]
    row = result.tdp_estimate["devices"][0]
    assert row["hardware_id"] == "nvidia-h100-sxm5-80gb"  # the fake GPU reports "NVIDIA H100 80GB HBM3"
    assert row["tdp_energy_j"] == pytest.approx(700.0 * result.measurement.duration_s)
    data = result.to_dict()
    assert data["label"].startswith("FAKE") and json.dumps(data)


def test_windows_and_the_decorator() -> None:
    with wattprint.track(backend="fake", env=SINGLE) as run:
        run.begin_window("step")
        time.sleep(0.1)
        step = run.end_window("step")
        with run.window("eval"):
            time.sleep(0.1)
    assert step is not None and step.energy_j > 0
    assert set(run.result.windows) == {"step", "eval"}
    assert run.result.energy_j > step.energy_j
    assert run.result.co2e_kg is None and "no region" in run.result.co2e_reason

    @wattprint.tracked(backend="fake", env=SINGLE)
    def work(n: int) -> int:
        time.sleep(0.05)
        return n * 2

    assert work(21) == 42
    assert work.last_result.energy_j > 0  # type: ignore[attr-defined]


def test_nothing_readable_is_none_with_a_reason_never_zero() -> None:
    with wattprint.track(backend="nvml", env=SINGLE) as run:
        pass
    result = run.result
    if result.backend == "nvml":  # a machine with a GPU: nothing to check here
        pytest.skip("a GPU is readable here")
    assert result.energy_kwh is None and result.energy_j is None
    assert "nvml" in result.energy_reason.lower()
    assert result.co2e_kg is None


def test_bad_options_are_one_line_errors() -> None:
    with pytest.raises(InputError, match="not both"):
        Tracker(region="aws:us-east-1", intensity_g_per_kwh=300)
    with pytest.raises(InputError, match="empty"):
        Tracker(region="  ")
    with pytest.raises(InputError, match="needs a region"):
        Tracker(year=2022)
    with pytest.raises(InputError, match="attribute"):
        Tracker(attribute="thread")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="LOCAL_RANK"):
        ranks_from_env({"LOCAL_RANK": "one"})


def test_ranks_from_torchrun_and_slurm() -> None:
    torchrun = ranks_from_env({"RANK": "5", "LOCAL_RANK": "1", "WORLD_SIZE": "8", "GROUP_RANK": "2"})
    assert (torchrun.rank, torchrun.local_rank, torchrun.world_size, torchrun.node) == (5, 1, 8, "2")
    assert not torchrun.samples_node and torchrun.launcher == "torchrun"
    slurm = ranks_from_env(
        {"SLURM_PROCID": "4", "SLURM_LOCALID": "0", "SLURM_NTASKS": "8", "SLURM_NODEID": "1"}
    )
    assert slurm.samples_node and (slurm.rank, slurm.node, slurm.launcher) == (4, "1", "slurm")
    single = ranks_from_env({})
    assert single.samples_node and single.world_size == 1 and single.launcher is None


WORKER = textwrap.dedent(
    """
    import json, sys, time, wattprint
    log, seconds = sys.argv[1], float(sys.argv[2])
    with wattprint.track(backend="fake", log=log, attribute="process") as run:
        print("ready", flush=True)
        time.sleep(seconds)
    print(json.dumps(run.result.to_dict()), flush=True)
    """
)


def launch(tmp_path: Path, env: dict[str, str], seconds: float = 0.5) -> subprocess.Popen[str]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    full = {**SINGLE, "PYTHONPATH": str(ROOT), **env}
    return subprocess.Popen(
        [PY, str(script), str(tmp_path / "run.jsonl"), str(seconds)],
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> dict:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_two_local_ranks_one_sampler_and_a_merged_total(tmp_path: Path) -> None:
    procs = [
        launch(tmp_path, {"RANK": str(r), "LOCAL_RANK": str(r), "WORLD_SIZE": "2", "GROUP_RANK": "0"})
        for r in (0, 1)
    ]
    rank0, rank1 = (finish(p) for p in procs)
    node_logs = sorted(tmp_path.glob("run.node-*.jsonl"))
    assert [p.name for p in node_logs] == ["run.node-0.jsonl"]  # one sampler on the node
    assert rank0["role"] == "node sampler" and rank0["energy_j"] > 0
    assert rank1["role"] == "rank" and rank1["energy_j"] is None
    assert "local rank 0" in rank1["energy_reason"]
    assert sorted(p.name for p in tmp_path.glob("run.rank-*.jsonl")) == [
        "run.rank-0.jsonl",
        "run.rank-1.jsonl",
    ]
    merged = merge_logs([*node_logs, *tmp_path.glob("run.rank-*.jsonl")])
    assert merged.energy_kwh == pytest.approx(
        rank0["energy_kwh"], rel=1e-12
    )  # the single sampler's own figure
    assert [r["rank"] for r in merged.ranks] == [0, 1]
    # The fake backend reports no per-process utilisation: each rank's share is None, with why.
    assert all(r["energy_j"] is None and r["reason"] for r in merged.ranks)


def test_two_nodes_merge_to_the_sum_and_the_cli_agrees(tmp_path: Path) -> None:
    procs = [
        launch(
            tmp_path, {"RANK": str(2 * n + r), "LOCAL_RANK": str(r), "WORLD_SIZE": "4", "GROUP_RANK": str(n)}
        )
        for n in (0, 1)
        for r in (0, 1)
    ]
    results = [finish(p) for p in procs]
    samplers = [r for r in results if r["role"] == "node sampler"]
    assert len(samplers) == 2
    node_logs = sorted(tmp_path.glob("run.node-*.jsonl"))
    assert len(node_logs) == 2
    merged = merge_logs(node_logs, intensity_g_per_kwh=400)
    assert merged.energy_kwh == pytest.approx(sum(r["energy_kwh"] for r in samplers), rel=1e-12)
    assert merged.co2e_kg == pytest.approx(merged.energy_kwh * 0.4)
    cli = subprocess.run(
        [PY, "-m", "wattprint", "merge-logs", *map(str, node_logs), "--intensity", "400", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert json.loads(cli.stdout)["energy_kwh"] == pytest.approx(merged.energy_kwh, rel=1e-12)
    twice = subprocess.run(
        [PY, "-m", "wattprint", "merge-logs", str(node_logs[0]), str(node_logs[0])],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert twice.returncode == 2 and "count it twice" in twice.stderr and len(twice.stderr.splitlines()) == 1


def test_a_tracked_child_killed_with_sigkill_leaves_a_readable_log(tmp_path: Path) -> None:
    proc = launch(tmp_path, {}, seconds=60)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.8)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    log = tmp_path / "run.jsonl"
    merged = merge_logs([log])
    (node,) = merged.nodes
    assert node["complete"] is False and node["energy_j"] > 0
    first = read_log(log).samples[0].t_s
    last = read_log(log).samples[-1].t_s
    begin = next(e["t_s"] for e in read_log(log).events if e.get("type") == "window_begin")
    assert node["energy_j"] == pytest.approx(trace_energy_j(begin - first, last - first), rel=TIMING_REL)
    proc.stdout.close()
    proc.stderr.close()  # type: ignore[union-attr]
