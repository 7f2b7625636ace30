"""Like-with-like checks of the region database: every figure's basis, the lifecycle default, and
the classes of error that once let a 0 g/kWh country or a combustion-only province top a ranking."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest
import yaml

from wattprint.db.loader import RegionDB, load_databases
from wattprint.db.schema import INTENSITY_BASES
from wattprint.engine.geo import haversine_km
from wattprint.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
CURATED = ROOT / "region_db" / "curated"
IPCC_LOWEST_MEDIAN_G_PER_KWH = 10.0  # IPCC AR5 Annex III: the lowest lifecycle median (nuclear) is 12
METRO_KM = 50.0


@pytest.fixture(scope="module")
def db() -> RegionDB:
    return load_databases().regions


def cloud_ids(db: RegionDB) -> list[str]:
    return [r.id for r in db.filter(kind="cloud")]


def test_every_fact_has_a_basis_of_the_vocabulary(db: RegionDB) -> None:
    for region in db.regions.values():
        for fact in (*region.intensity_g_per_kwh, *region.provider_intensity_g_per_kwh):
            assert fact.basis in INTENSITY_BASES, (region.id, fact)
        for gap in region.intensity_missing:
            assert gap.reason and gap.basis in INTENSITY_BASES, region.id


def test_no_lifecycle_figure_below_the_lowest_ipcc_median(db: RegionDB) -> None:
    low = [
        (region.id, fact.year, fact.value)
        for region in db.regions.values()
        for fact in (*region.intensity_g_per_kwh, *region.provider_intensity_g_per_kwh)
        if fact.basis == "lifecycle" and fact.value < IPCC_LOWEST_MEDIAN_G_PER_KWH
    ]
    assert not low


def test_a_zero_in_the_source_is_missing_with_its_reason(db: RegionDB) -> None:
    # Ember / OWID report 0 gCO2e/kWh for the Central African Republic in every year 2015-2022.
    car = db.get("country:CF")
    assert not car.intensity_g_per_kwh
    assert len(car.intensity_missing) >= 5 and all("0" in m.reason for m in car.intensity_missing)
    assert db.intensity_facts("country:CF", source="ember-owid-carbon-intensity") is None


def test_every_cloud_region_has_a_lifecycle_figure(db: RegionDB) -> None:
    for region_id in cloud_ids(db):
        assert db.intensity(region_id).basis == "lifecycle", region_id


def test_cloud_region_within_half_to_twice_its_country_unless_listed(db: RegionDB) -> None:
    unexplained = []
    for region in db.filter(kind="cloud"):
        own = db.intensity(region.id)
        country = db.intensity(f"country:{region.country}")
        ratio = own.value / country.value
        if 0.5 <= ratio <= 2.0:
            continue
        # The exception must be written in the data, on the region or on the grid it inherits from.
        chain = list(db.chain(region))
        reasons = [e.ratio_exception for e in chain if e.ratio_exception]
        if not reasons:
            unexplained.append((region.id, own.region_id, round(ratio, 2)))
    assert not unexplained


def test_same_metro_regions_agree_on_the_same_basis_and_year(db: RegionDB) -> None:
    regions = [r for r in db.filter(kind="cloud") if r.latitude is not None and r.longitude is not None]
    pairs = 0
    for a, b in itertools.combinations(regions, 2):
        if a.country != b.country:
            continue
        km = float(haversine_km(a.latitude or 0.0, a.longitude or 0.0, b.latitude or 0.0, b.longitude or 0.0))
        if km > METRO_KM:
            continue
        pairs += 1
        ia, ib = db.intensity(a.id), db.intensity(b.id)
        assert (ia.basis, ia.year) == (ib.basis, ib.year), (a.id, b.id)
        assert abs(ia.value - ib.value) <= 0.10 * max(ia.value, ib.value), (a.id, ia.value, b.id, ib.value)
    assert pairs > 50  # Sydney, Montreal, Frankfurt, Ashburn, ... many providers share metros


def test_sydney_no_longer_reads_two_bases(db: RegionDB) -> None:
    # GCP's Google figure (operational) and the others' NGA scope 2+3 figure once disagreed 497 vs 870.
    sydney = ["gcp:australia-southeast1", "aws:ap-southeast-2", "azure:australiaeast", "oci:ap-sydney-1"]
    values = {db.intensity(r).value for r in sydney}
    assert len(values) == 1
    assert db.intensity("au-state:NSW", basis="scope2+3").value == 870.0  # kept on its own basis


# Canada Energy Regulator 2023 generation shares (as compiled by CodeCarbon) x IPCC AR5 medians,
# computed by hand: Quebec hydro 92.1 x 24 + wind 6.7 x 11 + gas 0.2 x 490 + oil 0.3 x 650 +
# biomass 0.7 x 230 = 2738 / 100.01 = 27.4; Ontario 6051 / 100.1 = 60.4 (gas 8.6, nuclear 50.1,
# hydro 23.4, wind 11.7, solar 5.2, biomass 1.0, oil 0.1); BC 5122 / 99.9 = 51.3; Alberta
# (gas 73.5, coal 8.0, wind 11.3, solar 3.2, biomass 2.0, hydro 1.8) 43369 / 99.82 = 434.5.
CER_LIFECYCLE = {"QC": 27.4, "ON": 60.4, "BC": 51.3, "AB": 434.5}


@pytest.mark.parametrize("province", sorted(CER_LIFECYCLE))
def test_canadian_provinces_match_the_cer_mix(db: RegionDB, province: str) -> None:
    found = db.intensity(f"ca-province:{province}", source="cer-energy-profiles")
    assert found.basis == "lifecycle" and found.source == "cer-energy-profiles-2023"
    assert found.value == pytest.approx(CER_LIFECYCLE[province], rel=0.10)


def test_canadian_cloud_regions_use_the_cer_mix(db: RegionDB) -> None:
    canadian = [r for r in db.filter(kind="cloud") if r.country == "CA"]
    assert len(canadian) >= 8
    for region in canadian:
        found = db.intensity(region.id, source="cer-energy-profiles")
        province = found.region_id.removeprefix("ca-province:")
        assert found.value == pytest.approx(CER_LIFECYCLE[province], rel=0.10), region.id
        if province == "QC":
            assert 15 <= found.value <= 60, region.id


def test_direct_state_figures_stay_out_of_lifecycle(db: RegionDB) -> None:
    # eGRID2016 state CO2 rates (Ohio 598.6, Wyoming ...) are direct: a cloud region never ranks on them.
    for region_id in ("aws:us-gov-east-1", "azure:westcentralus", "aws:us-gov-west-1"):
        assert not db.intensity(region_id).region_id.startswith("us-state:"), region_id
    assert db.intensity("us-state:OH", basis="direct").value == pytest.approx(598.6, abs=0.1)
    # Same grid, same figure: GovCloud East and us-east-2 (both central Ohio, PJM).
    assert db.intensity("aws:us-gov-east-1").value == db.intensity("aws:us-east-2").value


def test_google_operational_figures_are_the_providers_and_rank_only_among_themselves(db: RegionDB) -> None:
    # Google region-carbon-info 2024.csv: europe-north2 (Stockholm) 2.73 gCO2e/kWh, operational.
    stockholm = db.intensity("gcp:europe-north2", basis="operational")
    assert stockholm.value == 2.73 and stockholm.year == 2024
    lifecycle = db.intensity("gcp:europe-north2")
    # Stockholm ranks on its bidding zone's Electricity Maps figure (SE3), not Google's own.
    assert lifecycle.region_id == "zone:SE-SE3" and lifecycle.value > 10


def _published_classes() -> list[dict[str, str]]:
    with open(CURATED / "balancing_authorities.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_balancing_authority_mix_has_every_published_plant_class(db: RegionDB) -> None:
    index = yaml.safe_load((ROOT / "region_db" / "profiles" / "index.yaml").read_text(encoding="utf-8"))
    shares = {p["grid"]: p.get("generation_share") or {} for p in index["profiles"]}
    checked = 0
    for row in _published_classes():
        grid = f"ba:{row['code']}"
        assert shares[grid], grid  # every EIA series records its generation shares
        lacking = [c for c in row["published_classes"].split(";") if c and shares[grid].get(c, 0.0) <= 0.0]
        checked += bool(row["published_classes"])
        if not lacking:
            continue
        # A mix that lacks a class its published totals include (AZPS: no nuclear though Palo
        # Verde is in AZPS) must be excluded, with the reason, and give no lifecycle figure.
        assert row["excluded_reason"], (grid, lacking)
        region = db.get(grid)
        assert not [f for f in region.intensity_g_per_kwh if f.basis == "lifecycle"], grid
        assert region.intensity_missing and region.intensity_missing[0].reason == row["excluded_reason"]
    assert checked >= 1


def test_azps_is_excluded_for_its_missing_nuclear(db: RegionDB) -> None:
    index = yaml.safe_load((ROOT / "region_db" / "profiles" / "index.yaml").read_text(encoding="utf-8"))
    azps = next(p for p in index["profiles"] if p["grid"] == "ba:AZPS")
    assert azps["generation_share"]["NUC"] == 0.0  # the EIA-930 copy has no nuclear at all
    # By default Phoenix ranks on Electricity Maps' AZPS zone (its mix counts Palo Verde) ...
    assert db.intensity("azure:westus3").region_id == "zone:US-SW-AZPS"
    # ... and asked for the EIA-930 source, it has none (never the country's figure instead).
    with pytest.raises(InputError, match="no lifecycle carbon intensity from eia-930"):
        db.intensity("azure:westus3", source="eia-930")
