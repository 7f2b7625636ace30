"""Baseline page of ``bench/ui.py``: one number input and one metric, the least a Streamlit page does."""

import streamlit as st

count = st.number_input("Number of devices", value=8, step=1)
st.metric("Operational CO₂e", f"{count * 7.01:,.1f} kg CO₂e")
