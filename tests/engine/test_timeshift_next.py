"""Next-hours planning from a series' typical days (month x weekday/weekend x local hour)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wattprint.engine import timeshift
from wattprint.errors import InputError


def june_series(clean_hours_utc: tuple[int, ...] = (12, 13)) -> pd.Series:
    """June 2022, hourly (UTC): 100 gCO2e/kWh, 10 in the clean UTC hours of every day."""
    index = pd.date_range("2022-06-01", "2022-06-30 23:00", freq="h", tz="UTC")
    values = np.where(np.isin(index.hour, clean_hours_utc), 10.0, 100.0)
    return pd.Series(values, index=index)


def test_best_start_is_given_in_local_time() -> None:
    # Paris is UTC+2 in June: the clean 12:00-14:00 UTC hours are 14:00-16:00 local.
    plan = timeshift.plan_next_hours(june_series(), "2026-06-17 08:30", 2, 12, "Europe/Paris", power_kw=1.0)
    assert plan.now == pd.Timestamp("2026-06-17 09:00", tz="Europe/Paris")
    assert plan.best_start == pd.Timestamp("2026-06-17 14:00", tz="Europe/Paris")
    assert plan.best_end == pd.Timestamp("2026-06-17 16:00", tz="Europe/Paris")
    # 2 h x 1 kW x 10 g/kWh = 0.02 kg; starting at 09:00 local: 2 h x 100 g/kWh = 0.2 kg.
    assert plan.best_co2e_kg == pytest.approx(0.02)
    assert plan.start_now_co2e_kg == pytest.approx(0.2)
    assert plan.savings_fraction == pytest.approx(0.9)
    assert str(plan.best_start.tz) == "Europe/Paris"


def test_basis_is_said_plainly() -> None:
    # 2026-06-17 is a Wednesday; a 12-hour window stays on that weekday.
    plan = timeshift.plan_next_hours(june_series(), "2026-06-17 08:30", 2, 12, "Europe/Paris")
    assert plan.basis == "a typical June weekday of 2022"
    assert set(plan.forecast["profile_year"]) == {2022}
    # Friday evening to Saturday: both day types, each named.
    weekend = timeshift.plan_next_hours(june_series(), "2026-06-19 20:00", 2, 24, "UTC")
    assert weekend.basis == "typical June weekdays and June weekend days of 2022"


def test_typical_day_is_the_mean_over_matching_days() -> None:
    # Weekdays 50, weekends 200, except one Monday (2022-06-06) at 150: the June weekday mean
    # over 22 weekdays is (21 x 50 + 150) / 22.
    index = pd.date_range("2022-06-01", "2022-06-30 23:00", freq="h", tz="UTC")
    values = np.where(index.day_of_week < 5, 50.0, 200.0)
    values[index.normalize() == pd.Timestamp("2022-06-06", tz="UTC")] = 150.0
    typical = timeshift.typical_days(pd.Series(values, index=index)).set_index(["day_type", "hour"])
    assert typical.loc[("weekday", 3), "intensity_g_per_kwh"] == pytest.approx((21 * 50 + 150) / 22)
    assert typical.loc[("weekend day", 3), "intensity_g_per_kwh"] == pytest.approx(200.0)


def test_nearest_year_and_missing_months() -> None:
    assert timeshift.nearest_year([2012, 2020, 2022], 2026) == 2022
    assert timeshift.nearest_year([2012, 2020, 2022], 2021) == 2022  # a tie goes to the later year
    assert timeshift.nearest_year([2012, 2020, 2022], 2013) == 2012
    with pytest.raises(InputError, match="no data for July"):
        timeshift.plan_next_hours(june_series(), "2026-07-01 00:00", 1, 6, "UTC")


@pytest.mark.parametrize(
    "duration_h, within_h, message",
    [(0, 6, "1 <= job length"), (8, 6, "<= look-ahead"), (1, 9000, "8784"), (1.5, 6, "whole hours")],
)
def test_bad_windows_raise(duration_h: int, within_h: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        timeshift.plan_next_hours(june_series(), "2026-06-17 08:30", duration_h, within_h)


def test_unknown_time_zone_raises() -> None:
    with pytest.raises(InputError, match="unknown time zone"):
        timeshift.plan_next_hours(june_series(), "2026-06-17 08:30", 1, 6, "Mars/Olympus")
