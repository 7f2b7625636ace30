"""The Report page's parts without Streamlit: its statement, and the line under its central figures."""

from __future__ import annotations

from typing import Any

from app import components
from wattprint.engine import report, segments
from wattprint.engine.footprint import Footprint
from wattprint.engine.report import Central, Statement


def statement_of(result: Any, options: dict[str, Any], dbs: Any) -> tuple[Statement, Footprint]:
    """The statement of the job's ``result`` with the page's ``options``, and its footprint priced
    at the year the work ran; raises :class:`wattprint.errors.WattprintError`."""
    work_year = None if options["ran_in"] == "unknown" else int(options["ran_in"])
    spec, further, footprint = segments.priced_in(result.built.spec, result.segments, dbs, work_year)
    statement = report.statement(
        spec,
        footprint,
        dbs,
        social_cost=bool(options["social_cost"]),
        comparison=report.serving_of(footprint, result.built.serving, result.built.serving_source),
        training_type=str(options["training_type"]),
        segments=further,
        work_year=work_year,
    )
    return statement, footprint


SEGMENTS_NOTE = (
    "Each segment at the assumed draw all the time (as the calculator gives it) and the grid "
    "figure the statement uses; the figures above are the middle of the range."
)


def range_caption(mid: Central, footprint: Footprint) -> str:
    """The range of the job's CO2e and energy; for a TDP-based draw, that the figures are its
    middle, and the figures at the assumed draw all the time (the calculator's)."""
    bounds = footprint.range
    text = (
        f"Range {components.kg(bounds.co2e_kg_low)} – {components.kg(bounds.co2e_kg_high)}, "
        f"{components.kwh(bounds.energy_kwh_low)} – {components.kwh(bounds.energy_kwh_high)}"
    )
    if not mid.upper_bound:
        return text + "."
    return (
        f"{text}. The statement gives the middle of the energy range, and its CO₂e at the grid "
        "figure used (the range's CO₂e spans the grid's recent years too). At the assumed draw all the "
        f"time (the calculator's figure): {components.kg(footprint.co2e_kg)}, "
        f"{components.kwh(footprint.energy_kwh)}."
    )
