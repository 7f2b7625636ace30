"""Fakes shared by the measurement tests: a clock that only moves when told, a pynvml-like module."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class FakeClock:
    """A monotonic clock [s] that advances only through :meth:`advance`."""

    def __init__(self, start_s: float = 1000.0) -> None:
        self.now_s = start_s

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        self.now_s += seconds


def step(sampler: Any, clock: FakeClock, count: int, interval_s: float) -> None:
    """Advance the clock and sample ``count`` times, as the sampler thread would."""
    for _ in range(count):
        clock.advance(interval_s)
        sampler.sample_once()


@dataclass
class FakeGpu:
    name: str
    uuid: str
    energy_mj: list[int] | None = None  # successive counter values; None: no counter (pre-Volta)
    power_mw: int = 250_000
    instant_mw: int | None = None  # None: NVML_FI_DEV_POWER_INSTANT not supported
    process_samples: list[tuple[int, int, int]] | None = None  # (pid, timestamp_us, sm_util)
    reads: int = field(default=0)


class _FieldValue:
    def __init__(self, ret: int, value: int) -> None:
        self.nvmlReturn = ret
        self.valueType = 1  # NVML_VALUE_TYPE_UNSIGNED_INT
        self.value = type("V", (), {"uiVal": value})()


class _Util:
    def __init__(self, pid: int, stamp: int, sm: int) -> None:
        self.pid, self.timeStamp, self.smUtil = pid, stamp, sm


class FakeNvml:
    """The few pynvml functions NvmlBackend calls, over scripted GPUs."""

    NVML_SUCCESS = 0
    NVML_ERROR_NOT_SUPPORTED = 3
    NVML_ERROR_NOT_FOUND = 6
    NVML_FI_DEV_POWER_INSTANT = 186
    NVML_VALUE_TYPE_UNSIGNED_INT = 1

    class NVMLError(Exception):
        def __init__(self, value: int, text: str = "") -> None:
            self.value = value
            super().__init__(text or f"NVML error {value}")

        def __str__(self) -> str:
            return self.args[0]

    def __init__(self, gpus: list[FakeGpu], init_error: int | None = None) -> None:
        self.gpus = gpus
        self.init_error = init_error
        self.shutdowns = 0

    def nvmlInit(self) -> None:
        if self.init_error is not None:
            raise self.NVMLError(self.init_error, "Driver Not Loaded")

    def nvmlShutdown(self) -> None:
        self.shutdowns += 1

    def nvmlDeviceGetCount(self) -> int:
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> FakeGpu:
        return self.gpus[index]

    def nvmlDeviceGetUUID(self, gpu: FakeGpu) -> str:
        return gpu.uuid

    def nvmlDeviceGetName(self, gpu: FakeGpu) -> bytes:
        return gpu.name.encode()

    def nvmlDeviceGetEnforcedPowerLimit(self, gpu: FakeGpu) -> int:
        return 700_000

    def nvmlDeviceGetPowerManagementDefaultLimit(self, gpu: FakeGpu) -> int:
        raise self.NVMLError(3, "Not Supported")

    def nvmlDeviceGetTotalEnergyConsumption(self, gpu: FakeGpu) -> int:
        if gpu.energy_mj is None:
            raise self.NVMLError(3, "Not Supported")
        value = gpu.energy_mj[min(gpu.reads, len(gpu.energy_mj) - 1)]
        gpu.reads += 1
        if value < 0:
            raise self.NVMLError(999, "Unknown Error")
        return value

    def nvmlDeviceGetPowerUsage(self, gpu: FakeGpu) -> int:
        return gpu.power_mw

    def nvmlDeviceGetFieldValues(self, gpu: FakeGpu, fields: list[int]) -> list[_FieldValue]:
        if gpu.instant_mw is None:
            return [_FieldValue(3, 0)]
        return [_FieldValue(0, gpu.instant_mw)]

    def nvmlDeviceGetProcessUtilization(self, gpu: FakeGpu, since_us: int) -> list[_Util]:
        if gpu.process_samples is None:
            raise self.NVMLError(3, "Not Supported")
        found = [_Util(*s) for s in gpu.process_samples if s[1] > since_us]
        if not found:
            raise self.NVMLError(6, "Not Found")
        return found
