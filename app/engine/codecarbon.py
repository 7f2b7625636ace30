"""CodeCarbon runs: one total per run from the periodic rows, re-priced in any region and year.

Notes
-----
CodeCarbon's rows are cumulative, so a run's total is its last row: ``duration`` [s],
``energy_consumed`` [kWh], ``emissions`` [kg]. The energy is measured and kept as is: its PUE
is the file's ``pue`` column when present, else 1.0 (no facility overhead, CodeCarbon's
default). Re-pricing changes only the grid intensity::

    co2e_kg = energy_kwh x intensity_g_per_kwh / 1000

References
----------
.. [1] CodeCarbon documentation, "Output" (emissions.csv fields and units),
   https://mlco2.github.io/codecarbon/output.html
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.engine import units

RUN_COLUMNS = (
    "run_id",
    "project_name",
    "file",
    "rows",
    "start",
    "duration_h",
    "energy_kwh",
    "codecarbon_co2e_kg",
    "pue",
    "pue_from_file",
    "country_iso_code",
    "cloud_region",
    "gpu_model",
    "gpu_count",
    "codecarbon_version",
)


def run_keys(rows: pd.DataFrame) -> pd.Series:
    """A run key per row: ``run_id`` when present, else a new run where the project changes or
    the duration falls back (a restarted clock), within each file."""
    run_id = rows["run_id"] if "run_id" in rows.columns else pd.Series(None, index=rows.index)
    project = rows["project_name"].astype(object).fillna("")
    file = rows["file"].astype(object)
    restart = (
        (project != project.shift()) | (file != file.shift()) | (rows["duration"] < rows["duration"].shift())
    )
    sequence = restart.cumsum().astype(str)
    fallback = file.astype(str) + "#" + project.astype(str) + "#run" + sequence
    return run_id.astype(object).where(run_id.notna() & (run_id.astype(str) != ""), fallback)


def runs(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per run (its last row), with units in the names; see :data:`RUN_COLUMNS`."""
    if rows.empty:
        return pd.DataFrame(columns=list(RUN_COLUMNS))
    keyed = rows.assign(_run=run_keys(rows))
    grouped = keyed.groupby("_run", sort=False)
    last = grouped.tail(1).set_index("_run")
    counts = grouped.size()
    first_time = grouped["timestamp"].first() if "timestamp" in keyed.columns else None
    pue = last["pue"].astype("float64") if "pue" in last.columns else pd.Series(np.nan, index=last.index)
    out = pd.DataFrame(
        {
            "run_id": last.index.astype(str),
            "project_name": last["project_name"].to_numpy(),
            "file": last["file"].to_numpy(),
            "rows": counts.reindex(last.index).to_numpy(),
            "start": first_time.reindex(last.index).to_numpy() if first_time is not None else None,
            "duration_h": last["duration"].to_numpy(dtype="float64") / units.SECONDS_PER_HOUR,
            "energy_kwh": last["energy_consumed"].to_numpy(dtype="float64"),
            "codecarbon_co2e_kg": last["emissions"].to_numpy(dtype="float64"),
            "pue": pue.fillna(1.0).to_numpy(),
            "pue_from_file": pue.notna().to_numpy(),
            "country_iso_code": last["country_iso_code"].to_numpy(),
            "cloud_region": last["cloud_region"].to_numpy(),
            "gpu_model": last["gpu_model"].to_numpy(),
            "gpu_count": last["gpu_count"].to_numpy(),
            "codecarbon_version": last["codecarbon_version"].to_numpy(),
        }
    )
    return out.reset_index(drop=True)


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
