"""The Report page's parts without Streamlit: the line under its central figures."""

from __future__ import annotations

from app import components
from wattprint.engine.footprint import Footprint
from wattprint.engine.report import Central


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
