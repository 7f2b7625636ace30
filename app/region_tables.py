"""Tables, labels and the history chart of the Regions page, as plain functions of the region database.

Nothing here calls Streamlit: each function takes the database (or rows of
:func:`wattprint.db.tables.region_frame`) and returns a DataFrame, a figure or a text, so the page
script only reads widgets and draws, and these are tested directly. Names that go into Markdown
are escaped with :func:`app.safe.plain`. The low-carbon mark is the Material leaf icon in
Markdown (captions, labels, metrics) and the plain word "yes" in table cells, where icons do not
render: no emoji, which draws as an empty box without an emoji font.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from app.components import LOW_CARBON_ICON, place_name
from app.safe import plain
from wattprint.db import tables
from wattprint.db.loader import RegionDB, Resolved
from wattprint.db.schema import DEFAULT_BASIS, IntensityFact, MissingIntensity, Profile, Region
from wattprint.engine.whatif import LOW_CARBON_THRESHOLD_G_PER_KWH

if TYPE_CHECKING:  # plotly is imported by history_figure only
    import plotly.graph_objects as go

LATEST = "Latest per region"
ALL = "All"
LOW_CARBON_CELL = "yes"
"""The "Low carbon" cell of a region at or below the threshold (blank above it)."""
DEFAULT_REGION = "gcp:europe-west6"
"""The region the "One region" section opens on when the filters keep it."""

PAGE_CAPTION = (
    "Location-based grid carbon intensity of cloud regions, countries and sub-national grids, by year, "
    "with PUE where published. Every figure has a basis (what it counts); the table and the map show "
    f"one basis at a time, {DEFAULT_BASIS} by default, so no two bases are ranked or coloured together. "
    f'{LOW_CARBON_ICON} (and "yes" in the table\'s Low carbon column) marks regions at or below '
    f'{LOW_CARBON_THRESHOLD_G_PER_KWH:g} gCO2e/kWh (Google Cloud\'s "Low CO2" threshold).'
)
YEAR_HELP = "A region without a figure for this year (own or from its grid) is left out."
BASIS_HELP = (
    "lifecycle: IPCC AR5 medians over the generation mix (the default of every comparison); "
    "direct: stack CO2 of generation; operational: a provider's own figure; scope2+3: national "
    "accounts with upstream and losses; consumption: per kWh consumed. See region_db/README.md."
)
NO_MATCH = "No region matches these filters; widen them, pick another year or another basis."
PROVIDER_CAPTION = (
    "Provider's own figure and CFE: Google's per-region figure (average operational gross emissions "
    "from 2021) and hourly-matched carbon-free energy share, shown beside the grid figure as the "
    "provider's; they are not the grid figure and are not ranked with it."
)
PROVIDER_FIGURES_HEADING = (
    "**The provider's own figure** (Google: lifecycle grid intensity as Google labels 2019-2020, average "
    "operational gross emissions from 2021), beside the grid figure, not ranked with it"
)
CFE_HEADING = (
    "**Carbon-free energy (Google Cloud CFE%)**, the provider's hourly-matched share of clean energy"
)
NO_PROFILE = "No hourly intensity series is linked to this region or its grids."
TABLE_FORMATS = {
    "Intensity [gCO2e/kWh]": "{:,.1f}",
    "PUE [-]": "{:.2f}",
    "Provider's own figure [gCO2e/kWh]": "{:,.2f}",
    "Provider's CFE [%]": "{:.0f}",
}
HISTORY_FORMATS = {"Intensity [gCO2e/kWh]": "{:,.1f}"}


# ---- labels ----------------------------------------------------------------------------------------


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


def a_basis(basis: str) -> str:
    """``"a lifecycle"``, ``"an operational"``: the basis with its article."""
    return ("an " if basis[0] in "aeiou" else "a ") + basis


def count_heading(count: int, basis: str, year: int | None) -> str:
    """The table's heading: how many regions have a figure of ``basis`` (for ``year``)."""
    return f"{count} regions with {a_basis(basis)} figure" + (f" for {year}" if year else "")


def headline_counts(frame: pd.DataFrame, basis: str) -> dict[str, str]:
    """The page's figures, label -> value: the regions the filters keep with a figure of ``basis``,
    by kind, and how many of them are low-carbon."""
    kinds = frame["kind"].value_counts()
    return {
        f"Regions listed ({basis})": f"{len(frame):,}",
        "Cloud regions": f"{int(kinds.get('cloud', 0)):,}",
        "Grid zones and countries": f"{int(kinds.get('grid', 0) + kinds.get('country', 0)):,}",
        f"Low-carbon {LOW_CARBON_ICON}": f"{int(frame['low_carbon'].astype(bool).sum()):,}",
    }


def scope_caption(db: RegionDB, year: int | None, basis: str) -> str:
    """Under the heading: the one source and the one year every figure of the table is of."""
    scope = tables.ranking_scope(db, year, basis)
    source = source_label(_source_key(db, scope.source), db.sources) if scope.source else "no source"
    return (
        f"Every figure here: {basis} basis, {source}, year {scope.year_rule}. Other sources of this "
        "basis are in each region's history below, never ranked with these."
    )


def _source_key(db: RegionDB, family: str) -> str:
    """A source key of a family (the newest edition), for its label."""
    keys = sorted(k for k in db.sources if k == family or k.startswith(family + "-"))
    return keys[-1] if keys else family


def left_out_caption(count: int, basis: str) -> str:
    """Under the heading: whether any region matching the filters lacks a figure of ``basis``."""
    if count == 0:
        return f"Every region matching these filters has {a_basis(basis)} figure."
    return f"{count} matching region(s) have no {basis} figure: listed with the reason below the table."


def map_caption(basis: str) -> str:
    """Under the map: what the dots and their colour show."""
    return (
        f"Cloud regions with a known location; colour: {basis} grid intensity [gCO2e/kWh], one basis "
        "only; each dot's year is in its label and in the table. Countries and grids have no single "
        "point. World outlines ship with wattprint (offline)."
    )


def map_range(frame: pd.DataFrame) -> tuple[float, float]:
    """The map's colour range [gCO2e/kWh]: 0 to 800, or to the highest figure when above."""
    return (0.0, max(800.0, float(frame["intensity_g_per_kwh"].max())))


# ---- filters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """The values each filter offers, from the database."""

    providers: list[str]
    continents: list[str]
    kinds: list[str]
    years: list[int]
    """Every year with an own intensity figure, oldest first."""


def filter_choices(db: RegionDB) -> FilterChoices:
    """Providers, continents, kinds and intensity years found in ``db``, sorted."""
    regions = db.regions.values()
    return FilterChoices(
        providers=sorted({r.provider for r in regions if r.provider}),
        continents=sorted({r.continent for r in regions if r.continent}),
        kinds=sorted({r.kind for r in regions}),
        years=sorted({fact.year for r in regions for fact in r.intensity_g_per_kwh}),
    )


def chosen_year(choice: object) -> int | None:
    """The year picked in the year filter; None for :data:`LATEST` (each region's latest)."""
    return None if choice == LATEST else int(str(choice))


@dataclass(frozen=True)
class RegionFilters:
    """What the filters ask for; :data:`ALL` (or an empty search) keeps every row."""

    provider: str = ALL
    continent: str = ALL
    kind: str = ALL
    search: str = ""
    low_only: bool = False


def filtered(rows: pd.DataFrame, filters: RegionFilters) -> pd.DataFrame:
    """``rows`` kept by the provider, continent, kind and search filters (search: a case-blind
    substring of the id, the name or the city)."""
    if filters.provider != ALL:
        rows = rows[rows["provider"] == filters.provider]
    if filters.continent != ALL:
        rows = rows[rows["continent"] == filters.continent]
    if filters.kind != ALL:
        rows = rows[rows["kind"] == filters.kind]
    needle = filters.search.strip().lower()
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


def filtered_regions(
    db: RegionDB, year: int | None, basis: str, filters: RegionFilters
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The regions with a figure of ``basis`` for ``year`` that the filters keep, lowest first,
    with a ``low_carbon`` column; and those the filters keep that have no such figure, with
    their name, city, continent and the reason. Raises WattprintError for an unknown basis."""
    frame = tables.region_frame(db, year, basis)
    left_out = tables.excluded_regions(db, year, basis)
    places = {
        column: [getattr(db.regions[i], column) for i in left_out["id"]]
        for column in ("name", "city", "continent")
    }
    left_out = left_out.assign(**places)
    frame = filtered(frame, filters)
    left_out = filtered(left_out, filters)
    frame = frame.assign(low_carbon=frame["intensity_g_per_kwh"] <= LOW_CARBON_THRESHOLD_G_PER_KWH)
    if filters.low_only:
        frame = frame[frame["low_carbon"]]
    return frame.sort_values("intensity_g_per_kwh", kind="stable"), left_out


# ---- tables ----------------------------------------------------------------------------------------


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


def region_table(frame: pd.DataFrame, db: RegionDB, year: int | None, this_year: int) -> pd.DataFrame:
    """The regions table: each row of :func:`filtered_regions` with its basis, its year and age,
    the low-carbon mark, PUE, the provider's own figure and CFE beside the grid figure, the grid
    it inherits from and the source."""
    shown = [db.regions[i] for i in frame["id"]]
    own_figures = [provider_figure(r, year) for r in shown]
    own_cfe = [provider_cfe(r, year) for r in shown]
    return pd.DataFrame(
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
            "Low carbon": [LOW_CARBON_CELL if low else "" for low in frame["low_carbon"]],
            "PUE [-]": frame["pue"],
            "Provider's own figure [gCO2e/kWh]": [value for value, _ in own_figures],
            "Provider's figure basis, year": [label for _, label in own_figures],
            "Provider's CFE [%]": [value for value, _ in own_cfe],
            "CFE year": [label for _, label in own_cfe],
            "From grid": [
                own if own != rid else ""
                for own, rid in zip(frame["intensity_from"], frame["id"], strict=True)
            ],
            "Source": frame["intensity_source"],
        }
    )


def has_provider_figures(db: RegionDB, frame: pd.DataFrame) -> bool:
    """True when a region of ``frame`` has a provider's own figure or CFE share."""
    return any(db.regions[i].provider_intensity_g_per_kwh or db.regions[i].cfe_fraction for i in frame["id"])


def missing_table(left_out: pd.DataFrame, basis: str) -> pd.DataFrame:
    """The regions without a figure of ``basis``: "missing" (never 0) and why."""
    return pd.DataFrame(
        {
            "id": left_out["id"],
            "Name": left_out["name"],
            "Kind": left_out["kind"],
            "Provider": left_out["provider"],
            f"{basis} intensity": "missing",
            "Why": left_out["reason"],
        }
    )


# ---- one region ------------------------------------------------------------------------------------


def detail_options(frame: pd.DataFrame, left_out: pd.DataFrame, db: RegionDB) -> list[str]:
    """The regions the "One region" picker offers: those of the table, then those without a
    figure; every region when the filters keep none."""
    return list(frame["id"]) + list(left_out["id"]) or sorted(db.regions)


def region_option(db: RegionDB, region_id: str) -> str:
    """``"Zurich (gcp:europe-west6)"``: a region's name and id as the picker lists it (options are
    plain text, not Markdown); the id alone when the database lacks it."""
    region = db.regions.get(region_id)
    return f"{place_name(region_id, region.name)} ({region_id})" if region is not None else region_id


def provider_option(db: RegionDB, provider_id: str) -> str:
    """``"Google Cloud (gcp)"`` for the provider filter; :data:`ALL` and unknown ids as they are."""
    provider = db.providers.get(provider_id)
    return f"{provider.name} ({provider_id})" if provider is not None else provider_id


def default_index(options: list[str]) -> int:
    """Where the picker opens: :data:`DEFAULT_REGION` when offered, else the first."""
    return options.index(DEFAULT_REGION) if DEFAULT_REGION in options else 0


@dataclass(frozen=True)
class RegionDetail:
    """One region's figures of one basis: ``owner`` is the entry they come from (the region or a
    grid it sits on); ``missing`` the years listed without a figure, with the reason."""

    region: Region
    owner: Region
    history: tuple[IntensityFact, ...]
    missing: list[MissingIntensity]
    pue: Resolved | None
    chain: list[Region]
    profile: Profile | None
    others: tuple[tuple[Region, IntensityFact], ...] = ()
    """Figures of the same basis from other sources (entry they come from, figure): shown in the
    history table with their source, never in the chart or a ranking with ``history``."""


def region_detail(db: RegionDB, region_id: str, basis: str, year: int | None) -> RegionDetail:
    """What the "One region" section shows; raises WattprintError for an unknown id."""
    region = db.get(region_id)
    found = db.intensity_facts(region.id, basis)
    pue = db.pue(region.id, year)
    chain = list(db.lookup_chain(region))  # with the linked zone, where the figures are looked up
    profile = db.profile_for(region.id)
    owner = found[0] if found else region
    lookup = list(db.lookup_chain(region))
    missing = [m for entry in lookup for m in entry.intensity_missing if m.basis == basis]
    shown = {id(fact) for fact in (found[1] if found else ())}
    others: list[tuple[Region, IntensityFact]] = []
    for family in db.intensity_sources(region.id, basis):
        other = db.intensity_facts(region.id, basis, family)
        if other is not None:
            others.extend((other[0], fact) for fact in other[1] if id(fact) not in shown)
    history = found[1] if found else ()
    return RegionDetail(region, owner, history, missing, pue, chain, profile, tuple(others))


def intensity_metric(history: tuple[IntensityFact, ...], basis: str) -> tuple[str, str]:
    """Label and value of the latest figure, with the low-carbon mark (Material icon, for
    ``st.metric``, which renders Markdown); "missing" when none."""
    if not history:
        return f"Intensity, {basis} [gCO2e/kWh]", "missing"
    latest = max(history, key=lambda fact: fact.year)
    leaf = f" {LOW_CARBON_ICON}" if latest.value <= LOW_CARBON_THRESHOLD_G_PER_KWH else ""
    return f"Intensity {latest.year}, {basis} [gCO2e/kWh]", f"{latest.value:,.1f}" + leaf


def pue_metric(pue: Resolved | None, sources: dict[str, Any]) -> tuple[str, str, str | None]:
    """Label, value and source caption of a region's PUE (its own or its provider's fleet value),
    the caption's source names escaped for Markdown; "not published" and no caption when neither
    is known."""
    if pue is None:
        return "PUE [-]", "not published", None
    whose = "Provider fleet value: " if pue.region_id.startswith("provider:") else "Own value: "
    return f"PUE {pue.year} [-]", f"{pue.value:.2f}", whose + plain(source_label(pue.source, sources))


def history_table(detail: RegionDetail, sources: dict[str, Any]) -> pd.DataFrame:
    """Every year of the region's figures, oldest first, with the years listed without one (an
    empty value and a "Missing because" column, present only when some year is missing)."""
    history, missing = detail.history, detail.missing
    others = [fact for _, fact in detail.others]
    frame = pd.DataFrame(
        {
            "Year": [fact.year for fact in (*history, *others)] + [m.year for m in missing],
            "Intensity [gCO2e/kWh]": [fact.value for fact in (*history, *others)]
            + [float("nan")] * len(missing),
            "Basis": [fact.basis for fact in (*history, *others)] + [m.basis for m in missing],
            "Source": [source_label(fact.source, sources) for fact in (*history, *others)]
            + [source_label(m.source, sources) for m in missing],
            "Ranked on": ["yes"] * len(history) + ["no (another source)"] * len(others) + [""] * len(missing),
            "From": [detail.owner.id] * len(history)
            + [entry.id for entry, _ in detail.others]
            + [""] * len(missing),
            "Missing because": [""] * (len(history) + len(others)) + [m.reason for m in missing],
        }
    ).sort_values(["Year", "Ranked on"], ascending=[True, False], kind="stable")
    return frame if missing else frame.drop(columns=["Missing because"])


def history_figure(history: pd.DataFrame, basis: str) -> go.Figure:
    """Intensity by year (the rows of :func:`history_table` with a value), with the low-carbon
    threshold as a dotted line."""
    import plotly.graph_objects as go

    figures = history.dropna(subset=["Intensity [gCO2e/kWh]"])
    if "Ranked on" in figures:  # one source in the chart: the one the rankings use
        figures = figures[figures["Ranked on"] == "yes"]
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
    return chart


def inherited_caption(detail: RegionDetail, basis: str) -> str | None:
    """Which grid the figures come from, when not the region's own; None when they are."""
    owner = detail.owner
    if owner.id == detail.region.id:
        return None
    if owner.id in detail.region.linked:
        return f"{basis.capitalize()} intensity of its grid zone `{owner.id}` ({plain(owner.name)})."
    return f"{basis.capitalize()} intensity inherited from the grid `{owner.id}` ({plain(owner.name)})."


def no_figure_text(db: RegionDB, region: Region, basis: str) -> str:
    """Why a region has no figure of ``basis`` (own or from its grids)."""
    reason = tables.excluded_regions(db, None, basis)
    why = reason.loc[reason["id"] == region.id, "reason"]
    return f"No {basis} intensity for this region or the grids it sits on" + (
        f": {why.iloc[0]}." if not why.empty else "."
    )


def other_bases_caption(detail: RegionDetail, basis: str) -> str | None:
    """The other bases the region (or its grids, or its provider) has figures of; None if none."""
    grid_bases = {f.basis for e in detail.chain for f in e.intensity_g_per_kwh}
    provider_bases = {f.basis for f in detail.region.provider_intensity_g_per_kwh}
    others = sorted((grid_bases - {basis}) | (provider_bases - {basis}))
    if not others:
        return None
    return "Also has figures of another basis (pick it above, never compared with this one): " + (
        ", ".join(others) + "."
    )


def provider_figures_table(region: Region, sources: dict[str, Any]) -> pd.DataFrame:
    """The provider's own per-region figures by year, with basis and source."""
    facts = region.provider_intensity_g_per_kwh
    return pd.DataFrame(
        {
            "Year": [fact.year for fact in facts],
            "Provider's figure [gCO2e/kWh]": [fact.value for fact in facts],
            "Basis": [fact.basis for fact in facts],
            "Source": [source_label(fact.source, sources) for fact in facts],
        }
    ).sort_values("Year")


def cfe_table(region: Region, sources: dict[str, Any]) -> pd.DataFrame:
    """The provider's carbon-free energy share [%] by year, with source."""
    facts = region.cfe_fraction
    return pd.DataFrame(
        {
            "Year": [fact.year for fact in facts],
            "CFE [%]": [fact.value * 100 for fact in facts],
            "Source": [source_label(fact.source, sources) for fact in facts],
        }
    ).sort_values("Year")


def title_markdown(region: Region) -> str:
    """``**name** (`id`), kind``: the heading of the "One region" section, the name escaped."""
    return f"**{plain(place_name(region.id, region.name))}** · `{region.id}` · {region.kind}"


def chain_markdown(chain: list[Region]) -> str:
    """``**Grid chain**: `id` (name) → ...``: the region, then each grid it sits on, names escaped."""
    return "**Grid chain**: " + " → ".join(
        f"`{entry.id}` ({plain(place_name(entry.id, entry.name))})" for entry in chain
    )


def profile_markdown(profile: Profile, sources: dict[str, Any]) -> str:
    """The hourly series linked to the region: name, id, resolution, span and source, escaped."""
    return (
        f"**Hourly series**: {plain(profile.name)} ({plain(profile.id)}), every "
        f"{profile.resolution_minutes} min, {plain(profile.start[:10])} to {plain(profile.end[:10])}; "
        f"source: {plain(source_label(profile.source, sources))}. "
        "Use it on the Time shifting page."
    )
