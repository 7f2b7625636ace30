"""Samples and what a window of them adds up to: energy [J], average and peak power [W], per device.

Pure functions, no I/O: :func:`integrate` is used by the live sampler and by the log reader.

Notes
-----
Energy of a device over a window, by the first method that applies:

1. ``energy counter``: sum over consecutive samples with a counter value of
   ``E[k] - E[k-1]``; when the counter goes down it was reset (driver reload, GPU reset), and
   the new value ``E[k]`` is counted as the energy since the reset (the counter restarts at 0).
2. ``polled power (trapezoid)``: ``sum (P[k-1] + P[k]) / 2 * (t[k] - t[k-1])`` over
   consecutive samples with a power value; a gap of missing readings is bridged linearly.

With an idle baseline ``P_idle`` [W] measured before, net energy is
``E_net = E_gross - P_idle * duration``.

References
----------
.. [1] J. You, J.-W. Chung, M. Chowdhury, "Zeus: Understanding and Optimizing GPU Energy
   Consumption of DNN Training", NSDI 2023, https://www.usenix.org/conference/nsdi23/presentation/you
.. [2] Z. Yang, K. Adamek, W. Armour, "Accurate and Convenient Energy Measurements for GPUs:
   A Detailed Study of NVIDIA GPU's Built-In Power Sensor", SC 2024, doi:10.1109/SC41406.2024.00028
   (polled nvmlDeviceGetPowerUsage can miss short phases; the energy counter does not).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wattprint.measure.backends import METHOD_COUNTER, METHOD_TRAPEZOID, DeviceInfo, Reading

J_PER_KWH = 3_600_000.0


@dataclass(frozen=True)
class Sample:
    """All devices read at one instant ``t_s`` [s] of the sampler's monotonic clock."""

    t_s: float
    readings: tuple[Reading, ...]


@dataclass(frozen=True)
class DeviceMeasurement:
    """One device over one window.

    ``energy_j`` [J] is None with ``energy_reason`` when neither method had enough readings.
    ``net_energy_j`` [J] is None unless a baseline was measured.
    """

    index: int
    name: str
    uuid: str
    method: str | None
    energy_j: float | None
    energy_reason: str | None
    average_power_w: float | None
    peak_power_w: float | None
    samples: int
    missing_power: int
    missing_energy: int
    counter_resets: int
    baseline_power_w: float | None = None
    net_energy_j: float | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "uuid": self.uuid,
            "method": self.method,
            "energy_j": self.energy_j,
            "energy_reason": self.energy_reason,
            "average_power_w": self.average_power_w,
            "peak_power_w": self.peak_power_w,
            "samples": self.samples,
            "missing_power": self.missing_power,
            "missing_energy": self.missing_energy,
            "counter_resets": self.counter_resets,
            "baseline_power_w": self.baseline_power_w,
            "net_energy_j": self.net_energy_j,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Measurement:
    """A named window: per-device results and their sum.

    ``energy_j`` [J] sums the devices that have a figure; when some have none it is still the
    sum of the others and ``energy_reason`` names the ones left out; None when no device has one.
    """

    name: str
    backend: str
    is_fake: bool
    scope: str
    start_s: float
    end_s: float
    devices: tuple[DeviceMeasurement, ...]
    energy_j: float | None
    energy_reason: str | None
    average_power_w: float | None
    peak_power_w: float | None
    baseline_power_w: float | None = None
    net_energy_j: float | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def duration_s(self) -> float:
        """Window length [s]."""
        return self.end_s - self.start_s

    @property
    def energy_kwh(self) -> float | None:
        """Gross energy [kWh]."""
        return None if self.energy_j is None else self.energy_j / J_PER_KWH

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "backend": self.backend,
            "fake": self.is_fake,
            "scope": self.scope,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "duration_s": self.duration_s,
            "energy_j": self.energy_j,
            "energy_kwh": self.energy_kwh,
            "energy_reason": self.energy_reason,
            "average_power_w": self.average_power_w,
            "peak_power_w": self.peak_power_w,
            "baseline_power_w": self.baseline_power_w,
            "net_energy_j": self.net_energy_j,
            "notes": list(self.notes),
            "devices": [d.to_dict() for d in self.devices],
        }


def _counter_energy(points: list[tuple[float, float]]) -> tuple[float, int]:
    total = 0.0
    resets = 0
    for (_, before), (_, after) in itertools.pairwise(points):
        if after >= before:
            total += after - before
        else:
            resets += 1
            total += after
    return total, resets


def _trapezoid(points: list[tuple[float, float]]) -> float:
    return sum((p0 + p1) / 2.0 * (t1 - t0) for (t0, p0), (t1, p1) in itertools.pairwise(points))


def integrate_device(
    device: DeviceInfo,
    samples: Sequence[Sample],
    baseline_power_w: float | None = None,
) -> DeviceMeasurement:
    """Energy [J], average and peak power [W] of one device over ``samples`` (in time order)."""
    i = device.index
    times = [s.t_s for s in samples]
    readings = [
        s.readings[i] if i < len(s.readings) else Reading(None, None, "no reading", "no reading")
        for s in samples
    ]
    power = [(t, r.power_w) for t, r in zip(times, readings, strict=True) if r.power_w is not None]
    energy = [(t, r.energy_j) for t, r in zip(times, readings, strict=True) if r.energy_j is not None]
    missing_power = len(readings) - len(power)
    missing_energy = len(readings) - len(energy) if device.has_energy_counter else 0
    notes: list[str] = []
    duration_s = times[-1] - times[0] if len(times) >= 2 else 0.0
    method: str | None = None
    energy_j: float | None = None
    reason: str | None = None
    resets = 0
    if device.has_energy_counter and len(energy) >= 2:
        method = METHOD_COUNTER
        energy_j, resets = _counter_energy(energy)  # type: ignore[arg-type]
        if resets:
            notes.append(f"energy counter reset {resets} time(s); energy after each reset counted from 0")
        if energy[0][0] > times[0] or energy[-1][0] < times[-1]:
            covered = energy[-1][0] - energy[0][0]
            notes.append(
                f"counter covers {covered:.3f} s of the {duration_s:.3f} s window"
                " (missing readings at an edge)"
            )
    elif len(power) >= 2:
        method = METHOD_TRAPEZOID
        energy_j = _trapezoid(power)  # type: ignore[arg-type]
        if device.has_energy_counter:
            notes.append("energy counter had fewer than 2 readings; fell back to polled power")
        if power[0][0] > times[0] or power[-1][0] < times[-1]:
            notes.append("missing power readings at the window's edge are not extrapolated")
    else:
        reasons = {r.energy_reason or r.power_reason for r in readings if r.power_w is None}
        detail = "; ".join(sorted(x for x in reasons if x)) or "fewer than 2 samples in the window"
        reason = f"not enough readings to integrate ({detail})"
    if missing_power:
        notes.append(f"{missing_power} of {len(readings)} power readings missing (null, not 0)")
    average_power_w = energy_j / duration_s if energy_j is not None and duration_s > 0 else None
    peak_power_w = max((p for _, p in power), default=None)  # type: ignore[type-var]
    net_energy_j = None
    if baseline_power_w is not None and energy_j is not None:
        net_energy_j = energy_j - baseline_power_w * duration_s
    return DeviceMeasurement(
        index=i,
        name=device.name,
        uuid=device.uuid,
        method=method,
        energy_j=energy_j,
        energy_reason=reason,
        average_power_w=average_power_w,
        peak_power_w=peak_power_w,
        samples=len(readings),
        missing_power=missing_power,
        missing_energy=missing_energy,
        counter_resets=resets,
        baseline_power_w=baseline_power_w,
        net_energy_j=net_energy_j,
        notes=tuple(notes),
    )


def integrate(
    name: str,
    devices: Sequence[DeviceInfo],
    samples: Sequence[Sample],
    backend: str,
    is_fake: bool,
    scope: str,
    baseline_power_w: Sequence[float | None] | None = None,
) -> Measurement:
    """A :class:`Measurement` of ``samples`` (time order) for every device, and their sum."""
    ordered = sorted(samples, key=lambda s: s.t_s)
    start_s = ordered[0].t_s if ordered else 0.0
    end_s = ordered[-1].t_s if ordered else 0.0
    baselines = list(baseline_power_w) if baseline_power_w is not None else [None] * len(devices)
    results = tuple(
        integrate_device(d, ordered, baselines[d.index] if d.index < len(baselines) else None)
        for d in devices
    )
    known = [d for d in results if d.energy_j is not None]
    notes: list[str] = []
    energy_j: float | None = None
    reason: str | None = None
    if not devices:
        reason = "no device to measure"
    elif not known:
        reason = "; ".join(f"device {d.index}: {d.energy_reason}" for d in results)
    else:
        energy_j = sum(d.energy_j for d in known)  # type: ignore[misc]
        left_out = [d for d in results if d.energy_j is None]
        if left_out:
            reason = "sum leaves out " + ", ".join(f"device {d.index} ({d.energy_reason})" for d in left_out)
    duration_s = end_s - start_s
    average_power_w = energy_j / duration_s if energy_j is not None and duration_s > 0 else None
    peak_power_w: float | None = None
    for sample in ordered:
        values = [r.power_w for r in sample.readings]
        if values and all(v is not None for v in values):
            total = sum(values)  # type: ignore[arg-type]
            peak_power_w = total if peak_power_w is None else max(peak_power_w, total)
    baseline_total: float | None = None
    net_energy_j: float | None = None
    if baseline_power_w is not None and all(b is not None for b in baselines) and baselines:
        baseline_total = sum(baselines)  # type: ignore[arg-type]
        if energy_j is not None and not any(d.energy_j is None for d in results):
            net_energy_j = energy_j - baseline_total * duration_s
            if net_energy_j < 0:
                notes.append("net energy below 0: the load drew less than the idle baseline (noise)")
    return Measurement(
        name=name,
        backend=backend,
        is_fake=is_fake,
        scope=scope,
        start_s=start_s,
        end_s=end_s,
        devices=results,
        energy_j=energy_j,
        energy_reason=reason,
        average_power_w=average_power_w,
        peak_power_w=peak_power_w,
        baseline_power_w=baseline_total,
        net_energy_j=net_energy_j,
        notes=tuple(notes),
    )
