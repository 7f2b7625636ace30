"""Columnar views of the databases, built once, for vectorised engine functions."""

from __future__ import annotations

import math

import pandas as pd

from app.db.loader import RegionDB

REGION_COLUMNS = (
    "id",
    "kind",
    "provider",
    "name",
    "city",
    "country",
    "continent",
    "latitude",
    "longitude",
    "intensity_g_per_kwh",
    "intensity_year",
    "intensity_source",
    "intensity_from",
    "pue",
    "pue_year",
    "pue_source",
    "price_index",
    "cfe_fraction",
)


def region_frame(db: RegionDB, year: int | None = None) -> pd.DataFrame:
    """One row per region with its intensity for ``year`` (default: each region's latest).

    Regions with no intensity for ``year`` are left out; PUE is NaN where none is published.
    """
    rows = []
    for region in db.regions.values():
        series = db.intensity_series(region.id)
        if not series:
            continue
        by_year = {fact.year: fact for fact in series}
        if year is None:
            chosen = by_year[max(by_year)]
        elif year in by_year:
            chosen = by_year[year]
        else:
            continue
        owner = next(e for e in db.chain(region) if e.intensity_g_per_kwh)
        pue = db.pue(region.id, year)
        cfe = {fact.year: fact.value for fact in region.cfe_fraction}
        rows.append(
            (
                region.id,
                region.kind,
                region.provider,
                region.name,
                region.city,
                region.country,
                region.continent,
                region.latitude if region.latitude is not None else math.nan,
                region.longitude if region.longitude is not None else math.nan,
                chosen.value,
                chosen.year,
                chosen.source,
                owner.id,
                pue.value if pue else math.nan,
                pue.year if pue else None,
                pue.source if pue else None,
                region.price_index if region.price_index is not None else math.nan,
                cfe.get(chosen.year, math.nan),
            )
        )
    return pd.DataFrame.from_records(rows, columns=list(REGION_COLUMNS))
