"""The Streamlit web app: a router and thin pages over the engine."""
