"""Streamlit widgets shared by the pages: the job's inputs, its headline, its one-line summary.

Job widgets use the keys ``calc_<name>`` (see :mod:`app.state`) on every page that edits the
job, so the Calculator and the Report edit one job. Number inputs take any value; a value outside
its valid range is named in visible text under the field, and the result is hidden until it is fixed.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import streamlit as st

from app import cached, components, embodied_text, mode_switch, state
from wattprint.engine.flops import PRECISIONS
from wattprint.engine.footprint import Footprint
from wattprint.engine.jobspec import DEFAULT_PUE, DEFAULT_PUE_SOURCE
from wattprint.errors import WattprintError

K = state.widget_key
# Wall-clock hours above which the calculator asks the user to check the unit (10 years).
LONG_JOB_HOURS = 87_600.0

LABELS = {
    "database": "From the database",
    "custom": "Custom watts",
    "hours": "Hours (wall clock)",
    "device_hours": "Device-hours",
    "flops": "From FLOPs",
    "params_tokens": "Parameters × tokens",
    "total": "Total FLOPs",
    "training": "Training (6ND)",
    "inference": "Inference (2ND)",
    "tdp": "TDP × utilisation",
    "measured": "Measured average draw",
    "default": "Provider / default",
    "included": "Already included",
    "cloud": "Cloud region",
    "grid": "Country or grid",
    "none": "Not counted",
}


def sticky_result() -> None:
    """Keep the container keyed ``job_result`` in view while the inputs beside it scroll (desktop);
    on a phone the columns stack and the result follows the inputs."""
    st.html(
        """<style>
[data-testid="stColumn"]:has(.st-key-job_result) { align-self: stretch; }
[data-testid="stLayoutWrapper"]:has(> .st-key-job_result) {
  position: sticky; top: 3.75rem; z-index: 2; background: #fff; }
@media (max-width: 640px) {
  [data-testid="stLayoutWrapper"]:has(> .st-key-job_result) { position: static; } }
[data-testid="stLayoutWrapper"]:has(> .st-key-phone_bar) { display: none; }
@media (max-width: 640px) {
  [data-testid="stLayoutWrapper"]:has(> .st-key-phone_bar) {
    display: block; position: sticky; top: 3.75rem; z-index: 3; background: #fff;
    border-bottom: 1px solid #ddd; padding: 0.25rem 0; } }
</style>"""
    )


def phone_bar(bar: Any, result: state.JobResult | None) -> None:
    """On a phone (the columns stacked, the result far below the inputs), a one-line headline that
    stays at the top of the screen while the inputs scroll: ``bar`` is a container keyed
    ``phone_bar``, drawn above the columns; hidden on a wider screen, where the result sits beside
    the inputs."""
    if result is None:
        return
    footprint = result.footprint
    with bar:
        st.markdown(
            f"**{components.kg(footprint.co2e_kg)}** · {components.kwh(footprint.energy_kwh)} · "
            f"{components.num(footprint.intensity_g_per_kwh)} g/kWh"
        )


# Pause [s] after a page's figures, so the browser draws them before the rest of the page streams
# in: the frontend draws the elements that arrive together at once, when the code of each has loaded
# (most elements' code loads on first use; a chart's takes about a second), so figures whose code
# has not loaded when the inputs arrive wait for the inputs' code too. A metric's code takes 0.1-0.3 s
# to load on a loaded 2-core machine: with 0.04 s, pages showed their first number 2.5-2.9x later
# than an empty page at load 4, with 0.3 s 1.0x (bench/ui.py --pages, same run).
DRAW_PAUSE_S = 0.3
SHORT_DRAW_PAUSE_S = 0.04  # between two parts of a page whose first figures have had their pause


def let_browser_draw(page: str, pause_s: float = DRAW_PAUSE_S) -> None:
    """Pause ``pause_s`` on the session's first run of ``page`` only: later runs find every
    element's code loaded, and a pause would only delay them."""
    drawn = st.session_state.setdefault("drawn_pages", set())
    if page not in drawn:
        drawn.add(page)
        time.sleep(pause_s)


def top_slot() -> Any:
    """A place right under a page's title for its key figures, filled later in the same run.

    The browser shows a run's elements in page order, each once its own code and that of every
    element above it has loaded; Streamlit loads most elements' code on first use (a metric's is
    small, a table's or a chart's large). Figures above the inputs so show with the title, where
    the same figures below the inputs wait for the inputs' code."""
    return st.container()


def metric_row(slot: Any, figures: dict[str, str], page: str) -> None:
    """``figures`` (label -> value) as a row of metrics in ``slot``, drawn before what follows."""
    with slot:
        for column, (name, value) in zip(st.columns(len(figures)), figures.items(), strict=True):
            column.metric(name, value)
    let_browser_draw(page)


def label(value: str) -> str:
    return LABELS.get(value, value)


def radio(title: str, name: str, options: list[str], **kwargs: Any) -> Any:
    kwargs.setdefault("format_func", label)
    return st.radio(title, options, key=K(name), horizontal=True, **kwargs)


TITLES: dict[str, str] = {}  # input name -> the title its widget was last drawn with


def number(title: str, name: str, problems: dict[str, str], **kwargs: Any) -> Any:
    """A number input with no hard limits; a value out of range is explained right below it."""
    TITLES[name] = title
    value = st.number_input(title, key=K(name), **kwargs)
    if name in problems:
        st.error(f"{title}: {problems[name]}.", icon=":material/error:")
    return value


GROUP_KEY = "calc_device_group"  # accelerators or CPUs: a view of the list, derived from the hardware


def first_of_group() -> None:
    """On a change of device type: the default accelerator, or the first CPU."""
    groups = cached.hardware_groups()
    group = st.session_state[GROUP_KEY]
    default = state.DEFAULTS["hardware"]
    st.session_state[K("hardware")] = default if default in groups[group] else groups[group][0]


def hardware_inputs(problems: dict[str, str]) -> Any:
    """Accelerator (or custom watts) and the number of devices; returns the device or None."""
    hardware_labels = cached.hardware_labels()
    hw_mode = radio("Power from", "hw_mode", ["database", "custom"])
    device = None
    if hw_mode == "database":
        groups = cached.hardware_groups()
        session = st.session_state
        if session.get(GROUP_KEY) not in groups or session[K("hardware")] not in groups[session[GROUP_KEY]]:
            session[GROUP_KEY] = "cpus" if session[K("hardware")] in groups["cpus"] else "accelerators"
        group = st.radio(
            "Device type",
            list(groups),
            key=GROUP_KEY,
            horizontal=True,
            format_func=lambda g: f"{'Accelerators' if g == 'accelerators' else 'CPUs'} ({len(groups[g]):,})",
            on_change=first_of_group,
        )
        hardware = st.selectbox(
            "Accelerator (type to search)" if group == "accelerators" else "CPU (type to search)",
            groups[group],
            format_func=lambda key: hardware_labels.get(key, key),
            key=K("hardware"),
        )
        device = cached.databases().hardware.get(hardware)
        power_label = "Estimated power" if device.tdp_w.basis in ("estimate", "model") else "TDP"
        st.caption(
            f"{power_label} {device.tdp_w.value:,.0f} W · "
            f"{components.vendor_name(device.vendor)} {components.kind_name(device.kind)}"
        )
    else:
        number("Average draw per device (W)", "custom_w", problems, step=10.0)
    number("Number of devices", "count", problems, step=1)
    return device


def duration_inputs(problems: dict[str, str]) -> None:
    duration = radio(
        "Give the duration as",
        "duration",
        ["hours", "device_hours", "flops"],
        on_change=mode_switch.keep_duration,
    )
    if duration == "hours":
        typed_hours = number("Hours (wall clock)", "hours", problems, step=1.0)
        if typed_hours > LONG_JOB_HOURS:
            st.warning(
                f"{typed_hours:,.0f} h is {typed_hours / 8760:,.0f} years of wall-clock time: "
                "check the unit (device-hours, or minutes typed as hours?)."
            )
    elif duration == "device_hours":
        number("Device-hours (devices × hours)", "device_hours", problems, step=10.0)
    else:
        if radio("Work", "flops_input", ["params_tokens", "total"]) == "total":
            number("Total FLOPs", "total_flops", problems, format="%.3e", step=1e20)
        else:
            a, b = st.columns(2)
            with a:
                number("Parameters (billions)", "params_b", problems, step=1.0)
            with b:
                number("Tokens (billions)", "tokens_b", problems, step=10.0)
            radio("Task", "task", ["training", "inference"])
    if duration == "flops" or st.session_state[K("serve")]:
        a, b = st.columns(2)
        a.selectbox("Precision", list(PRECISIONS), key=K("precision"))
        with b:
            number(
                "Utilisation of peak (MFU)",
                "mfu",
                problems,
                step=0.05,
                help="Model-FLOPs utilisation; PaLM reached 0.46, typical 0.3-0.5.",
            )


def power_inputs(problems: dict[str, str], hw_mode: str) -> None:
    """Power basis (TDP share or measured), PUE, CPU and memory, embodied carbon."""
    if hw_mode == "database":
        if radio("Power basis", "power", ["tdp", "measured"]) == "tdp":
            st.slider("Average draw as a share of TDP", 0.05, 1.0, step=0.05, key=K("utilization"))
        else:
            number("Measured average draw per device (W)", "measured_w", problems, step=10.0)
    pue_mode = radio(
        "PUE",
        "pue_mode",
        ["default", "custom", "included"],
        format_func=lambda x: "Custom" if x == "custom" else label(x),
    )
    if pue_mode == "custom":
        number("PUE", "pue", problems, step=0.01)
    a, b = st.columns(2)
    with a:
        number("CPU power (W, whole job)", "cpu_w", problems, step=50.0)
    with b:
        number("Memory power (W, whole job)", "memory_w", problems, step=50.0)
    if hw_mode == "database":
        embodied = radio(
            "Embodied carbon",
            "embodied",
            ["none", "database", "custom"],
            format_func=lambda x: {
                "database": "Database range",
                "custom": "kg per device",
            }.get(x, label(x)),
            help=(
                "Database range: from the ACT lower bound (the dies and memory only) up to a published "
                "whole-product figure where one exists. kg per device: your own figure."
            ),
        )
        if embodied == "custom":
            number("Embodied kg CO₂e per device", "embodied_kg", problems, step=10.0)
        if embodied != "none":
            host_input()


def host_input() -> None:
    """The host machine whose manufacturing share the embodied figure adds, and what its figure is.

    A list of options rather than a drop-down: a drop-down's box cuts a long host label off on a phone.
    """
    hardware = cached.databases().hardware
    host_id = st.radio(
        "Host machine (adds its manufacturing share)",
        embodied_text.host_choices(hardware.hosts),
        key=K("host"),
        format_func=lambda key: components.plain(embodied_text.host_option(key, hardware.hosts)),
        help="The hosts table (`wattprint hardware hosts`): manufacturers' PCF sheets, or a labelled proxy.",
    )
    if host_id != embodied_text.NO_HOST:
        st.caption(components.plain(embodied_text.host_caption(hardware.hosts[host_id], hardware.sources)))


def location_inputs(problems: dict[str, str]) -> None:
    """Cloud region, country/grid or a custom intensity; the year; the PUE that applies."""
    dbs = cached.databases()
    region_labels = cached.region_labels()
    location = radio(
        "Where",
        "location",
        ["cloud", "grid", "custom"],
        format_func=lambda x: "Custom g/kWh" if x == "custom" else label(x),
    )
    region_id: str | None = None
    if location in ("cloud", "grid"):
        region_id = st.selectbox(
            "Cloud region (type to search)" if location == "cloud" else "Country or grid",
            cached.region_ids()[location],
            format_func=lambda key: region_labels.get(key, key),
            key=K("region" if location == "cloud" else "grid"),
            help=without_figure_help(location),
        )
        years = year_choices()
        st.selectbox(
            "Year of the grid intensity",
            years,
            key=K("year"),
            format_func=lambda y: f"latest ({years[-1]})" if y == "latest" else y,
        )
    else:
        number("Grid intensity (g CO₂e/kWh)", "intensity", problems, step=10.0)
    if st.session_state[K("pue_mode")] == "default":
        resolved = dbs.regions.pue(region_id) if region_id else None
        if resolved is not None:
            src = dbs.regions.sources.get(resolved.source)
            st.caption(
                f"PUE {resolved.value:.2f} ({resolved.region_id}, {resolved.year}): "
                f"{src.publisher + ', ' + src.title if src else resolved.source}"
            )
        else:
            st.caption(f"PUE {DEFAULT_PUE:.2f}: {DEFAULT_PUE_SOURCE}")


def without_figure_help(location: str) -> str:
    """Which regions the picker offers, and how many it leaves out for want of a default-basis figure."""
    from wattprint.db.schema import DEFAULT_BASIS

    left_out = cached.excluded_regions()
    kind = left_out["kind"] == "cloud"
    count = int((kind if location == "cloud" else ~kind).sum())
    text = f"Each label gives the region's latest {DEFAULT_BASIS} intensity and its year."
    if count:
        ids = ", ".join(left_out.loc[kind if location == "cloud" else ~kind, "id"].head(3))
        text += f" Not offered: {count} without a {DEFAULT_BASIS} figure ({ids}; see Regions for why)."
    return text


def year_choices() -> list[str]:
    """The intensity years the chosen region offers; a year it lacks becomes "latest" (in the session)."""
    session = st.session_state
    location = session[K("location")]
    if location not in ("cloud", "grid"):
        return ["latest"]
    region_id = session[K("region" if location == "cloud" else "grid")]
    if region_id not in cached.region_ids()[location]:  # none of this kind, or not (yet) a choice
        return ["latest"]
    years = ["latest", *[str(y) for y in cached.databases().regions.intensity_years(region_id)]]
    if session[K("year")] not in years:
        session[K("year")] = "latest"
    return years


def serving_inputs(problems: dict[str, str]) -> None:
    serve = st.toggle(
        "Add the deployed model's lifetime",
        key=K("serve"),
        help="Patterson et al. (2021): most ML energy goes to serving, not training.",
    )
    if not serve:
        return
    number("Requests per day", "requests_per_day", problems, step=1000.0, format="%.0f")
    basis = radio(
        "Energy per request",
        "serve_basis",
        ["measured", "model"],
        format_func=lambda x: "Measured Wh" if x == "measured" else "Model (bandwidth and FLOPs roofline)",
    )
    if basis == "measured":
        number("Wh per request", "wh_per_request", problems, step=0.05, format="%.4f")
    else:
        a, b = st.columns(2)
        with a:
            number("Parameters (billions)", "serve_params_b", problems, step=1.0)
            number("Input tokens per request", "serve_input_tokens", problems, step=100.0)
        with b:
            number("Batch (requests decoded together)", "serve_batch", problems, step=1.0)
            number("Output tokens per request", "serve_tokens", problems, step=100.0)
    number("Days in service", "days", problems, step=30.0)


def job_inputs(sections: tuple[str, ...] = ("hardware", "duration", "power", "location", "serving")) -> None:
    """The job's input sections, each in a bordered box; ``sections`` picks which."""
    problems = state.invalid({name: st.session_state[K(name)] for name in state.FIELDS})
    titles = {
        "hardware": "Hardware",
        "duration": "Duration",
        "power": "Power and data centre",
        "location": "Location",
        "serving": "Serving (inference lifetime)",
    }
    for section in sections:
        with st.container(border=True):
            st.subheader(titles[section], anchor=False)
            if section == "hardware":
                hardware_inputs(problems)
            elif section == "duration":
                duration_inputs(problems)
            elif section == "power":
                power_inputs(problems, st.session_state[K("hw_mode")])
            elif section == "location":
                location_inputs(problems)
            else:
                serving_inputs(problems)


def job_result(job: dict[str, Any]) -> state.JobResult | None:
    """The job's result, or None with the reason shown (invalid inputs, or the engine's error)."""
    problems = state.invalid(job)
    if problems:
        st.warning(
            "No result until the inputs are valid: "
            + "; ".join(f"{TITLES.get(name, name)}: {why}" for name, why in problems.items())
            + ".",
            icon=":material/block:",
        )
        return None
    try:
        return cached.job_result(state.params_key(job))
    except WattprintError as error:
        st.error(components.plain(error))
        return None


def job_line(job: dict[str, Any]) -> state.JobResult | None:
    """One line naming the shared job and its footprint, with a link to edit it."""
    result = job_result(job)
    if result is not None:
        result_line(result)
    return result


def result_line(result: state.JobResult) -> None:
    """The job line of a computed ``result``: its name and footprint, with a link to edit it."""
    footprint = result.footprint
    with st.container(border=True):
        st.markdown(
            f"**Job:** {components.plain(components.job_title(result, cached.databases()))} · "
            f"**{components.kg(footprint.co2e_kg)}** operational, {components.kwh(footprint.energy_kwh)}"
            + (
                f" (plus {embodied_text.footprint_span(footprint)} embodied)"
                if footprint.embodied_co2e_kg
                else ""
            )
        )
        page_link("views/calculator.py", "Change the job", ":material/calculate:")


def embodied_part(footprint: Footprint, operational_kg: float | None = None) -> None:
    """The embodied figure as its range with the basis in words, each part (devices, host share) on
    its own line, and the total's range (with ``operational_kg``, default the footprint's own);
    nothing when the job counts no embodied emissions."""
    lines = embodied_text.embodied_lines(footprint, operational_kg)
    if lines:
        with st.container(key="embodied"):
            st.markdown("\n".join(f"- {components.plain(line)}" for line in lines))


def page_link(page: str, text: str, icon: str) -> None:
    """``st.page_link``, left out when the page runs on its own (outside the router, as in tests)."""
    from streamlit.errors import StreamlitPageNotFoundError

    with contextlib.suppress(StreamlitPageNotFoundError):
        st.page_link(page, label=text, icon=icon)


EQUIVALENT_LABELS = {
    "km": "Km by car",
    "flights": "Paris → New York flights",
    "charges": "Smartphone charges",
    "tree-months": "Tree-months of CO₂ uptake",
}


def headline(result: state.JobResult) -> None:
    """The job's title, energy, CO2e, intensity, range and greener region, and the breakdown chart."""
    footprint = result.footprint
    st.subheader(components.job_title(result, cached.databases()), anchor=False)
    m1, m2 = st.columns(2)
    m1.metric(
        "Operational CO₂e",
        components.kg(footprint.co2e_kg),
        help="Location-based: facility energy × grid intensity.",
    )
    m2.metric("Energy (facility)", components.kwh(footprint.energy_kwh))
    m3, m4 = st.columns(2)
    low = components.is_low_carbon(footprint.intensity_g_per_kwh)
    m4.metric("Device-hours", components.num(footprint.device_hours))
    own = (
        cached.databases().regions.intensity(result.region.id, result.built.spec.year)
        if result.region is not None
        else None
    )
    m3.metric(
        (f"Grid, {own.basis} {own.year}" if own else "Grid intensity (given)")
        + (f" {components.LOW_CARBON_ICON}" if low else ""),
        f"{components.num(footprint.intensity_g_per_kwh)} g/kWh",
        help="The leaf marks a low-carbon grid" if low else None,
    )
    let_browser_draw("calculator figures")  # before the greener region's link and the parts' bars
    st.caption(
        f"Range {components.num(footprint.range.co2e_kg_low)} – "
        f"{components.kg(footprint.range.co2e_kg_high)}: "
        "power 60–100% of TDP (±5% if measured), the PUE range, and the grid's last 5 years."
    )
    embodied_part(footprint)
    shown: set[str] = set()
    for label, option in (
        ("Same provider", result.greener_same_provider),
        ("Any provider", result.greener_any_provider),
    ):
        if option is None or option.region_id in shown:
            continue
        shown.add(option.region_id)
        stale = " (more than 3 years older than the newest figure)" if option.stale else ""
        st.success(
            f"**{label}.** Had this run in **{option.region_id}** "
            f"({components.plain(components.place_name(option.region_id, option.name))}), "
            f"it would have emitted **{components.kg(option.co2e_kg)}** "
            f"(−{components.kg(option.savings_kg)}, −{components.percent(option.savings_fraction)}"
            f"{saving_parts(footprint, option)}), "
            f"at {components.num(option.intensity_g_per_kwh)} g/kWh, {option.intensity_basis} basis, "
            f"{option.intensity_year}{stale}. Cloud regions only.",
            icon=components.LOW_CARBON_ICON,
        )
    if not shown:
        st.info("This is already the cleanest cloud region in the database.", icon=components.LOW_CARBON_ICON)
    page_link("views/compare.py", "Compare every region", ":material/public:")
    if result.built.flops_note:
        st.info(f"Duration from FLOPs: {result.built.flops_note}.")
    st.markdown("**Where the emissions come from**")
    parts = components.breakdown_parts(footprint)
    largest = max(value for _, value in parts) or 1.0
    for name, value in parts:  # native bars: no chart library to load, so the result shows at once
        if value > 0:
            st.progress(min(value / largest, 1.0), text=f"{name}: {components.kg(value)}")
    zero = [name for name, value in parts if value <= 0]
    if zero:
        st.caption(f"Nothing from: {', '.join(zero)}.")


def saving_parts(footprint: Any, option: Any) -> str:
    """``: grid −X kg, PUE 1.56 → 1.09 −Y kg`` for a greener region's saving; empty without its PUE."""
    import math

    from wattprint.engine.whatif import saving_split

    if math.isnan(option.pue):
        return ""
    grid_kg, pue_kg = saving_split(footprint, option)
    return (
        f": {components.kg(grid_kg)} from the cleaner grid, {components.kg(pue_kg)} from the PUE "
        f"({footprint.pue:.2f} → {option.pue:.2f})"
    )


def compare_baseline(spec: Any, footprint: Any, basis: str, year: int | None) -> tuple[float | None, str]:
    """What a comparison on ``basis`` measures savings against: the job's energy [kWh] at its own
    region's figure of that basis [kg CO2e], and a line saying which figure; (None, why) when the
    region has none, or the job gives its own intensity (which has no stated basis) on another basis.

    ``year`` is the comparison's year (None: the job's own year on the default basis, else latest).
    """
    from wattprint.db.schema import DEFAULT_BASIS
    from wattprint.engine import units
    from wattprint.errors import InputError

    if not spec.region:
        if basis == DEFAULT_BASIS:
            return float(footprint.co2e_kg), "the job's own intensity"
        return None, f"Savings are not computed: a given intensity has no stated basis, not {basis}"
    own_year = year if year is not None else (spec.year if basis == DEFAULT_BASIS else None)
    try:
        own = cached.databases().regions.intensity(spec.region, own_year, basis)
    except InputError as error:
        return None, f"Savings are not computed: {error}"
    value = footprint.energy_kwh * own.value / units.G_PER_KG
    return float(value), f"{spec.region}: {own.value:,.0f} g/kWh {basis} {own.year}"
