"""``wattprint measure -- COMMAND ...``: run a command and measure the energy its devices drew."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import math
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wattprint.commands import common
from wattprint.errors import InputError, MeasurementError
from wattprint.files import check_output_path
from wattprint.measure.attribution import (
    Attribution,
    CpuTimeShare,
    GpuShareTracker,
    apportion,
    process_tree_pids,
)
from wattprint.measure.backends import (
    BACKEND_NAMES,
    FAKE_LABEL,
    NullBackend,
    PowerBackend,
    default_backend,
    open_backend,
)
from wattprint.measure.measurement import J_PER_KWH, Measurement
from wattprint.measure.sampler import Sampler
from wattprint.measure.track import resolve_intensity, tdp_estimate

MIN_INTERVAL_S = 0.01
"""Shortest sampling period accepted [s] (100 Hz, a design bound): a faster loop would only busy a
core and fill memory with samples (``--interval-s 1e-300``)."""
WAIT_POLL_S = 0.5
KILL_AFTER_S = 10.0
"""Seconds between passing SIGTERM (or SIGHUP) to the command and sending it SIGKILL."""
"""How often the main thread wakes while the command runs [s] (attribution polls then)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "measure",
        help="run a command and measure its energy [J, kWh] on GPUs (NVML) or CPU sockets (RAPL)",
        description=(
            "Runs COMMAND, samples power while it runs and prints energy, average and peak power, "
            "CO2e (with --region or --intensity) and the TDP-based estimate beside it. Exits with "
            "COMMAND's exit code. Example: wattprint measure --region country:FR -- python train.py"
        ),
    )
    parser.add_argument(
        "--interval-s",
        type=common.number("interval-s", MIN_INTERVAL_S, maximum=60.0),
        default=0.1,
        help=f"sampling period [s], {MIN_INTERVAL_S:g}-60 (default 0.1, i.e. 10 Hz)",
    )
    parser.add_argument(
        "--baseline-s",
        type=common.number("baseline-s", maximum=3600.0),
        default=0.0,
        help="measure idle power for this long [s] before the command, to report net energy",
    )
    parser.add_argument(
        "--log", metavar="FILE", help="append every sample to this JSONL file (fsync'd per line)"
    )
    parser.add_argument(
        "--kill-after",
        type=common.number("kill-after", maximum=3600.0),
        default=KILL_AFTER_S,
        metavar="S",
        help=f"seconds the command may take to end after SIGTERM before SIGKILL (default {KILL_AFTER_S:g})",
    )
    parser.add_argument(
        "--region", metavar="ID", help="region for CO2e, e.g. country:FR (wattprint regions list)"
    )
    parser.add_argument("--year", type=common.year, help="year of the region's intensity (default: latest)")
    parser.add_argument(
        "--intensity",
        type=common.job_number("intensity", "intensity_g_per_kwh"),
        help="grid intensity [gCO2e/kWh] instead of a region",
    )
    parser.add_argument(
        "--backend",
        choices=BACKEND_NAMES,
        help="nvml (NVIDIA GPUs), rapl (CPU sockets) or fake (replayed demo trace); default: nvml, else rapl",
    )
    parser.add_argument(
        "--attribute",
        choices=["process"],
        help="apportion device energy to the command's process tree (GPU utilisation, CPU time)",
    )
    common.add_json(parser)
    parser.add_argument(
        "command_line", nargs=argparse.REMAINDER, metavar="-- COMMAND ...", help="the command to run"
    )
    parser.set_defaults(handler=run)


def _intensity(args: argparse.Namespace) -> dict[str, Any] | None:
    """The grid figure for the CO2e line, as :func:`~wattprint.measure.track.resolve_intensity`
    gives it to the Python API (a region's with basis, year, source and whose figure it is)."""
    if args.region and args.intensity is not None:
        raise InputError("give --region or --intensity, not both")
    folder = getattr(args, "db_dir", None)
    return resolve_intensity(args.region, args.year, args.intensity, Path(folder) if folder else None)


def _tdp_comparison(args: argparse.Namespace, sampler: Sampler, measurement: Measurement) -> dict[str, Any]:
    """Each device's TDP x duration beside its measured energy (:func:`tdp_estimate`)."""
    folder = getattr(args, "db_dir", None)
    return tdp_estimate(sampler.devices, measurement, Path(folder) if folder else None)


def _tty_foreground() -> bool:
    """True when we run in the terminal's foreground group (a Ctrl-C there reaches the child too)."""
    for stream in (sys.stdin, sys.stderr):
        try:
            return os.tcgetpgrp(stream.fileno()) == os.getpgrp()
        except (OSError, ValueError, AttributeError):
            continue
    return False


PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal the kernel sends a process when its parent thread dies (Linux)."""


def _death_signal_setter() -> Callable[[], None] | None:
    """A function for ``Popen(preexec_fn=...)`` that makes the child get SIGKILL when wattprint dies.

    Linux only (``prctl(PR_SET_PDEATHSIG)``); None elsewhere. libc and the function are resolved
    here, in the parent, so the child only makes one system call between fork and exec.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent = os.getpid()
    kill_signal = int(signal.SIGKILL)

    def set_death_signal() -> None:
        prctl(PR_SET_PDEATHSIG, kill_signal, 0, 0, 0)
        if os.getppid() != parent:  # wattprint died between fork and prctl
            os._exit(128 + kill_signal)

    return set_death_signal


class _ChildRunner:
    """Runs the command, forwarding SIGINT/SIGTERM to it, and polls attribution meanwhile.

    The child is killed by the kernel if wattprint itself dies (kill -9, a crash): it never runs
    on unmeasured as an orphan. A signal that arrives before the command starts (during the idle
    baseline) sets :attr:`interrupted` at once.
    """

    def __init__(
        self, command: list[str], tracker: GpuShareTracker | None, kill_after_s: float = KILL_AFTER_S
    ) -> None:
        self.command = command
        self.tracker = tracker
        self.kill_after_s = kill_after_s
        self.terminated_at: float | None = None
        self.child: subprocess.Popen[bytes] | None = None
        self.signals: list[int] = []
        self.interrupted = threading.Event()
        self._previous: dict[int, Any] = {}

    def _forward(self, signum: int, frame: object) -> None:
        self.signals.append(signum)
        self.interrupted.set()
        if self.child is None or self.child.poll() is not None:
            return
        first_interrupt = signum == signal.SIGINT and self.signals.count(signal.SIGINT) == 1
        if first_interrupt and _tty_foreground():
            return  # the terminal sent this Ctrl-C to the child as well
        with contextlib.suppress(ProcessLookupError):
            self.child.send_signal(signum)
        if signum in (signal.SIGTERM, signal.SIGHUP) and self.terminated_at is None:
            self.terminated_at = time.monotonic()

    @property
    def ending_signal(self) -> int | None:
        """SIGTERM or SIGHUP when one was received: wattprint then exits 128 + it."""
        for signum in self.signals:
            if signum in (signal.SIGTERM, signal.SIGHUP):
                return int(signum)
        return None

    def __enter__(self) -> _ChildRunner:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            self._previous[signum] = signal.signal(signum, self._forward)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def run(self) -> int:
        """The command's exit status, 128 + N when a signal N ended it."""
        try:
            self.child = subprocess.Popen(self.command, preexec_fn=_death_signal_setter())
        except FileNotFoundError:
            raise MeasurementError(f"command not found: {self.command[0]}") from None
        except PermissionError:
            raise MeasurementError(f"command not executable: {self.command[0]}") from None
        while True:
            try:
                code = self.child.wait(timeout=WAIT_POLL_S)
                break
            except subprocess.TimeoutExpired:
                if self.tracker is not None:
                    self.tracker.poll(process_tree_pids(self.child.pid))
                if (
                    self.terminated_at is not None
                    and time.monotonic() - self.terminated_at >= self.kill_after_s
                ):
                    print(
                        f"wattprint: the command did not end {self.kill_after_s:g} s after SIGTERM; "
                        "sending SIGKILL",
                        file=sys.stderr,
                    )
                    with contextlib.suppress(ProcessLookupError):
                        self.child.kill()
                    self.terminated_at = math.inf
        if self.tracker is not None:
            self.tracker.poll(set())
        return 128 - code if code < 0 else code


def _fmt_j(energy_j: float | None, reason: str | None) -> str:
    if energy_j is None:
        return f"not measured ({reason})"
    return f"{common.fmt(energy_j)} J ({common.fmt(energy_j / J_PER_KWH)} kWh)"


def _fmt_w(power_w: float | None) -> str:
    return "n/a" if power_w is None else f"{common.fmt(power_w)} W"


def render(report: dict[str, Any], measurement: Measurement, attribution: Attribution | None) -> str:
    """The plain-text report."""
    fake = report["fake"]
    lines: list[str] = []
    if fake:
        lines.append(FAKE_LABEL)
    lines.append(f"Command:       {shlex.join(report['command'])} (exit {report['exit_code']})")
    if report["interrupted"]:
        lines.append("Interrupted:   yes; measured until the command ended")
    lines.append(f"Backend:       {report['backend']}{' (FAKE)' if fake else ''}")
    if report["backend"] == "null":
        lines.append(f"No measurement: {report['backend_reason']}")
    lines.append(
        f"Duration:      {common.fmt(measurement.duration_s)} s, "
        f"{report['samples']} samples every {report['interval_s']:g} s"
    )
    lines.append(f"Energy:        {_fmt_j(measurement.energy_j, measurement.energy_reason)}")
    if measurement.energy_j is not None and measurement.energy_reason:
        lines.append(f"               ({measurement.energy_reason})")
    lines.append(f"Average power: {_fmt_w(measurement.average_power_w)}")
    lines.append(f"Peak power:    {_fmt_w(measurement.peak_power_w)} (highest sample)")
    if measurement.baseline_power_w is not None:
        lines.append(
            f"Net energy:    {_fmt_j(measurement.net_energy_j, 'a device had no figure')} "
            f"after an idle baseline of {common.fmt(measurement.baseline_power_w)} W"
        )
    for device in measurement.devices:
        tag = "[FAKE] " if fake else ""
        lines.append(
            f"  {tag}device {device.index} {device.name} ({device.uuid}): "
            f"{_fmt_j(device.energy_j, device.energy_reason)}, avg {_fmt_w(device.average_power_w)}, "
            f"peak {_fmt_w(device.peak_power_w)} [{device.method or 'no method'}]"
        )
        for note in device.notes:
            lines.append(f"      note: {note}")
    co2e = report["co2e"]
    if co2e is None:
        lines.append(
            "CO2e:          not computed: add --region ID (see `wattprint regions list`) or "
            "--intensity G [gCO2e/kWh]; no location is guessed"
        )
    elif co2e["co2e_g"] is None:
        lines.append("CO2e:          not computed: no energy figure")
    else:
        where = (
            f"{co2e['region']} {co2e['year']}, {co2e['source']}"
            if co2e["region"]
            else "given with --intensity"
        )
        lines.append(
            f"CO2e:          {common.fmt(co2e['co2e_g'])} g"
            f" at {common.fmt(co2e['intensity_g_per_kwh'])} gCO2e/kWh ({where}; device energy, no PUE)"
        )
        if co2e.get("note"):
            lines.append(f"               {co2e['note']}")
    tdp = report["tdp_estimate"]
    if tdp["reason"]:
        lines.append(f"TDP estimate:  {tdp['reason']}")
    for row in tdp["devices"]:
        if row.get("hardware_id") is None:
            lines.append(f"TDP estimate:  device {row['index']} {row['name']}: {row.get('reason')}")
            continue
        ratio = row["measured_over_tdp"]
        ratio_text = f"measured/TDP = {ratio:.2f}" if ratio is not None else "no measured figure to compare"
        lines.append(
            f"TDP estimate:  device {row['index']} {row['hardware_id']}: {common.fmt(row['tdp_w'])} W x "
            f"{common.fmt(measurement.duration_s)} s = {common.fmt(row['tdp_energy_j'])} J; {ratio_text}"
        )
    if attribution is None:
        lines.append(
            f"Scope:         whole-device energy: {report['scope']}. "
            "Use --attribute process to apportion it to the command."
        )
    else:
        lines.append(
            "Attributed to the command's process tree: "
            + _fmt_j(attribution.energy_j, attribution.energy_reason)
        )
        for share in attribution.devices:
            share_text = f"{share.share:.1%}" if share.share is not None else f"n/a ({share.reason})"
            lines.append(f"  device {share.index}: share {share_text}; method: {share.method}")
        lines.append(f"  limits: {attribution.limits}")
    for note in report["notes"]:
        lines.append(f"Note:          {note}")
    if report["log"]:
        lines.append(f"Log:           {report['log']}")
    if fake:
        lines.append(FAKE_LABEL)
    return "\n".join(lines)


def _command_files(command: list[str]) -> list[str]:
    """The existing files the command names: its program, any argument that is a file, and the
    file of an option written ``--opt=FILE`` or ``-oFILE``."""
    program = shutil.which(command[0])
    words = [program] if program else []
    for word in command:
        candidates = [word]
        if word.startswith("-"):
            if "=" in word:
                candidates.append(word.split("=", 1)[1])
            if len(word) > 2 and word[1] != "-":
                candidates.append(word[2:])
        words.extend(candidate for candidate in candidates if candidate and os.path.isfile(candidate))
    return words


def check_log(path: str) -> None:
    """Refuse a ``--log`` file that already holds something other than wattprint's samples: each
    of its first lines must be a JSON object (appending to anything else would corrupt it)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
    except FileNotFoundError:
        return
    except OSError as error:
        raise InputError(f"log {path!r} cannot be read: {error.strerror or type(error).__name__}") from None
    lines = head.splitlines()
    if len(head) == 1 << 16 and lines:
        lines = lines[:-1]  # the last may be cut
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            sample = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            sample = None
        if not isinstance(sample, dict):
            raise InputError(
                f"log {path!r} line {number} is not a wattprint sample (JSON object); --log appends "
                "samples and would corrupt this file: give a new file name"
            )


def _open(args: argparse.Namespace) -> tuple[PowerBackend, str | None]:
    if args.backend:
        return open_backend(args.backend), None
    backend, _reasons = default_backend()
    if isinstance(backend, NullBackend):
        return backend, backend.reason
    return backend, None


def run(args: argparse.Namespace) -> int:
    command = list(args.command_line)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise InputError("give the command to measure after --, e.g. wattprint measure -- python train.py")
    if args.region is not None and not args.region.strip():
        raise InputError("--region is empty; give a region id, e.g. country:FR (wattprint regions list)")
    if args.year is not None and not args.region:
        raise InputError("--year chooses a region's intensity; give --region too")
    intensity = _intensity(args)
    if args.log:
        # Appending samples to the script being measured (or any file it is given) would corrupt it.
        check_output_path(args.log, _command_files(command), "log")
        check_log(args.log)
    backend, backend_reason = _open(args)
    if backend_reason:
        print(
            f"wattprint: no power source readable, running without measurement: {backend_reason}",
            file=sys.stderr,
        )
    sampler = Sampler(backend, interval_s=args.interval_s, log_path=args.log)
    tracker: GpuShareTracker | None = None
    cpu_share: CpuTimeShare | None = None
    if args.attribute == "process":
        tracker = GpuShareTracker(backend, len(sampler.devices))
        cpu_share = CpuTimeShare()
    notes: list[str] = []
    runner = _ChildRunner(command, tracker, args.kill_after)
    try:
        sampler.start()
        with runner:
            if args.baseline_s > 0:
                print(f"wattprint: measuring idle baseline for {args.baseline_s:g} s", file=sys.stderr)
                # Waits on an event the signal handler sets: SIGINT/SIGTERM end the baseline at once.
                sampler.measure_baseline(args.baseline_s, sleep=runner.interrupted.wait)
            if runner.signals:
                name = signal.Signals(runner.signals[0]).name
                print(f"wattprint: interrupted by {name} before the command started", file=sys.stderr)
                return 128 + runner.signals[0]
            if cpu_share is not None:
                cpu_share.start()
            sampler.begin_window("command")
            try:
                exit_code = runner.run()
            finally:
                measurement = sampler.end_window("command")
    finally:
        sampler.close()
    notes.extend(sampler.errors[:3])
    attribution = None
    if tracker is not None and cpu_share is not None:
        attribution = apportion(
            measurement, tracker.shares(), cpu_share.finish(), [d.kind for d in sampler.devices]
        )
    co2e = None
    if intensity is not None:
        co2e = dict(intensity)
        energy_kwh = measurement.energy_kwh
        co2e["co2e_g"] = None if energy_kwh is None else energy_kwh * intensity["intensity_g_per_kwh"]
        co2e["co2e_kg"] = None if co2e["co2e_g"] is None else co2e["co2e_g"] / 1000.0
    report: dict[str, Any] = {
        "fake": backend.is_fake,
        "label": FAKE_LABEL if backend.is_fake else None,
        "command": command,
        "exit_code": exit_code,
        "interrupted": bool(runner.signals),
        "backend": backend.name,
        "backend_reason": backend_reason,
        "scope": backend.scope,
        "whole_device": attribution is None,
        "interval_s": args.interval_s,
        "samples": sum(d.samples for d in measurement.devices[:1]) or len(sampler.samples),
        "energy_j": measurement.energy_j,
        "energy_kwh": measurement.energy_kwh,
        "average_power_w": measurement.average_power_w,
        "peak_power_w": measurement.peak_power_w,
        "net_energy_j": measurement.net_energy_j,
        "co2e": co2e,
        "tdp_estimate": _tdp_comparison(args, sampler, measurement),
        "attribution": attribution.to_dict() if attribution else None,
        "measurement": measurement.to_dict(),
        "log": args.log,
        "notes": notes,
    }
    if args.json:
        common.print_json(report)
    else:
        print(render(report, measurement, attribution))
    sys.stdout.flush()
    ending = runner.ending_signal
    return 128 + ending if ending is not None else exit_code
