"""Columnar views of the databases, built once per database, year and basis, for vectorised
engine functions."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from wattprint.db.loader import RegionDB
from wattprint.db.schema import DEFAULT_BASIS

if TYPE_CHECKING:
    import pandas as pd

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
    "intensity_basis",
    "intensity_source",
    "intensity_from",
    "pue",
    "pue_year",
    "pue_source",
    "price_index",
    "cfe_fraction",
)
EXCLUDED_COLUMNS = ("id", "kind", "provider", "reason")

_FRAMES: dict[tuple[int, int | None, str], tuple[RegionDB, pd.DataFrame, pd.DataFrame]] = {}


def _build(db: RegionDB, year: int | None, basis: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    import pandas as pd  # only here: commands that need no table do not pay for pandas

    rows = []
    left_out = []
    for region in db.regions.values():
        found = db.intensity_facts(region.id, basis)
        if found is None:
            missing = [m for e in db.chain(region) for m in e.intensity_missing if m.basis == basis]
            if missing:
                reason = f"{missing[0].reason} ({missing[0].source}, {missing[0].year})"
            else:
                have = sorted({f.basis for e in db.chain(region) for f in e.intensity_g_per_kwh})
                reason = f"no {basis} figure" + (f" (has {', '.join(have)})" if have else "")
            left_out.append((region.id, region.kind, region.provider, reason))
            continue
        owner, series = found
        by_year = {fact.year: fact for fact in series}
        if year is None:
            chosen = by_year[max(by_year)]
        elif year in by_year:
            chosen = by_year[year]
        else:
            left_out.append((region.id, region.kind, region.provider, f"no {basis} figure for {year}"))
            continue
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
                basis,
                chosen.source,
                owner.id,
                pue.value if pue else math.nan,
                pue.year if pue else None,
                pue.source if pue else None,
                region.price_index if region.price_index is not None else math.nan,
                cfe.get(chosen.year, math.nan),
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=list(REGION_COLUMNS))
    frame = frame.sort_values(["intensity_g_per_kwh", "id"], kind="stable").reset_index(drop=True)
    return frame, pd.DataFrame.from_records(left_out, columns=list(EXCLUDED_COLUMNS))


def _cached(db: RegionDB, year: int | None, basis: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    key = (id(db), year, basis)
    hit = _FRAMES.get(key)
    if hit is None or hit[0] is not db:
        frame, left_out = _build(db, year, basis)
        hit = (db, frame, left_out)
        _FRAMES[key] = hit
    return hit[1], hit[2]


def region_frame(db: RegionDB, year: int | None = None, basis: str = DEFAULT_BASIS) -> pd.DataFrame:
    """One row per region with its intensity of ``basis`` for ``year`` (default: each region's
    latest), sorted by intensity then id.

    Regions with no figure of that basis (or none for ``year``) are left out: see
    :func:`excluded_regions`. PUE is NaN where none is published. Built once per database, year
    and basis; each call returns a copy.
    """
    return _cached(db, year, basis)[0].copy()


def excluded_regions(db: RegionDB, year: int | None = None, basis: str = DEFAULT_BASIS) -> pd.DataFrame:
    """The regions :func:`region_frame` leaves out for ``year`` and ``basis``, with the reason:
    columns ``id``, ``kind``, ``provider``, ``reason``."""
    return _cached(db, year, basis)[1].copy()


def intensity_fields(
    db: RegionDB | None, region_id: str | None, year: int | None = None
) -> dict[str, object]:
    """``intensity_basis`` and ``intensity_year`` of a job's region (default basis); both None
    when the job gives its own intensity instead of a region."""
    if db is None or not region_id:
        return {"intensity_basis": None, "intensity_year": None}
    resolved = db.intensity(region_id, year)
    return {"intensity_basis": resolved.basis, "intensity_year": resolved.year}
