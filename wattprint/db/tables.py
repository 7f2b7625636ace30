"""Columnar views of the databases, built once per database, year, basis and source, for
vectorised engine functions."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wattprint.db.loader import DEFAULT_SOURCES, RegionDB, intensity_kind, source_family
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
    "intensity_kind",
    "pue",
    "pue_year",
    "pue_source",
    "price_index",
    "cfe_fraction",
)
EXCLUDED_COLUMNS = ("id", "kind", "provider", "reason")


@dataclass(frozen=True)
class Scope:
    """What one ranking rests on: one basis, one source (family) and one year."""

    basis: str
    source: str
    """A source family (:func:`wattprint.db.loader.source_family`), e.g. ``electricity-maps-yearly``."""
    year: int | None
    """The year every ranked figure is of; None when no region has a figure."""
    year_rule: str
    """How the year was chosen, in words (the one asked for, or the newest common to all)."""


_FRAMES: dict[
    tuple[int, int | None, str, str | None], tuple[RegionDB, pd.DataFrame, pd.DataFrame, Scope]
] = {}


def ranking_source(db: RegionDB, basis: str, year: int | None = None) -> str:
    """The source a ranking of ``basis`` (for ``year``) uses unless asked: the basis' default
    (:data:`~wattprint.db.loader.DEFAULT_SOURCES`) when it has figures (of that year), else the
    source family giving a figure (of that year) to the most regions (ties: alphabetical); "" when
    none has one. One source either way, named in :func:`ranking_scope`."""
    default = DEFAULT_SOURCES.get(basis)
    if default is not None and year is None:
        family = source_family(default)
        # The default only when this database has its figures (a user's own --db-dir may not).
        if any(db.intensity_facts(r.id, basis, family) for r in db.regions.values()):
            return family
    counts: Counter[str] = Counter()
    for region in db.regions.values():
        for family in db.intensity_sources(region.id, basis):
            found = db.intensity_facts(region.id, basis, family)
            if found and (year is None or any(f.year == year for f in found[1])):
                counts[family] += 1
    if default is not None and counts.get(source_family(default), 0) > 0:
        return source_family(default)
    if not counts:
        return ""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]


def _build(
    db: RegionDB, year: int | None, basis: str, source: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, Scope]:
    import pandas as pd  # only here: commands that need no table do not pay for pandas

    family = source_family(source) if source else ranking_source(db, basis, year)
    found_by_id = {
        region.id: db.intensity_facts(region.id, basis, family or None) for region in db.regions.values()
    }
    year_sets = [frozenset(f.year for f in found[1]) for found in found_by_id.values() if found]
    if year is not None:
        year_used: int | None = year
        rule = f"{year}, as asked"
    elif year_sets:
        common = frozenset.intersection(*year_sets)
        if common:
            year_used = max(common)
            rule = f"{year_used}, the newest year common to every region with a {basis} figure from {family}"
        else:
            counts = Counter(y for ys in year_sets for y in ys)
            year_used = max(counts, key=lambda y: (counts[y], y))
            rule = f"{year_used}, the year most regions with a {basis} figure from {family} have"
    else:
        year_used, rule = None, f"no region has a {family or basis} {basis} figure"
    rows = []
    left_out = []
    # An Electricity Maps zone that a country or grid entry links to is ranked under that entry's
    # name (country:FR for zone:FR, ba:PJM for zone:US-MIDA-PJM), not twice.
    represented = {
        link: entry.id for entry in db.regions.values() if entry.kind != "cloud" for link in entry.linked
    }
    national = {entry.id for entry in db.regions.values() if entry.kind in ("country", "world")} | {
        link for entry in db.regions.values() if entry.kind in ("country", "world") for link in entry.linked
    }
    for region in db.regions.values():
        found = found_by_id[region.id]
        if region.id in represented:
            left_out.append(
                (
                    region.id,
                    region.kind,
                    region.provider,
                    f"same zone as a linked entry, ranked there ({represented[region.id]})",
                )
            )
            continue
        if found is not None and region.kind == "grid" and found[0].id in national:
            reason = f"no {family} {basis} figure of its own (its country's is {found[0].id})"
            left_out.append((region.id, region.kind, region.provider, reason))
            continue
        if found is None:
            missing = [m for e in db.lookup_chain(region) for m in e.intensity_missing if m.basis == basis]
            others = [s for s in db.intensity_sources(region.id, basis) if s != family]
            if missing:
                reason = f"{missing[0].reason} ({missing[0].source}, {missing[0].year})"
            elif others:
                reason = f"no {family} {basis} figure (has {basis} from {', '.join(others)})"
            else:
                have = sorted({f.basis for e in db.lookup_chain(region) for f in e.intensity_g_per_kwh})
                reason = f"no {basis} figure" + (f" (has {', '.join(have)})" if have else "")
            left_out.append((region.id, region.kind, region.provider, reason))
            continue
        owner, series = found
        by_year = {fact.year: fact for fact in series}
        if year_used in by_year:
            chosen = by_year[year_used]
        else:
            left_out.append(
                (region.id, region.kind, region.provider, f"no {family} {basis} figure for {year_used}")
            )
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
                intensity_kind(basis, chosen.source),
                pue.value if pue else math.nan,
                pue.year if pue else None,
                pue.source if pue else None,
                region.price_index if region.price_index is not None else math.nan,
                cfe.get(chosen.year, math.nan),
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=list(REGION_COLUMNS))
    frame = frame.sort_values(["intensity_g_per_kwh", "id"], kind="stable").reset_index(drop=True)
    scope = Scope(basis, family, year_used, rule)
    return frame, pd.DataFrame.from_records(left_out, columns=list(EXCLUDED_COLUMNS)), scope


def _cached(
    db: RegionDB, year: int | None, basis: str, source: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, Scope]:
    key = (id(db), year, basis, source)
    hit = _FRAMES.get(key)
    if hit is None or hit[0] is not db:
        frame, left_out, scope = _build(db, year, basis, source)
        hit = (db, frame, left_out, scope)
        _FRAMES[key] = hit
    return hit[1], hit[2], hit[3]


def region_frame(
    db: RegionDB, year: int | None = None, basis: str = DEFAULT_BASIS, source: str | None = None
) -> pd.DataFrame:
    """One row per region with its intensity of ``basis`` from one source for one year, sorted
    by intensity then id.

    Like with like: every row has the same basis, source family and year. ``source`` defaults to
    :func:`ranking_source` (Electricity Maps for lifecycle); ``year`` to the newest year common to
    every region with a figure of that source (see :func:`ranking_scope`). Regions with no such
    figure are left out: see :func:`excluded_regions`. PUE is NaN where none is published. Built
    once per database, year, basis and source; each call returns a copy.
    """
    return _cached(db, year, basis, source)[0].copy()


def excluded_regions(
    db: RegionDB, year: int | None = None, basis: str = DEFAULT_BASIS, source: str | None = None
) -> pd.DataFrame:
    """The regions :func:`region_frame` leaves out for ``year``, ``basis`` and ``source``, with
    the reason: columns ``id``, ``kind``, ``provider``, ``reason``."""
    return _cached(db, year, basis, source)[1].copy()


def ranking_scope(
    db: RegionDB, year: int | None = None, basis: str = DEFAULT_BASIS, source: str | None = None
) -> Scope:
    """The basis, source and year :func:`region_frame` ranks on, and how the year was chosen."""
    return _cached(db, year, basis, source)[2]


def intensity_fields(
    db: RegionDB | None, region_id: str | None, year: int | None = None, basis: str = DEFAULT_BASIS
) -> dict[str, object]:
    """``intensity_basis``, ``intensity_year`` and ``intensity_source`` of a job's region, the
    entry whose figure it is (``intensity_from``) and, when that is another place's (a country's
    for a grid without a figure of its own), words saying so (``intensity_note``); all None when
    the job gives its own intensity instead of a region."""
    if db is None or not region_id:
        return dict.fromkeys(
            ("intensity_basis", "intensity_year", "intensity_source", "intensity_from", "intensity_note")
        )
    resolved = db.intensity(region_id, year, basis)
    return {
        "intensity_basis": resolved.basis,
        "intensity_year": resolved.year,
        "intensity_source": resolved.source,
        "intensity_from": resolved.region_id,
        "intensity_note": db.borrowed_note(region_id, resolved.region_id, basis) or None,
    }
