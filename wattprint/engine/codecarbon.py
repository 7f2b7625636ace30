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

The headline is the runs as measured, where they ran (:func:`where_ran`): CodeCarbon's own figure
and each run's energy priced at its own region's figure for the year it ran (the latest when the
database has none for that year, counted). Pricing every run in one region is a what-if; there the
IT energy (``energy_kwh / pue`` of the file) may carry the target's PUE (:func:`what_if_energy_kwh`),
since CodeCarbon adds no facility overhead unless its ``pue`` parameter was set [3], [4].

References
----------
.. [1] CodeCarbon documentation, "Output" (emissions.csv fields and units),
   https://mlco2.github.io/codecarbon/output.html
.. [2] CodeCarbon, ``EmissionsTracker.start_task`` / ``stop_task`` and ``TaskEmissionsData``,
   https://github.com/mlco2/codecarbon
.. [3] CodeCarbon documentation, "Parameters" (``pue``: "PUE (Power Usage Effectiveness) of the
   data center where the experiment is being run", a factor the user provides),
   https://mlco2.github.io/codecarbon/parameters.html (source: mlco2/codecarbon,
   docs/edit/parameters.rst)
.. [4] CodeCarbon, README, "How?": the package estimates the hardware's electricity consumption
   (GPU + CPU + RAM) and applies the carbon intensity of the region where the computing is done,
   https://github.com/mlco2/codecarbon
"""

from __future__ import annotations

from collections.abc import Mapping
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


# ---- where each run ran, and the what-if's PUE ----------------------------------------------------

CODECARBON_ENERGY = (
    "CodeCarbon measures the IT energy of the machine it runs on (CPU, GPU and RAM) and adds no "
    "data-centre overhead of its own: it multiplies that energy by its pue parameter, which the user "
    "sets and which is 1.0 unless set (the file's pue column)"
)
"""What CodeCarbon's ``energy_consumed`` holds, in words (References [3], [4])."""
PUE_MODES = ("region", "measured", "given")
"""How the what-if treats facility overhead: the target region's PUE, the files' as measured, or
one given by the user."""


def own_region(row: Mapping[str, object], names: Mapping[str, str]) -> str | None:
    """The region a run (a row of :func:`runs`, from its file's last row) says it ran in: its cloud
    region when on a cloud (``aws:us-east-1``), else its country (ISO alpha-3, an alias of
    ``country:XX``); None if neither is in ``names`` (the region database's aliases)."""
    provider = str(row.get("cloud_provider") or "").strip().lower()
    cloud_region = str(row.get("cloud_region") or "").strip().lower()
    if provider and cloud_region and f"{provider}:{cloud_region}" in names:
        return names[f"{provider}:{cloud_region}"]
    country = str(row.get("country_iso_code") or "").strip().lower()
    return names.get(country) if country else None


def run_years(run_table: pd.DataFrame) -> pd.Series:
    """The calendar year (UTC) each run started, from its first row's timestamp; NA when unreadable."""
    when = pd.to_datetime(run_table["start"].astype(object), errors="coerce", utc=True, format="mixed")
    return when.dt.year.astype("Int64")


@dataclass(frozen=True)
class GridFigure:
    """A grid intensity [gCO2e/kWh] with its provenance: the entry that holds it (``region_id``),
    its ``year``, ``basis`` and ``source`` key."""

    intensity_g_per_kwh: float
    year: int
    basis: str
    source: str
    region_id: str


def price_where_ran(
    run_table: pd.DataFrame, figures: Mapping[tuple[str, int | None], GridFigure]
) -> pd.DataFrame:
    """``run_table`` (with ``own_region`` and ``ran_year`` columns) with each run's measured energy
    [kWh] priced where it ran: ``own_region_co2e_kg`` = ``energy_kwh`` x intensity / 1000, at
    ``figures[(own_region, ran_year)]``, and that figure's ``own_region_intensity_g_per_kwh``,
    ``own_region_year``, ``own_region_basis``, ``own_region_source``. NaN/None where the run has
    no region or the region no figure (never another place's figure)."""
    priced = run_table.copy()
    found = [
        figures.get((str(region), None if pd.isna(year) else int(year))) if isinstance(region, str) else None
        for region, year in zip(run_table["own_region"], run_table["ran_year"], strict=True)
    ]
    priced["own_region_intensity_g_per_kwh"] = [f.intensity_g_per_kwh if f else np.nan for f in found]
    priced["own_region_year"] = pd.array([f.year if f else None for f in found], dtype="Int64")
    priced["own_region_basis"] = [f.basis if f else None for f in found]
    priced["own_region_source"] = [f.source if f else None for f in found]
    priced["own_region_co2e_kg"] = (
        priced["energy_kwh"] * priced["own_region_intensity_g_per_kwh"] / units.G_PER_KG
    )
    return priced


@dataclass(frozen=True)
class WhereRan:
    """The runs as measured, where they ran: CodeCarbon's own figure and wattprint's re-pricing at
    each run's own region (energy [kWh], CO2e [kg])."""

    runs: int
    energy_kwh: float
    codecarbon_co2e_kg: float
    """Sum of CodeCarbon's figures of the runs that have one."""
    codecarbon_unknown_runs: int
    co2e_kg: float
    """Sum of wattprint's figures at each run's own region, over the ``priced_runs``."""
    priced_runs: int
    unpriced_energy_kwh: float
    """Energy of the runs wattprint could not place (no region it knows, or none with a figure)."""
    bases: tuple[str, ...]
    sources: tuple[tuple[str, int, int], ...]
    """(source key, year, runs) of the figures used, most runs first."""
    other_year_runs: int
    """Runs priced at a figure of another year than the one they ran in (or of unknown year)."""


def where_ran(priced: pd.DataFrame) -> WhereRan:
    """The totals of :func:`price_where_ran`'s table."""
    has = priced["own_region_co2e_kg"].notna()
    used = priced[has]
    counts = used.groupby(["own_region_source", "own_region_year"]).size().sort_values(ascending=False)
    other_year = (used["ran_year"].isna() | (used["ran_year"] != used["own_region_year"])).sum()
    return WhereRan(
        runs=len(priced),
        energy_kwh=float(priced["energy_kwh"].sum()),
        codecarbon_co2e_kg=float(priced["codecarbon_co2e_kg"].sum()),
        codecarbon_unknown_runs=int(priced["codecarbon_co2e_kg"].isna().sum()),
        co2e_kg=float(used["own_region_co2e_kg"].sum()),
        priced_runs=int(has.sum()),
        unpriced_energy_kwh=float(priced.loc[~has, "energy_kwh"].sum()),
        bases=tuple(sorted({str(b) for b in used["own_region_basis"]})),
        sources=_pairs(counts),
        other_year_runs=int(other_year),
    )


def _pairs(counts: pd.Series) -> tuple[tuple[str, int, int], ...]:
    """(source, year, runs) of a count indexed by (source, year)."""
    return tuple(
        (str(key[0]), int(str(key[1])), int(n)) for key, n in counts.items() if isinstance(key, tuple)
    )


def files_pue_words(run_table: pd.DataFrame) -> str:
    """The PUE already in the files' energy, in words: ``the files' pue column: 1.0`` or, when no
    file has the column, ``no pue column (1.0: no overhead)``."""
    given = run_table.loc[run_table["pue_from_file"].astype(bool), "pue"]
    missing = int((~run_table["pue_from_file"].astype(bool)).sum())
    if given.empty:
        return "no pue column in the files (1.0: no facility overhead)"
    values = ", ".join(f"{value:.2f}" for value in sorted(set(given.astype(float))))
    return f"the files' pue column: {values}" + (
        f"; {missing} run{'s' if missing != 1 else ''} without one: 1.00" if missing else ""
    )


def what_if_energy_kwh(run_table: pd.DataFrame, pue: float | None) -> pd.Series:
    """Each run's energy [kWh] for the what-if: as measured when ``pue`` is None, else its IT energy
    (``energy_kwh / pue`` of the file) times ``pue`` [-]."""
    if pue is None:
        return run_table["energy_kwh"].astype("float64")
    return run_table["energy_kwh"] / run_table["pue"] * pue


def what_if_pue_note(
    region_id: str,
    mode: str,
    files_pue: str,
    region_pue: float | None = None,
    region_pue_from: str | None = None,
    given_pue: float | None = None,
) -> str:
    """The what-if's PUE in words: whether CodeCarbon's energy holds facility overhead (it does not
    unless its pue parameter was set, ``files_pue``) and which PUE is applied in ``region_id``.

    ``mode`` is one of :data:`PUE_MODES`; ``region_pue`` [-] is the target's PUE (None when the
    database has none) and ``region_pue_from`` its provenance (``provider:aws, source, 2025``)."""
    head = (
        "CodeCarbon measures IT energy only and adds facility overhead only through its pue "
        f"parameter ({files_pue})"
    )
    if mode == "given" and given_pue is not None:
        return f"{head}; the what-if divides by the files' PUE and applies PUE {given_pue:g}, as given."
    if mode == "region" and region_pue is not None:
        return (
            f"{head}; the what-if divides by the files' PUE and applies {region_id}'s PUE "
            f"{region_pue:g} ({region_pue_from}), the overhead a job there would carry."
        )
    if region_pue is None:
        return (
            f"{head}; {region_id} has no PUE in the database, so the what-if prices the energy as "
            "measured (no facility overhead added); give a PUE to add one."
        )
    return (
        f"{head}; priced as measured, so the what-if leaves out {region_id}'s facility overhead "
        f"(its PUE {region_pue:g}, {region_pue_from})."
    )
