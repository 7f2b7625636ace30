"""A job run in several segments (hardware, count, hours, place), one after another.

The first segment is the job itself (a :class:`~wattprint.engine.jobspec.JobSpec`); each further
segment names its own hardware, device count, wall-clock hours and region, and takes the job's
power basis (utilisation of TDP), PUE choice and grid year. Segments are written in a link or a
scenario as text: ``hardware,count,hours,region`` with ``;`` between segments, e.g.
``nvidia-a100-sxm4-80gb,8,72,country:FR``.

The footprint of the whole job is :func:`~wattprint.engine.footprint.estimate_segments` of the
resolved segments (each summed on its own range, PUE and intensity).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from wattprint.db.loader import Databases
from wattprint.engine.footprint import Footprint, estimate_segments
from wattprint.engine.jobspec import JobSpec, resolve
from wattprint.errors import InputError, WattprintError

MAX_SEGMENTS = 8
"""Most further segments a job takes (a design bound: a link stays readable)."""


@dataclass(frozen=True)
class Segment:
    """One further segment: ``count`` devices of ``hardware`` for ``hours`` [h] in ``region``."""

    hardware: str
    count: float
    hours: float
    region: str


def parse_segments(text: str) -> tuple[Segment, ...]:
    """The segments written in ``text`` (``hardware,count,hours,region;...``); InputError in words."""
    found = []
    for index, part in enumerate((p.strip() for p in text.split(";")), start=1):
        if not part:
            continue
        fields = [field.strip() for field in part.split(",")]
        if len(fields) != 4:
            raise InputError(
                f"segment {index} ({part[:60]!r}) needs four parts, hardware, devices, hours and region, "
                "separated by commas"
            )
        hardware, count_text, hours_text, region = fields
        try:
            count, hours = float(count_text), float(hours_text)
        except ValueError:
            raise InputError(
                f"segment {index}: the devices ({count_text[:20]!r}) and hours ({hours_text[:20]!r}) "
                "must be numbers"
            ) from None
        if not (math.isfinite(count) and count >= 1):
            raise InputError(f"segment {index}: the number of devices must be at least 1")
        if not (math.isfinite(hours) and hours > 0):
            raise InputError(f"segment {index}: the hours must be more than 0")
        found.append(Segment(hardware, count, hours, region))
    if len(found) > MAX_SEGMENTS:
        raise InputError(f"at most {MAX_SEGMENTS} further segments; {len(found)} given")
    return tuple(found)


def format_segments(segments: Sequence[Segment]) -> str:
    """``segments`` as the text :func:`parse_segments` reads back."""
    return ";".join(f"{s.hardware},{s.count:g},{s.hours:g},{s.region}" for s in segments)


def segment_specs(spec: JobSpec, segments: Sequence[Segment], databases: Databases) -> tuple[JobSpec, ...]:
    """Each further segment as a JobSpec that takes ``spec``'s power basis, PUE and grid year.

    Ids are looked up (aliases accepted) so the specs carry canonical ids. The grid year is the
    job's when the segment's region publishes it, else that region's latest up to it.
    """
    from wattprint.engine.report import grid_year

    specs = []
    for index, segment in enumerate(segments, start=1):
        try:
            hardware = databases.hardware.get(segment.hardware).id
            region = databases.regions.get(segment.region).id
        except WattprintError as error:
            raise InputError(f"segment {index}: {error}") from None
        specs.append(
            JobSpec(
                hardware=hardware,
                count=segment.count,
                hours=segment.hours,
                utilization=spec.utilization,
                pue=spec.pue,
                pue_included=spec.pue_included,
                region=region,
                year=grid_year(databases, region, spec.year),
            )
        )
    return tuple(specs)


def estimate_job(spec: JobSpec, further: Sequence[JobSpec], databases: Databases | None) -> Footprint:
    """The footprint of ``spec`` followed by its ``further`` segments (summed segment by segment)."""
    jobs = [resolve(spec, databases)]
    for index, one in enumerate(further, start=2):
        try:
            jobs.append(resolve(one, databases))
        except InputError as error:
            raise InputError(f"segment {index}: {error}") from None
    return estimate_segments(jobs)


def with_year(spec: JobSpec, databases: Databases, work_year: int | None) -> JobSpec:
    """``spec`` priced at the grid year for work that ran in ``work_year`` (unchanged without a region
    or a year)."""
    from wattprint.engine.report import grid_year

    if not spec.region or work_year is None:
        return spec
    return replace(spec, year=grid_year(databases, spec.region, work_year))


def priced_in(
    spec: JobSpec, further: Sequence[JobSpec], databases: Databases, work_year: int | None
) -> tuple[JobSpec, tuple[JobSpec, ...], Footprint]:
    """The job and its segments at the grid year of work that ran in ``work_year``, and their
    footprint (one segment: ``estimate``; several: summed segment by segment)."""
    from wattprint.engine.footprint import estimate

    spec = with_year(spec, databases, work_year)
    moved = tuple(with_year(one, databases, work_year) for one in further)
    footprint = estimate_job(spec, moved, databases) if moved else estimate(resolve(spec, databases))
    return spec, moved, footprint


__all__ = [
    "MAX_SEGMENTS",
    "Segment",
    "estimate_job",
    "format_segments",
    "parse_segments",
    "priced_in",
    "segment_specs",
    "with_year",
]
