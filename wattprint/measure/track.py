"""Tracking inside a program: ``with wattprint.track(...) as run:`` and ``@wattprint.tracked(...)``.

The tracker samples the devices' power with the same backends, sampler and crash-safe JSONL log
as ``wattprint measure`` (so the same trace gives the same energy), and on exit gives the
measured energy, its CO2e at the region's intensity (with that figure's basis, year and source),
and the TDP-based estimate beside it. Where nothing can be read the energy is ``None`` with the
reason, never 0.

Several processes
-----------------
Under ``torchrun`` or Slurm every rank runs the training script, and every rank would see every
GPU of its node: summing what each rank read would count a node's GPUs once per rank (the double
count CodeCarbon users meet on Slurm). Here only the first process of each node (``LOCAL_RANK``
or ``SLURM_LOCALID`` 0) samples power, into its own log ``<log stem>.node-<node>.jsonl``; the
other ranks sample nothing. :func:`merge_logs` (``wattprint merge-logs`` on the CLI) adds the
nodes' logs into one total and refuses two logs of the same node. With ``attribute="process"``
every rank also records its own process's share (GPU SM utilisation via NVML, CPU time) in
``<log stem>.rank-<rank>.jsonl``, and the merge reports each rank's share of its node's energy.

Notes
-----
Energy is the devices' own (NVML: whole GPU; RAPL: whole CPU socket), before any facility
overhead (PUE is not applied, as in ``wattprint measure``)::

    co2e_kg = energy_kwh x intensity_g_per_kwh / 1000

References
----------
.. [1] NVIDIA, "NVML API Reference" (nvmlDeviceGetTotalEnergyConsumption, nvmlDeviceGetPowerUsage),
   https://docs.nvidia.com/deploy/nvml-api/, accessed 2025.
.. [2] PyTorch, "torchrun (Elastic Launch)": the RANK, LOCAL_RANK, WORLD_SIZE and GROUP_RANK
   environment variables, https://pytorch.org/docs/stable/elastic/run.html, accessed 2025.
.. [3] SchedMD, "srun" manual: SLURM_PROCID, SLURM_LOCALID, SLURM_NTASKS, SLURM_NODEID,
   https://slurm.schedmd.com/srun.html, accessed 2025.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

from wattprint.errors import InputError, MeasurementError, WattprintError
from wattprint.measure.backends import (
    FAKE_LABEL,
    Clock,
    NullBackend,
    PowerBackend,
    default_backend,
    open_backend,
)
from wattprint.measure.measurement import J_PER_KWH, Measurement
from wattprint.measure.sampler import Sampler, read_log, summarise_log

P = ParamSpec("P")
R = TypeVar("R")

TRACK_WINDOW = "run"
"""Name of the window that spans the whole tracked block."""
POLL_INTERVAL_S = 0.5
"""How often per-process utilisation is read when attributing to a process [s]."""

Role = Literal["node sampler", "rank"]


# --------------------------------------------------------------------------------------------
# Ranks


@dataclass(frozen=True)
class Ranks:
    """Where this process sits in a distributed run (a single process: rank 0 of 1)."""

    rank: int
    local_rank: int
    world_size: int
    node: str
    launcher: str | None
    """``torchrun``, ``slurm`` or None (a single process)."""

    @property
    def samples_node(self) -> bool:
        """Whether this process samples its node's devices (the first process of the node)."""
        return self.local_rank == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "local_rank": self.local_rank,
            "world_size": self.world_size,
            "node": self.node,
            "launcher": self.launcher,
        }


def _int(env: Mapping[str, str], name: str) -> int | None:
    text = env.get(name)
    if text is None or text.strip() == "":
        return None
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"environment variable {name} must be a whole number, got {text!r}") from None
    if value < 0:
        raise InputError(f"environment variable {name} must be 0 or more, got {value}")
    return value


def ranks_from_env(env: Mapping[str, str] | None = None) -> Ranks:
    """This process's ranks from torchrun's (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``,
    ``GROUP_RANK``) or Slurm's (``SLURM_PROCID``, ``SLURM_LOCALID``, ``SLURM_NTASKS``,
    ``SLURM_NODEID``) variables; torchrun's win when both are set (torchrun inside an allocation).
    """
    env = os.environ if env is None else env
    host = socket.gethostname()
    if _int(env, "LOCAL_RANK") is not None or _int(env, "RANK") is not None:
        rank = _int(env, "RANK") or 0
        local = _int(env, "LOCAL_RANK")
        local = rank if local is None else local
        world = _int(env, "WORLD_SIZE") or 1
        group = env.get("GROUP_RANK") or env.get("NODE_RANK")
        return Ranks(rank, local, world, f"{group}" if group else host, "torchrun")
    if _int(env, "SLURM_PROCID") is not None:
        rank = _int(env, "SLURM_PROCID") or 0
        local = _int(env, "SLURM_LOCALID")
        world = _int(env, "SLURM_NTASKS") or 1
        node = env.get("SLURM_NODEID")
        return Ranks(rank, rank if local is None else local, world, node if node else host, "slurm")
    return Ranks(0, 0, 1, host, None)


def _log_paths(log: Path | None, ranks: Ranks) -> tuple[Path | None, Path | None]:
    """The node log (first process of a node) and the rank log of a distributed run."""
    if log is None:
        return None, None
    if ranks.launcher is None:
        return log, None
    safe_node = "".join(c if c.isalnum() or c in "-_." else "_" for c in ranks.node)
    node_log = log.with_name(f"{log.stem}.node-{safe_node}{log.suffix}")
    rank_log = log.with_name(f"{log.stem}.rank-{ranks.rank}{log.suffix}")
    return node_log, rank_log


# --------------------------------------------------------------------------------------------
# Result


@dataclass(frozen=True)
class TrackResult:
    """What a tracked block drew, with its CO2e and the TDP-based estimate beside it.

    ``energy_kwh`` is None with ``energy_reason`` where nothing could be read, and on a rank that
    does not sample its node (the node's first process holds the node's figure).
    """

    energy_kwh: float | None
    energy_reason: str | None
    co2e_kg: float | None
    co2e_reason: str | None
    intensity: Mapping[str, Any] | None
    tdp_estimate: Mapping[str, Any]
    measurement: Measurement | None
    windows: Mapping[str, Measurement]
    ranks: Ranks
    role: Role
    backend: str
    fake: bool
    log: str | None
    attribution: Mapping[str, Any] | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def energy_j(self) -> float | None:
        """Energy [J]."""
        return None if self.energy_kwh is None else self.energy_kwh * J_PER_KWH

    def to_dict(self) -> dict[str, Any]:
        return {
            "energy_kwh": self.energy_kwh,
            "energy_j": self.energy_j,
            "energy_reason": self.energy_reason,
            "co2e_kg": self.co2e_kg,
            "co2e_reason": self.co2e_reason,
            "intensity": dict(self.intensity) if self.intensity else None,
            "tdp_estimate": dict(self.tdp_estimate),
            "measurement": self.measurement.to_dict() if self.measurement else None,
            "windows": {name: m.to_dict() for name, m in self.windows.items()},
            "ranks": self.ranks.to_dict(),
            "role": self.role,
            "backend": self.backend,
            "fake": self.fake,
            "label": FAKE_LABEL if self.fake else None,
            "log": self.log,
            "attribution": dict(self.attribution) if self.attribution else None,
            "notes": list(self.notes),
        }


def resolve_intensity(
    region: str | None, year: int | None, intensity_g_per_kwh: float | None, db_dir: Path | None
) -> dict[str, Any] | None:
    """The grid figure for CO2e: a region's (with basis, year and source, the entry it is from as
    ``region``, and a ``note`` when that is another place's, e.g. a US state on the national
    figure) or a given one."""
    if region is not None and intensity_g_per_kwh is not None:
        raise InputError("give region or intensity_g_per_kwh, not both")
    if intensity_g_per_kwh is not None:
        return {
            "intensity_g_per_kwh": float(intensity_g_per_kwh),
            "region": None,
            "basis": None,
            "year": None,
            "source": "given",
            "note": None,
        }
    if region is None:
        if year is not None:
            raise InputError("a year needs a region")
        return None
    if not region.strip():
        raise InputError("region is empty; give a region id such as aws:us-east-1, or none")
    from wattprint.db.loader import load_databases

    regions = load_databases(db_dir).regions
    resolved = regions.intensity(region, year)
    return {
        "intensity_g_per_kwh": resolved.value,
        "region": resolved.region_id,
        "basis": resolved.basis,
        "year": resolved.year,
        "source": resolved.source,
        "note": regions.borrowed_note(region, resolved.region_id) or None,
    }


def tdp_estimate(
    devices: Iterable[Any], measurement: Measurement, db_dir: Path | None = None
) -> dict[str, Any]:
    """Each GPU's TDP x duration [J] beside its measured energy; names what did not resolve.

    ``devices`` are the sampler's :class:`~wattprint.measure.backends.DeviceInfo`, matched to the
    hardware database by the name the machine reports.
    """
    from wattprint.db.loader import load_databases

    try:
        hardware = load_databases(db_dir).hardware
    except WattprintError as error:
        return {"devices": [], "reason": f"hardware database unavailable: {error}"}
    rows = []
    for info, result in zip(devices, measurement.devices, strict=True):
        row: dict[str, Any] = {"index": info.index, "name": info.name, "hardware_id": None}
        if info.kind != "gpu":
            row["reason"] = "CPU sockets are not matched by name to the hardware database"
            rows.append(row)
            continue
        try:
            device = hardware.match(info.name)
        except WattprintError as error:
            row["reason"] = f"no TDP: {error}"
            rows.append(row)
            continue
        tdp_energy_j = device.tdp_w.value * measurement.duration_s
        row.update(
            hardware_id=device.id,
            tdp_w=device.tdp_w.value,
            tdp_source=device.tdp_w.source,
            tdp_energy_j=tdp_energy_j,
            measured_energy_j=result.energy_j,
            measured_over_tdp=(result.energy_j / tdp_energy_j)
            if result.energy_j is not None and tdp_energy_j > 0
            else None,
        )
        rows.append(row)
    return {"devices": rows, "reason": None}


# --------------------------------------------------------------------------------------------
# The tracker


class Tracker:
    """Measures the energy of a block of code; see :func:`track`.

    Parameters
    ----------
    region : str, optional
        Region id for CO2e, e.g. ``"aws:us-east-1"``; or ``intensity_g_per_kwh`` [gCO2e/kWh].
    year : int, optional
        Year of the region's intensity (default: the latest).
    log : path, optional
        JSONL log, one line per sample, flushed and fsync'd (survives ``kill -9``). In a
        distributed run the node's and rank's logs are named after it (see the module notes).
    backend : {"nvml", "rapl", "fake"} or PowerBackend, optional
        Where power is read; default NVML, else RAPL, else nothing (energy None with a reason).
    interval_s : float
        Sampling period [s] (default 0.1).
    attribute : {"process"}, optional
        Also record this process's share of each device (GPU SM utilisation, CPU time).
    db_dir : path, optional
        Folder with its own ``hardware_db/`` and ``region_db/``.
    clock : callable
        Monotonic clock [s] (tests pass a fake one with a fake backend).
    env : mapping, optional
        Environment to read ranks from (default ``os.environ``).
    """

    def __init__(
        self,
        *,
        region: str | None = None,
        year: int | None = None,
        intensity_g_per_kwh: float | None = None,
        log: str | Path | None = None,
        backend: str | PowerBackend | None = None,
        interval_s: float = 0.1,
        attribute: Literal["process"] | None = None,
        db_dir: str | Path | None = None,
        clock: Clock = time.monotonic,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if attribute not in (None, "process"):
            raise InputError(f"attribute must be 'process' or None, got {attribute!r}")
        self.db_dir = Path(db_dir) if db_dir is not None else None
        self.intensity = resolve_intensity(region, year, intensity_g_per_kwh, self.db_dir)
        self.ranks = ranks_from_env(env)
        self.role: Role = "node sampler" if self.ranks.samples_node else "rank"
        self.node_log, self.rank_log = _log_paths(Path(log) if log is not None else None, self.ranks)
        self.backend_choice = backend
        self.interval_s = interval_s
        self.attribute = attribute
        self.clock = clock
        self.sampler: Sampler | None = None
        self.backend_reason: str | None = None
        self.windows: dict[str, Measurement] = {}
        self.result: TrackResult | None = None
        self._share_backend: PowerBackend | None = None
        self._share_thread: threading.Thread | None = None
        self._share_stop = threading.Event()
        self._gpu_share: Any = None
        self._cpu_share: Any = None

    # -- backend -------------------------------------------------------------------------------

    def _open_backend(self) -> PowerBackend:
        choice = self.backend_choice
        if choice is None:
            backend, _reasons = default_backend(self.clock)
            if isinstance(backend, NullBackend):
                self.backend_reason = backend.reason
            return backend
        if isinstance(choice, str):
            try:
                return open_backend(choice, self.clock)
            except MeasurementError as error:
                self.backend_reason = f"{choice}: {error}"
                return NullBackend(self.backend_reason)
        return choice

    # -- start and stop ------------------------------------------------------------------------

    def start(self) -> Tracker:
        """Start sampling (on the node's first process) and open the ``run`` window."""
        if self.sampler is not None or self.result is not None:
            raise InputError("this tracker has already been started; make a new one")
        if self.role == "node sampler":
            backend = self._open_backend()
            self.sampler = Sampler(
                backend, clock=self.clock, interval_s=self.interval_s, log_path=self.node_log
            )
            if self.sampler.log is not None:
                self.sampler.log.write({"type": "track", **self.ranks.to_dict(), "role": self.role})
            self.sampler.start()
            self.sampler.begin_window(TRACK_WINDOW)
        if self.attribute == "process":
            self._start_shares()
        return self

    def stop(self) -> TrackResult:
        """Close every open window, stop sampling and return the result (also in :attr:`result`)."""
        if self.result is not None:
            return self.result
        measurement: Measurement | None = None
        notes: list[str] = []
        backend_name, fake = "none", False
        shares = self._stop_shares() if self.attribute == "process" else None
        if self.sampler is not None:
            sampler = self.sampler
            try:
                for name in [n for n in sampler.open_windows if n != TRACK_WINDOW]:
                    self.windows[name] = sampler.end_window(name)
                    notes.append(f"window {name!r} was still open at the end; closed there")
                measurement = sampler.end_window(TRACK_WINDOW)
            finally:
                sampler.close()
            notes.extend(sampler.errors[:3])
            backend_name, fake = sampler.backend.name, sampler.backend.is_fake
        energy_kwh = measurement.energy_kwh if measurement is not None else None
        if measurement is None:
            energy_reason: str | None = (
                f"rank {self.ranks.rank} is not its node's first process: the node's energy is in "
                f"the log of local rank 0 ({self.node_log or 'no log given'})"
            )
        elif energy_kwh is None and self.backend_reason:
            energy_reason = f"no power source readable: {self.backend_reason}"
        elif energy_kwh is None:
            energy_reason = measurement.energy_reason or "no reading"
        else:
            energy_reason = measurement.energy_reason
        co2e_kg, co2e_reason = None, None
        if self.intensity is None:
            co2e_reason = "no region or intensity given: energy only"
        elif energy_kwh is None:
            co2e_reason = "no energy measured"
        else:
            co2e_kg = energy_kwh * self.intensity["intensity_g_per_kwh"] / 1000.0
        estimate = (
            tdp_estimate(self.sampler.devices, measurement, self.db_dir)
            if self.sampler is not None and measurement is not None
            else {"devices": [], "reason": "this process did not sample"}
        )
        attribution = None
        if shares is not None:
            attribution = self._attribution(shares, measurement)
        self.result = TrackResult(
            energy_kwh=energy_kwh,
            energy_reason=energy_reason,
            co2e_kg=co2e_kg,
            co2e_reason=co2e_reason,
            intensity=self.intensity,
            tdp_estimate=estimate,
            measurement=measurement,
            windows=dict(self.windows),
            ranks=self.ranks,
            role=self.role,
            backend=backend_name,
            fake=fake,
            log=str(self.node_log) if self.node_log is not None and self.sampler is not None else None,
            attribution=attribution,
            notes=tuple(notes),
        )
        return self.result

    def __enter__(self) -> Tracker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- windows -------------------------------------------------------------------------------

    def begin_window(self, name: str) -> None:
        """Open a window called ``name`` now (a no-op on a rank that does not sample)."""
        if not name or name == TRACK_WINDOW:
            raise InputError(f"a window needs a name other than {TRACK_WINDOW!r}")
        if self.sampler is not None:
            self.sampler.begin_window(name)

    def end_window(self, name: str) -> Measurement | None:
        """Close window ``name``: its :class:`Measurement`, or None on a rank that does not sample."""
        if self.sampler is None:
            return None
        measurement = self.sampler.end_window(name)
        self.windows[name] = measurement
        return measurement

    def so_far(self) -> tuple[float | None, float | None]:
        """Energy [kWh] and CO2e [kg] since the start, the run going on (None, None on a rank
        that does not sample or where nothing is readable; CO2e None without a region)."""
        if self.sampler is None or TRACK_WINDOW not in self.sampler.open_windows:
            return None, None
        energy_kwh = self.sampler.peek_window(TRACK_WINDOW).energy_kwh
        if energy_kwh is None or self.intensity is None:
            return energy_kwh, None
        return energy_kwh, energy_kwh * self.intensity["intensity_g_per_kwh"] / 1000.0

    @contextmanager
    def window(self, name: str) -> Iterator[None]:
        """``with run.window("eval"): ...``: a window around a block."""
        self.begin_window(name)
        try:
            yield
        finally:
            self.end_window(name)

    # -- process shares ------------------------------------------------------------------------

    def _start_shares(self) -> None:
        from wattprint.measure.attribution import CpuTimeShare, GpuShareTracker

        self._cpu_share = CpuTimeShare(who="self")
        self._cpu_share.start()
        backend = self.sampler.backend if self.sampler is not None else self._open_backend()
        self._share_backend = backend
        self._gpu_share = GpuShareTracker(backend, len(backend.devices()))
        pid = os.getpid()

        def poll() -> None:
            while not self._share_stop.wait(POLL_INTERVAL_S):
                self._gpu_share.poll({pid})

        self._share_thread = threading.Thread(target=poll, name="wattprint-shares", daemon=True)
        self._share_thread.start()

    def _stop_shares(self) -> dict[str, Any]:
        self._share_stop.set()
        if self._share_thread is not None:
            self._share_thread.join()
        self._gpu_share.poll({os.getpid()})
        gpu = self._gpu_share.shares()
        assert self._cpu_share is not None
        cpu = self._cpu_share.finish()
        if self._share_backend is not None and self.sampler is None:
            self._share_backend.close()
        shares = {
            "rank": self.ranks.rank,
            "node": self.ranks.node,
            "gpu_shares": [list(s) for s in gpu],
            "cpu_share": list(cpu),
        }
        if self.rank_log is not None:
            from wattprint.measure.sampler import JsonlLog

            log = JsonlLog(self.rank_log)
            log.write({"type": "rank_share", **self.ranks.to_dict(), **shares})
            log.close()
        return shares

    def _attribution(self, shares: Mapping[str, Any], measurement: Measurement | None) -> dict[str, Any]:
        from wattprint.measure.attribution import apportion

        if measurement is None or self.sampler is None:
            return {
                **shares,
                "energy_j": None,
                "reason": "the node's energy is in the node's log; merge the logs",
            }
        kinds = [d.kind for d in self.sampler.devices]
        gpu = [tuple(s) for s in shares["gpu_shares"]]
        cpu = tuple(shares["cpu_share"])
        return apportion(measurement, gpu, cpu, kinds).to_dict()


def track(**options: Any) -> Tracker:
    """Measure the energy of a block: ``with wattprint.track(region="aws:us-east-1") as run: ...``.

    Takes the options of :class:`Tracker`. Inside the block, ``run.begin_window(name)`` /
    ``run.end_window(name)`` (or ``with run.window(name):``) measure parts; after it,
    ``run.result`` is the :class:`TrackResult` (energy, CO2e, TDP-based estimate, windows).

    Examples
    --------
    >>> import time, wattprint
    >>> with wattprint.track(backend="fake", intensity_g_per_kwh=400) as run:
    ...     time.sleep(0.3)
    >>> run.result.energy_kwh > 0, run.result.fake, run.result.co2e_kg > 0
    (True, True, True)
    """
    return Tracker(**options)


def tracked(**options: Any) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A decorator: each call of the function is tracked (options of :class:`Tracker`); the
    last call's :class:`TrackResult` is the wrapper's ``last_result`` attribute.

    Examples
    --------
    >>> import wattprint
    >>> @wattprint.tracked(backend="fake")
    ... def work():
    ...     return sum(range(1000))
    >>> work(), work.last_result.backend
    (499500, 'fake')
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            run = Tracker(**options)
            with run:
                value = function(*args, **kwargs)
            wrapper.last_result = run.result  # type: ignore[attr-defined]
            return value

        wrapper.last_result = None  # type: ignore[attr-defined]
        return wrapper

    return decorate


# --------------------------------------------------------------------------------------------
# Merging the nodes' logs


@dataclass(frozen=True)
class MergedLogs:
    """The total of several nodes' logs (one per node) and each node's part."""

    energy_kwh: float | None
    energy_reason: str | None
    nodes: tuple[Mapping[str, Any], ...]
    ranks: tuple[Mapping[str, Any], ...]
    co2e_kg: float | None = None
    intensity: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "energy_kwh": self.energy_kwh,
            "energy_j": None if self.energy_kwh is None else self.energy_kwh * J_PER_KWH,
            "energy_reason": self.energy_reason,
            "co2e_kg": self.co2e_kg,
            "intensity": dict(self.intensity) if self.intensity else None,
            "nodes": [dict(n) for n in self.nodes],
            "ranks": [dict(r) for r in self.ranks],
        }


def _first_record(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        line = handle.readline()
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        raise InputError(f"{path} is not a wattprint log (its first line is not JSON)") from None
    if not isinstance(record, dict):
        raise InputError(f"{path} is not a wattprint log")
    return record


def _last_run(events: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The last ``run`` window's begin and end events of a log (a log appended to by several
    runs holds several); end is None when the run was killed before it ended."""
    begin_at = None
    for index, event in enumerate(events):
        if event.get("type") == "window_begin" and event.get("name") == TRACK_WINDOW:
            begin_at = index
    if begin_at is None:
        return None, None
    end = next(
        (e for e in events[begin_at:] if e.get("type") == "window_end" and e.get("name") == TRACK_WINDOW),
        None,
    )
    return events[begin_at], end


def merge_logs(
    paths: Iterable[str | Path],
    region: str | None = None,
    year: int | None = None,
    intensity_g_per_kwh: float | None = None,
    db_dir: str | Path | None = None,
) -> MergedLogs:
    """Add the energy of several nodes' logs (``track`` or ``measure`` logs, one per node).

    Each node log's ``run`` window (or, for a ``measure`` log, all its samples) is integrated as
    :func:`~wattprint.measure.sampler.summarise_log` does; two logs of the same node are refused
    (they would count its devices twice). Rank logs (``attribute="process"``) give each rank's
    share of its node's GPU energy.
    """
    node_logs: list[tuple[Path, str]] = []
    rank_records: list[dict[str, Any]] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise InputError(f"no such log: {path}")
        first = _first_record(path)
        if first.get("type") == "rank_share":
            rank_records.append(first)
            continue
        if first.get("type") != "header":
            raise InputError(f"{path} is not a wattprint log (no header line)")
        saved = read_log(path)
        meta = next((e for e in saved.events if e.get("type") == "track"), {})
        node_logs.append((path, str(meta.get("node", path.name))))
    if not node_logs:
        raise InputError("no node log among the files (a rank log alone holds no energy)")
    seen: dict[str, Path] = {}
    for path, node in node_logs:
        if node in seen:
            raise InputError(
                f"{seen[node]} and {path} are both logs of node {node!r}: merging would count it twice"
            )
        seen[node] = path
    nodes = []
    total_j = 0.0
    reasons = []
    node_energy: dict[str, Measurement] = {}
    for path, node in node_logs:
        saved = read_log(path)
        begin, end = _last_run(saved.events)
        measurement = summarise_log(
            saved,
            name=node,
            start_s=begin.get("t_s") if begin else None,
            end_s=end.get("t_s") if end else None,
        )
        node_energy[node] = measurement
        if measurement.energy_j is None:
            reasons.append(f"node {node}: {measurement.energy_reason}")
        else:
            total_j += measurement.energy_j
        nodes.append(
            {
                "node": node,
                "log": str(path),
                "energy_j": measurement.energy_j,
                "energy_reason": measurement.energy_reason,
                "duration_s": measurement.duration_s,
                "complete": end is not None,
                "backend": measurement.backend,
                "fake": measurement.is_fake,
            }
        )
    ranks = []
    for record in sorted(rank_records, key=lambda r: int(r.get("rank", 0))):
        node = str(record.get("node"))
        node_measurement = node_energy.get(node)
        energy_j: float | None = None
        reason = None
        if node_measurement is None:
            reason = f"no log of node {node} among the files"
        else:
            gpu = record.get("gpu_shares") or []
            parts = []
            for device in node_measurement.devices:
                share = gpu[device.index][0] if device.index < len(gpu) else None
                if share is None or device.energy_j is None:
                    reason = "a device has no share or no energy"
                    break
                parts.append(share * device.energy_j)
            else:
                energy_j = sum(parts)
        ranks.append({"rank": record.get("rank"), "node": node, "energy_j": energy_j, "reason": reason})
    energy_kwh = total_j / J_PER_KWH if len(reasons) < len(nodes) else None
    intensity = resolve_intensity(region, year, intensity_g_per_kwh, Path(db_dir) if db_dir else None)
    co2e = (
        energy_kwh * intensity["intensity_g_per_kwh"] / 1000.0
        if intensity is not None and energy_kwh is not None
        else None
    )
    return MergedLogs(
        energy_kwh=energy_kwh,
        energy_reason="; ".join(reasons) or None,
        nodes=tuple(nodes),
        ranks=tuple(ranks),
        co2e_kg=co2e,
        intensity=intensity,
    )
