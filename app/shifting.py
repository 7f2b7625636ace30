"""Time shifting page, the Streamlit part: its options in the URL and each panel it draws.

Every option is in the URL under its widget key (``ts_region``, ``ts_hours``, ...). The page
opens on the shared job (its length, draw and region) and on the visitor's context (time zone,
today, the series' latest year) unless a link or the visitor chose otherwise. Figures and
summaries come from :mod:`app.shifting_charts`, which does not import Streamlit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import cached, components, jobpage, safe, state, widgets
from app import shifting_charts as charts
from app.shifting_charts import METHOD_LABELS
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.engine import timeshift
from wattprint.engine.timeshift import MAX_PLAN_HOURS
from wattprint.errors import WattprintError

BUNDLED = "Bundled series of a region"
UPLOAD = "Upload a CSV"
FLEX_HOURS = "+ hours"
FLEX_PERCENT = "+ % of job length"
HEATMAP_FLEX_HOURS = (1.0, 6.0, 12.0, 24.0, 48.0)  # heatmap flexibilities when given in hours [h]
DEFAULT_REGION = "aws:us-west-1"
BASES = ("lifecycle", "marginal")
BASIS_LABELS = {
    "lifecycle": "Average (life-cycle, Electricity Maps)",
    "marginal": "Marginal (EPA AVERT 2023, US regions)",
}
MARGINAL_CAPTION = (
    "Marginal: what one kWh more or less emits in each hour (EPA AVERT's short-run avoided CO2 of the "
    "region's fossil fleet). It answers what moving the job changes on the grid, the question of "
    "Dodge et al.; the average answers what footprint you report. Never mixed."
)
# ts_year 0: the latest year of the series.
OPTIONS = state.KeyedOptions(
    "ts",
    {
        "ts_source": state.InputField(BUNDLED, (BUNDLED, UPLOAD)),
        "ts_region": state.InputField(DEFAULT_REGION),
        "ts_basis": state.InputField(DEFAULT_BASIS, BASES),
        "ts_fill_gaps": state.InputField(False),
        "ts_year": state.InputField(0, minimum=0, maximum=2100),
        "ts_timezone": state.InputField("UTC"),
        "ts_next_hours": state.InputField(4, minimum=1, maximum=MAX_PLAN_HOURS),
        "ts_next_within": state.InputField(24, minimum=1, maximum=MAX_PLAN_HOURS),
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
# follow the shared job until changed here
FROM_JOB = ("ts_region", "ts_hours", "ts_power_kw", "ts_next_hours", "ts_next_within")
FROM_CONTEXT = ("ts_timezone", "ts_next_date", "ts_next_hour", "ts_year", "ts_date")
JOB_KEY = "ts_job_key"  # session key: the job the page last followed


# ---- options (no Streamlit calls) -------------------------------------------------------------


def bad_link_options(link: Mapping[str, str]) -> set[str]:
    """The options of ``link`` whose value is not valid for their field."""
    bad = set()
    for name, text in link.items():
        try:
            state.parse_option(OPTIONS.fields[name], text)
        except (ValueError, TypeError):
            bad.add(name)
    return bad


def automatic_options(fresh: bool, job_changed: bool, link: Mapping[str, str]) -> set[str]:
    """The options that take the job's or the context's value this run.

    All of them on a page's first run, the job's ones when the job changed on another page; never
    one the link gives, unless its value is bad (then the page's own default, as without a link).
    """
    auto = set(FROM_JOB + FROM_CONTEXT) if fresh else set()
    if job_changed:
        auto |= set(FROM_JOB)
    auto -= set(link)
    return auto | (bad_link_options(link) & set(FROM_JOB + FROM_CONTEXT))


def known_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone name this machine knows."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


# ---- what the panels pass on --------------------------------------------------------------------


@dataclass
class PageStart:
    """The shared job, this run's link options (empty without a link) and the automatic options."""

    job: Any
    link: dict[str, str] = field(default_factory=dict)
    auto: set[str] = field(default_factory=set)
    line: Any = None  # where the job line goes (a container under the figures)

    def refuse(self, name: str, reason: str) -> None:
        """Say that the link's value of ``name`` was ignored, when the link gave one."""
        if name in self.link:
            text = str(self.link[name])[:40]
            st.warning(components.plain(f"Link: ignored {name}={text!r}: {reason}"))


@dataclass(frozen=True)
class Chosen:
    """The intensity series [gCO2e/kWh] chosen, its cache key, what it is and its basis."""

    series: pd.Series
    key: str
    note: str
    basis: str


@dataclass(frozen=True)
class Period:
    """The year analysed of the chosen series, its rows, cache key, the gap policy and the years covered."""

    year: int
    values: pd.Series
    key: str
    gaps: timeshift.GapPolicy
    span: str
    years: tuple[int, ...]  # the series' analysable years, latest first


@dataclass(frozen=True)
class Job:
    """The what-if job: length [h], flexibility [h] and how it was given, method, draw [kW], submission."""

    duration_h: float
    flex_mode: str
    flex_h: float
    method: str
    power_kw: float
    start: pd.Timestamp
    year: int


def put(name: str, value: object) -> None:
    """Set option ``name`` (saved value and widget) before its widget is drawn."""
    st.session_state[OPTIONS.store][name] = value
    st.session_state[name] = value


# ---- figures ------------------------------------------------------------------------------------
# Built once per series and inputs for every session (plotly takes tens of ms to build one);
# the arguments before the underscored one are the cache key. Shared: do not mutate.


@st.cache_resource(show_spinner=False, max_entries=32)
def plan_figure(
    series_key: str,
    _plan: Any,
    from_iso: str,
    hours: int,
    within_h: int,
    timezone: str,
    gaps: str,
    basis: str,
) -> go.Figure:
    """:func:`app.shifting_charts.plan_figure` of the plan those arguments give."""
    return charts.plan_figure(_plan, hours, timezone, basis)


@st.cache_resource(show_spinner=False, max_entries=64)
def _job_figure(
    series_key: str,
    schedule: tuple[tuple[pd.Timestamp, pd.Timestamp], ...],
    job: tuple[str, float, float, int],
    timezone: str,
    basis: str,
    _series: pd.Series,
    _result: Any,
) -> go.Figure:
    start, duration_h, flex_h, year = job
    return charts.job_figure(_series, _result, pd.Timestamp(start), duration_h, flex_h, timezone, basis, year)


def job_figure(chosen: Chosen, job: Job, result: Any, timezone: str) -> go.Figure:
    """:func:`app.shifting_charts.job_figure` of one job and its result (keyed by its schedule)."""
    shape = (job.start.isoformat(), job.duration_h, job.flex_h, job.year)
    return _job_figure(chosen.key, result.schedule, shape, timezone, chosen.basis, chosen.series, result)


@st.cache_resource(show_spinner=False, max_entries=32)
def heatmap_figure(
    period_key: str, method: str, fractions: Any, hours: Any, gaps: str, _grid: pd.DataFrame
) -> go.Figure:
    """:func:`app.shifting_charts.heatmap_figure` of the savings grid those arguments give."""
    return charts.heatmap_figure(charts.savings_pivot(_grid))


@st.cache_resource(show_spinner=False, max_entries=32)
def daily_figure(
    period_key: str, timezone: str, gaps: str, year: int, basis: str, _daily: pd.DataFrame
) -> go.Figure:
    """:func:`app.shifting_charts.daily_figure` of the year analysed."""
    return charts.daily_figure(_daily, year, timezone, basis)


@st.cache_resource(show_spinner=False, max_entries=32)
def monthly_figure(
    series_key: str, timezone: str, gaps: str, basis: str, _monthly: pd.DataFrame
) -> go.Figure:
    """:func:`app.shifting_charts.monthly_figure` of the whole series."""
    return charts.monthly_figure(_monthly, basis)


# ---- panels -------------------------------------------------------------------------------------


def open_options() -> PageStart:
    """Apply a link, compute the job (its line is drawn by :func:`job_line`; a job without a result
    says why here), and set the options that follow the job or the context."""
    fresh = OPTIONS.store not in st.session_state
    before = st.session_state.get(OPTIONS.url_key)
    opened = jobpage.open_page(OPTIONS)
    line = st.container()
    with line:
        job = widgets.job_result(opened)
    link: dict[str, str] = dict(st.session_state.get(OPTIONS.url_key) or {})
    if st.session_state.get(OPTIONS.url_key) == before:
        link = {}  # no link this run: nothing to say about one
    job_key = state.params_key(st.session_state[state.SAVED_KEY])
    job_changed = st.session_state.get(JOB_KEY) not in (None, job_key)
    st.session_state[JOB_KEY] = job_key
    page = PageStart(job, link, automatic_options(fresh, job_changed, link), line)
    if "ts_hours" in page.auto:
        put("ts_hours", state.job_hours(job, 6.0))
    if "ts_power_kw" in page.auto:
        put("ts_power_kw", state.job_power_kw(job, 1.0))
    if "ts_next_hours" in page.auto:  # the job's own length, in whole hours, with a day to spare
        length = math.ceil(state.job_hours(job, 4.0, 1.0, MAX_PLAN_HOURS - 24))
        put("ts_next_hours", length)
        put("ts_next_within", length + 24)
    jobpage.publish(OPTIONS)
    return page


def job_line(page: PageStart) -> None:
    """The shared job's line, in its place under the figures, when the job has a result."""
    if page.job is not None:
        with page.line:
            widgets.result_line(page.job)


def joined_series(parts: list[pd.Series]) -> pd.Series:
    """Consecutive yearly series of one zone as one series [gCO2e/kWh], with their filled flags."""
    import numpy as np

    joined = pd.Series(
        np.concatenate([part.to_numpy() for part in parts]),
        index=parts[0].index.append([part.index for part in parts[1:]]),
        name=parts[0].name,
    )
    joined.attrs["filled"] = np.concatenate([np.asarray(part.attrs["filled"]) for part in parts])
    return joined


def bundled_choice(db: Any, page: PageStart) -> Chosen:
    """The bundled series of the session's basis and region, the region set first when it follows
    the job or has no series of that basis (saying so when a link gave it)."""
    basis = str(st.session_state["ts_basis"])
    linked = cached.hourly_profiles(basis)
    region_ids = list(linked)
    if "ts_region" in page.auto or st.session_state["ts_region"] not in region_ids:
        page.refuse("ts_region", "no hourly series for that region")
        put("ts_region", state.job_region(page.job, region_ids, DEFAULT_REGION))
    page.auto.discard("ts_region")
    region_id = str(st.session_state["ts_region"])
    profile = linked[region_id]
    # The zone's series of every year (one file per zone-year, same grid and source) form one
    # series, so the year picker below offers each year. Every bundled series is a lifecycle
    # (average) series: region_db/README.md.
    years = sorted(
        (
            p
            for p in db.profiles_for(region_id, basis)
            if p.grid == profile.grid and p.source == profile.source
        ),
        key=lambda p: p.start,
    )
    series = joined_series([cached.profile_series(p.id) for p in years]) if len(years) > 1 else None
    return Chosen(
        series if series is not None else cached.profile_series(profile.id),
        "profile:" + "+".join(p.id for p in years) if years else f"profile:{profile.id}",
        charts.profile_note(profile, db.sources.get(profile.source)),
        basis,
    )


def bundled_inputs(db: Any) -> None:
    """The basis and region pickers (regions with an hourly series of that basis)."""
    basis = str(
        st.radio(
            "Intensity",
            BASES,
            format_func=BASIS_LABELS.__getitem__,
            key="ts_basis",
            horizontal=True,
            help="Average intensities for every zone with a series; marginal rates for US regions only.",
        )
    )
    if basis == "marginal":
        st.caption(MARGINAL_CAPTION)
    linked = cached.hourly_profiles(basis)
    st.selectbox(
        "Region (those with an hourly series)",
        list(linked),
        format_func=lambda rid: f"{rid} · {db.regions[rid].name} ({linked[rid].id})",
        key="ts_region",
    )


def uploaded_series() -> Chosen:
    """The CSV uploader and its series; stops the page until a file is given."""
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
    key = "upload:" + hashlib.sha256(data).hexdigest()
    return Chosen(series, key, charts.upload_note(series), "basis as in your file (not stated)")


def choose_series(page: PageStart, ready: Ready | None = None) -> Chosen:
    """Which series: a bundled one or an upload (``ready``'s when it was settled before the inputs
    were drawn); an error stops the page."""
    try:
        db = cached.databases().regions
    except WattprintError as error:
        safe.error(error)
        st.stop()
    source = st.radio("Intensity series", [BUNDLED, UPLOAD], horizontal=True, key="ts_source")
    try:
        if source != BUNDLED:
            return uploaded_series()
        chosen = ready.chosen if ready is not None else bundled_choice(db, page)
    except WattprintError as error:
        safe.error(error)
        st.stop()
    bundled_inputs(db)
    return chosen


def settle_period(chosen: Chosen, page: PageStart) -> Period:
    """The session's year of ``chosen`` (the latest when it follows the context, or when the series
    lacks it, saying so when a link gave it) and gap policy."""
    series = chosen.series
    years = charts.analysable_years(series)[::-1]
    if "ts_year" in page.auto or st.session_state["ts_year"] not in years:
        if st.session_state["ts_year"] != 0:  # 0: the latest, as a link written before it was known
            page.refuse(
                "ts_year", f"the series has no such year; it covers {', '.join(map(str, years[::-1]))}"
            )
        put("ts_year", years[0])
    page.auto.discard("ts_year")
    year = int(st.session_state["ts_year"])
    values = series[pd.DatetimeIndex(series.index).year == year]
    gaps: timeshift.GapPolicy = "fill" if st.session_state["ts_fill_gaps"] else "refuse"
    return Period(year, values, f"{chosen.key}|{year}", gaps, charts.span(series), tuple(years))


def choose_period(chosen: Chosen, page: PageStart, ready: Ready | None = None) -> Period:
    """Gap filling and the year analysed (``ready``'s when settled before), with a caption naming
    the series, its basis and span; a year of under two rows stops the page."""
    period = ready.period if ready is not None else settle_period(chosen, page)
    st.checkbox("Fill gaps by interpolation (filled slots are counted in the result)", key="ts_fill_gaps")
    st.selectbox(
        "Period analysed (UTC calendar year)",
        period.years,
        key="ts_year",
        help="Savings over every start time and the heatmap use this year of the series.",
    )
    summary = charts.period_summary(period.values, period.year, chosen.basis, period.span)
    # The note names the uploaded file's columns: plain text.
    st.caption(safe.plain(chosen.note) + " " + summary)
    if len(period.values) < 2:
        st.error(f"The series has {len(period.values)} row(s) in {period.year}; pick another year.")
        st.stop()
    return period


def settle_timezone(page: PageStart) -> str:
    """The session's time zone (the browser's when it follows the context, or when a link's is
    unknown, saying so); "UTC" when empty."""
    browser_zone = getattr(st.context, "timezone", None) or "UTC"
    if "ts_timezone" in page.auto:
        put("ts_timezone", browser_zone)
    elif page.link.get("ts_timezone") and not known_zone(str(st.session_state["ts_timezone"])):
        page.refuse("ts_timezone", "not an IANA time zone name")
        put("ts_timezone", browser_zone)
    page.auto.discard("ts_timezone")
    return str(st.session_state["ts_timezone"]).strip() or "UTC"


def choose_timezone(page: PageStart) -> str:
    """The visitor's IANA time zone (the browser's by default); an unknown one stops the page."""
    settle_timezone(page)
    timezone = (
        st.text_input(
            "Your time zone (IANA name)",
            key="ts_timezone",
            help="Hours, days and months are counted here, e.g. Europe/Paris or America/Los_Angeles. "
            "Default: your browser's.",
        ).strip()
        or "UTC"
    )
    if not known_zone(timezone):
        st.error(
            components.plain(f"Unknown time zone {timezone[:60]!r}; use an IANA name such as Europe/Paris.")
        )
        st.stop()
    return timezone


@dataclass(frozen=True)
class Ready:
    """The series, year and time zone the session's options give, settled before their inputs."""

    chosen: Chosen
    period: Period
    timezone: str


def settle(page: PageStart) -> Ready | None:
    """The bundled series, year and time zone of the session's options, settled before any input
    is drawn so that the figures go first; None for an upload, an error or an unknown time zone
    (said where their inputs are drawn)."""
    if st.session_state["ts_source"] != BUNDLED:
        return None
    try:
        chosen = bundled_choice(cached.databases().regions, page)
    except WattprintError:
        return None
    period = settle_period(chosen, page)
    timezone = settle_timezone(page)
    if len(period.values) < 2 or not known_zone(timezone):
        return None
    return Ready(chosen, period, timezone)


@dataclass(frozen=True)
class NextHours:
    """The next-hours plan, or why there is none in words (``missing``: the series lacks the
    months, said as information rather than an error)."""

    plan: Any = None
    why: str = ""
    missing: bool = False


def next_hours_plan(
    chosen: Chosen, period: Period, timezone: str, hours: int, within_hours: int, from_time: Any
) -> NextHours:
    """The plan of a ``hours`` job from ``from_time`` that must end within ``within_hours``."""
    if within_hours < hours:
        return NextHours(why=f"A {hours} h job cannot finish within {within_hours} h; give a longer window.")
    missing = charts.missing_months(chosen.series, from_time, within_hours, timezone)
    if missing is not None:
        return NextHours(why=missing, missing=True)
    try:
        return NextHours(
            cached.plan_next_hours(
                chosen.key, chosen.series, from_time.isoformat(), hours, within_hours, timezone, period.gaps
            )
        )
    except WattprintError as error:
        return NextHours(why=str(error))


def saving_metric(column: Any, label: str, fraction: float, saved_kg: float) -> None:
    """A saving in % with the kg it saves beside it (an arrow down only when it saves some)."""
    column.metric(
        label,
        f"{fraction * 100:.1f}",
        delta=f"−{saved_kg:,.3f} kg CO2e",
        delta_color="off",
        delta_arrow="down" if saved_kg > 0 else "off",
    )


def next_hours_figures(
    figures: Any, plan: Any, timezone: str, job: tuple[int, int, Any], series: str
) -> None:
    """The plan's figures in the slot ``figures`` for a job of ``(hours, within_hours, from_time)``
    on the series ``series`` (its basis and years, in words), drawn before what follows."""
    hours, within_hours, from_time = job
    power_kw = float(st.session_state["ts_power_kw"])  # the job's average draw (Average draw, below)
    with figures:
        p1, p2, p3, p4 = st.columns(4)
        p1.metric(f"Start at ({timezone})", f"{plan.best_start:%a %H:%M}")
        at_draw = f"At the job's average draw, {power_kw:,.3g} kW (set below), on this series' typical days"
        p2.metric("Best start [kg CO2e]", f"{plan.best_co2e_kg * power_kw:,.3f}", help=at_draw)
        p3.metric(
            f"Start {plan.now:%H:%M} [kg CO2e]", f"{plan.start_now_co2e_kg * power_kw:,.3f}", help=at_draw
        )
        saved_kg = (plan.start_now_co2e_kg - plan.best_co2e_kg) * power_kw
        saving_metric(p4, "Less by waiting [%]", plan.savings_fraction, saved_kg)
        st.caption(
            components.plain(
                f"A {hours} h job from {from_time:%a %d %b %H:%M} ({timezone}) that must finish within "
                f"{within_hours} h, on the series chosen below ({series}): "
                '"When should I start?"'
            )
        )
    widgets.let_browser_draw("timeshift")


@dataclass(frozen=True)
class NextStart:
    """The next-hours job of the session's options: its plan (or why none), length [h], window [h]
    and first hour."""

    planned: NextHours
    hours: int
    within_hours: int
    from_time: Any


def next_hours_start(ready: Ready, page: PageStart, figures: Any) -> NextStart:
    """The next-hours plan of the session's options, its figures sent to ``figures`` (a slot under
    the page's title, :func:`app.widgets.top_slot`) before any input: they show before the
    inputs' code has loaded."""
    timezone = ready.timezone
    now_local = dt.datetime.now(zoneinfo.ZoneInfo(timezone))
    if "ts_next_date" in page.auto:
        put("ts_next_date", now_local.date())
    if "ts_next_hour" in page.auto:
        put("ts_next_hour", now_local.hour)
    page.auto -= {"ts_next_date", "ts_next_hour"}
    session = st.session_state
    hours, within_hours = int(session["ts_next_hours"]), int(session["ts_next_within"])
    from_time = charts.local_time(session["ts_next_date"], int(session["ts_next_hour"]), timezone)
    planned = next_hours_plan(ready.chosen, ready.period, timezone, hours, within_hours, from_time)
    if planned.plan is not None:
        job = (hours, within_hours, from_time)
        series = f"{ready.chosen.basis}, {ready.period.span}"
        next_hours_figures(figures, planned.plan, timezone, job, series)
    return NextStart(planned, hours, within_hours, from_time)


def next_hours_panel(ready: Ready, page: PageStart, figures: Any, start: NextStart | None = None) -> None:
    """When to start a job of the next hours, from the series' typical day, with its inputs and
    chart (``start``: its plan when computed before the page's inputs)."""
    chosen, period, timezone = ready.chosen, ready.period, ready.timezone
    st.subheader("When should I start? The next hours, from a typical day")
    if start is None:
        start = next_hours_start(ready, page, figures)
    hours, within_hours, from_time = start.hours, start.within_hours, start.from_time
    n1, n2, n3, n4 = st.columns(4)
    n1.number_input("Job length [h]", min_value=1, max_value=MAX_PLAN_HOURS, step=1, key="ts_next_hours")
    n2.number_input(
        "Must finish within the next [h]", min_value=1, max_value=MAX_PLAN_HOURS, step=1, key="ts_next_within"
    )
    n3.date_input(
        f"From ({timezone})", min_value=state.DATE_RANGE[0], max_value=state.DATE_RANGE[1], key="ts_next_date"
    )
    n4.selectbox(f"From hour ({timezone})", list(range(24)), key="ts_next_hour")
    planned = start.planned
    if planned.plan is None:
        (st.info if planned.missing else st.error)(components.plain(planned.why))
        return
    plan = planned.plan
    st.markdown(components.plain(charts.plan_summary(plan, timezone, chosen.basis, period.span)))
    st.caption(
        components.plain(
            "Both starts are priced on the same series and its typical days "
            f"({chosen.basis}, {period.span}), at the job's draw. The job line above is priced at its "
            "region's annual figure of another year and source, so its kg differ from these."
        )
    )
    figure = plan_figure(
        chosen.key, plan, from_time.isoformat(), hours, within_hours, timezone, period.gaps, chosen.basis
    )
    st.plotly_chart(figure, key="ts_next_curve")
    st.caption(
        "Grey: the job started at the first hour. Green: the cleanest start. Line: the typical "
        "intensity of each hour (its month, weekday or weekend, local hour)."
    )


def job_inputs(chosen: Chosen, period: Period, timezone: str, page: PageStart) -> Job:
    """The what-if job's inputs and its submission time (moved into the series when outside it)."""
    series = chosen.series
    left, middle, right = st.columns(3)
    duration_h = left.number_input(
        "Job length [h]", min_value=0.25, max_value=2000.0, step=1.0, key="ts_hours"
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
            "Flexibility [% of job length]", min_value=0.0, max_value=1000.0, step=25.0, key="ts_flex_percent"
        )
        flex_h = duration_h * flex_percent / 100.0
    method = right.radio(
        "Method", list(METHOD_LABELS), format_func=lambda m: METHOD_LABELS[m], key="ts_method"
    )
    power_kw = right.number_input("Average draw [kW]", min_value=0.001, max_value=1e6, key="ts_power_kw")
    if "ts_date" in page.auto:
        put("ts_date", charts.first_local_day(period.values, timezone))
    left, right = st.columns(2)
    start_date = left.date_input(
        f"Submitted on ({timezone})",
        min_value=state.DATE_RANGE[0],
        max_value=state.DATE_RANGE[1],
        key="ts_date",
    )
    start_hour = right.selectbox(f"Submitted at hour ({timezone})", list(range(24)), key="ts_hour")
    try:
        placed = charts.place_submission(series, start_date, int(start_hour), timezone, duration_h + flex_h)
    except WattprintError as error:
        safe.error(error)
        st.stop()
    start = placed.start
    if placed.note:
        # The date and hour used, and why: a valid zone and date always give a time in the series.
        safe.caption(placed.note)
        local = start.tz_convert(timezone)
        st.button(
            f"Set the date to {local:%Y-%m-%d %H:%M}",
            key="ts_use_nearest",
            on_click=st.session_state.update,
            kwargs={"ts_date": local.date(), "ts_hour": local.hour},
        )
    st.caption(charts.deadline_caption(start, duration_h, flex_h, timezone))
    return Job(
        float(duration_h), flex_mode, float(flex_h), method, power_kw, start, start.tz_convert(timezone).year
    )


def shifted(chosen: Chosen, period: Period, job: Job) -> Any:
    """The engine's result for the job; an error stops the page."""
    try:
        return cached.shift_job(
            chosen.key,
            chosen.series,
            job.method,
            job.duration_h,
            job.flex_h,
            job.start.isoformat(),
            period.gaps,
            job.power_kw,
        )
    except WattprintError as error:
        safe.error(error)
        st.stop()


def one_job_panel(chosen: Chosen, job: Job, result: Any, timezone: str) -> None:
    """The job at submission and shifted: metrics, its schedule and the intensity around it."""
    a, b, c, d = st.columns(4)
    a.metric("Started at submission [kg CO2e]", f"{result.baseline_co2e_kg:,.3f}")
    b.metric(f"{METHOD_LABELS[job.method]} [kg CO2e]", f"{result.shifted_co2e_kg:,.3f}")
    saving_metric(c, "Savings [%]", result.savings_fraction, result.baseline_co2e_kg - result.shifted_co2e_kg)
    d.metric("Pauses", f"{result.pauses}")
    st.caption(charts.schedule_caption(result, timezone))
    figure = job_figure(chosen, job, result, timezone)
    st.plotly_chart(figure, key="ts_curve")
    st.caption("Grey: the job run at submission. Green: the shifted schedule. Red dashed line: the deadline.")


def distribution_panel(period: Period, job: Job) -> None:
    """Savings over every submission time of the year analysed."""
    try:
        distribution = cached.savings_distribution(
            period.key, period.values, job.method, job.duration_h, job.flex_h, period.gaps
        )
    except WattprintError as error:
        safe.error(error)
    else:
        st.markdown(charts.distribution_summary(distribution, period.year))


def heatmap_panel(period: Period, job: Job) -> None:
    """Mean savings by job length and flexibility (in hours or in % of the length, as the job's)."""
    st.subheader(f"Mean savings by job length and flexibility ({METHOD_LABELS[job.method]}, {period.year})")
    in_hours = job.flex_mode == FLEX_HOURS
    fractions = None if in_hours else timeshift.DODGE_FLEX_FRACTIONS
    hours = HEATMAP_FLEX_HOURS if in_hours else None
    try:
        grid = cached.savings_grid(
            period.key, period.values, job.method, timeshift.TABLE_DURATIONS_H, fractions, hours, period.gaps
        )
    except WattprintError as error:
        safe.error(error)
        return
    if grid.empty:
        st.info("The period is too short for the job lengths of the heatmap.")
        return
    st.plotly_chart(
        heatmap_figure(period.key, job.method, fractions, hours, period.gaps, grid), key="ts_heatmap"
    )
    st.caption("Each cell: the mean over every submission time of the year of the savings [%].")


def profiles_panel(chosen: Chosen, period: Period, timezone: str) -> None:
    """Intensity by local hour of day (year analysed) and by month (whole series)."""
    st.subheader("When is the grid cleaner?")
    try:
        daily, _ = cached.intensity_profiles(period.key, period.values, timezone, period.gaps)
        _, monthly = cached.intensity_profiles(chosen.key, chosen.series, timezone, period.gaps)
    except WattprintError as error:
        safe.error(error)
        return
    left, right = st.columns(2)
    left.plotly_chart(
        daily_figure(period.key, timezone, period.gaps, period.year, chosen.basis, daily), key="ts_daily"
    )
    right.plotly_chart(
        monthly_figure(chosen.key, timezone, period.gaps, chosen.basis, monthly), key="ts_monthly"
    )
