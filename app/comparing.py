"""The Compare regions page's parts without Streamlit calls: its link options, the filters'
choices, the ranking on one basis, the metric texts, the table and the map.

The page script (``app/views/compare.py``) reads the widgets and draws what these return.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pandas as pd
import plotly.graph_objects as go

from app import components, maps, state
from wattprint.commands.compare import left_out_line
from wattprint.db.loader import RegionDB
from wattprint.db.schema import DEFAULT_BASIS, INTENSITY_BASES
from wattprint.engine import jurisdiction
from wattprint.engine.footprint import Footprint
from wattprint.engine.jobspec import DEFAULT_PUE, JobSpec
from wattprint.engine.whatif import STALE_AFTER_YEARS, compare_regions
from wattprint.errors import InputError, WattprintError

KINDS = ("cloud", "country", "grid", "world")
OPTIONS = state.PageOptions(
    "compare",
    {
        "kinds": state.InputField(("cloud",), KINDS),
        "providers": state.InputField(()),
        "continents": state.InputField(()),
        "basis": state.InputField(DEFAULT_BASIS, INTENSITY_BASES),
        "data_year": state.InputField("latest"),
        "within": state.InputField("anywhere"),
    },
)
"""The page's own options: URL name -> field; widget key ``compare_<name>``."""

LATEST = "latest"

# Table column -> (kind, label, format or width): the table shows these columns in this order.
COLUMNS: dict[str, tuple[str, str, str | None]] = {
    "rank": ("number", "rank", None),
    "low_carbon": ("checkbox", "low carbon", "small"),
    "id": ("text", "id", None),
    "name": ("text", "name", None),
    "provider": ("text", "provider", None),
    "continent": ("text", "continent", None),
    "intensity_g_per_kwh": ("number", "g CO₂e/kWh", "%.0f"),
    "intensity_basis": ("text", "basis", None),
    "intensity_year": ("number", "year", "%d"),
    "intensity_source": ("text", "source", None),
    "intensity_kind": ("text", "kind", None),
    "stale": ("checkbox", f"over {STALE_AFTER_YEARS} y older", "small"),
    "pue_used": ("number", "PUE", "%.2f"),
    "energy_kwh": ("number", "kWh", "%.1f"),
    "co2e_kg": ("number", "kg CO₂e", "%.1f"),
    "savings_kg": ("number", "saved kg", "%.1f"),
    "savings_fraction": ("number", "saved", "percent"),
}

BASIS_HELP = "Only figures of this basis are ranked; regions without one are counted and listed below."
RANKING_CAPTION = (
    "Dark green: a low-carbon grid. Grey: the job's own region. Hover a bar for its id, basis and year."
)
NO_COORDINATES = "None of these entries has coordinates (countries and grids are not placed on the map)."


def column_config() -> dict[str, Any]:
    """Streamlit's column configuration of :data:`COLUMNS` (imports Streamlit when called)."""
    import streamlit as st

    made: dict[str, Any] = {}
    for column, (kind, label, extra) in COLUMNS.items():
        if kind == "checkbox":
            made[column] = st.column_config.CheckboxColumn(label, width=extra)
        elif kind == "number":
            made[column] = st.column_config.NumberColumn(label, format=extra)
        else:
            made[column] = st.column_config.TextColumn(label)
    return made


def choices(regions: pd.DataFrame, years: Sequence[int]) -> dict[str, list[str]]:
    """What each database-bound filter offers: the data years (latest first, newest next), and
    the providers and continents of ``regions``, sorted."""
    return {
        "data_year": [LATEST, *[str(year) for year in reversed(years)]],
        "providers": sorted(regions["provider"].dropna().unique()),
        "continents": sorted(regions["continent"].dropna().unique()),
        "within": jurisdiction.choices(regions["country"]),
    }


def known(value: Any, valid: Sequence[str]) -> Any:
    """An option's ``value`` with what the database does not know dropped: a list keeps
    its valid items, a single value not in ``valid`` becomes the first valid one ("latest",
    "anywhere")."""
    if isinstance(value, list):
        return [item for item in value if item in valid]
    return value if value in valid else valid[0]


def keep_known(values: dict[str, Any], choices: dict[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    """Each option of ``values`` (name -> value) with :func:`known` applied, a jurisdiction read as
    :func:`wattprint.engine.jurisdiction.check` reads it ("EU" is "eu"), and what was dropped, in
    words ("within='mars'")."""
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for name, value in values.items():
        if name == "within" and isinstance(value, str):
            with contextlib.suppress(InputError):
                value = jurisdiction.check(value)
        kept[name] = known(value, choices[name])
        asked = value if isinstance(value, list) else [value]
        dropped += [f"{name}={str(item)[:40]!r}" for item in asked if item not in choices[name]]
    return kept, dropped


def chosen_year(year_choice: str) -> int | None:
    """The year of the intensities asked for; None for each region's latest."""
    return None if year_choice == LATEST else int(year_choice)


def filtered(
    frame: pd.DataFrame,
    left_out: pd.DataFrame,
    regions: RegionDB,
    chosen: Mapping[str, Sequence[str]],
    within: str = "anywhere",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The regions to rank and those left out (each with its continent), kept to the ``chosen``
    kinds, providers and continents (column -> values; empty: all) and to the jurisdiction
    ``within`` (see :mod:`wattprint.engine.jurisdiction`)."""
    left_out = left_out.assign(
        continent=[regions.regions[i].continent for i in left_out["id"]],
        country=[regions.regions[i].country for i in left_out["id"]],
    )
    for column, values in chosen.items():
        if values:
            frame = frame[frame[column].isin(values)]
            left_out = left_out[left_out[column].isin(values)]
    if within != "anywhere":
        frame = frame[jurisdiction.within(frame["country"], within)]
        left_out = left_out[jurisdiction.within(left_out["country"], within)]
    return frame, left_out


def rank(
    spec: JobSpec, footprint: Footprint, frame: pd.DataFrame, basis: str, baseline: float | None
) -> pd.DataFrame:
    """The job in every region of ``frame``, ranked, with savings against ``baseline`` [kg CO2e]
    (NaN without one); WattprintError when no region is left to rank."""
    fixed_pue = 1.0 if spec.pue_included else spec.pue
    if frame.empty:
        raise WattprintError(f"no region with a {basis} figure matches these filters; clear one")
    ranked = compare_regions(footprint, frame, fixed_pue, DEFAULT_PUE, baseline or 0.0)
    if baseline is None:
        ranked["savings_kg"] = math.nan
        ranked["savings_fraction"] = math.nan
    return ranked


class Metric(NamedTuple):
    """What ``st.metric`` shows: label, value, delta (None: no delta), and a line shown under it."""

    label: str
    value: str
    delta: str | None
    help: str


def cleanest(ranked: pd.DataFrame, basis: str) -> Metric:
    """The cleanest region's kg for the job, and what it saves against the job's own choice."""
    best = ranked.iloc[0]
    year = int(best["intensity_year"])
    saved = float(best["savings_fraction"])
    saved_kg = float(best["savings_kg"])
    delta = (
        None
        if math.isnan(saved)
        else (f"-{components.kg(saved_kg)} (−{components.percent(saved)})" if saved > 0 else "±0 kg (±0%)")
    )
    name = components.place_name(str(best["id"]), str(best["name"]))
    return Metric(
        "Cleanest region",
        components.kg(float(best["co2e_kg"])),
        delta,
        f"{name} ({best['id']}): {best['intensity_g_per_kwh']:,.0f} g/kWh {basis} {year}, "
        f"{best['intensity_source']}",
    )


def ranked_caption(ranked: pd.DataFrame, left_out: pd.DataFrame, basis: str) -> str:
    """How many regions were ranked on ``basis``, those left out and why, and what stale means."""
    newest = int(ranked["intensity_year"].max())
    sources = ", ".join(sorted({str(source) for source in ranked["intensity_source"]}))
    years = sorted({int(year) for year in ranked["intensity_year"]})
    one_year = f"year {years[0]}" if len(years) == 1 else f"years {years[0]}-{years[-1]}"
    return (
        f"Ranked {len(ranked)} region(s) on the {basis} basis only, source {sources}, {one_year}. "
        f"{left_out_line(left_out, basis)} "
        f"Stale: a figure more than {STALE_AFTER_YEARS} years older than the newest here ({newest})."
    )


def region_map(ranked: pd.DataFrame, current: str | None) -> go.Figure:
    """The ranked regions with coordinates, coloured by the job's kg CO2e; the job's own ringed."""
    return maps.region_map(
        ranked,
        "co2e_kg",
        "kg CO₂e",
        value_format=",.1f",
        highlight=[current] if current else [],
        highlight_label="your current choice",
    )


def map_caption(basis: str) -> str:
    return (
        f"Colour: kg CO₂e of this job in each region, {basis} figures only (as the ranking). "
        "Countries and grids have no single point and are not placed on the map."
    )


def table(ranked: pd.DataFrame) -> pd.DataFrame:
    """The ranking as the table shows it: :data:`COLUMNS`, with whether each grid is low-carbon."""
    shown = ranked.assign(low_carbon=ranked["intensity_g_per_kwh"].map(components.is_low_carbon))
    return shown[list(COLUMNS)]


def left_out_title(left_out: pd.DataFrame, basis: str) -> str:
    return f"**Left out** ({len(left_out)}): no comparable {basis} figure, missing, not 0"
