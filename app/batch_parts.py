"""The Batch audit page's work, apart from its widgets: pricing a jobs file with canonical
hardware and region ids and each row's intensity basis and year, the grouping choices, the
grouped table and chart, and the texts the page shows. Each takes data and returns data, a
figure or text, so it is tested without a browser; the column configurations are plain dicts
(``streamlit.column_config`` builds them and draws nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from streamlit import column_config

from app import audit, components
from wattprint.db import exports
from wattprint.db.loader import Databases
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.engine import batch

TOP_GROUPS = 15
"""Groups drawn in the chart (the table has them all)."""
MONTH = "month (from month or start)"
HARDWARE = "hardware (aliases merged)"
REGION = "region (aliases merged)"
GROUP_KEYS = {HARDWARE: "hardware_id", REGION: "region_id", MONTH: "month"}
"""The results column behind each grouping choice that is not an upload column itself."""
CANONICAL = (("hardware", "hardware_id"), ("region", "region_id"))
"""Each input column and the column of its canonical id, added to the results for grouping."""
RESULTS_FIRST = (
    "line",
    "name",
    "co2e_kg",
    "energy_kwh",
    "intensity_g_per_kwh_used",
    "intensity_basis",
    "intensity_year",
    "error",
)
COLUMN_LABELS = {
    "co2e_kg": column_config.Column("CO₂e [kg]"),
    "energy_kwh": column_config.Column("Energy [kWh]"),
    "it_energy_kwh": column_config.Column("IT energy [kWh]"),
    "intensity_g_per_kwh_used": column_config.Column("Intensity used [gCO₂e/kWh]"),
    "intensity_basis": column_config.TextColumn("Intensity basis"),
    "intensity_year": column_config.Column("Intensity year"),
    "error": column_config.TextColumn("Error"),
}
FORMATS = {
    "co2e_kg": "{:,.3f}",
    "energy_kwh": "{:,.3f}",
    "it_energy_kwh": "{:,.3f}",
    "line": "{:.0f}",
    "intensity_year": "{:.0f}",
}
GROUP_FORMATS = {**FORMATS, "device_hours_used": "{:,.1f}"}
MAX_STEM_CHARS = 60
"""Longest part of the upload's name kept in a download's name [characters]."""


EXAMPLE_NAME = "wattprint-example-jobs.csv"
# A made-up lab's month: ids and aliases as the database knows them, two users, two projects.
EXAMPLE_ROWS = (
    ("pretrain-7b", "nvidia-h100-sxm5-80gb", "aws:us-east-1", 64, 336, "alice", "llm", "2026-03-02"),
    ("finetune-7b", "NVIDIA H100 80GB HBM3", "gcp:europe-west6", 8, 20, "alice", "llm", "2026-03-20"),
    ("vit-sweep", "nvidia-a100-sxm4-40gb", "azure:westeurope", 16, 48, "bob", "vision", "2026-03-05"),
    ("vit-eval", "Tesla V100-SXM2-16GB", "country:FR", 2, 6, "bob", "vision", "2026-03-28"),
)


def example_csv() -> bytes:
    """A small jobs file in the page's format, to try the audit or to start one's own from."""
    frame = pd.DataFrame(
        EXAMPLE_ROWS, columns=["name", "hardware", "region", "count", "hours", "user", "project", "start"]
    )
    return exports.safe_csv(frame).encode("utf-8")


def codecarbon_notice(name: str) -> str:
    """Markdown (the name escaped): the upload is a CodeCarbon file, for the other page."""
    return components.plain(
        f"{name} is a CodeCarbon emissions file (measured runs, not job descriptions): "
        "open it on the CodeCarbon page."
    )


def priced(jobs: pd.DataFrame, databases: Databases, tables: batch.BatchTables | None = None) -> pd.DataFrame:
    """Each job of ``jobs`` estimated (:func:`wattprint.engine.batch.estimate_frame`, on
    ``tables`` or those of ``databases``), with the canonical ``hardware_id`` and ``region_id`` of
    its hardware and region (so aliases such as "NVIDIA H100" group with their id; None where the
    upload has no such column) and the basis and year of its intensity
    (:func:`app.audit.intensity_provenance`)."""
    results = batch.estimate_frame(jobs, tables if tables is not None else batch.build_tables(databases))
    aliases = {
        "hardware": {k.lower(): v for k, v in databases.hardware.names.items()},
        "region": {k.lower(): v for k, v in databases.regions.names.items()},
    }
    for given, canonical in CANONICAL:
        names = aliases[given]
        # The engine keeps only the input columns the upload has: no column, no id.
        results[canonical] = (
            results[given].map(lambda v, names=names: names.get(v.lower(), v) if isinstance(v, str) else None)
            if given in results.columns
            else pd.Series(None, index=results.index, dtype=object)
        )
    return results.join(audit.intensity_provenance(results, databases.regions))


def without_ids(results: pd.DataFrame) -> pd.DataFrame:
    """``results`` without the canonical id columns added for grouping (as shown and downloaded)."""
    return results.drop(columns=[canonical for _, canonical in CANONICAL])


def basis_caption(results: pd.DataFrame) -> str:
    """The line under the totals: the basis and years of the rows' intensities, and how many
    rows gave their own intensity of unstated basis."""
    years = results["intensity_year"].dropna()
    given = int((results["intensity_basis"] == audit.GIVEN_BASIS).sum())
    span = ""
    if len(years):
        first, last = int(years.min()), int(years.max())
        span = f", years {first}-{last}" if first != last else f", year {first}"
    return (
        f"Rows with a region are priced on its {DEFAULT_BASIS} grid intensity"
        + span
        + " (each row's basis and year are in the table)."
        + (
            f" {given:,} row(s) give their own intensity, whose basis the file does not state: their CO₂e "
            "is added to the total but is not on the same footing."
            if given
            else ""
        )
    )


def borrowed_notice(results: pd.DataFrame, tables: batch.BatchTables) -> str:
    """Words on the rows priced on a larger area's figure (a US state on the national one,
    :func:`wattprint.engine.batch.borrowed_regions`); "" when there are none."""
    found = batch.borrowed_regions(batch.borrowed_summary(results, tables), tables)
    words = batch.borrowed_words(found, batch.totals(results).co2e_kg)
    return words.replace("CO2e", "CO₂e")  # as the page writes it


def failed_rows(results: pd.DataFrame) -> pd.DataFrame:
    """The line and reason of each row that failed."""
    return results.loc[results["error"].fillna("") != "", ["line", "error"]]


# ---- grouping ------------------------------------------------------------------------------------


def group_options(upload_columns: Sequence[str], results: pd.DataFrame) -> list[str]:
    """The "Group by" choices: the upload's columns (hardware and region by canonical id, month
    and start as one month choice when they give a month); never the row's line number."""
    options = []
    for column in upload_columns:
        if column == "line":
            continue
        if column == "hardware":
            options.append(HARDWARE)
        elif column == "region":
            options.append(REGION)
        elif column not in ("month", "start"):
            options.append(column)
    if batch.month_of(results) is not None:
        options.append(MONTH)
    return options


def default_group(options: Sequence[str]) -> str:
    """Hardware, else region, else month, else the first upload column."""
    return next((o for o in (HARDWARE, REGION, MONTH) if o in options), options[0])


def group_key(choice: str) -> str:
    """The results column that the "Group by" ``choice`` groups on."""
    return GROUP_KEYS.get(choice, choice)


def grouped(results: pd.DataFrame, column: str) -> pd.DataFrame:
    """:func:`wattprint.engine.batch.summarize` of ``results`` by ``column``, its keys as text."""
    summary = batch.summarize(results, column)
    summary[column] = summary[column].astype(str)
    return summary


def group_chart(summary: pd.DataFrame, column: str, choice: str) -> go.Figure:
    """Horizontal bars of the CO₂e of the largest :data:`TOP_GROUPS` groups, largest on top."""
    top = summary.head(TOP_GROUPS)
    chart = px.bar(
        top.iloc[::-1],
        x="co2e_kg",
        y=column,
        orientation="h",
        labels={"co2e_kg": "CO₂e [kg]", column: choice},
        hover_data={"jobs": True, "energy_kwh": ":,.2f"},
        color_discrete_sequence=[components.GREEN],
    )
    chart.update_yaxes(type="category", automargin=True)
    chart.update_layout(height=max(260, 28 * len(top) + 80), margin={"l": 10, "r": 10, "t": 10, "b": 40})
    return chart


def top_caption(summary: pd.DataFrame) -> str | None:
    """Says the chart shows only the largest groups, when there are more; else None."""
    if len(summary) <= TOP_GROUPS:
        return None
    return f"The {TOP_GROUPS} largest of {len(summary):,} groups; all are in the table."


def group_columns(column: str, choice: str) -> dict[str, Any]:
    """Column headings of the grouped table, the group column named as chosen."""
    return {
        column: column_config.TextColumn(choice),
        "co2e_kg": COLUMN_LABELS["co2e_kg"],
        "energy_kwh": COLUMN_LABELS["energy_kwh"],
        "it_energy_kwh": COLUMN_LABELS["it_energy_kwh"],
        "device_hours_used": column_config.Column("Device-hours"),
    }


def file_stem(upload_name: str) -> str:
    """The start of a download's name: the upload's name without its suffix, cut short."""
    return upload_name.rsplit(".", 1)[0][:MAX_STEM_CHARS] or "batch"


def flagged(results: pd.DataFrame) -> pd.DataFrame:
    """The rows flagged for review (:func:`wattprint.engine.batch.flagged_rows`: over 30 days,
    over 1,024 devices, top 0.1% of energy), each with its share of the energy."""
    totals = batch.totals(results)
    valid = totals.jobs - totals.failed
    candidates = batch.flag_candidates(results, batch.top_energy_count(valid) + 1)
    return batch.flagged_rows(candidates, valid, totals.energy_kwh)


def flag_notice(rows: pd.DataFrame, results: pd.DataFrame) -> str:
    """The line above the flagged rows: how many, their share of the energy, what to check."""
    energy = batch.totals(results).energy_kwh
    share = float(rows["energy_kwh"].sum()) / energy if energy > 0 else 0.0
    return (
        f"{len(rows):,} row(s) flagged for review: over 30 days, over 1,024 devices or in the top 0.1% "
        f"of energy. Together {share:.1%} of the energy. Check them before you use the totals."
    )


FLAG_TABLE = [
    "line",
    "name",
    "hardware",
    "region",
    "devices",
    "duration_h_used",
    "energy_kwh",
    "share_of_energy",
    "reason",
]
