"""The Published footprints page's data: the job among published runs, like with like.

Each published CO2e rests on its paper's own grid figure (EPA's 2018 US average for Strubell et
al. 2019, a data centre's gross figure of its year for Patterson et al. 2021, ...), of a basis and
year unlike the job's. So the job is placed among the runs on facility energy, or on CO2e with
every run's published energy priced at the job's own grid figure: never on CO2e figures that rest
on different grids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from app import components, safe
from wattprint.engine import units
from wattprint.engine.published import Recomputed, recomputed_to_dict, run_spec

ENERGY = "energy"
CO2E_AT_JOB_GRID = "co2e"
COMPARE_ON = {
    ENERGY: "Energy (kWh)",
    CO2E_AT_JOB_GRID: "CO₂e, every run on your job's grid",
}
YOUR_JOB = "Your job"


class JobGrid(NamedTuple):
    """The grid figure the job's CO2e rests on: g/kWh, and its basis and year in words."""

    intensity_g_per_kwh: float
    label: str  # e.g. "32.6 g/kWh, lifecycle 2025, gcp:europe-west6"


def table(rows: Sequence[Recomputed]) -> pd.DataFrame:
    """One row per published run, with the grid figure its paper's CO2e rests on [g/kWh]."""
    frame = pd.DataFrame([recomputed_to_dict(row) for row in rows]).drop(columns=["published_co2e"])
    frame["grid_g_per_kwh"] = [run_spec(row.run).intensity_g_per_kwh for row in rows]
    return frame


def chart_frame(runs: pd.DataFrame, on: str, job_value: float, grid: JobGrid | None) -> pd.DataFrame:
    """``model`` and ``value`` per run and for the job, smallest first: published energy [kWh], or
    that energy at the job's grid [kg CO2e] (``grid`` required)."""
    if on == ENERGY:
        values = runs["published_energy_kwh"]
    elif grid is None:
        raise ValueError("CO2e at the job's grid needs the job's grid figure")
    else:
        values = runs["published_energy_kwh"] * grid.intensity_g_per_kwh / units.G_PER_KG
    frame = pd.DataFrame({"model": runs["model"], "value": values.astype(float)})
    frame = pd.concat([frame, pd.DataFrame({"model": [YOUR_JOB], "value": [float(job_value)]})])
    return frame.sort_values("value", ignore_index=True)


def energy_kwh(on: str, job_value: float, grid: JobGrid | None) -> float:
    """The job's figure as energy [kWh]: itself on energy, else its kg CO2e over the job's grid."""
    if on == ENERGY:
        return job_value
    if grid is None or grid.intensity_g_per_kwh <= 0:
        raise ValueError("CO2e at the job's grid needs the job's grid figure")
    return job_value * units.G_PER_KG / grid.intensity_g_per_kwh


def axis_title(on: str) -> str:
    return "Facility energy [kWh], log scale" if on == ENERGY else "CO₂e on your job's grid [kg], log scale"


def figure(chart: pd.DataFrame, on: str) -> go.Figure:
    """Horizontal bars on a log axis; the job in grey."""
    shown = chart.assign(model=safe.chart_texts(chart["model"]))
    plotted = px.bar(
        shown,
        x="value",
        y="model",
        orientation="h",
        log_x=True,
        labels={"value": axis_title(on), "model": ""},
        color=shown["model"].eq(YOUR_JOB).map({True: "your job", False: "published"}),
        color_discrete_map={"your job": components.GREY, "published": components.GREEN},
    )
    plotted.update_yaxes(categoryorder="array", categoryarray=list(shown["model"]))
    plotted.update_layout(showlegend=False, margin={"l": 10, "r": 10, "t": 10, "b": 30}, height=420)
    return plotted


def basis_caption(on: str, grid: JobGrid | None) -> str:
    """What the bars compare, and why not the published CO2e."""
    if on == ENERGY:
        return (
            "Bars: facility energy (PUE included) as published. Published CO₂e is in the table: each "
            "rests on its paper's own grid figure and year (column 'paper's grid'), so those figures "
            "are not ranked against your job's."
        )
    assert grid is not None
    return (
        f"Bars: every run's published energy at your job's grid figure ({grid.label}), so all bars "
        "rest on one grid. The table keeps each paper's own CO₂e and grid figure."
    )
