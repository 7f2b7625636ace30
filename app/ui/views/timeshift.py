"""Time shifting: run a flexible job when the grid is cleaner (Flexible Start, Pause and Resume)."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from app.db.schema import DEFAULT_BASIS
from app.engine import timeshift
from app.errors import WattprintError
from app.ui import cached, components, safe, state, widgets

BUNDLED = "Bundled series of a region"
UPLOAD = "Upload a CSV"
METHOD_LABELS = {"flexible-start": "Flexible Start", "pause-resume": "Pause and Resume"}
FLEX_HOURS = "+ hours"
FLEX_PERCENT = "+ % of job length"
HEATMAP_FLEX_HOURS = (1.0, 6.0, 12.0, 24.0, 48.0)  # heatmap flexibilities when given in hours [h]
# Every option is in the URL under its widget key. ts_year 0: the latest year of the series.
OPTIONS = state.KeyedOptions(
    "ts",
    {
        "ts_source": state.InputField(BUNDLED, (BUNDLED, UPLOAD)),
        "ts_region": state.InputField("aws:us-west-1"),
        "ts_fill_gaps": state.InputField(False),
        "ts_year": state.InputField(0, minimum=0, maximum=2100),
        "ts_timezone": state.InputField("UTC"),
        "ts_next_hours": state.InputField(4, minimum=1, maximum=168),
        "ts_next_within": state.InputField(24, minimum=1, maximum=168),
        "ts_next_date": state.InputField(dt.date(2026, 1, 1)),
        "ts_next_hour": state.InputField(0, minimum=0, maximum=23),
        "ts_hours": state.InputField(6.0, minimum=0.25, maximum=2000.0),
        "ts_flex_mode": state.InputField(FLEX_HOURS, (FLEX_HOURS, FLEX_PERCENT)),
        "ts_flex_hours": state.InputField(12.0, minimum=0.0, maximum=2000.0),
        "ts_flex_percent": state.InputField(50.0, minimum=0.0, maximum=1000.0),
        "ts_method": state.InputField("flexible-start", tuple(METHOD_LABELS)),
        "ts_power_kw": state.InputField(1.0, minimum=0.001, maximum=1e6),
        "ts_date": state.InputField(dt.date(2022, 1, 1)),
        "ts_hour": state.InputField(0, minimum=0, maximum=23),
    },
)
FROM_JOB = ("ts_region", "ts_hours", "ts_power_kw")  # follow the shared job until changed here
FROM_CONTEXT = ("ts_timezone", "ts_next_date", "ts_next_hour", "ts_year", "ts_date")


def put(name: str, value: object) -> None:
    """Set option ``name`` (saved value and widget) before its widget is drawn."""
    st.session_state[OPTIONS.store][name] = value
    st.session_state[name] = value


def known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def refuse(name: str, reason: str) -> None:
    """Say that a link's value of ``name`` was ignored, when the link gave one."""
    if name in from_link:
        text = str(from_link[name])[:40]
        st.warning(components.plain(f"Link: ignored {name}={text!r}: {reason}"))


st.title("Time shifting")
st.caption(
    "A job that may finish later can start when the grid is cleaner (Flexible Start) or pause "
    "through dirty hours (Pause and Resume), as in Dodge et al. (2022), Section 5."
)

fresh = OPTIONS.store not in st.session_state
before = st.session_state.get(OPTIONS.url_key)
job = widgets.job_line(state.open_page(OPTIONS))
from_link: dict[str, str] = dict(st.session_state.get(OPTIONS.url_key) or {})
if st.session_state.get(OPTIONS.url_key) == before:
    from_link = {}  # no link this run: nothing to say about one
job_key = state.params_key(st.session_state[state.SAVED_KEY])
auto = set(FROM_JOB + FROM_CONTEXT) if fresh else set()
if st.session_state.get("ts_job_key") not in (None, job_key):
    auto |= set(FROM_JOB)  # the job changed on another page: take its length, draw and region
st.session_state["ts_job_key"] = job_key
auto -= set(from_link)
for name, text in from_link.items():  # a link's bad value: the page's own default, as without one
    try:
        state.parse_option(OPTIONS.fields[name], text)
    except (ValueError, TypeError):
        auto |= {name} & set(FROM_JOB + FROM_CONTEXT)
if "ts_hours" in auto:
    put("ts_hours", state.job_hours(job, 6.0))
if "ts_power_kw" in auto:
    put("ts_power_kw", state.job_power_kw(job, 1.0))
state.publish(OPTIONS)
try:
    db = cached.databases().regions
except WattprintError as error:
    safe.error(error)
    st.stop()

# ---- which series ----------------------------------------------------------------------------------
source = st.radio("Intensity series", [BUNDLED, UPLOAD], horizontal=True, key="ts_source")
series: pd.Series | None = None
series_key = ""
series_note = ""
series_basis = "basis not stated"
try:
    if source == BUNDLED:
        linked = {}
        for region_id in sorted(db.regions):
            profile = db.profile_for(region_id)
            if profile is not None:
                linked[region_id] = profile
        region_ids = list(linked)
        if "ts_region" in auto or st.session_state["ts_region"] not in region_ids:
            refuse("ts_region", "no hourly series for that region")
            put("ts_region", state.job_region(job, region_ids, "aws:us-west-1"))
        region_id = st.selectbox(
            "Region (those with an hourly series)",
            region_ids,
            format_func=lambda rid: f"{rid} · {db.regions[rid].name} ({linked[rid].id})",
            key="ts_region",
        )
        profile = linked[region_id]
        series = cached.profile_series(profile.id)
        series_key = f"profile:{profile.id}"
        # Every bundled series is a lifecycle (average, production-based) series: region_db/README.md.
        series_basis = DEFAULT_BASIS
        source_entry = db.sources.get(profile.source)
        series_note = (
            f"{profile.name}: {profile.method.split('.')[0]}. Source: "
            + (f"{source_entry.publisher}, {source_entry.title}" if source_entry else profile.source)
            + (
                f". {profile.gaps_filled} gap slot(s) filled when the series was compiled."
                if profile.gaps_filled
                else ""
            )
        )
    else:
        uploaded = st.file_uploader(
            "CSV of intensity [gCO2e/kWh] with timestamps (also Electricity Maps or WattTime exports)",
            type=["csv", "gz", "txt"],
            key="ts_upload",
        )
        if uploaded is None:
            st.info(
                "Upload a CSV with columns `timestamp` (ISO 8601; without an offset it is read as UTC) and "
                "`intensity_g_per_kwh`, or pick a bundled series above."
            )
            st.stop()
        data = uploaded.getvalue()
        series = cached.uploaded_series(data)
        series_key = "upload:" + hashlib.sha256(data).hexdigest()
        series_basis = "basis as in your file (not stated)"
        series_note = f"Uploaded file, {series.attrs.get('layout', 'generic')} layout, column " + repr(
            series.attrs.get("value_column", "")
        )
        if series.attrs.get("conversion"):
            series_note += f"; {series.attrs['conversion']}"
except WattprintError as error:
    safe.error(error)
    st.stop()

assert series is not None
fill_gaps = st.checkbox(
    "Fill gaps by interpolation (filled slots are counted in the result)", key="ts_fill_gaps"
)
gaps = "fill" if fill_gaps else "refuse"
years = sorted(set(pd.DatetimeIndex(series.index).year), reverse=True)
if "ts_year" in auto or st.session_state["ts_year"] not in years:
    if st.session_state["ts_year"] != 0:  # 0: the latest, as a link written before it was known
        refuse("ts_year", f"the series has no such year; it covers {', '.join(map(str, sorted(years)))}")
    put("ts_year", years[0])
year = st.selectbox(
    "Period analysed (UTC calendar year)",
    years,
    key="ts_year",
    help="Savings over every start time and the heatmap use this year of the series.",
)
period = series[pd.DatetimeIndex(series.index).year == year]
period_key = f"{series_key}|{year}"
all_years = sorted(set(pd.DatetimeIndex(series.index).year))
span = f"{all_years[0]}" if len(all_years) == 1 else f"{all_years[0]}-{all_years[-1]}"
st.caption(
    safe.plain(series_note)  # names the uploaded file's columns: plain text
    + f". Intensity basis: {series_basis}; the series covers {span}. "
    f"{len(period):,} rows in {year}, from {period.index[0]} to {period.index[-1]} (UTC)."
)
if len(period) < 2:
    st.error(f"The series has {len(period)} row(s) in {year}; pick another year.")
    st.stop()

# ---- your time zone ---------------------------------------------------------------------------------
browser_zone = getattr(st.context, "timezone", None) or "UTC"
if "ts_timezone" in auto:
    put("ts_timezone", browser_zone)
elif from_link.get("ts_timezone") and not known_zone(str(st.session_state["ts_timezone"])):
    refuse("ts_timezone", "not an IANA time zone name")
    put("ts_timezone", browser_zone)
timezone = (
    st.text_input(
        "Your time zone (IANA name)",
        key="ts_timezone",
        help="Hours, days and months are counted here, e.g. Europe/Paris or America/Los_Angeles. "
        "Default: your browser's.",
    ).strip()
    or "UTC"
)
try:
    zone = zoneinfo.ZoneInfo(timezone)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    st.error(components.plain(f"Unknown time zone {timezone[:60]!r}; use an IANA name such as Europe/Paris."))
    st.stop()

# ---- the next hours ------------------------------------------------------------------------------------
st.subheader("When should I start? The next hours, from a typical day")
now_local = dt.datetime.now(zone)
if "ts_next_date" in auto:
    put("ts_next_date", now_local.date())
if "ts_next_hour" in auto:
    put("ts_next_hour", now_local.hour)
n1, n2, n3, n4 = st.columns(4)
next_hours = int(n1.number_input("Job length [h]", min_value=1, max_value=168, step=1, key="ts_next_hours"))
within_hours = int(
    n2.number_input(
        "Must finish within the next [h]", min_value=1, max_value=168, step=1, key="ts_next_within"
    )
)
from_date = n3.date_input(
    f"From ({timezone})", min_value=state.DATE_RANGE[0], max_value=state.DATE_RANGE[1], key="ts_next_date"
)
from_hour = n4.selectbox(f"From hour ({timezone})", list(range(24)), key="ts_next_hour")
from_time = pd.Timestamp(dt.datetime.combine(from_date, dt.time(int(from_hour)))).tz_localize(timezone)
covered = set(pd.DatetimeIndex(series.index).tz_convert(timezone).month)
ahead = set(pd.date_range(from_time, periods=within_hours, freq="h").month)
if within_hours < next_hours:
    st.error(f"A {next_hours} h job cannot finish within {within_hours} h; give a longer window.")
elif ahead - covered:
    st.info(
        "This series has no "
        + " or ".join(timeshift.MONTH_NAMES[m - 1] for m in sorted(ahead - covered))
        + " data, so the next hours cannot be planned from it; it covers "
        + ", ".join(timeshift.MONTH_NAMES[m - 1] for m in sorted(covered))
        + ". Pick a start date in one of those months, or a bundled series."
    )
else:
    try:
        plan = cached.plan_next_hours(
            series_key, series, from_time.isoformat(), next_hours, within_hours, timezone, gaps
        )
    except WattprintError as error:
        st.error(components.plain(str(error)))
    else:
        p1, p2, p3, p4 = st.columns(4)
        p1.metric(f"Start at ({timezone})", f"{plan.best_start:%a %H:%M}")
        p2.metric("Expected then [kg CO2e per kW]", f"{plan.best_co2e_kg:,.3f}")
        p3.metric(f"Starting at {plan.now:%H:%M} [kg CO2e per kW]", f"{plan.start_now_co2e_kg:,.3f}")
        p4.metric("Less by waiting [%]", f"{plan.savings_fraction * 100:.1f}")
        st.markdown(
            components.plain(
                f"Start at {plan.best_start:%H:%M on %A %d %B} ({timezone}); the job ends at "
                f"{plan.best_end:%H:%M on %A %d %B}. Based on {plan.basis} of this series "
                f"({series_basis} intensity, {span}; mean of the same local hour over those days), not a "
                "forecast of the actual day."
            )
        )
        window = plan.forecast
        plan_chart = go.Figure(
            go.Scatter(
                x=window["time"],
                y=window["intensity_g_per_kwh"],
                mode="lines",
                line_shape="hv",
                name=f"typical intensity ({plan.basis})",
                line={"color": "#555"},
            )
        )
        plan_chart.add_vrect(
            x0=plan.now,
            x1=plan.now + pd.Timedelta(hours=next_hours),
            fillcolor="grey",
            opacity=0.15,
            line_width=0,
            annotation_text="start now",
            annotation_position="bottom left",
        )
        plan_chart.add_vrect(
            x0=plan.best_start,
            x1=plan.best_end,
            fillcolor="green",
            opacity=0.3,
            line_width=0,
            annotation_text="best start",
            annotation_position="top left",
        )
        plan_chart.update_layout(
            xaxis_title=f"Time ({timezone})",
            yaxis_title=f"Typical intensity, {series_basis} [gCO2e/kWh]",
            showlegend=False,
            margin={"l": 10, "r": 10, "t": 20, "b": 10},
            height=300,
        )
        st.plotly_chart(plan_chart, key="ts_next_curve")
        st.caption(
            "Grey: the job started at the first hour. Green: the cleanest start. Line: the typical "
            "intensity of each hour (its month, weekday or weekend, local hour)."
        )

st.subheader("What if: a submission time in the series")
# ---- the job ---------------------------------------------------------------------------------------
left, middle, right = st.columns(3)
duration_h = left.number_input(
    "Job length [h]",
    min_value=0.25,
    max_value=2000.0,
    step=1.0,
    key="ts_hours",
)
flex_mode = middle.radio(
    "Flexibility given as", [FLEX_HOURS, FLEX_PERCENT], horizontal=True, key="ts_flex_mode"
)
if flex_mode == FLEX_HOURS:
    flex_h = middle.number_input(
        "Flexibility [h]", min_value=0.0, max_value=2000.0, step=1.0, key="ts_flex_hours"
    )
else:
    flex_percent = middle.number_input(
        "Flexibility [% of job length]",
        min_value=0.0,
        max_value=1000.0,
        step=25.0,
        key="ts_flex_percent",
    )
    flex_h = duration_h * flex_percent / 100.0
method = right.radio("Method", list(METHOD_LABELS), format_func=lambda m: METHOD_LABELS[m], key="ts_method")
power_kw = right.number_input("Average draw [kW]", min_value=0.001, max_value=1e6, key="ts_power_kw")
# The first whole local day of the period (midnight UTC can be the evening before, locally).
first_day = period.index[0].tz_convert(timezone).date()
if pd.Timestamp(first_day).tz_localize(timezone) < period.index[0]:
    first_day += dt.timedelta(days=1)
if "ts_date" in auto:
    put("ts_date", first_day)
left, right = st.columns(2)
start_date = left.date_input(
    f"Submitted on ({timezone})", min_value=state.DATE_RANGE[0], max_value=state.DATE_RANGE[1], key="ts_date"
)
start_hour = right.selectbox(f"Submitted at hour ({timezone})", list(range(24)), key="ts_hour")
series_years = sorted(set(pd.DatetimeIndex(series.index).tz_convert(timezone).year))
job_year = start_date.year
if job_year not in series_years:
    job_year = timeshift.nearest_year(series_years, start_date.year)
    try:
        moved = start_date.replace(year=job_year)
    except ValueError:  # 29 February in a year without one
        moved = start_date.replace(year=job_year, day=28)
    st.warning(
        f"{start_date:%Y-%m-%d} is outside this series ({series.index[0]:%Y-%m-%d} to "
        f"{series.index[-1]:%Y-%m-%d}): showing {moved:%Y-%m-%d}, the same day in {job_year}, the "
        "nearest year it covers. For the days ahead, see the next-hours plan above."
    )
    st.button(
        f"Set the date to {moved:%Y-%m-%d}",
        key="ts_use_nearest",
        on_click=lambda day=moved: st.session_state.update(ts_date=day),
    )
    start_date = moved
start = (
    pd.Timestamp(dt.datetime.combine(start_date, dt.time(int(start_hour))))
    .tz_localize(timezone)
    .tz_convert("UTC")
)
if start < series.index[0]:
    st.warning(
        f"{start.tz_convert(timezone):%Y-%m-%d %H:%M} ({timezone}) is before the series begins "
        f"({series.index[0].tz_convert(timezone):%Y-%m-%d %H:%M}); the job is submitted at its first hour."
    )
    start = pd.Timestamp(series.index[0])
st.caption(
    f"The job must finish by submission + {duration_h:g} h + {flex_h:g} h of flexibility "
    f"= {(start + pd.Timedelta(hours=duration_h + flex_h)).tz_convert(timezone):%Y-%m-%d %H:%M} ({timezone})."
)

try:
    result = cached.shift_job(
        series_key,
        series,
        method,
        float(duration_h),
        float(flex_h),
        start.isoformat(),
        gaps,
        power_kw,
    )
except WattprintError as error:
    safe.error(error)
    st.stop()
state.publish(OPTIONS)

# ---- one job -----------------------------------------------------------------------------------------
a, b, c, d = st.columns(4)
a.metric("Started at submission [kg CO2e]", f"{result.baseline_co2e_kg:,.3f}")
b.metric(f"{METHOD_LABELS[method]} [kg CO2e]", f"{result.shifted_co2e_kg:,.3f}")
c.metric("Savings [%]", f"{result.savings_fraction * 100:.1f}")
d.metric("Pauses", f"{result.pauses}")
runs = ", ".join(
    f"{begin.tz_convert(timezone):%m-%d %H:%M}–{end.tz_convert(timezone):%m-%d %H:%M}"
    for begin, end in result.schedule[:6]
)
more = f" and {len(result.schedule) - 6} more runs" if len(result.schedule) > 6 else ""
st.caption(
    f"Best schedule ({timezone}): {runs}{more}. Grid step {result.slot_minutes:g} min"
    + (f"; {result.filled_slots} filled slot(s) used." if result.filled_slots else ".")
)

margin = pd.Timedelta(hours=max(6.0, 0.25 * (duration_h + flex_h)))
window_end = start + pd.Timedelta(hours=duration_h + flex_h)
shown = series[(series.index >= start - margin) & (series.index <= window_end + margin)]
curve = go.Figure(
    go.Scatter(
        x=shown.index.tz_convert(timezone),
        y=shown.to_numpy(),
        mode="lines",
        line_shape="hv",
        name="intensity",
        line={"color": "#555"},
    )
)
curve.add_vrect(
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
    curve.add_vrect(
        x0=begin.tz_convert(timezone),
        x1=end.tz_convert(timezone),
        fillcolor="green",
        opacity=0.3,
        line_width=0,
        **labelled,
    )
curve.add_vline(
    x=window_end.tz_convert(timezone),
    line_dash="dash",
    line_color="red",
    annotation_text="deadline",
    annotation_position="top right",
)
curve.update_layout(
    xaxis_title=f"Time ({timezone})",
    yaxis_title=f"Intensity, {series_basis}, {job_year} [gCO2e/kWh]",
    showlegend=False,
    margin={"l": 10, "r": 10, "t": 20, "b": 10},
    height=340,
)
st.plotly_chart(curve, key="ts_curve")
st.caption("Grey: the job run at submission. Green: the shifted schedule. Red dashed line: the deadline.")

# ---- every start of the year ------------------------------------------------------------------------
try:
    distribution = cached.savings_distribution(
        period_key, period, method, float(duration_h), float(flex_h), gaps
    )
except WattprintError as error:
    safe.error(error)
else:
    st.markdown(
        f"**Over every submission time in {year}** ({distribution.count:,} starts): mean savings "
        f"{distribution.mean * 100:.1f} %, median {distribution.median * 100:.1f} %, 5th-95th percentile "
        f"{distribution.percentiles[5.0] * 100:.1f}-{distribution.percentiles[95.0] * 100:.1f} %."
    )

# ---- heatmap ---------------------------------------------------------------------------------------------
st.subheader(f"Mean savings by job length and flexibility ({METHOD_LABELS[method]}, {year})")
try:
    if flex_mode == FLEX_HOURS:
        grid = cached.savings_grid(
            period_key, period, method, timeshift.TABLE_DURATIONS_H, None, HEATMAP_FLEX_HOURS, gaps
        )
    else:
        grid = cached.savings_grid(
            period_key,
            period,
            method,
            timeshift.TABLE_DURATIONS_H,
            timeshift.DODGE_FLEX_FRACTIONS,
            None,
            gaps,
        )
except WattprintError as error:
    safe.error(error)
else:
    if grid.empty:
        st.info("The period is too short for the job lengths of the heatmap.")
    else:
        pivot = (
            grid.pivot_table(
                index="duration_h", columns="flex_label", values="mean_savings_fraction", sort=False
            )
            * 100.0
        )
        heatmap = px.imshow(
            pivot,
            text_auto=".1f",
            color_continuous_scale="Greens",
            aspect="auto",
            labels={"x": "Flexibility", "y": "Job length [h]", "color": "Savings [%]"},
        )
        heatmap.update_yaxes(type="category")
        heatmap.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=320)
        st.plotly_chart(heatmap, key="ts_heatmap")
        st.caption("Each cell: the mean over every submission time of the year of the savings [%].")

# ---- profiles ---------------------------------------------------------------------------------------------
st.subheader("When is the grid cleaner?")
try:
    daily, _ = cached.intensity_profiles(period_key, period, timezone, gaps)
    _, monthly = cached.intensity_profiles(series_key, series, timezone, gaps)
except WattprintError as error:
    safe.error(error)
else:
    left, right = st.columns(2)
    day_chart = go.Figure(
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
            go.Scatter(x=daily.index, y=daily["mean_g_per_kwh"], name="mean", line={"color": "#2e7d32"}),
        ]
    )
    day_chart.update_layout(
        title=f"By hour of day ({year})",
        xaxis_title=f"Hour ({timezone})",
        yaxis_title=f"Intensity, {series_basis} [gCO2e/kWh]",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=320,
        legend={"orientation": "h", "y": -0.25},
    )
    left.plotly_chart(day_chart, key="ts_daily")
    month_chart = go.Figure(
        [
            go.Bar(x=monthly.index, y=monthly["mean_g_per_kwh"], name="mean", marker_color="#2e7d32"),
            go.Scatter(x=monthly.index, y=monthly["min_g_per_kwh"], mode="markers", name="min"),
            go.Scatter(x=monthly.index, y=monthly["max_g_per_kwh"], mode="markers", name="max"),
        ]
    )
    month_chart.update_layout(
        title="By month (whole series)",
        xaxis_title="Month",
        yaxis_title=f"Intensity, {series_basis} [gCO2e/kWh]",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=320,
        legend={"orientation": "h", "y": -0.25},
    )
    month_chart.update_xaxes(dtick=1)
    right.plotly_chart(month_chart, key="ts_monthly")

st.info(
    "These figures differ from Dodge et al. (2022), Tables 4-5: they used marginal (WattTime) "
    "intensities of 2020 for cloud regions; these are average intensities of other grids and years. "
    "Compare the pattern (Flexible Start helps short jobs most, Pause and Resume long ones), not the "
    'numbers. Reference: Dodge et al. (2022), "Measuring the Carbon Intensity of AI in Cloud '
    'Instances", FAccT, https://arxiv.org/abs/2206.05229'
)
