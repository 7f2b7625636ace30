"""World maps with coastlines and borders, drawn offline.

plotly.js draws geo maps from a topojson file that it fetches from ``cdn.plot.ly`` by default.
wattprint ships that file (``app/static/topojson/world_110m.json``, see its README for the
source and licence), Streamlit serves it (``[server] enableStaticServing = true``) and every map
here is shown with plotly's ``topojsonURL`` pointing at it: no request leaves the app's server.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from app import safe
from app.components import PLOTLY_CONFIG

STATIC_DIR = Path(__file__).with_name("static")
TOPOJSON_FILE = STATIC_DIR / "topojson" / "world_110m.json"
TOPOJSON_URL = "app/static/topojson/"
"""Relative to the page, so it also works under ``server.baseUrlPath``; plotly.js appends
``world_110m.json`` (scope ``world``, resolution 110)."""

MAP_CONFIG = {**PLOTLY_CONFIG, "topojsonURL": TOPOJSON_URL}
"""Plotly config for every geo map: the app's own outlines, no mode bar."""

COLORSCALE = "RdYlGn_r"
LAND = "#f3f1ea"
OCEAN = "#e3eef7"
BORDER = "#9a9a9a"
COAST = "#6b6b6b"


@dataclass(frozen=True)
class Place:
    """A point to mark on a map: where the user (or their users) are."""

    label: str
    latitude: float
    longitude: float


def _geo_layout(height: int) -> dict[str, object]:
    return {
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 24, "b": 60},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        "geo": {
            "scope": "world",
            "resolution": 110,
            "projection": {"type": "natural earth"},
            "showcoastlines": True,
            "coastlinecolor": COAST,
            "showcountries": True,
            "countrycolor": BORDER,
            "showland": True,
            "landcolor": LAND,
            "showocean": True,
            "oceancolor": OCEAN,
            "showframe": False,
            "lataxis": {"range": [-58, 80]},
        },
    }


def one_basis(regions: pd.DataFrame) -> str | None:
    """The single intensity basis of ``regions`` (None without an ``intensity_basis`` column or
    rows); ValueError when it mixes bases: a map or ranking never puts two bases on one scale."""
    if "intensity_basis" not in regions or regions.empty:
        return None
    bases = sorted({str(b) for b in regions["intensity_basis"].dropna()})
    if len(bases) > 1:
        raise ValueError(f"cannot colour figures of different bases on one scale: {', '.join(bases)}")
    return bases[0] if bases else None


def region_map(
    regions: pd.DataFrame,
    value_column: str,
    value_label: str,
    *,
    value_format: str = ",.0f",
    highlight: Iterable[str] = (),
    highlight_label: str = "your region",
    highlight_text: dict[str, str] | None = None,
    places: Sequence[Place] = (),
    height: int = 440,
    range_color: tuple[float, float] | None = None,
) -> go.Figure:
    """Regions with coordinates as dots on a world map, coloured by ``value_column``.

    Parameters
    ----------
    regions : pandas.DataFrame
        ``id``, ``name``, ``latitude``, ``longitude`` [degrees] and ``value_column``; rows without
        coordinates are left out.
    value_column, value_label : str
        The column that colours the dots and its label with unit, e.g. ``"kg CO₂e"``.
    highlight : iterable of str
        Region ids drawn with a black ring and named in the legend (``highlight_label``); each
        ring is labelled with ``highlight_text[id]`` (default the id itself).
    places : sequence of Place
        Points (the user's place) drawn as blue stars.
    range_color : (low, high), optional
        Fixed colour range; default the data's range.

    With ``intensity_basis`` and ``intensity_year`` columns each dot's label names its figure's
    basis and year; a frame mixing two bases is refused (:func:`one_basis`).
    """
    one_basis(regions)
    located = regions.dropna(subset=["latitude", "longitude"])
    marked = set(highlight)
    figure = go.Figure()
    low, high = range_color if range_color is not None else (None, None)
    names = safe.chart_texts(located["name"] if "name" in located else located["id"])
    figure.add_trace(
        go.Scattergeo(
            lat=located["latitude"],
            lon=located["longitude"],
            mode="markers",
            name=value_label,
            showlegend=False,
            marker={
                "size": 9,
                "color": located[value_column],
                "colorscale": COLORSCALE,
                "cmin": low,
                "cmax": high,
                "colorbar": {
                    "title": {"text": value_label, "side": "top"},
                    "orientation": "h",
                    "thickness": 10,
                    "len": 0.6,
                    "x": 0.5,
                    "xanchor": "center",
                    "y": -0.02,
                    "yanchor": "top",
                },
                "line": {"width": 0.6, "color": "#333"},
            },
            text=safe.chart_texts(located["id"]) + " · " + names + _figure_label(located),
            customdata=located[value_column],
            hovertemplate=f"%{{text}}<br>%{{customdata:{value_format}}} {value_label}<extra></extra>",
        )
    )
    ringed = located[located["id"].isin(marked)]
    if not ringed.empty:
        figure.add_trace(
            go.Scattergeo(
                lat=ringed["latitude"],
                lon=ringed["longitude"],
                mode="markers+text",
                name=highlight_label,
                text=[safe.chart_text((highlight_text or {}).get(i, i)) for i in ringed["id"].astype(str)],
                customdata=safe.chart_texts(ringed["id"]),
                textposition="top center",
                textfont={"size": 11, "color": "#111"},
                marker={"size": 15, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": "#111"}},
                hovertemplate="%{customdata}<extra>" + highlight_label + "</extra>",
            )
        )
    if places:
        figure.add_trace(
            go.Scattergeo(
                lat=[p.latitude for p in places],
                lon=[p.longitude for p in places],
                mode="markers",
                name="your place",
                text=[safe.chart_text(p.label) for p in places],
                marker={
                    "size": 14,
                    "symbol": "star",
                    "color": "#1565c0",
                    "line": {"width": 1, "color": "#fff"},
                },
                hovertemplate="%{text}<extra>your place</extra>",
            )
        )
    figure.update_layout(**_geo_layout(height))
    return figure


def _figure_label(located: pd.DataFrame) -> pd.Series | str:
    """``"<br>intensity: lifecycle, 2023"`` per row when the frame says basis and year."""
    if "intensity_basis" not in located or "intensity_year" not in located:
        return ""
    years = located["intensity_year"].map(lambda y: "" if pd.isna(y) else f", {int(y)}")
    return "<br>intensity: " + located["intensity_basis"].astype(str) + years


def has_coordinates(regions: pd.DataFrame) -> bool:
    """True when at least one row can be placed on a map."""
    return bool(regions[["latitude", "longitude"]].notna().all(axis=1).any())
