"""Cache wrappers for the web app: the engine and databases stay free of Streamlit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from app import components, state
from wattprint.db.loader import Databases, load_databases
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.db.tables import excluded_regions as _excluded_regions
from wattprint.db.tables import region_frame as _region_frame
from wattprint.engine.whatif import LOW_CARBON_THRESHOLD_G_PER_KWH
from wattprint.errors import WattprintError

if TYPE_CHECKING:
    from wattprint.engine.batch import BatchTables


@st.cache_resource(show_spinner=False)
def databases() -> Databases:
    """Both databases, loaded and validated once per server process."""
    return load_databases()


@st.cache_resource(show_spinner=False)
def batch_tables() -> BatchTables:
    """The batch engine's lookup tables of :func:`databases`, built once per server process."""
    from wattprint.engine.batch import build_tables  # imported by the batch pages only

    return build_tables(databases())


@st.cache_resource(show_spinner=False)
def region_frame(year: int | None = None, basis: str = DEFAULT_BASIS) -> pd.DataFrame:
    """One row per region with a figure of ``basis`` for ``year`` (None: each region's latest).
    Shared: do not mutate."""
    return _region_frame(databases().regions, year, basis)


@st.cache_resource(show_spinner=False)
def excluded_regions(year: int | None = None, basis: str = DEFAULT_BASIS) -> pd.DataFrame:
    """The regions :func:`region_frame` leaves out, with the reason. Shared: do not mutate."""
    return _excluded_regions(databases().regions, year, basis)


@st.cache_resource(show_spinner=False)
def takes_from() -> dict[str, str]:
    """A region without a default-basis figure -> the offered country whose figure it would take
    (``RegionDB.borrowed_note``): a US state or eGRID subregion -> country:US. Shared: do not mutate."""
    regions = databases().regions
    offered = set(region_ids()["grid"])
    found: dict[str, str] = {}
    for region_id in excluded_regions()["id"]:
        region = regions.regions[region_id]
        owner = f"country:{region.country}" if region.country else None
        if owner not in offered or owner == region_id:
            continue
        try:  # the same figure: the one the region would take is the country's own
            if regions.intensity(region_id).region_id == regions.intensity(owner).region_id:
                found[region_id] = owner
        except WattprintError:
            continue
    return found


@st.cache_resource(show_spinner=False)
def hardware_labels() -> dict[str, str]:
    """Hardware id -> "Name (id)" for searchable pickers, in id order."""
    devices = databases().hardware.devices
    return {key: f"{devices[key].name} · {key}" for key in sorted(devices)}


@st.cache_resource(show_spinner=False)
def hardware_groups() -> dict[str, list[str]]:
    """Hardware ids in id order: ``accelerators`` (GPUs, TPUs, NPUs, ...) and ``cpus``."""
    devices = databases().hardware.devices
    return {
        "accelerators": [key for key in sorted(devices) if devices[key].kind != "cpu"],
        "cpus": [key for key in sorted(devices) if devices[key].kind == "cpu"],
    }


@st.cache_resource(show_spinner=False)
def region_labels() -> dict[str, str]:
    """Region id -> label with its latest intensity of the default basis, that basis and year, and
    the low-carbon badge, in id order: ``"<id> · <name> (<value> g/kWh <basis> <year>, low carbon)"``."""
    frame = region_frame(None)
    labels = {}
    for row in frame.sort_values("id").itertuples():
        low = ", low carbon" if row.intensity_g_per_kwh <= LOW_CARBON_THRESHOLD_G_PER_KWH else ""
        figure = f"{row.intensity_g_per_kwh:,.0f} g/kWh {row.intensity_basis} {row.intensity_year}"
        labels[str(row.id)] = (
            f"{row.id} · {components.place_name(str(row.id), str(row.name))} ({figure}{low})"
        )
    return labels


@st.cache_resource(show_spinner=False)
def region_years(basis: str = DEFAULT_BASIS) -> list[int]:
    """Every year some region has a figure of ``basis`` for, ascending (for a comparison of many
    regions; a single region's own years are :meth:`wattprint.db.loader.RegionDB.intensity_years`)."""
    frame = region_frame(None, basis)
    years: set[int] = set()
    for region_id in frame["id"]:
        years.update(databases().regions.intensity_years(str(region_id), basis))
    return sorted(years)


# --------------------------------------------------------------------------------------------
# Data pages (hardware, time shifting)


@st.cache_data(show_spinner=False)
def hardware_frame() -> pd.DataFrame:
    """One row per device: every fact as a number, derived GFLOPS/W, release date as a timestamp."""
    from wattprint.commands.hardware import device_to_dict

    rows = []
    for device in databases().hardware.devices.values():
        row = device_to_dict(device)
        row.pop("sources")
        row["aliases"] = ", ".join(device.aliases)
        row.pop("embodied_inputs", None)
        row.pop("power_inputs", None)
        product = row.pop("embodied_product_kgco2e", None)
        row["embodied_product_kgco2e"] = product["value"] if product else None
        estimated = " (estimated power)" if device.tdp_w.basis in ("estimate", "model") else ""
        row["tdp_source"] = device.tdp_w.source + estimated
        rows.append(row)
    frame = pd.DataFrame(rows).sort_values("id", ignore_index=True)
    frame["release"] = pd.to_datetime(frame["release_date"], format="mixed", errors="coerce")
    frame["release_year"] = frame["release"].dt.year.astype("Int64")
    return frame


@st.cache_resource(show_spinner=False)
def hourly_profiles(basis: str = DEFAULT_BASIS) -> dict[str, Any]:
    """Region id -> the hourly series of ``basis`` linked to it or to a grid it sits on, for the
    regions that have one, in id order (the database's
    :meth:`~wattprint.db.loader.RegionDB.profile_for`). Shared: do not mutate."""
    db = databases().regions
    linked = {region_id: db.profile_for(region_id, basis=basis) for region_id in sorted(db.regions)}
    return {region_id: profile for region_id, profile in linked.items() if profile is not None}


@st.cache_data(show_spinner=False, max_entries=16)
def profile_series(profile_id: str) -> pd.Series:
    """A bundled intensity profile [gCO2e/kWh], UTC index."""
    from wattprint.db.series import load_profile

    db = databases().regions
    return load_profile(db.profile_path(db.profiles[profile_id]))


@st.cache_data(show_spinner=False, max_entries=8)
def uploaded_series(data: bytes, naive_timezone: str = "UTC") -> pd.Series:
    """A user's intensity CSV [gCO2e/kWh] read from its bytes."""
    from wattprint.db.series import read_user_series

    return read_user_series(data, naive_timezone=naive_timezone)


@st.cache_data(show_spinner=False, max_entries=64)
def shift_job(
    series_key: str,
    _series: pd.Series,
    method: Any,
    duration_h: float,
    flex_h: float,
    start_iso: str,
    gaps: Any,
    power_kw: float = 1.0,
) -> Any:
    """:func:`wattprint.engine.timeshift.shift` of one job; ``series_key`` names ``_series`` for the cache."""
    from wattprint.engine import timeshift

    return timeshift.shift(_series, method, duration_h, flex_h, start_iso, power_kw, gaps=gaps)


@st.cache_data(show_spinner=False, max_entries=64)
def savings_distribution(
    series_key: str, _series: pd.Series, method: Any, duration_h: float, flex_h: float, gaps: Any
) -> Any:
    """:func:`wattprint.engine.timeshift.savings_distribution` over every submission time of a series."""
    from wattprint.engine import timeshift

    return timeshift.savings_distribution(_series, method, duration_h, flex_h, gaps=gaps)


@st.cache_data(show_spinner=False, max_entries=32)
def savings_grid(
    series_key: str,
    _series: pd.Series,
    method: Any,
    durations_h: tuple[float, ...],
    flex_fractions: tuple[float, ...] | None,
    flex_hours: tuple[float, ...] | None,
    gaps: Any,
) -> pd.DataFrame:
    """:func:`wattprint.engine.timeshift.savings_grid` for one method (a heatmap's data)."""
    from wattprint.engine import timeshift

    return timeshift.savings_grid(
        _series, durations_h, flex_fractions, flex_hours, methods=(method,), gaps=gaps
    )


@st.cache_data(show_spinner=False, max_entries=32)
def plan_next_hours(
    series_key: str,
    _series: pd.Series,
    now_iso: str,
    duration_h: int,
    within_h: int,
    timezone: str,
    gaps: Any,
) -> Any:
    """:func:`wattprint.engine.timeshift.plan_next_hours` (per kW) of a series named by ``series_key``."""
    from wattprint.engine import timeshift

    return timeshift.plan_next_hours(_series, now_iso, duration_h, within_h, timezone, gaps=gaps)


@st.cache_data(show_spinner=False, max_entries=32)
def intensity_profiles(
    series_key: str, _series: pd.Series, timezone: str, gaps: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(daily, monthly) intensity profiles of a series [gCO2e/kWh]."""
    from wattprint.engine import timeshift

    return (
        timeshift.daily_profile(_series, timezone, gaps),
        timeshift.monthly_profile(_series, timezone, gaps),
    )


# --------------------------------------------------------------------------------------------
# Measure page


@st.cache_data(show_spinner=False, max_entries=8)
def measurement_log(data: bytes) -> tuple[Any, Any]:
    """(SavedLog, Measurement) of a JSONL measurement log given as bytes (an upload)."""
    import tempfile
    from pathlib import Path

    from wattprint.errors import MeasurementError
    from wattprint.measure import session

    with tempfile.TemporaryDirectory(prefix="wattprint-log-") as folder:
        path = Path(folder) / "upload.jsonl"
        path.write_bytes(data)
        try:
            saved = session.load_log(path)
        except MeasurementError as error:
            raise MeasurementError(str(error).replace(str(path), "the uploaded log")) from None
        return saved, session.summarise(saved)


@st.cache_data(show_spinner=False)
def demo_log_bytes(seconds: float = 30.0, interval_s: float = 0.1) -> bytes:
    """A JSONL log of the FAKE backend's demo trace, sampled against a simulated clock."""
    import tempfile
    from pathlib import Path

    from wattprint.measure.backends import FakeBackend
    from wattprint.measure.sampler import Sampler

    now = [0.0]

    def clock() -> float:
        return now[0]

    with tempfile.TemporaryDirectory(prefix="wattprint-demo-") as folder:
        path = Path(folder) / "demo.jsonl"
        sampler = Sampler(FakeBackend.demo(clock), clock=clock, interval_s=interval_s, log_path=path)
        sampler.begin_window("demo")
        for _ in range(round(seconds / interval_s)):
            now[0] += interval_s
            sampler.sample_once()
        sampler.end_window("demo")
        sampler.close()
        return path.read_bytes()


# --------------------------------------------------------------------------------------------
# The job


@st.cache_resource(show_spinner=False)
def region_ids() -> dict[str, list[str]]:
    """Region ids by what the calculator offers: ``cloud`` regions and ``grid`` (countries, grids)."""
    frame = region_frame(None)
    return {
        "cloud": sorted(frame.loc[frame["kind"] == "cloud", "id"]),
        "grid": sorted(frame.loc[frame["kind"] != "cloud", "id"]),
    }


@st.cache_resource(show_spinner=False, max_entries=512)
def job_result(params: tuple[tuple[str, str], ...]) -> state.JobResult:
    """:func:`app.state.compute` of the job a query string describes. Shared: do not mutate."""
    values, _ = state.parse_params(dict(params))
    return state.compute(values, databases(), region_frame)
