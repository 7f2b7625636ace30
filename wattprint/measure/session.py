"""What a live-measurement page needs, as plain functions: detect devices, start and stop a sampler,
read the latest samples, load and summarise a saved log. No streamlit here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from wattprint.errors import MeasurementError
from wattprint.measure.backends import (
    Clock,
    DeviceInfo,
    FakeBackend,
    NullBackend,
    PowerBackend,
    default_backend,
    open_backend,
)
from wattprint.measure.measurement import Measurement, Sample
from wattprint.measure.sampler import Sampler, SavedLog, read_log, summarise_log

__all__ = [
    "Detection",
    "detect",
    "latest_samples",
    "load_log",
    "start_sampler",
    "stop_sampler",
    "summarise",
    "summarise_log",
]


@dataclass
class Detection:
    """The backend found (NullBackend when none) with its devices, and why others were refused."""

    backend: PowerBackend
    devices: list[DeviceInfo]
    reasons: list[str] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return not isinstance(self.backend, NullBackend)


def detect(preferred: str | None = None, clock: Clock = time.monotonic) -> Detection:
    """Open ``preferred`` (nvml, rapl, fake), or the default order nvml -> rapl -> null.

    Never raises for a missing device: the reason is in :attr:`Detection.reasons`.
    """
    if preferred:
        try:
            backend = open_backend(preferred, clock)
        except MeasurementError as error:
            null = NullBackend(f"{preferred}: {error}")
            return Detection(null, [], [null.reason])
        return Detection(backend, backend.devices(), [])
    backend, reasons = default_backend(clock)
    return Detection(backend, backend.devices(), reasons)


def fake_detection(clock: Clock = time.monotonic) -> Detection:
    """The built-in demo trace (label every figure from it as fake)."""
    backend = FakeBackend.demo(clock)
    return Detection(backend, backend.devices(), [])


def start_sampler(
    backend: PowerBackend,
    interval_s: float = 0.1,
    log_path: Path | str | None = None,
    clock: Clock = time.monotonic,
) -> Sampler:
    """A running sampler (10 Hz by default) with a window called ``session`` open."""
    sampler = Sampler(backend, clock=clock, interval_s=interval_s, log_path=log_path).start()
    sampler.begin_window("session")
    return sampler


def stop_sampler(sampler: Sampler) -> Measurement:
    """Close the ``session`` window, stop the thread, close the log and backend."""
    try:
        return sampler.end_window("session")
    finally:
        sampler.close()


def latest_samples(sampler: Sampler, count: int = 100) -> list[Sample]:
    """The last ``count`` samples, oldest first (for a live chart)."""
    return sampler.latest(count)


def load_log(path: Path | str) -> SavedLog:
    """A saved JSONL log (a truncated last line is skipped and flagged)."""
    return read_log(path)


def summarise(
    log: SavedLog | Path | str, start_s: float | None = None, end_s: float | None = None
) -> Measurement:
    """A saved log's samples (optionally between two times [s]) as one Measurement."""
    return summarise_log(log, start_s=start_s, end_s=end_s)
