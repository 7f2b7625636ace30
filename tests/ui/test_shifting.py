"""The Time shifting page's helpers without a browser: option rules, data preparation, text, figures.

Most cases use a hand-made series whose cleaner hours are known (100 gCO2e/kWh from 00:00 to
06:00 UTC, 300 otherwise, plus 0-9 by day of the month), so the expected schedule, means and
windows are worked out by hand;
the rest use a bundled series of the region database as the page does.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from app.db.loader import load_databases
from app.db.schema import DEFAULT_BASIS
from app.db.series import load_profile, read_user_series
from app.engine import timeshift
from app.ui import shifting
from app.ui import shifting_charts as charts

CLEAN_G_PER_KWH = 100.0
DIRTY_G_PER_KWH = 300.0


@pytest.fixture(scope="module")
def series() -> pd.Series:
    """Ten days of March 2022, hourly [gCO2e/kWh]: clean from 00:00 to 06:00 UTC, dirty otherwise,
    plus 0 on 1 March to 9 on 10 March (so each hour of the day spreads over 0-9)."""
    index = pd.date_range("2022-03-01", periods=24 * 10, freq="h", tz="UTC")
    values = np.where(index.hour < 6, CLEAN_G_PER_KWH, DIRTY_G_PER_KWH) + (index.day - 1)
    return pd.Series(values, index=index)


# ---- options -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("ts_method", "teleport"),  # not one of the two methods
        ("ts_hours", "-4"),  # below the 0.25 h minimum
        ("ts_hours", "2001"),  # above the 2000 h maximum
        ("ts_date", "yesterday"),  # not an ISO date
        ("ts_date", "1850-01-01"),  # outside the date range
        ("ts_next_hour", "24"),  # hours are 0-23
        ("ts_flex_mode", "+ days"),
        ("ts_fill_gaps", "maybe"),
        ("ts_power_kw", "0"),  # below 0.001 kW
    ],
)
def test_a_bad_link_value_is_rejected(name: str, text: str) -> None:
    assert shifting.bad_link_options({name: text}) == {name}


def test_valid_link_values_are_accepted() -> None:
    link = {
        "ts_hours": "3.0",
        "ts_method": "pause-resume",
        "ts_date": "2022-03-14",
        "ts_fill_gaps": "true",
        "ts_next_hour": "23",
        "ts_flex_mode": "+ % of job length",
    }
    assert shifting.bad_link_options(link) == set()
    assert shifting.bad_link_options({**link, "ts_method": "teleport"}) == {"ts_method"}


def test_automatic_options_follow_the_job_and_context_unless_the_link_says_otherwise() -> None:
    everything = set(shifting.FROM_JOB + shifting.FROM_CONTEXT)
    assert shifting.automatic_options(True, False, {}) == everything  # first run
    assert shifting.automatic_options(False, False, {}) == set()  # the visitor's own values stay
    assert shifting.automatic_options(False, True, {}) == set(shifting.FROM_JOB)  # job changed elsewhere
    # A link's valid value wins over the job's; its bad value falls back as without a link.
    assert shifting.automatic_options(True, False, {"ts_hours": "3.0"}) == everything - {"ts_hours"}
    assert shifting.automatic_options(False, False, {"ts_hours": "-4"}) == {"ts_hours"}
    # A bad option that never follows the job (the method) is not made automatic.
    assert shifting.automatic_options(False, False, {"ts_method": "teleport"}) == set()


@pytest.mark.parametrize(
    ("name", "known"),
    [("Europe/Paris", True), ("UTC", True), ("Mars/Olympus", False), ("", False), ("../etc/passwd", False)],
)
def test_known_zone(name: str, known: bool) -> None:
    assert shifting.known_zone(name) is known


def test_every_option_is_in_the_url_under_its_widget_key() -> None:
    # Shared links name the widget keys; the job's own names (region, hours) are left to the job.
    assert all(name.startswith("ts_") for name in shifting.OPTIONS.fields)
    assert {shifting.OPTIONS.key(name) for name in shifting.OPTIONS.fields} == set(shifting.OPTIONS.fields)
    assert set(shifting.FROM_JOB + shifting.FROM_CONTEXT) <= set(shifting.OPTIONS.fields)


# ---- data preparation -----------------------------------------------------------------------------


def test_years_and_span_in_utc_and_in_local_time() -> None:
    # 2021-12-31 20:00 UTC to 2022-01-01 03:00 UTC: two UTC years, one year in Tokyo (UTC+9).
    index = pd.date_range("2021-12-31T20:00Z", periods=8, freq="h")
    late = pd.Series(1.0, index=index)
    assert charts.years_of(late) == [2021, 2022]
    assert charts.years_of(late, "Asia/Tokyo") == [2022]
    assert charts.span(late) == "2021-2022"
    assert charts.span(late[late.index.year == 2022]) == "2022"


@pytest.mark.parametrize(
    ("timezone", "day"),
    [
        ("UTC", dt.date(2022, 3, 1)),  # starts at local midnight
        ("America/Los_Angeles", dt.date(2022, 3, 1)),  # 2022-02-28 16:00 locally: the next day is whole
        ("Europe/Paris", dt.date(2022, 3, 2)),  # 01:00 locally: 1 March misses its first hour
    ],
)
def test_first_local_day_is_the_first_whole_day(series: pd.Series, timezone: str, day: dt.date) -> None:
    assert charts.first_local_day(series, timezone) == day


def test_same_day_in_another_year() -> None:
    assert charts.same_day_in(dt.date(2026, 6, 1), 2022) == dt.date(2022, 6, 1)
    assert charts.same_day_in(dt.date(2024, 2, 29), 2022) == dt.date(2022, 2, 28)  # no 29 February


def test_submission_is_local_time_converted_to_utc() -> None:
    # Paris is UTC+2 in June (summer time): 03:00 local is 01:00 UTC.
    start = charts.submission(dt.date(2022, 6, 1), 3, "Europe/Paris")
    assert start == pd.Timestamp("2022-06-01T01:00Z")
    assert str(start.tz) == "UTC"


def test_missing_months_names_what_the_series_lacks(series: pd.Series) -> None:
    july = pd.Timestamp("2026-07-02T09:00", tz="UTC")
    text = charts.missing_months(series, july, 24, "UTC")
    assert text is not None
    assert "no July data" in text and "it covers March" in text
    assert charts.missing_months(series, pd.Timestamp("2026-03-10T09:00", tz="UTC"), 24, "UTC") is None
    # 24 h from 31 March 12:00 reach into April.
    end_of_march = pd.Timestamp("2026-03-31T12:00", tz="UTC")
    assert "no April data" in (charts.missing_months(series, end_of_march, 24, "UTC") or "")


# ---- text ---------------------------------------------------------------------------------------


def test_period_summary_carries_basis_year_and_rows(series: pd.Series) -> None:
    text = charts.period_summary(series, 2022, DEFAULT_BASIS, "2022")
    assert f"Intensity basis: {DEFAULT_BASIS}; the series covers 2022." in text
    assert "240 rows in 2022" in text  # ten days of 24 hours
    assert "from 2022-03-01 00:00:00+00:00 to 2022-03-10 23:00:00+00:00 (UTC)" in text


def test_bundled_profile_note_names_the_series_and_its_source() -> None:
    # aws:us-west-1 is the page's default region; its bundled series and source from region_db.
    db = load_databases().regions
    profile = db.profile_for("aws:us-west-1")
    assert profile is not None
    source = db.sources.get(profile.source)
    note = charts.profile_note(profile, source)
    assert note.startswith(f"{profile.name}: ")
    assert f"Source: {source.publisher}, {source.title}" in note if source else profile.source in note
    # A source missing from the database is named by its id, never dropped.
    assert f"Source: {profile.source}" in charts.profile_note(profile, None)


def test_upload_note_names_the_column_read() -> None:
    csv = b"timestamp,intensity_g_per_kwh\n2024-01-01T00:00Z,120\n2024-01-01T01:00Z,80\n"
    note = charts.upload_note(read_user_series(csv))
    assert note.startswith("Uploaded file, ") and "column 'intensity_g_per_kwh'" in note


def test_schedule_caption_lists_six_runs_then_counts_the_rest() -> None:
    hour = pd.Timedelta(hours=1)
    first = pd.Timestamp("2022-03-01T00:00Z")
    runs = tuple((first + 3 * k * hour, first + (3 * k + 1) * hour) for k in range(8))
    result = SimpleNamespace(schedule=runs, slot_minutes=60.0, filled_slots=3)
    text = charts.schedule_caption(result, "Europe/Paris")
    assert text.startswith("Best schedule (Europe/Paris): 03-01 01:00–03-01 02:00, ")  # UTC+1 in March
    assert text.count("–") == 6 and " and 2 more runs." in text
    assert "Grid step 60 min; 3 filled slot(s) used." in text
    one = SimpleNamespace(schedule=runs[:1], slot_minutes=15.0, filled_slots=0)
    assert (
        charts.schedule_caption(one, "UTC")
        == "Best schedule (UTC): 03-01 00:00–03-01 01:00. Grid step 15 min."
    )


def test_distribution_summary_carries_the_year_and_the_savings() -> None:
    distribution = SimpleNamespace(count=8760, mean=0.123, median=0.1, percentiles={5.0: 0.01, 95.0: 0.305})
    text = charts.distribution_summary(distribution, 2022)
    assert text.startswith("**Over every submission time in 2022** (8,760 starts)")
    assert "mean savings 12.3 %, median 10.0 %, 5th-95th percentile 1.0-30.5 %." in text


def test_deadline_and_warnings_in_local_time(series: pd.Series) -> None:
    start = pd.Timestamp("2022-03-02T10:00Z")
    text = charts.deadline_caption(start, 2.0, 14.0, "Europe/Paris")
    assert text == (
        "The job must finish by submission + 2 h + 14 h of flexibility = 2022-03-03 03:00 (Europe/Paris)."
    )
    early = charts.early_warning(pd.Timestamp("2022-02-01T00:00Z"), series, "UTC")
    assert early.startswith("2022-02-01 00:00 (UTC) is before the series begins (2022-03-01 00:00)")
    outside = charts.outside_warning(dt.date(2026, 3, 2), dt.date(2022, 3, 2), series)
    assert "2026-03-02 is outside this series (2022-03-01 to 2022-03-10)" in outside
    assert "showing 2022-03-02, the same day in 2022" in outside


# ---- figures ------------------------------------------------------------------------------------


def test_job_figure_holds_the_series_around_the_job_and_its_schedule(series: pd.Series) -> None:
    # 2 h submitted at 10:00 UTC with 14 h of flexibility: the cleanest 2 h before the 02:00
    # deadline are 00:00-02:00 the next day (102 instead of 301 gCO2e/kWh).
    start = pd.Timestamp("2022-03-02T10:00Z")
    result = timeshift.flexible_start(series, 2.0, 14.0, start)
    assert result.schedule == ((pd.Timestamp("2022-03-03T00:00Z"), pd.Timestamp("2022-03-03T02:00Z")),)
    figure = charts.job_figure(series, result, start, 2.0, 14.0, "Europe/Paris", DEFAULT_BASIS, 2022)
    # The curve: the window 10:00 to 02:00 with 6 h either side, 04:00 to 08:00 next day (29 hours).
    shown = series["2022-03-02T04:00Z":"2022-03-03T08:00Z"]
    assert len(shown) == 29
    np.testing.assert_array_equal(figure.data[0].y, shown.to_numpy())
    assert pd.Timestamp(figure.data[0].x[0]) == pd.Timestamp("2022-03-02T05:00", tz="Europe/Paris")
    grey, green, deadline = figure.layout.shapes
    assert (grey.x0, grey.x1) == (pd.Timestamp("2022-03-02T10:00Z"), pd.Timestamp("2022-03-02T12:00Z"))
    assert (green.x0, green.x1) == result.schedule[0] and green.fillcolor == "green"
    assert deadline.x0 == pd.Timestamp("2022-03-03T02:00Z") and deadline.line.dash == "dash"
    assert [a.text for a in figure.layout.annotations] == ["run at once", "shifted", "deadline"]
    assert figure.layout.yaxis.title.text == f"Intensity, {DEFAULT_BASIS}, 2022 [gCO2e/kWh]"
    assert figure.layout.xaxis.title.text == "Time (Europe/Paris)"


def test_only_the_first_shifted_run_is_labelled(series: pd.Series) -> None:
    # 8 h paused and resumed by 4 March 00:00: the six clean hours of 2 March, two of 3 March.
    start = pd.Timestamp("2022-03-02T00:00Z")
    result = timeshift.pause_and_resume(series, 8.0, 40.0, start)
    day = pd.Timedelta(days=1)
    assert result.schedule == (
        (start, start + pd.Timedelta(hours=6)),
        (start + day, start + day + pd.Timedelta(hours=2)),
    )
    figure = charts.job_figure(series, result, start, 8.0, 40.0, "UTC", DEFAULT_BASIS, 2022)
    assert len(figure.layout.shapes) == 1 + len(result.schedule) + 1
    assert [a.text for a in figure.layout.annotations].count("shifted") == 1


def test_plan_figure_holds_the_typical_day_and_names_the_basis() -> None:
    db = load_databases().regions
    profile = db.profile_for("aws:us-west-1")
    assert profile is not None
    bundled = load_profile(db.profile_path(profile))
    plan = timeshift.plan_next_hours(bundled, "2026-06-17T08:00", 3, 24, "Europe/Paris")
    figure = charts.plan_figure(plan, 3, "Europe/Paris", DEFAULT_BASIS)
    np.testing.assert_allclose(figure.data[0].y, plan.forecast["intensity_g_per_kwh"].to_numpy())
    now, best = figure.layout.shapes
    assert (now.x0, now.x1) == (plan.now, plan.now + pd.Timedelta(hours=3))
    assert (best.x0, best.x1) == (plan.best_start, plan.best_end)
    assert figure.layout.yaxis.title.text == f"Typical intensity, {DEFAULT_BASIS} [gCO2e/kWh]"
    text = charts.plan_summary(plan, "Europe/Paris", DEFAULT_BASIS, "2022")
    assert f"Start at {plan.best_start:%H:%M on %A %d %B} (Europe/Paris)" in text
    assert f"({DEFAULT_BASIS} intensity, 2022;" in text and "not a forecast" in text


def test_heatmap_shows_the_grids_mean_savings_in_percent(series: pd.Series) -> None:
    grid = timeshift.savings_grid(series, (1.0, 6.0), None, (1.0, 12.0), methods=("flexible-start",))
    pivot = charts.savings_pivot(grid)
    assert list(pivot.index) == [1.0, 6.0] and list(pivot.columns) == ["+1h", "+12h"]
    for row in grid.itertuples():
        assert pivot.loc[row.duration_h, row.flex_label] == pytest.approx(row.mean_savings_fraction * 100.0)
    figure = charts.heatmap_figure(pivot)
    np.testing.assert_allclose(figure.data[0].z, pivot.to_numpy())
    assert list(figure.data[0].x) == ["+1h", "+12h"]


def test_profile_figures_hold_the_profiles(series: pd.Series) -> None:
    daily = timeshift.daily_profile(series, "UTC")
    monthly = timeshift.monthly_profile(series, "UTC")
    day = charts.daily_figure(daily, 2022, "UTC", DEFAULT_BASIS)
    high, low, mean = day.data
    np.testing.assert_array_equal(mean.y, daily["mean_g_per_kwh"].to_numpy())
    np.testing.assert_array_equal(low.y, daily["p10_g_per_kwh"].to_numpy())
    np.testing.assert_array_equal(high.y, daily["p90_g_per_kwh"].to_numpy())
    assert mean.y[0] == CLEAN_G_PER_KWH + 4.5 and mean.y[12] == DIRTY_G_PER_KWH + 4.5  # days add 0-9
    assert low.y[0] < high.y[0]
    assert day.layout.title.text == "By hour of day (2022)"
    assert day.layout.yaxis.title.text == f"Intensity, {DEFAULT_BASIS} [gCO2e/kWh]"
    month = charts.monthly_figure(monthly, DEFAULT_BASIS)
    bars, least, most = month.data
    # March: 6 clean and 18 dirty hours a day, (6 x 100 + 18 x 300) / 24 = 250, plus the mean 4.5 of
    # the days' 0-9; least 100 (1 March at night), most 309 (10 March by day).
    assert list(bars.x) == [3] and bars.y[0] == pytest.approx(254.5)
    assert (least.y[0], most.y[0]) == (CLEAN_G_PER_KWH, DIRTY_G_PER_KWH + 9)
    assert month.layout.xaxis.dtick == 1
