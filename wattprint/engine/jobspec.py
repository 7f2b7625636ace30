"""From what a user says (hardware id, region id, year, ...) to an engine :class:`Job`.

The CLI, the web app and the batch importer all describe a job with a :class:`JobSpec`; this
module checks that its options agree, looks ids up in the databases, and records every value
used as an :class:`~wattprint.engine.footprint.Assumption` with its source and year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from wattprint.db.loader import Databases, intensity_kind
from wattprint.db.schema import Device
from wattprint.engine.footprint import (
    BLOOM_LIFETIME_UTILIZATION,
    BLOOM_LIFETIME_YEARS,
    Assumption,
    Embodied,
    HostShare,
    Job,
)
from wattprint.errors import InputError

DEFAULT_PUE = 1.56
"""PUE used when neither the user nor the region gives one [-]: the industry average of the
Uptime Institute Global Data Center Survey 2024."""
DEFAULT_PUE_SOURCE = "Uptime Institute, Global Data Center Survey 2024 (average PUE 1.56)"
INTENSITY_RANGE_YEARS = 5
"""The intensity range spans the region's published values over this many years up to the one
used: year-to-year variation of the grid stands in for the uncertainty of a single year."""


@dataclass(frozen=True)
class JobSpec:
    """A job as a user states it; ``None`` means "not given"."""

    hardware: str | None = None
    count: float = 1.0
    hours: float | None = None
    device_hours: float | None = None
    power_w: float | None = None
    total_power_w: float | None = None
    utilization: float | None = None
    pue: float | None = None
    pue_included: bool = False
    region: str | None = None
    year: int | None = None
    intensity_g_per_kwh: float | None = None
    net_intensity_g_per_kwh: float | None = None
    cpu_power_w: float = 0.0
    memory_power_w: float = 0.0
    embodied: bool = False
    embodied_kgco2e: float | None = None
    host: str | None = None
    label: str = ""
    basis: str = "lifecycle"
    """The intensity basis of the region's figure: ``lifecycle`` (average, the default) or another
    of ``wattprint.db.schema.INTENSITY_BASES`` such as ``marginal``; never mixed."""


def _given(value: object) -> bool:
    """True for a value the user gave: not None, not NaN, not an empty string."""
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def check_conflicts(spec: JobSpec) -> None:
    """Raise :class:`InputError` for options that contradict each other."""
    if _given(spec.hours) and _given(spec.device_hours):
        raise InputError("give either --hours or --device-hours, not both")
    if not _given(spec.hours) and not _given(spec.device_hours):
        raise InputError("give a duration: --hours H (wall clock) or --device-hours DH")
    if _given(spec.pue) and spec.pue_included:
        raise InputError("give either --pue or --pue-included, not both")
    if _given(spec.region) and _given(spec.intensity_g_per_kwh):
        raise InputError("give either --region or --intensity, not both")
    if not _given(spec.region) and not _given(spec.intensity_g_per_kwh):
        raise InputError("give a location: --region ID (see `wattprint regions list`) or --intensity G")
    if _given(spec.total_power_w) and (_given(spec.power_w) or _given(spec.hardware)):
        raise InputError(
            "--total-power-w is the whole machine; do not combine it with --hardware or --power-w"
        )
    if _given(spec.total_power_w) and _given(spec.device_hours):
        raise InputError("--total-power-w needs wall-clock --hours, not --device-hours")
    if _given(spec.power_w) and _given(spec.utilization):
        raise InputError("--power-w is an average draw already; do not combine it with --utilization")
    if not (_given(spec.hardware) or _given(spec.power_w) or _given(spec.total_power_w)):
        raise InputError("give the power: --hardware ID, --power-w W (per device) or --total-power-w W")
    if spec.embodied and _given(spec.embodied_kgco2e):
        raise InputError("give either --embodied (database figure) or --embodied-kg, not both")
    if _given(spec.host) and not (spec.embodied or _given(spec.embodied_kgco2e)):
        raise InputError("--host adds the host's embodied share; give --embodied (or --embodied-kg) too")
    if spec.year is not None and not _given(spec.region):
        raise InputError("--year chooses a region's intensity; give --region too")


def needs_databases(spec: JobSpec) -> bool:
    """True when ``spec`` names a hardware or region id, so the databases must be loaded."""
    return _given(spec.hardware) or _given(spec.region) or _given(spec.host)


def resolve(spec: JobSpec, databases: Databases | None) -> Job:
    """The engine job for ``spec``, with every value's provenance as assumptions.

    ``databases`` may be None when the spec names no hardware or region id.
    """
    check_conflicts(spec)
    if databases is None:
        if needs_databases(spec):
            raise InputError("this job names a hardware or region id but no database was loaded")
        return _resolve(spec, None)
    return _resolve(spec, databases)


def _resolve(spec: JobSpec, databases: Databases | None) -> Job:
    assumptions: list[Assumption] = []
    device_power_w: float | None = None
    measured_power_w: float | None = None
    embodied: Embodied | None = None
    device = databases.hardware.get(spec.hardware) if databases and spec.hardware else None
    if device is not None:
        assert databases is not None
        source = databases.hardware.sources.get(device.tdp_w.source)
        cited = source.publisher + ", " + source.title if source else device.tdp_w.source
        label = f"{device.name} TDP"
        if device.tdp_w.basis in ("estimate", "model"):
            label = f"{device.name} estimated power"
            cited = f"estimated power ({device.tdp_w.basis}: {device.tdp_w.method}); {cited}"
            if device.tdp_w.inputs:
                cited = (
                    f"estimated power ({device.tdp_w.basis}: {device.tdp_w.method}); inputs: "
                    + "; ".join(
                        f"{key} {i.value:g} {i.unit} ({_cited(databases, i.source)})"
                        for key, i in device.tdp_w.inputs.items()
                    )
                )
        elif device.tdp_w.basis == "measured":
            label = f"{device.name} measured power"
            cited = f"measured power ({device.tdp_w.method}); {cited}"
        assumptions.append(Assumption(label, device.tdp_w.value, "W", cited, device.tdp_w.year))
    if _given(spec.power_w):
        measured_power_w = spec.power_w
        assumptions.append(Assumption("power per device", spec.power_w or 0.0, "W", "given", None))
    elif device is not None:
        device_power_w = device.tdp_w.value
    utilization = spec.utilization if _given(spec.utilization) else 1.0
    if device_power_w is not None:
        why = "given" if _given(spec.utilization) else "default: TDP as the draw (upper bound)"
        assumptions.append(Assumption("utilization of TDP", utilization or 0.0, "-", why, None))
    if _given(spec.total_power_w):
        assumptions.append(Assumption("whole-machine power", spec.total_power_w or 0.0, "W", "given", None))

    intensity_range: tuple[float, float] | None = None
    if _given(spec.region):
        assert spec.region is not None and databases is not None
        region = databases.regions.get(spec.region)
        resolved = databases.regions.intensity(region.id, spec.year, spec.basis)
        intensity = resolved.value
        src = databases.regions.sources.get(resolved.source)
        via = "" if resolved.region_id == region.id else f" (grid {resolved.region_id})"
        kind = "" if spec.basis == "lifecycle" else f" ({intensity_kind(spec.basis, resolved.source)})"
        assumptions.append(
            Assumption(
                f"grid intensity of {region.id}{via}, {resolved.basis} basis{kind}",
                intensity,
                "gCO2e/kWh",
                f"{src.publisher}, {src.title}" if src else resolved.source,
                resolved.year,
            )
        )
        window = [
            fact.value
            for fact in databases.regions.intensity_series(region.id, spec.basis, resolved.source)
            if resolved.year - INTENSITY_RANGE_YEARS < fact.year <= resolved.year
        ]
        intensity_range = (min(window), max(window)) if window else None
    else:
        intensity = spec.intensity_g_per_kwh if spec.intensity_g_per_kwh is not None else 0.0
        assumptions.append(Assumption("grid intensity", intensity, "gCO2e/kWh", "given", None))
        region = None

    if spec.pue_included:
        pue = 1.0
        assumptions.append(Assumption("PUE", "included in the power figures", "-", "given", None))
    elif _given(spec.pue):
        pue = spec.pue or 1.0
        assumptions.append(Assumption("PUE", pue, "-", "given", None))
    else:
        resolved_pue = (
            databases.regions.pue(region.id, spec.year) if region is not None and databases else None
        )
        if resolved_pue is not None and databases is not None:
            pue = resolved_pue.value
            src = databases.regions.sources.get(resolved_pue.source)
            assumptions.append(
                Assumption(
                    f"PUE of {resolved_pue.region_id}",
                    pue,
                    "-",
                    f"{src.publisher}, {src.title}" if src else resolved_pue.source,
                    resolved_pue.year,
                )
            )
        else:
            pue = DEFAULT_PUE
            assumptions.append(Assumption("PUE (industry average)", pue, "-", DEFAULT_PUE_SOURCE, 2024))

    if spec.embodied:
        if device is None or device.embodied_kgco2e is None:
            name = device.id if device is not None else "custom hardware"
            raise InputError(f"no embodied figure for {name}; give --embodied-kg KG per device")
        assert databases is not None
        embodied = _database_embodied(device, databases, assumptions)
    elif _given(spec.embodied_kgco2e):
        embodied = Embodied(
            spec.embodied_kgco2e or 0.0, basis="given", name="devices (given)", source="given"
        )
        assumptions.append(
            Assumption("embodied per device", embodied.per_device_kgco2e, "kgCO2e", "given", None)
        )
    if embodied is not None:
        assumptions.append(
            Assumption(
                "embodied amortisation",
                f"{BLOOM_LIFETIME_YEARS:g} years at {BLOOM_LIFETIME_UTILIZATION:.0%} use",
                "-",
                "Luccioni et al. 2022 (BLOOM), Section 4.1",
                2022,
            )
        )
        if _given(spec.host):
            assert databases is not None and spec.host is not None
            embodied = replace(embodied, host=_host_share(spec.host, databases, assumptions))
    if spec.cpu_power_w:
        assumptions.append(Assumption("CPU power", spec.cpu_power_w, "W", "given", None))
    if spec.memory_power_w:
        assumptions.append(Assumption("memory power", spec.memory_power_w, "W", "given", None))
    if spec.net_intensity_g_per_kwh is not None:
        assumptions.append(
            Assumption(
                "net (market-based) intensity", spec.net_intensity_g_per_kwh, "gCO2e/kWh", "given", None
            )
        )

    return Job(
        intensity_g_per_kwh=intensity,
        duration_h=spec.hours if _given(spec.hours) else None,
        device_hours=spec.device_hours if _given(spec.device_hours) else None,
        device_count=spec.count,
        device_power_w=device_power_w,
        utilization=utilization if utilization is not None else 1.0,
        measured_power_w=measured_power_w,
        total_power_w=spec.total_power_w if _given(spec.total_power_w) else None,
        cpu_power_w=spec.cpu_power_w,
        memory_power_w=spec.memory_power_w,
        pue=pue,
        pue_included=spec.pue_included,
        net_intensity_g_per_kwh=spec.net_intensity_g_per_kwh,
        embodied=embodied,
        intensity_range=intensity_range,
        label=spec.label,
        assumptions=tuple(assumptions),
    )


def _cited(databases: Databases, key: str) -> str:
    src = databases.hardware.sources.get(key)
    return f"{src.publisher}, {src.title}" if src else key


def _short(databases: Databases, key: str, year: int) -> str:
    """A short citation: publisher and year (the assumptions carry the full title)."""
    src = databases.hardware.sources.get(key)
    return f"{src.publisher if src else key}, {year}"


def _database_embodied(device: Device, databases: Databases, assumptions: list[Assumption]) -> Embodied:
    """The device's embodied figure (central) and its published whole-product figure (high)."""
    fact = device.embodied_kgco2e
    assert fact is not None
    product = device.embodied_product_kgco2e
    cited = _cited(databases, fact.source)
    if fact.basis == "model":
        cited = f"modelled ({fact.scope or fact.method}); {cited}"
    assumptions.append(
        Assumption(f"embodied per device, {fact.basis_words}", fact.value, "kgCO2e", cited, fact.year)
    )
    high_source = ""
    if product is not None:
        high_source = f"{_cited(databases, product.source)} ({product.scope or product.method})"
        assumptions.append(
            Assumption(
                f"embodied per device, whole product ({product.basis_words})",
                product.value,
                "kgCO2e",
                high_source,
                product.year,
            )
        )
    return Embodied(
        fact.value,
        basis=fact.basis_words,
        lower_bound=fact.basis == "model",
        per_device_kgco2e_high=product.value if product is not None else None,
        high_basis=product.basis_words if product is not None else None,
        name=device.name,
        source=_short(databases, fact.source, fact.year),
        high_source=_short(databases, product.source, product.year) if product is not None else "",
    )


def _host_share(key: str, databases: Databases, assumptions: list[Assumption]) -> HostShare:
    """The host's manufacturing figure, amortised over the life its source assumes."""
    host = databases.hardware.host(key)
    fact = host.manufacturing_kgco2e
    cited = f"{_cited(databases, fact.source)} ({fact.scope or fact.method})"
    assumptions.append(
        Assumption(
            f"host {host.name}, {fact.basis_words}, per {host.devices_per_host} devices",
            fact.value,
            "kgCO2e",
            cited,
            fact.year,
        )
    )
    assumptions.append(
        Assumption(
            "host amortisation",
            f"{host.lifetime_years:g} years at {BLOOM_LIFETIME_UTILIZATION:.0%} use",
            "-",
            f"lifetime: {_cited(databases, host.lifetime_source)}; use share: Luccioni et al. 2022",
            fact.year,
        )
    )
    return HostShare(
        per_host_kgco2e=fact.value,
        devices_per_host=float(host.devices_per_host),
        lifetime_years=host.lifetime_years,
        basis=fact.basis_words,
        name=host.name,
        source=_short(databases, fact.source, fact.year),
    )


SPEC_FIELDS = tuple(f.name for f in fields(JobSpec))
