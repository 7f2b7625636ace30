"""Shared rendering helpers: number formats, the low-carbon badge, charts, safe CSV.

Every user-supplied string is shown through Streamlit's text elements (never HTML).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from app import safe
from wattprint.engine.footprint import Footprint
from wattprint.engine.whatif import LOW_CARBON_THRESHOLD_G_PER_KWH

if TYPE_CHECKING:  # plotly is imported by the figure functions only: the calculator draws none
    import plotly.graph_objects as go

PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}
GREEN = "#2e7d32"
GREY = "#9e9e9e"
PALE_GREEN = "#a5c8a7"


def plain(text: object) -> str:
    """``text`` with Markdown escaped (:func:`app.safe.plain`), for user strings shown as Markdown."""
    return safe.plain(text)


def plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell Markdown-escaped, for ``st.table`` (which renders Markdown)."""
    escaped = frame.map(lambda cell: plain(cell) if isinstance(cell, str) else cell)
    escaped.index = escaped.index.map(lambda cell: plain(cell) if isinstance(cell, str) else cell)
    return escaped


def num(value: float, digits: int = 3) -> str:
    """A number with thousands separators and about ``digits`` significant figures."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude >= 10 ** (digits - 1):
        return f"{value:,.0f}"
    decimals = digits - 1 - math.floor(math.log10(magnitude))
    return f"{value:,.{min(decimals, 6)}f}"


def percent(fraction: float) -> str:
    """A share as a percentage; one decimal near 0% and 100% so 99.6% does not read as 100%."""
    if 0 < abs(fraction) < 0.01 or 0.99 < abs(fraction) < 1:
        return f"{fraction:.1%}"
    return f"{fraction:.0%}"


def kg(value: float) -> str:
    """Emissions: ``1,234 kg CO2e`` (tonnes above 10 t)."""
    if abs(value) >= 10_000:
        return f"{num(value / 1000)} t CO₂e"
    return f"{num(value)} kg CO₂e"


def kwh(value: float) -> str:
    """Energy: ``123 kWh`` (MWh above 10 MWh)."""
    if abs(value) >= 10_000:
        return f"{num(value / 1000)} MWh"
    return f"{num(value)} kWh"


LOW_CARBON_ICON = ":material/eco:"
"""Streamlit's Material "eco" leaf: drawn from the app's own icon font, so no emoji font is needed."""
LOW_CARBON_TEXT = "low carbon"


def is_low_carbon(intensity_g_per_kwh: float) -> bool:
    """True for a grid at or below the low-carbon threshold (Google Cloud's "Low CO2")."""
    return bool(intensity_g_per_kwh <= LOW_CARBON_THRESHOLD_G_PER_KWH)


def badge(intensity_g_per_kwh: float) -> str:
    """The low-carbon mark for Markdown text (the Material leaf icon), else an empty string."""
    return LOW_CARBON_ICON if is_low_carbon(intensity_g_per_kwh) else ""


# How vendors and device kinds are written for people (ids stay lower case in data and links).
VENDOR_NAMES = {
    "amd": "AMD",
    "aws": "AWS",
    "ibm": "IBM",
    "nvidia": "NVIDIA",
    "metax": "MetaX",
    "moorethreads": "Moore Threads",
    "iluvatar": "Iluvatar CoreX",
}
KIND_NAMES = {
    "cpu": "CPU",
    "gpu": "GPU",
    "npu": "NPU",
    "tpu": "TPU",
    "soc": "SoC",
    "accelerator": "accelerator",
}


def vendor_name(vendor: str) -> str:
    """``"NVIDIA"`` for ``nvidia``, ``"Intel"`` for ``intel``: a vendor id as a name."""
    return VENDOR_NAMES.get(vendor, vendor[:1].upper() + vendor[1:])


def kind_name(kind: str) -> str:
    """``"GPU"`` for ``gpu``: a device kind as people write it."""
    return KIND_NAMES.get(kind, kind)


def place_name(region_id: str, name: str) -> str:
    """A region's name without its own id: GCP's "europe-west6 (Zürich)" for ``gcp:europe-west6``
    is "Zürich", so "Zürich (gcp:europe-west6)" reads without doubled ids; other names as they are."""
    short = region_id.split(":", 1)[-1]
    if name.startswith(f"{short} (") and name.endswith(")"):
        return name[len(short) + 2 : -1]
    return name


def job_title(result: Any, databases: Any) -> str:
    """``8 × NVIDIA H100 SXM5 80GB, 24 h, AWS US East (N. Virginia) (aws:us-east-1)`` for a JobResult."""
    spec, footprint = result.built.spec, result.footprint
    if spec.hardware:
        who = databases.hardware.get(spec.hardware).name
    else:
        who = f"{num(spec.power_w or 0)} W device"
    place = (
        f"{place_name(result.region.id, result.region.name)} ({result.region.id})"
        if result.region is not None
        else f"a {num(footprint.intensity_g_per_kwh)} g/kWh grid"
    )
    count = f"{spec.count:,.0f}" if float(spec.count).is_integer() else num(spec.count)
    further = getattr(result, "segments", ())
    if further:  # the first segment's own hours, then the rest named as such (never summed into it)
        first = footprint.segments[0].duration_h
        more = "segment" if len(further) == 1 else "segments"
        return (
            f"{count} × {who}, {num(first)} h, {place}, then {len(further)} further {more} "
            f"({num(footprint.duration_h)} h in all)"
        )
    return f"{count} × {who}, {num(footprint.duration_h)} h, {place}"


def breakdown_parts(footprint: Footprint) -> list[tuple[str, float]]:
    """(part, kg CO2e): accelerators, CPU, memory, PUE overhead, embodied."""
    intensity = footprint.intensity_g_per_kwh / 1000.0
    return [
        ("Accelerators", footprint.breakdown.accelerators_kwh * intensity),
        ("CPU", footprint.breakdown.cpu_kwh * intensity),
        ("Memory", footprint.breakdown.memory_kwh * intensity),
        ("PUE overhead (cooling, power delivery)", footprint.breakdown.pue_overhead_kwh * intensity),
        (
            "Embodied (manufacturing share"
            + (", low end of its range)" if footprint.embodied_high_kg != footprint.embodied_low_kg else ")"),
            footprint.breakdown.embodied_co2e_kg,
        ),
    ]


def breakdown_figure(footprint: Footprint) -> go.Figure:
    """Horizontal bars: kg CO2e from accelerators, CPU, memory, PUE overhead, embodied."""
    import plotly.graph_objects as go

    parts = breakdown_parts(footprint)
    labels = [name for name, _ in parts][::-1]
    values = [value for _, value in parts][::-1]
    figure = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker_color=GREEN,
            text=[kg(v) for v in values],
            textposition="auto",
            hovertemplate="%{y}: %{x:,.2f} kg CO₂e<extra></extra>",
        )
    )
    figure.update_layout(
        height=260,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        xaxis_title="kg CO₂e",
        showlegend=False,
    )
    return figure


def figure_labels(rows: pd.DataFrame) -> list[str]:
    """``", <g> g/kWh <basis> <year>"`` per row: the intensity a row rests on, with its basis and
    year (and "stale" when flagged); empty strings without an ``intensity_basis`` column."""
    if "intensity_basis" not in rows:
        return [""] * len(rows)
    years = rows["intensity_year"] if "intensity_year" in rows else pd.Series([None] * len(rows))
    stale = rows["stale"] if "stale" in rows else pd.Series([False] * len(rows))
    return [
        f", {value:,.0f} g/kWh {basis}"
        + ("" if pd.isna(year) else f" {int(year)}")
        + (" (stale)" if old else "")
        for value, basis, year, old in zip(
            rows["intensity_g_per_kwh"], rows["intensity_basis"], years, stale, strict=True
        )
    ]


PROVIDER_LABELS = {"aws": "AWS", "gcp": "GCP", "azure": "Azure", "oci": "OCI"}
"""How the big clouds write their own names; other providers' ids are shown as they are."""
RANKED_BARS = 25
"""Most bars in Compare's ranking chart (the job's own region is added when further down)."""


def provider_label(provider: str) -> str:
    """A provider id as people write it ("gcp" -> "GCP"); "" for none (countries and grids)."""
    if not provider or provider in ("nan", "None"):
        return ""
    return PROVIDER_LABELS.get(provider, safe.chart_text(provider))


def bars_caption(ranked: pd.DataFrame, current_id: str | None, top: int = RANKED_BARS) -> str:
    """What the ranking chart shows of the ranked regions, in words."""
    count = len(ranked)
    if count <= top:
        return f"All {count:,} regions ranked are shown."
    own = (
        current_id is not None
        and current_id not in set(ranked.head(top)["id"])
        and (current_id in set(ranked["id"]))
    )
    extra = " and the job's own region further down" if own else ""
    return f"The {top} cleanest of the {count:,} regions ranked are shown{extra}; the Table tab lists all."


def ranked_figure(ranked: pd.DataFrame, current_id: str | None, top: int = RANKED_BARS) -> go.Figure:
    """Horizontal bars of the ``top`` cleanest regions (and the current one), kg CO2e."""
    import plotly.graph_objects as go

    shown = ranked.head(top)
    if current_id is not None and current_id not in set(shown["id"]):
        shown = pd.concat([shown, ranked[ranked["id"] == current_id]])
    shown = shown.iloc[::-1]
    low = [is_low_carbon(i) for i in shown["intensity_g_per_kwh"]]
    colors = [
        GREY if row_id == current_id else (GREEN if is_low else PALE_GREEN)
        for row_id, is_low in zip(shown["id"], low, strict=True)
    ]
    names = [
        safe.chart_text(place_name(str(i), str(n))) for i, n in zip(shown["id"], shown["name"], strict=True)
    ]
    providers = [provider_label(str(p)) for p in shown.get("provider", pd.Series([""] * len(shown)))]
    names = [f"{name} · {who}" if who else name for name, who in zip(names, providers, strict=True)]
    labels = [  # the region's name and provider; with its id where two regions share them
        name if names.count(name) == 1 else f"{name} · {safe.chart_text(row_id)}"
        for name, row_id in zip(names, shown["id"], strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            x=shown["co2e_kg"],
            y=labels,
            orientation="h",
            marker_color=colors,
            customdata=[
                f"{safe.chart_text(row_id)}{', ' + LOW_CARBON_TEXT if is_low else ''}{figure}"
                for row_id, is_low, figure in zip(shown["id"], low, figure_labels(shown), strict=True)
            ],
            hovertemplate="%{y} (%{customdata}): %{x:,.1f} kg CO₂e<extra></extra>",
        )
    )
    figure.update_yaxes(categoryorder="array", categoryarray=labels)
    figure.update_layout(
        height=max(300, 22 * len(shown) + 60),
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        xaxis_title="kg CO₂e",
        yaxis={"automargin": True},
    )
    return figure


def map_figure(ranked: pd.DataFrame, current_id: str | None) -> go.Figure:
    """Regions on longitude/latitude axes, coloured by kg CO2e.

    A plain scatter, not ``scatter_geo``: plotly.js fetches its coastline topojson from
    cdn.plot.ly, and the app must work offline, so no coastlines are drawn.
    """
    import plotly.graph_objects as go

    located = ranked.dropna(subset=["latitude", "longitude"])
    figure = go.Figure(
        go.Scatter(
            x=located["longitude"],
            y=located["latitude"],
            mode="markers",
            marker={
                "size": 10,
                "color": located["co2e_kg"],
                "colorscale": "RdYlGn_r",
                "colorbar": {"title": "kg CO₂e"},
                "line": {"width": [3 if i == current_id else 0.5 for i in located["id"]], "color": "#000"},
            },
            text=safe.chart_texts(located["id"]) + " · " + safe.chart_texts(located["name"]),
            hovertemplate="%{text}<br>%{marker.color:,.1f} kg CO₂e<extra></extra>",
        )
    )
    figure.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        xaxis={"title": "longitude (°)", "range": [-180, 180], "zeroline": False},
        yaxis={"title": "latitude (°)", "range": [-60, 75], "zeroline": False},
    )
    return figure
