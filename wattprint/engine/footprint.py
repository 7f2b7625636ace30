"""Energy and carbon footprint of a job: W x h x PUE x gCO2e/kWh, embodied carbon, ranges.

Notes
-----
For one segment of a job (one kind of hardware in one place)::

    power_w       = count x device_power_w + cpu_power_w + memory_power_w      (or total_power_w)
    it_energy_kwh = power_w x duration_h / 1000
    energy_kwh    = it_energy_kwh x PUE                                          (PUE 1 if included)
    co2e_kg       = energy_kwh x intensity_g_per_kwh / 1000                      (location-based)
    embodied_kg   = count x embodied_per_device_kg x duration_h / (lifetime_h x lifetime_utilization)

``device_power_w`` is a measured average draw when given, otherwise TDP x utilisation.
A market-based figure is computed only from a net intensity given as such, never as
gross x (1 - CFE), which Patterson et al. (2021, Table 1) show does not hold.

References
----------
.. [1] Strubell, Ganesh, McCallum (2019), "Energy and Policy Considerations for Deep Learning
   in NLP", ACL, eqs. 1-2. https://arxiv.org/abs/1906.02243
.. [2] Patterson et al. (2021), "Carbon Emissions and Large Neural Network Training",
   Section 2.5. https://arxiv.org/abs/2104.10350
.. [3] Luccioni, Viguier, Ligozat (2022), "Estimating the Carbon Footprint of BLOOM",
   Section 4.1 (embodied emissions amortised over a 6-year life at 85% use).
   https://arxiv.org/abs/2211.02001
.. [4] Green Software Foundation (2024), "Software Carbon Intensity (SCI) Specification",
   ISO/IEC 21031:2024: SCI = (E x I + M) per R. https://sci.greensoftware.foundation/
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from wattprint.engine import units
from wattprint.errors import InputError

DEFAULT_UTILIZATION = 1.0
"""Fraction of TDP drawn when no utilisation is given [-]: 1.0, the conservative upper bound that
BLOOM's dynamic figure used (Luccioni et al. 2022, Table 1)."""

TDP_POWER_RANGE_FACTORS = (0.6, 1.0)
"""Low/high multipliers on a TDP-based draw [-] when no utilisation range is given. GPUs in
training commonly average 60-100% of TDP (Patterson et al. 2021 Table 4: V100 330 W system power
per chip vs 300 W TDP including host; Dodge et al. 2022 Table 2 measured draws)."""

MEASURED_POWER_RANGE_FACTORS = (0.95, 1.05)
"""Low/high multipliers on a measured average draw [-]: NVML's stated power accuracy is +/-5%
(NVIDIA NVML API Reference, nvmlDeviceGetPowerUsage)."""

BLOOM_LIFETIME_YEARS = 6.0
"""Default hardware life for amortising embodied carbon [years] (Luccioni et al. 2022, 4.1)."""

BLOOM_LIFETIME_UTILIZATION = 0.85
"""Default share of the life the hardware is in use [-] (Luccioni et al. 2022, 4.1)."""

MAX_DURATION_H = 10_000_000.0
"""Longest wall-clock duration accepted [h] (about 1,141 years). A design bound, not a fact: it
leaves room for published runs stated in device-hours of one device (BLOOM's 1,082,990 A100-hours)
and keeps every product of accepted inputs a finite float."""
MAX_DEVICE_HOURS = 1e12
"""Most device-hours accepted [h] (a million devices for a million hours; a design bound)."""
DEVICE_COUNT_RANGE = (0.001, 1e8)
"""Fewest and most devices accepted [-]: a thousandth of a device (a shared slice) up to a
hundred million (a design bound)."""
MAX_POWER_W = 1e9
"""Largest power accepted for any power figure [W] (1 GW, a design bound)."""
MAX_INTENSITY_G_PER_KWH = 5_000.0
"""Largest grid intensity accepted [gCO2e/kWh]; the dirtiest grids are about 1000-1100."""


@dataclass(frozen=True)
class Assumption:
    """One input of the estimate with where it came from."""

    name: str
    value: float | str
    unit: str
    source: str
    year: int | None = None


@dataclass(frozen=True)
class HostShare:
    """A host machine's manufacturing emissions and how a job's devices share it.

    Parameters
    ----------
    per_host_kgco2e : float
        Manufacturing emissions of one host [kgCO2e].
    devices_per_host : float
        Accelerators (or CPU sockets) one host holds [-]; a job on ``count`` devices carries
        ``count / devices_per_host`` hosts.
    lifetime_years : float
        Life the host's emissions are amortised over [years] (its source's assumption).
    lifetime_utilization : float
        Share of that life in use [-].
    basis : str
        The basis in words, e.g. "manufacturer PCF" or "proxy (...)".
    """

    per_host_kgco2e: float
    devices_per_host: float
    lifetime_years: float
    lifetime_utilization: float = BLOOM_LIFETIME_UTILIZATION
    basis: str = "manufacturer PCF"
    name: str = "host"
    source: str = ""


@dataclass(frozen=True)
class Embodied:
    """Embodied emissions of one device and how they are amortised (BLOOM method).

    ``per_device_kgco2e`` is the central figure; with ``lower_bound`` it covers only part of the
    device (ACT: dies and memory) and the range's high end is ``per_device_kgco2e_high`` (a
    published whole-product figure) or unknown. ``host`` adds the share of a host machine.
    """

    per_device_kgco2e: float
    lifetime_years: float = BLOOM_LIFETIME_YEARS
    lifetime_utilization: float = BLOOM_LIFETIME_UTILIZATION
    basis: str = "given"
    lower_bound: bool = False
    per_device_kgco2e_high: float | None = None
    high_basis: str | None = None
    name: str = "devices"
    source: str = ""
    high_source: str = ""
    host: HostShare | None = None


@dataclass(frozen=True)
class EmbodiedPart:
    """What one part of the machine (the devices, the host) adds to a job's embodied emissions.

    ``co2e_kg`` [kgCO2e] is ``per_unit_kgco2e x units x duration_h / (lifetime_years x 8760 x
    lifetime_utilization)``; ``co2e_kg_high`` the same with the part's high figure, None when
    unknown.
    """

    part: str
    name: str
    basis: str
    per_unit_kgco2e: float
    units: float
    lifetime_years: float
    lifetime_utilization: float
    co2e_kg: float
    co2e_kg_high: float | None
    high_basis: str | None = None
    source: str = ""
    high_source: str = ""


@dataclass(frozen=True)
class Job:
    """One segment of work: hardware power, how long, where.

    Parameters
    ----------
    intensity_g_per_kwh : float
        Location-based grid carbon intensity [gCO2e/kWh].
    duration_h : float, optional
        Wall-clock duration [h]; give this or ``device_hours``.
    device_hours : float, optional
        Device-hours [h] (count x duration); duration is derived from it.
    device_count : float
        Number of devices [-].
    device_power_w : float, optional
        Power of one device at full load (TDP) [W]; scaled by ``utilization``.
    utilization : float
        Average draw as a fraction of ``device_power_w`` [-], default 1.0.
    measured_power_w : float, optional
        Measured average draw of one device [W]; replaces TDP x utilisation.
    total_power_w : float, optional
        Average draw of the whole machine [W]; replaces every per-device figure.
    cpu_power_w, memory_power_w : float
        Average draw of host CPUs and memory for the whole job [W].
    pue : float
        Power usage effectiveness [-], >= 1.
    pue_included : bool
        The power figures already include facility overhead; PUE is then 1.
    net_intensity_g_per_kwh : float, optional
        Market-based intensity after contractual clean energy [gCO2e/kWh].
    """

    intensity_g_per_kwh: float
    duration_h: float | None = None
    device_hours: float | None = None
    device_count: float = 1.0
    device_power_w: float | None = None
    utilization: float = DEFAULT_UTILIZATION
    measured_power_w: float | None = None
    total_power_w: float | None = None
    cpu_power_w: float = 0.0
    memory_power_w: float = 0.0
    pue: float = 1.0
    pue_included: bool = False
    net_intensity_g_per_kwh: float | None = None
    embodied: Embodied | None = None
    utilization_range: tuple[float, float] | None = None
    pue_range: tuple[float, float] | None = None
    intensity_range: tuple[float, float] | None = None
    label: str = ""
    assumptions: tuple[Assumption, ...] = ()


@dataclass(frozen=True)
class Range:
    """Low and high bounds of energy [kWh] and operational CO2e [kg]."""

    energy_kwh_low: float
    energy_kwh_high: float
    co2e_kg_low: float
    co2e_kg_high: float


@dataclass(frozen=True)
class Breakdown:
    """Where the energy [kWh] and emissions [kg] come from."""

    accelerators_kwh: float
    cpu_kwh: float
    memory_kwh: float
    pue_overhead_kwh: float
    embodied_co2e_kg: float


@dataclass(frozen=True)
class Footprint:
    """Result of an estimate; every quantity carries its unit in its name."""

    device_hours: float
    duration_h: float
    power_w: float
    it_energy_kwh: float
    energy_kwh: float
    pue: float
    intensity_g_per_kwh: float
    co2e_kg: float
    market_co2e_kg: float | None
    embodied_co2e_kg: float
    total_co2e_kg: float
    range: Range
    breakdown: Breakdown
    assumptions: tuple[Assumption, ...] = ()
    segments: tuple[Footprint, ...] = field(default=())
    embodied_low_kg: float = 0.0
    embodied_high_kg: float | None = 0.0
    embodied_basis: str = ""
    embodied_parts: tuple[EmbodiedPart, ...] = ()


def _check_finite(name: str, value: float, minimum: float | None = 0.0, strict: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{name} must be a number, got {value!r}")
    if math.isnan(value) or math.isinf(value):
        raise InputError(f"{name} must be a finite number, got {value}")
    if minimum is not None:
        if strict and value <= minimum:
            raise InputError(f"{name} must be greater than {minimum:g}, got {value:g}")
        if not strict and value < minimum:
            raise InputError(f"{name} must be at least {minimum:g}, got {value:g}")


def _check_range(name: str, bounds: tuple[float, float] | None, minimum: float) -> None:
    if bounds is None:
        return
    low, high = bounds
    _check_finite(f"{name} low", low, minimum)
    _check_finite(f"{name} high", high, minimum)
    if low > high:
        raise InputError(f"{name} range must have low <= high, got {low:g} > {high:g}")


def validate_job(job: Job) -> None:
    """Raise :class:`InputError` naming the first invalid or conflicting value of ``job``."""
    _check_finite("intensity_g_per_kwh", job.intensity_g_per_kwh, 0.0)
    if job.intensity_g_per_kwh > MAX_INTENSITY_G_PER_KWH:
        raise InputError(
            f"intensity_g_per_kwh {job.intensity_g_per_kwh:g} is not a grid intensity; "
            "valid: 0-5000 gCO2e/kWh (the dirtiest grids are about 1000-1100)"
        )
    if job.net_intensity_g_per_kwh is not None:
        _check_finite("net_intensity_g_per_kwh", job.net_intensity_g_per_kwh, 0.0)
    if (job.duration_h is None) == (job.device_hours is None):
        raise InputError("give exactly one of duration hours or device-hours")
    if job.duration_h is not None:
        _check_finite("hours", job.duration_h, 0.0)
    if job.device_hours is not None:
        _check_finite("device-hours", job.device_hours, 0.0)
    _check_finite("device count", job.device_count, 0.0, strict=True)
    low_count, high_count = DEVICE_COUNT_RANGE
    if not low_count <= job.device_count <= high_count:
        raise InputError(
            f"device count must be between {low_count:g} and {high_count:g}, got {job.device_count:g}"
        )
    duration_h, device_hours = _durations(job)
    if duration_h > MAX_DURATION_H:
        raise InputError(
            f"duration {duration_h:g} h is over the {MAX_DURATION_H:,.0f} h (1,141-year) limit; "
            "give hours (or device-hours / count) up to that"
        )
    if device_hours > MAX_DEVICE_HOURS:
        raise InputError(f"{device_hours:g} device-hours is over the limit of {MAX_DEVICE_HOURS:g}")
    _check_finite("utilization", job.utilization, 0.0)
    if job.utilization > 1.5:
        raise InputError(f"utilization is a fraction of TDP (0-1.5), got {job.utilization:g}")
    _check_finite("pue", job.pue, 1.0)
    if job.pue > 5.0:
        raise InputError(f"pue must be between 1.0 and 5.0, got {job.pue:g}")
    _check_finite("cpu power", job.cpu_power_w, 0.0)
    _check_finite("memory power", job.memory_power_w, 0.0)
    if job.net_intensity_g_per_kwh is not None and job.net_intensity_g_per_kwh > MAX_INTENSITY_G_PER_KWH:
        raise InputError(
            f"net_intensity_g_per_kwh {job.net_intensity_g_per_kwh:g} is not a grid intensity; valid: 0-5000"
        )
    sources = [
        job.total_power_w is not None,
        job.measured_power_w is not None,
        job.device_power_w is not None,
    ]
    if not any(sources):
        raise InputError("no power given: give a hardware id, a per-device power or a total power")
    if job.total_power_w is not None:
        _check_finite("total power", job.total_power_w, 0.0)
        if job.cpu_power_w or job.memory_power_w:
            raise InputError("total power already covers the whole machine; do not add CPU or memory power")
    if job.measured_power_w is not None:
        _check_finite("measured power", job.measured_power_w, 0.0)
    if job.device_power_w is not None:
        _check_finite("device power", job.device_power_w, 0.0)
    for name, value in (
        ("total power", job.total_power_w),
        ("measured power", job.measured_power_w),
        ("device power", job.device_power_w),
        ("cpu power", job.cpu_power_w),
        ("memory power", job.memory_power_w),
    ):
        if value is not None and value > MAX_POWER_W:
            raise InputError(f"{name} {value:g} W is implausible; valid: 0-1,000,000,000 W (1 GW)")
    _check_range("utilization", job.utilization_range, 0.0)
    _check_range("pue", job.pue_range, 1.0)
    _check_range("intensity", job.intensity_range, 0.0)
    if job.pue_range is not None and job.pue_range[1] > 5.0:
        raise InputError(f"pue range must lie between 1.0 and 5.0, got high {job.pue_range[1]:g}")
    if job.utilization_range is not None and job.utilization_range[1] > 1.5:
        raise InputError(f"utilization range must lie in 0-1.5, got high {job.utilization_range[1]:g}")
    if job.intensity_range is not None and job.intensity_range[1] > MAX_INTENSITY_G_PER_KWH:
        raise InputError(f"intensity range must lie in 0-5000 gCO2e/kWh, got high {job.intensity_range[1]:g}")
    if job.embodied is not None:
        _check_finite("embodied kgCO2e per device", job.embodied.per_device_kgco2e, 0.0)
        _check_finite("lifetime years", job.embodied.lifetime_years, 0.0, strict=True)
        _check_finite("lifetime utilization", job.embodied.lifetime_utilization, 0.0, strict=True)
        if job.embodied.lifetime_utilization > 1.0:
            raise InputError("lifetime utilization must be in (0, 1]")
        if job.embodied.per_device_kgco2e_high is not None:
            _check_finite("embodied high kgCO2e per device", job.embodied.per_device_kgco2e_high, 0.0)
        host = job.embodied.host
        if host is not None:
            _check_finite("host kgCO2e", host.per_host_kgco2e, 0.0)
            _check_finite("devices per host", host.devices_per_host, 0.0, strict=True)
            _check_finite("host lifetime years", host.lifetime_years, 0.0, strict=True)
            _check_finite("host lifetime utilization", host.lifetime_utilization, 0.0, strict=True)
            if host.lifetime_utilization > 1.0:
                raise InputError("host lifetime utilization must be in (0, 1]")


def _durations(job: Job) -> tuple[float, float]:
    """(wall-clock duration [h], device-hours [h]) of a job; count must be positive."""
    if job.device_hours is not None:
        return job.device_hours / job.device_count, job.device_hours
    assert job.duration_h is not None
    return job.duration_h, job.duration_h * job.device_count


def check_result(footprint: Footprint) -> Footprint:
    """``footprint`` when every quantity in it is a finite number, else a one-line InputError.

    The last line of the numeric guard: bounded inputs give finite results, and this makes sure no
    ``inf`` or ``NaN`` ever reaches a page, a report or a JSON document.
    """
    values: dict[str, float | None] = {
        "device_hours": footprint.device_hours,
        "duration_h": footprint.duration_h,
        "power_w": footprint.power_w,
        "it_energy_kwh": footprint.it_energy_kwh,
        "energy_kwh": footprint.energy_kwh,
        "pue": footprint.pue,
        "intensity_g_per_kwh": footprint.intensity_g_per_kwh,
        "co2e_kg": footprint.co2e_kg,
        "market_co2e_kg": footprint.market_co2e_kg,
        "embodied_co2e_kg": footprint.embodied_co2e_kg,
        "total_co2e_kg": footprint.total_co2e_kg,
        "embodied_low_kg": footprint.embodied_low_kg,
        "embodied_high_kg": footprint.embodied_high_kg,
    }
    values.update({f"range.{k}": v for k, v in vars(footprint.range).items()})
    values.update({f"breakdown.{k}": v for k, v in vars(footprint.breakdown).items()})
    for name, value in values.items():
        if value is not None and not math.isfinite(value):
            raise InputError(f"the result {name} is not a finite number ({value}); check the inputs' sizes")
    return footprint


def embodied_co2e_kg(
    per_device_kgco2e: float,
    device_hours: float,
    lifetime_years: float = BLOOM_LIFETIME_YEARS,
    lifetime_utilization: float = BLOOM_LIFETIME_UTILIZATION,
) -> float:
    """Embodied emissions [kgCO2e] attributed to ``device_hours`` of use.

    Notes
    -----
    ``embodied = per_device_kgco2e x device_hours / (lifetime_years x 8760 x lifetime_utilization)``

    References
    ----------
    Luccioni, Viguier, Ligozat (2022), Section 4.1.
    """
    lifetime_h = lifetime_years * units.HOURS_PER_YEAR * lifetime_utilization
    return per_device_kgco2e * device_hours / lifetime_h


def embodied_parts(embodied: Embodied, device_count: float, device_hours: float) -> tuple[EmbodiedPart, ...]:
    """The embodied emissions of the devices and of their host's share [kgCO2e].

    Notes
    -----
    devices: ``per_device_kgco2e x device_hours / (lifetime_years x 8760 x utilization)``;
    host: ``per_host_kgco2e x (device_hours / devices_per_host) / (host lifetime_years x 8760 x
    utilization)``, i.e. the job carries ``count / devices_per_host`` hosts for its duration.

    References
    ----------
    Luccioni, Viguier, Ligozat (2022), Section 4.1 (servers and GPUs amortised separately).
    """
    device_kg = embodied_co2e_kg(
        embodied.per_device_kgco2e, device_hours, embodied.lifetime_years, embodied.lifetime_utilization
    )
    if embodied.per_device_kgco2e_high is not None:
        device_high: float | None = embodied_co2e_kg(
            embodied.per_device_kgco2e_high,
            device_hours,
            embodied.lifetime_years,
            embodied.lifetime_utilization,
        )
    else:
        device_high = None if embodied.lower_bound else device_kg
    parts = [
        EmbodiedPart(
            part="devices",
            name=embodied.name,
            basis=embodied.basis,
            per_unit_kgco2e=embodied.per_device_kgco2e,
            units=device_count,
            lifetime_years=embodied.lifetime_years,
            lifetime_utilization=embodied.lifetime_utilization,
            co2e_kg=device_kg,
            co2e_kg_high=device_high,
            high_basis=embodied.high_basis,
            source=embodied.source,
            high_source=embodied.high_source,
        )
    ]
    host = embodied.host
    if host is not None:
        host_kg = embodied_co2e_kg(
            host.per_host_kgco2e,
            device_hours / host.devices_per_host,
            host.lifetime_years,
            host.lifetime_utilization,
        )
        parts.append(
            EmbodiedPart(
                part="host",
                name=host.name,
                basis=host.basis,
                per_unit_kgco2e=host.per_host_kgco2e,
                units=device_count / host.devices_per_host,
                lifetime_years=host.lifetime_years,
                lifetime_utilization=host.lifetime_utilization,
                co2e_kg=host_kg,
                co2e_kg_high=host_kg,
                source=host.source,
            )
        )
    return tuple(parts)


def _embodied_summary(parts: Sequence[EmbodiedPart]) -> tuple[float, float, float | None, str]:
    """(central, low, high or None, basis in words) of some embodied parts [kgCO2e]."""
    central = sum(p.co2e_kg for p in parts)
    highs = [p.co2e_kg_high for p in parts]
    high = None if any(h is None for h in highs) else sum(h or 0.0 for h in highs)
    words: list[str] = []
    for p in parts:
        said = p.basis if p.part == "devices" else f"host: {p.basis}"
        if said not in words:
            words.append(said)
    return central, central, high, "; ".join(words)


def software_carbon_intensity(
    energy_kwh: float, intensity_g_per_kwh: float, embodied_kg: float, functional_units: float
) -> float:
    """SCI [kgCO2e per functional unit] = (E x I + M) / R.

    References
    ----------
    Green Software Foundation (2024), SCI Specification (ISO/IEC 21031:2024).
    """
    _check_finite("functional units", functional_units, 0.0, strict=True)
    operational_kg = energy_kwh * intensity_g_per_kwh / units.G_PER_KG
    return (operational_kg + embodied_kg) / functional_units


def _device_power(job: Job, utilization: float) -> float:
    """Average draw of one device [W] at ``utilization``."""
    if job.measured_power_w is not None:
        return job.measured_power_w
    assert job.device_power_w is not None
    return job.device_power_w * utilization


def estimate(job: Job) -> Footprint:
    """Footprint of one job segment; see the module notes for the equations."""
    validate_job(job)
    duration_h, device_hours = _durations(job)
    pue = 1.0 if job.pue_included else job.pue

    def draw(utilization: float, measured_factor: float = 1.0) -> tuple[float, float]:
        """(accelerator power, whole-job power) [W]."""
        if job.total_power_w is not None:
            total = job.total_power_w * measured_factor
            return total, total
        per_device = _device_power(job, utilization) * measured_factor
        accelerators = per_device * job.device_count
        return accelerators, accelerators + job.cpu_power_w + job.memory_power_w

    accelerators_w, power_w = draw(job.utilization)
    it_energy_kwh = units.watt_hours_to_kwh(power_w, duration_h)
    energy_kwh = it_energy_kwh * pue
    co2e_kg = energy_kwh * job.intensity_g_per_kwh / units.G_PER_KG
    market_co2e_kg = (
        energy_kwh * job.net_intensity_g_per_kwh / units.G_PER_KG
        if job.net_intensity_g_per_kwh is not None
        else None
    )
    parts = embodied_parts(job.embodied, job.device_count, device_hours) if job.embodied is not None else ()
    embodied_kg, embodied_low, embodied_high, embodied_basis = _embodied_summary(parts)

    # Range: power basis, PUE and intensity each at their low and high ends.
    if job.total_power_w is not None or job.measured_power_w is not None:
        low_factor, high_factor = MEASURED_POWER_RANGE_FACTORS
        power_low = draw(job.utilization, low_factor)[1]
        power_high = draw(job.utilization, high_factor)[1]
    else:
        util_low, util_high = job.utilization_range or (
            job.utilization * TDP_POWER_RANGE_FACTORS[0],
            job.utilization * TDP_POWER_RANGE_FACTORS[1],
        )
        power_low = draw(util_low)[1]
        power_high = draw(util_high)[1]
    pue_low, pue_high = (1.0, 1.0) if job.pue_included else (job.pue_range or (pue, pue))
    intensity_low, intensity_high = job.intensity_range or (
        job.intensity_g_per_kwh,
        job.intensity_g_per_kwh,
    )
    energy_low = units.watt_hours_to_kwh(min(power_low, power_w), duration_h) * min(pue_low, pue)
    energy_high = units.watt_hours_to_kwh(max(power_high, power_w), duration_h) * max(pue_high, pue)
    bounds = Range(
        energy_kwh_low=energy_low,
        energy_kwh_high=energy_high,
        co2e_kg_low=energy_low * min(intensity_low, job.intensity_g_per_kwh) / units.G_PER_KG,
        co2e_kg_high=energy_high * max(intensity_high, job.intensity_g_per_kwh) / units.G_PER_KG,
    )
    if job.total_power_w is not None:
        accelerators_kwh, cpu_kwh, memory_kwh = it_energy_kwh, 0.0, 0.0
    else:
        accelerators_kwh = units.watt_hours_to_kwh(accelerators_w, duration_h)
        cpu_kwh = units.watt_hours_to_kwh(job.cpu_power_w, duration_h)
        memory_kwh = units.watt_hours_to_kwh(job.memory_power_w, duration_h)
    breakdown = Breakdown(
        accelerators_kwh=accelerators_kwh,
        cpu_kwh=cpu_kwh,
        memory_kwh=memory_kwh,
        pue_overhead_kwh=energy_kwh - it_energy_kwh,
        embodied_co2e_kg=embodied_kg,
    )
    footprint = Footprint(
        device_hours=device_hours,
        duration_h=duration_h,
        power_w=power_w,
        it_energy_kwh=it_energy_kwh,
        energy_kwh=energy_kwh,
        pue=pue,
        intensity_g_per_kwh=job.intensity_g_per_kwh,
        co2e_kg=co2e_kg,
        market_co2e_kg=market_co2e_kg,
        embodied_co2e_kg=embodied_kg,
        total_co2e_kg=co2e_kg + embodied_kg,
        range=bounds,
        breakdown=breakdown,
        assumptions=job.assumptions,
        embodied_low_kg=embodied_low,
        embodied_high_kg=embodied_high,
        embodied_basis=embodied_basis,
        embodied_parts=parts,
    )
    return check_result(footprint)


def estimate_segments(jobs: Sequence[Job]) -> Footprint:
    """Footprint of a run over several segments (hardware or regions), summed segment by segment.

    ``intensity_g_per_kwh`` and ``pue`` of the result are energy-weighted means; ``duration_h`` is
    the sum of the segments' durations (segments run one after another).
    """
    if not jobs:
        raise InputError("a multi-segment job needs at least one segment")
    parts = tuple(estimate(job) for job in jobs)
    energy = sum(p.energy_kwh for p in parts)
    it_energy = sum(p.it_energy_kwh for p in parts)
    co2e = sum(p.co2e_kg for p in parts)
    markets = [p.market_co2e_kg for p in parts]
    duration = sum(p.duration_h for p in parts)
    assumptions: list[Assumption] = []
    for part in parts:
        assumptions.extend(a for a in part.assumptions if a not in assumptions)
    all_embodied = tuple(e for p in parts for e in p.embodied_parts)
    _, embodied_low, embodied_high, embodied_basis = _embodied_summary(all_embodied)
    return check_result(
        Footprint(
            device_hours=sum(p.device_hours for p in parts),
            duration_h=duration,
            power_w=it_energy * units.WH_PER_KWH / duration if duration else 0.0,
            it_energy_kwh=it_energy,
            energy_kwh=energy,
            pue=energy / it_energy if it_energy else parts[0].pue,
            intensity_g_per_kwh=co2e * units.G_PER_KG / energy if energy else parts[0].intensity_g_per_kwh,
            co2e_kg=co2e,
            market_co2e_kg=None if any(m is None for m in markets) else sum(m or 0.0 for m in markets),
            embodied_co2e_kg=sum(p.embodied_co2e_kg for p in parts),
            total_co2e_kg=sum(p.total_co2e_kg for p in parts),
            range=Range(
                energy_kwh_low=sum(p.range.energy_kwh_low for p in parts),
                energy_kwh_high=sum(p.range.energy_kwh_high for p in parts),
                co2e_kg_low=sum(p.range.co2e_kg_low for p in parts),
                co2e_kg_high=sum(p.range.co2e_kg_high for p in parts),
            ),
            breakdown=Breakdown(
                accelerators_kwh=sum(p.breakdown.accelerators_kwh for p in parts),
                cpu_kwh=sum(p.breakdown.cpu_kwh for p in parts),
                memory_kwh=sum(p.breakdown.memory_kwh for p in parts),
                pue_overhead_kwh=sum(p.breakdown.pue_overhead_kwh for p in parts),
                embodied_co2e_kg=sum(p.breakdown.embodied_co2e_kg for p in parts),
            ),
            assumptions=tuple(assumptions),
            segments=parts,
            embodied_low_kg=embodied_low,
            embodied_high_kg=embodied_high,
            embodied_basis=embodied_basis,
            embodied_parts=all_embodied,
        )
    )


def with_location(job: Job, intensity_g_per_kwh: float, pue: float | None = None) -> Job:
    """The same job in another place: new intensity (and PUE when given), no range on them."""
    return replace(
        job,
        intensity_g_per_kwh=intensity_g_per_kwh,
        intensity_range=None,
        net_intensity_g_per_kwh=None,
        pue=job.pue if pue is None else pue,
        pue_range=None if pue is not None else job.pue_range,
    )


def footprint_to_dict(footprint: Footprint) -> dict[str, object]:
    """The CLI JSON contract: the keys ARCHITECTURE.md lists, plus breakdown and assumptions."""
    return {
        "energy_kwh": footprint.energy_kwh,
        "it_energy_kwh": footprint.it_energy_kwh,
        "co2e_kg": footprint.co2e_kg,
        "market_co2e_kg": footprint.market_co2e_kg,
        "embodied_co2e_kg": footprint.embodied_co2e_kg,
        "total_co2e_kg": footprint.total_co2e_kg,
        "intensity_g_per_kwh": footprint.intensity_g_per_kwh,
        "pue": footprint.pue,
        "device_hours": footprint.device_hours,
        "duration_h": footprint.duration_h,
        "power_w": footprint.power_w,
        "range": {
            "energy_kwh": {
                "low": footprint.range.energy_kwh_low,
                "high": footprint.range.energy_kwh_high,
            },
            "co2e_kg": {"low": footprint.range.co2e_kg_low, "high": footprint.range.co2e_kg_high},
        },
        "breakdown": {
            "accelerators_kwh": footprint.breakdown.accelerators_kwh,
            "cpu_kwh": footprint.breakdown.cpu_kwh,
            "memory_kwh": footprint.breakdown.memory_kwh,
            "pue_overhead_kwh": footprint.breakdown.pue_overhead_kwh,
            "embodied_co2e_kg": footprint.breakdown.embodied_co2e_kg,
        },
        "embodied_basis": footprint.embodied_basis or None,
        "embodied": embodied_to_dict(footprint),
        "assumptions": [
            {"name": a.name, "value": a.value, "unit": a.unit, "source": a.source, "year": a.year}
            for a in footprint.assumptions
        ],
    }


def embodied_to_dict(footprint: Footprint) -> dict[str, object] | None:
    """``embodied`` of the JSON: low/high [kgCO2e], basis in words, and each part's inputs."""
    if not footprint.embodied_parts:
        return None
    return {
        "low": footprint.embodied_low_kg,
        "high": footprint.embodied_high_kg,
        "basis": footprint.embodied_basis,
        "parts": [
            {
                "part": p.part,
                "name": p.name,
                "basis": p.basis,
                "kgco2e_per_unit": p.per_unit_kgco2e,
                "units": p.units,
                "lifetime_years": p.lifetime_years,
                "lifetime_utilization": p.lifetime_utilization,
                "co2e_kg": p.co2e_kg,
                "co2e_kg_high": p.co2e_kg_high,
                "high_basis": p.high_basis,
                "source": p.source,
                "high_source": p.high_source or None,
            }
            for p in footprint.embodied_parts
        ],
    }
