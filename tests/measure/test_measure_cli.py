"""``wattprint measure`` end to end with the fake backend; crash safety of the log under kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from wattprint.measure.backends import FAKE_LABEL
from wattprint.measure.sampler import read_log, summarise_log

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def wattprint(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "-m", "wattprint", *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )


def test_exit_code_is_forwarded():
    done = wattprint("measure", "--backend", "fake", "--", PY, "-c", "import sys; sys.exit(3)")
    assert done.returncode == 3, done.stderr
    assert FAKE_LABEL in done.stdout


def test_sleeping_command_is_measured_and_labelled_fake():
    done = wattprint("measure", "--backend", "fake", "--", PY, "-c", "import time; time.sleep(2)")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith(FAKE_LABEL) and out.rstrip().endswith(FAKE_LABEL)
    assert "Energy:" in out and " J (" in out
    assert "Average power:" in out and "Peak power:" in out
    assert "[FAKE]" in out
    assert "add --region" in out  # no location guessed
    assert "whole-device energy" in out
    assert "TDP estimate:" in out


def test_json_with_intensity_and_log(tmp_path):
    log = tmp_path / "run.jsonl"
    done = wattprint(
        "measure",
        "--backend",
        "fake",
        "--intensity",
        "400",
        "--log",
        str(log),
        "--json",
        "--",
        PY,
        "-c",
        "import time; time.sleep(1)",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["fake"] is True and report["label"] == FAKE_LABEL
    assert report["energy_j"] > 0
    assert report["co2e"]["co2e_g"] == pytest.approx(report["energy_kwh"] * 400)
    assert report["whole_device"] is True
    saved = read_log(log)
    assert saved.header["fake"] is True
    ends = [e for e in saved.events if e["type"] == "window_end"]
    assert ends and ends[-1]["measurement"]["energy_j"] == pytest.approx(report["energy_j"])
    window = summarise_log(saved, start_s=ends[-1]["measurement"]["start_s"], end_s=ends[-1]["t_s"])
    assert window.energy_j == pytest.approx(report["energy_j"], rel=1e-9)


def test_region_uses_the_database(mini_db):
    done = wattprint(
        "--db-dir",
        str(mini_db),
        "measure",
        "--backend",
        "fake",
        "--region",
        "country:CH",
        "--json",
        "--",
        PY,
        "-c",
        "pass",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["co2e"]["region"] == "country:CH"
    assert report["co2e"]["co2e_g"] is not None
    (row,) = report["tdp_estimate"]["devices"]
    assert row["hardware_id"] == "nvidia-h100-sxm5-80gb" and row["tdp_w"] == 700


def test_attribute_process_names_method_and_limits():
    done = wattprint("measure", "--backend", "fake", "--attribute", "process", "--", PY, "-c", "pass")
    assert done.returncode == 0, done.stderr
    assert "Attributed to the command's process tree" in done.stdout
    assert "limits:" in done.stdout


def test_usage_errors():
    assert wattprint("measure", "--backend", "fake").returncode == 2
    both = wattprint(
        "measure", "--backend", "fake", "--region", "country:FR", "--intensity", "3", "--", "true"
    )
    assert both.returncode == 2 and "not both" in both.stderr
    missing = wattprint("measure", "--backend", "fake", "--", "no-such-command-xyz")
    assert missing.returncode == 2 and "command not found" in missing.stderr


def test_ctrl_c_forwards_sigint_and_still_reports(tmp_path):
    log = tmp_path / "int.jsonl"
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "wattprint",
            "measure",
            "--backend",
            "fake",
            "--log",
            str(log),
            "--",
            PY,
            "-c",
            "import time; time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # wait until the command window is open
        if log.exists() and "window_begin" in log.read_text():
            break
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Interrupted:   yes" in out
    assert "Energy:" in out
    saved = read_log(log)
    assert any(e["type"] == "window_end" for e in saved.events)


SAMPLER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from wattprint.measure.backends import FakeBackend
    from wattprint.measure.sampler import Sampler
    sampler = Sampler(FakeBackend.demo(), interval_s=0.01, log_path=sys.argv[1]).start()
    sampler.begin_window("run")
    time.sleep(120)
    """
)


def test_log_survives_kill_9(tmp_path):
    script = tmp_path / "sampler.py"
    script.write_text(SAMPLER_SCRIPT.format(root=str(ROOT)))
    log = tmp_path / "crash.jsonl"
    proc = subprocess.Popen([PY, str(script), str(log)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if log.exists() and log.read_text().count("\n") > 40:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    lines = log.read_text().split("\n")
    complete = [line for line in lines[:-1]]  # everything before the last newline was flushed whole
    assert len(complete) > 40
    for line in complete:
        json.loads(line)
    saved = read_log(log)
    assert not saved.problems
    assert len(saved.samples) >= 39
    times = [s.t_s for s in saved.samples]
    assert times == sorted(times)
    m = summarise_log(saved)
    assert m.energy_j is not None and m.energy_j > 0
