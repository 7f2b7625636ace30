"""Published page: well-known training runs recomputed, and the user's job placed among them."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from app.db.published import load_published
from app.engine.published import compare_sentence, recompute, recomputed_to_dict

st.title("Published footprints")
rows = recompute(load_published())
table = pd.DataFrame([recomputed_to_dict(row) for row in rows]).drop(columns=["published_co2e"])
st.dataframe(table, key="published_table", hide_index=True)
job_kg = st.number_input("Your job's CO2e [kg]", min_value=0.001, value=150.0, key="published_job_kg")
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
    labels={"published_co2e_kg": "CO2e [kg], log scale", "model": ""},
)
st.plotly_chart(figure, key="published_chart")
st.write(compare_sentence(job_kg, rows))
