"""The calculator's inputs as plain values: defaults, query-string round trip, JobSpec building.

Nothing here imports Streamlit, so the query-string and scenario logic is tested directly.
Widget keys are ``calc_<name>``; the query string uses ``<name>``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wattprint.engine.flops import DEFAULT_MFU, PRECISIONS

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
    "host": InputField("none"),  # a host id of hardware_db/hosts*.yaml, or none (checked by check_ids)
    "serve": InputField(False),
    "requests_per_day": InputField(1_000_000.0, minimum=0.0, maximum=1e13),
    "serve_basis": InputField("measured", ("measured", "model")),
    "wh_per_request": InputField(0.3, minimum=0.0, maximum=1e6),
    "serve_params_b": InputField(7.0, minimum=0.0, maximum=1e5),
    "serve_tokens": InputField(1000.0, minimum=0.0, maximum=1e7),
    "serve_input_tokens": InputField(100.0, minimum=0.0, maximum=1e7),
    "serve_batch": InputField(1.0, minimum=1.0, maximum=1e6),
    "days": InputField(365.0, minimum=0.0, maximum=36_500.0),
    # further segments, "hardware,count,hours,region;..." (wattprint.engine.segments)
    "segments": InputField(""),
}

DEFAULTS: dict[str, Any] = {name: field.default for name, field in FIELDS.items()}


def widget_key(name: str) -> str:
    """The Streamlit widget key of input ``name``."""
    return KEY_PREFIX + name


def parse_value(name: str, text: str) -> Any:
    """One query-string value as the input's type; raises ValueError when not valid."""
    return parse_field(FIELDS[name], text)


def parse_field(field: InputField, text: str) -> Any:
    """``text`` as a value of ``field``; raises ValueError when not valid."""
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
        try:
            value: Any = int(text)
        except ValueError:
            raise ValueError("not a whole number") from None
    elif isinstance(default, float):
        try:
            value = float(text)
        except ValueError:
            raise ValueError("not a number") from None
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
    if v["segments"]:
        used.add("segments")
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
        if v["embodied"] != "none":
            used.add("host")
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
            used |= {"serve_params_b", "serve_tokens", "serve_input_tokens", "serve_batch", "precision"}
    return [name for name in FIELDS if name in used]


def params_key(values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The job's query string as a hashable key (for caches)."""
    return tuple(to_params(values).items())


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

    ``databases`` is an :class:`wattprint.db.loader.Databases`.
    """
    from wattprint.engine.flops import (
        Serving,
        duration_from_flops,
        peak_source,
    )
    from wattprint.engine.footprint import Assumption
    from wattprint.engine.jobspec import JobSpec
    from wattprint.errors import InputError

    v = {**DEFAULTS, **values}
    device = databases.hardware.get(v["hardware"]) if v["hw_mode"] == "database" else None
    flops_note: str | None = None
    flops_assumptions: list[Assumption] = []

    hours: float | None = None
    device_hours: float | None = None
    if v["duration"] == "hours":
        hours = float(v["hours"])
    elif v["duration"] == "device_hours":
        device_hours = float(v["device_hours"])
    else:
        if device is None:
            raise InputError("FLOPs need a device from the database (its peak TFLOP/s); pick one")
        by_total = v["flops_input"] == "total"
        derived = duration_from_flops(
            device,
            v["precision"],
            v["mfu"],
            peak_source(databases.hardware.sources, device, v["precision"]),
            total_flops=float(v["total_flops"]) if by_total else None,
            parameters=None if by_total else v["params_b"] * 1e9,
            tokens=None if by_total else v["tokens_b"] * 1e9,
            task=v["task"],
        )
        device_hours = derived.device_hours
        flops_note = derived.note
        flops_assumptions.extend(derived.assumptions)

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
        host=v["host"] if device is not None and v["embodied"] != "none" and v["host"] != "none" else None,
    )

    serving = None
    serving_source = ""
    if v["serve"]:
        if v["serve_basis"] == "measured":
            wh = float(v["wh_per_request"])
            serving_source = "given (measured)"
        else:
            if device is None:
                raise InputError("the serving model needs a device from the database (its bandwidth)")
            from wattprint.engine.inference import serving_per_request

            per_request = serving_per_request(
                device,
                databases.hardware.sources,
                parameters=v["serve_params_b"] * 1e9,
                batch_size=float(v["serve_batch"]),
                input_tokens=float(v["serve_input_tokens"]),
                output_tokens=float(v["serve_tokens"]),
                precision=v["precision"],
                power_w=power_w,
            )
            wh, serving_source = per_request.wh_per_request, per_request.description
        serving = Serving(float(v["requests_per_day"]), wh, float(v["days"]))
    return Built(spec, flops_note, tuple(flops_assumptions), serving, serving_source)


@dataclass(frozen=True)
class JobResult:
    """Everything the pages show of one job: its footprint, the greener region, the serving part."""

    built: Built
    footprint: Any  # Footprint
    region: Any | None  # Region of the job, None for a custom intensity
    ranked: Any  # DataFrame: the job in every comparable region
    scope: str  # what "comparable" meant, in words
    greener: Any | None  # Greener: same provider's cleanest cloud region, else any provider's
    serving: Any | None  # Footprint of the serving lifetime
    greener_same_provider: Any | None = None  # Greener, or None without a provider
    greener_any_provider: Any | None = None  # Greener among every cloud region
    segments: tuple[Any, ...] = ()  # JobSpec of each further segment (the job's own is built.spec)


def compute(values: Mapping[str, Any], databases: Any, frame_for_year: Any = None) -> JobResult:
    """The footprint of the job ``values`` describe and its greener alternative; raises InputError.

    ``frame_for_year(year)`` gives the region table of a year (default: built from the databases).
    """
    from wattprint.db.tables import region_frame
    from wattprint.engine.flops import serving_job
    from wattprint.engine.footprint import estimate
    from wattprint.engine.jobspec import DEFAULT_PUE, resolve
    from wattprint.engine.segments import estimate_job, parse_segments, segment_specs
    from wattprint.engine.whatif import compare_regions, greener_alternatives

    built = build(values, databases)
    job = resolve(built.spec, databases)
    further = segment_specs(built.spec, parse_segments(str(values.get("segments", ""))), databases)
    footprint = estimate_job(built.spec, further, databases) if further else estimate(job)
    current = databases.regions.get(built.spec.region) if built.spec.region else None
    if frame_for_year is None:
        frame = region_frame(databases.regions, built.spec.year)
    else:
        frame = frame_for_year(built.spec.year)
    if current is not None and current.kind == "cloud":
        comparable = frame[frame["provider"] == current.provider]
        scope = f"{current.provider.upper() if current.provider else 'cloud'} regions"
    elif current is not None:
        comparable = frame[frame["kind"] == current.kind]
        scope = f"{current.kind} entries"
    else:
        comparable = frame[frame["kind"] == "country"]
        scope = "countries"
    fixed_pue = 1.0 if built.spec.pue_included else built.spec.pue
    ranked = compare_regions(footprint, comparable, fixed_pue, DEFAULT_PUE)
    same_provider, any_provider = greener_alternatives(
        footprint,
        frame,
        current.id if current else None,
        current.provider if current else None,
        fixed_pue,
        DEFAULT_PUE,
    )
    greener = same_provider if current is not None and current.provider else any_provider
    serving = (
        estimate(serving_job(job, built.serving, built.serving_source)) if built.serving is not None else None
    )
    return JobResult(
        built, footprint, current, ranked, scope, greener, serving, same_provider, any_provider, further
    )


def inputs_from_spec(spec: Any, databases: Any) -> dict[str, Any]:
    """Calculator inputs that describe ``spec`` (a JobSpec), for scenario files without inputs."""
    from wattprint.errors import InputError

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
    if spec.host and "embodied" in values:
        values["host"] = databases.hardware.host(spec.host).id
    return {name: format_value(value) for name, value in values.items()}


# --------------------------------------------------------------------------------------------
# One job for every page, and each page's own options, in the session and in the query string.
#
# The job is ``session[SAVED_KEY]`` (every FIELDS value); a page's options are
# ``session[options.store]``. A link's values are applied when its query string differs from the
# one the app last wrote, so the app's own URL updates never undo a widget change.

JOB_URL_KEY = "job_url_params"
PENDING_KEY = "calc_pending_inputs"
"""Session key: inputs another page (Measure, a scenario file) hands to the job on the next run."""


@dataclass(frozen=True)
class PageOptions:
    """A page's own inputs (filters, weights, format): URL name -> field; widget key ``<page>_<name>``.

    A field whose default is a tuple holds several values, written comma-separated in the URL.
    """

    page: str
    fields: dict[str, InputField]

    def key(self, name: str) -> str:
        return f"{self.page}_{name}"

    @property
    def store(self) -> str:
        return f"{self.page}_saved_options"

    @property
    def url_key(self) -> str:
        return f"{self.page}_url_params"


DATE_RANGE = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))
"""The dates a date option accepts (those its date widget offers)."""


@dataclass(frozen=True)
class KeyedOptions(PageOptions):
    """Page options whose URL names are their widget keys (``ts_region``), for a page whose own
    options would otherwise share a name with the job's (``region``, ``hours``, ``year``)."""

    def key(self, name: str) -> str:
        return name


def parse_option(field: InputField, text: str) -> Any:
    """One option from its URL text; raises ValueError when not valid.

    A field whose default is a date takes an ISO date (``2026-06-17``) within :data:`DATE_RANGE`.
    """
    if isinstance(field.default, dt.date):
        if len(text) > 10:
            raise ValueError("not a date (YYYY-MM-DD)")
        day = dt.date.fromisoformat(text)
        if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
            raise ValueError(f"not between {DATE_RANGE[0]} and {DATE_RANGE[1]}")
        return day
    if isinstance(field.default, tuple):
        items = [item for item in text.split(",") if item]
        if field.choices is not None:
            bad = [item for item in items if item not in field.choices]
            if bad:
                raise ValueError(f"{bad[0][:40]!r} is not one of {', '.join(field.choices)}")
        return items
    return parse_field(field, text)


def format_option(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return format_value(value)


def _last(raw: Any) -> str:
    if isinstance(raw, list):
        return str(raw[-1]) if raw else ""
    return str(raw)


def load(session: Any, query: Mapping[str, Any], options: PageOptions | None = None) -> list[str]:
    """Apply a link's job (and ``options``) to ``session``; returns what was ignored, and why.

    A link holds the whole job: inputs it leaves out take their defaults. Widget keys of the
    applied values are dropped so the widgets show them.
    """
    job: dict[str, Any] = session.setdefault(SAVED_KEY, dict(DEFAULTS))
    problems: list[str] = []
    job_query = {name: _last(raw) for name, raw in query.items() if name in FIELDS}
    if job_query and job_query != session.get(JOB_URL_KEY) and not _own(session, JOB_URL_KEY, job_query):
        values, problems = parse_params(job_query)
        job.clear()
        job.update(DEFAULTS)
        job.update(values)
        for name in FIELDS:
            session.pop(widget_key(name), None)
        session[JOB_URL_KEY] = job_query
    pending = session.pop(PENDING_KEY, None)
    if pending is not None:
        job.update(pending)
        for name in pending:
            session.pop(widget_key(name), None)
    if options is not None:
        saved: dict[str, Any] = session.setdefault(
            options.store,
            {
                name: list(f.default) if isinstance(f.default, tuple) else f.default
                for name, f in options.fields.items()
            },
        )
        option_query = {name: _last(raw) for name, raw in query.items() if name in options.fields}
        if (
            option_query
            and option_query != session.get(options.url_key)
            and not _own(session, options.url_key, option_query)
        ):
            for name, text in option_query.items():
                try:
                    saved[name] = parse_option(options.fields[name], text)
                except (ValueError, TypeError) as error:
                    problems.append(f"ignored {name}={text[:40]!r}: {error}")
                session.pop(options.key(name), None)
            session[options.url_key] = option_query
    return problems


def canonical_ids(job: dict[str, Any], databases: Any) -> None:
    """Hardware, region and grid written as any name the databases know (an alias, the name
    nvidia-smi reports: what ``wattprint hardware match`` accepts) become their ids."""
    from wattprint.errors import WattprintError

    for name, lookup in (
        ("hardware", databases.hardware.get),
        ("region", databases.regions.get),
        ("grid", databases.regions.get),
        ("host", databases.hardware.host),
    ):
        value = job.get(name)
        if isinstance(value, str) and value.strip():
            with contextlib.suppress(WattprintError):  # else check_ids names it, falls back to the default
                job[name] = lookup(value).id


def check_ids(
    job: dict[str, Any],
    hardware_ids: Any,
    cloud_ids: Any,
    grid_ids: Any,
    without_figure: Mapping[str, str] | None = None,
    host_ids: Any = None,
    takes_from: Mapping[str, str] | None = None,
) -> list[str]:
    """Reset ids the databases do not know to the defaults; returns a message for each.

    ``host_ids`` (the hosts table's ids) checks the host too, when given; "none" is always valid.

    ``without_figure`` maps a region the databases know but that has no figure of the default
    basis to the reason, so the message says why it is not offered rather than "unknown".
    ``takes_from`` maps such a region to the offered country or grid whose figure it would take
    (a US state -> country:US): the job moves there, named, rather than to the default region.
    """
    from wattprint.db.schema import DEFAULT_BASIS

    problems = []
    for name, valid in (("hardware", hardware_ids), ("region", cloud_ids), ("grid", grid_ids)):
        value = job.get(name)
        if value not in valid:
            reason = (without_figure or {}).get(str(value)) if name != "hardware" else None
            shown = f"{name} {str(value)[:60]!r}"
            what = f"{shown} has no {DEFAULT_BASIS} figure ({reason})" if reason else f"unknown {shown}"
            owner = (takes_from or {}).get(str(value)) if reason else None
            if owner is not None and owner in grid_ids:
                problems.append(f"{what}; using {owner}, whose {DEFAULT_BASIS} figure it would take")
                if name == "region":
                    job["region"] = DEFAULTS["region"]
                job["location"], job["grid"] = "grid", owner
                continue
            problems.append(f"{what}; using {DEFAULTS[name]}")
            job[name] = DEFAULTS[name]
    host = job.get("host", DEFAULTS["host"])
    if host_ids is not None and host != DEFAULTS["host"] and host not in host_ids:
        problems.append(f"unknown host {str(host)[:60]!r}; using none (the devices only)")
        job["host"] = DEFAULTS["host"]
    return problems


def bind_widgets(session: Any, options: PageOptions | None = None, job_widgets: bool = True) -> None:
    """Give every job widget (``calc_<name>``) and option widget its saved value before it is drawn.

    Values are set even where the key exists: a widget of the same key on another page is another
    widget, and Streamlit would otherwise draw it with its own default.
    """
    collect(session, options)
    job = session[SAVED_KEY]
    for name in FIELDS if job_widgets else ():
        session[widget_key(name)] = job.get(name, DEFAULTS[name])
    if options is not None:
        for name, value in session[options.store].items():
            session[options.key(name)] = value


def collect(session: Any, options: PageOptions | None = None) -> None:
    """Copy the widgets' values back into the saved job and options."""
    job = session[SAVED_KEY]
    for name in FIELDS:
        if widget_key(name) in session:
            job[name] = session[widget_key(name)]
    if options is not None:
        saved = session[options.store]
        for name in options.fields:
            if options.key(name) in session:
                saved[name] = session[options.key(name)]


def invalid(values: Mapping[str, Any]) -> dict[str, str]:
    """Inputs in use whose value is outside their valid range: name -> why, in words."""
    merged = {**DEFAULTS, **values}
    problems = {}
    for name in active_names(merged):
        field, value = FIELDS[name], merged[name]
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if not math.isfinite(value):
            problems[name] = f"{value} is not a number"
        elif field.minimum is not None and value < field.minimum:
            problems[name] = f"{value:g} is below the smallest valid value, {field.minimum:g}"
        elif field.maximum is not None and value > field.maximum:
            problems[name] = f"{value:g} is above the largest valid value, {field.maximum:g}"
    return problems


def page_params(session: Any, options: PageOptions | None = None) -> dict[str, str]:
    """The query string of a page: the job's inputs in use, then the page's options."""
    params = to_params(session[SAVED_KEY])
    if options is not None:
        params.update({name: format_option(v) for name, v in session[options.store].items()})
    return params


WRITTEN_KEPT = 16
"""How many of the app's own last query strings are remembered (per job and per page's options)."""


def _own(session: Any, url_key: str, query: Mapping[str, str]) -> bool:
    """True when ``query`` is one the app wrote itself a few runs ago: a rerun that the browser sent
    before the app's newer URL reached it (quick key presses on a slider), not a new link."""
    return dict(query) in session.get(url_key + "_written", [])


def _remember(session: Any, url_key: str, query: dict[str, str]) -> None:
    session[url_key] = query
    history = [item for item in session.get(url_key + "_written", []) if item != query]
    session[url_key + "_written"] = [*history, query][-WRITTEN_KEPT:]


def written(session: Any, params: Mapping[str, str], options: PageOptions | None = None) -> None:
    """Remember the query string the app wrote, so the next run does not re-apply it (nor one of the
    few it wrote before, which a browser may still send while the newest is on its way)."""
    _remember(session, JOB_URL_KEY, {k: v for k, v in params.items() if k in FIELDS})
    if options is not None:
        _remember(session, options.url_key, {k: v for k, v in params.items() if k in options.fields})


def job_hours(result: JobResult | None, fallback: float, low: float = 0.25, high: float = 2000.0) -> float:
    """The job's wall-clock hours within ``low``..``high`` (``fallback`` without a job) [h]."""
    if result is None:
        return fallback
    return float(min(max(result.footprint.duration_h, low), high))


def job_region(result: JobResult | None, offered: Any, fallback: str) -> str:
    """The job's region id when ``offered`` holds it, else ``fallback``."""
    if result is not None and result.region is not None and result.region.id in offered:
        return str(result.region.id)
    return fallback


def job_power_kw(result: JobResult | None, fallback: float, low: float = 0.001, high: float = 1e6) -> float:
    """The job's average facility draw, energy ÷ hours, within ``low``..``high`` [kW]."""
    if result is None or not result.footprint.duration_h:
        return fallback
    return float(min(max(result.footprint.energy_kwh / result.footprint.duration_h, low), high))
