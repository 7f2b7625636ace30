"""Power backends behind one Protocol: NVML (NVIDIA GPUs), RAPL (CPU sockets), a fake and a null one.

Every backend lists its devices once (:meth:`PowerBackend.devices`) and then answers
:meth:`PowerBackend.read` with one :class:`Reading` per device. A reading that cannot be
taken is ``None`` with a reason, never 0. Hardware libraries are imported lazily (inside
constructors), never at import time; their errors become :class:`~wattprint.errors.MeasurementError`
when the backend cannot be used at all, and a ``None`` reading with the error text when one
sample fails.

References
----------
.. [1] NVIDIA, "NVML API Reference: Device Queries" (nvmlDeviceGetTotalEnergyConsumption [mJ],
   nvmlDeviceGetPowerUsage [mW], nvmlDeviceGetFieldValues, NVML_FI_DEV_POWER_INSTANT),
   https://docs.nvidia.com/deploy/nvml-api/group__nvmlDeviceQueries.html, accessed 2025.
.. [2] Linux kernel, "Power Capping Framework" (powercap sysfs: energy_uj, max_energy_range_uj),
   https://www.kernel.org/doc/html/latest/power/powercap/powercap.html, accessed 2025.
.. [3] Intel, "Running Average Power Limit Energy Reporting Advisory" (CVE-2020-8694, 2020-11):
   energy_uj became readable by root only, https://www.intel.com/content/www/us/en/developer/
   articles/technical/software-security-guidance/advisory-guidance/running-average-power-limit-energy-reporting.html
.. [4] J. You, J.-W. Chung, M. Chowdhury, "Zeus: Understanding and Optimizing GPU Energy
   Consumption of DNN Training", NSDI 2023 (measurement windows, counter vs polled power).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from wattprint.errors import MeasurementError

Clock = Callable[[], float]
"""A monotonic clock returning seconds [s]."""

METHOD_COUNTER = "energy counter"
METHOD_TRAPEZOID = "polled power (trapezoid)"

FAKE_LABEL = "FAKE backend: replayed demo trace, not a measurement"


@dataclass(frozen=True)
class DeviceInfo:
    """One device a backend can read.

    Parameters
    ----------
    index : int
        Position in the backend's device list (not necessarily the NVML or CUDA index).
    name : str
        Name as the driver reports it (e.g. ``NVIDIA H100 80GB HBM3``, ``package-0``).
    uuid : str
        Stable identifier (``GPU-...`` for NVML; the powercap zone for RAPL).
    kind : str
        ``gpu`` or ``cpu-socket``.
    has_energy_counter : bool
        True when totals come from a cumulative energy counter.
    power_limit_w : float | None
        Enforced power limit [W], None when unknown.
    default_power_limit_w : float | None
        Default (board) power limit [W], None when unknown.
    counter_reason : str | None
        Why there is no energy counter, when there is none.
    """

    index: int
    name: str
    uuid: str
    kind: str
    has_energy_counter: bool
    power_limit_w: float | None = None
    default_power_limit_w: float | None = None
    counter_reason: str | None = None
    hardware_index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "uuid": self.uuid,
            "kind": self.kind,
            "has_energy_counter": self.has_energy_counter,
            "power_limit_w": self.power_limit_w,
            "default_power_limit_w": self.default_power_limit_w,
            "counter_reason": self.counter_reason,
            "hardware_index": self.hardware_index,
        }


@dataclass(frozen=True)
class Reading:
    """One device at one instant: power [W] and cumulative energy [J], each None with a reason."""

    power_w: float | None
    energy_j: float | None
    power_reason: str | None = None
    energy_reason: str | None = None


@runtime_checkable
class PowerBackend(Protocol):
    """What the sampler needs of a source of power and energy readings."""

    name: str
    is_fake: bool
    scope: str
    """What the figures cover, in words (e.g. whole GPU, whole CPU socket)."""

    def devices(self) -> list[DeviceInfo]:
        """The devices this backend reads, in a fixed order."""
        ...

    def read(self) -> list[Reading]:
        """One reading per device, in :meth:`devices` order; never raises for one failed value."""
        ...

    def close(self) -> None:
        """Release the library or files."""
        ...


# --------------------------------------------------------------------------------------------
# Null


class NullBackend:
    """Stands in when no device can be read; ``reason`` says why."""

    name = "null"
    is_fake = False
    scope = "nothing: no readable power source"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def devices(self) -> list[DeviceInfo]:
        return []

    def read(self) -> list[Reading]:
        return []

    def close(self) -> None:
        return None


# --------------------------------------------------------------------------------------------
# Fake

TracePoint = tuple[float, float | None, float | None]
"""(t [s] since the first read, power [W] or None, cumulative energy [J] or None)."""


def demo_trace(period_s: float = 10.0, step_s: float = 0.1) -> list[TracePoint]:
    """A built-in demo trace: a GPU ramping from 80 W idle to ~350 W with ripple, one period.

    The cumulative energy column is the exact integral of the piecewise-linear power, so the
    counter and the trapezoid agree on it.
    """
    points: list[TracePoint] = []
    energy_j = 0.0
    previous: tuple[float, float] | None = None
    steps = round(period_s / step_s)
    for i in range(steps + 1):
        t = i * step_s
        phase = t / period_s
        if phase < 0.1:
            power = 80.0 + (350.0 - 80.0) * phase / 0.1
        elif phase < 0.9:
            power = 350.0 + (20.0 if i % 7 < 3 else -15.0)
        else:
            power = 350.0 - (350.0 - 80.0) * (phase - 0.9) / 0.1
        if previous is not None:
            energy_j += (previous[1] + power) / 2 * (t - previous[0])
        points.append((round(t, 9), power, energy_j))
        previous = (t, power)
    return points


class FakeBackend:
    """Replays scripted traces, one per device, against an injected clock.

    Values between trace points are interpolated linearly when both neighbours have them, else
    the previous point's value (or None) is used. After the last point the trace either holds
    (``loop=False``) or starts again with the energy counter carried on (``loop=True``).
    """

    name = "fake"
    is_fake = True
    scope = "nothing real: " + FAKE_LABEL

    def __init__(
        self,
        traces: Sequence[Sequence[TracePoint]],
        clock: Clock = time.monotonic,
        names: Sequence[str] | None = None,
        loop: bool = False,
        missing_reason: str = "scripted missing reading",
        has_counter: Sequence[bool] | None = None,
        power_limit_w: float | None = None,
    ) -> None:
        if not traces or any(len(trace) == 0 for trace in traces):
            raise MeasurementError("fake backend needs at least one non-empty trace")
        self.traces = [sorted(trace, key=lambda p: p[0]) for trace in traces]
        self.clock = clock
        self.loop = loop
        self.missing_reason = missing_reason
        self._start_s: float | None = None
        self._names = list(names) if names else [f"FAKE demo GPU {i}" for i in range(len(traces))]
        counters = has_counter or [any(p[2] is not None for p in trace) for trace in self.traces]
        self._devices = [
            DeviceInfo(
                index=i,
                name=self._names[i],
                uuid=f"FAKE-{i:04d}",
                kind="gpu",
                has_energy_counter=counters[i],
                power_limit_w=power_limit_w,
                counter_reason=None if counters[i] else "scripted trace has no energy counter",
            )
            for i in range(len(self.traces))
        ]

    @classmethod
    def demo(cls, clock: Clock = time.monotonic) -> FakeBackend:
        """The built-in demo: one fake H100-like GPU replaying :func:`demo_trace` in a loop."""
        return cls(
            [demo_trace()], clock=clock, names=["NVIDIA H100 80GB HBM3"], loop=True, power_limit_w=700.0
        )

    def devices(self) -> list[DeviceInfo]:
        return list(self._devices)

    def _at(self, trace: Sequence[TracePoint], t: float) -> Reading:
        end = trace[-1][0]
        offset_j = 0.0
        if self.loop and end > 0 and t > end:
            cycles = int(t // end)
            t -= cycles * end
            last_energy = trace[-1][2]
            first_energy = trace[0][2]
            if last_energy is not None and first_energy is not None:
                offset_j = cycles * (last_energy - first_energy)
        before = trace[0]
        after = None
        for point in trace:
            if point[0] <= t:
                before = point
            else:
                after = point
                break
        values: list[float | None] = []
        for column in (1, 2):
            value = before[column]
            if after is not None and value is not None and after[column] is not None and t >= before[0]:
                span = after[0] - before[0]
                fraction = (t - before[0]) / span if span > 0 else 0.0
                value = value + (after[column] - value) * fraction  # type: ignore[operator]
            values.append(value)
        power, energy = values
        if energy is not None:
            energy += offset_j
        return Reading(
            power_w=power,
            energy_j=energy,
            power_reason=None if power is not None else self.missing_reason,
            energy_reason=None if energy is not None else self.missing_reason,
        )

    def read(self) -> list[Reading]:
        now = self.clock()
        if self._start_s is None:
            self._start_s = now
        t = now - self._start_s
        return [self._at(trace, t) for trace in self.traces]

    def close(self) -> None:
        return None


# --------------------------------------------------------------------------------------------
# RAPL

RAPL_ROOT = Path("/sys/class/powercap")
RAPL_SCOPE = (
    "whole CPU socket (RAPL package domain): every process on the socket, not only the command; "
    "DRAM and GPUs not included"
)


class RaplBackend:
    """CPU package energy from the Linux powercap interface (``intel-rapl:N``, also AMD).

    Counters (``energy_uj`` [µJ]) wrap at ``max_energy_range_uj``; each read adds the wrapped
    difference to a running total, so :attr:`Reading.energy_j` only grows. Reads must come at
    least once per wrap period (minutes to hours at socket power; the sampler reads every 0.1 s).
    Power [W] is derived from the counter between two reads; RAPL has no instantaneous power.
    """

    name = "rapl"
    is_fake = False
    scope = RAPL_SCOPE

    def __init__(self, root: Path | str = RAPL_ROOT, clock: Clock = time.monotonic) -> None:
        self.root = Path(root)
        self.clock = clock
        if not self.root.is_dir():
            raise MeasurementError(
                f"no RAPL powercap interface at {self.root} (not Linux on Intel/AMD, or a container or VM "
                "without /sys/class/powercap)"
            )
        zones = sorted(
            (p for p in self.root.glob("intel-rapl:*") if p.name.count(":") == 1),
            key=lambda p: int(p.name.split(":")[1]) if p.name.split(":")[1].isdigit() else 0,
        )
        if not zones:
            raise MeasurementError(f"no RAPL package zones (intel-rapl:N) under {self.root}")
        self._zones: list[Path] = []
        self._ranges_uj: list[int] = []
        self._devices: list[DeviceInfo] = []
        for zone in zones:
            try:
                raw = int((zone / "energy_uj").read_text().strip())
            except PermissionError:
                raise MeasurementError(
                    f"{zone / 'energy_uj'} is readable only by root (since the 2020 fix for CVE-2020-8694); "
                    "run as root or grant read access, e.g. `sudo chmod o+r "
                    f"{self.root}/intel-rapl:*/energy_uj`"
                ) from None
            except (OSError, ValueError) as error:
                raise MeasurementError(f"cannot read {zone / 'energy_uj'}: {error}") from None
            try:
                max_range = int((zone / "max_energy_range_uj").read_text().strip())
            except (OSError, ValueError):
                max_range = 0
            try:
                name = (zone / "name").read_text().strip()
            except OSError:
                name = zone.name
            del raw
            self._zones.append(zone)
            self._ranges_uj.append(max_range)
            self._devices.append(
                DeviceInfo(
                    index=len(self._devices),
                    name=name,
                    uuid=zone.name,
                    kind="cpu-socket",
                    has_energy_counter=True,
                    hardware_index=int(zone.name.split(":")[1])
                    if zone.name.split(":")[1].isdigit()
                    else None,
                )
            )
        self._last_raw: list[int | None] = [None] * len(self._zones)
        self._total_uj: list[int] = [0] * len(self._zones)
        self._last_t: list[float | None] = [None] * len(self._zones)
        self._last_total: list[int] = [0] * len(self._zones)

    def devices(self) -> list[DeviceInfo]:
        return list(self._devices)

    def read(self) -> list[Reading]:
        now = self.clock()
        readings = []
        for i, zone in enumerate(self._zones):
            try:
                raw = int((zone / "energy_uj").read_text().strip())
            except (OSError, ValueError) as error:
                readings.append(
                    Reading(None, None, f"RAPL read failed: {error}", f"RAPL read failed: {error}")
                )
                continue
            last = self._last_raw[i]
            if last is not None:
                delta = raw - last
                if delta < 0:
                    delta += self._ranges_uj[i] if self._ranges_uj[i] > 0 else 2**32
                    delta = max(delta, 0)
                self._total_uj[i] += delta
            self._last_raw[i] = raw
            power: float | None = None
            power_reason: str | None = "RAPL has no instantaneous power; first read has no interval yet"
            last_t = self._last_t[i]
            if last_t is not None and now > last_t:
                power = (self._total_uj[i] - self._last_total[i]) / 1e6 / (now - last_t)
                power_reason = None
            self._last_t[i] = now
            self._last_total[i] = self._total_uj[i]
            readings.append(Reading(power, self._total_uj[i] / 1e6, power_reason, None))
        return readings

    def close(self) -> None:
        return None


# --------------------------------------------------------------------------------------------
# NVML

NVML_SCOPE = "whole GPU (board power): every process on the device, not only the command"


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def parse_visible_devices(value: str | None, indices: Sequence[int], uuids: Sequence[str]) -> list[int]:
    """NVML positions selected by ``CUDA_VISIBLE_DEVICES`` (indices or ``GPU-`` UUID prefixes).

    Parameters
    ----------
    value : str | None
        The variable's value; None means every device.
    indices : sequence of int
        NVML indices of the devices.
    uuids : sequence of str
        Their UUIDs (``GPU-...``).

    Notes
    -----
    As CUDA does, parsing stops at the first entry that names no device; an empty value hides
    every GPU. Integer entries are NVML (PCI bus) order, which equals CUDA order only with
    ``CUDA_DEVICE_ORDER=PCI_BUS_ID``. MIG instances (``MIG-...``) are not resolved to parents.
    """
    if value is None:
        return list(indices)
    chosen: list[int] = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            break
        found: int | None = None
        if entry.lstrip("-").isdigit():
            number = int(entry)
            if number in indices:
                found = number
        else:
            key = entry if entry.upper().startswith("GPU-") else f"GPU-{entry}"
            hits = [
                idx for idx, uuid in zip(indices, uuids, strict=True) if uuid.lower().startswith(key.lower())
            ]
            if len(hits) == 1:
                found = hits[0]
        if found is None:
            break
        if found not in chosen:
            chosen.append(found)
    return chosen


class NvmlBackend:
    """NVIDIA GPUs through NVML (``pynvml``, imported in the constructor).

    Totals come from the cumulative energy counter (``nvmlDeviceGetTotalEnergyConsumption``,
    [mJ], Volta and newer) where supported; power [W] comes from the instant-power field
    (``NVML_FI_DEV_POWER_INSTANT``) where the driver offers it, else ``nvmlDeviceGetPowerUsage``
    ([mW], on many boards a one-second average).

    Parameters
    ----------
    nvml : module-like, optional
        An object with pynvml's functions; tests pass a fake. Default: ``import pynvml``.
    visible_devices : str | None
        ``CUDA_VISIBLE_DEVICES``; default: read from the environment.
    """

    name = "nvml"
    is_fake = False
    scope = NVML_SCOPE

    def __init__(self, nvml: Any = None, visible_devices: str | object | None = ...) -> None:
        if nvml is None:
            try:
                import pynvml as nvml_module
            except ImportError:
                raise MeasurementError(
                    "NVML backend needs the nvidia-ml-py package (pip install nvidia-ml-py)"
                ) from None
            nvml = nvml_module
        self.nvml = nvml
        if visible_devices is ...:
            visible_devices = os.environ.get("CUDA_VISIBLE_DEVICES")
        try:
            nvml.nvmlInit()
        except nvml.NVMLError as error:
            raise MeasurementError(f"NVML could not start: {error} (no NVIDIA driver or GPU?)") from None
        try:
            self._open(visible_devices if isinstance(visible_devices, str) else None)
        except nvml.NVMLError as error:
            self._shutdown()
            raise MeasurementError(f"NVML error while listing GPUs: {error}") from None

    def _open(self, visible: str | None) -> None:
        nvml = self.nvml
        count = int(nvml.nvmlDeviceGetCount())
        handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        uuids = [_text(nvml.nvmlDeviceGetUUID(h)) for h in handles]
        selected = parse_visible_devices(visible, list(range(count)), uuids)
        if not selected:
            self._shutdown()
            why = "CUDA_VISIBLE_DEVICES selects none of them" if count else "NVML lists no GPU"
            raise MeasurementError(f"no GPU to measure: {why} (CUDA_VISIBLE_DEVICES={visible!r})")
        self._handles = []
        self._instant: list[bool] = []
        self._devices: list[DeviceInfo] = []
        for position, nvml_index in enumerate(selected):
            handle = handles[nvml_index]
            has_counter, counter_reason = True, None
            try:
                nvml.nvmlDeviceGetTotalEnergyConsumption(handle)
            except nvml.NVMLError as error:
                has_counter, counter_reason = False, f"no energy counter ({error}); power polled instead"
            self._handles.append(handle)
            self._instant.append(self._instant_power_mw(handle) is not None)
            self._devices.append(
                DeviceInfo(
                    index=position,
                    name=_text(nvml.nvmlDeviceGetName(handle)),
                    uuid=uuids[nvml_index],
                    kind="gpu",
                    has_energy_counter=has_counter,
                    power_limit_w=self._limit_w(handle, "nvmlDeviceGetEnforcedPowerLimit"),
                    default_power_limit_w=self._limit_w(handle, "nvmlDeviceGetPowerManagementDefaultLimit"),
                    counter_reason=counter_reason,
                    hardware_index=nvml_index,
                )
            )

    def _limit_w(self, handle: Any, function: str) -> float | None:
        getter = getattr(self.nvml, function, None)
        if getter is None:
            return None
        try:
            return float(getter(handle)) / 1000.0
        except self.nvml.NVMLError:
            return None

    def _instant_power_mw(self, handle: Any) -> float | None:
        field = getattr(self.nvml, "NVML_FI_DEV_POWER_INSTANT", None)
        getter = getattr(self.nvml, "nvmlDeviceGetFieldValues", None)
        if field is None or getter is None:
            return None
        try:
            values = getter(handle, [field])
        except self.nvml.NVMLError:
            return None
        if not values or int(values[0].nvmlReturn) != int(getattr(self.nvml, "NVML_SUCCESS", 0)):
            return None
        return _field_number(self.nvml, values[0])

    def devices(self) -> list[DeviceInfo]:
        return list(self._devices)

    @property
    def instant_power(self) -> list[bool]:
        """Per device: True when power comes from NVML_FI_DEV_POWER_INSTANT."""
        return list(self._instant)

    def read(self) -> list[Reading]:
        nvml = self.nvml
        readings = []
        for i, handle in enumerate(self._handles):
            power: float | None = None
            power_reason: str | None = None
            if self._instant[i]:
                value = self._instant_power_mw(handle)
                if value is not None:
                    power = value / 1000.0
            if power is None:
                try:
                    power = float(nvml.nvmlDeviceGetPowerUsage(handle)) / 1000.0
                except nvml.NVMLError as error:
                    power_reason = f"NVML power read failed: {error}"
            energy: float | None = None
            energy_reason: str | None = None
            if self._devices[i].has_energy_counter:
                try:
                    energy = float(nvml.nvmlDeviceGetTotalEnergyConsumption(handle)) / 1000.0
                except nvml.NVMLError as error:
                    energy_reason = f"NVML energy read failed: {error}"
            else:
                energy_reason = self._devices[i].counter_reason
            readings.append(Reading(power, energy, power_reason, energy_reason))
        return readings

    def process_utilisation(self, index: int, since_us: int = 0) -> list[tuple[int, int, float]] | None:
        """(PID, timestamp [µs], SM utilisation [%]) samples on one device newer than ``since_us``.

        None when the driver does not report per-process utilisation (or nothing ran: NVML
        answers NOT_FOUND when it has no sample newer than ``since_us``).
        """
        nvml = self.nvml
        try:
            samples = nvml.nvmlDeviceGetProcessUtilization(self._handles[index], since_us)
        except nvml.NVMLError as error:
            if int(getattr(error, "value", -1)) == int(getattr(nvml, "NVML_ERROR_NOT_FOUND", -2)):
                return []
            return None
        return [(int(s.pid), int(s.timeStamp), float(s.smUtil)) for s in samples]

    def _shutdown(self) -> None:
        with contextlib.suppress(self.nvml.NVMLError):
            self.nvml.nvmlShutdown()

    def close(self) -> None:
        self._shutdown()


def _field_number(nvml: Any, field: Any) -> float | None:
    kind = int(field.valueType)
    value = field.value
    by_type = {
        getattr(nvml, "NVML_VALUE_TYPE_DOUBLE", 0): "dVal",
        getattr(nvml, "NVML_VALUE_TYPE_UNSIGNED_INT", 1): "uiVal",
        getattr(nvml, "NVML_VALUE_TYPE_UNSIGNED_LONG", 2): "ulVal",
        getattr(nvml, "NVML_VALUE_TYPE_UNSIGNED_LONG_LONG", 3): "ullVal",
        getattr(nvml, "NVML_VALUE_TYPE_SIGNED_LONG_LONG", 4): "sllVal",
        getattr(nvml, "NVML_VALUE_TYPE_SIGNED_INT", 5): "siVal",
    }
    attribute = by_type.get(kind, "uiVal")
    number = getattr(value, attribute, None)
    return None if number is None else float(number)


# --------------------------------------------------------------------------------------------
# Choosing a backend

BACKEND_NAMES = ("nvml", "rapl", "fake")


def open_backend(name: str, clock: Clock = time.monotonic) -> PowerBackend:
    """The backend called ``name``; MeasurementError says why it cannot be used."""
    if name == "nvml":
        return NvmlBackend()
    if name == "rapl":
        return RaplBackend(clock=clock)
    if name == "fake":
        return FakeBackend.demo(clock=clock)
    raise MeasurementError(f"unknown backend {name!r}; valid: {', '.join(BACKEND_NAMES)}")


def default_backend(clock: Clock = time.monotonic) -> tuple[PowerBackend, list[str]]:
    """NVML when a GPU is usable, else RAPL when readable, else :class:`NullBackend`.

    Returns the backend and, for each backend tried and refused, one line saying why.
    """
    reasons: list[str] = []
    for name in ("nvml", "rapl"):
        try:
            return open_backend(name, clock), reasons
        except MeasurementError as error:
            reasons.append(f"{name}: {error}")
    return NullBackend("; ".join(reasons)), reasons
