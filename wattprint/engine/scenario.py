"""Scenario files: a :class:`JobSpec` (and optionally the calculator's inputs) as versioned JSON.

A scenario is a JSON object::

    {"format": "wattprint-scenario", "schema_version": 1,
     "job": {<JobSpec fields>}, "inputs": {<calculator inputs, optional>},
     "segments": [{<JobSpec fields>}, ...]}   (optional: the job's further segments)

Uploaded files are untrusted: :func:`load_scenario` checks the size, the JSON, the version, every
field's name and type, and raises :class:`InputError` with one readable line on any problem.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any

from wattprint.engine.jobspec import JobSpec, check_conflicts
from wattprint.errors import InputError

FORMAT = "wattprint-scenario"
SCHEMA_VERSION = 1
MAX_SCENARIO_BYTES = 256 * 1024
"""Largest scenario file accepted [bytes]; a real one is under 2 KB."""

_FIELD_TYPES: dict[str, tuple[type, ...]] = {}
for _field in fields(JobSpec):
    _text = str(_field.type)
    if "bool" in _text:
        _FIELD_TYPES[_field.name] = (bool,)
    elif "str" in _text:
        _FIELD_TYPES[_field.name] = (str,)
    elif "int" in _text and "float" not in _text:
        _FIELD_TYPES[_field.name] = (int,)
    else:
        _FIELD_TYPES[_field.name] = (int, float)
_NULLABLE = {f.name for f in fields(JobSpec) if "None" in str(f.type)}


def spec_to_dict(spec: JobSpec) -> dict[str, Any]:
    """The JobSpec's fields as plain JSON values."""
    return asdict(spec)


def spec_from_dict(data: object) -> JobSpec:
    """A JobSpec from a dict of its fields; unknown names and wrong types raise InputError."""
    if not isinstance(data, dict):
        raise InputError(f"'job' must be an object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(_FIELD_TYPES))
    if unknown:
        raise InputError(f"unknown job field(s): {', '.join(map(str, unknown))}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        if value is None:
            if name not in _NULLABLE:
                raise InputError(f"job field {name!r} cannot be null")
            values[name] = None
            continue
        kinds = _FIELD_TYPES[name]
        if isinstance(value, bool) and bool not in kinds:
            raise InputError(f"job field {name!r} must be a number or text, got true/false")
        if not isinstance(value, kinds):
            expected = " or ".join(k.__name__ for k in kinds)
            raise InputError(f"job field {name!r} must be {expected}, got {type(value).__name__}")
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"job field {name!r} must be finite")
        if isinstance(value, str) and len(value) > 200:
            raise InputError(f"job field {name!r} is longer than 200 characters")
        values[name] = float(value) if float in kinds and isinstance(value, (int, float)) else value
    spec = JobSpec(**values)
    check_conflicts(spec)
    return spec


def scenario_to_dict(
    spec: JobSpec, inputs: dict[str, Any] | None = None, segments: Sequence[JobSpec] = ()
) -> dict[str, Any]:
    """The versioned scenario object for ``spec`` (and the inputs that produced it, and the job's
    further ``segments``, each a JobSpec, run after it)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "job": spec_to_dict(spec),
    }
    if inputs is not None:
        document["inputs"] = dict(inputs)
    if segments:
        document["segments"] = [spec_to_dict(one) for one in segments]
    return document


def dumps(spec: JobSpec, inputs: dict[str, Any] | None = None, segments: Sequence[JobSpec] = ()) -> str:
    """Scenario JSON text, indented, keys in a stable order."""
    return json.dumps(scenario_to_dict(spec, inputs, segments), indent=2, sort_keys=True)


def load_segments(raw: bytes | str) -> tuple[JobSpec, ...]:
    """The further segments of a scenario file (none when it has no ``segments``); InputError."""
    load_scenario(raw)
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    items = json.loads(text).get("segments", [])
    return tuple(spec_from_dict(item) for item in items)


def load_scenario(raw: bytes | str) -> tuple[JobSpec, dict[str, Any] | None]:
    """Parse and validate a scenario file; returns the JobSpec and the inputs object if any."""
    if len(raw) > MAX_SCENARIO_BYTES:
        raise InputError(f"scenario file is {len(raw):,} bytes; the limit is {MAX_SCENARIO_BYTES:,}")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        document = json.loads(text)
    except UnicodeDecodeError:
        raise InputError("scenario file is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InputError(f"scenario file is not valid JSON: {error.msg} (line {error.lineno})") from None
    except RecursionError:
        raise InputError("scenario file nests too deeply to be a wattprint scenario") from None
    if not isinstance(document, dict):
        raise InputError("scenario file must hold a JSON object")
    if document.get("format") != FORMAT:
        raise InputError(f"not a wattprint scenario: 'format' must be {FORMAT!r}")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(f"unsupported schema_version {version!r}; this wattprint reads {SCHEMA_VERSION}")
    unknown = sorted(set(document) - {"format", "schema_version", "job", "inputs", "segments"})
    if unknown:
        raise InputError(f"unknown scenario key(s): {', '.join(map(str, unknown))}")
    spec = spec_from_dict(document.get("job"))
    segments = document.get("segments", [])
    if not isinstance(segments, list):
        raise InputError("'segments' must be a list of jobs")
    for index, item in enumerate(segments, start=2):
        try:
            spec_from_dict(item)
        except InputError as error:
            raise InputError(f"segment {index}: {error}") from None
    inputs = document.get("inputs")
    if inputs is not None and not isinstance(inputs, dict):
        raise InputError("'inputs' must be an object")
    return spec, inputs
