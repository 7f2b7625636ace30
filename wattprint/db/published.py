"""Load the table of published training-run footprints (``wattprint/db/published.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from wattprint.errors import DatabaseError

PUBLISHED_FILE = Path(__file__).with_name("published.yaml")
CO2E_UNITS = ("kg", "t", "lb")


@dataclass(frozen=True)
class PublishedRun:
    """One published training run: the inputs its authors state and the figures they publish.

    Units are in the names; ``published_co2e`` is in ``published_co2e_unit`` (kg, t or lb) as
    printed in the source. Intensity is given in g/kWh or, for Strubell et al., lb/kWh.
    """

    id: str
    model: str
    hardware: str
    year: int
    source: str
    citation: str
    url: str
    published_energy_kwh: float
    published_co2e: float
    published_co2e_unit: str
    pue: float
    note: str
    count: float = 1.0
    power_w: float | None = None
    total_power_w: float | None = None
    hours: float | None = None
    device_hours: float | None = None
    intensity_g_per_kwh: float | None = None
    intensity_lb_per_kwh: float | None = None


_FLOATS = (
    "published_energy_kwh",
    "published_co2e",
    "pue",
    "count",
    "power_w",
    "total_power_w",
    "hours",
    "device_hours",
    "intensity_g_per_kwh",
    "intensity_lb_per_kwh",
)


def _run(entry: dict[str, Any], sources: dict[str, Any], where: str) -> PublishedRun:
    source = sources.get(entry.get("source", ""))
    if not isinstance(source, dict):
        raise DatabaseError([f"{where}: source {entry.get('source')!r} is not in sources"])
    values: dict[str, Any] = {k: v for k, v in entry.items() if k != "source"}
    for name in _FLOATS:
        if values.get(name) is not None:
            values[name] = float(values[name])
    if values.get("published_co2e_unit") not in CO2E_UNITS:
        raise DatabaseError([f"{where}: published_co2e_unit must be one of {', '.join(CO2E_UNITS)}"])
    try:
        return PublishedRun(
            source=str(entry["source"]),
            citation=" ".join(str(source["citation"]).split()),
            url=str(source["url"]),
            **values,
        )
    except (TypeError, KeyError) as error:
        raise DatabaseError([f"{where}: {error}"]) from None


@lru_cache(maxsize=4)
def load_published(path: Path = PUBLISHED_FILE) -> tuple[PublishedRun, ...]:
    """Every published run of ``path``, validated; DatabaseError names the entry at fault."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DatabaseError([f"{path}: cannot read ({error})"]) from None
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
        raise DatabaseError([f"{path}: expected 'sources:' and 'runs:'"])
    sources = data.get("sources") or {}
    return tuple(_run(entry, sources, f"{path}: runs[{i}]") for i, entry in enumerate(data["runs"]))
