"""``wattprint measure`` under signals, a killed parent and hostile --log paths (fake backend).

Each case is the exact command a user runs; all run as real processes, since signals and the
parent-death signal cannot be shown in-process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
MEASURE = [PY, "-m", "wattprint", "measure", "--backend", "fake"]


def wait_for(predicate, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_during_baseline_ends_at_once(signum: int, code: int) -> None:
    # wattprint measure --backend fake --baseline-s 600 -- true, then kill -TERM / -INT
    proc = subprocess.Popen(
        [*MEASURE, "--baseline-s", "600", "--", "true"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # no terminal: the INT reaches wattprint only
    )
    assert proc.stderr is not None
    assert "measuring idle baseline" in proc.stderr.readline()
    sent = time.monotonic()
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=20)
    elapsed = time.monotonic() - sent
    assert proc.returncode == code, err
    assert elapsed < 10, f"took {elapsed:.1f} s to stop; the baseline must not run on"
    assert signal.Signals(signum).name in err
    assert "Traceback" not in err


def _state(pid: int) -> str | None:
    """The process state letter from /proc (Z for a zombie), None when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_child_dies_with_wattprint(tmp_path: Path) -> None:
    # wattprint measure --backend fake -- python -c "...sleep(120)", then kill -9 of wattprint
    pid_file = tmp_path / "child.pid"
    script = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(120)"
    proc = subprocess.Popen([*MEASURE, "--", PY, "-c", script], cwd=ROOT, stdout=subprocess.DEVNULL)
    wait_for(lambda: pid_file.exists() and pid_file.read_text().strip() != "")
    child = int(pid_file.read_text())
    assert _state(child) not in (None, "Z")
    proc.kill()
    proc.wait(timeout=10)
    try:
        wait_for(lambda: _state(child) in (None, "Z"), timeout_s=10)
    finally:
        if _state(child) not in (None, "Z"):
            os.kill(child, signal.SIGKILL)


def run_measure(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MEASURE, *args], cwd=ROOT, capture_output=True, text=True, timeout=30)


def assert_one_line(done: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], done.stderr
    assert done.stdout == ""


def test_log_to_dev_full_is_refused_before_opening() -> None:
    # wattprint measure --backend fake --log /dev/full -- true
    assert_one_line(run_measure("--log", "/dev/full", "--", "true"), "is a device file")


def test_log_to_a_fifo_does_not_hang(tmp_path: Path) -> None:
    # mkfifo run.jsonl; wattprint measure --backend fake --log run.jsonl -- true
    fifo = tmp_path / "run.jsonl"
    os.mkfifo(fifo)
    assert_one_line(run_measure("--log", str(fifo), "--", "true"), "named pipe")


def test_log_onto_the_measured_script_is_refused(tmp_path: Path) -> None:
    # wattprint measure --backend fake --log train.py -- python train.py
    script = tmp_path / "train.py"
    script.write_text("print('training')\n")
    link = tmp_path / "link.py"
    link.symlink_to(script)
    for log in (script, link):
        assert_one_line(run_measure("--log", str(log), "--", PY, str(script)), "destroy the input")
    assert script.read_text() == "print('training')\n"


@pytest.mark.parametrize("where, fragment", [("missing/run.jsonl", "does not exist"), (".", "is a folder")])
def test_log_in_a_missing_folder_or_a_folder(tmp_path: Path, where: str, fragment: str) -> None:
    assert_one_line(run_measure("--log", str(tmp_path / where), "--", "true"), fragment)


@pytest.mark.parametrize("interval", ["1e-300", "0", "0.001"])
def test_sampling_faster_than_100_hz_is_refused(interval: str) -> None:
    # wattprint measure --backend fake --interval-s 1e-300 -- true: a busy loop filling memory
    assert_one_line(run_measure("--interval-s", interval, "--", "true"), "interval-s must be at least 0.01")


def test_log_write_failure_mid_run_is_a_note_not_a_traceback(tmp_path: Path) -> None:
    # The disk fills while sampling: the run completes, the log stops, the report says why.
    from wattprint.errors import MeasurementError
    from wattprint.measure.backends import FakeBackend
    from wattprint.measure.sampler import Sampler

    sampler = Sampler(FakeBackend.demo(), interval_s=0.01, log_path=tmp_path / "run.jsonl")
    assert sampler.log is not None
    handle = sampler.log._handle
    assert handle is not None
    handle.close()
    sampler.log._handle = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115
    sampler.sample_once()
    assert any("No space left on device" in e for e in sampler.errors)
    sampler.sample_once()  # logging stopped; sampling goes on
    assert len(sampler.samples) == 2
    with pytest.raises(MeasurementError):
        sampler.log._handle = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115
        sampler.log.write({"type": "x"})
    sampler.close()
