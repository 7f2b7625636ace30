"""Time shifting: profiles for a page (see :mod:`wattprint.engine.timeshift`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wattprint.engine.timeshift.grid import (
    GapPolicy,
    to_grid,
)
from wattprint.errors import InputError


def _time_weighted(series: pd.Series, gaps: GapPolicy) -> pd.Series:
    grid = to_grid(series, gaps)
    return pd.Series(grid.intensity_g_per_kwh, index=grid.times(np.arange(len(grid.intensity_g_per_kwh))))


def daily_profile(series: pd.Series, timezone: str = "UTC", gaps: GapPolicy = "refuse") -> pd.DataFrame:
    """Intensity by hour of day [gCO2e/kWh], time-weighted.

    Parameters
    ----------
    series : pandas.Series
        Intensity [gCO2e/kWh], time-zone-aware index.
    timezone : str
        IANA zone in which hours of day are counted (DST applied), default UTC.

    Returns
    -------
    pandas.DataFrame
        Index ``hour`` 0-23; columns ``mean_g_per_kwh``, ``p10_g_per_kwh``, ``p90_g_per_kwh``.
    """
    weighted = _time_weighted(series, gaps)
    try:
        local = weighted.tz_convert(timezone)
    except (KeyError, ValueError) as error:  # zoneinfo raises a KeyError subclass
        raise InputError(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris") from error
    hours = pd.Index(pd.DatetimeIndex(local.index).hour, name="hour")
    groups = local.groupby(hours)
    return pd.DataFrame(
        {
            "mean_g_per_kwh": groups.mean(),
            "p10_g_per_kwh": groups.quantile(0.1),
            "p90_g_per_kwh": groups.quantile(0.9),
        }
    )


def monthly_profile(series: pd.Series, timezone: str = "UTC", gaps: GapPolicy = "refuse") -> pd.DataFrame:
    """Intensity by calendar month [gCO2e/kWh], time-weighted.

    Returns
    -------
    pandas.DataFrame
        Index ``month`` 1-12; columns ``mean_g_per_kwh``, ``min_g_per_kwh``, ``max_g_per_kwh``.
    """
    weighted = _time_weighted(series, gaps)
    try:
        local = weighted.tz_convert(timezone)
    except (KeyError, ValueError) as error:
        raise InputError(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris") from error
    months = pd.Index(pd.DatetimeIndex(local.index).month, name="month")
    groups = local.groupby(months)
    return pd.DataFrame(
        {"mean_g_per_kwh": groups.mean(), "min_g_per_kwh": groups.min(), "max_g_per_kwh": groups.max()}
    )
