"""Time shifting: the next hours, from the series' typical profile (see :mod:`wattprint.engine.timeshift`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wattprint.engine import units
from wattprint.engine.timeshift.grid import (
    DEFAULT_POWER_KW,
    GapPolicy,
)
from wattprint.engine.timeshift.methods import (
    _check_power,
    flexible_start,
)
from wattprint.engine.timeshift.profiles import (
    _time_weighted,
)
from wattprint.errors import InputError

MAX_PLAN_HOURS = 8784
"""Longest look-ahead of :func:`plan_next_hours` [h]: a leap year, the most hours a series' typical
days of one year can price (each hour takes its month's typical day, so any length fits)."""

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class NextHoursPlan:
    """When to start a job in the next hours, from the series' typical days.

    Parameters
    ----------
    timezone : str
        IANA zone of every local time below.
    now : pandas.Timestamp
        The first whole hour the job may start at (local time).
    duration_h, within_h : float
        Job length and look-ahead window: the job runs and finishes within ``within_h`` hours
        after ``now`` [h].
    best_start, best_end : pandas.Timestamp
        The cleanest start and its end (local time).
    start_now_co2e_kg, best_co2e_kg : float
        Expected emissions started at ``now`` and at ``best_start`` [kg CO2e].
    savings_fraction : float
        ``(start_now - best) / start_now`` [-].
    forecast : pandas.DataFrame
        One row per hour of the window: ``time`` (local), ``intensity_g_per_kwh`` (typical value
        for that month, day type and local hour), ``month``, ``day_type``, ``profile_year``.
    basis : str
        What the typical values are, said plainly, e.g. ``"a typical June weekday of 2022"``.
    """

    timezone: str
    now: pd.Timestamp
    duration_h: float
    within_h: float
    power_kw: float
    best_start: pd.Timestamp
    best_end: pd.Timestamp
    start_now_co2e_kg: float
    best_co2e_kg: float
    savings_fraction: float
    forecast: pd.DataFrame
    basis: str


def _local(series: pd.Series, timezone: str, gaps: GapPolicy) -> pd.Series:
    weighted = _time_weighted(series, gaps)
    try:
        return weighted.tz_convert(timezone)
    except (KeyError, ValueError) as error:  # zoneinfo raises a KeyError subclass
        raise InputError(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris") from error


def day_type(weekday: int) -> str:
    """``"weekday"`` for Monday-Friday (0-4), ``"weekend day"`` for Saturday and Sunday."""
    return "weekday" if weekday < 5 else "weekend day"


def typical_days(series: pd.Series, timezone: str = "UTC", gaps: GapPolicy = "refuse") -> pd.DataFrame:
    """Mean intensity [gCO2e/kWh] by year, month, day type and local hour, time-weighted.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``month``, ``day_type`` ("weekday" or "weekend day"), ``hour`` (local,
        0-23) and ``intensity_g_per_kwh``.
    """
    local = _local(series, timezone, gaps)
    index = pd.DatetimeIndex(local.index)
    keys = pd.DataFrame(
        {
            "year": index.year,
            "month": index.month,
            "day_type": [day_type(d) for d in index.day_of_week],
            "hour": index.hour,
            "intensity_g_per_kwh": local.to_numpy(dtype=float),
        }
    )
    means = keys.groupby(["year", "month", "day_type", "hour"])["intensity_g_per_kwh"].mean()
    return means.reset_index()


def nearest_year(years: Iterable[int], year: int) -> int:
    """The year of ``years`` closest to ``year`` (the later one on a tie)."""
    choices = sorted(set(years))
    if not choices:
        raise InputError("the series has no data")
    return min(choices, key=lambda y: (abs(y - year), -y))


def plan_next_hours(
    series: pd.Series,
    now: pd.Timestamp | str,
    duration_h: int,
    within_h: int,
    timezone: str = "UTC",
    power_kw: float = DEFAULT_POWER_KW,
    gaps: GapPolicy = "refuse",
) -> NextHoursPlan:
    """The cleanest start for a job of ``duration_h`` hours that must finish in the next
    ``within_h`` hours, from the series' typical profile (not a forecast).

    Parameters
    ----------
    series : pandas.Series
        Historical intensity [gCO2e/kWh], time-zone-aware index.
    now : pandas.Timestamp or str
        The current time; a naive value is local time in ``timezone``. The job starts at whole
        local hours from the next one (``now`` itself when it is a whole hour).
    duration_h, within_h : int
        Job length and look-ahead [h], whole hours, ``1 <= duration_h <= within_h <= MAX_PLAN_HOURS``.
    timezone : str
        IANA zone of the user: hours of day, days and months are counted there.
    power_kw : float
        Constant draw of the job [kW].

    Returns
    -------
    NextHoursPlan

    Notes
    -----
    Each hour ``h`` of the window gets the mean intensity of the series over every hour with the
    same local hour of day, the same calendar month and the same day type (Monday-Friday or
    Saturday-Sunday) in the series year nearest to ``h``'s own year that has that month (one with
    every local hour of it for a day type, where there is one: not the few hours of a month that a
    series' first or last day puts there in some time zones). The best
    start is then :func:`flexible_start` over this typical window with flexibility
    ``within_h - duration_h``. Typical days smooth out the weather of any one day: the answer
    says when the grid is usually cleaner, which is what a historical series can tell about
    tomorrow; a forecast (e.g. Electricity Maps, WattTime) answers for the actual day.
    """
    if not (isinstance(duration_h, int | np.integer) and isinstance(within_h, int | np.integer)):
        raise InputError("job length and look-ahead must be whole hours")
    if not 1 <= duration_h <= within_h <= MAX_PLAN_HOURS:
        raise InputError(
            f"need 1 <= job length ({duration_h} h) <= look-ahead ({within_h} h) <= {MAX_PLAN_HOURS} h"
        )
    power_kw = _check_power(power_kw)
    typical = typical_days(series, timezone, gaps)
    stamp = pd.Timestamp(now)
    stamp = stamp.tz_localize(timezone) if stamp.tzinfo is None else stamp.tz_convert(timezone)
    first = stamp.ceil("h")
    times_utc = pd.date_range(first.tz_convert("UTC"), periods=int(within_h), freq="h")
    local = times_utc.tz_convert(timezone)
    lookup = typical.set_index(["year", "month", "day_type", "hour"])["intensity_g_per_kwh"]
    years_by_month = typical.groupby("month")["year"].unique()
    # A year whose month has every local hour for a day type; a few hours of a month at an end of
    # the series (a UTC year seen from Tokyo has nine hours of the next January) are not one.
    # typical_days has one row per (year, month, day type, hour): a group's size is its hours.
    hours = typical.groupby(["year", "month", "day_type"]).size()
    complete = hours[hours == units.HOURS_PER_DAY].reset_index()
    whole = {(int(y), int(m)) for y, m in zip(complete["year"], complete["month"], strict=True)}
    rows = []
    for moment in local:
        month = int(moment.month)
        if month not in years_by_month.index:
            raise InputError(f"the series has no data for {MONTH_NAMES[month - 1]}")
        years = [int(y) for y in years_by_month[month]]
        year = nearest_year([y for y in years if (y, month) in whole] or years, int(moment.year))
        kind = day_type(int(moment.day_of_week))
        key = (year, month, kind, int(moment.hour))
        if key not in lookup.index:
            other = "weekend day" if kind == "weekday" else "weekday"
            key = (year, month, other, int(moment.hour))
        if key not in lookup.index:
            raise InputError(f"the series has no {MONTH_NAMES[month - 1]} {year} value at {moment.hour}:00")
        rows.append((moment, float(lookup[key]), month, key[2], year))
    forecast = pd.DataFrame(
        rows, columns=["time", "intensity_g_per_kwh", "month", "day_type", "profile_year"]
    )
    window = pd.Series(forecast["intensity_g_per_kwh"].to_numpy(), index=times_utc)
    result = flexible_start(window, float(duration_h), float(within_h - duration_h), times_utc[0], power_kw)
    best_start = result.best_start.tz_convert(timezone)
    kinds = sorted(
        {
            (int(m), str(k), int(y))
            for m, k, y in zip(forecast["month"], forecast["day_type"], forecast["profile_year"], strict=True)
        }
    )
    parts = [f"{MONTH_NAMES[m - 1]} {k}" for m, k, _ in kinds]
    years_used = sorted({y for _, _, y in kinds})
    basis = (
        ("a typical " if len(parts) == 1 else "typical ")
        + (
            parts[0]
            if len(parts) == 1
            else ", ".join(p + "s" for p in parts[:-1]) + " and " + parts[-1] + "s"
        )
        + " of "
        + " and ".join(str(y) for y in years_used)
    )
    return NextHoursPlan(
        timezone=timezone,
        now=first,
        duration_h=float(duration_h),
        within_h=float(within_h),
        power_kw=power_kw,
        best_start=best_start,
        best_end=best_start + pd.Timedelta(hours=duration_h),
        start_now_co2e_kg=result.baseline_co2e_kg,
        best_co2e_kg=result.shifted_co2e_kg,
        savings_fraction=result.savings_fraction,
        forecast=forecast,
        basis=basis,
    )
