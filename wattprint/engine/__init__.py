"""Pure, deterministic computations: no I/O, no Streamlit, no NVML."""
