"""A background sampler with named measurement windows and a crash-safe JSONL log.

The sampler reads a :class:`~wattprint.measure.backends.PowerBackend` every ``interval_s`` [s] on a
thread, timestamps each :class:`~wattprint.measure.measurement.Sample` with an injected monotonic
clock, and appends it to a JSONL log that is flushed and ``os.fsync``'d at every line, so a
crash, ``kill -9`` or Ctrl-C loses at most the line being written. The reader
(:func:`read_log`) skips a truncated last line.

Log format (one JSON object per line, ``type`` first):

- ``header``: backend, fake flag, scope, interval_s, devices, started_unix_s, format version
- ``sample``: t_s [s], power_w [W] and energy_j [J] lists (null where missing), and the
  matching power_reason / energy_reason lists (null where there is a value)
- ``window_begin`` / ``window_end`` (with the window's measurement) / ``baseline`` / ``error``

Windows follow Zeus' ``begin_window(name)`` / ``end_window(name)``; each takes a sample at its
edge, so the window spans exactly the call times.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from wattprint.errors import InputError, MeasurementError
from wattprint.files import check_output_path, os_error_text
from wattprint.measure.backends import Clock, DeviceInfo, PowerBackend, Reading
from wattprint.measure.measurement import Measurement, Sample, integrate

LOG_FORMAT_VERSION = 1


def sample_to_record(sample: Sample) -> dict[str, Any]:
    """A sample as one JSON-able log record."""
    return {
        "type": "sample",
        "t_s": sample.t_s,
        "power_w": [r.power_w for r in sample.readings],
        "energy_j": [r.energy_j for r in sample.readings],
        "power_reason": [r.power_reason for r in sample.readings],
        "energy_reason": [r.energy_reason for r in sample.readings],
    }


def record_to_sample(record: dict[str, Any]) -> Sample:
    """The sample of a ``sample`` record (inverse of :func:`sample_to_record`)."""
    powers = record.get("power_w") or []
    energies = record.get("energy_j") or []
    n = max(len(powers), len(energies))
    power_reasons = record.get("power_reason") or [None] * n
    energy_reasons = record.get("energy_reason") or [None] * n
    readings = []
    for i in range(n):
        power = powers[i] if i < len(powers) else None
        energy = energies[i] if i < len(energies) else None
        readings.append(
            Reading(
                power_w=None if power is None else float(power),
                energy_j=None if energy is None else float(energy),
                power_reason=(power_reasons[i] if i < len(power_reasons) else None)
                or (None if power is not None else "missing in log"),
                energy_reason=(energy_reasons[i] if i < len(energy_reasons) else None)
                or (None if energy is not None else "missing in log"),
            )
        )
    return Sample(float(record["t_s"]), tuple(readings))


class JsonlLog:
    """Append-only JSONL file; every line is flushed and fsync'd before :meth:`write` returns."""

    def __init__(self, path: Path | str) -> None:
        # A folder, FIFO or device (/dev/full) is refused before opening: nothing blocks on it.
        self.path = check_output_path(path, what="log")
        try:
            self._handle: IO[str] | None = self.path.open("a", encoding="utf-8")
        except OSError as error:
            raise MeasurementError(f"cannot open log {self.path}: {os_error_text(error)}") from None
        self._lock = threading.Lock()
        self.failure: str | None = None

    def write(self, record: dict[str, Any]) -> None:
        """Append one line; an OS error (a full disk) closes the log and raises MeasurementError."""
        line = json.dumps(record, allow_nan=False, separators=(",", ":"), default=str)
        with self._lock:
            if self._handle is None:
                return
            try:
                self._handle.write(line + "\n")
                self._handle.flush()
                os.fsync(self._handle.fileno())
            except OSError as error:
                self.failure = (
                    f"log {self.path} could not be written ({os_error_text(error)}); logging stopped"
                )
                with contextlib.suppress(OSError):
                    self._handle.close()
                self._handle = None
                raise MeasurementError(self.failure) from None

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                with contextlib.suppress(OSError):
                    self._handle.close()
                self._handle = None


@dataclass
class WindowResult:
    """Filled in when a :meth:`Sampler.window` block ends."""

    name: str
    measurement: Measurement | None = None


class Sampler:
    """Reads a backend every ``interval_s`` [s] on a thread; windows integrate the samples.

    Parameters
    ----------
    backend : PowerBackend
        Where readings come from.
    clock : callable
        Monotonic clock [s] used for timestamps (tests pass a fake one).
    interval_s : float
        Sampling period [s]; 0.1 gives the ~10 Hz of the live view.
    log_path : path, optional
        JSONL log to append to (flushed and fsync'd per line).

    Without :meth:`start`, nothing runs in the background: call :meth:`sample_once` to step
    (deterministic tests do this with a fake clock).
    """

    def __init__(
        self,
        backend: PowerBackend,
        clock: Clock = time.monotonic,
        interval_s: float = 0.1,
        log_path: Path | str | None = None,
    ) -> None:
        if not interval_s > 0:
            raise InputError(f"interval_s must be greater than 0, got {interval_s}")
        self.backend = backend
        self.clock = clock
        self.interval_s = float(interval_s)
        self.devices: list[DeviceInfo] = backend.devices()
        self.samples: list[Sample] = []
        self.errors: list[str] = []
        self.baseline_power_w: list[float | None] | None = None
        self.thread_cpu_s = 0.0
        self.thread_wall_s = 0.0
        self._windows: dict[str, int] = {}
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.log: JsonlLog | None = JsonlLog(log_path) if log_path is not None else None
        if self.log is not None:
            self.log.write(
                {
                    "type": "header",
                    "version": LOG_FORMAT_VERSION,
                    "backend": backend.name,
                    "fake": backend.is_fake,
                    "scope": backend.scope,
                    "interval_s": self.interval_s,
                    "started_unix_s": time.time(),
                    "devices": [d.to_dict() for d in self.devices],
                }
            )

    # -- sampling ------------------------------------------------------------------------------

    def sample_once(self) -> Sample:
        """Read every device now, keep the sample and append it to the log."""
        with self._lock:
            try:
                readings = tuple(self.backend.read())
            except (MeasurementError, OSError, RuntimeError, ValueError) as error:
                message = f"backend read failed: {error}"
                self.errors.append(message)
                readings = tuple(Reading(None, None, message, message) for _ in self.devices)
            sample = Sample(self.clock(), readings)
            self.samples.append(sample)
            if self.log is not None:
                try:
                    self.log.write(sample_to_record(sample))
                except MeasurementError as error:
                    self.errors.append(str(error))
            return sample

    def _run(self) -> None:
        cpu_start = time.thread_time()
        wall_start = time.monotonic()
        while not self._stop.is_set():
            began = time.monotonic()
            self.sample_once()
            self.thread_cpu_s = time.thread_time() - cpu_start
            self.thread_wall_s = time.monotonic() - wall_start
            self._stop.wait(max(0.0, self.interval_s - (time.monotonic() - began)))
        self.thread_cpu_s = time.thread_time() - cpu_start
        self.thread_wall_s = time.monotonic() - wall_start

    def start(self) -> Sampler:
        """Start the background thread (a daemon: it never keeps the program alive)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="wattprint-sampler", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread (waits for the sample in progress); the log stays open until close()."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def close(self) -> None:
        """Stop, close the log and the backend."""
        self.stop()
        if self.log is not None:
            self.log.close()
        self.backend.close()

    def __enter__(self) -> Sampler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def latest(self, count: int = 1) -> list[Sample]:
        """The last ``count`` samples (oldest first)."""
        with self._lock:
            return list(self.samples[-count:]) if count > 0 else []

    def overhead_fraction(self) -> float | None:
        """CPU time of the sampler thread / its wall time [-], None before it has run."""
        return self.thread_cpu_s / self.thread_wall_s if self.thread_wall_s > 0 else None

    # -- windows -------------------------------------------------------------------------------

    @property
    def open_windows(self) -> list[str]:
        """Names of the windows open now, oldest first."""
        with self._lock:
            return list(self._windows)

    def begin_window(self, name: str) -> None:
        """Open a window called ``name`` at this instant (takes a sample)."""
        with self._lock:
            if name in self._windows:
                raise InputError(f"window {name!r} is already open")
            sample = self.sample_once()
            self._windows[name] = len(self.samples) - 1
            if self.log is not None:
                self.log.write({"type": "window_begin", "name": name, "t_s": sample.t_s})

    def end_window(self, name: str) -> Measurement:
        """Close window ``name`` (takes a sample) and integrate it."""
        with self._lock:
            if name not in self._windows:
                raise InputError(f"no open window {name!r}; open ones: {', '.join(self._windows) or 'none'}")
            self.sample_once()
            start = self._windows.pop(name)
            window = self.samples[start:]
            baseline = self.baseline_power_w if name != "baseline" else None
            measurement = integrate(
                name,
                self.devices,
                window,
                self.backend.name,
                self.backend.is_fake,
                self.backend.scope,
                baseline,
            )
            if self.log is not None:
                self.log.write(
                    {
                        "type": "window_end",
                        "name": name,
                        "t_s": window[-1].t_s,
                        "measurement": measurement.to_dict(),
                    }
                )
            return measurement

    def peek_window(self, name: str) -> Measurement:
        """Window ``name`` integrated up to now (takes a sample), left open."""
        with self._lock:
            if name not in self._windows:
                raise InputError(f"no open window {name!r}; open ones: {', '.join(self._windows) or 'none'}")
            self.sample_once()
            window = self.samples[self._windows[name] :]
            return integrate(
                name,
                self.devices,
                window,
                self.backend.name,
                self.backend.is_fake,
                self.backend.scope,
                self.baseline_power_w,
            )

    @contextmanager
    def window(self, name: str) -> Iterator[WindowResult]:
        """``with sampler.window("train") as result: ...``; ``result.measurement`` is set after."""
        result = WindowResult(name)
        self.begin_window(name)
        try:
            yield result
        finally:
            result.measurement = self.end_window(name)

    def use_baseline(self, measurement: Measurement) -> list[float | None]:
        """Take each device's average power [W] in ``measurement`` as its idle baseline."""
        self.baseline_power_w = [d.average_power_w for d in measurement.devices]
        if self.log is not None:
            self.log.write(
                {
                    "type": "baseline",
                    "t_s": measurement.end_s,
                    "duration_s": measurement.duration_s,
                    "baseline_power_w": self.baseline_power_w,
                }
            )
        return self.baseline_power_w

    def measure_baseline(self, seconds: float, sleep: Any = time.sleep) -> Measurement:
        """Measure ``seconds`` [s] of idle power (sampler must be running, or ``sleep`` steps it)."""
        self.begin_window("baseline")
        sleep(seconds)
        measurement = self.end_window("baseline")
        self.use_baseline(measurement)
        return measurement


# --------------------------------------------------------------------------------------------
# Reading a saved log


@dataclass
class SavedLog:
    """What :func:`read_log` found in a JSONL log."""

    path: Path
    header: dict[str, Any]
    devices: list[DeviceInfo]
    samples: list[Sample]
    events: list[dict[str, Any]] = field(default_factory=list)
    truncated_last_line: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def baseline_power_w(self) -> list[float | None] | None:
        """The last baseline recorded in the log, if any."""
        found = [e for e in self.events if e.get("type") == "baseline"]
        return list(found[-1]["baseline_power_w"]) if found else None


def _device_from_dict(data: dict[str, Any], index: int) -> DeviceInfo:
    return DeviceInfo(
        index=int(data.get("index", index)),
        name=str(data.get("name", f"device {index}")),
        uuid=str(data.get("uuid", "")),
        kind=str(data.get("kind", "unknown")),
        has_energy_counter=bool(data.get("has_energy_counter", False)),
        power_limit_w=data.get("power_limit_w"),
        default_power_limit_w=data.get("default_power_limit_w"),
        counter_reason=data.get("counter_reason"),
        hardware_index=data.get("hardware_index"),
    )


def read_log(path: Path | str) -> SavedLog:
    """Parse a sampler log; a truncated last line (crash mid-write) is skipped and flagged."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise MeasurementError(f"cannot read log {path}: {error.strerror or error}") from None
    lines = text.split("\n")
    header: dict[str, Any] = {}
    samples: list[Sample] = []
    events: list[dict[str, Any]] = []
    problems: list[str] = []
    truncated = False
    last_index = max(i for i, line in enumerate(lines) if line.strip()) if text.strip() else -1
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not an object")
        except (ValueError, RecursionError):
            if number == last_index and not text.endswith("\n"):
                truncated = True
            else:
                problems.append(f"{path}:{number + 1}: not a JSON object, skipped")
            continue
        kind = record.get("type")
        if kind == "header":
            header = record
        elif kind == "sample":
            try:
                samples.append(record_to_sample(record))
            except (KeyError, TypeError, ValueError):
                problems.append(f"{path}:{number + 1}: malformed sample, skipped")
        else:
            events.append(record)
    if not header:
        raise MeasurementError(f"{path} has no header line; not a wattprint measurement log")
    devices = [_device_from_dict(d, i) for i, d in enumerate(header.get("devices", []))]
    return SavedLog(path, header, devices, samples, events, truncated, problems)


def summarise_log(
    log: SavedLog | Path | str,
    name: str = "log",
    start_s: float | None = None,
    end_s: float | None = None,
) -> Measurement:
    """A :class:`Measurement` of a saved log's samples between ``start_s`` and ``end_s`` [s].

    The baseline recorded in the log (if any) gives the net energy.
    """
    saved = log if isinstance(log, SavedLog) else read_log(log)
    chosen = [
        s
        for s in saved.samples
        if (start_s is None or s.t_s >= start_s) and (end_s is None or s.t_s <= end_s)
    ]
    header = saved.header
    measurement = integrate(
        name,
        saved.devices,
        chosen,
        str(header.get("backend", "unknown")),
        bool(header.get("fake", False)),
        str(header.get("scope", "")),
        saved.baseline_power_w,
    )
    if saved.truncated_last_line:
        notes = (*measurement.notes, "log's last line was truncated (crash or kill mid-write) and skipped")
        measurement = Measurement(**{**measurement.__dict__, "notes": notes})
    return measurement
