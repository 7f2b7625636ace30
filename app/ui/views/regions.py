"""Region database: a map, a table, filters and one region's history with its sources."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app.db import tables
from app.db.schema import DEFAULT_BASIS, INTENSITY_BASES, Region
from app.engine.whatif import LOW_CARBON_THRESHOLD_G_PER_KWH
from app.errors import WattprintError
from app.ui import audit, cached, components, maps, safe

LATEST = "Latest per region"
ALL = "All"
LEAF = "🍃"


def age_label(year: int, this_year: int) -> str:
    """``"2022 (2 years old)"``: a figure's year and its age in whole years."""
    age = this_year - int(year)
    if age <= 0:
        return f"{int(year)} (this year)"
    return f"{int(year)} ({age} year{'s' if age != 1 else ''} old)"


def source_label(key: str | None, sources: dict[str, Any]) -> str:
    """``publisher, title (year)`` of a source key, or the key itself when unknown."""
    if key is None:
        return "-"
    source = sources.get(key)
    return f"{source.publisher}, {source.title} ({source.year})" if source else key


def provider_figure(region: Region, year: int | None) -> tuple[float, str]:
    """A provider's own per-region intensity [gCO2e/kWh] for ``year`` (default its latest) and
    ``"basis year"``; (NaN, "") when the provider publishes none for that year."""
    by_year = {fact.year: fact for fact in region.provider_intensity_g_per_kwh}
    fact = by_year.get(year) if year is not None else (by_year[max(by_year)] if by_year else None)
    return (fact.value, f"{fact.basis} {fact.year}") if fact else (float("nan"), "")


def provider_cfe(region: Region, year: int | None) -> tuple[float, str]:
    """A provider's carbon-free energy share [%] for ``year`` (default its latest) and its year."""
    by_year = {fact.year: fact for fact in region.cfe_fraction}
    fact = by_year.get(year) if year is not None else (by_year[max(by_year)] if by_year else None)
    return (fact.value * 100.0, str(fact.year)) if fact else (float("nan"), "")


st.title("Region database")
st.caption(
    "Location-based grid carbon intensity of cloud regions, countries and sub-national grids, by year, "
    "with PUE where published. Every figure has a basis (what it counts); the table and the map show "
    f"one basis at a time, {DEFAULT_BASIS} by default, so no two bases are ranked or coloured together. "
    f"{LEAF} marks regions at or below "
    f'{LOW_CARBON_THRESHOLD_G_PER_KWH:g} gCO2e/kWh (Google Cloud\'s "Low CO2" threshold).'
)

try:
    dbs = cached.databases()
    db = dbs.regions
    all_years = sorted({fact.year for region in db.regions.values() for fact in region.intensity_g_per_kwh})
except WattprintError as error:
    safe.error(error)
    st.stop()

this_year = dt.date.today().year

# ---- filters ---------------------------------------------------------------------------------------
search = st.text_input("Search id or name", key="reg_search", placeholder="e.g. europe-west, FR, Virginia")
columns = st.columns(5)
providers = sorted({r.provider for r in db.regions.values() if r.provider})
continents = sorted({r.continent for r in db.regions.values() if r.continent})
kinds = sorted({r.kind for r in db.regions.values()})
provider = columns[0].selectbox("Provider", [ALL, *providers], key="reg_provider")
continent = columns[1].selectbox("Continent", [ALL, *continents], key="reg_continent")
kind = columns[2].selectbox("Kind", [ALL, *kinds], key="reg_kind")
year_choice = columns[3].selectbox(
    "Intensity year",
    [LATEST, *reversed(all_years)],
    key="reg_year",
    help="A region without a figure for this year (own or from its grid) is left out.",
)
year = None if year_choice == LATEST else int(str(year_choice))
basis = str(
    columns[4].selectbox(
        "Intensity basis",
        INTENSITY_BASES,
        index=INTENSITY_BASES.index(DEFAULT_BASIS),
        key="reg_basis",
        help="lifecycle: IPCC AR5 medians over the generation mix (the default of every comparison); "
        "direct: stack CO2 of generation; operational: a provider's own figure; scope2+3: national "
        "accounts with upstream and losses; consumption: per kWh consumed. See region_db/README.md.",
    )
)
low_only = st.checkbox(f"Only low-carbon regions ({LEAF})", value=False, key="reg_low_only")

try:
    frame = tables.region_frame(db, year, basis)
    left_out = tables.excluded_regions(db, year, basis)
except WattprintError as error:
    safe.error(error)
    st.stop()

left_out = left_out.assign(
    name=[db.regions[i].name for i in left_out["id"]],
    city=[db.regions[i].city for i in left_out["id"]],
    continent=[db.regions[i].continent for i in left_out["id"]],
)


def filtered(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` kept by the provider, continent, kind and search filters."""
    if provider != ALL:
        rows = rows[rows["provider"] == provider]
    if continent != ALL:
        rows = rows[rows["continent"] == continent]
    if kind != ALL:
        rows = rows[rows["kind"] == kind]
    needle = search.strip().lower()
    if needle:
        haystack = (
            rows["id"].str.lower()
            + "\n"
            + rows["name"].str.lower()
            + "\n"
            + rows["city"].fillna("").str.lower()
        )
        rows = rows[haystack.str.contains(needle, regex=False)]
    return rows


frame = filtered(frame)
left_out = filtered(left_out)
frame = frame.assign(low_carbon=frame["intensity_g_per_kwh"] <= LOW_CARBON_THRESHOLD_G_PER_KWH)
if low_only:
    frame = frame[frame["low_carbon"]]
frame = frame.sort_values("intensity_g_per_kwh", kind="stable")

a_basis = ("an " if basis[0] in "aeiou" else "a ") + basis
st.subheader(f"{len(frame)} regions with {a_basis} figure" + (f" for {year}" if year else ""))
if left_out.empty:
    st.caption(f"Every region matching these filters has {a_basis} figure.")
else:
    st.caption(
        f"{len(left_out)} matching region(s) have no {basis} figure: listed with the reason below the table."
    )
if frame.empty:
    st.info("No region matches these filters; widen them, pick another year or another basis.")

# ---- map -------------------------------------------------------------------------------------------
if maps.has_coordinates(frame):
    st.plotly_chart(
        maps.region_map(
            frame,
            "intensity_g_per_kwh",
            f"gCO2e/kWh, {basis}",
            range_color=(0.0, max(800.0, float(frame["intensity_g_per_kwh"].max()))),
        ),
        key="reg_map",
        config=maps.MAP_CONFIG,
    )
    st.caption(
        f"Cloud regions with a known location; colour: {basis} grid intensity [gCO2e/kWh], one basis "
        "only; each dot's year is in its label and in the table. Countries and grids have no single "
        "point. World outlines ship with wattprint (offline)."
    )

# ---- table -----------------------------------------------------------------------------------------
shown_regions = [db.regions[i] for i in frame["id"]]
own_figures = [provider_figure(r, year) for r in shown_regions]
own_cfe = [provider_cfe(r, year) for r in shown_regions]
table = pd.DataFrame(
    {
        "id": frame["id"],
        "Name": frame["name"],
        "Kind": frame["kind"],
        "Provider": frame["provider"],
        "Country": frame["country"],
        "Continent": frame["continent"],
        "Intensity [gCO2e/kWh]": frame["intensity_g_per_kwh"],
        "Basis": frame["intensity_basis"],
        "Year": [age_label(y, this_year) for y in frame["intensity_year"]],
        "Low carbon": [LEAF if low else "" for low in frame["low_carbon"]],
        "PUE [-]": frame["pue"],
        "Provider's own figure [gCO2e/kWh]": [value for value, _ in own_figures],
        "Provider's figure basis, year": [label for _, label in own_figures],
        "Provider's CFE [%]": [value for value, _ in own_cfe],
        "CFE year": [label for _, label in own_cfe],
        "From grid": [
            own if own != rid else "" for own, rid in zip(frame["intensity_from"], frame["id"], strict=True)
        ],
        "Source": frame["intensity_source"],
    }
)
st.dataframe(
    audit.blank_missing(
        table,
        {
            "Intensity [gCO2e/kWh]": "{:,.1f}",
            "PUE [-]": "{:.2f}",
            "Provider's own figure [gCO2e/kWh]": "{:,.2f}",
            "Provider's CFE [%]": "{:.0f}",
        },
    ),
    hide_index=True,
    key="reg_table",
)
safe.csv_download(table, "Regions (CSV)", f"regions-{basis}.csv", key="reg_table_dl")
if any(r.provider_intensity_g_per_kwh or r.cfe_fraction for r in shown_regions):
    st.caption(
        "Provider's own figure and CFE: Google's per-region figure (average operational gross emissions "
        "from 2021) and hourly-matched carbon-free energy share, shown beside the grid figure as the "
        "provider's; they are not the grid figure and are not ranked with it."
    )
if not left_out.empty:
    st.markdown(f"**Without {a_basis} figure** ({len(left_out)}): missing, not 0")
    missing = pd.DataFrame(
        {
            "id": left_out["id"],
            "Name": left_out["name"],
            "Kind": left_out["kind"],
            "Provider": left_out["provider"],
            f"{basis} intensity": "missing",
            "Why": left_out["reason"],
        }
    )
    st.dataframe(audit.no_none(missing), hide_index=True, key="reg_missing")
    safe.csv_download(
        missing, "Regions without a figure (CSV)", f"regions-without-{basis}.csv", key="reg_missing_dl"
    )

# ---- one region ------------------------------------------------------------------------------------
st.subheader("One region")
options = list(frame["id"]) + list(left_out["id"]) or sorted(db.regions)
default_id = "gcp:europe-west6"
region_id = st.selectbox(
    "Region", options, index=options.index(default_id) if default_id in options else 0, key="reg_detail"
)
try:
    region = db.get(region_id)
    found = db.intensity_facts(region.id, basis)
    pue = db.pue(region.id, year)
    chain = list(db.chain(region))
    profile = db.profile_for(region.id)
except WattprintError as error:
    safe.error(error)
    st.stop()
history = found[1] if found else ()
owner = found[0] if found else region
missing = [m for m in owner.intensity_missing if m.basis == basis] if found else []
if not found:
    missing = [m for entry in chain for m in entry.intensity_missing if m.basis == basis]

st.markdown(f"**{components.plain(region.name)}** (`{region.id}`), {region.kind}")
left, right = st.columns(2)
if history:
    latest = max(history, key=lambda fact: fact.year)
    left.metric(
        f"Intensity {latest.year}, {basis} [gCO2e/kWh]",
        f"{latest.value:,.1f}" + (f" {LEAF}" if latest.value <= LOW_CARBON_THRESHOLD_G_PER_KWH else ""),
    )
else:
    left.metric(f"Intensity, {basis} [gCO2e/kWh]", "missing")
if pue is not None:
    right.metric(f"PUE {pue.year} [-]", f"{pue.value:.2f}")
    right.caption(
        ("Provider fleet value: " if pue.region_id.startswith("provider:") else "Own value: ")
        + source_label(pue.source, db.sources)
    )
else:
    right.metric("PUE [-]", "not published")

if history or missing:
    history_frame = pd.DataFrame(
        {
            "Year": [fact.year for fact in history] + [m.year for m in missing],
            "Intensity [gCO2e/kWh]": [fact.value for fact in history] + [float("nan")] * len(missing),
            "Basis": [fact.basis for fact in history] + [m.basis for m in missing],
            "Source": [source_label(fact.source, db.sources) for fact in history]
            + [source_label(m.source, db.sources) for m in missing],
            "Missing because": [""] * len(history) + [m.reason for m in missing],
        }
    ).sort_values("Year")
    if not missing:
        history_frame = history_frame.drop(columns=["Missing because"])
    if history:
        figures = history_frame.dropna(subset=["Intensity [gCO2e/kWh]"])
        chart = go.Figure(
            go.Scatter(
                x=figures["Year"],
                y=figures["Intensity [gCO2e/kWh]"],
                mode="lines+markers",
                name=f"intensity ({basis})",
            )
        )
        chart.add_hline(
            y=LOW_CARBON_THRESHOLD_G_PER_KWH,
            line_dash="dot",
            line_color="green",
            annotation_text=f"low-carbon threshold ({LOW_CARBON_THRESHOLD_G_PER_KWH:g})",
        )
        chart.update_layout(
            xaxis_title="Year",
            yaxis_title=f"Intensity, {basis} [gCO2e/kWh]",
            yaxis_rangemode="tozero",
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            height=300,
        )
        chart.update_xaxes(dtick=1)
        st.plotly_chart(chart, key="reg_history")
    if owner.id != region.id:
        st.caption(f"{basis.capitalize()} intensity inherited from the grid `{owner.id}` ({owner.name}).")
    st.dataframe(
        audit.blank_missing(history_frame, {"Intensity [gCO2e/kWh]": "{:,.1f}"}),
        hide_index=True,
        key="reg_history_table",
    )
    safe.csv_download(
        history_frame, "History (CSV)", f"{region.id}-{basis}-history.csv", key="reg_history_dl"
    )
if not history:
    reason = tables.excluded_regions(db, None, basis)
    why = reason.loc[reason["id"] == region.id, "reason"]
    st.warning(
        components.plain(
            f"No {basis} intensity for this region or the grids it sits on"
            + (f": {why.iloc[0]}." if not why.empty else ".")
        )
    )
other_bases = sorted(
    {f.basis for e in chain for f in e.intensity_g_per_kwh} - {basis}
    | ({f.basis for f in region.provider_intensity_g_per_kwh} - {basis})
)
if other_bases:
    st.caption(
        "Also has figures of another basis (pick it above, never compared with this one): "
        + ", ".join(other_bases)
        + "."
    )

if region.provider_intensity_g_per_kwh:
    own = pd.DataFrame(
        {
            "Year": [fact.year for fact in region.provider_intensity_g_per_kwh],
            "Provider's figure [gCO2e/kWh]": [fact.value for fact in region.provider_intensity_g_per_kwh],
            "Basis": [fact.basis for fact in region.provider_intensity_g_per_kwh],
            "Source": [source_label(fact.source, db.sources) for fact in region.provider_intensity_g_per_kwh],
        }
    ).sort_values("Year")
    st.markdown(
        "**The provider's own figure** (Google: lifecycle grid intensity as Google labels 2019-2020, average "
        "operational gross emissions from 2021), beside the grid figure, not ranked with it"
    )
    st.dataframe(own, hide_index=True, key="reg_provider_figures")
    safe.csv_download(
        own, "Provider's figures (CSV)", f"{region.id}-provider-figures.csv", key="reg_provider_figures_dl"
    )

if region.cfe_fraction:
    cfe = pd.DataFrame(
        {
            "Year": [fact.year for fact in region.cfe_fraction],
            "CFE [%]": [fact.value * 100 for fact in region.cfe_fraction],
            "Source": [source_label(fact.source, db.sources) for fact in region.cfe_fraction],
        }
    ).sort_values("Year")
    st.markdown(
        "**Carbon-free energy (Google Cloud CFE%)**, the provider's hourly-matched share of clean energy"
    )
    st.dataframe(cfe, hide_index=True, key="reg_cfe")
    safe.csv_download(cfe, "CFE (CSV)", f"{region.id}-cfe.csv", key="reg_cfe_dl")

if len(chain) > 1:
    links = [f"`{entry.id}` ({components.plain(entry.name)})" for entry in chain]
    st.markdown("**Grid chain**: " + " → ".join(links))
if profile is not None:
    st.markdown(
        f"**Hourly series**: {profile.name} (`{profile.id}`), every {profile.resolution_minutes} min, "
        f"{profile.start[:10]} to {profile.end[:10]}; source: {source_label(profile.source, db.sources)}. "
        "Use it on the Time shifting page."
    )
else:
    st.caption("No hourly intensity series is linked to this region or its grids.")
if region.notes:
    st.caption(region.notes)
