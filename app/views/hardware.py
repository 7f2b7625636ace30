"""Hardware database: search, filter, the efficiency trend, and every value with its source."""

from __future__ import annotations

import streamlit as st

from app import audit, cached, components, embodied_text, safe, widgets
from app import hardware_tables as ht
from wattprint.db.schema import PRECISION_FIELDS
from wattprint.errors import WattprintError

st.title("Hardware database")
st.caption(ht.PAGE_CAPTION)
figures = widgets.top_slot()  # the counts, above the filters they follow

try:
    dbs = cached.databases()
    frame = cached.hardware_frame()
except WattprintError as error:
    safe.error(error)
    st.stop()

# ---- filters -----------------------------------------------------------------------------------
search = st.text_input(
    "Search id, name or alias",
    key="hw_search",
    placeholder="e.g. h100, MI300X, Tesla T4",
)
left, middle, right = st.columns(3)
choices = ht.filter_choices(frame)
kind = left.selectbox("Kind", [ht.ALL, *choices.kinds], key="hw_kind", format_func=components.kind_name)
vendor = middle.selectbox(
    "Vendor", [ht.ALL, *choices.vendors], key="hw_vendor", format_func=components.vendor_name
)
first_year, last_year = choices.first_year, choices.last_year
year_range = right.slider("Release year", first_year, last_year, (first_year, last_year), key="hw_years")
include_undated = st.checkbox("Include devices without a release date", value=True, key="hw_undated")
chosen = ht.filtered(frame, ht.HardwareFilters(str(kind), str(vendor), search, year_range, include_undated))
widgets.metric_row(figures, ht.headline_counts(chosen, frame), "hardware")

# ---- table ---------------------------------------------------------------------------------
st.subheader(ht.count_heading(chosen, frame))
listed = ht.device_table(chosen)
st.dataframe(audit.blank_missing(listed), hide_index=True, key="hw_table")
safe.csv_download(listed, "Devices (CSV)", "hardware.csv", key="hw_table_dl")
if chosen.empty:
    st.info(ht.NO_MATCH)

# ---- efficiency trend ------------------------------------------------------------------------
st.subheader("Energy efficiency over time")
left, right = st.columns([1, 2])
precision = left.selectbox(
    "Precision",
    list(PRECISION_FIELDS),
    index=list(PRECISION_FIELDS).index(ht.DEFAULT_PRECISION),
    format_func=lambda name: ht.PRECISION_LABELS[name],
    key="hw_precision",
)
only_filtered = right.checkbox("Only the devices of the table", value=False, key="hw_chart_filtered")
plotted = ht.trend_rows(frame, chosen, precision, only_filtered)
if plotted.empty:
    st.info(ht.no_trend_text(precision))
else:
    st.plotly_chart(ht.trend_figure(plotted, precision), key="hw_trend")
    st.caption(ht.trend_caption(len(plotted), precision))

# ---- one device --------------------------------------------------------------------------------
st.subheader("One device with its sources")
options = ht.detail_options(chosen, frame)
labels = cached.hardware_labels()  # "Name · id", as the calculator lists devices
detail_id = st.selectbox(
    "Device",
    options,
    index=ht.default_index(options),
    format_func=lambda key: labels.get(key, key),
    key="hw_detail",
)
try:
    device = dbs.hardware.get(detail_id)
except WattprintError as error:
    safe.error(error)
    st.stop()
with st.expander(f"{components.plain(device.name)} ({device.id})", expanded=True):
    fact_table = ht.fact_table(device, dbs.hardware.sources)
    st.dataframe(
        audit.blank_missing(fact_table, {"Year": "{:.0f}"}),
        hide_index=True,
        column_config={
            "URL": st.column_config.LinkColumn("URL"),
            "Year": st.column_config.NumberColumn(format="%d"),
        },
        key="hw_facts",
    )
    safe.caption(embodied_text.device_caption(device, dbs.hardware.sources))
    safe.csv_download(fact_table, "Facts and sources (CSV)", f"{device.id}-facts.csv", key="hw_facts_dl")
    st.table(components.plain_table(ht.properties_table(device)), hide_index=True)
    if device.notes:
        safe.caption(device.notes)

hosts = dbs.hardware.hosts
with st.expander(f"Host machines for embodied carbon ({len(hosts)}): the calculator's host choice"):
    for host_id in embodied_text.host_choices(hosts)[1:]:
        safe.caption(embodied_text.host_entry(hosts[host_id], dbs.hardware.sources))
