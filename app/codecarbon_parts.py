"""The CodeCarbon import page's work, apart from its widgets: reading the uploaded files, naming
and locating the runs, re-pricing them, the by-project table and chart, the runs table and the
texts the page shows. Each takes data and returns data, a figure or text, so it is tested
without a browser; the column configurations are plain dicts (``streamlit.column_config``
builds them and draws nothing)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from streamlit import column_config

from app import audit, components
from wattprint.db import codecarbon as codecarbon_files
from wattprint.db.loader import RegionDB, Resolved
from wattprint.engine import codecarbon, units
from wattprint.errors import WattprintError

REGION_PUE = "The region's PUE"
SAME_PUE = "As measured (no overhead added)"
OWN_PUE = "Apply a PUE"
PUE_CHOICES = (REGION_PUE, SAME_PUE, OWN_PUE)
PUE_MODES = {REGION_PUE: "region", SAME_PUE: "measured", OWN_PUE: "given"}
NO_PROJECT = "(no project)"
WORLD = "world:WORLD"
"""The region the page opens on when no file names a region in the database."""
MAX_WARNINGS_SHOWN = 10
MAX_REPEATS_SHOWN = 5
RUNS_FIRST = (
    "run",
    "project_name",
    "energy_kwh",
    "codecarbon_co2e_kg",
    "own_region",
    "own_region_co2e_kg",
    "own_region_basis",
    "own_region_year",
    "ran_year",
    "co2e_kg",
    "duration_h",
)
RUNS_FORMATS = {
    "duration_h": "{:.3f}",
    "rows": "{:.0f}",
    "own_region_year": "{:.0f}",
    "ran_year": "{:.0f}",
}


# ---- reading the uploads -------------------------------------------------------------------------


@dataclass(frozen=True)
class Uploads:
    """What the uploaded files gave: the files read, the files refused with their reason, and
    the lines each read file skipped or repaired."""

    parsed: tuple[codecarbon_files.EmissionsFile, ...]
    failed: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]


def read_uploads(files: Iterable[tuple[str, bytes]]) -> Uploads:
    """Each ``(name, bytes)`` parsed as a CodeCarbon emissions.csv; a file too large, not UTF-8,
    not CodeCarbon's or without a row with energy is refused with its reason, and the others kept."""
    parsed: list[codecarbon_files.EmissionsFile] = []
    failed: list[tuple[str, str]] = []
    warnings: list[str] = []
    for name, data in files:
        if len(data) > codecarbon_files.MAX_FILE_BYTES:
            failed.append((name, f"larger than {codecarbon_files.MAX_FILE_BYTES // 2**20} MiB"))
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            failed.append((name, "not UTF-8 text (is it a CodeCarbon emissions.csv?)"))
            continue
        try:
            one = codecarbon_files.parse_emissions(text, name)
        except WattprintError as error:
            failed.append((name, str(error).removeprefix(f"{name}: ")))
            continue
        warnings.extend(one.warnings)
        if one.rows.empty:
            failed.append((name, "No CodeCarbon rows with energy in this file"))
            continue
        parsed.append(one)
    return Uploads(tuple(parsed), tuple(failed), tuple(warnings))


def failed_message(uploads: Uploads, files: int) -> str:
    """Markdown (user text escaped) listing the refused files and why, out of ``files``."""
    head = f"{len(uploads.failed)} of {files} files not imported" + (
        " (the others are):" if uploads.parsed else ":"
    )
    return (
        components.plain(head)
        + "\n\n"
        + "\n".join(
            f"- {components.plain(name)}: {components.plain(reason)}" for name, reason in uploads.failed
        )
    )


def warnings_message(warnings: Sequence[str]) -> str:
    """Markdown listing the first lines skipped or repaired, and how many more there are."""
    more = len(warnings) - MAX_WARNINGS_SHOWN
    return (
        f"{len(warnings)} line{'' if len(warnings) == 1 else 's'} skipped or repaired:\n\n"
        + "\n".join(f"- {components.plain(w)}" for w in warnings[:MAX_WARNINGS_SHOWN])
        + (f"\n\nand {more} more." if more > 0 else "")
    )


# ---- the runs ------------------------------------------------------------------------------------


def own_region(row: Mapping[str, object], names: Mapping[str, str]) -> str | None:
    """The region a run says it ran in (:func:`wattprint.engine.codecarbon.own_region`)."""
    return codecarbon.own_region(row, names)


UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
# Longest project and run name in a run's label [characters]: a label stays under 40.
PROJECT_CHARS = 14
ID_CHARS = 22


def run_label(row: Mapping[str, Any] | pd.Series) -> str:
    """A short, readable run name: project and the first 8 characters of a UUID run id, else
    the run's name (``emissions.csv:5``, a file and first line, when it has no id) cut short."""
    project = str(row["project_name"]) if isinstance(row["project_name"], str) else NO_PROJECT
    run_id = str(row["run_id"])
    short = run_id[:8] if UUID.fullmatch(run_id) else shorten(run_id, ID_CHARS)
    return f"{shorten(project, PROJECT_CHARS)} · {short}"


def shorten(text: str, limit: int) -> str:
    """``text`` cut in the middle to at most ``limit`` characters (both ends kept: a file
    name's start and its line number)."""
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "…" + text[-(limit - 1 - half) :]


def named_runs(parsed: Iterable[codecarbon_files.EmissionsFile], names: Mapping[str, str]) -> pd.DataFrame:
    """One row per run of all the files (:func:`wattprint.engine.codecarbon.runs`), with the region
    it ran in (``own_region``, from ``names``, the region database's aliases) and a short label
    (``run``)."""
    runs = codecarbon.runs(pd.concat([p.rows for p in parsed], ignore_index=True))
    runs["own_region"] = [own_region(run, names) for run in runs.to_dict("records")]
    runs["ran_year"] = codecarbon.run_years(runs)
    runs["run"] = runs.apply(run_label, axis=1)
    return runs


def repeated_message(runs: pd.DataFrame) -> str | None:
    """Markdown warning of run ids found in more than one file (counted once per file, copies
    included), naming the first few and their files; None when every id is in one file.

    Runs are keyed within each file: one run id in several files (a copied or appended log) is
    counted once per file. The page says so rather than guess which copy is right."""
    repeated = runs[runs["run_id"].duplicated(keep=False)]
    if repeated.empty:
        return None
    groups = list(repeated.groupby("run_id", sort=False))[:MAX_REPEATS_SHOWN]
    return (
        f"{repeated['run_id'].nunique():,} run id(s) appear in more than one file and are counted once "
        "per file (the totals include every copy); remove a file if it copies another: "
        + components.plain(
            "; ".join(
                f"{run_id[:8]} in {', '.join(sorted(set(group['file'].astype(str))))}"
                for run_id, group in groups
            )
        )
    )


def default_region(runs: pd.DataFrame, region_ids: Sequence[str]) -> str:
    """The region where the most energy ran (of the runs' own regions), else the world, else
    the first of ``region_ids`` when that is not in the database either."""
    known = runs.dropna(subset=["own_region"])
    chosen = str(known.groupby("own_region")["energy_kwh"].sum().idxmax()) if not known.empty else WORLD
    return chosen if chosen in region_ids else region_ids[0]


# ---- re-pricing ----------------------------------------------------------------------------------


def where(intensity: Resolved) -> str:
    """The basis and year of an intensity, as named beside each figure: ``lifecycle basis, 2023``."""
    return f"{intensity.basis} basis, {intensity.year}"


def placed_runs(runs: pd.DataFrame, regions: RegionDB) -> pd.DataFrame:
    """``runs`` each priced as measured where it ran (``own_region_co2e_kg`` [kg] and the figure's
    intensity, basis, year and source: :func:`wattprint.engine.codecarbon.price_where_ran`)."""
    placed = runs if "ran_year" in runs.columns else runs.assign(ran_year=codecarbon.run_years(runs))
    return codecarbon.price_where_ran(placed, codecarbon_files.where_ran_figures(placed, regions))


def repriced_runs(
    runs: pd.DataFrame, intensity: Resolved, pue: float | None, regions: RegionDB
) -> pd.DataFrame:
    """``runs`` with the what-if ``co2e_kg`` at ``intensity`` [gCO2e/kWh] of ``what_if_energy_kwh``:
    the measured ``energy_kwh`` (kept as is), or when ``pue`` is given, its IT energy times ``pue``
    (``what_if_pue``; CodeCarbon's energy holds the file's PUE, 1.0 when absent:
    :func:`wattprint.engine.codecarbon.what_if_energy_kwh`). Each run is also priced as
    measured where its file says it ran, at its region's figure for the year it ran, else the
    latest (``own_region_co2e_kg``, with that figure's basis, year and source), NaN where the
    region has no intensity."""
    repriced = runs.copy() if "own_region_co2e_kg" in runs.columns else placed_runs(runs, regions)
    repriced["what_if_energy_kwh"] = codecarbon.what_if_energy_kwh(repriced, pue)
    repriced["what_if_pue"] = pue if pue is not None else repriced["pue"]
    repriced["co2e_kg"] = repriced["what_if_energy_kwh"] * intensity.value / units.G_PER_KG
    return repriced


def runs_words(count: int) -> str:
    """``1 run``, ``3 runs``."""
    return f"{count:,} run" + ("" if count == 1 else "s")


def where_ran_caption(summary: codecarbon.WhereRan, sources: Mapping[str, Any], files_pue: str) -> str:
    """The words under the headline: what both figures price, each one's source, basis and year,
    the runs wattprint could not place, and what the energy holds."""
    used = ", ".join(
        f"{components.plain(sources[key].publisher if key in sources else key)} {year} "
        f"({runs} run{'s' if runs != 1 else ''})"
        for key, year, runs in summary.sources
    )
    unpriced = summary.runs - summary.priced_runs
    return (
        f"{summary.runs:,} runs, {summary.energy_kwh:,.4g} kWh as CodeCarbon measured it ({files_pue}), "
        "each priced where its file says it ran. CodeCarbon's own figure uses CodeCarbon's intensity "
        "data for each run's place and time"
        + (
            f" (unknown for {summary.codecarbon_unknown_runs} runs)"
            if summary.codecarbon_unknown_runs
            else ""
        )
        + ". wattprint's: "
        + (
            f"{', '.join(summary.bases)} basis, {used}"
            if summary.priced_runs
            else "no run names a region it knows"
        )
        + (
            f"; {runs_words(unpriced)} ({summary.unpriced_energy_kwh:,.4g} kWh) "
            f"{'names' if unpriced == 1 else 'name'} no region with a figure and "
            f"{'is' if unpriced == 1 else 'are'} left out of it"
            if unpriced and summary.priced_runs
            else ""
        )
        + (
            f"; {runs_words(summary.other_year_runs)} priced at another year than they ran "
            "(none for theirs: the latest)"
            if summary.other_year_runs
            else ""
        )
        + ". Two sources, so the two figures are not ranked against each other."
    )


def price_caption(region: str, intensity: Resolved, pue: float | None, runs: pd.DataFrame) -> str:
    """The line under the re-price inputs: the intensity used, its basis, year and source
    region, the PUE, and the regions the files name."""
    known = sorted({str(r) for r in runs["own_region"].dropna()})
    return (
        f"{region}: {intensity.value:,.1f} gCO₂e/kWh (location-based, {where(intensity)}"
        + (f", from `{intensity.region_id}`" if intensity.region_id != region else "")
        + ")"
        + (f"; PUE {pue:.2f} applied to every run's IT energy" if pue is not None else "; PUE as measured")
        + ". Files' own regions: "
        + (", ".join(known) or "none recognised")
        + "."
    )


def total_caption(repriced: pd.DataFrame, intensity: Resolved) -> str | None:
    """The sum behind the total CO₂e, written out; None when there is no energy to price."""
    total_kwh = float(repriced["what_if_energy_kwh"].sum())
    if not (math.isfinite(total_kwh) and total_kwh > 0):
        return None
    return (
        f"{total_kwh:,.4g} kWh × {intensity.value:,.1f} g/kWh ({where(intensity)}) ÷ "
        f"{units.G_PER_KG:,.0f} g/kg = {total_kwh * intensity.value / units.G_PER_KG:,.4g} kg CO₂e."
    )


# ---- by project and per run ----------------------------------------------------------------------


def by_project(repriced: pd.DataFrame) -> pd.DataFrame:
    """Energy, CO₂e and number of runs per project (runs without one under "(no project)"),
    largest CO₂e first."""
    projects = repriced.assign(project=repriced["project_name"].astype(object).fillna(NO_PROJECT))
    table = (
        projects.groupby("project", as_index=False)[["energy_kwh", "co2e_kg"]]
        .sum()
        .sort_values("co2e_kg", ascending=False)
    )
    table["runs"] = table["project"].map(projects.groupby("project").size())
    return table


def project_chart(projects: pd.DataFrame, region: str, intensity: Resolved) -> go.Figure:
    """Horizontal bars of each project's CO₂e (largest on top), axis named with region, basis
    and year."""
    chart = px.bar(
        projects.iloc[::-1],
        x="co2e_kg",
        y="project",
        orientation="h",
        hover_data={"energy_kwh": ":,.4g", "runs": True},
        labels={
            "co2e_kg": f"What if all ran in {region}: CO₂e, {where(intensity)} [kg]",
            "project": "Project",
            "energy_kwh": "kWh",
        },
        color_discrete_sequence=[components.GREEN],
    )
    chart.update_yaxes(type="category", automargin=True)
    chart.update_layout(height=max(220, 36 * len(projects) + 80), margin={"l": 10, "r": 10, "t": 10, "b": 40})
    return chart


def runs_table(repriced: pd.DataFrame) -> pd.DataFrame:
    """The runs as shown: results first, empty columns dropped, durations rounded, the
    ``pue_from_file`` flag as yes/no."""
    return audit.readable(
        repriced.assign(
            duration_h=repriced["duration_h"].round(4),
            pue_from_file=repriced["pue_from_file"].map({True: "yes", False: "no"}),
        ),
        RUNS_FIRST,
    )


def runs_columns(region: str, intensity: Resolved) -> dict[str, Any]:
    """Column headings of the runs table, with units and the basis and year of the price."""
    return {
        "co2e_kg": column_config.Column(f"What if in {region} [kg] ({where(intensity)})"),
        "energy_kwh": column_config.Column("Energy [kWh]"),
        "codecarbon_co2e_kg": column_config.Column("CodeCarbon's CO₂e [kg]"),
        "own_region": column_config.Column("Ran in (from the file)"),
        "own_region_co2e_kg": column_config.Column("CO₂e where it ran [kg]"),
        "ran_year": column_config.Column("ran in (year)"),
        "own_region_basis": column_config.Column("its basis"),
        "own_region_year": column_config.Column("its year"),
        "duration_h": column_config.Column("Duration [h]"),
        "run_id": column_config.TextColumn("run id"),
    }
