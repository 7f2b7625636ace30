"""Filters, tables, labels and the efficiency chart of the Hardware page, as plain functions.

Nothing here calls Streamlit: each function takes the rows of :func:`app.cached.hardware_frame`
(one per device) or a device of the database and returns a DataFrame, a figure or a text, so the
page script only reads widgets and draws, and these are tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from app import components, safe
from wattprint.commands.hardware import device_to_dict
from wattprint.db.schema import PRECISION_FIELDS, Device

if TYPE_CHECKING:  # plotly is imported by trend_figure only
    import plotly.graph_objects as go

ALL = "All"
DEFAULT_DEVICE = "nvidia-h100-sxm5-80gb"
"""The device the "One device" section opens on when the filters keep it."""
DEFAULT_PRECISION = "fp32_tflops"

PAGE_CAPTION = (
    "Accelerators and CPUs with their thermal design power (TDP), dense peak throughput per "
    "precision (no sparsity), memory and release date. Every figure cites its source."
)
NO_MATCH = "No device matches these filters; clear the search or widen the year range."

PRECISION_LABELS = {  # short name of each precision field
    "fp64_tflops": "FP64",
    "fp32_tflops": "FP32",
    "tf32_tflops": "TF32",
    "bf16_tflops": "BF16",
    "fp16_tflops": "FP16",
    "fp8_tflops": "FP8",
    "fp4_tflops": "FP4",
    "int8_tops": "INT8",
}


def throughput_unit(field: str) -> str:
    """``TOPS`` for an integer precision field (``int8_tops``), else ``TFLOPS``."""
    return "TOPS" if field.endswith("tops") else "TFLOPS"


def efficiency_unit(field: str) -> str:
    """``GOPS/W`` for an integer precision field, else ``GFLOPS/W``."""
    return "GOPS/W" if field.endswith("tops") else "GFLOPS/W"


def efficiency_column(field: str) -> str:
    """Column of :func:`cached.hardware_frame` holding the derived efficiency of a precision."""
    unit = "gops_per_w" if field.endswith("tops") else "gflops_per_w"
    return field.rsplit("_", 1)[0] + "_" + unit


FACT_LABELS = {  # label and unit of each cited fact of a device
    "tdp_w": ("TDP", "W"),
    "cores": ("Cores", "-"),
    "memory_gb": ("Memory", "GB"),
    "memory_bandwidth_gb_s": ("Memory bandwidth", "GB/s"),
    "embodied_kgco2e": ("Embodied, lower bound (dies and memory)", "kgCO2e"),
    "embodied_product_kgco2e": ("Embodied, whole product", "kgCO2e"),
    **{name: (f"{label} dense", throughput_unit(name)) for name, label in PRECISION_LABELS.items()},
}
TABLE_COLUMNS = {  # column of the hardware frame -> heading in the devices table
    "id": "id",
    "name": "Name",
    "vendor": "Vendor",
    "kind": "Kind",
    "release_date": "Released",
    "tdp_w": "TDP [W]",
    **{name: f"{PRECISION_LABELS[name]} [{throughput_unit(name)}]" for name in PRECISION_FIELDS},
    "memory_gb": "Memory [GB]",
    "memory_bandwidth_gb_s": "Bandwidth [GB/s]",
    "tdp_source": "TDP source",
}


# ---- filters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """The values each filter offers: kinds, vendors and the span of release years."""

    kinds: list[str]
    vendors: list[str]
    first_year: int
    last_year: int


def filter_choices(frame: pd.DataFrame) -> FilterChoices:
    """Kinds and vendors found in ``frame`` (sorted) and its first and last release year."""
    years = frame["release_year"].dropna()
    return FilterChoices(
        kinds=sorted(frame["kind"].unique()),
        vendors=sorted(frame["vendor"].unique()),
        first_year=int(years.min()),
        last_year=int(years.max()),
    )


@dataclass(frozen=True)
class HardwareFilters:
    """What the filters ask for; :data:`ALL` (or an empty search, or no year range) keeps every row."""

    kind: str = ALL
    vendor: str = ALL
    search: str = ""
    years: tuple[int, int] | None = None
    """First and last release year kept (both included)."""
    include_undated: bool = True


def filtered(frame: pd.DataFrame, filters: HardwareFilters) -> pd.DataFrame:
    """The devices of ``frame`` the filters keep (search: a case-blind substring of the id, the
    name or an alias); a device without a release date is kept only with ``include_undated``."""
    chosen = frame
    if filters.kind != ALL:
        chosen = chosen[chosen["kind"] == filters.kind]
    if filters.vendor != ALL:
        chosen = chosen[chosen["vendor"] == filters.vendor]
    needle = filters.search.strip().lower()
    if needle:
        haystack = chosen["id"] + "\n" + chosen["name"].str.lower() + "\n" + chosen["aliases"].str.lower()
        chosen = chosen[haystack.str.contains(needle, regex=False)]
    if filters.years is not None:
        first, last = filters.years
        in_range = chosen["release_year"].between(first, last).fillna(False).astype(bool)
        undated = chosen["release_year"].isna()
        chosen = chosen[in_range | (undated & filters.include_undated)]
    return chosen


def count_heading(chosen: pd.DataFrame, frame: pd.DataFrame) -> str:
    """``"12 of 140 devices"``: how many devices the filters keep."""
    return f"{len(chosen)} of {len(frame)} devices"


def headline_counts(chosen: pd.DataFrame, frame: pd.DataFrame) -> dict[str, str]:
    """The page's figures, label -> value: the devices the filters keep, by kind, and how many of
    them have an embodied-carbon figure."""
    cpus = int((chosen["kind"] == "cpu").sum())
    return {
        "Devices listed": f"{len(chosen):,} of {len(frame):,}",
        "Accelerators": f"{len(chosen) - cpus:,}",
        "CPUs": f"{cpus:,}",
        "With an embodied figure": f"{int(chosen['embodied_kgco2e'].notna().sum()):,}",
    }


def device_table(chosen: pd.DataFrame) -> pd.DataFrame:
    """The devices table: the columns of :data:`TABLE_COLUMNS`, with units in the headings."""
    shown = chosen.assign(
        vendor=chosen["vendor"].map(components.vendor_name), kind=chosen["kind"].map(components.kind_name)
    )
    return shown[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)


# ---- efficiency trend ------------------------------------------------------------------------------


def trend_rows(
    frame: pd.DataFrame, chosen: pd.DataFrame, precision: str, only_filtered: bool
) -> pd.DataFrame:
    """The devices to plot: those with a ``precision`` figure and a release date, of the table
    (``only_filtered``) or of the whole database."""
    return (chosen if only_filtered else frame).dropna(subset=[efficiency_column(precision), "release"])


def no_trend_text(precision: str) -> str:
    """Shown instead of the chart when no device has what it needs."""
    return f"No device here has both a {PRECISION_LABELS[precision]} figure and a release date."


def trend_figure(plotted: pd.DataFrame, precision: str) -> go.Figure:
    """Efficiency [GFLOPS/W or GOPS/W] of ``precision`` against release date, log scale, one colour
    and symbol per vendor. Names and vendors are HTML-escaped: plotly draws tags such as ``<b>`` or
    ``<a href>`` in hover labels and legends."""
    import plotly.express as px

    plotted = plotted.assign(
        name=safe.chart_texts(plotted["name"]),
        vendor=safe.chart_texts(plotted["vendor"].map(components.vendor_name)),
    )

    efficiency = efficiency_column(precision)
    label = PRECISION_LABELS[precision]
    figure = px.scatter(
        plotted,
        x="release",
        y=efficiency,
        color="vendor",
        symbol="vendor",
        # 24 distinct dark colours (and a symbol per vendor): no two vendors look alike on white.
        color_discrete_sequence=px.colors.qualitative.Dark24,
        log_y=True,
        hover_name="name",
        hover_data={"id": True, "tdp_w": True, precision: True, "release": False, "vendor": False},
        labels={
            "release": "Release date",
            efficiency: f"{label} efficiency [{efficiency_unit(precision)}]",
            "tdp_w": "TDP [W]",
            precision: f"{label} [{throughput_unit(precision)}]",
            "vendor": "Vendor",
        },
    )
    figure.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "h", "y": -0.2})
    return figure


def trend_caption(count: int, precision: str) -> str:
    """Under the chart: what efficiency means here and where the trend comes from."""
    return (
        f"{count} devices. Efficiency = dense peak {PRECISION_LABELS[precision]} throughput / TDP, "
        "a hardware upper bound: real jobs run below peak. The trend is the one Henderson et al. (2020), "
        '"Towards the Systematic Reporting of the Energy and Carbon Footprints of Machine Learning", '
        'JMLR 21(248), tabulate, and that Lacoste et al. (2019), "Quantifying the Carbon Emissions of '
        'Machine Learning", Appendix B, list for GPUs and TPUs.'
    )


# ---- one device ------------------------------------------------------------------------------------


def detail_options(chosen: pd.DataFrame, frame: pd.DataFrame) -> list[str]:
    """The devices the "One device" picker offers: those of the table, else every device."""
    return list(chosen["id"]) or list(frame["id"])


def default_index(options: list[str]) -> int:
    """Where the picker opens: :data:`DEFAULT_DEVICE` when offered, else the first."""
    return options.index(DEFAULT_DEVICE) if DEFAULT_DEVICE in options else 0


def fact_table(device: Device, sources: dict[str, Any]) -> pd.DataFrame:
    """Every fact of a device with its unit, year and source (publisher, title, URL), then the
    derived efficiency of each precision (peak throughput / TDP)."""
    data = device_to_dict(device, sources)
    facts = []
    for field, (label, unit) in FACT_LABELS.items():
        value = data.get(field)
        if value is None:
            continue
        cite = data["sources"].get(field, {})
        title = cite.get("title")
        if isinstance(value, dict):  # the whole-product embodied figure carries its own citation
            cite, value = value, value["value"]
            title = f"{cite['basis_words']}: {cite.get('title', cite['source'])}"
        facts.append(
            {
                "Quantity": label,
                "Value": value,
                "Unit": unit,
                "Year": cite.get("year"),
                "Publisher": cite.get("publisher", cite.get("source")),
                "Title": title,
                "URL": cite.get("url"),
            }
        )
    for field in PRECISION_FIELDS:
        value = data.get(efficiency_column(field))
        if value is not None:
            facts.append(
                {
                    "Quantity": f"{PRECISION_LABELS[field]} efficiency",
                    "Value": round(value, 2),
                    "Unit": efficiency_unit(field),
                    "Year": None,
                    "Publisher": "derived",
                    "Title": "peak throughput / TDP",
                    "URL": None,
                }
            )
    return pd.DataFrame(facts)


def properties_table(device: Device) -> pd.DataFrame:
    """Kind, vendor, form factor, release date, aliases and configurable power of a device."""
    details = {
        "Kind": components.kind_name(device.kind),
        "Vendor": components.vendor_name(device.vendor),
        "Form factor": device.form_factor or "-",
        "Released": device.release_date or "unknown",
        "Aliases": ", ".join(device.aliases) or "-",
    }
    if device.power_range_w is not None:
        details["Configurable power"] = f"{device.power_range_w.min:g}-{device.power_range_w.max:g} W"
    return pd.DataFrame({"Property": list(details), "Value": list(details.values())})
