"""Time shifting: run a flexible job when the grid is cleaner (Flexible Start, Pause and Resume)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from app.engine import timeshift
from app.errors import WattprintError
from app.ui import cached, state

BUNDLED = "Bundled series of a region"
UPLOAD = "Upload a CSV"
METHOD_LABELS = {"flexible-start": "Flexible Start", "pause-resume": "Pause and Resume"}
FLEX_HOURS = "+ hours"
FLEX_PERCENT = "+ % of job length"
HEATMAP_FLEX_HOURS = (1.0, 6.0, 12.0, 24.0, 48.0)  # heatmap flexibilities when given in hours [h]

st.title("Time shifting")
st.caption(
    "A job that may finish later can start when the grid is cleaner (Flexible Start) or pause "
    "through dirty hours (Pause and Resume), as in Dodge et al. (2022), Section 5."
)

job = state.shared_job()
try:
    db = cached.databases().regions
except WattprintError as error:
    st.error(str(error))
    st.stop()

# ---- which series ----------------------------------------------------------------------------------
source = st.radio("Intensity series", [BUNDLED, UPLOAD], horizontal=True, key="ts_source")
series: pd.Series | None = None
series_key = ""
series_note = ""
try:
    if source == BUNDLED:
        linked = {}
        for region_id in sorted(db.regions):
            profile = db.profile_for(region_id)
            if profile is not None:
                linked[region_id] = profile
        region_ids = list(linked)
        default_region = state.job_region(job, region_ids, "aws:us-west-1")
        region_id = st.selectbox(
            "Region (those with an hourly series)",
            region_ids,
            index=region_ids.index(default_region) if default_region in region_ids else 0,
            format_func=lambda rid: f"{rid} · {db.regions[rid].name} ({linked[rid].id})",
            key="ts_region",
        )
        profile = linked[region_id]
        series = cached.profile_series(profile.id)
        series_key = f"profile:{profile.id}"
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
        series_note = f"Uploaded file, {series.attrs.get('layout', 'generic')} layout, column " + repr(
            series.attrs.get("value_column", "")
        )
        if series.attrs.get("conversion"):
            series_note += f"; {series.attrs['conversion']}"
except WattprintError as error:
    st.error(str(error))
    st.stop()

assert series is not None
fill_gaps = st.checkbox(
    "Fill gaps by interpolation (filled slots are counted in the result)", value=False, key="ts_fill_gaps"
)
gaps = "fill" if fill_gaps else "refuse"
years = sorted(set(pd.DatetimeIndex(series.index).year), reverse=True)
year = st.selectbox(
    "Period analysed (UTC calendar year)",
    years,
    key="ts_year",
    help="Savings over every start time and the heatmap use this year of the series.",
)
period = series[pd.DatetimeIndex(series.index).year == year]
period_key = f"{series_key}|{year}"
st.caption(
    f"{series_note}. {len(period):,} rows in {year}, from {period.index[0]} to {period.index[-1]} (UTC)."
)
if len(period) < 2:
    st.error(f"The series has {len(period)} row(s) in {year}; pick another year.")
    st.stop()

# ---- the job ---------------------------------------------------------------------------------------
left, middle, right = st.columns(3)
duration_h = left.number_input(
    "Job length [h]",
    min_value=0.25,
    max_value=2000.0,
    value=state.job_hours(job, 6.0),
    step=1.0,
    key="ts_hours",
)
flex_mode = middle.radio(
    "Flexibility given as", [FLEX_HOURS, FLEX_PERCENT], horizontal=True, key="ts_flex_mode"
)
if flex_mode == FLEX_HOURS:
    flex_h = middle.number_input(
        "Flexibility [h]", min_value=0.0, max_value=2000.0, value=12.0, step=1.0, key="ts_flex_hours"
    )
else:
    flex_percent = middle.number_input(
        "Flexibility [% of job length]",
        min_value=0.0,
        max_value=1000.0,
        value=50.0,
        step=25.0,
        key="ts_flex_percent",
    )
    flex_h = duration_h * flex_percent / 100.0
method = right.radio("Method", list(METHOD_LABELS), format_func=lambda m: METHOD_LABELS[m], key="ts_method")
power_kw = right.number_input(
    "Average draw [kW]", min_value=0.001, max_value=1e6, value=state.job_power_kw(job, 1.0), key="ts_power_kw"
)
first_day = period.index[0].date()
last_day = period.index[-1].date()
left, right = st.columns(2)
start_date = left.date_input(
    "Submitted on (UTC)", value=first_day, min_value=first_day, max_value=last_day, key="ts_date"
)
start_hour = right.selectbox("Submitted at hour (UTC)", list(range(24)), key="ts_hour")
start = pd.Timestamp(dt.datetime.combine(start_date, dt.time(int(start_hour))), tz="UTC")
st.caption(
    f"The job must finish by submission + {duration_h:g} h + {flex_h:g} h of flexibility "
    f"= {start + pd.Timedelta(hours=duration_h + flex_h)} (UTC)."
)

try:
    result = cached.shift_job(
        period_key, period, method, float(duration_h), float(flex_h), start.isoformat(), gaps, power_kw
    )
except WattprintError as error:
    st.error(str(error))
    st.stop()

# ---- one job -----------------------------------------------------------------------------------------
a, b, c, d = st.columns(4)
a.metric("Started at submission [kg CO2e]", f"{result.baseline_co2e_kg:,.3f}")
b.metric(f"{METHOD_LABELS[method]} [kg CO2e]", f"{result.shifted_co2e_kg:,.3f}")
c.metric("Savings [%]", f"{result.savings_fraction * 100:.1f}")
d.metric("Pauses", f"{result.pauses}")
runs = ", ".join(f"{begin:%m-%d %H:%M}–{end:%m-%d %H:%M}" for begin, end in result.schedule[:6])
more = f" and {len(result.schedule) - 6} more runs" if len(result.schedule) > 6 else ""
st.caption(
    f"Best schedule (UTC): {runs}{more}. Grid step {result.slot_minutes:g} min"
    + (f"; {result.filled_slots} filled slot(s) used." if result.filled_slots else ".")
)

margin = pd.Timedelta(hours=max(6.0, 0.25 * (duration_h + flex_h)))
window_end = start + pd.Timedelta(hours=duration_h + flex_h)
shown = series[(series.index >= start - margin) & (series.index <= window_end + margin)]
curve = go.Figure(
    go.Scatter(
        x=shown.index,
        y=shown.to_numpy(),
        mode="lines",
        line_shape="hv",
        name="intensity",
        line={"color": "#555"},
    )
)
curve.add_vrect(
    x0=start,
    x1=start + pd.Timedelta(hours=duration_h),
    fillcolor="grey",
    opacity=0.15,
    line_width=0,
    annotation_text="run at once",
    annotation_position="bottom left",
)
for index, (begin, end) in enumerate(result.schedule):
    curve.add_vrect(
        x0=begin,
        x1=end,
        fillcolor="green",
        opacity=0.3,
        line_width=0,
        annotation_text="shifted" if index == 0 else None,
        annotation_position="top left",
    )
curve.add_vline(x=window_end, line_dash="dash", line_color="red")
curve.update_layout(
    xaxis_title="Time (UTC)",
    yaxis_title="Intensity [gCO2e/kWh]",
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
    st.error(str(error))
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
    st.error(str(error))
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
timezone = st.text_input(
    "Time zone of the hours and months (IANA name)",
    value="UTC",
    key="ts_timezone",
    help="e.g. America/Los_Angeles",
)
try:
    daily, _ = cached.intensity_profiles(period_key, period, timezone.strip() or "UTC", gaps)
    _, monthly = cached.intensity_profiles(series_key, series, timezone.strip() or "UTC", gaps)
except WattprintError as error:
    st.error(str(error))
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
        xaxis_title=f"Hour ({timezone.strip() or 'UTC'})",
        yaxis_title="Intensity [gCO2e/kWh]",
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
        yaxis_title="Intensity [gCO2e/kWh]",
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
