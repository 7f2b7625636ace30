"""The Python API: what the CLI does, as typed functions that return objects.

``wattprint.estimate`` builds the same job as ``wattprint estimate`` and returns the footprint the
CLI prints (``estimate(...).to_dict()`` equals ``wattprint estimate --json``). ``compare``,
``shift`` and ``report`` run the very code of their commands (same options, same checks, same
messages) and return what ``--json`` prints, parsed. Bad input raises
:class:`~wattprint.errors.InputError` (or another :class:`~wattprint.errors.WattprintError`) with
the one-line message the CLI would print.

Examples
--------
>>> import wattprint
>>> job = wattprint.estimate(device_hours=1000, power_w=300, pue=1.5, intensity_g_per_kwh=400)
>>> round(job.energy_kwh, 6), round(job.co2e_kg, 6)
(450.0, 180.0)
>>> [round(job.to_dict()["range"]["co2e_kg"][end], 6) for end in ("low", "high")]  # measured W +-5%
[171.0, 189.0]
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wattprint.errors import InputError

if TYPE_CHECKING:
    from wattprint.db.loader import Databases
    from wattprint.engine.flops import FlopsDuration, Task
    from wattprint.engine.footprint import Assumption, Footprint, Range
    from wattprint.engine.jobspec import JobSpec

__all__ = [
    "Estimate",
    "FlopsRequest",
    "compare",
    "estimate",
    "estimate_spec",
    "inference",
    "report",
    "shift",
]


@dataclass(frozen=True)
class FlopsRequest:
    """A job's length given as work: total FLOPs, or parameters x tokens for a task.

    ``mfu`` is the model-FLOPs utilisation [-] (default :data:`wattprint.engine.flops.DEFAULT_MFU`);
    ``precision`` the peak used (default: bf16, else the first the device publishes).
    """

    total_flops: float | None = None
    parameters: float | None = None
    tokens: float | None = None
    task: Task = "training"
    mfu: float | None = None
    precision: str | None = None


@dataclass(frozen=True)
class Estimate:
    """The footprint of one job, as ``wattprint estimate`` prints it.

    ``footprint`` is the engine's :class:`~wattprint.engine.footprint.Footprint`; the properties
    below read it. ``intensity`` holds the grid figure's basis and year (and its source when the
    region has one); ``flops`` how the device-hours were derived when the job was given as FLOPs.
    """

    footprint: Footprint
    intensity: Mapping[str, Any] = field(default_factory=dict)
    flops: FlopsDuration | None = None

    @property
    def energy_kwh(self) -> float:
        """Facility energy, PUE applied [kWh]."""
        return self.footprint.energy_kwh

    @property
    def it_energy_kwh(self) -> float:
        """IT energy, before PUE [kWh]."""
        return self.footprint.it_energy_kwh

    @property
    def co2e_kg(self) -> float:
        """Operational, location-based CO2e [kg]."""
        return self.footprint.co2e_kg

    @property
    def embodied_co2e_kg(self) -> float:
        """Embodied carbon amortised over the job [kg] (0 unless asked for)."""
        return self.footprint.embodied_co2e_kg

    @property
    def total_co2e_kg(self) -> float:
        """Operational plus embodied CO2e [kg]."""
        return self.footprint.total_co2e_kg

    @property
    def intensity_g_per_kwh(self) -> float:
        """Grid intensity used [gCO2e/kWh]."""
        return self.footprint.intensity_g_per_kwh

    @property
    def pue(self) -> float:
        """Power usage effectiveness applied [-]."""
        return self.footprint.pue

    @property
    def range(self) -> Range:
        """Low and high energy [kWh] and CO2e [kg]."""
        return self.footprint.range

    @property
    def assumptions(self) -> tuple[Assumption, ...]:
        """Every figure used, with its unit, source and year (the FLOPs route's first)."""
        extra = self.flops.assumptions if self.flops is not None else ()
        return (*extra, *self.footprint.assumptions)

    def to_dict(self) -> dict[str, object]:
        """The JSON object ``wattprint estimate --json`` prints for the same job."""
        from wattprint.engine.footprint import footprint_to_dict

        data = footprint_to_dict(self.footprint)
        data.update(self.intensity)
        if self.flops is not None:
            data["assumptions"] = [
                {"name": a.name, "value": a.value, "unit": a.unit, "source": a.source, "year": a.year}
                for a in self.flops.assumptions
            ] + list(data["assumptions"])  # type: ignore[call-overload]
            data["flops"] = {
                "total_flops": self.flops.total_flops,
                "peak_tflops": self.flops.peak_tflops,
                "mfu": self.flops.mfu,
                "device_hours": self.flops.device_hours,
                "note": self.flops.note,
            }
        return data


def _databases(db_dir: str | Path | None) -> Databases:
    from wattprint.db.loader import load_databases

    return load_databases(Path(db_dir) if db_dir is not None else None)


def _flops_duration(spec: JobSpec, request: FlopsRequest, databases: Databases) -> FlopsDuration:
    from wattprint.engine.flops import DEFAULT_MFU, available_precisions, duration_from_flops, peak_source

    if spec.hardware is None:
        raise InputError("a job given as FLOPs needs --hardware (its peak FLOP/s sets the device-hours)")
    if spec.hours is not None or spec.device_hours is not None:
        raise InputError("give the job's length as hours, device-hours or FLOPs, not several")
    device = databases.hardware.get(spec.hardware)
    precision = request.precision
    if precision is None:
        known = available_precisions(device)
        if not known:
            raise InputError(f"{device.id} publishes no peak FLOP/s; give hours instead")
        precision = "bf16" if "bf16" in known else known[0]
    mfu = DEFAULT_MFU if request.mfu is None else request.mfu
    return duration_from_flops(
        device,
        precision,
        mfu,
        peak_source(databases.hardware.sources, device, precision),
        total_flops=request.total_flops,
        parameters=request.parameters,
        tokens=request.tokens,
        task=request.task,
    )


def estimate_spec(
    spec: JobSpec, databases: Databases | None = None, flops: FlopsRequest | None = None
) -> Estimate:
    """The :class:`Estimate` of a :class:`~wattprint.engine.jobspec.JobSpec` (the CLI's path).

    ``databases`` is loaded (the bundled ones) when the job names hardware or a region and none
    is given. With ``flops``, the job's device-hours come from :func:`duration_from_flops`.
    """
    from dataclasses import replace

    from wattprint.db.tables import intensity_fields
    from wattprint.engine.footprint import estimate as estimate_footprint
    from wattprint.engine.jobspec import needs_databases, resolve

    derived = None
    if flops is not None:
        databases = databases if databases is not None else _databases(None)
        derived = _flops_duration(spec, flops, databases)
        spec = replace(spec, device_hours=derived.device_hours)
    if databases is None and needs_databases(spec):
        databases = _databases(None)
    footprint = estimate_footprint(resolve(spec, databases if needs_databases(spec) else None))
    fields = intensity_fields(
        databases.regions if databases is not None else None, spec.region, spec.year, spec.basis
    )
    return Estimate(footprint, fields, derived)


def estimate(
    *,
    hardware: str | None = None,
    count: float = 1.0,
    hours: float | None = None,
    device_hours: float | None = None,
    region: str | None = None,
    year: int | None = None,
    pue: float | None = None,
    pue_included: bool = False,
    power_w: float | None = None,
    total_power_w: float | None = None,
    utilization: float | None = None,
    intensity_g_per_kwh: float | None = None,
    net_intensity_g_per_kwh: float | None = None,
    cpu_power_w: float = 0.0,
    memory_power_w: float = 0.0,
    embodied: bool = False,
    embodied_kg: float | None = None,
    flops: float | None = None,
    params: float | None = None,
    tokens: float | None = None,
    task: Task = "training",
    mfu: float | None = None,
    precision: str | None = None,
    db_dir: str | Path | None = None,
) -> Estimate:
    """Energy [kWh] and CO2e [kg] of one job: energy = W x h x PUE, CO2e = energy x intensity.

    The arguments are those of ``wattprint estimate`` (``--count`` is ``count``, ...): the device
    (``hardware`` id, alias or the name a machine reports), how many, for how long (``hours``,
    ``device_hours``, or the work as ``flops`` or ``params`` x ``tokens`` with ``mfu``), where
    (``region`` and ``year``, or ``intensity_g_per_kwh``), and optional measured draws.

    Parameters
    ----------
    hardware : str, optional
        Hardware id or alias, e.g. ``"nvidia-h100-sxm5-80gb"`` or ``"NVIDIA H100 80GB HBM3"``.
    count : float
        Number of devices [-].
    hours : float, optional
        Wall-clock duration [h].
    device_hours : float, optional
        Device-hours [h] (count x hours).
    region : str, optional
        Region id, e.g. ``"aws:us-east-1"`` or ``"country:FR"``.
    year : int, optional
        Year of the region's intensity (default: the latest).
    pue : float, optional
        Power usage effectiveness [-] (default: the region's, else 1.56).
    power_w : float, optional
        Measured average draw per device [W] (replaces TDP x utilization).
    intensity_g_per_kwh : float, optional
        Grid intensity [gCO2e/kWh] instead of a region.
    flops, params, tokens, task, mfu, precision
        The job's length as work: ``flops`` [FLOP], or ``params`` [-] x ``tokens`` [-] for
        ``task`` (6ND training, 2ND inference), at ``mfu`` [-] of the ``precision`` peak.
    db_dir : path, optional
        A folder with its own ``hardware_db/`` and ``region_db/`` (default: the bundled ones).

    Returns
    -------
    Estimate
        ``.energy_kwh``, ``.co2e_kg``, ``.range``, ``.assumptions``, ``.to_dict()``.

    Examples
    --------
    >>> import wattprint
    >>> job = wattprint.estimate(hardware="nvidia-h100-sxm5-80gb", count=8, hours=24,
    ...                          region="aws:us-east-1", year=2022)
    >>> round(job.energy_kwh, 3), job.pue
    (153.216, 1.14)
    >>> job.to_dict()["intensity_year"]
    2022
    """
    from wattprint.engine.jobspec import JobSpec

    spec = JobSpec(
        hardware=hardware,
        count=count,
        hours=hours,
        device_hours=device_hours,
        power_w=power_w,
        total_power_w=total_power_w,
        utilization=utilization,
        pue=pue,
        pue_included=pue_included,
        region=region,
        year=year,
        intensity_g_per_kwh=intensity_g_per_kwh,
        net_intensity_g_per_kwh=net_intensity_g_per_kwh,
        cpu_power_w=cpu_power_w,
        memory_power_w=memory_power_w,
        embodied=embodied,
        embodied_kgco2e=embodied_kg,
    )
    request = None
    if flops is not None or params is not None or tokens is not None:
        request = FlopsRequest(flops, params, tokens, task, mfu, precision)
    elif mfu is not None or precision is not None:
        raise InputError("mfu and precision apply to a job given as flops, or as params and tokens")
    databases = _databases(db_dir) if db_dir is not None else None
    return estimate_spec(spec, databases, request)


# --------------------------------------------------------------------------------------------
# compare, shift, report: the command's own code, its --json output parsed


def _option(name: str, value: Any) -> list[str]:
    flag = "--" + name.replace("_", "-")
    if value is None or value is False:
        return []
    if value is True:
        return [flag]
    if isinstance(value, (list, tuple)):
        return [flag, ",".join(str(v) for v in value)]
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {value!r}")
    return [flag, str(value)]


def _run_command(command: str, options: Mapping[str, Any], json_output: bool = True) -> str:
    """Run one CLI command in this process; its stdout, or the error it would print, raised."""
    from wattprint import cli

    argv: list[str] = []
    db_dir = options.get("db_dir")
    if db_dir is not None:
        argv += ["--db-dir", str(db_dir)]
    argv.append(command)
    for name, value in options.items():
        if name != "db_dir":
            argv += _option(name, value)
    if json_output:
        argv.append("--json")
    parser = cli.build_parser(command)
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            args = parser.parse_args(argv)
    except SystemExit:
        message = errors.getvalue().strip().splitlines()
        raise InputError(message[-1] if message else f"invalid options for {command}") from None
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        args.handler(args)
    return out.getvalue()


def compare(**options: Any) -> list[dict[str, Any]]:
    """The job in every region, cleanest first: the list ``wattprint compare --json`` prints.

    Takes the job's arguments of :func:`estimate` and compare's own: ``basis``, ``kind``,
    ``provider`` (a list or comma-separated text), ``within`` (``eu``, ``eea``, ``us``,
    ``non-us`` or ``country:XX``) and ``top``. One basis is ranked at a time.

    Examples
    --------
    >>> import wattprint
    >>> rows = wattprint.compare(hardware="nvidia-h100-sxm5-80gb", count=8, hours=24,
    ...                          region="aws:us-east-1", provider="gcp", top=3)
    >>> [row["id"].split(":")[0] for row in rows], rows[0]["intensity_basis"]
    (['gcp', 'gcp', 'gcp'], 'lifecycle')
    """
    return list(json.loads(_run_command("compare", options)))


def inference(**options: Any) -> dict[str, Any]:
    """Energy per output token [J] and per request [Wh] of serving a model: what ``wattprint
    inference --json`` prints (a roofline model validated on published measurements; see
    ``docs/inference.md``).

    Takes the options of ``wattprint inference``: ``hardware``, ``params``, ``active_params``,
    ``precision``, ``count``, ``batch``, ``input_tokens``, ``output_tokens``, ``region``, ...

    Examples
    --------
    >>> import wattprint
    >>> served = wattprint.inference(hardware="nvidia-a100-sxm4-40gb", params=7e9, batch=1,
    ...                              input_tokens=100, output_tokens=420)
    >>> served["binding"], round(served["energy_per_output_token_j"], 1)  # ML.ENERGY measured 4.35
    ('memory', 3.6)
    """
    return dict(json.loads(_run_command("inference", options)))


def shift(**options: Any) -> dict[str, Any]:
    """When to run: Flexible Start or Pause and Resume over an hourly series (Dodge et al. 2022).

    Takes the options of ``wattprint shift`` (``region`` or ``series``, ``hours``,
    ``flex_hours`` or ``flex_percent``, ``method``, ``start``, ...) and returns what its
    ``--json`` prints: ``method``, ``baseline_co2e_kg``, ``shifted_co2e_kg``,
    ``savings_fraction`` and ``schedule``.
    """
    return dict(json.loads(_run_command("shift", options)))


def report(format: str = "markdown", **options: Any) -> str | dict[str, Any]:
    """A paper-ready statement of a job: ``format`` markdown, latex, bibtex, model-card or badge
    gives the text ``wattprint report`` prints; ``json`` gives its JSON object.

    Takes the job's arguments of :func:`estimate` and report's own (``social_cost``,
    ``compare_published``, ``training_type``).
    """
    if format == "json":
        return dict(json.loads(_run_command("report", {**options, "format": "json"}, json_output=False)))
    return _run_command("report", {**options, "format": format}, json_output=False)
