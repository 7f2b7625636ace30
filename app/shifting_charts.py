"""Time shifting page, the pure part: data preparation, summaries and figures (no Streamlit).

Each function takes plain values (series, engine results, the user's time zone) and returns a
DataFrame, a plotly figure or text; :mod:`app.shifting` draws them. Text returned here is
not Markdown-escaped: the caller escapes what came from a user.

References
----------
.. [1] Dodge, J. et al. (2022). "Measuring the Carbon Intensity of AI in Cloud Instances",
   FAccT '22, Section 5 (Flexible Start, Pause and Resume). https://arxiv.org/abs/2206.05229
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from wattprint.engine import timeshift
from wattprint.errors import InputError

METHOD_LABELS = {"flexible-start": "Flexible Start", "pause-resume": "Pause and Resume"}
SHOWN_RUNS = 6  # runs of a schedule listed in its caption; the rest are counted
MARGINS = {"l": 10, "r": 10, "t": 20, "b": 10}
LINE_COLOUR = "#555"
GREEN = "#2e7d32"


def years_of(series: pd.Series, timezone: str | None = None) -> list[int]:
    """The calendar years the series' timestamps fall in (UTC, or ``timezone``), oldest first."""
    index = pd.DatetimeIndex(series.index)
    return sorted(set((index if timezone is None else index.tz_convert(timezone)).year))


def analysable_years(series: pd.Series, min_days: float = 28.0) -> list[int]:
    """The UTC years holding at least ``min_days`` of the series [days] (all its years when none
    does): a local-time year converted to UTC spills a few hours into the next, which is no
    period to analyse (EPA AVERT's 2023 ends 2024-01-01 04:00 UTC in the Mid-Atlantic)."""
    index = pd.DatetimeIndex(series.index)
    years = years_of(series)
    if len(index) < 2:
        return years
    step_days = float(pd.Series(index).diff().median().total_seconds()) / 86_400.0
    kept = [year for year in years if (index.year == year).sum() * step_days >= min_days]
    return kept or years


def span(series: pd.Series) -> str:
    """The UTC years a series covers, ``2022`` or ``2020-2022``."""
    years = years_of(series)
    return f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"


def profile_note(profile: Any, source: Any | None) -> str:
    """What a bundled series is: its name, method, source and the gaps filled when compiled.

    ``profile`` is an :class:`wattprint.db` profile entry; ``source`` its source entry, or None when
    the database does not list it (the profile's source id is named instead).
    """
    named = f"{source.publisher}, {source.title}" if source else profile.source
    filled = (
        f" {profile.gaps_filled} gap slot(s) filled when the series was compiled."
        if profile.gaps_filled
        else ""
    )
    return (
        sentence(f"{profile.name}: {profile.method.split('.')[0]}")
        + " "
        + sentence(f"Source: {named}")
        + filled
    )


def upload_note(series: pd.Series) -> str:
    """What an uploaded series is: the layout and value column its reader found, and any conversion."""
    note = f"Uploaded file, {series.attrs.get('layout', 'generic')} layout, column " + repr(
        series.attrs.get("value_column", "")
    )
    if series.attrs.get("conversion"):
        note += f"; {series.attrs['conversion']}"
    return sentence(note)


def sentence(text: str) -> str:
    """``text`` stripped, ending with one full stop (none added after ``.``, ``!`` or ``?``)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def period_summary(period: pd.Series, year: int, basis: str, covered: str) -> str:
    """The sentences after a series' note: its basis, the years it covers and the rows of ``year``."""
    return (
        f"Intensity basis: {basis}; the series covers {covered}. "
        f"{len(period):,} rows in {year}, from {period.index[0]} to {period.index[-1]} (UTC)."
    )


def missing_months(series: pd.Series, from_time: pd.Timestamp, hours: int, timezone: str) -> str | None:
    """Why the next ``hours`` from ``from_time`` cannot be planned from ``series``, or None when they can.

    A plan uses the typical day of each month, so every local month ahead must be in the series.
    """
    covered = set(pd.DatetimeIndex(series.index).tz_convert(timezone).month)
    ahead = set(pd.date_range(from_time, periods=hours, freq="h").month)
    if not ahead - covered:
        return None
    return (
        "This series has no "
        + " or ".join(timeshift.MONTH_NAMES[m - 1] for m in sorted(ahead - covered))
        + " data, so the next hours cannot be planned from it; it covers "
        + ", ".join(timeshift.MONTH_NAMES[m - 1] for m in sorted(covered))
        + ". Pick a start date in one of those months, or a bundled series."
    )


def plan_summary(plan: Any, timezone: str, basis: str, covered: str) -> str:
    """The next-hours plan in words: when to start and end, and what the typical day rests on."""
    return (
        f"Start at {plan.best_start:%H:%M on %A %d %B} ({timezone}); the job ends at "
        f"{plan.best_end:%H:%M on %A %d %B}. Based on {plan.basis} of this series "
        f"({basis} intensity, {covered}; mean of the same local hour over those days), not a "
        "forecast of the actual day."
    )


def plan_figure(plan: Any, hours: int, timezone: str, basis: str) -> go.Figure:
    """The typical intensity of the next hours [gCO2e/kWh], the job started now, and its best start."""
    window = plan.forecast
    figure = go.Figure(
        go.Scatter(
            x=window["time"],
            y=window["intensity_g_per_kwh"],
            mode="lines",
            line_shape="hv",
            name=f"typical intensity ({plan.basis})",
            line={"color": LINE_COLOUR},
        )
    )
    figure.add_vrect(
        x0=plan.now,
        x1=plan.now + pd.Timedelta(hours=hours),
        fillcolor="grey",
        opacity=0.15,
        line_width=0,
        annotation_text="start now",
        annotation_position="bottom left",
    )
    figure.add_vrect(
        x0=plan.best_start,
        x1=plan.best_end,
        fillcolor="green",
        opacity=0.3,
        line_width=0,
        annotation_text="best start",
        annotation_position="top left",
    )
    figure.update_layout(
        xaxis_title=f"Time ({timezone})",
        yaxis_title=f"Typical intensity, {basis} [gCO2e/kWh]",
        showlegend=False,
        margin=MARGINS,
        height=300,
    )
    return figure


def first_local_day(period: pd.Series, timezone: str) -> dt.date:
    """The first whole local day of ``period`` (midnight UTC can be the evening before, locally)."""
    first = pd.Timestamp(period.index[0])
    day: dt.date = first.tz_convert(timezone).date()
    if pd.Timestamp(day).tz_localize(timezone) < first:
        day += dt.timedelta(days=1)
    return day


def same_day_in(day: dt.date, year: int) -> dt.date:
    """``day`` moved to ``year``; 29 February becomes the 28th in a year without one."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def local_time(day: dt.date, hour: int, timezone: str) -> pd.Timestamp:
    """Local ``day`` at ``hour`` in ``timezone``. An hour skipped by a clock change is the first hour
    after it (02:00 -> 03:00); an hour that occurs twice is its first occurrence (summer time)."""
    naive = pd.Timestamp(dt.datetime.combine(day, dt.time(int(hour))))
    return naive.tz_localize(timezone, ambiguous=True, nonexistent="shift_forward")


def submission(day: dt.date, hour: int, timezone: str) -> pd.Timestamp:
    """The submission time [UTC] of local ``day`` at ``hour`` in ``timezone`` (see :func:`local_time`)."""
    return local_time(day, hour, timezone).tz_convert("UTC")


def series_end(series: pd.Series) -> pd.Timestamp:
    """End of a series' last slot [UTC]: its last timestamp plus its last step, as the engine counts it."""
    index = pd.DatetimeIndex(series.index).tz_convert("UTC")
    step = index[-1] - index[-2] if len(index) > 1 else pd.Timedelta(0)
    return pd.Timestamp(index[-1] + step)


def _whole_local_hour(time: pd.Timestamp, timezone: str, up: bool) -> pd.Timestamp:
    """``time`` moved to a whole hour of ``timezone`` (down, or up when ``up``); a no-op on the hour."""
    local = time.tz_convert(timezone)
    past = pd.Timedelta(minutes=local.minute, seconds=local.second, microseconds=local.microsecond)
    if past == pd.Timedelta(0):
        return time
    return time - past + (pd.Timedelta(hours=1) if up else pd.Timedelta(0))


NEAR = pd.Timedelta(days=1)  # a submission this close outside a series moves to its edge, not a year


@dataclass(frozen=True)
class Placement:
    """The submission time used [UTC] and, when it is not the one asked for, a caption saying why."""

    start: pd.Timestamp
    note: str | None = None


def place_submission(series: pd.Series, day: dt.date, hour: int, timezone: str, window_h: float) -> Placement:
    """Where a job asked for local ``day`` at ``hour`` is submitted in ``series``.

    The job and its flexibility (``window_h`` [h] together) must lie inside the series. The time
    asked for when they do; else, when it is more than :data:`NEAR` outside the series, the same
    local day and hour in the nearest year whose data holds the whole window (the season kept);
    else the time clamped to the earliest or latest start the series allows (on a whole local hour
    where there is one). Raises :class:`wattprint.errors.InputError` when the series is shorter than the
    window.
    """
    first = pd.Timestamp(pd.DatetimeIndex(series.index).tz_convert("UTC")[0])
    end = series_end(series)
    window = pd.Timedelta(hours=float(window_h))
    latest = end - window
    if latest < first:
        raise InputError(
            f"a {window_h:g} h job with its flexibility needs {window_h:g} h of data; the series holds "
            f"{(end - first) / pd.Timedelta(hours=1):g} h ({first:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} "
            "UTC): shorten the job or its flexibility, or use a longer series"
        )
    asked = submission(day, hour, timezone)
    if first <= asked <= latest:
        return Placement(asked)
    used = f"Submission used: {{:%Y-%m-%d %H:%M}} ({timezone}). "
    if not first - NEAR <= asked <= end + NEAR:
        fitting = {}
        for year in years_of(series, timezone):
            moved = submission(same_day_in(day, year), hour, timezone)
            if first <= moved <= latest:
                fitting[year] = moved
        if fitting:
            year = timeshift.nearest_year(fitting, day.year)
            return Placement(
                fitting[year],
                used.format(fitting[year].tz_convert(timezone))
                + f"{day:%Y-%m-%d} is outside this series ({_local_span(series, timezone)}); this is the "
                f"same day in {year}, the nearest year whose data holds the job's {window_h:g} h "
                "(length + flexibility). For the days ahead, see the next-hours plan above.",
            )
    asked_text = f"{asked.tz_convert(timezone):%Y-%m-%d %H:%M}"
    span_text = _local_span(series, timezone)
    if asked < first:
        start = _whole_local_hour(first, timezone, up=True)
        start = start if start <= latest else first
        why = f"{asked_text} is before this series begins ({span_text}); this is its earliest start."
    else:
        start = _whole_local_hour(latest, timezone, up=False)
        start = start if start >= first else latest
        where = "is after this series ends" if asked >= end else "leaves too little of this series"
        why = (
            f"{asked_text} {where} ({span_text}) for the job's {window_h:g} h (length + flexibility); "
            "this is the latest start whose window ends within it."
        )
    return Placement(start, used.format(start.tz_convert(timezone)) + why)


def _local_span(series: pd.Series, timezone: str) -> str:
    """``first to end`` of a series, in local time."""
    first = pd.Timestamp(pd.DatetimeIndex(series.index)[0]).tz_convert(timezone)
    return f"{first:%Y-%m-%d %H:%M} to {series_end(series).tz_convert(timezone):%Y-%m-%d %H:%M}"


def deadline_caption(start: pd.Timestamp, duration_h: float, flex_h: float, timezone: str) -> str:
    """When the job must finish: submission + length + flexibility, in local time."""
    deadline = (start + pd.Timedelta(hours=duration_h + flex_h)).tz_convert(timezone)
    return (
        f"The job must finish by submission + {duration_h:g} h + {flex_h:g} h of flexibility "
        f"= {deadline:%Y-%m-%d %H:%M} ({timezone})."
    )


def schedule_caption(result: Any, timezone: str) -> str:
    """The best schedule's runs in local time (the first six, then a count), grid step and filled slots."""
    runs = ", ".join(
        f"{begin.tz_convert(timezone):%m-%d %H:%M}–{end.tz_convert(timezone):%m-%d %H:%M}"
        for begin, end in result.schedule[:SHOWN_RUNS]
    )
    extra = len(result.schedule) - SHOWN_RUNS
    more = f" and {extra} more runs" if extra > 0 else ""
    return f"Best schedule ({timezone}): {runs}{more}. Grid step {result.slot_minutes:g} min" + (
        f"; {result.filled_slots} filled slot(s) used." if result.filled_slots else "."
    )


def job_figure(
    series: pd.Series,
    result: Any,
    start: pd.Timestamp,
    duration_h: float,
    flex_h: float,
    timezone: str,
    basis: str,
    year: int,
) -> go.Figure:
    """Intensity around one job [gCO2e/kWh]: run at once (grey), shifted runs (green), deadline (red).

    The curve shows the job's window with a margin of a quarter of it (at least 6 h) each side.
    """
    margin = pd.Timedelta(hours=max(6.0, 0.25 * (duration_h + flex_h)))
    window_end = start + pd.Timedelta(hours=duration_h + flex_h)
    shown = series[(series.index >= start - margin) & (series.index <= window_end + margin)]
    figure = go.Figure(
        go.Scatter(
            x=pd.DatetimeIndex(shown.index).tz_convert(timezone),
            y=shown.to_numpy(),
            mode="lines",
            line_shape="hv",
            name="intensity",
            line={"color": LINE_COLOUR},
        )
    )
    figure.add_vrect(
        x0=start.tz_convert(timezone),
        x1=(start + pd.Timedelta(hours=duration_h)).tz_convert(timezone),
        fillcolor="grey",
        opacity=0.15,
        line_width=0,
        annotation_text="run at once",
        annotation_position="bottom left",
    )
    for index, (begin, end) in enumerate(result.schedule):
        labelled = {"annotation_text": "shifted", "annotation_position": "top left"} if index == 0 else {}
        figure.add_vrect(
            x0=begin.tz_convert(timezone),
            x1=end.tz_convert(timezone),
            fillcolor="green",
            opacity=0.3,
            line_width=0,
            **labelled,
        )
    figure.add_vline(
        x=window_end.tz_convert(timezone),
        line_dash="dash",
        line_color="red",
        annotation_text="deadline",
        annotation_position="top right",
    )
    figure.update_layout(
        xaxis_title=f"Time ({timezone})",
        yaxis_title=f"Intensity, {basis}, {year} [gCO2e/kWh]",
        showlegend=False,
        margin=MARGINS,
        height=340,
    )
    return figure


def distribution_summary(distribution: Any, year: int) -> str:
    """Savings over every submission time of ``year``, in Markdown: mean, median, 5th-95th percentile."""
    return (
        f"**Over every submission time in {year}** ({distribution.count:,} starts): mean savings "
        f"{distribution.mean * 100:.1f} %, median {distribution.median * 100:.1f} %, 5th-95th percentile "
        f"{distribution.percentiles[5.0] * 100:.1f}-{distribution.percentiles[95.0] * 100:.1f} %."
    )


def savings_pivot(grid: pd.DataFrame) -> pd.DataFrame:
    """Mean savings [%] with job lengths as rows and flexibilities as columns, in the grid's order."""
    pivot = grid.pivot_table(
        index="duration_h", columns="flex_label", values="mean_savings_fraction", sort=False
    )
    return pivot * 100.0


def heatmap_figure(pivot: pd.DataFrame) -> go.Figure:
    """Mean savings [%] by job length and flexibility, each cell labelled."""
    figure = px.imshow(
        pivot,
        text_auto=".1f",
        color_continuous_scale="Greens",
        aspect="auto",
        labels={"x": "Flexibility", "y": "Job length [h]", "color": "Savings [%]"},
    )
    figure.update_yaxes(type="category")
    figure.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=320)
    return figure


def _profile_layout(figure: go.Figure, title: str, x_title: str, basis: str) -> go.Figure:
    figure.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=f"Intensity, {basis} [gCO2e/kWh]",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=320,
        legend={"orientation": "h", "y": -0.25},
    )
    return figure


def daily_figure(daily: pd.DataFrame, year: int, timezone: str, basis: str) -> go.Figure:
    """Intensity by local hour of day [gCO2e/kWh]: the mean and the 10th-90th percentile band."""
    figure = go.Figure(
        [
            go.Scatter(
                x=daily.index, y=daily["p90_g_per_kwh"], line={"width": 0}, showlegend=False, name="90th"
            ),
            go.Scatter(
                x=daily.index,
                y=daily["p10_g_per_kwh"],
                fill="tonexty",
                line={"width": 0},
                fillcolor="rgba(46,125,50,0.2)",
                name="10th-90th percentile",
            ),
            go.Scatter(x=daily.index, y=daily["mean_g_per_kwh"], name="mean", line={"color": GREEN}),
        ]
    )
    return _profile_layout(figure, f"By hour of day ({year})", f"Hour ({timezone})", basis)


def monthly_figure(monthly: pd.DataFrame, basis: str) -> go.Figure:
    """Intensity by month over the whole series [gCO2e/kWh]: mean bars, min and max markers."""
    figure = go.Figure(
        [
            go.Bar(x=monthly.index, y=monthly["mean_g_per_kwh"], name="mean", marker_color=GREEN),
            go.Scatter(x=monthly.index, y=monthly["min_g_per_kwh"], mode="markers", name="min"),
            go.Scatter(x=monthly.index, y=monthly["max_g_per_kwh"], mode="markers", name="max"),
        ]
    )
    _profile_layout(figure, "By month (whole series)", "Month", basis)
    figure.update_xaxes(dtick=1)
    return figure
