"""Many jobs at once: one vectorised function over a table of jobs, and its summaries.

A batch is a :class:`pandas.DataFrame` with one job per row. Its columns mirror the options of
``wattprint estimate``, with units in their names (any subset that defines a job):

=======================  =====================================================================
column                   meaning
=======================  =====================================================================
``name``                 free text label
``hardware``             hardware id or alias (its TDP is the per-device power)
``count``                number of devices [-], default 1
``hours``                wall-clock duration [h]
``device_hours``         device-hours [h] (count x hours); give this or ``hours``
``power_w``              measured average draw of one device [W] (replaces TDP x utilization)
``total_power_w``        average draw of the whole machine [W]
``utilization``          average draw as a fraction of TDP [-], default 1.0
``pue``                  power usage effectiveness [-], default the region's, else 1.56
``region``               region id or alias
``year``                 year of the region's intensity, default the latest published
``intensity_g_per_kwh``  grid intensity [gCO2e/kWh] instead of a region
``cpu_power_w``          host CPU draw for the whole job [W], default 0
``memory_power_w``       memory draw for the whole job [W], default 0
``start`` / ``month``    when the job ran (for the summary by month)
=======================  =====================================================================

:func:`estimate_frame` keeps the input columns the frame has (an absent one is not added) and
adds ``energy_kwh``, ``it_energy_kwh``, ``co2e_kg``, ``pue_used``,
``intensity_g_per_kwh_used``, ``power_w_used``, ``device_hours_used``, ``duration_h_used`` and
``error``. It is pure and vectorised: the hardware TDP and region intensity and PUE are joined
from small lookup tables (:class:`BatchTables`, built once from the databases), so the same
function runs unchanged on each partition of a ``dask.dataframe``.

Notes
-----
The equations are those of :func:`wattprint.engine.footprint.estimate`, in the same order of floating
point operations, so each row equals the single estimate of the same job::

    power_w       = total_power_w                                   if given, else
                    count x (power_w or TDP x utilization) + cpu_power_w + memory_power_w
    duration_h    = hours, or device_hours / count
    it_energy_kwh = power_w x duration_h / 1000
    energy_kwh    = it_energy_kwh x PUE
    co2e_kg       = energy_kwh x intensity_g_per_kwh / 1000

A row that is invalid gets an ``error`` text naming each column at fault and why; its results are
NaN. An ``intensity_g_per_kwh`` strictly between 0 and 1 is refused as a likely kg/kWh figure
(no grid's intensity is below 1 gCO2e/kWh; 0 stays valid). Valid rows are computed regardless.
Embodied carbon and uncertainty ranges are left to the single-job estimate.

References
----------
.. [1] Strubell, Ganesh, McCallum (2019), "Energy and Policy Considerations for Deep Learning
   in NLP", ACL, eqs. 1-2. https://arxiv.org/abs/1906.02243
.. [2] Patterson et al. (2021), "Carbon Emissions and Large Neural Network Training",
   Section 2.5. https://arxiv.org/abs/2104.10350
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from wattprint.db.loader import Databases
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.engine import limits, units
from wattprint.engine.footprint import MAX_DEVICE_HOURS, MAX_DURATION_H
from wattprint.engine.jobspec import DEFAULT_PUE
from wattprint.errors import UnknownIdError

TEXT_COLUMNS = ("name", "hardware", "region")
LOOKUP_COLUMNS = ("hardware", "region")
"""Text columns looked up in the databases (few distinct values: factorized)."""
NUMBER_COLUMNS = (
    "count",
    "hours",
    "device_hours",
    "power_w",
    "total_power_w",
    "utilization",
    "pue",
    "year",
    "intensity_g_per_kwh",
    "cpu_power_w",
    "memory_power_w",
)
INPUT_COLUMNS = TEXT_COLUMNS + NUMBER_COLUMNS
"""Every column :func:`estimate_frame` reads; a batch needs at least one of them."""

TIME_COLUMNS = ("start", "month")
POSITION_COLUMNS = ("file", "line")

RESULT_COLUMNS = (
    "energy_kwh",
    "it_energy_kwh",
    "co2e_kg",
    "pue_used",
    "intensity_g_per_kwh_used",
    "power_w_used",
    "device_hours_used",
    "duration_h_used",
    "error",
)

MAX_POWER_W = 1e9
"""Largest power accepted in any power column [W] (1 GW), as for a single estimate."""
MAX_INTENSITY_G_PER_KWH = 5_000.0
"""Largest grid intensity accepted [gCO2e/kWh], as for a single estimate."""
MAX_CPU_MEMORY_POWER_W = 1e6
"""Largest ``cpu_power_w`` or ``memory_power_w`` accepted [W]."""
MAX_ENERGY_KWH = limits.MAX_ENERGY_KWH
"""Largest energy of one job [kWh]; beyond it (or on overflow to infinity) the row fails, so no
total is ever infinite (10 million such rows still sum to a finite 1e22 kWh)."""
OVERFLOW_MESSAGE = (
    f"energy_kwh: not a finite number below {MAX_ENERGY_KWH:g} kWh; "
    "check hours, device_hours, count and power"
)


@dataclass(frozen=True)
class BatchTables:
    """Small lookup tables built once from the databases for :func:`estimate_frame`.

    Parameters
    ----------
    hardware_tdp : dict
        Lower-cased hardware id or alias -> TDP [W].
    region_names : dict
        Lower-cased region id or alias -> region id.
    region_years : dict
        (region id, year) -> (intensity [gCO2e/kWh], PUE [-] or NaN when none is published) for
        every year with a published intensity (own or the grid's).
    region_latest : dict
        Region id -> (latest intensity [gCO2e/kWh], PUE [-] or NaN).
    region_valid_years : dict
        Region id -> its valid years as text, for error messages.
    hardware_ids, region_ids : tuple of str
        Every id, for the closest-id hints of unknown ids.
    region_borrowed : dict
        Region id -> the entry whose latest default-basis figure it takes, for regions that have
        none of their own (a US state on the national figure); :func:`borrowed_regions`.
    """

    hardware_tdp: dict[str, float]
    region_names: dict[str, str]
    region_years: dict[tuple[str, int], tuple[float, float]]
    region_latest: dict[str, tuple[float, float]]
    region_valid_years: dict[str, str]
    hardware_ids: tuple[str, ...] = ()
    region_ids: tuple[str, ...] = ()
    region_borrowed: dict[str, str] = field(default_factory=dict)


def build_tables(databases: Databases) -> BatchTables:
    """The lookup tables of ``databases`` (hardware TDP, region intensity and PUE by year).

    The PUE of a region for a year is :meth:`wattprint.db.loader.RegionDB.pue` (its own, else its
    provider's fleet value, the latest when that year is not published), as for one estimate.
    """
    hardware_tdp = {
        key: float(databases.hardware.devices[device_id].tdp_w.value)
        for key, device_id in databases.hardware.names.items()
    }
    regions = databases.regions
    region_years: dict[tuple[str, int], tuple[float, float]] = {}
    region_latest: dict[str, tuple[float, float]] = {}
    valid_years: dict[str, str] = {}
    borrowed: dict[str, str] = {}
    for region_id in regions.regions:
        series = regions.intensity_series(region_id)
        if not series:
            continue
        for fact in series:
            pue = regions.pue(region_id, fact.year)
            region_years[(region_id, fact.year)] = (float(fact.value), pue.value if pue else math.nan)
        latest = regions.intensity(region_id)
        pue_latest = regions.pue(region_id)
        region_latest[region_id] = (latest.value, pue_latest.value if pue_latest else math.nan)
        if regions.borrowed_note(region_id, latest.region_id):
            borrowed[region_id] = latest.region_id
        valid_years[region_id] = ", ".join(str(year) for year in sorted(fact.year for fact in series))
    return BatchTables(
        hardware_tdp=hardware_tdp,
        region_names=dict(regions.names),
        region_years=region_years,
        region_latest=region_latest,
        region_valid_years=valid_years,
        hardware_ids=tuple(sorted(databases.hardware.devices)),
        region_ids=tuple(sorted(regions.regions)),
        region_borrowed=borrowed,
    )


class _Errors:
    """Collects per-row error texts with vectorised masks."""

    def __init__(self, index: pd.Index) -> None:
        self.text = pd.Series("", index=index, dtype=object)

    def add(self, mask: Any, message: str | pd.Series | Callable[[Any], pd.Series]) -> None:
        """Append ``message`` to the rows of ``mask``; a callable gets the mask, is called only
        when some row is at fault and returns the texts of those rows."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        current = self.text[mask]
        if callable(message):
            piece: Any = message(mask).to_numpy(dtype=object)
        elif isinstance(message, pd.Series):
            piece = message[mask].to_numpy(dtype=object)
        else:
            piece = message
        prefix = np.where(current.to_numpy() == "", "", current.to_numpy() + "; ")
        self.text[mask] = prefix + piece


def _text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="str")
    column = frame[name]
    if not pd.api.types.is_string_dtype(column) or column.dtype == object:
        column = column.astype("str")
    stripped = column.str.strip()
    return stripped.where(stripped != "")


def _lookup(column: pd.Series, table: dict[str, Any], missing: Any = np.nan) -> tuple[np.ndarray, np.ndarray]:
    """(values, found) of ``table[value.lower()]`` for each value; computed once per distinct value."""
    codes, uniques = pd.factorize(column)
    looked = [table.get(str(value).lower(), missing) for value in uniques]
    found_unique = np.array([str(value).lower() in table for value in uniques] + [False], dtype=bool)
    values_unique = np.array(
        [*looked, missing], dtype=object if isinstance(missing, str) or missing is None else None
    )
    return values_unique[codes], found_unique[codes]


def _number_column(frame: pd.DataFrame, name: str, errors: _Errors) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    raw = frame[name]
    if pd.api.types.is_bool_dtype(raw):
        errors.add(np.ones(len(raw), dtype=bool), f"{name}: not a number")
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    if pd.api.types.is_numeric_dtype(raw):
        numbers: pd.Series = _no_negative_zero(raw.astype("float64"))
        return numbers
    text = raw.astype(object).where(raw.isna(), raw.astype(str).str.strip())
    text = text.where(text != "", np.nan)
    values: pd.Series = _no_negative_zero(pd.to_numeric(text, errors="coerce").astype("float64"))
    bad = values.isna() & text.notna()
    if bad.any():
        errors.add(
            bad,
            lambda mask: (
                f"{name}: not a number ("
                + text[mask].astype(str).str.slice(0, 40)
                + f"); {limits.FIELDS[name].valid}"
            ),
        )
    return values


def _limit_messages(name: str, values: pd.Series, mask: Any) -> pd.Series:
    """The refusals (:func:`wattprint.engine.limits.message`) of the rows of ``mask``."""
    messages: pd.Series = values[mask].map(partial(limits.message, name))
    return messages


def _fmt(values: pd.Series) -> pd.Series:
    return values.map(lambda v: f"{v:g}")


def estimate_frame_full(jobs: pd.DataFrame, tables: BatchTables) -> pd.DataFrame:
    """:func:`estimate_frame` by full validation of every row: the reference path.

    :func:`estimate_frame` sends only its suspect rows here and equals this function on every
    frame (tests/engine/test_batch_fast.py checks it on random frames). Overflow to infinity is
    caught per row (:data:`OVERFLOW_MESSAGE`), so numpy's warnings about it are silenced.
    """
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        return _estimate_full(jobs, tables)


def _estimate_full(jobs: pd.DataFrame, tables: BatchTables) -> pd.DataFrame:
    """The body of :func:`estimate_frame_full`.

    Parameters
    ----------
    jobs : pandas.DataFrame
        One job per row; columns among :data:`INPUT_COLUMNS` (others are passed through).
    tables : BatchTables
        Lookups from :func:`build_tables`.

    Returns
    -------
    pandas.DataFrame
        ``file``/``line`` when given, every input column of :data:`INPUT_COLUMNS` (normalised:
        text as object, numbers as float64), other columns of ``jobs``, then
        :data:`RESULT_COLUMNS`. ``error`` is empty for a valid row.

    Notes
    -----
    Pure and vectorised: no Python loop over rows. Unknown ids are named with their closest
    valid ids, computed once per distinct unknown value.
    """
    index = jobs.index
    errors = _Errors(index)
    text = {name: _text_column(jobs, name) for name in TEXT_COLUMNS}
    num = {name: _number_column(jobs, name, errors) for name in NUMBER_COLUMNS}

    for name, values in num.items():
        infinite = np.isinf(values.to_numpy())
        errors.add(infinite, f"{name}: must be a finite number")
        if infinite.any():
            num[name] = values.where(~infinite, np.nan)

    given = {name: values.notna() for name, values in {**text, **num}.items()}
    hardware, region = text["hardware"], text["region"]
    count = num["count"].fillna(1.0)
    hours, device_hours = num["hours"], num["device_hours"]
    power_w, total_power_w = num["power_w"], num["total_power_w"]
    utilization_given = given["utilization"]
    utilization = num["utilization"].fillna(1.0)
    cpu_power_w = num["cpu_power_w"].fillna(0.0)
    memory_power_w = num["memory_power_w"].fillna(0.0)

    # Conflicts and missing options, in the order of jobspec.check_conflicts.
    errors.add(given["hours"] & given["device_hours"], "hours, device_hours: give one, not both")
    errors.add(~given["hours"] & ~given["device_hours"], "hours: give a duration (hours or device_hours)")
    errors.add(
        given["region"] & given["intensity_g_per_kwh"], "region, intensity_g_per_kwh: give one, not both"
    )
    errors.add(
        ~given["region"] & ~given["intensity_g_per_kwh"],
        "region: give a location (region or intensity_g_per_kwh)",
    )
    errors.add(
        given["total_power_w"] & (given["power_w"] | given["hardware"]),
        "total_power_w: the whole machine; do not combine with hardware or power_w",
    )
    errors.add(
        given["total_power_w"] & given["device_hours"],
        "total_power_w: needs wall-clock hours, not device_hours",
    )
    errors.add(given["power_w"] & utilization_given, "utilization: power_w is an average draw already")
    errors.add(
        ~(given["hardware"] | given["power_w"] | given["total_power_w"]),
        "hardware: give the power (hardware, power_w or total_power_w)",
    )
    errors.add(given["year"] & ~given["region"], "year: chooses a region's intensity; give region too")

    # Ranges: the one table of limits.FIELDS, as for the flags of a single estimate.
    for name in NUMBER_COLUMNS:
        values = num[name]
        bad = limits.bad_mask(name, values.to_numpy())
        errors.add(bad, partial(_limit_messages, name, values))
    intensity_in = num["intensity_g_per_kwh"]
    errors.add(
        given["total_power_w"] & ((cpu_power_w != 0) | (memory_power_w != 0)),
        "total_power_w: already covers the whole machine; do not add cpu_power_w or memory_power_w",
    )
    year = num["year"]

    # Hardware: TDP joined from the lookup table, once per distinct value.
    tdp_values, hardware_found = _lookup(hardware, tables.hardware_tdp)
    tdp_w = np.asarray(tdp_values, dtype="float64")
    unknown_hardware = given["hardware"].to_numpy() & ~hardware_found
    if unknown_hardware.any():
        messages = {
            value: "hardware: " + str(UnknownIdError("hardware", str(value), tables.hardware_ids))
            for value in hardware[unknown_hardware].unique()
        }
        errors.add(unknown_hardware, lambda mask: hardware[mask].map(messages).astype(object))

    # Region: id, then intensity and PUE for the year (default latest), once per distinct pair.
    region_codes, region_uniques = pd.factorize(region)
    unique_ids = [tables.region_names.get(str(value).lower()) for value in region_uniques]
    known_unique = np.array([rid is not None for rid in unique_ids] + [False], dtype=bool)
    known_region = known_unique[region_codes]
    unknown_region = given["region"].to_numpy() & ~known_region
    if unknown_region.any():
        messages = {
            value: "region: " + str(UnknownIdError("region", str(value), tables.region_ids))
            for value in region[unknown_region].unique()
        }
        errors.add(unknown_region, lambda mask: region[mask].map(messages).astype(object))
    year_values = year.to_numpy()
    whole_year = np.where(np.isfinite(year_values), year_values, -1.0).astype(np.int64)
    pair_key = region_codes.astype(np.int64) * 100_000 + (np.clip(whole_year, -1, 9_999) + 1)
    pair_codes, pair_uniques = pd.factorize(pair_key)
    pair_intensity = np.full(len(pair_uniques) + 1, np.nan)
    pair_pue = np.full(len(pair_uniques) + 1, np.nan)
    pair_problem = [""] * (len(pair_uniques) + 1)
    for position, pair in enumerate(pair_uniques):
        code, year_key = divmod(int(pair), 100_000)
        year_key -= 1
        if code < 0 or unique_ids[code] is None:
            continue
        rid = str(unique_ids[code])
        if rid not in tables.region_latest:
            pair_problem[position] = "region: has no carbon intensity and no grid that has one"
        elif year_key < 0:
            pair_intensity[position], pair_pue[position] = tables.region_latest[rid]
        elif (rid, year_key) in tables.region_years:
            pair_intensity[position], pair_pue[position] = tables.region_years[(rid, year_key)]
        else:
            valid = tables.region_valid_years.get(rid, "")
            pair_problem[position] = f"year: no intensity for {rid} in {year_key}; valid years: {valid}"
    region_intensity = pair_intensity[pair_codes]
    region_pue = pair_pue[pair_codes]
    problems = np.array(pair_problem, dtype=object)[pair_codes]
    check_year = ~(given["year"].to_numpy() & (year_values != np.floor(year_values)))
    errors.add((problems != "") & check_year, lambda mask: pd.Series(problems[mask], dtype=object))

    intensity = np.where(given["region"], region_intensity, intensity_in.to_numpy())
    pue = np.where(
        given["pue"],
        num["pue"].to_numpy(),
        np.where(np.isnan(region_pue), DEFAULT_PUE, region_pue),
    )

    # Power and duration, in estimate()'s order of operations.
    per_device_w = np.where(given["power_w"], power_w.to_numpy(), tdp_w * utilization.to_numpy())
    count_values = count.to_numpy()
    job_power_w = np.where(
        given["total_power_w"],
        total_power_w.to_numpy(),
        per_device_w * count_values + cpu_power_w.to_numpy() + memory_power_w.to_numpy(),
    )
    duration_h = np.where(given["device_hours"], device_hours.to_numpy() / count_values, hours.to_numpy())
    used_device_hours = np.where(
        given["device_hours"], device_hours.to_numpy(), hours.to_numpy() * count_values
    )
    it_energy_kwh = job_power_w * duration_h / units.WH_PER_KWH
    energy_kwh = it_energy_kwh * pue
    co2e_kg = energy_kwh * intensity / units.G_PER_KG
    with np.errstate(invalid="ignore"):
        in_bounds = (
            np.isfinite(co2e_kg)
            & np.isfinite(duration_h)
            & np.isfinite(used_device_hours)
            & (np.abs(energy_kwh) <= MAX_ENERGY_KWH)
        )
    errors.add((errors.text == "").to_numpy() & ~in_bounds, OVERFLOW_MESSAGE)

    errors.add(
        (errors.text == "").to_numpy() & (duration_h > MAX_DURATION_H),
        lambda mask: pd.Series(duration_h[mask], dtype="float64").map(
            lambda v: (
                f"duration: {v:g} h (device_hours / count) is out of range; valid: 0-{MAX_DURATION_H:,.0f} h"
            )
        ),
    )
    errors.add(
        (errors.text == "").to_numpy() & (used_device_hours > MAX_DEVICE_HOURS),
        lambda mask: pd.Series(used_device_hours[mask], dtype="float64").map(
            lambda v: (
                f"device_hours: {v:g} h (hours x count) is out of range; valid: 0-{MAX_DEVICE_HOURS:,.0f} h"
            )
        ),
    )

    invalid = (errors.text != "").to_numpy()
    data: dict[str, Any] = {}  # one frame built at once: a wide file costs no column-by-column copies
    for name in POSITION_COLUMNS:
        if name in jobs.columns:
            data[name] = jobs[name]
    for name in TEXT_COLUMNS:
        if name in jobs.columns:
            data[name] = text[name]
    for name in NUMBER_COLUMNS:
        if name in jobs.columns:
            data[name] = num[name]
    for name in jobs.columns:
        if name not in data and name not in RESULT_COLUMNS:
            data[name] = jobs[name]

    def masked(values: Any) -> Any:
        return pd.Series(np.where(invalid, np.nan, np.asarray(values, dtype="float64")), index=index)

    data["energy_kwh"] = masked(energy_kwh)
    data["it_energy_kwh"] = masked(it_energy_kwh)
    data["co2e_kg"] = masked(co2e_kg)
    data["pue_used"] = masked(pue)
    data["intensity_g_per_kwh_used"] = masked(intensity)
    data["power_w_used"] = masked(job_power_w)
    data["device_hours_used"] = masked(used_device_hours)
    data["duration_h_used"] = masked(duration_h)
    data["error"] = errors.text.astype(object)
    return pd.DataFrame(data, index=index)


def _fast_number(raw: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """(float64 values, rows whose text is not a number or None) of one number column."""
    if pd.api.types.is_numeric_dtype(raw):
        return _no_negative_zero(raw.to_numpy(dtype="float64", na_value=np.nan)), None
    text = raw.astype(object).where(raw.isna(), raw.astype(str).str.strip())
    text = text.where(text != "", np.nan)
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    return _no_negative_zero(values.to_numpy()), (values.isna() & text.notna()).to_numpy()


def _no_negative_zero(values: Any) -> Any:
    """``values`` with ``-0.0`` read as ``0.0`` (a copy only when one is there): no ``-0.0`` is
    echoed in a result or reaches a sum."""
    array = np.asarray(values)
    if (np.signbit(array) & (array == 0)).any():
        return values + 0.0
    return values


def _fast_text(raw: pd.Series) -> tuple[np.ndarray, list[str | None], pd.Series]:
    """(codes, cleaned distinct values, output column) of one text column, stripping and
    checking each distinct value once; the output equals :func:`_text_column`."""
    codes, uniques = pd.factorize(raw)
    cleaned: list[str | None] = []
    changed = raw.dtype == object or not pd.api.types.is_string_dtype(raw)
    for value in uniques:
        original = str(value)
        stripped = original.strip()
        cleaned.append(stripped or None)
        changed = changed or stripped != original
    if not changed:
        return codes, cleaned, raw
    distinct = pd.array([*cleaned, None], dtype="str")
    column = pd.Series(distinct.take(codes, allow_fill=True), index=raw.index)
    return codes, cleaned, column


def _plain_text(raw: pd.Series) -> pd.Series:
    """A text column that is only passed through (``name``): the output of :func:`_text_column`,
    without factorizing (its values are mostly distinct)."""
    if raw.dtype != object and pd.api.types.is_string_dtype(raw):
        stripped = raw.str.strip()
        if not ((stripped != raw) | (stripped == "")).fillna(False).any():
            return raw
    return _text_column(raw.to_frame(), str(raw.name))


def _absent(n: int) -> np.ndarray:
    return np.zeros(n, dtype=bool)


def estimate_frame(jobs: pd.DataFrame, tables: BatchTables) -> pd.DataFrame:
    """Energy [kWh] and CO2e [kg] of every job of ``jobs``; see the module notes.

    Parameters
    ----------
    jobs : pandas.DataFrame
        One job per row; columns among :data:`INPUT_COLUMNS` (others are passed through).
    tables : BatchTables
        Lookups from :func:`build_tables`.

    Returns
    -------
    pandas.DataFrame
        ``file``/``line`` when given, the input columns of :data:`INPUT_COLUMNS` that ``jobs``
        has (normalised: text stripped, numbers as float64), other columns of ``jobs``, then
        :data:`RESULT_COLUMNS`. ``error`` is empty for a valid row.

    Notes
    -----
    Vectorised, and paying only for what the frame holds: an absent column costs nothing;
    text columns are factorized once and stripped, looked up and checked once per distinct
    value; the checks of :func:`estimate_frame_full` are folded into one "suspect" mask, and
    only suspect rows (any value that might fail a check) go through the full validation,
    which names every fault. The result equals :func:`estimate_frame_full` exactly.
    """
    n = len(jobs)
    columns = set(jobs.columns)
    if n == 0:
        return estimate_frame_full(jobs, tables)
    suspect = _absent(n)
    num: dict[str, np.ndarray] = {}
    for name in NUMBER_COLUMNS:
        if name not in columns:
            continue
        if pd.api.types.is_bool_dtype(jobs[name]):
            return estimate_frame_full(jobs, tables)  # every row fails: "not a number"
        values, not_numbers = _fast_number(jobs[name])
        if not_numbers is not None:
            suspect |= not_numbers
        num[name] = values

    def given(name: str) -> np.ndarray:
        return ~np.isnan(num[name]) if name in num else _absent(n)

    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        for values in num.values():
            suspect |= np.isinf(values)
        g_hours, g_device = given("hours"), given("device_hours")
        g_power, g_total, g_util = given("power_w"), given("total_power_w"), given("utilization")
        g_intensity, g_pue, g_year = given("intensity_g_per_kwh"), given("pue"), given("year")
        text_out: dict[str, pd.Series] = {}
        codes: dict[str, np.ndarray] = {}
        cleaned: dict[str, list[str | None]] = {}
        for name in TEXT_COLUMNS:
            if name in columns and name in LOOKUP_COLUMNS:
                codes[name], cleaned[name], text_out[name] = _fast_text(jobs[name])
            elif name in columns:
                text_out[name] = _plain_text(jobs[name])

        def text_given(name: str) -> np.ndarray:
            if name not in codes:
                return _absent(n)
            known = np.array([value is not None for value in cleaned[name]] + [False], dtype=bool)
            given_rows: np.ndarray = known[codes[name]]
            return given_rows

        g_hardware, g_region = text_given("hardware"), text_given("region")

        # Conflicts and missing options (as estimate_frame_full).
        suspect |= ~(g_hours ^ g_device)
        suspect |= ~(g_region ^ g_intensity)
        suspect |= ~(g_hardware | g_power | g_total)
        suspect |= g_total & (g_power | g_hardware | g_device)
        suspect |= g_power & g_util
        suspect |= g_year & ~g_region

        # Ranges: the one table of limits.FIELDS, as array comparisons.
        for name, values in num.items():
            suspect |= limits.bad_mask(name, values)
        for name in ("cpu_power_w", "memory_power_w"):
            if name in num:
                suspect |= g_total & (num[name] != 0) & ~np.isnan(num[name])

        # Hardware TDP, once per distinct value.
        if "hardware" in codes:
            tdp_unique = np.array(
                [
                    tables.hardware_tdp.get(value.lower(), np.nan) if value is not None else np.nan
                    for value in cleaned["hardware"]
                ]
                + [np.nan]
            )
            found = ~np.isnan(tdp_unique)
            tdp_w = tdp_unique[codes["hardware"]]
            suspect |= g_hardware & ~found[codes["hardware"]]
        else:
            tdp_w = np.full(n, np.nan)

        # Region intensity and PUE, once per distinct region (and year).
        if "region" in codes:
            region_ids = [
                tables.region_names.get(value.lower()) if value is not None else None
                for value in cleaned["region"]
            ]
            if "year" in num:
                year_values = num["year"]
                whole = np.where(np.isfinite(year_values), year_values, -1.0).astype(np.int64)
                pair_key = codes["region"].astype(np.int64) * 100_000 + (np.clip(whole, -1, 9_999) + 1)
                pair_codes, pair_uniques = pd.factorize(pair_key)
                pairs = [divmod(int(pair), 100_000) for pair in pair_uniques]
            else:
                pair_codes = codes["region"]
                pairs = [(code, 0) for code in range(len(region_ids))]
            intensity_unique = np.full(len(pairs) + 1, np.nan)
            pue_unique = np.full(len(pairs) + 1, np.nan)
            usable = np.zeros(len(pairs) + 1, dtype=bool)
            for position, (code, year_key) in enumerate(pairs):
                rid = region_ids[code] if code >= 0 else None
                if rid is None or rid not in tables.region_latest:
                    continue
                looked = (
                    tables.region_latest.get(rid)
                    if year_key - 1 < 0
                    else tables.region_years.get((rid, year_key - 1))
                )
                if looked is not None:
                    intensity_unique[position], pue_unique[position] = looked
                    usable[position] = True
            region_intensity = intensity_unique[pair_codes]
            region_pue = pue_unique[pair_codes]
            suspect |= g_region & ~usable[pair_codes]
        else:
            region_intensity = np.full(n, np.nan)
            region_pue = np.full(n, np.nan)

        # Power, duration and results, in estimate_frame_full's order of operations; in place
        # where the array is this function's own (fewer fresh pages to fault in).
        intensity = region_intensity  # a gather: owned
        if "intensity_g_per_kwh" in num:
            np.copyto(intensity, num["intensity_g_per_kwh"], where=~g_region)
        pue = region_pue  # a gather: owned
        np.copyto(pue, DEFAULT_PUE, where=np.isnan(pue))
        if "pue" in num:
            np.copyto(pue, num["pue"], where=g_pue)
        per_device_w = tdp_w  # a gather: owned; x 1.0 (no utilization) is exact and skipped
        if "utilization" in num:
            per_device_w *= np.where(g_util, num["utilization"], 1.0)
        if "power_w" in num:
            np.copyto(per_device_w, num["power_w"], where=g_power)
        count: Any = 1.0
        if "count" in num:
            count = np.where(np.isnan(num["count"]), 1.0, num["count"])
            per_device_w *= count
        job_power_w = per_device_w
        for name in ("cpu_power_w", "memory_power_w"):
            job_power_w += np.where(np.isnan(num[name]), 0.0, num[name]) if name in num else 0.0
        if "total_power_w" in num:
            np.copyto(job_power_w, num["total_power_w"], where=g_total)
        hours = num["hours"] if "hours" in num else np.full(n, np.nan)
        if "device_hours" in num:
            device_hours = num["device_hours"]
            duration_h = np.where(g_device, device_hours / count, hours)
            used_device_hours = np.where(g_device, device_hours, hours * count)
        else:
            duration_h = hours
            used_device_hours = hours * count
        it_energy_kwh = job_power_w * duration_h
        it_energy_kwh /= units.WH_PER_KWH
        energy_kwh = it_energy_kwh * pue
        co2e_kg = energy_kwh * intensity
        co2e_kg /= units.G_PER_KG
        suspect |= ~(
            np.isfinite(co2e_kg)
            & (duration_h <= MAX_DURATION_H)
            & (used_device_hours <= MAX_DEVICE_HOURS)
            & (np.abs(energy_kwh) <= MAX_ENERGY_KWH)
        )

    results: dict[str, np.ndarray] = {
        "energy_kwh": energy_kwh,
        "it_energy_kwh": it_energy_kwh,
        "co2e_kg": co2e_kg,
        "pue_used": pue,
        "intensity_g_per_kwh_used": intensity,
        "power_w_used": job_power_w,
        "device_hours_used": used_device_hours,
        "duration_h_used": duration_h,
    }
    owned = {id(values) for values in num.values()}
    for name, values in list(results.items()):
        array = np.asarray(values, dtype="float64")
        if array.shape != (n,):
            array = np.full(n, array, dtype="float64")
        elif id(array) in owned or array.base is not None or not array.flags.writeable:
            array = array.copy()  # patched in place below: never an input's or another result's memory
        owned.add(id(array))
        results[name] = array
    error = np.full(n, "", dtype=object)
    if suspect.any():
        rows = np.flatnonzero(suspect)
        checked = estimate_frame_full(jobs.iloc[rows], tables)
        for name, values in results.items():
            values[rows] = checked[name].to_numpy(dtype="float64")
        error[rows] = checked["error"].to_numpy(dtype=object)
        for name, values in num.items():
            if np.isinf(values[rows]).any():
                num[name] = np.where(np.isinf(values), np.nan, values)

    index = jobs.index
    data: dict[str, Any] = {}
    for name in POSITION_COLUMNS:
        if name in columns:
            data[name] = jobs[name]
    for name in TEXT_COLUMNS:
        if name in text_out:
            data[name] = text_out[name]
    for name in NUMBER_COLUMNS:
        if name in num:
            data[name] = pd.Series(num[name], index=index, copy=False)
    for name in jobs.columns:
        if name not in data and name not in RESULT_COLUMNS:
            data[name] = jobs[name]
    for name, values in results.items():
        data[name] = pd.Series(values, index=index, copy=False)
    data["error"] = pd.Series(error, index=index, dtype=object, copy=False)
    return pd.DataFrame(data, index=index, copy=False)


@dataclass(frozen=True)
class BatchTotals:
    """Sums over the valid rows of a batch; ``failed`` rows are not in the sums."""

    jobs: int
    failed: int
    energy_kwh: float
    it_energy_kwh: float
    co2e_kg: float
    device_hours: float


def totals(results: pd.DataFrame) -> BatchTotals:
    """Totals of a result frame of :func:`estimate_frame`."""
    ok = results["error"].fillna("") == ""
    valid = results[ok]
    return BatchTotals(
        jobs=len(results),
        failed=int((~ok).sum()),
        energy_kwh=float(valid["energy_kwh"].sum()),
        it_energy_kwh=float(valid["it_energy_kwh"].sum()),
        co2e_kg=float(valid["co2e_kg"].sum()),
        device_hours=float(valid["device_hours_used"].sum()),
    )


def combine_totals(parts: list[BatchTotals]) -> BatchTotals:
    """The totals of several chunks of one batch."""
    return BatchTotals(
        jobs=sum(p.jobs for p in parts),
        failed=sum(p.failed for p in parts),
        energy_kwh=sum(p.energy_kwh for p in parts),
        it_energy_kwh=sum(p.it_energy_kwh for p in parts),
        co2e_kg=sum(p.co2e_kg for p in parts),
        device_hours=sum(p.device_hours for p in parts),
    )


SUMMARY_SUMS = ("energy_kwh", "it_energy_kwh", "co2e_kg", "device_hours_used")


def month_of(results: pd.DataFrame) -> pd.Series | None:
    """Each row's month as ``YYYY-MM`` text from ``month`` or ``start``; None without either."""
    if "month" in results.columns:
        raw = results["month"]
    elif "start" in results.columns:
        raw = results["start"]
    else:
        return None
    when = pd.to_datetime(raw.astype(object), errors="coerce", utc=True, format="mixed")
    return when.dt.strftime("%Y-%m").astype(object).where(when.notna(), "unknown")


def summarize(results: pd.DataFrame, by: str) -> pd.DataFrame:
    """Sums of energy [kWh], CO2e [kg] and device-hours [h] over valid rows, grouped ``by``.

    ``by`` is ``"region"``, ``"hardware"`` or ``"month"``; rows without a value are grouped as
    ``"(none)"`` (for ``region``, jobs given an intensity). Sorted by CO2e, largest first.
    """
    ok = results["error"].fillna("") == ""
    valid = results[ok]
    if by == "month":
        key = month_of(valid)
        if key is None:
            return pd.DataFrame(columns=["month", "jobs", *SUMMARY_SUMS])
    elif by in valid.columns:
        key = valid[by].astype(object).fillna("(none)")
    else:
        key = pd.Series("(none)", index=valid.index, dtype=object)
    grouped = valid[list(SUMMARY_SUMS)].groupby(key.rename(by).to_numpy())
    summary = grouped.sum()
    summary.insert(0, "jobs", grouped.size())
    summary.index.name = by
    summary = summary.reset_index()
    if by == "month":
        return summary.sort_values("month").reset_index(drop=True)
    return summary.sort_values("co2e_kg", ascending=False).reset_index(drop=True)


def borrowed_summary(results: pd.DataFrame, tables: BatchTables) -> pd.DataFrame:
    """:func:`summarize` by region of only the rows whose region takes another place's figure
    (``BatchTables.region_borrowed``): the distinct region texts are looked up, not every row, so a
    chunk without such regions costs one hash pass."""
    if "region" not in results.columns:
        return summarize(results.iloc[:0], "region")
    region = results["region"]
    hits = [
        text
        for text in pd.unique(region)
        if isinstance(text, str) and tables.region_names.get(text.strip().lower()) in tables.region_borrowed
    ]
    return summarize(results[region.isin(hits)] if hits else results.iloc[:0], "region")


def borrowed_regions(region_summary: pd.DataFrame, tables: BatchTables) -> pd.DataFrame:
    """The rows of a summary by region (:func:`summarize`) whose region has no default-basis
    figure of its own and is priced on another place's (``BatchTables.region_borrowed``), with
    that place as ``intensity_from``; the region as its id. Largest CO2e first."""
    columns = ["region", "intensity_from", "jobs", "co2e_kg"]
    if not len(region_summary):
        return pd.DataFrame(columns=columns)
    ids = region_summary["region"].map(
        lambda text: tables.region_names.get(text.strip().lower()) if isinstance(text, str) else None
    )
    owners = ids.map(lambda region_id: tables.region_borrowed.get(region_id) if region_id else None)
    kept = owners.notna()
    if not kept.any():
        return pd.DataFrame(columns=columns)
    found = pd.DataFrame(
        {
            "region": ids[kept].to_numpy(),
            "intensity_from": owners[kept].to_numpy(),
            "jobs": region_summary.loc[kept, "jobs"].to_numpy(),
            "co2e_kg": region_summary.loc[kept, "co2e_kg"].to_numpy(),
        }
    )
    merged = found.groupby(["region", "intensity_from"], as_index=False)[["jobs", "co2e_kg"]].sum()
    return merged.sort_values("co2e_kg", ascending=False).reset_index(drop=True)


def borrowed_words(borrowed: pd.DataFrame, total_co2e_kg: float, basis: str = DEFAULT_BASIS) -> str:
    """One sentence on the jobs of :func:`borrowed_regions`: how many, their share of the CO2e,
    and which places' figures they take; "" when there are none."""
    if not len(borrowed):
        return ""
    jobs = int(borrowed["jobs"].sum())
    share = float(borrowed["co2e_kg"].sum()) / total_co2e_kg if total_co2e_kg > 0 else 0.0
    by_owner = borrowed.groupby("intensity_from", sort=True)["region"].apply(list)
    places = "; ".join(
        f"{', '.join(regions[:5])}{f' and {len(regions) - 5:,} more' if len(regions) > 5 else ''} on {owner}"
        for owner, regions in by_owner.items()
    )
    return (
        f"{jobs:,} job(s), {share:.1%} of the CO2e, ran in grids with no {basis} figure of their own "
        f"and are priced on a larger area's: {places}"
    )


def totals_to_dict(result: BatchTotals) -> dict[str, float | int]:
    """JSON-ready totals."""
    return {
        "jobs": result.jobs,
        "failed": result.failed,
        "energy_kwh": result.energy_kwh,
        "it_energy_kwh": result.it_energy_kwh,
        "co2e_kg": result.co2e_kg,
        "device_hours": result.device_hours,
    }


def combine_summaries(parts: list[pd.DataFrame], by: str) -> pd.DataFrame:
    """One summary from the summaries of several chunks or partitions of a batch."""
    frames = [part for part in parts if len(part)]
    if not frames:
        return pd.DataFrame(columns=[by, "jobs", *SUMMARY_SUMS])
    merged = pd.concat(frames, ignore_index=True).groupby(by, sort=False)[["jobs", *SUMMARY_SUMS]].sum()
    merged = merged.reset_index()
    merged["jobs"] = merged["jobs"].astype("int64")
    if by == "month":
        return merged.sort_values("month").reset_index(drop=True)
    return merged.sort_values("co2e_kg", ascending=False).reset_index(drop=True)


SUMMARY_KEYS = ("region", "hardware", "month")


# --- Plausibility pass ------------------------------------------------------------------------

PLAUSIBLE_MAX_DURATION_H = 720.0
"""Wall-clock hours above which a job is flagged for review (30 days)."""
PLAUSIBLE_MAX_DEVICES = 1024
"""Devices above which a job is flagged for review."""
TOP_ENERGY_FRACTION = 0.001
"""Share of the valid rows, by energy, flagged for review (the top 0.1%); only from
:data:`TOP_ENERGY_MIN_ROWS` valid rows on, where it is at least one row."""
TOP_ENERGY_MIN_ROWS = 1000
FLAG_COLUMNS = (
    "file",
    "line",
    "name",
    "hardware",
    "region",
    "devices",
    "duration_h_used",
    "energy_kwh",
    "co2e_kg",
    "share_of_energy",
    "reason",
)


def top_energy_count(valid_rows: int) -> int:
    """How many valid rows the top-energy rule flags: floor(0.1% of them), 0 below 1,000."""
    return int(valid_rows * TOP_ENERGY_FRACTION) if valid_rows >= TOP_ENERGY_MIN_ROWS else 0


def flag_candidates(results: pd.DataFrame, keep_top: int) -> pd.DataFrame:
    """The valid rows of one chunk that may be flagged: over 30 days, over 1,024 devices, or among
    its ``keep_top`` largest energies (the whole batch's top 0.1% is among the chunks' tops when
    ``keep_top`` is at least the batch's :func:`top_energy_count`). Vectorised."""
    valid = (results["error"].fillna("") == "").to_numpy()
    duration = results["duration_h_used"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        devices = results["device_hours_used"].to_numpy(dtype="float64") / duration
    if "count" in results.columns:
        devices = np.where(np.isnan(results["count"].to_numpy(dtype="float64")), devices, results["count"])
    keep = valid & ((duration > PLAUSIBLE_MAX_DURATION_H) | (devices > PLAUSIBLE_MAX_DEVICES))
    if keep_top > 0 and valid.any():
        energy = np.where(valid, results["energy_kwh"].to_numpy(dtype="float64"), -np.inf)
        top = np.argsort(-energy, kind="stable")[: min(keep_top, int(valid.sum()))]
        keep[top] = True
    out: pd.DataFrame = results[keep].copy()
    out["devices"] = devices[keep]
    return out


def flagged_rows(candidates: pd.DataFrame, valid_rows: int, total_energy_kwh: float) -> pd.DataFrame:
    """The rows flagged for review among ``candidates`` (from :func:`flag_candidates`), each with
    its reasons and its share of the batch's energy [-], largest energy first."""
    if candidates.empty:
        return pd.DataFrame(
            columns=[*FLAG_COLUMNS, *(c for c in candidates.columns if c not in FLAG_COLUMNS)]
        )
    energy = candidates["energy_kwh"].to_numpy(dtype="float64")
    top = top_energy_count(valid_rows)
    in_top = np.zeros(len(candidates), dtype=bool)
    if top:
        in_top[np.argsort(-energy, kind="stable")[:top]] = True
    long = candidates["duration_h_used"].to_numpy(dtype="float64") > PLAUSIBLE_MAX_DURATION_H
    many = candidates["devices"].to_numpy(dtype="float64") > PLAUSIBLE_MAX_DEVICES
    reasons = [
        "; ".join(
            text
            for flag, text in (
                (is_long, f"{hours:,.0f} h is over 30 days"),
                (is_many, f"{devices:,.0f} devices is over {PLAUSIBLE_MAX_DEVICES:,}"),
                (is_top, "in the top 0.1% of energy"),
            )
            if flag
        )
        for is_long, is_many, is_top, hours, devices in zip(
            long, many, in_top, candidates["duration_h_used"], candidates["devices"], strict=True
        )
    ]
    flagged = candidates.assign(reason=reasons)[long | many | in_top]
    share = flagged["energy_kwh"] / total_energy_kwh if total_energy_kwh > 0 else flagged["energy_kwh"] * 0.0
    flagged = flagged.assign(share_of_energy=share + 0.0)
    first = [c for c in FLAG_COLUMNS if c in flagged.columns]
    rest = [c for c in flagged.columns if c not in first]
    return (
        flagged[first + rest].sort_values("energy_kwh", ascending=False, kind="stable").reset_index(drop=True)
    )


def without_flagged(result: BatchTotals, flagged: pd.DataFrame) -> BatchTotals:
    """``result`` with the flagged rows' energy, CO2e and device-hours taken out (they stay counted
    as jobs)."""
    return BatchTotals(
        jobs=result.jobs,
        failed=result.failed,
        energy_kwh=max(result.energy_kwh - float(flagged["energy_kwh"].sum()), 0.0),
        it_energy_kwh=max(result.it_energy_kwh - float(flagged["it_energy_kwh"].sum()), 0.0),
        co2e_kg=max(result.co2e_kg - float(flagged["co2e_kg"].sum()), 0.0),
        device_hours=max(result.device_hours - float(flagged["device_hours_used"].sum()), 0.0),
    )


def summary_without(summary: pd.DataFrame, flagged: pd.DataFrame, by: str) -> pd.DataFrame:
    """``summary`` (of :func:`summarize`) with the ``flagged`` rows taken out of their groups."""
    if flagged.empty:
        return summary
    removed = summarize(flagged.assign(error=""), by)
    removed[["jobs", *SUMMARY_SUMS]] = -removed[["jobs", *SUMMARY_SUMS]]
    merged = combine_summaries([summary, removed], by)
    merged = merged[merged["jobs"] > 0].reset_index(drop=True)
    merged[list(SUMMARY_SUMS)] = merged[list(SUMMARY_SUMS)].clip(lower=0.0)
    return merged
