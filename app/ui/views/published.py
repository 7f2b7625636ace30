"""Published page: well-known training runs recomputed, and the shared job placed among them."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from app.db.published import load_published
from app.engine.published import compare_sentence, recompute, recomputed_to_dict
from app.ui import components, state, widgets

OPTIONS = state.PageOptions(
    "published",
    {
        "your_kg_from": state.InputField("job", ("job", "typed")),
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
    "co2e_kg": st.column_config.NumberColumn("recomputed kg CO₂e", format="localized"),
    "co2e_rel_diff": st.column_config.NumberColumn("difference", format="percent"),
    "source": st.column_config.TextColumn("source"),
    "url": st.column_config.LinkColumn("document"),
    "note": st.column_config.TextColumn("note"),
}

st.title("Published footprints")
st.caption(
    "Training runs whose energy and emissions were published, recomputed with the same formula; "
    "your job is placed among them (operational CO₂e, location-based)."
)
job = state.open_page(OPTIONS)
result = widgets.job_line(job)
a, b = st.columns([1, 1])
source = a.radio(
    "Your job's CO₂e",
    ["job", "typed"],
    key=OPTIONS.key("your_kg_from"),
    horizontal=True,
    format_func=lambda x: "The job above" if x == "job" else "A figure I type",
)
if source == "typed" or result is None:
    job_kg = b.number_input("CO₂e [kg]", min_value=0.001, key=OPTIONS.key("your_kg"))
else:
    job_kg = float(result.footprint.co2e_kg)
    b.metric("Your job", components.kg(job_kg))
state.publish(OPTIONS)

rows = recompute(load_published())
table = pd.DataFrame([recomputed_to_dict(row) for row in rows]).drop(columns=["published_co2e"])
st.markdown(components.plain(compare_sentence(job_kg, rows)))
chart = pd.concat(
    [
        table[["model", "published_co2e_kg"]],
        pd.DataFrame({"model": ["Your job"], "published_co2e_kg": [job_kg]}),
    ]
).sort_values("published_co2e_kg")
figure = px.bar(
    chart,
    x="published_co2e_kg",
    y="model",
    orientation="h",
    log_x=True,
    labels={"published_co2e_kg": "CO₂e [kg], log scale", "model": ""},
    color=chart["model"].eq("Your job").map({True: "your job", False: "published"}),
    color_discrete_map={"your job": components.GREY, "published": components.GREEN},
)
figure.update_yaxes(categoryorder="array", categoryarray=list(chart["model"]))
figure.update_layout(showlegend=False, margin={"l": 10, "r": 10, "t": 10, "b": 30}, height=420)
st.plotly_chart(figure, key="published_chart", config=components.PLOTLY_CONFIG)
st.dataframe(table[list(COLUMNS)], key="published_table", hide_index=True, column_config=COLUMNS)
