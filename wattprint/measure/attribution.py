"""Apportion whole-device energy to one command's process tree (``wattprint measure --attribute process``).

Notes
-----
Attributed energy of device d: ``E_d,tree = share_d * E_d``, where

- GPU: ``share_d = sum(SM util of the tree's PIDs) / sum(SM util of all PIDs)`` over the
  samples NVML returned (``nvmlDeviceGetProcessUtilization``) during the command;
- CPU socket: ``share = CPU time of the tree / busy CPU time of the whole system`` over the
  command, the tree's time from ``getrusage(RUSAGE_CHILDREN)`` (the child and every
  descendant that was waited for) and the system's from ``psutil.cpu_times()``.

Limits: utilisation and CPU time are proxies for power; idle and static power is split by the
same share; descendants that detach (daemons re-parented to init) are not counted; containers
may see the host's CPU times.

References
----------
.. [1] NVIDIA, "NVML API Reference": nvmlDeviceGetProcessUtilization,
   https://docs.nvidia.com/deploy/nvml-api/group__nvmlDeviceQueries.html, accessed 2025.
.. [2] getrusage(2), Linux man-pages (RUSAGE_CHILDREN), https://man7.org/linux/man-pages/man2/getrusage.2.html
"""

from __future__ import annotations

import resource
from dataclasses import dataclass
from typing import Any

from wattprint.measure.measurement import Measurement

GPU_METHOD = "GPU: share of per-process SM utilisation (NVML nvmlDeviceGetProcessUtilization)"
CPU_METHOD = "CPU: the process tree's CPU time over the system's busy CPU time (getrusage + psutil)"
LIMITS = (
    "utilisation and CPU time are proxies for power; idle power is split by the same share; "
    "detached descendants are not counted"
)


@dataclass(frozen=True)
class DeviceShare:
    """Fraction [-] of one device's energy attributed to the process tree, or None with a reason."""

    index: int
    share: float | None
    reason: str | None
    method: str
    energy_j: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "share": self.share,
            "reason": self.reason,
            "method": self.method,
            "energy_j": self.energy_j,
        }


@dataclass(frozen=True)
class Attribution:
    """Energy [J] attributed to the process tree, per device and summed."""

    devices: tuple[DeviceShare, ...]
    energy_j: float | None
    energy_reason: str | None
    limits: str = LIMITS

    def to_dict(self) -> dict[str, Any]:
        return {
            "energy_j": self.energy_j,
            "energy_reason": self.energy_reason,
            "limits": self.limits,
            "devices": [d.to_dict() for d in self.devices],
        }


def process_tree_pids(root_pid: int, psutil_module: Any = None) -> set[int]:
    """The PID and every live descendant's PID (empty when the root has gone)."""
    if psutil_module is None:
        import psutil

        psutil_module = psutil
    try:
        root = psutil_module.Process(root_pid)
        return {root_pid, *(child.pid for child in root.children(recursive=True))}
    except (psutil_module.NoSuchProcess, psutil_module.AccessDenied):
        return set()


class GpuShareTracker:
    """Accumulates NVML per-process SM utilisation for one backend's GPUs."""

    def __init__(self, backend: Any, device_count: int) -> None:
        self.backend = backend
        self.supported = [hasattr(backend, "process_utilisation")] * device_count
        self.reasons: list[str | None] = [
            None
            if ok
            else f"the {getattr(backend, 'name', '?')} backend does not report per-process utilisation"
            for ok in self.supported
        ]
        self._since_us = [0] * device_count
        self.tree_util = [0.0] * device_count
        self.all_util = [0.0] * device_count
        self.tree_pids: set[int] = set()

    def poll(self, tree_pids: set[int]) -> None:
        """Read new utilisation samples; ``tree_pids`` is the tree as it is now."""
        self.tree_pids |= tree_pids
        for index, ok in enumerate(self.supported):
            if not ok:
                continue
            samples = self.backend.process_utilisation(index, self._since_us[index])
            if samples is None:
                self.supported[index] = False
                self.reasons[index] = "the driver does not report per-process utilisation for this GPU"
                continue
            for pid, stamp_us, sm_util in samples:
                self._since_us[index] = max(self._since_us[index], stamp_us)
                self.all_util[index] += sm_util
                if pid in self.tree_pids:
                    self.tree_util[index] += sm_util

    def shares(self) -> list[tuple[float | None, str | None]]:
        out: list[tuple[float | None, str | None]] = []
        for index, ok in enumerate(self.supported):
            if not ok:
                out.append((None, self.reasons[index]))
            elif self.all_util[index] <= 0:
                out.append((None, "NVML reported no SM activity by any process on this GPU"))
            else:
                out.append((self.tree_util[index] / self.all_util[index], None))
        return out


class CpuTimeShare:
    """The command tree's CPU time over the system's busy CPU time, between start() and finish().

    ``who`` is ``"children"`` (the waited-for child tree: ``wattprint measure``) or ``"self"``
    (this process: ``wattprint.track`` inside a program).
    """

    def __init__(self, psutil_module: Any = None, who: str = "children") -> None:
        if psutil_module is None:
            import psutil

            psutil_module = psutil
        if who not in ("children", "self"):
            raise ValueError(f"who must be 'children' or 'self', got {who!r}")
        self.psutil = psutil_module
        self._who = resource.RUSAGE_CHILDREN if who == "children" else resource.RUSAGE_SELF
        self._children_s = 0.0
        self._busy_s = 0.0

    def _system_busy_s(self) -> float:
        times = self.psutil.cpu_times()
        idle = getattr(times, "idle", 0.0) + getattr(times, "iowait", 0.0)
        return float(sum(times)) - float(idle)

    def _children_cpu_s(self) -> float:
        usage = resource.getrusage(self._who)
        return usage.ru_utime + usage.ru_stime

    def start(self) -> None:
        self._children_s = self._children_cpu_s()
        self._busy_s = self._system_busy_s()

    def finish(self) -> tuple[float | None, str | None]:
        """Share [-] (after the child was waited for), or None with a reason."""
        tree_s = self._children_cpu_s() - self._children_s
        busy_s = self._system_busy_s() - self._busy_s
        if busy_s <= 0:
            return None, "the system reported no busy CPU time over the command"
        return min(1.0, max(0.0, tree_s / busy_s)), None


def apportion(
    measurement: Measurement,
    gpu_shares: list[tuple[float | None, str | None]] | None,
    cpu_share: tuple[float | None, str | None] | None,
    device_kinds: list[str],
) -> Attribution:
    """Energy of each device times its share; a device without a share has None and a reason."""
    results = []
    for device, kind in zip(measurement.devices, device_kinds, strict=True):
        if kind == "gpu":
            share, reason = (gpu_shares or [])[device.index] if gpu_shares else (None, "no GPU shares")
            method = GPU_METHOD
        else:
            share, reason = cpu_share if cpu_share is not None else (None, "no CPU share")
            method = CPU_METHOD
        energy_j = None
        if share is not None and device.energy_j is not None:
            energy_j = share * device.energy_j
        elif share is not None:
            reason = device.energy_reason
        results.append(DeviceShare(device.index, share, reason, method, energy_j))
    known = [r.energy_j for r in results if r.energy_j is not None]
    total = sum(known) if known else None
    missing = [r for r in results if r.energy_j is None]
    reason_total = None
    if not results:
        reason_total = "no device"
    elif missing:
        reason_total = "; ".join(f"device {r.index}: {r.reason}" for r in missing)
    return Attribution(tuple(results), total, reason_total)
