"""The calculator's inputs as plain values: defaults, query-string round trip, JobSpec building.

Nothing here imports Streamlit, so the query-string and scenario logic is tested directly.
Widget keys are ``calc_<name>``; the query string uses ``<name>``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.engine.flops import DEFAULT_MFU, PRECISIONS

KEY_PREFIX = "calc_"
SAVED_KEY = "calc_saved_inputs"
"""Session key (not a widget) holding the last inputs, so they survive page switches."""


@dataclass(frozen=True)
class InputField:
    """One calculator input: its default and what values are valid."""

    default: Any
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


FIELDS: dict[str, InputField] = {
    "hw_mode": InputField("database", ("database", "custom")),
    "hardware": InputField("nvidia-h100-sxm5-80gb"),
    "custom_w": InputField(300.0, minimum=0.0, maximum=1e9),
    "count": InputField(8, minimum=1, maximum=1_000_000),
    "duration": InputField("hours", ("hours", "device_hours", "flops")),
    "hours": InputField(24.0, minimum=0.0, maximum=1e7),
    "device_hours": InputField(192.0, minimum=0.0, maximum=1e9),
    "flops_input": InputField("params_tokens", ("params_tokens", "total")),
    "total_flops": InputField(1e21, minimum=0.0, maximum=1e30),
    "params_b": InputField(7.0, minimum=0.0, maximum=1e5),
    "tokens_b": InputField(140.0, minimum=0.0, maximum=1e7),
    "task": InputField("training", ("training", "inference")),
    "precision": InputField("bf16", PRECISIONS),
    "mfu": InputField(DEFAULT_MFU, minimum=0.01, maximum=1.0),
    "power": InputField("tdp", ("tdp", "measured")),
    "utilization": InputField(1.0, minimum=0.05, maximum=1.0),
    "measured_w": InputField(500.0, minimum=0.0, maximum=1e9),
    "pue_mode": InputField("default", ("default", "custom", "included")),
    "pue": InputField(1.2, minimum=1.0, maximum=5.0),
    "location": InputField("cloud", ("cloud", "grid", "custom")),
    "region": InputField("aws:us-east-1"),
    "grid": InputField("country:FR"),
    "intensity": InputField(400.0, minimum=0.0, maximum=5000.0),
    "year": InputField("latest"),
    "cpu_w": InputField(0.0, minimum=0.0, maximum=1e9),
    "memory_w": InputField(0.0, minimum=0.0, maximum=1e9),
    "embodied": InputField("none", ("none", "database", "custom")),
    "embodied_kg": InputField(150.0, minimum=0.0, maximum=1e7),
    "serve": InputField(False),
    "requests_per_day": InputField(1_000_000.0, minimum=0.0, maximum=1e13),
    "serve_basis": InputField("measured", ("measured", "flops")),
    "wh_per_request": InputField(0.3, minimum=0.0, maximum=1e6),
    "serve_params_b": InputField(7.0, minimum=0.0, maximum=1e5),
    "serve_tokens": InputField(1000.0, minimum=0.0, maximum=1e7),
    "days": InputField(365.0, minimum=0.0, maximum=36_500.0),
}

DEFAULTS: dict[str, Any] = {name: field.default for name, field in FIELDS.items()}


def widget_key(name: str) -> str:
    """The Streamlit widget key of input ``name``."""
    return KEY_PREFIX + name


def parse_value(name: str, text: str) -> Any:
    """One query-string value as the input's type; raises ValueError when not valid."""
    field = FIELDS[name]
    default = field.default
    if len(text) > 200:
        raise ValueError("too long")
    if isinstance(default, bool):
        if text.lower() in ("1", "true", "yes"):
            return True
        if text.lower() in ("0", "false", "no"):
            return False
        raise ValueError("not true/false")
    if isinstance(default, int):
        value: Any = int(text)
    elif isinstance(default, float):
        value = float(text)
        if not math.isfinite(value):
            raise ValueError("not finite")
    else:
        value = text
        if field.choices is not None and value not in field.choices:
            raise ValueError(f"not one of {', '.join(field.choices)}")
        return value
    if field.minimum is not None and value < field.minimum:
        raise ValueError(f"below {field.minimum:g}")
    if field.maximum is not None and value > field.maximum:
        raise ValueError(f"above {field.maximum:g}")
    return value


def parse_params(params: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Valid inputs found in ``params`` (query string or scenario ``inputs``) and the problems.

    Unknown names are ignored; a value of the wrong kind is dropped and reported.
    """
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, raw in params.items():
        if name not in FIELDS:
            continue
        if isinstance(raw, list):
            raw = raw[-1] if raw else ""
        text = format_value(raw) if not isinstance(raw, str) else raw
        try:
            values[name] = parse_value(name, text)
        except (ValueError, TypeError) as error:
            problems.append(f"ignored {name}={str(raw)[:40]!r}: {error}")
    return values, problems


def format_value(value: Any) -> str:
    """An input value as query-string text that parses back to the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def active_names(values: Mapping[str, Any]) -> list[str]:
    """The inputs that the current modes use, in FIELDS order (what the URL carries)."""
    v = {**DEFAULTS, **values}
    used = {"hw_mode", "count", "duration", "pue_mode", "location", "cpu_w", "memory_w", "serve"}
    used.add("hardware" if v["hw_mode"] == "database" else "custom_w")
    if v["duration"] == "hours":
        used.add("hours")
    elif v["duration"] == "device_hours":
        used.add("device_hours")
    else:
        used |= {"flops_input", "precision", "mfu"}
        used |= {"total_flops"} if v["flops_input"] == "total" else {"params_b", "tokens_b", "task"}
    if v["hw_mode"] == "database":
        used |= {"power", "embodied"}
        used.add("utilization" if v["power"] == "tdp" else "measured_w")
        if v["embodied"] == "custom":
            used.add("embodied_kg")
    if v["pue_mode"] == "custom":
        used.add("pue")
    if v["location"] == "cloud":
        used |= {"region", "year"}
    elif v["location"] == "grid":
        used |= {"grid", "year"}
    else:
        used.add("intensity")
    if v["serve"]:
        used |= {"requests_per_day", "serve_basis", "days"}
        if v["serve_basis"] == "measured":
            used.add("wh_per_request")
        else:
            used |= {"serve_params_b", "serve_tokens", "precision", "mfu"}
    return [name for name in FIELDS if name in used]


def to_params(values: Mapping[str, Any]) -> dict[str, str]:
    """The query string for ``values``: every input the current modes use."""
    merged = {**DEFAULTS, **values}
    return {name: format_value(merged[name]) for name in active_names(merged)}


@dataclass(frozen=True)
class Built:
    """What the calculator's inputs mean: the job, how its duration was derived, the serving part."""

    spec: Any  # JobSpec
    flops_note: str | None
    flops_assumptions: tuple[Any, ...]
    serving: Any | None  # Serving
    serving_source: str


def build(values: Mapping[str, Any], databases: Any) -> Built:
    """The JobSpec (and serving lifetime) the inputs describe; raises InputError when they can't.

    ``databases`` is an :class:`app.db.loader.Databases`.
    """
    from app.engine.flops import (
        Serving,
        device_hours_from_flops,
        model_flops,
        peak_fact,
        wh_per_request,
    )
    from app.engine.footprint import Assumption
    from app.engine.jobspec import JobSpec
    from app.errors import InputError

    v = {**DEFAULTS, **values}
    device = databases.hardware.get(v["hardware"]) if v["hw_mode"] == "database" else None
    flops_note: str | None = None
    flops_assumptions: list[Assumption] = []

    def peak() -> float:
        if device is None:
            raise InputError("FLOPs need a device from the database (its peak TFLOP/s); pick one")
        fact = peak_fact(device, v["precision"])
        source = databases.hardware.sources.get(fact.source)
        flops_assumptions.append(
            Assumption(
                f"{device.name} dense {v['precision']} peak",
                fact.value,
                "TFLOP/s",
                f"{source.publisher}, {source.title}" if source else fact.source,
                fact.year,
            )
        )
        flops_assumptions.append(
            Assumption(
                "model-FLOPs utilisation (MFU)",
                v["mfu"],
                "-",
                "given (Narayanan et al. 2021; Chowdhery et al. 2022)",
                None,
            )
        )
        return float(fact.value)

    hours: float | None = None
    device_hours: float | None = None
    if v["duration"] == "hours":
        hours = float(v["hours"])
    elif v["duration"] == "device_hours":
        device_hours = float(v["device_hours"])
    else:
        if v["flops_input"] == "total":
            total = float(v["total_flops"])
            how = f"{total:.3g} FLOPs given"
        else:
            total = model_flops(v["params_b"] * 1e9, v["tokens_b"] * 1e9, v["task"])
            factor = 6 if v["task"] == "training" else 2
            how = (
                f"{factor} × {v['params_b']:g} B parameters × {v['tokens_b']:g} B tokens = {total:.3g} FLOPs "
                f"({'Kaplan et al. 2020' if factor == 6 else 'forward pass, 2ND'})"
            )
            flops_assumptions.append(
                Assumption(
                    f"FLOPs per parameter-token ({v['task']})", factor, "-", "Kaplan et al. 2020", 2020
                )
            )
        peak_tflops = peak()
        device_hours = device_hours_from_flops(total, peak_tflops, v["mfu"])
        flops_note = (
            f"{how} ÷ ({peak_tflops:,.1f} TFLOP/s × {v['mfu']:.0%} MFU) = {device_hours:,.1f} device-hours"
        )

    power_w = None
    utilization = None
    if device is None:
        power_w = float(v["custom_w"])
    elif v["power"] == "measured":
        power_w = float(v["measured_w"])
    else:
        utilization = float(v["utilization"])

    region = None
    intensity = None
    if v["location"] == "cloud":
        region = v["region"]
    elif v["location"] == "grid":
        region = v["grid"]
    else:
        intensity = float(v["intensity"])
    year = int(v["year"]) if region is not None and v["year"] != "latest" else None

    spec = JobSpec(
        hardware=device.id if device is not None else None,
        count=float(v["count"]),
        hours=hours,
        device_hours=device_hours,
        power_w=power_w,
        utilization=utilization,
        pue=float(v["pue"]) if v["pue_mode"] == "custom" else None,
        pue_included=v["pue_mode"] == "included",
        region=region,
        year=year,
        intensity_g_per_kwh=intensity,
        cpu_power_w=float(v["cpu_w"]),
        memory_power_w=float(v["memory_w"]),
        embodied=device is not None and v["embodied"] == "database",
        embodied_kgco2e=float(v["embodied_kg"]) if device is not None and v["embodied"] == "custom" else None,
    )

    serving = None
    serving_source = ""
    if v["serve"]:
        if v["serve_basis"] == "measured":
            wh = float(v["wh_per_request"])
            serving_source = "given (measured)"
        else:
            per_device_w = power_w if power_w is not None else device.tdp_w.value * (utilization or 1.0)  # type: ignore[union-attr]
            peak_tflops = peak()
            wh = wh_per_request(
                v["serve_params_b"] * 1e9, v["serve_tokens"], peak_tflops, v["mfu"], per_device_w
            )
            serving_source = (
                f"2 × {v['serve_params_b']:g} B parameters × {v['serve_tokens']:,.0f} tokens "
                f"at {peak_tflops:,.1f} TFLOP/s × {v['mfu']:.0%} MFU, {per_device_w:,.0f} W"
            )
        serving = Serving(float(v["requests_per_day"]), wh, float(v["days"]))
    return Built(spec, flops_note, tuple(flops_assumptions), serving, serving_source)


def inputs_from_spec(spec: Any, databases: Any) -> dict[str, Any]:
    """Calculator inputs that describe ``spec`` (a JobSpec), for scenario files without inputs."""
    from app.errors import InputError

    if spec.total_power_w is not None:
        raise InputError("the calculator takes per-device power; this scenario gives a whole-machine power")
    values: dict[str, Any] = {"count": max(1, round(spec.count))}
    if spec.hardware:
        values.update(hw_mode="database", hardware=databases.hardware.get(spec.hardware).id)
        if spec.power_w is not None:
            values.update(power="measured", measured_w=float(spec.power_w))
        else:
            values.update(power="tdp", utilization=float(spec.utilization or 1.0))
    else:
        values.update(hw_mode="custom", custom_w=float(spec.power_w or 0.0))
    if spec.hours is not None:
        values.update(duration="hours", hours=float(spec.hours))
    else:
        values.update(duration="device_hours", device_hours=float(spec.device_hours or 0.0))
    if spec.pue_included:
        values["pue_mode"] = "included"
    elif spec.pue is not None:
        values.update(pue_mode="custom", pue=float(spec.pue))
    else:
        values["pue_mode"] = "default"
    if spec.region:
        region = databases.regions.get(spec.region)
        if region.kind == "cloud":
            values.update(location="cloud", region=region.id)
        else:
            values.update(location="grid", grid=region.id)
        values["year"] = str(spec.year) if spec.year is not None else "latest"
    else:
        values.update(location="custom", intensity=float(spec.intensity_g_per_kwh or 0.0))
    values.update(cpu_w=float(spec.cpu_power_w), memory_w=float(spec.memory_power_w))
    if spec.embodied:
        values["embodied"] = "database"
    elif spec.embodied_kgco2e is not None:
        values.update(embodied="custom", embodied_kg=float(spec.embodied_kgco2e))
    return {name: format_value(value) for name, value in values.items()}
