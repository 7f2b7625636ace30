"""Compare regions' parts (app/comparing.py), without a browser: the link options, the
filters' choices, one basis ranked against direct estimates, the metric texts, table and map.

Region ids (``gcp:europe-west6``, ``azure:westeurope``, ``aws:us-east-1``, ``country:FR``) and
the hardware id ``nvidia-h100-sxm5-80gb`` are entries of the project's own databases
(region_db/, hardware_db/); expected values are computed here from them, not written down.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from app import comparing, components, state
from wattprint.commands.compare import left_out_line
from wattprint.db import tables
from wattprint.db.loader import load_databases
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.engine import units
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import JobSpec, resolve
from wattprint.engine.whatif import LOW_CARBON_THRESHOLD_G_PER_KWH
from wattprint.errors import WattprintError

DBS = load_databases()
H100_JOB = JobSpec(hardware="nvidia-h100-sxm5-80gb", count=8, hours=24.0, region="aws:us-east-1")
FOOTPRINT = estimate(resolve(H100_JOB, DBS))


def ranked_on(
    basis: str = DEFAULT_BASIS, baseline: float | None = None, **chosen: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame, left_out = comparing.filtered(
        tables.region_frame(DBS.regions, None, basis),
        tables.excluded_regions(DBS.regions, None, basis),
        DBS.regions,
        chosen,
    )
    return comparing.rank(H100_JOB, FOOTPRINT, frame, basis, baseline), left_out


def own_kg(region_id: str, basis: str = DEFAULT_BASIS) -> float:
    """The job's energy at ``region_id``'s latest figure of ``basis`` [kg CO2e]."""
    return FOOTPRINT.energy_kwh * DBS.regions.intensity(region_id, None, basis).value / units.G_PER_KG


def test_options_keep_their_url_names_and_widget_keys() -> None:
    assert list(comparing.OPTIONS.fields) == [
        "kinds",
        "providers",
        "continents",
        "basis",
        "data_year",
        "within",
    ]
    assert [comparing.OPTIONS.key(name) for name in ("kinds", "basis")] == ["compare_kinds", "compare_basis"]
    session: dict[str, object] = {}
    problems = state.load(session, {"kinds": "grid,country", "basis": "direct"}, comparing.OPTIONS)
    assert problems == []
    assert session[comparing.OPTIONS.store] == {
        "kinds": ["grid", "country"],
        "providers": [],
        "continents": [],
        "basis": "direct",
        "data_year": "latest",
        "within": "anywhere",
    }


def test_choices_come_from_the_database() -> None:
    regions = tables.region_frame(DBS.regions, None, DEFAULT_BASIS)
    made = comparing.choices(regions, [2019, 2022, 2024])
    assert made["data_year"] == ["latest", "2024", "2022", "2019"]
    assert {"aws", "azure", "gcp"} <= set(made["providers"])
    assert made["providers"] == sorted(made["providers"])
    france = DBS.regions.regions["country:FR"].continent
    assert france in made["continents"]


def test_link_values_the_database_does_not_know_are_dropped() -> None:
    assert comparing.known(["gcp", "nobody", "aws"], ["aws", "gcp"]) == ["gcp", "aws"]
    assert comparing.known("1850", ["latest", "2024"]) == "latest"
    assert comparing.known("2024", ["latest", "2024"]) == "2024"
    choices = {"within": ["anywhere", "eu", "country:FR"], "providers": ["aws", "gcp"]}
    kept, dropped = comparing.keep_known({"within": "EU", "providers": ["gcp", "nobody"]}, choices)
    assert kept == {"within": "eu", "providers": ["gcp"]} and dropped == ["providers='nobody'"]
    kept, dropped = comparing.keep_known({"within": "mars", "providers": []}, choices)
    assert kept["within"] == "anywhere" and dropped == ["within='mars'"]
    assert comparing.chosen_year("latest") is None
    assert comparing.chosen_year("2022") == 2022


def test_filters_keep_the_chosen_kinds_and_providers_in_both_tables() -> None:
    ranked, left_out = ranked_on("direct", kind=["cloud"], provider=["gcp", "aws"])
    assert set(ranked["provider"]) <= {"gcp", "aws"} and set(ranked["kind"]) == {"cloud"}
    assert set(left_out["provider"]) <= {"gcp", "aws"} and set(left_out["kind"]) <= {"cloud"}
    assert set(ranked["intensity_basis"]) == {"direct"}
    every_left = tables.excluded_regions(DBS.regions, None, "direct")
    first = every_left.iloc[0]
    _, all_left = ranked_on("direct")
    continent = all_left.set_index("id").loc[first["id"], "continent"]
    assert continent == DBS.regions.regions[first["id"]].continent


def test_each_region_is_the_job_estimated_there() -> None:
    ranked, _ = ranked_on(kind=["cloud"])
    rows = ranked.set_index("id")
    for region_id in ("gcp:europe-west6", "azure:westeurope", "aws:us-east-1"):
        direct = estimate(resolve(dataclasses.replace(H100_JOB, region=region_id, year=None), DBS))
        assert rows.loc[region_id, "co2e_kg"] == pytest.approx(direct.co2e_kg, rel=1e-9), region_id
    assert ranked["co2e_kg"].is_monotonic_increasing
    assert ranked["savings_kg"].isna().all()  # no baseline: no savings


def test_savings_are_against_the_baseline_and_the_metric_says_so() -> None:
    baseline = own_kg("aws:us-east-1")
    ranked, _ = ranked_on(baseline=baseline, kind=["cloud"])
    best = ranked.iloc[0]
    assert best["savings_kg"] == pytest.approx(baseline - best["co2e_kg"])
    shown = comparing.cleanest(ranked, DEFAULT_BASIS)
    assert shown.label == "Cleanest region"
    # kg saved beside the % (issue 28)
    saved = f"-{components.kg(best['savings_kg'])} (−{components.percent(best['savings_fraction'])})"
    assert shown.delta == saved
    name = components.place_name(best["id"], best["name"])
    assert shown.help == (
        f"{name} ({best['id']}): {best['intensity_g_per_kwh']:,.0f} g/kWh "
        f"{DEFAULT_BASIS} {int(best['intensity_year'])}, electricity-maps-yearly"
    )
    unsaved = comparing.cleanest(ranked_on(kind=["cloud"])[0], DEFAULT_BASIS)
    assert unsaved.delta is None


def test_nothing_to_rank_says_which_basis() -> None:
    frame = tables.region_frame(DBS.regions, None, "operational").head(0)
    with pytest.raises(WattprintError, match="no region with a operational figure"):
        comparing.rank(H100_JOB, FOOTPRINT, frame, "operational", None)


def test_caption_names_the_basis_the_left_out_and_the_newest_year() -> None:
    ranked, left_out = ranked_on("direct")
    text = comparing.ranked_caption(ranked, left_out, "direct")
    source = ranked["intensity_source"].iloc[0]
    year = int(ranked["intensity_year"].iloc[0])
    assert set(ranked["intensity_source"]) == {source} and set(ranked["intensity_year"]) == {year}
    assert text.startswith(
        f"Ranked {len(ranked)} region(s) on the direct basis only, source {source}, year {year}. "
    )
    assert left_out_line(left_out, "direct") in text
    assert f"({int(ranked['intensity_year'].max())})" in text


def test_table_columns_and_low_carbon_flag() -> None:
    ranked, _ = ranked_on(kind=["cloud", "country"])
    shown = comparing.table(ranked)
    assert list(shown.columns) == list(comparing.COLUMNS)
    expected = ranked["intensity_g_per_kwh"] <= LOW_CARBON_THRESHOLD_G_PER_KWH
    assert shown["low_carbon"].any() and not shown["low_carbon"].all()
    assert (shown["low_carbon"] == expected).all()  # at or below Google Cloud's "Low CO2" line
    config = comparing.column_config()
    assert list(config) == list(comparing.COLUMNS)
    assert config["co2e_kg"]["label"] == "kg CO₂e"
    assert config["low_carbon"]["type_config"]["type"] == "checkbox"


def test_map_rings_the_jobs_own_region_only_when_it_has_one() -> None:
    ranked, _ = ranked_on(kind=["cloud"])
    ringed = [trace.name for trace in comparing.region_map(ranked, "aws:us-east-1").data]
    assert "your current choice" in ringed
    plain = [trace.name for trace in comparing.region_map(ranked, None).data]
    assert "your current choice" not in plain
    assert math.isfinite(float(ranked["latitude"].dropna().iloc[0]))


def test_the_ranking_chart_says_how_many_bars_of_how_many_regions_and_names_providers() -> None:
    # The user saw 25 bars under "64 regions" with no word of the cut and no provider.
    ranked, _ = ranked_on()
    assert len(ranked) > components.RANKED_BARS
    own = "aws:us-east-1"
    figure = components.ranked_figure(ranked, own)
    (bars,) = figure.data
    cut_own = own not in set(ranked.head(components.RANKED_BARS)["id"])
    assert len(bars.y) == components.RANKED_BARS + int(cut_own)
    caption = components.bars_caption(ranked, own)
    assert f"The {components.RANKED_BARS} cleanest of the {len(ranked):,} regions ranked" in caption
    assert ("job's own region further down" in caption) == cut_own
    # Every cloud bar names its provider as people write it.
    top = ranked.head(components.RANKED_BARS)
    for label, provider in zip(reversed(bars.y[-len(top) :]), top["provider"], strict=True):
        if provider == "gcp":
            assert label.split(" · ")[1] == "GCP"
        elif provider == "aws":
            assert label.split(" · ")[1] == "AWS"
    few = ranked.head(5)
    assert components.bars_caption(few, None) == "All 5 regions ranked are shown."
