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

from app import shifting
from app import shifting_charts as charts
from wattprint.db.loader import load_databases
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.db.series import load_profile, read_user_series
from wattprint.engine import timeshift
from wattprint.errors import InputError

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


def test_sentence_ends_with_one_full_stop() -> None:
    assert charts.sentence("Source: EIA") == "Source: EIA."
    assert charts.sentence("Source: EIA, Form 930. ") == "Source: EIA, Form 930."
    assert charts.sentence("Really?") == "Really?"


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
    # One full stop between sentences, with or without filled gaps (the series' caption once read
    # "filled when the series was compiled.. Intensity basis").
    for filled in (0, 28):
        text = charts.profile_note(profile.model_copy(update={"gaps_filled": filled}), source)
        caption = text + " " + charts.period_summary(one_year(), 2022, DEFAULT_BASIS, "2022")
        assert ".." not in caption and caption.endswith("(UTC).")
        assert ("28 gap slot(s) filled when the series was compiled. Intensity basis" in caption) == bool(
            filled
        )


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


def test_deadline_in_local_time() -> None:
    start = pd.Timestamp("2022-03-02T10:00Z")
    text = charts.deadline_caption(start, 2.0, 14.0, "Europe/Paris")
    assert text == (
        "The job must finish by submission + 2 h + 14 h of flexibility = 2022-03-03 03:00 (Europe/Paris)."
    )


# ---- where a submission lands in the series -------------------------------------------------------


def one_year() -> pd.Series:
    """Every hour of 2022 in UTC, as the bundled one-year series are (region_db/profiles)."""
    index = pd.date_range("2022-01-01", "2022-12-31T23:00", freq="h", tz="UTC")
    return pd.Series(200.0, index=index)


def test_a_submission_inside_the_series_is_kept(series: pd.Series) -> None:
    placed = charts.place_submission(series, dt.date(2022, 3, 5), 10, "UTC", 14.0)
    assert placed == charts.Placement(pd.Timestamp("2022-03-05T10:00Z"), None)
    # The end of the series is its last row plus its step: a window may end exactly there.
    assert charts.series_end(series) == pd.Timestamp("2022-03-11T00:00Z")
    last = charts.place_submission(series, dt.date(2022, 3, 10), 10, "UTC", 14.0)
    assert last.start == pd.Timestamp("2022-03-10T10:00Z") and last.note is None


def test_a_submission_near_the_edges_is_clamped_into_the_series(series: pd.Series) -> None:
    # 36 h from 10 March 10:00 would need data until 11 March 22:00; the series ends at 00:00 on
    # the 11th, so the latest start is 36 h before that, 9 March 12:00.
    late = charts.place_submission(series, dt.date(2022, 3, 10), 10, "UTC", 36.0)
    assert late.start == pd.Timestamp("2022-03-09T12:00Z")
    assert late.note is not None and late.note.startswith("Submission used: 2022-03-09 12:00 (UTC). ")
    assert "2022-03-10 10:00 leaves too little of this series" in late.note
    # A day before the series: its first hour.
    early = charts.place_submission(series, dt.date(2022, 2, 28), 0, "UTC", 14.0)
    assert early.start == pd.Timestamp("2022-03-01T00:00Z")
    assert early.note is not None and "2022-02-28 00:00 is before this series begins" in early.note


def test_a_submission_far_outside_moves_to_the_same_day_of_a_year_with_data(series: pd.Series) -> None:
    moved = charts.place_submission(series, dt.date(2026, 3, 5), 10, "Europe/Paris", 14.0)
    assert moved.start == pd.Timestamp("2022-03-05T09:00Z")  # 10:00 in Paris (UTC+1 in March)
    assert moved.note is not None and "2026-03-05 is outside this series" in moved.note
    assert "the same day in 2022" in moved.note
    # No year of the series holds 5 May: the series' nearest edge instead.
    clamped = charts.place_submission(series, dt.date(2026, 5, 5), 10, "UTC", 14.0)
    assert clamped.start == pd.Timestamp("2022-03-10T10:00Z")  # 11 March 00:00 - 14 h
    assert clamped.note is not None and "is after this series ends" in clamped.note


def test_tokyo_in_2026_uses_2022_not_the_nine_hours_of_2023() -> None:
    # The last nine hours of a 2022 UTC series fall on 1 January 2023 in Tokyo (UTC+9), so 2023 is
    # the nearest local year to 2026 but holds no 1 June; the page once stopped there with "start
    # 2023-05-31T15:00:00+00:00 is after the series ends".
    year = one_year()
    assert charts.years_of(year, "Asia/Tokyo") == [2022, 2023]
    placed = charts.place_submission(year, dt.date(2026, 6, 1), 0, "Asia/Tokyo", 36.0)
    assert placed.start == pd.Timestamp("2022-05-31T15:00Z")  # 1 June 2022 00:00 in Tokyo
    assert placed.note is not None
    assert placed.note.startswith("Submission used: 2022-06-01 00:00 (Asia/Tokyo). ")
    assert "the same day in 2022" in placed.note


ZONES = ("UTC", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Pago_Pago")


@pytest.mark.parametrize("timezone", ZONES)
@pytest.mark.parametrize("edge", ["first", "last"])
@pytest.mark.parametrize("hour", [0, 12, 23])
def test_every_zone_at_the_series_first_and_last_day_lands_inside(
    timezone: str, edge: str, hour: int
) -> None:
    # Kiritimati is UTC+14 and Pago Pago UTC-11: the series' local days start at 14:00 and 13:00.
    year = one_year()
    local = pd.DatetimeIndex(year.index).tz_convert(timezone)
    day = (local[0] if edge == "first" else local[-1]).date()
    window_h = 24.0 + 12.0  # the page's default job: 24 h with 12 h of flexibility
    placed = charts.place_submission(year, day, hour, timezone, window_h)
    first, end = year.index[0], charts.series_end(year)
    assert first <= placed.start <= end - pd.Timedelta(hours=window_h)
    asked = charts.submission(day, hour, timezone)
    fits = first <= asked <= end - pd.Timedelta(hours=window_h)
    assert (placed.note is None) == fits and (placed.start == asked) == fits
    if not fits:  # moved to the nearest edge, on a whole local hour
        assert abs(placed.start - asked) < pd.Timedelta(hours=window_h + 24)
        assert placed.start.tz_convert(timezone).minute == 0
        assert placed.note is not None and f"({timezone})." in placed.note
    # The engine takes it: no "after the series ends" on a valid zone and date.
    result = timeshift.flexible_start(year, 24.0, 12.0, placed.start)
    assert result.start == placed.start


def test_edges_by_hand_at_utc_plus_14_and_minus_11() -> None:
    year = one_year()
    # Kiritimati, 1 January 2022 00:00 = 31 December 2021 10:00 UTC: before the series; its first
    # hour, 14:00 locally.
    kiritimati = charts.place_submission(year, dt.date(2022, 1, 1), 0, "Pacific/Kiritimati", 36.0)
    assert kiritimati.start == pd.Timestamp("2022-01-01T00:00Z")
    # Pago Pago, 31 December 2022 23:00 = 1 January 2023 10:00 UTC: after the end; the latest
    # start, 36 h before 2023-01-01 00:00 UTC, not 31 December 2021.
    pago = charts.place_submission(year, dt.date(2022, 12, 31), 23, "Pacific/Pago_Pago", 36.0)
    assert pago.start == pd.Timestamp("2022-12-30T12:00Z")
    assert pago.note is not None and "is after this series ends" in pago.note


def test_a_series_shorter_than_the_window_says_so(series: pd.Series) -> None:
    with pytest.raises(InputError, match="a 300 h job with its flexibility needs 300 h of data"):
        charts.place_submission(series, dt.date(2022, 3, 1), 0, "UTC", 300.0)  # ten days: 240 h


def test_a_local_hour_skipped_or_repeated_by_a_clock_change() -> None:
    # 13 March 2022: Los Angeles skips 02:00-03:00; 6 November 2022: 01:00-02:00 occurs twice.
    skipped = charts.local_time(dt.date(2022, 3, 13), 2, "America/Los_Angeles")
    assert skipped == pd.Timestamp("2022-03-13T03:00-07:00")
    twice = charts.local_time(dt.date(2022, 11, 6), 1, "America/Los_Angeles")
    assert twice == pd.Timestamp("2022-11-06T01:00-07:00")  # the first, summer-time one


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


@pytest.mark.parametrize(
    ("timezone", "now"),
    [
        ("Pacific/Kiritimati", "2023-01-01T14:00"),  # the series' last local day, after its 13:00 end
        ("Asia/Tokyo", "2026-01-15T08:00"),  # January 2023 holds nine hours of the series in Tokyo
        ("Pacific/Pago_Pago", "2021-12-31T09:00"),  # December 2021 holds eleven hours (13:00-23:00)
    ],
)
def test_next_hours_use_a_whole_month_not_the_few_hours_at_an_end(timezone: str, now: str) -> None:
    # The page's next-hours panel once stopped with "the series has no January 2023 value at 14:00".
    plan = timeshift.plan_next_hours(one_year(), now, 4, 24, timezone)
    assert plan.basis.endswith(" of 2022"), plan.basis
    assert set(plan.forecast["profile_year"]) == {2022}


def test_the_shared_job_figure_follows_the_schedule(series: pd.Series) -> None:
    # Figures are cached for every session: a figure is reused for the same job and schedule,
    # and a new job (a new start, so a new schedule) never gets the previous one's figure.
    chosen = shifting.Chosen(series, "test:ten-days-of-march", "note", DEFAULT_BASIS)
    figures = []
    for hour in (10, 10, 20):
        start = pd.Timestamp(f"2022-03-02T{hour}:00Z")
        job = shifting.Job(2.0, shifting.FLEX_HOURS, 14.0, "flexible-start", 1.0, start, 2022)
        result = timeshift.flexible_start(series, 2.0, 14.0, start)
        figures.append(shifting.job_figure(chosen, job, result, "UTC"))
        green = figures[-1].layout.shapes[1]
        assert (green.x0, green.x1) == result.schedule[0]
    assert figures[0] is figures[1] and figures[2] is not figures[0]
