"""The Region picker's parts (app/picking.py), without a browser: link options in and out,
candidate regions of one basis, ranks against direct estimates, the table, the map, the CSV.

Region ids (``aws:us-east-1``, ``gcp:europe-west6``, ``azure:westeurope``), cities and the
hardware id ``nvidia-h100-sxm5-80gb`` are entries of the project's own databases (region_db/,
hardware_db/); expected values are computed here from those databases, not written down.
"""

from __future__ import annotations

import dataclasses
import io

import pandas as pd
import pytest

from app import maps, picking
from app.safe import plain
from wattprint.db import exports, tables
from wattprint.db.loader import load_databases
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import JobSpec, resolve
from wattprint.errors import InputError

DBS = load_databases()
REGIONS = tables.region_frame(DBS.regions, None, DEFAULT_BASIS)
CITIES, PROVIDERS = picking.cloud_places(REGIONS)
H100_JOB = JobSpec(hardware="nvidia-h100-sxm5-80gb", count=8, hours=24.0, region="aws:us-east-1")


def ranked_for(
    spec: JobSpec = H100_JOB,
    basis: str = DEFAULT_BASIS,
    providers: tuple[str, ...] = (),
    where: tuple[maps.Place, ...] = (),
    weights: tuple[float, float, float] = (1.0, 0.5, 0.0),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    pool = picking.candidates(DBS.regions, basis, list(providers)).pool
    return picking.rank(spec, DBS, pool, weights, list(where))


# --- the link ----------------------------------------------------------------------------------


def test_places_parse_pairs_and_refuse_what_is_not_one() -> None:
    assert picking.parse_places("48.85, 2.35; 40.7, -74.0") == [(48.85, 2.35), (40.7, -74.0)]
    assert picking.parse_places(" ; ") == []
    with pytest.raises(InputError, match="not 'latitude, longitude'"):
        picking.parse_places("Paris")
    with pytest.raises(InputError, match="outside latitude"):
        picking.parse_places("95, 0")


def test_an_empty_link_gives_every_default() -> None:
    chosen, ignored = picking.link_options({}, set(), list(CITIES.index), PROVIDERS)
    assert chosen == {key: default for key, (_, default) in picking.URL_FIELDS.items()}
    assert ignored == []


def test_link_values_are_read_and_checked_against_the_database() -> None:
    query = {
        "carbon": ["0.2"],
        "distance": ["1"],
        "near": ["Tokyo", "Atlantis"],  # Atlantis has no cloud region in region_db
        "providers": ["gcp", "nobody"],
        "top": ["99"],  # above the 50 picks the page offers
        "basis": [" Operational "],
        "at": ["48.85, 2.35"],
    }
    chosen, ignored = picking.link_options(query, set(), list(CITIES.index), PROVIDERS)
    assert chosen["picker_carbon"] == pytest.approx(0.2)
    assert chosen["picker_latency"] == pytest.approx(1.0)
    assert chosen["picker_cities"] == ["Tokyo"]
    assert chosen["picker_providers"] == ["gcp"]
    assert chosen["picker_top"] == 5  # the default, and the bad value is named
    assert chosen["picker_basis"] == "operational"
    assert chosen["picker_latlon"] == "48.85, 2.35"
    assert ignored == ["near='Atlantis'", "providers='nobody'", "top='99'"]


def test_an_unreadable_weight_falls_back_and_is_named_with_the_last_value() -> None:
    chosen, ignored = picking.link_options({"carbon": ["0.3", "lots"]}, set(), [], [])
    assert chosen["picker_carbon"] == 1.0
    assert ignored == ["carbon='lots'"]


def test_widgets_already_set_are_not_overwritten_by_the_link() -> None:
    chosen, _ = picking.link_options({"carbon": ["0.2"]}, {"picker_carbon"}, [], [])
    assert "picker_carbon" not in chosen
    assert set(chosen) == set(picking.URL_FIELDS) - {"picker_carbon"}


def test_a_written_link_restores_exactly_what_was_chosen() -> None:
    chosen = {
        "picker_carbon": 0.35,
        "picker_latency": 1.0,
        "picker_price": 0.05,
        "picker_cities": ["Frankfurt", "Tokyo"],
        "picker_latlon": "40.71, -74.0",
        "picker_providers": ["aws", "gcp"],
        "picker_top": 12,
        "picker_basis": "direct",
        "picker_within": "eea",
    }
    job = {"hardware": "nvidia-h100-sxm5-80gb", "count": "64"}
    params = picking.link_params(job, chosen)
    assert list(params)[:2] == ["hardware", "count"]  # the job first, as on every page
    assert params["carbon"] == "0.35" and params["top"] == "12" and params["near"] == ["Frankfurt", "Tokyo"]
    query = {name: value if isinstance(value, list) else [value] for name, value in params.items()}
    restored, ignored = picking.link_options(query, set(), list(CITIES.index), PROVIDERS)
    assert restored == chosen
    assert ignored == []


# --- candidates and ranks ----------------------------------------------------------------------


def test_cities_carry_the_coordinates_of_a_cloud_region_there() -> None:
    zurich = REGIONS[REGIONS["id"] == "gcp:europe-west6"].iloc[0]
    assert zurich["city"] in CITIES.index
    clouds_there = REGIONS[(REGIONS["city"] == zurich["city"]) & (REGIONS["kind"] == "cloud")]
    assert CITIES.loc[zurich["city"], "latitude"] in set(clouds_there["latitude"])
    assert list(CITIES.index) == sorted(CITIES.index)
    assert {"aws", "azure", "gcp"} <= set(PROVIDERS)


def test_candidates_rank_one_basis_and_count_the_rest() -> None:
    operational = picking.candidates(DBS.regions, "operational", [])
    assert set(operational.pool["intensity_basis"]) == {"operational"}
    every_cloud = REGIONS[REGIONS["kind"] == "cloud"]
    # Every cloud region is either a candidate, left out (no figure of the basis) or unplaced.
    assert len(operational.pool) + len(operational.left_out) + len(operational.unplaced) == len(every_cloud)
    assert "aws:us-east-1" in set(operational.left_out["id"])
    only_aws = picking.candidates(DBS.regions, "operational", ["aws"])
    assert set(only_aws.left_out["provider"]) == {"aws"}
    assert set(only_aws.pool["provider"]) <= {"aws"}


def test_each_pick_is_the_job_estimated_in_that_region() -> None:
    compared, ranked = ranked_for()
    for region_id in ("gcp:europe-west6", "azure:westeurope", "aws:us-east-1"):
        direct = estimate(resolve(dataclasses.replace(H100_JOB, region=region_id, year=None), DBS))
        assert picking.kg_in(compared, region_id) == pytest.approx(direct.co2e_kg, rel=1e-9), region_id
    assert picking.kg_in(compared, None) is None
    assert picking.kg_in(compared, "country:FR") is None  # a country is not a cloud candidate
    assert ranked["co2e_kg"].is_monotonic_increasing  # carbon and no places: ranked by kg alone
    assert list(ranked["pick_rank"]) == list(range(1, len(ranked) + 1))


def test_reasons_name_distance_only_with_places() -> None:
    _, without = ranked_for(providers=("gcp",))
    assert not any("km from your places" in reason for reason in without["reason"])
    frankfurt = maps.Place("Frankfurt", *CITIES.loc["Frankfurt"])
    _, near = ranked_for(providers=("gcp",), where=(frankfurt,), weights=(0.0, 1.0, 0.0))
    first = near.iloc[0]
    assert f"{first['distance_km']:,.0f} km from your places" in first["reason"]
    assert f"price index {first['price_index']:.3f}" in first["reason"]
    assert near["distance_km"].is_monotonic_increasing  # distance weight alone


def test_places_take_cities_then_typed_pairs_and_refuse_bad_text() -> None:
    where = picking.places(["London"], CITIES, "40.71, -74.0")
    assert [place.label for place in where] == ["London", "40.71, -74"]
    assert where[0].latitude == CITIES.loc["London", "latitude"]
    with pytest.raises(InputError):
        picking.places([], CITIES, "north")


def test_caption_counts_ranked_and_left_out() -> None:
    candidates = picking.candidates(DBS.regions, "operational", [])
    _, ranked = ranked_for(basis="operational")
    text = picking.ranked_caption(ranked, "operational", candidates.left_out, candidates.unplaced)
    assert text.startswith(f"Ranked {len(ranked)} cloud region(s) on the operational basis. ")
    assert f"Left out {len(candidates.left_out) + len(candidates.unplaced)}: " in text
    lifecycle = picking.candidates(DBS.regions, DEFAULT_BASIS, [])
    nothing = lifecycle.left_out.head(0)
    empty = picking.ranked_caption(ranked, DEFAULT_BASIS, nothing, lifecycle.unplaced.head(0))
    assert empty.endswith("Left out: none.")


def test_job_caption_names_the_job() -> None:
    h100 = DBS.hardware.get("nvidia-h100-sxm5-80gb").name  # the name, not the raw id
    caption = picking.job_caption(H100_JOB, DBS.hardware)
    assert caption.startswith(f"For the job: 8 × {plain(h100)}, 24.0 h. ")
    custom = JobSpec(power_w=300.0, count=2, device_hours=50.0, region="aws:us-east-1")
    caption = picking.job_caption(custom, DBS.hardware)
    assert caption.startswith("For the job: 2 × 300 W devices, 50.0 device-hours. ")


# --- what the page draws -----------------------------------------------------------------------


def test_table_shows_unknown_price_and_distance_only_with_places() -> None:
    _, ranked = ranked_for(providers=("aws", "gcp"))
    best = ranked.head(10)
    table = picking.picks_table(best, has_places=False)
    assert "Distance [km]" not in table.columns
    assert list(table["Region"]) == list(best["id"])
    shown = dict(zip(table["Region"], table["Price index"], strict=True))
    assert all(shown[i] == "unknown" for i in best["id"] if i.startswith("aws:"))
    published = REGIONS.set_index("id")["price_index"]  # only Google Cloud publishes one
    assert all((shown[i] == "unknown") == pd.isna(published[i]) for i in best["id"])
    assert any(shown[i] == f"{published[i]:.3f}" for i in best["id"] if i.startswith("gcp:"))
    assert "Distance [km]" in picking.picks_table(best, has_places=True).columns
    assert set(picking.TABLE_FORMATS) <= set(picking.picks_table(best, True).columns)


def test_map_rings_and_numbers_the_picks() -> None:
    london = maps.Place("London", *CITIES.loc["London"])
    _, ranked = ranked_for(where=(london,))
    best = ranked.head(3)
    figure = picking.picks_map(ranked, best, [london])
    names = [trace.name for trace in figure.data]
    assert "top 3 picks (numbered)" in names
    ring = next(trace for trace in figure.data if trace.name == "top 3 picks (numbered)")
    assert [str(text) for text in ring.text] == ["1", "2", "3"]


def test_csv_holds_every_candidate() -> None:
    _, ranked = ranked_for()
    frame = pd.read_csv(io.StringIO(exports.safe_csv(picking.candidates_table(ranked))))
    assert list(frame.columns) == picking.CSV_COLUMNS
    assert len(frame) == len(ranked)
    assert list(frame["id"]) == list(ranked["id"])


def test_metric_labels_name_the_region_escaped() -> None:
    zurich = DBS.regions.get("gcp:europe-west6")
    label = picking.region_named(DBS.regions, "gcp:europe-west6")
    assert label == plain("Zürich (gcp:europe-west6)"), label  # the name without its own id
    assert label.endswith("(gcp\\:europe\\-west6\\)")
    hostile = dataclasses.replace(
        DBS.regions,
        regions={**DBS.regions.regions, "gcp:europe-west6": zurich.model_copy(update={"name": "**b** <b>"})},
    )
    assert picking.region_named(hostile, "gcp:europe-west6").startswith("\\*\\*b\\*\\* \\<b\\>")
    assert picking.region_named(DBS.regions, "no:such-region") == "no\\:such\\-region"
