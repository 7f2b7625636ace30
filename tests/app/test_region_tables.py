"""The Regions page's tables, labels and chart, built without a browser from the bundled region
database (region_db/); expected values are looked up in it directly."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from app import components
from app import region_tables as rt
from app.safe import plain
from wattprint.db import tables
from wattprint.db.loader import RegionDB, load_databases
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.engine.whatif import LOW_CARBON_THRESHOLD_G_PER_KWH

THIS_YEAR = 2026


@pytest.fixture(scope="module")
def db() -> RegionDB:
    return load_databases().regions


# ---- labels ----------------------------------------------------------------------------------------


def test_age_label_counts_whole_years() -> None:
    assert rt.age_label(2026, THIS_YEAR) == "2026 (this year)"
    assert rt.age_label(2025, THIS_YEAR) == "2025 (1 year old)"
    assert rt.age_label(2022, THIS_YEAR) == "2022 (4 years old)"
    assert rt.age_label(2027, THIS_YEAR) == "2027 (this year)"  # a future year is not "-1 years old"


def test_source_label_names_publisher_title_and_year(db: RegionDB) -> None:
    source = db.sources["ember-owid-carbon-intensity"]
    label = rt.source_label("ember-owid-carbon-intensity", db.sources)
    assert label == f"{source.publisher}, {source.title} ({source.year})"
    assert "ember-owid-carbon-intensity" not in label  # the name, not the raw key
    assert rt.source_label("no-such-source", db.sources) == "no-such-source"
    assert rt.source_label(None, db.sources) == "-"


def test_headings_use_the_right_article_and_the_year() -> None:
    assert rt.a_basis("lifecycle") == "a lifecycle"
    assert rt.a_basis("operational") == "an operational"
    assert rt.count_heading(12, "operational", None) == "12 regions with an operational figure"
    assert rt.count_heading(3, "direct", 2020) == "3 regions with a direct figure for 2020"
    assert rt.left_out_caption(0, "direct").startswith("Every region matching these filters has a direct")
    assert rt.left_out_caption(4, "direct").startswith("4 matching region(s) have no direct figure")


def test_chosen_year_reads_the_year_filter() -> None:
    assert rt.chosen_year(rt.LATEST) is None
    assert rt.chosen_year(2021) == 2021
    assert rt.chosen_year("2019") == 2019


# ---- filters ---------------------------------------------------------------------------------------


def test_filter_choices_come_from_the_database(db: RegionDB) -> None:
    choices = rt.filter_choices(db)
    assert {"aws", "gcp", "azure"} <= set(choices.providers)
    assert choices.providers == sorted({r.provider for r in db.regions.values() if r.provider})
    assert {"cloud", "country", "grid"} <= set(choices.kinds)
    assert "Europe" in choices.continents
    assert choices.years == sorted(choices.years)
    assert max(db.intensity_years("country:FR")) in choices.years


def test_no_filter_keeps_every_region_with_a_figure(db: RegionDB) -> None:
    frame, left_out = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters())
    assert sorted(frame["id"]) == sorted(tables.region_frame(db, None, DEFAULT_BASIS)["id"])
    assert sorted(left_out["id"]) == sorted(tables.excluded_regions(db, None, DEFAULT_BASIS)["id"])
    assert list(frame["intensity_g_per_kwh"]) == sorted(frame["intensity_g_per_kwh"])  # lowest first


def test_provider_filter_keeps_only_that_providers_regions(db: RegionDB) -> None:
    frame, _ = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(provider="gcp"))
    ids = set(frame["id"])
    assert "gcp:europe-west6" in ids
    assert "aws:us-east-1" not in ids and "country:FR" not in ids
    assert all(i.startswith("gcp:") for i in ids)


def test_kind_and_continent_filters(db: RegionDB) -> None:
    frame, _ = rt.filtered_regions(
        db, None, DEFAULT_BASIS, rt.RegionFilters(kind="country", continent="Europe")
    )
    ids = set(frame["id"])
    assert "country:FR" in ids
    assert "country:US" not in ids  # North America
    assert "gcp:europe-west6" not in ids  # a cloud region, not a country
    assert set(frame["kind"]) == {"country"} and set(frame["continent"]) == {"Europe"}


def test_search_matches_id_name_and_city_case_blind(db: RegionDB) -> None:
    # aws:us-east-1 is "US East (N. Virginia)" in Ashburn, Virginia: found by name, city and id.
    by_city, _ = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(search="  ASHBURN "))
    assert "aws:us-east-1" in set(by_city["id"])
    assert "gcp:europe-west6" not in set(by_city["id"])
    by_name, _ = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(search="zürich"))
    assert "gcp:europe-west6" in set(by_name["id"])
    by_id, _ = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(search="europe-west6"))
    assert list(by_id["id"]) == ["gcp:europe-west6"]
    none, left_out = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(search="no such place"))
    assert none.empty and left_out.empty


def test_low_carbon_filter_drops_regions_above_the_threshold(db: RegionDB) -> None:
    everything, _ = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters())
    low, _ = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(low_only=True))
    assert 0 < len(low) < len(everything)
    assert (low["intensity_g_per_kwh"] <= LOW_CARBON_THRESHOLD_G_PER_KWH).all()
    high = db.intensity("aws:us-east-1").value  # PJM's grid
    assert high > LOW_CARBON_THRESHOLD_G_PER_KWH
    assert "aws:us-east-1" in set(everything["id"]) and "aws:us-east-1" not in set(low["id"])


def test_filters_apply_to_the_regions_left_out_too(db: RegionDB) -> None:
    # zone:CF (Electricity Maps' Central African Republic) is ranked as country:CF: left out
    # under its own id, with that reason, and only where the filters keep Africa.
    _, left_out = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(continent="Africa"))
    assert "zone:CF" in set(left_out["id"])
    row = left_out.set_index("id").loc["zone:CF"]
    assert (
        row["name"] == "Central African Republic (Electricity Maps CF)"
        and row["reason"] == "same zone as a linked entry, ranked there (country:CF)"
    )
    _, elsewhere = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(continent="Europe"))
    assert "zone:CF" not in set(elsewhere["id"])


# ---- tables ----------------------------------------------------------------------------------------


def test_region_table_has_basis_year_and_names(db: RegionDB) -> None:
    frame, _ = rt.filtered_regions(db, 2022, DEFAULT_BASIS, rt.RegionFilters())
    table = rt.region_table(frame, db, 2022, THIS_YEAR).set_index("id")
    assert {"Name", "Basis", "Year", "Intensity [gCO2e/kWh]", "Source"} <= set(table.columns)
    assert set(table["Basis"]) == {DEFAULT_BASIS}
    assert (table["Year"] == "2022 (4 years old)").all()
    row = table.loc["aws:us-east-1"]
    assert row["Name"] == db.get("aws:us-east-1").name
    assert row["Intensity [gCO2e/kWh]"] == pytest.approx(db.intensity("aws:us-east-1", 2022).value)
    assert row["From grid"] == db.intensity("aws:us-east-1", 2022).region_id == "zone:US-MIDA-PJM"
    assert row["Low carbon"] == "" and row["Source"] == "electricity-maps-yearly"
    france = table.loc["country:FR"]
    assert france["From grid"] == "zone:FR"  # its Electricity Maps zone, linked
    expected_leaf = "yes" if db.intensity("country:FR", 2022).value <= 200 else ""
    assert france["Low carbon"] == expected_leaf


def test_region_table_puts_googles_own_figure_beside_the_grid_figure(db: RegionDB) -> None:
    frame, _ = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(provider="gcp"))
    row = rt.region_table(frame, db, None, THIS_YEAR).set_index("id").loc["gcp:europe-west6"]
    region = db.get("gcp:europe-west6")
    own = max(region.provider_intensity_g_per_kwh, key=lambda fact: fact.year)
    cfe = max(region.cfe_fraction, key=lambda fact: fact.year)
    assert row["Intensity [gCO2e/kWh]"] == pytest.approx(db.intensity("gcp:europe-west6").value)
    assert row["Provider's own figure [gCO2e/kWh]"] == pytest.approx(own.value)
    assert row["Provider's figure basis, year"] == f"{own.basis} {own.year}"
    assert row["Provider's CFE [%]"] == pytest.approx(cfe.value * 100)
    assert row["CFE year"] == str(cfe.year)
    assert rt.has_provider_figures(db, frame)
    aws, _ = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(provider="aws"))
    assert not rt.has_provider_figures(db, aws)


def test_provider_figure_for_a_year_it_does_not_publish_is_missing(db: RegionDB) -> None:
    region = db.get("gcp:europe-west6")
    first = min(region.provider_intensity_g_per_kwh, key=lambda fact: fact.year)
    assert rt.provider_figure(region, first.year) == (first.value, f"{first.basis} {first.year}")
    value, label = rt.provider_figure(region, 1999)
    assert math.isnan(value) and label == ""
    value, label = rt.provider_cfe(db.get("aws:us-east-1"), None)  # AWS publishes no CFE share
    assert math.isnan(value) and label == ""


def test_missing_table_says_missing_and_why_never_zero(db: RegionDB) -> None:
    _, left_out = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters())
    missing = rt.missing_table(left_out, DEFAULT_BASIS).set_index("id")
    # A US state has no zone figure of its own: missing (not the national figure), with why.
    assert missing.loc["us-state:WY", f"{DEFAULT_BASIS} intensity"] == "missing"
    assert "its country's is zone:US" in missing.loc["us-state:WY", "Why"]
    assert missing.loc["us-state:WY", "Name"] == "Wyoming"


# ---- one region ------------------------------------------------------------------------------------


def test_detail_picker_opens_on_the_default_region_when_offered(db: RegionDB) -> None:
    frame, left_out = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters())
    options = rt.detail_options(frame, left_out, db)
    assert options[rt.default_index(options)] == "gcp:europe-west6"
    assert "country:CF" in options  # regions without a figure can be opened too
    aws, aws_left = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(provider="aws"))
    options = rt.detail_options(aws, aws_left, db)
    assert rt.default_index(options) == 0 and "gcp:europe-west6" not in options
    empty = frame.iloc[0:0]
    assert rt.detail_options(empty, empty, db) == sorted(db.regions)


def test_inherited_history_names_the_grid(db: RegionDB) -> None:
    detail = rt.region_detail(db, "aws:us-east-1", DEFAULT_BASIS, None)
    grid = db.intensity("aws:us-east-1").region_id
    assert detail.owner.id == grid
    assert [entry.id for entry in detail.chain][:2] == ["aws:us-east-1", grid]
    caption = rt.inherited_caption(detail, DEFAULT_BASIS)
    assert caption is not None and f"`{grid}`" in caption and plain(db.get(grid).name) in caption
    history = rt.history_table(detail, db.sources)
    assert "Missing because" not in history.columns
    ranked = history[history["Ranked on"] == "yes"]
    assert list(ranked["Year"]) == db.intensity_years("aws:us-east-1", source="electricity-maps-yearly")
    # The other sources of the basis are listed too, each with its entry: EIA-930 (ba:PJM), Ember (US).
    assert {"ba:PJM", "country:US"} <= set(history["From"])
    france = rt.inherited_caption(rt.region_detail(db, "country:FR", DEFAULT_BASIS, None), DEFAULT_BASIS)
    assert france is not None and "grid zone `zone:FR`" in france
    assert rt.inherited_caption(rt.region_detail(db, "zone:FR", DEFAULT_BASIS, None), DEFAULT_BASIS) is None


def test_missing_years_are_listed_without_a_value_with_the_reason(db: RegionDB) -> None:
    # Ember / OWID report 0 for the Central African Republic: those years are missing with the
    # reason, beside Electricity Maps' figures (2021-2025) that it ranks on.
    detail = rt.region_detail(db, "country:CF", DEFAULT_BASIS, None)
    assert [f.year for f in detail.history] == [2021, 2022, 2023, 2024, 2025]
    history = rt.history_table(detail, db.sources)
    region = db.get("country:CF")
    missing = history[history["Missing because"] != ""]
    assert sorted(missing["Year"]) == sorted(m.year for m in region.intensity_missing)
    assert missing["Intensity [gCO2e/kWh]"].isna().all()
    assert (missing["Missing because"] == region.intensity_missing[0].reason).all()
    label, shown = rt.intensity_metric(detail.history, DEFAULT_BASIS)
    assert label == "Intensity 2025, lifecycle [gCO2e/kWh]" and shown.startswith("24.0")  # co2.js 2025: 24
    wyoming = rt.region_detail(db, "us-state:WY", DEFAULT_BASIS, None)
    text = rt.no_figure_text(db, wyoming.region, DEFAULT_BASIS)
    assert text.startswith("No lifecycle intensity for this region") and "zone:US" in text


def test_history_mixes_figures_and_missing_years_in_year_order(db: RegionDB) -> None:
    # Google lists northamerica-northeast1 as 0 for 2021-2022 (kept as missing), figures after.
    detail = rt.region_detail(db, "gcp:northamerica-northeast1", "operational", None)
    history = rt.history_table(detail, db.sources)
    assert list(history["Year"]) == sorted(history["Year"])
    missing_years = {m.year for m in detail.missing}
    assert missing_years and missing_years.isdisjoint({f.year for f in detail.history})
    blank = history[history["Intensity [gCO2e/kWh]"].isna()]
    assert set(blank["Year"]) == missing_years
    assert (history.loc[history["Intensity [gCO2e/kWh]"].notna(), "Missing because"] == "").all()


def test_intensity_metric_shows_the_latest_year_and_the_leaf(db: RegionDB) -> None:
    detail = rt.region_detail(db, "country:FR", DEFAULT_BASIS, None)
    latest = db.intensity("country:FR")
    label, value = rt.intensity_metric(detail.history, DEFAULT_BASIS)
    assert label == f"Intensity {latest.year}, lifecycle [gCO2e/kWh]"
    assert value.startswith(f"{latest.value:,.1f}")
    assert value.endswith(components.LOW_CARBON_ICON) == (latest.value <= LOW_CARBON_THRESHOLD_G_PER_KWH)


def test_pue_metric_names_whose_value_it_is(db: RegionDB) -> None:
    own = db.pue("gcp:europe-west1")  # Google publishes this data centre's own PUE
    assert own is not None and not own.region_id.startswith("provider:")
    label, value, caption = rt.pue_metric(own, db.sources)
    assert label == f"PUE {own.year} [-]" and value == f"{own.value:.2f}"
    assert caption == "Own value: " + plain(rt.source_label(own.source, db.sources))
    fleet = db.pue("aws:us-east-1")
    assert fleet is not None
    assert rt.pue_metric(fleet, db.sources)[2].startswith("Provider fleet value: ")  # type: ignore[union-attr]
    assert rt.pue_metric(db.pue("country:FR"), db.sources) == ("PUE [-]", "not published", None)


def test_other_bases_list_every_basis_but_the_shown_one(db: RegionDB) -> None:
    detail = rt.region_detail(db, "gcp:europe-west6", DEFAULT_BASIS, None)
    caption = rt.other_bases_caption(detail, DEFAULT_BASIS)
    assert caption is not None and "operational" in caption  # Google's own figures
    assert f"{DEFAULT_BASIS}," not in caption and not caption.endswith(f"{DEFAULT_BASIS}.")


def test_provider_and_cfe_tables_by_year_with_source_names(db: RegionDB) -> None:
    region = db.get("gcp:europe-west6")
    own = rt.provider_figures_table(region, db.sources)
    assert list(own["Year"]) == sorted(f.year for f in region.provider_intensity_g_per_kwh)
    assert set(own["Basis"]) == {f.basis for f in region.provider_intensity_g_per_kwh}
    first = region.provider_intensity_g_per_kwh[0]
    assert rt.source_label(first.source, db.sources) in set(own["Source"])
    assert first.source in db.sources and first.source not in set(own["Source"])  # a name, not the key
    cfe = rt.cfe_table(region, db.sources)
    assert list(cfe["CFE [%]"]) == pytest.approx(
        [f.value * 100 for f in sorted(region.cfe_fraction, key=lambda f: f.year)]
    )


def test_history_figure_plots_the_figures_and_the_threshold(db: RegionDB) -> None:
    detail = rt.region_detail(db, "gcp:northamerica-northeast1", "operational", None)
    history = rt.history_table(detail, db.sources)
    figure = rt.history_figure(history, "operational")
    (trace,) = figure.data
    assert list(trace.x) == sorted(f.year for f in detail.history)  # missing years are not drawn
    assert list(trace.y) == pytest.approx([f.value for f in sorted(detail.history, key=lambda f: f.year)])
    assert figure.layout.yaxis.title.text == "Intensity, operational [gCO2e/kWh]"
    (line,) = figure.layout.shapes
    assert line.y0 == line.y1 == LOW_CARBON_THRESHOLD_G_PER_KWH


def test_markdown_escapes_names_and_shows_the_chain_and_series(db: RegionDB) -> None:
    region = db.get("aws:us-west-1")
    detail = rt.region_detail(db, region.id, DEFAULT_BASIS, None)
    chain = rt.chain_markdown(detail.chain)
    assert chain.startswith("**Grid chain**: `aws:us-west-1` (")
    assert chain.count("→") == len(detail.chain) - 1
    assert detail.profile is not None
    series = rt.profile_markdown(detail.profile, db.sources)
    assert f"({plain(detail.profile.id)})" in series and plain(detail.profile.start[:10]) in series
    hostile = region.model_copy(update={"name": "![x](http://evil.example/x.png)"})
    assert "![" not in rt.title_markdown(hostile) and "](http" not in rt.chain_markdown([hostile])
    assert rt.title_markdown(region).endswith(f" · `{region.id}` · cloud")
    zurich = db.get("gcp:europe-west6")
    assert rt.title_markdown(zurich).startswith("**Zürich** · ")  # the name without its own id


def test_map_range_reaches_the_highest_figure() -> None:
    frame = pd.DataFrame({"intensity_g_per_kwh": [10.0, 950.0]})
    assert rt.map_range(frame) == (0.0, 950.0)
    assert rt.map_range(frame.iloc[:1]) == (0.0, 800.0)


# ---- names, marks and hostile text ------------------------------------------------------------------

HOSTILE = "**bold** [x](http://evil) <b>"


def test_pickers_list_names_with_ids(db: RegionDB) -> None:
    # The value stays the id (links and keys use it); the label adds the name.
    assert rt.region_option(db, "gcp:europe-west6") == "Zürich (gcp:europe-west6)"  # name without its id
    assert rt.region_option(db, "no:such-region") == "no:such-region"
    assert rt.provider_option(db, "gcp") == f"{db.providers['gcp'].name} (gcp)"
    assert rt.provider_option(db, rt.ALL) == rt.ALL


def test_low_carbon_mark_is_an_icon_in_markdown_and_a_word_in_cells(db: RegionDB) -> None:
    assert components.LOW_CARBON_ICON in rt.PAGE_CAPTION
    frame, _ = rt.filtered_regions(db, None, DEFAULT_BASIS, rt.RegionFilters(low_only=True))
    assert not frame.empty
    cells = set(rt.region_table(frame, db, None, THIS_YEAR)["Low carbon"])
    assert cells == {rt.LOW_CARBON_CELL} and ":material/" not in rt.LOW_CARBON_CELL


def test_names_and_sources_from_a_database_are_escaped(db: RegionDB) -> None:
    region = db.get("aws:us-east-1")  # its figures come from the grid it sits on
    detail = rt.region_detail(db, region.id, DEFAULT_BASIS, None)
    hostile_grid = detail.owner.model_copy(update={"name": HOSTILE})
    caption = rt.inherited_caption(dataclasses.replace(detail, owner=hostile_grid), DEFAULT_BASIS)
    assert caption is not None and plain(HOSTILE) in caption and HOSTILE not in caption

    source = db.sources["ember-owid-carbon-intensity"]
    hostile_sources = {"evil": source.model_copy(update={"publisher": HOSTILE})}
    pue = db.pue("gcp:europe-west1")
    assert pue is not None
    pue_caption = rt.pue_metric(dataclasses.replace(pue, source="evil"), hostile_sources)[2]
    assert pue_caption is not None and plain(HOSTILE) in pue_caption and HOSTILE not in pue_caption

    profile = rt.region_detail(db, "aws:us-west-1", DEFAULT_BASIS, None).profile
    assert profile is not None
    hostile_profile = profile.model_copy(update={"name": HOSTILE, "source": "evil"})
    series = rt.profile_markdown(hostile_profile, hostile_sources)
    assert series.count(plain(HOSTILE)) == 2 and HOSTILE not in series
