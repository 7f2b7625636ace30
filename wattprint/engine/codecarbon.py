"""CodeCarbon runs: one total per run from the file's rows, re-priced in any region and year.

Notes
-----
A run is keyed, within each file, by the first of these that the row has:

1. ``run_id`` (2.x and 3.x: one per tracker run);
2. ``experiment_id`` when the file has no ``run_id`` column (1.x: a fresh UUID per tracker run;
   3.x's ``experiment_id`` is shared by runs, so it is never used when ``run_id`` exists);
3. otherwise consecutive rows of one project whose start (``timestamp - duration``) agrees within
   :data:`SAME_START_S` seconds (periodic flushes of one run); a new run starts where the project
   changes, the duration falls back, or the start moves (independent runs with growing
   durations are not merged).

Rows of a cumulative file (the tracker's ``emissions.csv``) are cumulative, so a run's total is
its last row: ``duration`` [s], ``energy_consumed`` [kWh], ``emissions`` [kg]. Rows of a task
file (a ``task_name`` column) are each one task's own figures, so a run's total is their sum. A
run given both ways (its task file and its emissions file) is counted once, from its tasks.

The energy is measured and kept as is: its PUE is the file's ``pue`` column when present, else
1.0 (no facility overhead, CodeCarbon's default). Re-pricing changes only the grid intensity::

    co2e_kg = energy_kwh x intensity_g_per_kwh / 1000

References
----------
.. [1] CodeCarbon documentation, "Output" (emissions.csv fields and units),
   https://mlco2.github.io/codecarbon/output.html
.. [2] CodeCarbon, ``EmissionsTracker.start_task`` / ``stop_task`` and ``TaskEmissionsData``,
   https://github.com/mlco2/codecarbon
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
import pandas as pd

from wattprint.engine import units

RUN_COLUMNS = (
    "run_id",
    "project_name",
    "file",
    "rows",
    "mode",
    "start",
    "duration_h",
    "energy_kwh",
    "codecarbon_co2e_kg",
    "pue",
    "pue_from_file",
    "country_iso_code",
    "cloud_provider",
    "cloud_region",
    "gpu_model",
    "gpu_count",
    "codecarbon_version",
)
SAME_START_S = 5.0
"""Largest difference [s] between the starts of two rows of one run (timestamps are whole seconds)."""


def _text(rows: pd.DataFrame, name: str) -> pd.Series:
    if name not in rows.columns:
        return pd.Series(None, index=rows.index, dtype=object)
    column = rows[name].astype(object)
    return column.where(column.notna() & (column.astype(str).str.strip() != ""), None)


def run_keys(rows: pd.DataFrame) -> pd.Series:
    """A run key per row; see the module notes for the order of ``run_id``, ``experiment_id`` and
    the start-time fallback."""
    file = rows["file"].astype(object).astype(str)
    project = _text(rows, "project_name").fillna("")
    run_id = _text(rows, "run_id")
    experiment = _text(rows, "experiment_id")
    has_run_column = run_id.notna().groupby(file.to_numpy(), sort=False).transform("any")
    duration = pd.to_numeric(rows["duration"], errors="coerce")
    when = pd.to_datetime(_text(rows, "timestamp"), errors="coerce", utc=True, format="mixed")
    start_s = (when - pd.Timestamp(0, tz="UTC")).dt.total_seconds() - duration
    moved = (start_s - start_s.shift()).abs() > SAME_START_S
    restart = (
        (project != project.shift())
        | (file != file.shift())
        | (duration < duration.shift())
        | moved.fillna(False)
        | run_id.notna()
        | run_id.shift().notna()
    )
    fallback = file + "#" + project + "#run" + restart.cumsum().astype(str)
    by_experiment = experiment.notna() & ~has_run_column.astype(bool)
    key = fallback.where(~by_experiment, file + "#" + experiment.fillna(""))
    key = key.where(run_id.isna(), file + "#" + run_id.fillna(""))
    return key.astype(object)


def _run_label(rows: pd.DataFrame) -> pd.Series:
    run_id, experiment = _text(rows, "run_id"), _text(rows, "experiment_id")
    return run_id.fillna(experiment).astype(object)


def runs(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per run, with units in the names; see :data:`RUN_COLUMNS` and the module notes.

    ``run_id`` is the run's ``run_id`` or ``experiment_id``; a run with neither is named by its
    file and first line (``emissions.csv:5``).

    ``mode`` is ``"cumulative"`` (the run's last row) or ``"tasks"`` (the sum of its task rows).
    ``codecarbon_co2e_kg`` is NaN when a row it needs had no usable ``emissions``.
    """
    if rows.empty:
        return pd.DataFrame(columns=list(RUN_COLUMNS))
    rows = rows.reset_index(drop=True)
    is_task = _text(rows, "task_name").notna().to_numpy()
    keyed = rows.assign(_run=run_keys(rows).to_numpy(), _label=_run_label(rows).to_numpy())
    tasks = keyed[is_task]
    cumulative = keyed[~is_task]
    if len(tasks):
        identity = _text(tasks, "run_id").fillna("").astype(str)
        task_runs = set(identity[identity != ""])
        if task_runs:
            other = _text(cumulative, "run_id").fillna("").astype(str)
            cumulative = cumulative[~other.isin(task_runs).to_numpy()]
    parts = []
    if len(cumulative):
        grouped = cumulative.groupby("_run", sort=False)
        last = grouped.tail(1).set_index("_run")
        parts.append(
            _table(
                last,
                rows_count=grouped.size().reindex(last.index),
                start=grouped["timestamp"].first().reindex(last.index),
                first_line=grouped["line"].first().reindex(last.index),
                duration_s=last["duration"],
                energy=last["energy_consumed"],
                emissions=last["emissions"],
                mode="cumulative",
            )
        )
    if len(tasks):
        grouped = tasks.groupby("_run", sort=False)
        last = grouped.tail(1).set_index("_run")
        sums = grouped[["duration", "energy_consumed"]].sum()
        emissions = (
            grouped["emissions"].sum(min_count=1).where(grouped["emissions"].count() == grouped.size())
        )
        parts.append(
            _table(
                last,
                rows_count=grouped.size().reindex(last.index),
                start=grouped["timestamp"].first().reindex(last.index),
                first_line=grouped["line"].first().reindex(last.index),
                duration_s=sums["duration"].reindex(last.index),
                energy=sums["energy_consumed"].reindex(last.index),
                emissions=emissions.reindex(last.index),
                mode="tasks",
            )
        )
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _table(
    last: pd.DataFrame,
    rows_count: pd.Series,
    start: pd.Series,
    first_line: pd.Series,
    duration_s: pd.Series,
    energy: pd.Series,
    emissions: pd.Series,
    mode: str,
) -> pd.DataFrame:
    pue = last["pue"].astype("float64") if "pue" in last.columns else pd.Series(np.nan, index=last.index)
    label = last["_label"].astype(object)
    names = last["file"].astype(str).map(lambda path: PurePath(path).name)
    fallback = names + ":" + first_line.astype("int64").astype(str)
    return pd.DataFrame(
        {
            "run_id": label.where(label.notna(), fallback).astype(str).to_numpy(),
            "project_name": last["project_name"].to_numpy(),
            "file": last["file"].to_numpy(),
            "rows": rows_count.to_numpy(dtype="int64"),
            "mode": mode,
            "start": start.to_numpy(),
            "duration_h": duration_s.to_numpy(dtype="float64") / units.SECONDS_PER_HOUR,
            "energy_kwh": energy.to_numpy(dtype="float64"),
            "codecarbon_co2e_kg": emissions.to_numpy(dtype="float64"),
            "pue": pue.fillna(1.0).to_numpy(),
            "pue_from_file": pue.notna().to_numpy(),
            "country_iso_code": last["country_iso_code"].to_numpy(),
            "cloud_provider": last["cloud_provider"].to_numpy(),
            "cloud_region": last["cloud_region"].to_numpy(),
            "gpu_model": last["gpu_model"].to_numpy(),
            "gpu_count": last["gpu_count"].to_numpy(),
            "codecarbon_version": last["codecarbon_version"].to_numpy(),
        }
    )


def reprice(run_table: pd.DataFrame, intensity_g_per_kwh: float) -> pd.Series:
    """CO2e [kg] of each run's measured energy [kWh] at ``intensity_g_per_kwh`` [gCO2e/kWh]."""
    return run_table["energy_kwh"] * intensity_g_per_kwh / units.G_PER_KG


@dataclass(frozen=True)
class WhatIf:
    """The runs' total energy [kWh] priced in one region."""

    region_id: str
    intensity_g_per_kwh: float
    intensity_year: int
    co2e_kg: float


def what_if(energy_kwh: float, intensities: list[tuple[str, float, int]]) -> list[WhatIf]:
    """``energy_kwh`` priced at each (region id, intensity [g/kWh], year), lowest CO2e first."""
    rows = [WhatIf(rid, value, year, energy_kwh * value / units.G_PER_KG) for rid, value, year in intensities]
    return sorted(rows, key=lambda r: (r.co2e_kg, r.region_id))
