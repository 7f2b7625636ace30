"""Published page: well-known training runs recomputed, and the shared job placed among them."""

from __future__ import annotations

import streamlit as st

from app import cached, components, jobpage, state, widgets
from app import published_parts as parts
from wattprint.db.published import load_published
from wattprint.engine.published import compare_sentence, recompute

OPTIONS = state.PageOptions(
    "published",
    {
        "compare_on": state.InputField(parts.ENERGY, tuple(parts.COMPARE_ON)),
        "your_kg_from": state.InputField("job", ("job", "typed")),
        "your_kwh": state.InputField(1000.0, minimum=0.001, maximum=1e12),
        "your_kg": state.InputField(150.0, minimum=0.001, maximum=1e12),
    },
)
COLUMNS = {
    "model": st.column_config.TextColumn("model"),
    "hardware": st.column_config.TextColumn("hardware"),
    "year": st.column_config.NumberColumn("year", format="%d"),
    "published_energy_kwh": st.column_config.NumberColumn("published kWh", format="localized"),
    "energy_kwh": st.column_config.NumberColumn("recomputed kWh", format="localized"),
    "published_co2e_kg": st.column_config.NumberColumn("published kg CO₂e", format="localized"),
    "grid_g_per_kwh": st.column_config.NumberColumn(
        "paper's grid [g/kWh]", format="%.0f", help="The grid figure the paper's CO₂e rests on, as stated"
    ),
    "co2e_kg": st.column_config.NumberColumn("recomputed kg CO₂e", format="localized"),
    "co2e_rel_diff": st.column_config.NumberColumn("difference", format="percent"),
    "source": st.column_config.TextColumn("source"),
    "url": st.column_config.LinkColumn("document"),
    "note": st.column_config.TextColumn("note"),
}

st.title("Published footprints")
st.caption(
    "Training runs whose energy and emissions were published, recomputed from their stated inputs; "
    "your job is placed among them on energy, or on CO₂e with every run on your job's grid."
)
job = jobpage.open_page(OPTIONS)
result = widgets.job_line(job)
on = st.radio(
    "Compare on",
    list(parts.COMPARE_ON),
    key=OPTIONS.key("compare_on"),
    horizontal=True,
    format_func=parts.COMPARE_ON.get,
)
grid = None
if result is not None and result.footprint.intensity_g_per_kwh > 0:
    own = (
        cached.databases().regions.intensity(result.region.id, result.built.spec.year)
        if result.region is not None
        else None
    )
    where = f"{own.basis} {own.year}, {result.region.id}" if own else "given, no stated basis"
    grid = parts.JobGrid(
        result.footprint.intensity_g_per_kwh,
        f"{components.num(result.footprint.intensity_g_per_kwh)} g/kWh, {where}",
    )
a, b = st.columns([1, 1])
source = a.radio(
    "Your figure",
    ["job", "typed"],
    key=OPTIONS.key("your_kg_from"),
    horizontal=True,
    format_func=lambda x: "The job above" if x == "job" else "A figure I type",
)
if on == parts.CO2E_AT_JOB_GRID and grid is None:
    jobpage.publish(OPTIONS)
    st.info("CO₂e on one grid needs the job above (its grid figure): fix the job, or compare on energy.")
    st.stop()
if source == "typed" or result is None:
    name, title = ("your_kwh", "Energy [kWh]") if on == parts.ENERGY else ("your_kg", "CO₂e [kg]")
    job_value = float(b.number_input(title, min_value=0.001, key=OPTIONS.key(name)))
elif on == parts.ENERGY:
    job_value = float(result.footprint.energy_kwh)
    b.metric(parts.YOUR_JOB, components.kwh(job_value))
else:
    job_value = float(result.footprint.co2e_kg)
    b.metric(parts.YOUR_JOB, components.kg(job_value), help=f"At {grid.label}" if grid else None)
jobpage.publish(OPTIONS)

rows = recompute(load_published())
runs = parts.table(rows)
st.markdown(components.plain(compare_sentence(parts.energy_kwh(on, job_value, grid), rows)))
chart = parts.chart_frame(runs, on, job_value, grid)
st.plotly_chart(parts.figure(chart, on), key="published_chart", config=components.PLOTLY_CONFIG)
st.caption(parts.basis_caption(on, grid))
st.dataframe(runs[list(COLUMNS)], key="published_table", hide_index=True, column_config=COLUMNS)
